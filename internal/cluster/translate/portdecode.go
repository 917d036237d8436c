package translate

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/midonet-go/midonet/internal/model"
)

// decodePort is the typed form of a stored port's JSON: what decoders["ports"] gives from
// the decoded document (defaults for absent booleans, an empty binding:profile as none).
// A full re-translation of a network decodes every VM port on it, so the JSON the world
// stores (json.Marshal's) is read by portScanner, about 5 times as fast as json.Unmarshal
// (2.4 against 11.7 µs a stored VM port); anything it does not read exactly as
// json.Unmarshal would (an escape in a string, a repeated attribute, a key json.Unmarshal
// would match ignoring case, a number that is not an integer, a syntax error) goes to
// json.Unmarshal.
func decodePort(raw []byte) *model.Port {
	p := new(model.Port)
	p.SetDefaults()
	if sc := (portScanner{s: string(raw)}); !sc.port(p) {
		return unmarshalPort(raw)
	}
	if len(p.Profile) == 0 {
		p.Profile = nil
	}
	return p
}

// unmarshalPort is decodePort by json.Unmarshal alone.
func unmarshalPort(raw []byte) *model.Port {
	p := new(model.Port)
	p.SetDefaults()
	_ = json.Unmarshal(raw, p) // a stored document decodes; a wrong type decodes as far as it goes
	if len(p.Profile) == 0 {
		p.Profile = nil
	}
	return p
}

// portScanner reads a port's JSON into a model.Port, or reports false where it cannot
// promise json.Unmarshal's result. Its strings are substrings of s.
type portScanner struct {
	s string
	i int
}

func (sc *portScanner) port(p *model.Port) bool {
	var seen uint32
	// once reports whether attribute n is read for the first time: json.Unmarshal merges a
	// repeated attribute into what it read first.
	once := func(n uint) bool {
		first := seen&(1<<n) == 0
		seen |= 1 << n
		return first
	}
	return sc.object(func(key string) bool {
		switch key {
		case "id":
			return once(0) && sc.str(&p.ID)
		case "tenant_id":
			return once(1) && sc.str(&p.TenantID)
		case "project_id":
			return once(2) && sc.str(&p.ProjectID)
		case "name":
			return once(3) && sc.str(&p.Name)
		case "description":
			return once(4) && sc.str(&p.Description)
		case "revision_number":
			return once(5) && sc.integer(&p.RevisionNumber)
		case "created_at":
			return once(6) && sc.str(&p.CreatedAt)
		case "updated_at":
			return once(7) && sc.str(&p.UpdatedAt)
		case "tags":
			return once(8) && sc.strs(&p.Tags)
		case "network_id":
			return once(9) && sc.str(&p.NetworkID)
		case "mac_address":
			return once(10) && sc.str(&p.MACAddress)
		case "fixed_ips":
			return once(11) && list(sc, &p.FixedIPs, func(f *model.FixedIP) bool {
				return sc.fields(func(key string) bool {
					switch key {
					case "subnet_id":
						return sc.str(&f.SubnetID)
					case "ip_address":
						return sc.str(&f.IPAddress)
					}
					return sc.other(key)
				})
			})
		case "device_id":
			return once(12) && sc.str(&p.DeviceID)
		case "device_owner":
			return once(13) && sc.str(&p.DeviceOwner)
		case "admin_state_up":
			return once(14) && sc.boolean(&p.AdminStateUp)
		case "status":
			return once(15) && sc.str(&p.Status)
		case "security_groups":
			return once(16) && sc.strs(&p.SecurityGroups)
		case "port_security_enabled":
			return once(17) && sc.boolean(&p.PortSecurityEnabled)
		case "allowed_address_pairs":
			return once(18) && list(sc, &p.AllowedAddressPairs, func(a *model.AddressPair) bool {
				return sc.fields(func(key string) bool {
					switch key {
					case "ip_address":
						return sc.str(&a.IPAddress)
					case "mac_address":
						return sc.str(&a.MACAddress)
					}
					return sc.other(key)
				})
			})
		case "extra_dhcp_opts":
			return once(19) && list(sc, &p.ExtraDHCPOpts, func(o *model.DHCPOpt) bool {
				return sc.fields(func(key string) bool {
					switch key {
					case "opt_name":
						return sc.str(&o.Name)
					case "opt_value":
						return sc.str(&o.Value)
					case "ip_version":
						n := int64(o.IPVersion)
						ok := sc.integer(&n)
						o.IPVersion = int(n)
						return ok
					}
					return sc.other(key)
				})
			})
		case "binding:host_id":
			return once(20) && sc.str(&p.HostID)
		case "binding:profile":
			return once(21) && sc.profile(&p.Profile)
		case "binding:vnic_type":
			return once(22) && sc.str(&p.VNICType)
		case "qos_policy_id":
			return once(23) && sc.str(&p.QosPolicyID)
		}
		return sc.other(key)
	}) && sc.end()
}

// other skips the value of an attribute the object does not have, when its key is in
// lower-case ASCII: such a key matches no field, where json.Unmarshal would match one
// ignoring case.
func (sc *portScanner) other(key string) bool {
	for i := 0; i < len(key); i++ {
		if c := key[i]; c >= 'A' && c <= 'Z' || c >= utf8.RuneSelf {
			return false
		}
	}
	return sc.skip()
}

func (sc *portScanner) space() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

// peek skips spaces and returns the next byte (0 at the end).
func (sc *portScanner) peek() byte {
	sc.space()
	if sc.i < len(sc.s) {
		return sc.s[sc.i]
	}
	return 0
}

