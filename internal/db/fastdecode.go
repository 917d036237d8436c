package db

import (
	"encoding/json"
	"math"
	"strings"
	"sync"
	"unsafe"

	"github.com/midonet-go/midonet/internal/jsonenc"
)

// decodeFast decodes a stored body as DecodeDoc does (an object; numbers as json.Number;
// objects as maps, arrays as []any), for the bodies the store writes: it handles strings
// without escapes and ASCII only, and reports false on anything else (an escape, a byte
// beyond ASCII, a malformed number, bytes after the object), which DecodeDoc then decodes.
// Keys are interned (internKey). A list of thousands of documents the cache does not hold
// spends most of its time decoding them; this is several times faster than encoding/json.
func decodeFast(b []byte) (Doc, bool) {
	d, _, ok := decodeFastString(string(b), false)
	return d, ok
}

// decodeFastString is decodeFast on the body as a string: the strings of the document are
// substrings of s (one allocation for all of them; the cache's key is s). With withEnc it
// also returns the document's encoded attributes, cut from s, when s is in the canonical
// form json.Marshal writes and the API encodes (see Encoded); else nil.
func decodeFastString(s string, withEnc bool) (Doc, *Encoded, bool) {
	p := fastParser{s: s, canonical: withEnc}
	p.strs = make([]string, 0, stringValues(s))
	sc := scratchPool.Get().(*scratch)
	p.kv, p.vs = sc.kv[:0], sc.vs[:0]
	if withEnc {
		p.spans = sc.spans[:0]
	}
	defer func() { sc.put(&p) }()
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return nil, nil, false
	}
	d, ok := p.object(0)
	if !ok {
		return nil, nil, false
	}
	p.space()
	if p.i != len(p.s) {
		return nil, nil, false
	}
	if !p.canonical || len(p.s) > math.MaxUint32 {
		return d, nil, true
	}
	if enc := p.encoded(); enc != nil {
		return d, enc, true
	}
	return d, nil, true
}

// Encoded is a document's attributes as the API encodes them: Enc holds `"name":value` for
// each attribute, in the byte order of the names and joined by commas, with the value as
// json.Marshal and the API's encoder write it (no spaces, keys of objects sorted). That is
// the document's encoding without its braces, so when the stored body is already in that
// form Enc is a substring of it: the cache, which keeps the body as its key, then holds the
// bytes once. Attribute i is Attr(i). The cache keeps it in a document's Memo: a list copies
// the bytes of the attributes it shows instead of encoding them.
type Encoded struct {
	Enc string
	// Offs[i] is where attribute i starts in Enc, and Offs[Len()] is len(Enc)+1 (where one
	// more would start, past its comma): attribute i ends one byte before Offs[i+1].
	Offs []uint32
	// Own is set when Enc was built for e rather than cut from a body the cache keeps
	// anyway: Cost counts it then.
	Own bool
}

// NewEncoded returns the attributes encoded in enc (joined by commas), attribute i starting
// at starts[i]; it copies enc and keeps starts, which the caller must not change after.
func NewEncoded(enc []byte, starts []uint32) *Encoded {
	return &Encoded{Enc: string(enc), Offs: append(starts, uint32(len(enc))+1), Own: true}
}

// Len is the number of attributes.
func (e *Encoded) Len() int { return len(e.Offs) - 1 }

// Attr returns attribute i, `"name":value`.
func (e *Encoded) Attr(i int) string { return e.Enc[e.Offs[i] : e.Offs[i+1]-1] }

// Key returns the name of attribute i (its key without the quotes).
func (e *Encoded) Key(i int) string {
	seg := e.Enc[e.Offs[i]+1 : e.Offs[i+1]-1]
	for j := 0; j < len(seg); j++ { // names are short: a loop beats strings.IndexByte's call
		if seg[j] == '"' {
			return seg[:j]
		}
	}
	return seg
}

// Cost is about the heap e holds beyond the body the cache keeps, for the cache's budget.
func (e *Encoded) Cost() int64 {
	c := int64(4*cap(e.Offs) + 64)
	if e.Own {
		c += int64(len(e.Enc))
	}
	return c
}

