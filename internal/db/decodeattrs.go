package db

import (
	"slices"
	"strings"
)

// DecodeAttrs decodes only the named top-level attributes of a stored body, as DecodeDoc
// would decode them (those the body lacks are absent): a pass over every document of a kind
// that reads a few attributes of each (the agent's port-status pass) allocates only what it
// keeps, and leaves the decoded-document cache alone. The other values are skipped
// unparsed when the body is in the form decodeFast reads; otherwise DecodeDoc decodes it.
func DecodeAttrs(body []byte, names ...string) (Doc, error) {
	if d, ok := decodeAttrsFast(string(body), names); ok {
		return d, nil
	}
	full, err := DecodeDoc(body)
	if err != nil {
		return nil, err
	}
	d := make(Doc, len(names))
	for _, n := range names {
		if v, ok := full[n]; ok {
			d[n] = v
		}
	}
	return d, nil
}

func decodeAttrsFast(s string, names []string) (Doc, bool) {
	p := fastParser{s: s, strs: make([]string, 0, len(names))} // boxes for the values kept, at most one each
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return nil, false
	}
	p.i++
	d := make(Doc, len(names))
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		p.space()
		return d, p.i == len(p.s)
	}
	for {
		p.space()
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, false
		}
		p.i++
		if slices.Contains(names, k) {
			v, ok := p.value(1)
			if !ok {
				return nil, false
			}
			if str, ok := v.(string); ok {
				v = strings.Clone(str) // not a substring of the body, which the caller drops
			}
			d[k] = v // a later duplicate replaces an earlier one, as in DecodeDoc
		} else if !p.skip() {
			return nil, false
		}
		p.space()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			p.space()
			return d, p.i == len(p.s)
		default:
			return nil, false
		}
	}
}

// skip passes over one value without keeping it; as value, it declines what decodeFast
// declines (escapes, bytes beyond ASCII, malformed numbers and literals).
func (p *fastParser) skip() bool {
	p.space()
	if p.i >= len(p.s) {
		return false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.seq('}', func() bool {
			_, ok := p.member()
			return ok && p.skip()
		})
	case c == '[':
		return p.seq(']', p.skip)
	case c == '"':
		_, ok := p.str()
		return ok
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		_, ok := p.number()
		return ok
	}
	return false
}
