package conformance

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"strings"
)

// unorderedKeys name the lists whose order Neutron does not define; they are
// written sorted by canonical JSON and compared as multisets.
var unorderedKeys = map[string]bool{
	"allocation_pools":        true,
	"allowed_address_pairs":   true,
	"availability_zone_hints": true,
	"availability_zones":      true,
	"dns_assignment":          true,
	"extensions":              true,
	"external_fixed_ips":      true,
	"extra_dhcp_opts":         true,
	"fixed_ips":               true,
	"host_routes":             true,
	"routes":                  true,
	"security_group_rules":    true,
	"security_groups":         true,
	"service_types":           true,
	"subnet_ids":              true,
	"subnets":                 true,
	"tags":                    true,
}

var (
	reqIDRE     = regexp.MustCompile(`req-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	uuidRE      = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	timestampRE = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?`)
)

// minTokenCapture is the shortest captured string replaced inside other
// strings (rule 3.2).
const minTokenCapture = 7

// Normalizer rewrites an answer the way the recorder normalised the golden
// files, so the two compare equal when the server behaves the same.
type Normalizer struct {
	Base     string    // the server's base URL, e.g. http://127.0.0.1:9797
	Captures *Captures // captures so far, this step's included
	Literals *Literals // literal values of the scenario so far
}

// Body returns a normalised copy of a decoded JSON body. unorderedTop sorts
// the top-level list members too (a GET whose query has no sort_key), except
// `*_links` and `versions`.
func (n *Normalizer) Body(body any, unorderedTop bool) any {
	out := n.value("", body, false)
	if m, ok := out.(map[string]any); ok && unorderedTop {
		for k, v := range m {
			if l, ok := v.([]any); ok && topUnordered(k) {
				sortCanonical(l)
			}
		}
	}
	return out
}

// topUnordered reports whether a top-level list member of a GET without
// sort_key has no defined order.
func topUnordered(key string) bool {
	return !strings.HasSuffix(key, "_links") && key != "versions"
}

// value normalises v found under key. dnsEntry is set for the members of a
// dns_assignment-like object whose ip_address is generated.
func (n *Normalizer) value(key string, v any, dnsEntry bool) any {
	switch x := v.(type) {
	case map[string]any:
		dns := false
		_, hasHost := x["hostname"]
		_, hasFQDN := x["fqdn"]
		if ip, ok := x["ip_address"].(string); ok && hasHost && hasFQDN {
			dns = isIP(ip) && !n.Literals.IsIP(ip)
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = n.value(k, e, dns)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = n.value(key, e, false)
		}
		if unorderedKeys[key] {
			sortCanonical(out)
		}
		return out
	case string:
		return n.str(key, x, dnsEntry)
	case json.Number:
		if _, isInt := intText(x); isInt {
			if segIDKeys[key] && !n.Literals.IsSegID(x) {
				return "<segid>"
			}
			if key == "standard_attr_id" {
				return "<standard_attr_id>"
			}
		}
		return x
	default:
		return v
	}
}

// str applies rule 1 (captures), rule 2 (generated values by key) and
// otherwise the string rules.
func (n *Normalizer) str(key, s string, dnsEntry bool) string {
	if name, ok := n.captureOf(s); ok {
		return "{{" + name + "}}"
	}
	if ipKeys[key] && isIP(s) && !n.Literals.IsIP(s) {
		return "<ip>"
	}
	if dnsEntry {
		switch key {
		case "hostname":
			return "<hostname>"
		case "fqdn":
			return "<fqdn>"
		}
	}
	return n.String(s)
}

// captureOf returns the first captured name whose string value is s.
func (n *Normalizer) captureOf(s string) (string, bool) {
	if n.Captures == nil {
		return "", false
	}
	for _, name := range n.Captures.names {
		if v, ok := n.Captures.vals[name].(string); ok && v == s {
			return name, true
		}
	}
	return "", false
}

// String applies the "every other string" rules 1–7 in order.
func (n *Normalizer) String(s string) string {
	if n.Base != "" {
		s = strings.ReplaceAll(s, n.Base, "<base>")
	}
	s = n.replaceCaptureTokens(s)
	s = reqIDRE.ReplaceAllString(s, "<reqid>")
	s = uuidRE.ReplaceAllString(s, "<uuid>")
	s = timestampRE.ReplaceAllString(s, "<timestamp>")
	s = n.replaceMACs(s)
	if strings.HasPrefix(s, "<base>") {
		s = sortQuery(s)
	}
	return s
}

