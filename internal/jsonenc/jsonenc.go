// Package jsonenc encodes JSON-shaped Go values — the maps, lists, strings, numbers,
// booleans and nulls that documents are made of — without reflection, byte for byte as
// encoding/json does. Marshal writes json.Marshal's form (<, > and & escaped), the form
// documents are stored and sent to the cluster in, which digests and comparisons of stored
// bytes rely on. Append writes the API's: HTML characters kept, as an encoding/json Encoder
// with SetEscapeHTML(false), and a nil list as an empty one ([], where encoding/json writes
// null). Values of other types go through encoding/json.
package jsonenc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Append appends v's encoding in the API's form.
func Append(b []byte, v any) ([]byte, error) { return appendValue(b, v, &apiForm) }

// AppendString appends s quoted in the API's form.
func AppendString(b []byte, s string) []byte { return appendString(b, s, apiForm.safe) }

// AppendMarshal appends json.Marshal(v), for JSON-shaped values without reflection.
func AppendMarshal(b []byte, v any) ([]byte, error) { return appendValue(b, v, &marshalForm) }

// AppendMarshalString appends s quoted as json.Marshal writes it (<, > and & escaped).
func AppendMarshalString(b []byte, s string) []byte { return appendString(b, s, marshalForm.safe) }

// Marshal returns json.Marshal(v), for JSON-shaped values without reflection.
func Marshal(v any) ([]byte, error) { return appendValue(make([]byte, 0, 512), v, &marshalForm) }

// form is how values are written: which ASCII bytes a string keeps, and what a nil list is.
type form struct {
	safe    *[utf8.RuneSelf]bool
	nilList string
}

var (
	apiForm     = form{&plainSafe, "[]"}
	marshalForm = form{&htmlSafe, "null"}
)

// plainSafe and htmlSafe say which ASCII bytes a string keeps as they are: printable ones
// other than the quote and the backslash, and for htmlSafe not <, > or & either.
var plainSafe, htmlSafe = func() (p, h [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		p[c] = c != '"' && c != '\\'
		h[c] = p[c] && c != '<' && c != '>' && c != '&'
	}
	return p, h
}()

func appendValue(b []byte, v any, f *form) ([]byte, error) {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, t), nil
	case string:
		return appendString(b, t, f.safe), nil
	case json.RawMessage: // already encoded, compact, by whoever made it (an expander)
		if f == &apiForm {
			return append(b, t...), nil
		}
	case json.Number:
		if t == "" {
			return append(b, '0'), nil
		}
		if !validNumber(string(t)) {
			return nil, fmt.Errorf("json: invalid number literal %q", string(t))
		}
		return append(b, t...), nil
	case int:
		return strconv.AppendInt(b, int64(t), 10), nil
	case int64:
		return strconv.AppendInt(b, t, 10), nil
	case float64:
		if math.IsInf(t, 0) || math.IsNaN(t) || t != math.Trunc(t) || math.Abs(t) >= 1e21 || t == 0 && math.Signbit(t) {
			break
		}
		return strconv.AppendInt(b, int64(t), 10), nil
	case map[string]any:
		return appendMap(b, t, func(b []byte, x any) ([]byte, error) { return appendValue(b, x, f) }, f)
	case map[string]string:
		if t == nil {
			return append(b, "null"...), nil
		}
		return appendMap(b, t, func(b []byte, x string) ([]byte, error) { return appendString(b, x, f.safe), nil }, f)
	case []any:
		return appendList(b, t, f, func(b []byte, x any) ([]byte, error) { return appendValue(b, x, f) })
	case []string:
		return appendList(b, t, f, func(b []byte, x string) ([]byte, error) { return appendString(b, x, f.safe), nil })
	}
	if f == &marshalForm {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return append(b, raw...), nil
	}
	buf := bytes.NewBuffer(b)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// appendMap writes an object with its keys sorted, each value by elem.
func appendMap[V any](b []byte, m map[string]V, elem func([]byte, V) ([]byte, error), f *form) ([]byte, error) {
	var small [8]string // most nested maps (fixed IPs, profiles) fit: no allocation
	keys := small[:0]
	if len(m) > len(small) {
		keys = make([]string, 0, len(m))
	}
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k, f.safe)
		b = append(b, ':')
		var err error
		if b, err = elem(b, m[k]); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendList writes a list, each element by elem; a nil list as the form says.
func appendList[T any](b []byte, l []T, f *form, elem func([]byte, T) ([]byte, error)) ([]byte, error) {
	if l == nil {
		return append(b, f.nilList...), nil
	}
	b = append(b, '[')
	for i, x := range l {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = elem(b, x); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as encoding/json does: control characters, quotes, backslashes,
// U+2028 and U+2029 escaped (and what safe lacks), invalid UTF-8 replaced.
func appendString(b []byte, s string, safe *[utf8.RuneSelf]bool) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if safe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// validNumber reports whether s is a JSON number.
func validNumber(s string) bool {
	n, ok := ScanNumber(s)
	return ok && n == len(s)
}

// ScanNumber reads the JSON number at the start of s, by the grammar
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, and returns its length; false when s does
// not start with one (or a fraction or exponent lacks its digits).
func ScanNumber(s string) (int, bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return 0, false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return 0, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, false
		}
	}
	return i, true
}
