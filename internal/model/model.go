// Package model is the typed view of Neutron's resources below the HTTP edge. The API parses,
// filters and renders documents as generic maps (where the shape of a request or an answer is
// what matters); plugins, translators and the tracer read them through these structs instead,
// so a misspelled or mistyped attribute is a compile error rather than a silent "".
//
// The package is a leaf: it knows attribute names and Neutron's constants (device owners,
// number decoding) and nothing of storage, policy or HTTP.
package model

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Device owners Neutron gives the ports it makes itself.
const (
	OwnerNetworkPrefix       = "network:"
	OwnerRouterInterface     = "network:router_interface"
	OwnerRouterInterfaceDVR  = "network:router_interface_distributed"
	OwnerRouterInterfaceHA   = "network:ha_router_replicated_interface"
	OwnerRouterGateway       = "network:router_gateway"
	OwnerFloatingIP          = "network:floatingip"
	OwnerDHCP                = "network:dhcp"
	OwnerComputePrefix       = "compute:"
	NetworkTypeUplink        = "uplink"
	DirectionIngress         = "ingress"
	DirectionEgress          = "egress"
	EtherTypeIPv4            = "IPv4"
	EtherTypeIPv6            = "IPv6"
	OwnerRouterPrefix        = "network:router_"
	defaultInterfacePrefix   = "tap"
	maxLinuxInterfaceNameLen = 14
)

// RouterInterfaceOwners are the owners of ports that join a network to a router (neutron-lib's
// ROUTER_INTERFACE_OWNERS).
var RouterInterfaceOwners = []string{OwnerRouterInterface, OwnerRouterInterfaceHA, OwnerRouterInterfaceDVR}

// PortTrusted is neutron-lib's is_port_trusted: a port is trusted (no security groups, no
// anti-spoofing) exactly when its device_owner starts with "network:". Every other port —
// "compute:*", "baremetal:*", "" or any other owner — is a tenant endpoint: it gets the
// project's default security group when created with port security, and the backend filters
// it. The API (default group on create) and the translator (security chains) both ask here.
func PortTrusted(deviceOwner string) bool { return strings.HasPrefix(deviceOwner, OwnerNetworkPrefix) }

// Int reads an integer from a decoded JSON value: json.Number, float64 (integral), int,
// int64 or a numeric string. It is the one place that knows how numbers arrive.
func Int(v any) (int64, bool) {
	switch t := v.(type) {
	case int:
		return int64(t), true
	case int64:
		return t, true
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<63 {
			return int64(t), true
		}
	case json.Number:
		if n, err := strconv.ParseInt(t.String(), 10, 64); err == nil {
			return n, true
		}
		if f, err := t.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), true
		}
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64); err == nil {
			return n, true
		}
	}
	return 0, false
}

// Decode reads a document into a typed resource. Attributes the type does not name are
// ignored; absent or null ones keep the type's defaults (see Defaulter). A value of the wrong
// type is an error naming the attribute, and the rest of the document is still read.
func Decode[T any](d map[string]any) (T, error) {
	var out T
	if df, ok := any(&out).(Defaulter); ok {
		df.SetDefaults()
	}
	if d == nil {
		return out, nil
	}
	var path docPath
	path.segs = path.buf[:0]
	if err := decodeValue(reflect.ValueOf(&out).Elem(), d, &path); err != nil {
		return out, fmt.Errorf("model: %T: %w", out, err)
	}
	return out, nil
}

// MustDecode is Decode for documents the server itself stored: a wrong type there is a bug
// the caller cannot repair, so the best-effort value is returned and the error dropped. Use
// Decode where a client's value may arrive.
func MustDecode[T any](d map[string]any) T {
	v, _ := Decode[T](d)
	return v
}

// Encode is the document form of a typed value (the inverse of Decode).
func Encode(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("model: encode %T: %w", v, err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("model: decode %T: %w", v, err)
	}
	return out, nil
}

// Defaulter is a type whose zero value is not Neutron's default for an absent attribute
// (admin_state_up, port_security_enabled and enable_dhcp default to true).
type Defaulter interface{ SetDefaults() }