// encoded returns the top-level attributes as a cut of the body, or nil unless they are
// joined by single commas and fill it between its braces (json.Marshal's form).
func (p *fastParser) encoded() *Encoded {
	n := len(p.spans) / 2
	if n == 0 {
		return &Encoded{Offs: []uint32{1}}
	}
	first, last := p.spans[0], p.spans[2*n-1]
	if first != 1 || last != len(p.s)-1 {
		return nil
	}
	offs := make([]uint32, n+1)
	for i := range n {
		if i > 0 && p.spans[2*i] != p.spans[2*i-1]+1 {
			return nil
		}
		offs[i] = uint32(p.spans[2*i] - first)
	}
	offs[n] = uint32(last-first) + 1
	return &Encoded{Enc: p.s[first:last], Offs: offs}
}

type fastParser struct {
	s string
	i int
	// canonical: so far the body is as json.Marshal writes it (no spaces; each object's keys
	// strictly ascending); only tracked when spans is wanted.
	canonical bool
	// spans holds the start and end of each top-level `"key":value`.
	spans []int
	// kv is scratch for the keys and values of the objects being parsed (a stack: nested
	// objects use what follows their parent's), so that each map is made at its size.
	kv []kvPair
	// vs is the same for arrays.
	vs []any
	// strs holds the string headers of the document's string and number values, lists the
	// slice headers of its non-empty arrays, and elems their elements: the document's
	// interfaces point into them (see box).
	strs  []string
	lists [][]any
	elems []any
}

type kvPair struct {
	k string
	v any
}

// scratch is a parser's kv, vs and spans, kept for the next document: they grow to a
// document's size once, not for each document.
type scratch struct {
	kv    []kvPair
	vs    []any
	spans []int
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// put returns p's scratch (as p last had it) to the pool, without what it points to; a
// scratch grown past a large document is left to the collector.
func (sc *scratch) put(p *fastParser) {
	if cap(p.kv) > 1024 || cap(p.vs) > 1024 || cap(p.spans) > 2048 {
		return
	}
	clear(p.kv[:cap(p.kv)])
	clear(p.vs[:cap(p.vs)])
	sc.kv, sc.vs = p.kv, p.vs
	if p.spans != nil {
		sc.spans = p.spans
	}
	scratchPool.Put(sc)
}

func (p *fastParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
			p.canonical = false
		default:
			return
		}
	}
}

// seq parses the elements of an object or an array, from its opening bracket at p.i to
// closer: elem parses each one (for an object, its key, the colon and its value).
func (p *fastParser) seq(closer byte, elem func() bool) bool {
	p.i++
	p.space()
	if p.i < len(p.s) && p.s[p.i] == closer {
		p.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		p.space()
		if p.i >= len(p.s) {
			return false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case closer:
			p.i++
			return true
		default:
			return false
		}
	}
}

// member parses `"key":` at p.i (after spaces) and returns the key.
func (p *fastParser) member() (string, bool) {
	p.space()
	k, ok := p.str()
	if !ok {
		return "", false
	}
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != ':' {
		return "", false
	}
	p.i++
	return k, true
}

// object parses an object at p.i ('{'); depth 0 is the document.
func (p *fastParser) object(depth int) (map[string]any, bool) {
	base := len(p.kv)
	defer func() { p.kv = p.kv[:base] }()
	prev := ""
	ok := p.seq('}', func() bool {
		start := p.i // at the key's quote when canonical (no spaces)
		k, ok := p.member()
		if !ok {
			return false
		}
		if p.canonical && len(p.kv) > base && strings.Compare(k, prev) <= 0 {
			p.canonical = false
		}
		prev = k
		v, ok := p.value(depth)
		if !ok {
			return false
		}
		if depth == 0 && p.canonical {
			p.spans = append(p.spans, start, p.i)
		}
		p.kv = append(p.kv, kvPair{internKey(k), v})
		return true
	})
	if !ok {
		return nil, false
	}
	m := make(map[string]any, len(p.kv)-base)
	for _, x := range p.kv[base:] {
		m[x.k] = x.v
	}
	return m, true
}

