package conformance

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// templateRE matches a `{{name}}` reference.
var templateRE = regexp.MustCompile(`\{\{([^{}]+)\}\}`)

// Captures holds the values captured so far, in capture order.
type Captures struct {
	names []string
	vals  map[string]any
}

// NewCaptures returns an empty set.
func NewCaptures() *Captures { return &Captures{vals: map[string]any{}} }

// Set records a captured value. Capturing a name again moves it to the end of
// the order, since it was captured later.
func (c *Captures) Set(name string, v any) {
	if _, ok := c.vals[name]; ok {
		for i, n := range c.names {
			if n == name {
				c.names = append(c.names[:i], c.names[i+1:]...)
				break
			}
		}
	}
	c.names = append(c.names, name)
	c.vals[name] = v
}

// Get returns a captured value.
func (c *Captures) Get(name string) (any, bool) {
	v, ok := c.vals[name]
	return v, ok
}

// Names returns the capture names in capture order.
func (c *Captures) Names() []string { return append([]string(nil), c.names...) }

// Expand replaces every `{{name}}` in s by the captured value's text. It
// returns the names it could not resolve (left as written).
func (c *Captures) Expand(s string) (string, []string) {
	var missing []string
	out := templateRE.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-2]
		v, ok := c.vals[name]
		if !ok {
			missing = append(missing, name)
			return m
		}
		return textOf(v)
	})
	return out, missing
}

// ExpandJSON resolves templates in a decoded JSON value: a string that is
// exactly `{{name}}` takes the captured value with its JSON type, any other
// string gets a textual replacement. Object keys are left alone.
func (c *Captures) ExpandJSON(v any) (any, []string) {
	var missing []string
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(x))
			for k, e := range x {
				out[k] = walk(e)
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = walk(e)
			}
			return out
		case string:
			if m := templateRE.FindStringSubmatch(x); m != nil && m[0] == x {
				if val, ok := c.vals[m[1]]; ok {
					return val
				}
				missing = append(missing, m[1])
				return x
			}
			s, miss := c.Expand(x)
			missing = append(missing, miss...)
			return s
		default:
			return v
		}
	}
	return walk(v), missing
}

// textOf is the textual form of a captured value: strings as they are,
// anything else as compact JSON.
func textOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	default:
		return canonical(x)
	}
}

// lookupPath follows a dotted path of object keys and list indexes
// ("port.fixed_ips.0.ip_address") through a decoded body.
func lookupPath(body any, path string) (any, bool) {
	cur := body
	for _, part := range strings.Split(path, ".") {
		switch x := cur.(type) {
		case map[string]any:
			v, ok := x[part]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			cur = x[i]
		default:
			return nil, false
		}
	}
	return cur, true
}
