package agent

import (
	"encoding/binary"
	"strconv"
)

// The agent keeps most of its topology objects (the rules, chains, DHCP hosts, MAC and ARP
// entries and address-group members that make up about eighteen of the twenty objects of a
// VM port) not as decoded Go structs but as a compact form of their JSON: a token stream in
// which object keys are indexes into a table of names, UUIDs are their sixteen bytes, MAC
// addresses their six, small integers varints, and every other token its JSON text
// verbatim. The form is lossless: expanding it gives the value's JSON without its
// insignificant white space (json.Compact's output), so decoding it gives the object the
// NSDB value gives. A rule takes about 150 bytes this way against about 650 decoded.

// Tokens of the compact form.
const (
	tokRaw      = 0x00 // first byte only: the rest is the JSON text itself (a form the encoder does not take)
	tokObject   = 0x01
	tokEndObj   = 0x02
	tokArray    = 0x03
	tokEndArr   = 0x04
	tokTrue     = 0x05
	tokFalse    = 0x06
	tokNull     = 0x07
	tokNumber   = 0x08 // uvarint length, the literal
	tokUint     = 0x09 // uvarint value of a literal in canonical decimal form
	tokString   = 0x0a // uvarint length, the text between the quotes (escapes kept)
	tokUUID     = 0x0b // 16 bytes of a lowercase 8-4-4-4-12 UUID string
	tokWithUUID = 0x0c // uvarint length, prefix, 16 bytes of UUID, uvarint length, suffix
	tokMAC      = 0x0d // 6 bytes of a lowercase aa:bb:cc:dd:ee:ff string
	tokNameRef  = 0x0e // uvarint index into the name table
	tokName0    = 0x20 // tokName0+i: name i of the table, for i < 0x100-tokName0
)

// maxNames bounds the name table: object keys are field names, so a few hundred cover every
// kind; keys beyond the bound (map keys of an unusual object) are stored as strings.
const maxNames = 4096

// names is the table of object keys a cache's compact forms refer to. It only grows.
type names struct {
	list []string
	idx  map[string]int
}

func (n *names) ref(s []byte) (int, bool) {
	if i, ok := n.idx[string(s)]; ok {
		return i, true
	}
	if len(n.list) >= maxNames {
		return 0, false
	}
	if n.idx == nil {
		n.idx = map[string]int{}
	}
	str := string(s)
	n.idx[str] = len(n.list)
	n.list = append(n.list, str)
	return len(n.list) - 1, true
}

// compactJSON returns the compact form of a JSON value (which must be valid JSON).
func compactJSON(n *names, js []byte) []byte {
	e := encoder{n: n, in: js, out: make([]byte, 0, len(js)/2)}
	if !e.value() || e.skipSpace() != len(js) {
		return append([]byte{tokRaw}, js...)
	}
	return e.out
}