func (p *fastParser) value(depth int) (any, bool) {
	p.space()
	if p.i >= len(p.s) {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		v, ok := p.str()
		return p.box(stringType, v), ok
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return nil, false
}

// array parses an array at p.i ('['), a []any: an empty one is emptyList; the elements of
// the others are cut from elems, and their headers boxed in lists (see box).
func (p *fastParser) array(depth int) (any, bool) {
	base := len(p.vs)
	defer func() { p.vs = p.vs[:base] }()
	ok := p.seq(']', func() bool {
		v, ok := p.value(depth)
		p.vs = append(p.vs, v)
		return ok
	})
	if !ok {
		return nil, false
	}
	n := len(p.vs) - base
	if n == 0 {
		return emptyList, true
	}
	if cap(p.elems)-len(p.elems) < n {
		p.elems = make([]any, 0, max(n, 4))
	}
	at := len(p.elems)
	p.elems = append(p.elems, p.vs[base:]...)
	if len(p.lists) == cap(p.lists) {
		p.lists = make([][]any, 0, 4)
	}
	p.lists = append(p.lists, p.elems[at:at+n:at+n]) // full: an append elsewhere copies
	return boxed(listType, unsafe.Pointer(&p.lists[len(p.lists)-1])), true
}

// str parses a string at p.i: printable ASCII without escapes only (what the API's encoder
// writes unchanged), a substring of the body.
func (p *fastParser) str() (string, bool) {
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", false
	}
	start := p.i + 1
	for j := start; j < len(p.s); j++ {
		c := p.s[j]
		switch {
		case c == '"':
			p.i = j + 1
			return p.s[start:j], true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return "", false
		}
	}
	return "", false
}

func (p *fastParser) literal(lit string) bool {
	if len(p.s)-p.i < len(lit) || p.s[p.i:p.i+len(lit)] != lit {
		return false
	}
	p.i += len(lit)
	return true
}

// number parses a number at p.i (JSON's grammar, jsonenc.ScanNumber).
func (p *fastParser) number() (any, bool) {
	n, ok := jsonenc.ScanNumber(p.s[p.i:])
	if !ok {
		return nil, false
	}
	p.i += n
	return p.box(numberType, p.s[p.i-n:p.i]), true
}

// Boxing values without an allocation each.
//
// An interface holding a string (or a json.Number) points to a string header, and one
// holding a []any to a slice header, which Go allocates for each conversion: more than half
// of a port's allocations when decoded. The parser instead keeps the headers of a
// document's values in slices made for the document (strs, at the size stringValues
// guesses, and lists), the elements of its arrays in a third (elems), and builds each
// interface pointing into them: a few allocations for them all. A header is never written
// again once an interface points to it (the slices only grow within their capacity, a new
// one is made when full), so the values are as immutable as Go's own boxes; a change to the
// document replaces an interface or an element of one of its own arrays, never a header.
// An array's slice is full (its capacity its length), so an append to it copies it rather
// than writing over its neighbour's elements. The interfaces keep these slices alive, which
// is the document's lifetime anyway.

// eface is the layout of an empty interface: its dynamic type, and a pointer to its value.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

func typeOf(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

var (
	stringType = typeOf("")
	numberType = typeOf(json.Number(""))
	listType   = typeOf([]any(nil))
)

// emptyList is every empty array decoded: its header is never written, and a list of
// capacity 0 grows into a new one.
var emptyList any = []any{}

// boxed returns the interface of type typ whose value is at data.
func boxed(typ, data unsafe.Pointer) (v any) {
	e := (*eface)(unsafe.Pointer(&v))
	e.typ = typ
	e.data = data
	return v
}

// box returns s as an interface of type typ (string or json.Number), its header kept in
// strs; when strs is full, in a new one (the interfaces made so far keep the old one).
func (p *fastParser) box(typ unsafe.Pointer, s string) any {
	if len(s) == 0 && typ == stringType {
		return "" // Go's box of "" allocates nothing
	}
	if len(p.strs) == cap(p.strs) {
		p.strs = make([]string, 0, max(cap(p.strs)/2, 8))
	}
	p.strs = append(p.strs, s)
	return boxed(typ, unsafe.Pointer(&p.strs[len(p.strs)-1]))
}

// stringValues guesses how many string and number values the body s holds: a quarter of its
// quotes (half of its strings are keys in a stored document), and two numbers.
func stringValues(s string) int { return strings.Count(s, `"`)/4 + 2 }
