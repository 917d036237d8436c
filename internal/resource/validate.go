package resource

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/midonet-go/midonet/internal/model"
)

// Repr renders a client value the way Neutron's messages quote it.
func Repr(v any) string {
	switch t := v.(type) {
	case string:
		return "'" + t + "'"
	case nil:
		return "None"
	case bool:
		if t {
			return "True"
		}
		return "False"
	case json.Number:
		return t.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// ToBool converts Neutron-style boolean input.
func ToBool(v any) (any, error) {
	switch t := v.(type) {
	case bool:
		return t, nil
	case string:
		switch strings.ToLower(t) {
		case "true", "1":
			return true, nil
		case "false", "0":
			return false, nil
		}
	case json.Number:
		switch t.String() {
		case "1":
			return true, nil
		case "0":
			return false, nil
		}
	}
	return nil, errorf("%s cannot be converted to boolean", Repr(v))
}

// ToBoolOrNone is ToBool that keeps null (convert_to_boolean_if_not_none).
func ToBoolOrNone(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	return ToBool(v)
}

// ToInt converts to an integer.
func ToInt(v any) (any, error) {
	if n, ok := model.Int(v); ok {
		return int(n), nil
	}
	return nil, errorf("%s is not an integer", Repr(v))
}

// ToIntOrNone converts to an integer, keeping null.
func ToIntOrNone(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	return ToInt(v)
}

// NonNegative validates an integer that is not below zero (neutron-lib's
// type:non_negative, run after convert_to_int).
func NonNegative(v any) string {
	n, ok := model.Int(v)
	if !ok {
		return fmt.Sprintf("'%v' is not an integer", v)
	}
	if n < 0 {
		return fmt.Sprintf("'%d' should be non-negative", n)
	}
	return ""
}

// NonNegativeOrNone is NonNegative that also accepts null.
func NonNegativeOrNone(v any) string {
	if v == nil {
		return ""
	}
	return NonNegative(v)
}

// ToList wraps a single value into a list (convert_to_list).
func ToList(v any) (any, error) {
	switch t := v.(type) {
	case nil:
		return []any{}, nil
	case []any:
		return t, nil
	}
	return []any{v}, nil
}

// String validates a string of at most max characters (max < 0: unbounded).
func String(max int) func(any) string {
	return func(v any) string {
		s, ok := v.(string)
		if !ok {
			return fmt.Sprintf("%s is not a valid string", Repr(v))
		}
		if max >= 0 && len([]rune(s)) > max {
			return fmt.Sprintf("%s exceeds maximum length of %d", Repr(v), max)
		}
		return ""
	}
}

// StringOrNone is String that also accepts null.
func StringOrNone(max int) func(any) string {
	f := String(max)
	return func(v any) string {
		if v == nil {
			return ""
		}
		return f(v)
	}
}

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$`)

// IsUUID reports whether s looks like a UUID.
func IsUUID(s string) bool { return uuidRe.MatchString(s) }

// UUID validates a UUID string.
func UUID(v any) string {
	s, ok := v.(string)
	if !ok || !IsUUID(s) {
		return fmt.Sprintf("%s is not a valid UUID", Repr(v))
	}
	return ""
}

// UUIDOrNone validates a UUID or null.
func UUIDOrNone(v any) string {
	if v == nil {
		return ""
	}
	return UUID(v)
}

// UUIDList validates a list of UUIDs without duplicates.
func UUIDList(v any) string {
	l, ok := v.([]any)
	if !ok {
		return fmt.Sprintf("%s is not a list", Repr(v))
	}
	seen := map[string]bool{}
	for _, x := range l {
		if r := UUID(x); r != "" {
			return r
		}
		if seen[x.(string)] {
			return fmt.Sprintf("Duplicate items in the list: %s", Repr(x))
		}
		seen[x.(string)] = true
	}
	return ""
}

// Values validates membership in a fixed set.
func Values(valid ...any) func(any) string {
	return func(v any) string {
		for _, x := range valid {
			if fmt.Sprint(x) == fmt.Sprint(v) && (v != nil) == (x != nil) {
				return ""
			}
		}
		return fmt.Sprintf("%v is not in valid_values", v)
	}
}

// ValuesOrNone is Values that also accepts null.
func ValuesOrNone(valid ...any) func(any) string {
	f := Values(valid...)
	return func(v any) string {
		if v == nil {
			return ""
		}
		return f(v)
	}
}

// ParseIP parses a canonical IP address string (no zones, no leading zeros).
func ParseIP(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a, true
}

// IP validates an IP address.
func IP(v any) string {
	s, ok := v.(string)
	if !ok {
		return fmt.Sprintf("%s is not a valid IP address", Repr(v))
	}
	if _, ok := ParseIP(s); !ok {
		return fmt.Sprintf("%s is not a valid IP address", Repr(v))
	}
	return ""
}

// IPOrNone validates an IP address or null.
func IPOrNone(v any) string {
	if v == nil {
		return ""
	}
	return IP(v)
}

// ParsePrefix parses a CIDR; it also accepts a bare address as a host prefix.
func ParsePrefix(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p, true
	}
	if a, ok := ParseIP(s); ok {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// CIDR validates a CIDR string (host bits allowed).
func CIDR(v any) string {
	s, ok := v.(string)
	if !ok {
		return fmt.Sprintf("%s is not a valid IP subnet", Repr(v))
	}
	if _, err := netip.ParsePrefix(s); err != nil {
		return fmt.Sprintf("%s is not a valid IP subnet", Repr(v))
	}
	return ""
}

// CIDROrNone validates a CIDR or null.
func CIDROrNone(v any) string {
	if v == nil {
		return ""
	}
	return CIDR(v)
}

var macRe = regexp.MustCompile(`^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$`)

// IsMAC reports whether s is a 48-bit MAC in colon or dash form.
func IsMAC(s string) bool { return macRe.MatchString(s) }

// invalidMACs are the addresses neutron-lib's validate_mac_address refuses although they are
// well formed (constants.INVALID_MAC_ADDRESSES): all zeros and broadcast.
var invalidMACs = map[string]bool{"00:00:00:00:00:00": true, "ff:ff:ff:ff:ff:ff": true}

// MAC validates a MAC address: well formed and neither all zeros nor broadcast. Multicast
// addresses pass, as they do in Neutron 21's validate_mac_address.
func MAC(v any) string {
	s, ok := v.(string)
	if !ok || !IsMAC(s) || invalidMACs[strings.ToLower(strings.ReplaceAll(s, "-", ":"))] {
		return fmt.Sprintf("%s is not a valid MAC address", Repr(v))
	}
	return ""
}

// MACOrNone validates a MAC or null.
func MACOrNone(v any) string {
	if v == nil {
		return ""
	}
	return MAC(v)
}

// ToMAC lower-cases a MAC and uses colons.
func ToMAC(v any) (any, error) {
	if s, ok := v.(string); ok && IsMAC(s) {
		return strings.ToLower(strings.ReplaceAll(s, "-", ":")), nil
	}
	return v, nil
}

// Dict validates a JSON object.
func Dict(v any) string {
	if _, ok := v.(map[string]any); !ok {
		return fmt.Sprintf("%s is not a dictionary", Repr(v))
	}
	return ""
}

// DictOrNone validates an object or null.
func DictOrNone(v any) string {
	if v == nil {
		return ""
	}
	return Dict(v)
}

// ListOf validates a list whose items each pass item.
func ListOf(item func(any) string) func(any) string {
	return func(v any) string {
		l, ok := v.([]any)
		if !ok {
			return fmt.Sprintf("%s is not a list", Repr(v))
		}
		for _, x := range l {
			if r := item(x); r != "" {
				return r
			}
		}
		return ""
	}
}

// Tag validates one tag.
func Tag(v any) string { return String(MaxTagLen)(v) }

// Port attribute bounds. Neutron's: an extra DHCP option's name (64) and value (255), and
// binding:profile (4095 characters, the size of its column in ml2_port_bindings). Bounded
// here where Neutron has no bound, so that the largest document a member can make is known
// (ARCHITECTURE.md, Limits): extra DHCP options and fixed IPs per port.
const (
	DHCPOptNameMaxLen      = 64
	DHCPOptValueMaxLen     = 255
	MaxExtraDHCPOpts       = 64
	MaxFixedIPs            = 64
	MaxBindingProfileBytes = 4095
)

// BindingProfile validates binding:profile: an object (or null) of at most
// MaxBindingProfileBytes bytes of JSON.
func BindingProfile(v any) string {
	if r := DictOrNone(v); r != "" || v == nil {
		return r
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%s is not a valid dictionary", Repr(v))
	}
	if len(b) > MaxBindingProfileBytes {
		return fmt.Sprintf("binding:profile of %d bytes exceeds the maximum of %d bytes", len(b), MaxBindingProfileBytes)
	}
	return ""
}

// Tag bounds. Neutron limits a tag to 255 characters; the count is bounded here (Neutron has
// no bound) so that one resource cannot carry an unbounded document into etcd.
const (
	MaxTagLen = 255
	MaxTags   = 50
)

// TooManyTags is the refusal of a tag list longer than MaxTags.
func TooManyTags(n int) string {
	return fmt.Sprintf("%d tags given; a resource can have at most %d tags", n, MaxTags)
}

// azHintsDBLen is Neutron's AZ_HINTS_DB_LEN: the hints as a JSON list fit in 255 characters.
const azHintsDBLen = 255

// azHints is neutron-lib's availability_zone_hint_list: unique strings whose JSON list fits
// the column (whether each names a zone is internal/plugin/az's check).
func azHints(v any) string {
	l, ok := v.([]any)
	if !ok {
		return fmt.Sprintf("%s is not a list", Repr(v))
	}
	seen := map[string]bool{}
	for _, x := range l {
		s, ok := x.(string)
		if !ok {
			return fmt.Sprintf("%s is not a valid string", Repr(x))
		}
		if seen[s] {
			return fmt.Sprintf("Duplicate items in the list: '%s'", s)
		}
		seen[s] = true
	}
	if b, _ := json.Marshal(l); len(b) > azHintsDBLen {
		return "Too many availability_zone_hints specified"
	}
	return ""
}
