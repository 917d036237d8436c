package api

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/jsonenc"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// A full list of a keyed collection reads the decoded-document cache's own documents
// (db.PageQuery.Shared), without the deep copy of each, and renders them straight into the
// stream. It changes nothing in them, so it does not build the policy target (prepare) in
// the document or the rendered map (render) of the ordinary path:
//
//   - the get rule and each get_<member>:<attr> rule are decided once for the caller where
//     they read nothing of the target (policy.Enforcer.Decide: an admin passes the owner
//     checks without them); otherwise they are checked on a read-only view of the document
//     and its policy parent (sharedTarget), which reads what prepare would have put there;
//   - the attributes shown are chosen and sorted once per request; each document is then
//     encoded attribute by attribute in that order, as appendJSON encodes the map render
//     builds (sorted keys), so the bytes are the same.
//
// Each cached document keeps its encoded attributes in its db.Memo (docEnc: cut from the
// stored body by the store's decoder when the body is in json.Marshal's form, else built by
// the first list that reads it): `"name":value` for each of its attributes, in key order, as
// appendJSON writes them. A list then copies the bytes of each attribute it shows instead of
// encoding the value again; what an expander adds is encoded as before.
//
// What expanders add (dns_assignment, trunk_details, ...) is kept beside the batch of
// documents (overlay) through plugin.SharedExpansion; a collection with an expander that
// cannot do so, or whose documents RBAC shares (View sets their `shared`), keeps the
// ordinary path.

// sharedList is what a full list needs to render shared documents for one request.
type sharedList struct {
	pc     *policyCache
	rq     *request
	get    ruleDecision
	attrs  []sharedAttr
	target sharedTarget
	expand plugin.ExpandFunc // nil when the collection expands nothing
	added  overlay           // what expand added to the batch being written
	cols   [][]overlaid      // added's column of each of attrs (nil: none), for the batch
}

// overlay holds the attributes an expander adds to a batch of shared documents, by attribute
// and the document's index in the batch; a later value replaces an earlier one, as a later
// expander's assignment would.
type overlay map[string][]overlaid

type overlaid struct {
	v   any
	set bool
}

// reset empties the overlay for a batch of n documents.
func (o overlay) reset(n int) {
	for k, col := range o {
		if cap(col) < n {
			delete(o, k)
			continue
		}
		col = col[:n]
		clear(col)
		o[k] = col
	}
}

// set is a plugin.SetFunc for a batch of n documents.
func (o overlay) setter(n int) plugin.SetFunc {
	return func(i int, attr string, v any) {
		col := o[attr]
		if col == nil {
			col = make([]overlaid, n)
			o[attr] = col
		}
		col[i] = overlaid{v, true}
	}
}

// get reads what was added to document i as attr.
func (o overlay) get(i int, attr string) (any, bool) {
	if col := o[attr]; col != nil && i < len(col) && col[i].set {
		return col[i].v, true
	}
	return nil, false
}

// ruleDecision is a rule decided once for the caller, or to be checked per document.
type ruleDecision struct {
	rule             string
	allowed, decided bool
}

// sharedAttr is one attribute a list shows: its name, its encoded key ("name":), whether a
// document without it leaves it out, and the policy rule that may hide it.
type sharedAttr struct {
	name     string
	key      []byte
	optional bool
	rule     *ruleDecision
}

// sharedLister prepares a full list of col from shared documents, or reports that the
// collection needs the ordinary path.
func (s *Server) sharedLister(rq *request, col plugin.Collection, q *query, pc *policyCache) (*sharedList, bool) {
	res := col.Resource()
	expand, ok := plugin.SharedExpansion(col)
	if !ok || !rq.caller.Plain(res.Collection) {
		return nil, false
	}
	l := &sharedList{pc: pc, rq: rq, expand: expand}
	l.target.l = l
	l.get = s.decide(rq, res.Rule("get"))
	var want map[string]bool
	if len(q.fields) > 0 {
		want = make(map[string]bool, len(q.fields))
		for _, f := range q.fields {
			want[f] = true
		}
	}
	for _, a := range res.Attrs {
		if a.Hidden || a.FilterOnly || !s.Extensions.Has(a.Ext) || (want != nil && !want[a.Name]) {
			continue
		}
		if slices.ContainsFunc(l.attrs, func(x sharedAttr) bool { return x.name == a.Name }) {
			return nil, false // one name twice: render's map keeps the last; not worth mimicking
		}
		sa := sharedAttr{name: a.Name, key: append(jsonenc.AppendString(nil, a.Name), ':'), optional: a.Optional}
		if slices.Contains(pc.attrs, a.Name) {
			d := s.decide(rq, res.Rule("get")+":"+a.Name)
			if d.decided && !d.allowed {
				continue
			}
			if !d.decided {
				sa.rule = &d
			}
		}
		l.attrs = append(l.attrs, sa)
	}
	slices.SortFunc(l.attrs, func(a, b sharedAttr) int { return strings.Compare(a.name, b.name) })
	return l, true
}