type encoder struct {
	n   *names
	in  []byte
	pos int
	out []byte
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (e *encoder) skipSpace() int {
	for e.pos < len(e.in) && isSpace(e.in[e.pos]) {
		e.pos++
	}
	return e.pos
}

func (e *encoder) value() bool {
	if e.skipSpace() >= len(e.in) {
		return false
	}
	switch c := e.in[e.pos]; {
	case c == '{':
		e.pos++
		e.out = append(e.out, tokObject)
		if e.skipSpace() < len(e.in) && e.in[e.pos] == '}' {
			e.pos++
			e.out = append(e.out, tokEndObj)
			return true
		}
		for {
			if e.skipSpace() >= len(e.in) || e.in[e.pos] != '"' {
				return false
			}
			s, ok := e.stringText()
			if !ok {
				return false
			}
			if i, ok := e.n.ref(s); ok {
				if i < 0x100-tokName0 {
					e.out = append(e.out, byte(tokName0+i))
				} else {
					e.out = binary.AppendUvarint(append(e.out, tokNameRef), uint64(i))
				}
			} else {
				e.appendString(s)
			}
			if e.skipSpace() >= len(e.in) || e.in[e.pos] != ':' {
				return false
			}
			e.pos++
			if !e.value() {
				return false
			}
			if e.skipSpace() >= len(e.in) {
				return false
			}
			switch e.in[e.pos] {
			case ',':
				e.pos++
			case '}':
				e.pos++
				e.out = append(e.out, tokEndObj)
				return true
			default:
				return false
			}
		}
	case c == '[':
		e.pos++
		e.out = append(e.out, tokArray)
		if e.skipSpace() < len(e.in) && e.in[e.pos] == ']' {
			e.pos++
			e.out = append(e.out, tokEndArr)
			return true
		}
		for {
			if !e.value() || e.skipSpace() >= len(e.in) {
				return false
			}
			switch e.in[e.pos] {
			case ',':
				e.pos++
			case ']':
				e.pos++
				e.out = append(e.out, tokEndArr)
				return true
			default:
				return false
			}
		}
	case c == '"':
		s, ok := e.stringText()
		if !ok {
			return false
		}
		e.appendString(s)
		return true
	case c == 't':
		return e.literal("true", tokTrue)
	case c == 'f':
		return e.literal("false", tokFalse)
	case c == 'n':
		return e.literal("null", tokNull)
	case c == '-' || (c >= '0' && c <= '9'):
		start := e.pos
		for e.pos < len(e.in) && isNumberByte(e.in[e.pos]) {
			e.pos++
		}
		lit := e.in[start:e.pos]
		if v, err := strconv.ParseUint(string(lit), 10, 64); err == nil && string(strconv.AppendUint(nil, v, 10)) == string(lit) {
			e.out = binary.AppendUvarint(append(e.out, tokUint), v)
		} else {
			e.out = append(binary.AppendUvarint(append(e.out, tokNumber), uint64(len(lit))), lit...)
		}
		return true
	}
	return false
}

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

func (e *encoder) literal(text string, tok byte) bool {
	if len(e.in)-e.pos < len(text) || string(e.in[e.pos:e.pos+len(text)]) != text {
		return false
	}
	e.pos += len(text)
	e.out = append(e.out, tok)
	return true
}

// stringText reads a JSON string at pos and returns the text between its quotes, escapes
// kept as they are.
func (e *encoder) stringText() ([]byte, bool) {
	start := e.pos + 1
	for i := start; i < len(e.in); i++ {
		switch e.in[i] {
		case '\\':
			i++
		case '"':
			e.pos = i + 1
			return e.in[start:i], true
		}
	}
	return nil, false
}

// appendString appends a string token for the text between a string's quotes.
func (e *encoder) appendString(s []byte) {
	if len(s) == 36 {
		if u, ok := parseUUID(s); ok {
			e.out = append(append(e.out, tokUUID), u[:]...)
			return
		}
	}
	if len(s) == 17 {
		if m, ok := parseMAC(s); ok {
			e.out = append(append(e.out, tokMAC), m[:]...)
			return
		}
	}
	for i := 0; i+36 <= len(s); i++ {
		if s[i+8] != '-' {
			continue
		}
		if u, ok := parseUUID(s[i : i+36]); ok {
			e.out = append(binary.AppendUvarint(append(e.out, tokWithUUID), uint64(i)), s[:i]...)
			e.out = append(e.out, u[:]...)
			e.out = append(binary.AppendUvarint(e.out, uint64(len(s)-i-36)), s[i+36:]...)
			return
		}
	}
	e.out = append(binary.AppendUvarint(append(e.out, tokString), uint64(len(s))), s...)
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// parseUUID parses a lowercase 8-4-4-4-12 UUID (uppercase ones stay strings: the form must
// give back the same text).
func parseUUID(s []byte) (u [16]byte, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
			continue
		}
		hi, ok1 := hexVal(s[i])
		lo, ok2 := hexVal(s[i+1])
		if !ok1 || !ok2 {
			return u, false
		}
		u[j] = hi<<4 | lo
		j++
		i += 2
	}
	return u, true
}

// parseMAC parses a lowercase aa:bb:cc:dd:ee:ff MAC address.
func parseMAC(s []byte) (m [6]byte, ok bool) {
	if len(s) != 17 {
		return m, false
	}
	for i := 0; i < 6; i++ {
		if i > 0 && s[3*i-1] != ':' {
			return m, false
		}
		hi, ok1 := hexVal(s[3*i])
		lo, ok2 := hexVal(s[3*i+1])
		if !ok1 || !ok2 {
			return m, false
		}
		m[i] = hi<<4 | lo
	}
	return m, true
}

const hexDigits = "0123456789abcdef"

func appendUUID(dst []byte, u []byte) []byte {
	for i, b := range u[:16] {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[b>>4], hexDigits[b&0xf])
	}
	return dst
}