func (sc *portScanner) end() bool { return sc.peek() == 0 && sc.i == len(sc.s) }

// literal consumes word (true, false, null) at the cursor.
func (sc *portScanner) literal(word string) bool {
	if len(sc.s)-sc.i >= len(word) && sc.s[sc.i:sc.i+len(word)] == word {
		sc.i += len(word)
		return true
	}
	return false
}

// null consumes a null, which leaves the value it stands for as it is.
func (sc *portScanner) null() bool { return sc.peek() == 'n' && sc.literal("null") }

// object reads an object, calling member for each key with the cursor on its value.
func (sc *portScanner) object(member func(key string) bool) bool {
	if sc.peek() != '{' {
		return false
	}
	sc.i++
	if sc.peek() == '}' {
		sc.i++
		return true
	}
	for {
		var key string
		if !sc.rawString(&key, true) || sc.peek() != ':' {
			return false
		}
		sc.i++
		if !member(key) {
			return false
		}
		switch sc.peek() {
		case ',':
			sc.i++
		case '}':
			sc.i++
			return true
		default:
			return false
		}
	}
}

// array reads an array, calling elem with the cursor on each element.
func (sc *portScanner) array(elem func() bool) bool {
	if sc.peek() != '[' {
		return false
	}
	sc.i++
	if sc.peek() == ']' {
		sc.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		switch sc.peek() {
		case ',':
			sc.i++
		case ']':
			sc.i++
			return true
		default:
			return false
		}
	}
}

// rawString reads a string without escapes; with exact, one json.Unmarshal would keep as
// it is (valid UTF-8), else any string json.Unmarshal accepts without an escape.
func (sc *portScanner) rawString(out *string, exact bool) bool {
	if sc.peek() != '"' {
		return false
	}
	start := sc.i + 1
	ascii := true
	for j := start; j < len(sc.s); j++ {
		switch c := sc.s[j]; {
		case c == '"':
			*out = sc.s[start:j]
			sc.i = j + 1
			return ascii || !exact || utf8.ValidString(*out)
		case c == '\\' || c < 0x20:
			return false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return false
}

// str reads a string or null into a string attribute.
func (sc *portScanner) str(out *string) bool { return sc.null() || sc.rawString(out, true) }

// strs reads a list of strings, or null.
func (sc *portScanner) strs(out *[]string) bool {
	return list(sc, out, func(s *string) bool { return sc.str(s) })
}

func (sc *portScanner) boolean(out *bool) bool {
	switch sc.peek() {
	case 't':
		*out = true
		return sc.literal("true")
	case 'f':
		*out = false
		return sc.literal("false")
	}
	return sc.null()
}

// number consumes a JSON number and returns its text.
func (sc *portScanner) number() (string, bool) {
	sc.space()
	start, j := sc.i, sc.i
	digits := func() bool {
		k := j
		for j < len(sc.s) && sc.s[j] >= '0' && sc.s[j] <= '9' {
			j++
		}
		return j > k
	}
	if j < len(sc.s) && sc.s[j] == '-' {
		j++
	}
	if j < len(sc.s) && sc.s[j] == '0' {
		j++
	} else if !digits() {
		return "", false
	}
	if j < len(sc.s) && sc.s[j] == '.' {
		j++
		if !digits() {
			return "", false
		}
	}
	if j < len(sc.s) && (sc.s[j] == 'e' || sc.s[j] == 'E') {
		j++
		if j < len(sc.s) && (sc.s[j] == '+' || sc.s[j] == '-') {
			j++
		}
		if !digits() {
			return "", false
		}
	}
	sc.i = j
	return sc.s[start:j], true
}

// integer reads an integer or null into an integer attribute (json.Unmarshal refuses 1.0
// or 1e3 there).
func (sc *portScanner) integer(out *int64) bool {
	if sc.null() {
		return true
	}
	text, ok := sc.number()
	if !ok {
		return false
	}
	n, err := strconv.ParseInt(text, 10, 64)
	*out = n
	return err == nil
}

// fields reads an object, member reading each attribute, or null (which leaves it zero).
func (sc *portScanner) fields(member func(key string) bool) bool {
	return sc.null() || sc.object(member)
}

// profile reads binding:profile: an empty object or null is none; any other object is
// json.Unmarshal's map (numbers as float64), read from its own bytes.
func (sc *portScanner) profile(out *map[string]any) bool {
	if sc.null() {
		return true
	}
	start := sc.i // at the value: null() skipped the spaces
	if !sc.skip() {
		return false
	}
	if sc.s[start:sc.i] == "{}" {
		return true
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(sc.s[start:sc.i]), &m); err != nil || m == nil {
		return false
	}
	*out = m
	return true
}

// skip consumes any value, checking its syntax; a string with an escape is left to
// json.Unmarshal.
func (sc *portScanner) skip() bool {
	switch c := sc.peek(); {
	case c == '{':
		return sc.object(func(string) bool { return sc.skip() })
	case c == '[':
		return sc.array(sc.skip)
	case c == '"':
		var s string
		return sc.rawString(&s, false)
	case c == 't':
		return sc.literal("true")
	case c == 'f':
		return sc.literal("false")
	case c == 'n':
		return sc.literal("null")
	default:
		_, ok := sc.number()
		return ok
	}
}

// list reads an array, each element by elem into a new element of out, or null.
func list[T any](sc *portScanner, out *[]T, elem func(*T) bool) bool {
	if sc.null() {
		return true
	}
	xs := []T{}
	ok := sc.array(func() bool {
		xs = append(xs, *new(T))
		return elem(&xs[len(xs)-1])
	})
	*out = xs
	return ok
}