func (s *Server) decide(rq *request, rule string) ruleDecision {
	allowed, decided := s.Policy.Decide(rule, rq.creds)
	return ruleDecision{rule: rule, allowed: allowed, decided: decided}
}

// check evaluates r on d as read (before any expansion: the get rule).
func (l *sharedList) check(r *ruleDecision, d db.Doc) bool { return l.checkAt(r, d, -1) }

// checkAt evaluates r on d with what expand added to the i-th document of the batch (none
// for i < 0): render checks attribute rules on the expanded document.
func (l *sharedList) checkAt(r *ruleDecision, d db.Doc, i int) bool {
	if r.decided {
		return r.allowed
	}
	l.target.d, l.target.i, l.target.parent, l.target.loaded = d, i, viewedParent{}, false
	return l.pc.s.Policy.EnforceTarget(r.rule, &l.target, l.rq.creds)
}

// visible is policyCache.visible for a shared document.
func (l *sharedList) visible(d db.Doc) bool {
	return d["_hidden"] != true && l.check(&l.get, d)
}

// appendDoc encodes d as render and appendJSON would: the attributes shown, in key order.
// d is the i-th document of the batch l.added holds the expansions of.
func (l *sharedList) appendDoc(b []byte, d db.Doc, i int) ([]byte, error) {
	return l.appendAttrs(b, nil, d, i)
}

// appendEnc is appendDoc from the document's encoded attributes: the same bytes, copied
// rather than encoded, but for what expand added to the batch's i-th document.
func (l *sharedList) appendEnc(b []byte, e *docEnc, d db.Doc, i int) ([]byte, error) {
	return l.appendAttrs(b, e, d, i)
}

// appendEntry encodes the batch's i-th document, from its encoded attributes where its memo
// holds them (or they can be kept there now).
func (l *sharedList) appendEntry(b []byte, m *db.Memo, d db.Doc, i int) ([]byte, error) {
	return l.appendAttrs(b, encOf(m, d), d, i)
}

// appendAttrs writes each attribute shown of the batch's i-th document d, in key order: what
// expand added to it, else the bytes of e's attribute (e, when not nil, is d encoded), else
// d's value encoded; an optional attribute d lacks and one its rule hides are left out.
func (l *sharedList) appendAttrs(b []byte, e *docEnc, d db.Doc, i int) ([]byte, error) {
	b = append(b, '{')
	first := true
	n := 0
	if e != nil {
		n = e.Len()
	}
	k := 0 // the next of e's attributes not passed yet
	for j := range l.attrs {
		a := &l.attrs[j]
		var v any
		var seg string // the attribute's bytes in e, when inSeg
		has, added, inSeg := false, false, false
		if col := l.cols[j]; col != nil && col[i].set {
			v, has, added = col[i].v, true, true
		}
		if e != nil {
			for k < n {
				c := strings.Compare(e.Key(k), a.name)
				if c < 0 {
					k++
					continue
				}
				if c == 0 {
					if !added {
						seg, has, inSeg = e.Attr(k), true, true
					}
					k++
				}
				break
			}
		} else if !added {
			v, has = d[a.name]
		}
		if a.optional && !has {
			continue
		}
		if a.rule != nil && !l.checkAt(a.rule, d, i) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		if inSeg {
			b = append(b, seg...)
			continue
		}
		b = append(b, a.key...)
		var err error
		if b, err = jsonenc.Append(b, v); err != nil {
			return nil, fmt.Errorf("api: encode %s: %w", a.name, err)
		}
	}
	return append(b, '}'), nil
}