// replaceCaptureTokens replaces captured strings of 7 or more characters
// where they occur as tokens, longest first; for equal values the first
// captured name wins.
func (n *Normalizer) replaceCaptureTokens(s string) string {
	if n.Captures == nil {
		return s
	}
	type cand struct{ name, val string }
	var cands []cand
	seen := map[string]bool{}
	for _, name := range n.Captures.names {
		v, ok := n.Captures.vals[name].(string)
		if !ok || len(v) < minTokenCapture || seen[v] {
			continue
		}
		seen[v] = true
		cands = append(cands, cand{name, v})
	}
	sort.SliceStable(cands, func(i, j int) bool { return len(cands[i].val) > len(cands[j].val) })
	for _, c := range cands {
		s = replaceToken(s, c.val, "{{"+c.name+"}}")
	}
	return s
}

// replaceToken replaces the occurrences of val in s that have no [0-9A-Za-z]
// on either side.
func replaceToken(s, val, repl string) string {
	if !strings.Contains(s, val) {
		return s
	}
	var b strings.Builder
	i := 0
	for {
		j := strings.Index(s[i:], val)
		if j < 0 {
			b.WriteString(s[i:])
			return b.String()
		}
		j += i
		end := j + len(val)
		if (j == 0 || !isAlnum(s[j-1])) && (end == len(s) || !isAlnum(s[end])) {
			b.WriteString(s[i:j])
			b.WriteString(repl)
			i = end
		} else {
			b.WriteString(s[i : j+1])
			i = j + 1
		}
	}
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// macAt reports whether s[i:i+17] has the shape hh:hh:hh:hh:hh:hh.
func macAt(s string, i int) bool {
	if i+17 > len(s) {
		return false
	}
	for k := 0; k < 17; k++ {
		c := s[i+k]
		if k%3 == 2 {
			if c != ':' {
				return false
			}
		} else if !isHex(c) {
			return false
		}
	}
	return true
}

// findMACs returns the [start, end) offsets of MAC-shaped substrings. With
// bounded, a match must have no hex digit or ':' next to it (what a regexp
// lookbehind/lookahead would check), and matches do not overlap.
func findMACs(s string, bounded bool) [][2]int {
	var out [][2]int
	for i := 0; i+17 <= len(s); i++ {
		if !macAt(s, i) {
			continue
		}
		if bounded {
			if i > 0 && (isHex(s[i-1]) || s[i-1] == ':') {
				continue
			}
			if i+17 < len(s) && (isHex(s[i+17]) || s[i+17] == ':') {
				continue
			}
		}
		out = append(out, [2]int{i, i + 17})
		if bounded {
			i += 16
		}
	}
	return out
}

// replaceMACs turns every bounded MAC that is not literal into <mac>.
func (n *Normalizer) replaceMACs(s string) string {
	matches := findMACs(s, true)
	if len(matches) == 0 {
		return s
	}
	var b strings.Builder
	prev := 0
	for _, m := range matches {
		mac := s[m[0]:m[1]]
		b.WriteString(s[prev:m[0]])
		if n.Literals != nil && n.Literals.IsMAC(mac) {
			b.WriteString(mac)
		} else {
			b.WriteString("<mac>")
		}
		prev = m[1]
	}
	b.WriteString(s[prev:])
	return b.String()
}

// sortQuery sorts the &-separated query parameters of a URL-like string.
func sortQuery(s string) string {
	i := strings.IndexByte(s, '?')
	if i < 0 {
		return s
	}
	parts := strings.Split(s[i+1:], "&")
	sort.Strings(parts)
	return s[:i+1] + strings.Join(parts, "&")
}

// Text normalises a body that is not JSON with the string rules.
func (n *Normalizer) Text(s string) string { return n.String(s) }

// canonical is a value's canonical JSON: keys sorted, no spaces, no HTML
// escaping (placeholders contain < and >).
func canonical(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "<unencodable>"
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// sortCanonical sorts a list by the canonical JSON of its items.
func sortCanonical(l []any) {
	keys := make([]string, len(l))
	idx := make([]int, len(l))
	for i, v := range l {
		keys[i] = canonical(v)
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	sorted := make([]any, len(l))
	for i, j := range idx {
		sorted[i] = l[j]
	}
	copy(l, sorted)
}
