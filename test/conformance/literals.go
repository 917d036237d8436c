package conformance

import (
	"encoding/json"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// ipKeys are the keys whose IP values are either literal or generated.
var ipKeys = map[string]bool{
	"ip_address":          true,
	"fixed_ip_address":    true,
	"floating_ip_address": true,
}

// segIDKeys are the keys whose integers are either literal or random VNIs.
var segIDKeys = map[string]bool{
	"provider:segmentation_id": true,
	"segmentation_id":          true,
}

// Literals are the values written in the scenario's requests so far (this
// step's included): IPs under the IP keys, MAC-shaped substrings, and
// segmentation ids. Values that come from a template are not literal, so
// Literals reads the requests with their templates unresolved.
type Literals struct {
	ips    map[netip.Addr]bool
	ipText map[string]bool // IP strings as written, for non-canonical spellings
	macs   map[string]bool // lower case
	segIDs map[string]bool // canonical integer text
}

// NewLiterals returns an empty set.
func NewLiterals() *Literals {
	return &Literals{
		ips:    map[netip.Addr]bool{},
		ipText: map[string]bool{},
		macs:   map[string]bool{},
		segIDs: map[string]bool{},
	}
}

// AddRequest records the literals of one request: its path (with query) as
// written, its body, and its raw body.
func (l *Literals) AddRequest(path string, body any, rawBody *string) {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		q, _ := url.ParseQuery(path[i+1:])
		for k, vals := range q {
			for _, v := range vals {
				for _, m := range findMACs(v, false) {
					l.macs[strings.ToLower(v[m[0]:m[1]])] = true
				}
				if ipKeys[k] {
					l.addIP(v)
				}
				if k == "fixed_ips" {
					for _, part := range strings.Split(v, "&") {
						for ik := range ipKeys {
							if rest, ok := strings.CutPrefix(part, ik+"="); ok {
								l.addIP(rest)
							}
						}
					}
				}
			}
		}
	}
	l.addBody("", body)
	if rawBody != nil {
		for _, m := range findMACs(*rawBody, false) {
			l.macs[strings.ToLower((*rawBody)[m[0]:m[1]])] = true
		}
	}
}

func (l *Literals) addBody(key string, v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			l.addBody(k, e)
		}
	case []any:
		for _, e := range x {
			l.addBody(key, e)
		}
	case string:
		for _, m := range findMACs(x, false) {
			l.macs[strings.ToLower(x[m[0]:m[1]])] = true
		}
		if ipKeys[key] {
			l.addIP(x)
		}
	case json.Number:
		if segIDKeys[key] {
			if n, ok := intText(x); ok {
				l.segIDs[n] = true
			}
		}
	}
}

func (l *Literals) addIP(s string) {
	if strings.Contains(s, "{{") {
		return
	}
	if a, err := netip.ParseAddr(s); err == nil {
		l.ips[a.Unmap()] = true
		l.ipText[s] = true
	}
}

// IsIP reports whether s is an IP address written in the scenario.
func (l *Literals) IsIP(s string) bool {
	if l.ipText[s] {
		return true
	}
	a, err := netip.ParseAddr(s)
	return err == nil && l.ips[a.Unmap()]
}

// IsMAC reports whether mac (any case) was written in the scenario.
func (l *Literals) IsMAC(mac string) bool { return l.macs[strings.ToLower(mac)] }

// IsSegID reports whether the integer n was written as a segmentation id.
func (l *Literals) IsSegID(n json.Number) bool {
	t, ok := intText(n)
	return ok && l.segIDs[t]
}

// intText returns the canonical decimal text of an integral JSON number.
func intText(n json.Number) (string, bool) {
	i, err := n.Int64()
	if err != nil {
		return "", false
	}
	return strconv.FormatInt(i, 10), true
}

// isIP reports whether s parses as an IP address.
func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}