// sharedTarget is the policy target prepare builds in a document, read from the shared
// document and its policy parent instead: "_collection", the parent's attributes as
// "<member>:<attr>" (but those starting with "_"), and the document's own. The parent is
// read when a rule first asks for it.
type sharedTarget struct {
	l      *sharedList
	d      db.Doc
	i      int // the document's index in the batch whose expansions apply; -1: none
	parent viewedParent
	loaded bool
}

// Lookup reads key as the target prepare builds holds it (and, once expanded, the
// document).
func (t *sharedTarget) Lookup(key string) (any, bool) {
	pc := t.l.pc
	if t.i >= 0 {
		if v, ok := t.l.added.get(t.i, key); ok {
			if raw, ok := v.(json.RawMessage); ok {
				// Added encoded (dns_assignment): a rule reads the value Expand would set.
				var x any
				if err := json.Unmarshal(raw, &x); err == nil {
					return x, true
				}
			}
			return v, true
		}
	}
	if key == "_collection" {
		return pc.res.Plural(), true
	}
	if pr := pc.s.parentOf(pc.res.Collection); pr != nil {
		member := pc.s.Catalog.Get(pr.Collection).Member
		if rest, ok := strings.CutPrefix(key, member+":"); ok && !strings.HasPrefix(rest, "_") {
			if !t.loaded {
				t.loaded = true
				if id, _ := t.d[pr.Attr].(string); id != "" {
					t.parent = pc.parent(t.l.rq, pr, id)
				}
			}
			if v, ok := t.parent.get(rest); ok {
				return v, true
			}
		}
	}
	v, ok := t.d[key]
	return v, ok
}

// expandBatch runs the expanders over a batch of documents about to be written: what they
// add goes to l.added, and each shown attribute's column of it to l.cols.
func (l *sharedList) expandBatch(ctx context.Context, tx *db.Tx, docs []db.Doc) error {
	l.added.reset(len(docs))
	if l.expand != nil && len(docs) > 0 {
		if err := l.expand(ctx, tx, docs, l.added.setter(len(docs))); err != nil {
			return err
		}
	}
	for j := range l.attrs {
		l.cols[j] = l.added[l.attrs[j].name]
	}
	return nil
}

// streamShared is streamAll for shared documents: pq reads them, the list's filters and the
// get rule choose, expand adds its attributes beside them, and they go out as they are read.
func (s *Server) streamShared(ctx context.Context, tx *db.Tx, res *resource.Resource, q *query, pq db.PageQuery, l *sharedList, lw *listWriter) error {
	pq.Shared = true
	l.added = overlay{}
	l.cols = make([][]overlaid, len(l.attrs))
	docs := make([]db.Doc, 0, streamBatch)
	memos := make([]*db.Memo, 0, streamBatch)
	for {
		pq.Limit = streamBatch
		rows, err := tx.Page(ctx, res.Collection, pq)
		if err != nil {
			return err
		}
		docs, memos = docs[:0], memos[:0]
		for _, r := range rows {
			if l.visible(r.Doc) && matches(res, r.Doc, q.filters) {
				docs = append(docs, r.Doc)
				memos = append(memos, r.Memo)
			}
		}
		if err := l.expandBatch(ctx, tx, docs); err != nil {
			return err
		}
		for i, d := range docs {
			lw.next()
			if lw.buf, err = l.appendEntry(lw.buf, memos[i], d, i); err != nil {
				return fmt.Errorf("api: encode a list entry: %w", err)
			}
			if err := lw.flush(); err != nil {
				return err
			}
		}
		if len(rows) < streamBatch {
			return nil
		}
		last := rows[len(rows)-1].Cursor
		pq.After = &last
	}
}

// docEnc is a document's encoded attributes (db.Encoded): `"name":value` for each, in key
// order, joined by commas. The store's decoder cuts them from the stored body when it is in
// that form already (as json.Marshal writes it), sharing its bytes; encodeDoc encodes the
// others on first use.
type docEnc = db.Encoded

// noEnc is the memo of a document that cannot be kept encoded (a key needs escaping, a
// value does not encode): lists encode it each time, as before.
var noEnc = &docEnc{}