// expandJSON appends the JSON text of a compact form to dst; ok is false when the form is
// damaged (it never is when compactJSON made it with the same names).
func expandJSON(n *names, dst, c []byte) (out []byte, ok bool) {
	if len(c) > 0 && c[0] == tokRaw {
		return append(dst, c[1:]...), true
	}
	// stack of open containers: an object's count of keys and values, an array's of items.
	type level struct {
		object bool
		count  int
	}
	var stackBuf [16]level
	stack := stackBuf[:0]
	pos := 0
	uvarint := func() (uint64, bool) {
		v, k := binary.Uvarint(c[pos:])
		if k <= 0 {
			return 0, false
		}
		pos += k
		return v, true
	}
	take := func(n uint64) ([]byte, bool) {
		if n > uint64(len(c)-pos) {
			return nil, false
		}
		b := c[pos : pos+int(n)]
		pos += int(n)
		return b, true
	}
	for pos < len(c) {
		tok := c[pos]
		pos++
		if tok == tokEndObj || tok == tokEndArr {
			if len(stack) == 0 || stack[len(stack)-1].object != (tok == tokEndObj) {
				return dst, false
			}
			stack = stack[:len(stack)-1]
			if tok == tokEndObj {
				dst = append(dst, '}')
			} else {
				dst = append(dst, ']')
			}
			continue
		}
		// A new item: the separator before it, then a colon after it when it is a key.
		key := false
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.object {
				key = top.count%2 == 0
				if key && top.count > 0 {
					dst = append(dst, ',')
				}
			} else if top.count > 0 {
				dst = append(dst, ',')
			}
			top.count++
		} else if pos > 1 {
			return dst, false // a second top-level value
		}
		if key && (tok == tokObject || tok == tokArray || tok == tokTrue || tok == tokFalse ||
			tok == tokNull || tok == tokNumber || tok == tokUint) {
			return dst, false
		}
		switch {
		case tok == tokObject:
			dst = append(dst, '{')
			stack = append(stack, level{object: true})
		case tok == tokArray:
			dst = append(dst, '[')
			stack = append(stack, level{})
		case tok == tokTrue:
			dst = append(dst, "true"...)
		case tok == tokFalse:
			dst = append(dst, "false"...)
		case tok == tokNull:
			dst = append(dst, "null"...)
		case tok == tokNumber:
			l, ok := uvarint()
			if !ok {
				return dst, false
			}
			b, ok := take(l)
			if !ok {
				return dst, false
			}
			dst = append(dst, b...)
		case tok == tokUint:
			v, ok := uvarint()
			if !ok {
				return dst, false
			}
			dst = strconv.AppendUint(dst, v, 10)
		case tok == tokString:
			l, ok := uvarint()
			if !ok {
				return dst, false
			}
			b, ok := take(l)
			if !ok {
				return dst, false
			}
			dst = append(append(append(dst, '"'), b...), '"')
		case tok == tokUUID:
			b, ok := take(16)
			if !ok {
				return dst, false
			}
			dst = append(appendUUID(append(dst, '"'), b), '"')
		case tok == tokWithUUID:
			l, ok := uvarint()
			if !ok {
				return dst, false
			}
			pre, ok := take(l)
			if !ok {
				return dst, false
			}
			u, ok := take(16)
			if !ok {
				return dst, false
			}
			if l, ok = uvarint(); !ok {
				return dst, false
			}
			suf, ok := take(l)
			if !ok {
				return dst, false
			}
			dst = append(append(appendUUID(append(append(dst, '"'), pre...), u), suf...), '"')
		case tok == tokMAC:
			b, ok := take(6)
			if !ok {
				return dst, false
			}
			dst = append(dst, '"')
			for i, x := range b {
				if i > 0 {
					dst = append(dst, ':')
				}
				dst = append(dst, hexDigits[x>>4], hexDigits[x&0xf])
			}
			dst = append(dst, '"')
		case tok == tokNameRef || tok >= tokName0:
			i := uint64(tok) - tokName0
			if tok == tokNameRef {
				var ok bool
				if i, ok = uvarint(); !ok {
					return dst, false
				}
			}
			if i >= uint64(len(n.list)) {
				return dst, false
			}
			dst = append(append(append(dst, '"'), n.list[i]...), '"')
		default:
			return dst, false
		}
		if key {
			dst = append(dst, ':')
		}
	}
	return dst, len(stack) == 0 && pos > 0
}