// encOf returns d's encoded attributes, from its memo or encoded now and kept there; nil
// when the document has no memo or cannot be kept encoded.
func encOf(m *db.Memo, d db.Doc) *docEnc {
	if m == nil {
		return nil
	}
	if e, ok := m.Load().(*docEnc); ok {
		if e == noEnc {
			return nil
		}
		return e
	}
	e := encodeDoc(d)
	if e == nil {
		m.Store(noEnc, 0)
		return nil
	}
	m.Store(e, e.Cost())
	return e
}

// encodeDoc encodes each attribute of d, or returns nil when a key needs escaping (keys are
// then not found by their bytes) or a value does not encode.
func encodeDoc(d db.Doc) *docEnc {
	keys := make([]string, 0, len(d))
	n := 0
	for k, v := range d {
		keys = append(keys, k)
		n += len(k) + 4 + approxLen(v)
	}
	slices.Sort(keys)
	enc := make([]byte, 0, n)
	starts := make([]uint32, 0, len(keys)+1) // NewEncoded appends the end
	for i, k := range keys {
		if i > 0 {
			enc = append(enc, ',')
		}
		starts = append(starts, uint32(len(enc)))
		start := len(enc)
		enc = jsonenc.AppendString(enc, k)
		if len(enc)-start != len(k)+2 {
			return nil
		}
		enc = append(enc, ':')
		var err error
		if enc, err = jsonenc.Append(enc, d[k]); err != nil {
			return nil
		}
	}
	if len(enc) >= math.MaxUint32 {
		return nil
	}
	return db.NewEncoded(enc, starts)
}

// approxLen guesses the encoded length of v, to size the buffer once.
func approxLen(v any) int {
	switch t := v.(type) {
	case string:
		return len(t) + 2
	case []any:
		n := 2
		for _, x := range t {
			n += approxLen(x) + 1
		}
		return n
	case map[string]any:
		n := 2
		for k, x := range t {
			n += len(k) + 4 + approxLen(x)
		}
		return n
	}
	return 8
}

// pageBufs holds the buffers of pages written (putPageBuf): a page of 100 ports is about
// 110 KB, which a server with a large heap otherwise pays for again in each GC cycle's
// share.
var pageBufs sync.Pool

// maxPooledPage bounds the buffers kept.
const maxPooledPage = 4 << 20

// pageBuf returns an empty buffer of at least n bytes' capacity, from the pool if it can.
func pageBuf(n int) []byte {
	if p, ok := pageBufs.Get().(*[]byte); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make([]byte, 0, n)
}

// putPageBuf gives back a page's buffer once it is written, which nobody may use afterwards.
func putPageBuf(b []byte) {
	if cap(b) <= maxPooledPage {
		pageBufs.Put(&b)
	}
}

// pageShared renders a page of pq's order from shared documents: the answer writeList gives
// for the page the ordinary path reads (walk, Expand, render), byte for byte.
func (s *Server) pageShared(ctx context.Context, tx *db.Tx, rq *request, res *resource.Resource, q *query, pq db.PageQuery, l *sharedList) ([]byte, error) {
	pq.Shared = true
	rows, err := walkRows(ctx, tx, res.Collection, pq, q.limit, func(d db.Doc) bool {
		return l.visible(d) && matches(res, d, q.filters)
	})
	if err != nil {
		return nil, err
	}
	if q.reverse {
		slices.Reverse(rows)
	}
	docs := make([]db.Doc, len(rows))
	for i, r := range rows {
		docs[i] = r.Doc
	}
	l.added = overlay{}
	l.cols = make([][]overlaid, len(l.attrs))
	if err := l.expandBatch(ctx, tx, docs); err != nil {
		return nil, err
	}
	plural := res.Plural()
	b := pageBuf(1100*len(docs) + 1024)
	b = append(b, '{')
	b = jsonenc.AppendString(b, plural)
	b = append(b, ':', '[')
	for i, d := range docs {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = l.appendEntry(b, rows[i].Memo, d, i); err != nil {
			return nil, fmt.Errorf("api: encode a page entry: %w", err)
		}
	}
	b = append(b, ']')
	if links := pageLinks(rq, q, docs); len(links) > 0 {
		b = append(b, ',')
		b = jsonenc.AppendString(b, plural+"_links")
		b = append(b, ':')
		if b, err = jsonenc.Append(b, links); err != nil {
			return nil, fmt.Errorf("api: encode a page's links: %w", err)
		}
	}
	return append(b, '}', '\n'), nil
}
