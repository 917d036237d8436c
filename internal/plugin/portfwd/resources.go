package portfwd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
)

// Extensions are the port forwarding aliases the service advertises.
var Extensions = []resource.Extension{
	{Alias: "floating-ip-port-forwarding", Name: "Floating IP Port Forwarding", Description: "Allow port forwarding from floating IP port to an internal port", Updated: "2018-01-19T10:00:00-00:00"},
	{Alias: "expose-port-forwarding-in-fip", Name: "Expose Floating IP port forwardings", Description: "Expose port forwarding fields in floating IP response", Updated: "2018-06-28T16:00:00-00:00"},
	{Alias: "floating-ip-port-forwarding-description", Name: "Floating IP Port Forwarding new attribute description", Description: "Add a description field to Port Forwarding rules", Updated: "2019-11-01T10:00:00-00:00"},
	{Alias: "floating-ip-port-forwarding-detail", Name: "Floating IP Port Forwarding Detail", Description: "Add internal_port_id and id to the port forwardings of a floating IP", Updated: "2019-12-09T10:00:00-00:00"},
	{Alias: "floating-ip-port-forwarding-port-ranges", Name: "Floating IP Port Forwarding support port ranges", Description: "Allow port forwarding rule to use port ranges", Updated: "2022-01-01T10:00:00-00:00"},
}

// Protocols are the protocols a port forwarding may name (neutron-lib's
// IPTABLES_PROTOCOL_MAP); the data plane forwards TCP and UDP.
var Protocols = []any{"dccp", "icmp", "ipv6-icmp", "sctp", "tcp", "udp"}

// PortForwardings is /v2.0/floatingips/{id}/port_forwardings.
var PortForwardings = &resource.Resource{
	Collection: "port_forwardings", Member: "port_forwarding", Path: "port_forwardings", Sub: true,
	PolicyMember: "floatingip_port_forwarding", PagerMarker: true,
	Parent: &resource.Parent{Attr: "floatingip_id", Collection: "floatingips"},
	// A port's forwardings are found through the key index (its delete and address changes).
	Keyed: true, KeySorts: []string{"internal_port_id"},
	DataType: "PORTFORWARDING", RESTPath: "port_forwardings", Translate: 13,
	NotFound: fault.PortForwardingNotFound,
	Attrs: []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		{Name: "tenant_id", Hidden: true}, {Name: "project_id", Hidden: true},
		{Name: "floatingip_id", Hidden: true},
		// router_id is the router the forwarding goes through (found on create).
		{Name: "router_id", Hidden: true},
		{Name: "external_port", Post: true, Put: true, Convert: resource.ToIntOrNone, Validate: portOrNone, Default: nil},
		{Name: "internal_port", Post: true, Put: true, Convert: resource.ToIntOrNone, Validate: portOrNone, Default: nil, NoFilter: true},
		{Name: "internal_ip_address", Post: true, Put: true, Required: true, Validate: ipv4, NoFilter: true},
		{Name: "protocol", Post: true, Put: true, Required: true, Convert: lower, Validate: resource.Values(Protocols...)},
		{Name: "internal_port_id", Post: true, Put: true, Required: true, Validate: resource.UUID},
		{Name: "description", Post: true, Put: true, Validate: resource.String(255), Default: "", Ext: "floating-ip-port-forwarding-description"},
		{Name: "external_port_range", Post: true, Put: true, Validate: rangeOrNone, Default: nil, Ext: "floating-ip-port-forwarding-port-ranges"},
		{Name: "internal_port_range", Post: true, Put: true, Validate: rangeOrNone, Default: nil, Ext: "floating-ip-port-forwarding-port-ranges", NoFilter: true},
	},
}

// PolicyRules make the forwardings of a floating IP its owner's. Neutron's defaults compare
// with the parent's owner (ext_parent:tenant_id); a forwarding carries its floating IP's
// project, so owner and parent owner are the same here.
var PolicyRules = []policy.Rule{
	{Name: "create_floatingip_port_forwarding", Check: "rule:admin_or_owner", Description: "Create a floating IP port forwarding",
		Operations: policy.Post("/floatingips/{floatingip_id}/port_forwardings")},
	{Name: "get_floatingip_port_forwarding", Check: "rule:admin_or_owner", Description: "Get a floating IP port forwarding",
		Operations: policy.Get("/floatingips/{floatingip_id}/port_forwardings", "/floatingips/{floatingip_id}/port_forwardings/{port_forwarding_id}")},
	{Name: "update_floatingip_port_forwarding", Check: "rule:admin_or_owner", Description: "Update a floating IP port forwarding",
		Operations: policy.Put("/floatingips/{floatingip_id}/port_forwardings/{port_forwarding_id}")},
	{Name: "delete_floatingip_port_forwarding", Check: "rule:admin_or_owner", Description: "Delete a floating IP port forwarding",
		Operations: policy.Delete("/floatingips/{floatingip_id}/port_forwardings/{port_forwarding_id}")},
}

func lower(v any) (any, error) {
	if s, ok := v.(string); ok {
		return strings.ToLower(s), nil
	}
	return v, nil
}

// portOrNone is neutron-lib's type:range [1, 65535] after convert_to_int, or null.
func portOrNone(v any) string {
	if v == nil {
		return ""
	}
	n, ok := model.Int(v)
	if !ok {
		return fmt.Sprintf("'%v' is not an integer", v)
	}
	if n < 1 || n > 65535 {
		return fmt.Sprintf("'%d' is not in range 1 through 65535", n)
	}
	return ""
}

func ipv4(v any) string {
	if r := resource.IP(v); r != "" {
		return r
	}
	if s, _ := v.(string); !strings.Contains(s, ".") || strings.Contains(s, ":") {
		return fmt.Sprintf("'%v' is not a valid IPv4 address", v)
	}
	return ""
}

// portRange is an inclusive range of transport ports.
type portRange struct{ lo, hi int }

func (r portRange) size() int { return r.hi - r.lo + 1 }

func (r portRange) String() string { return fmt.Sprintf("%d:%d", r.lo, r.hi) }

func (r portRange) overlaps(o portRange) bool { return max(r.lo, o.lo) <= min(r.hi, o.hi) }

// parseRange reads "N" or "N:M" (neutron-lib's type:port_range): 1 ≤ N ≤ M ≤ 65535.
func parseRange(v any) (portRange, error) {
	var s string
	switch t := v.(type) {
	case string:
		s = t
	default:
		n, ok := model.Int(v)
		if !ok {
			return portRange{}, fmt.Errorf("Invalid port range '%v'", resource.Repr(v))
		}
		s = strconv.FormatInt(n, 10)
	}
	lo, hi, isRange := strings.Cut(s, ":")
	a, err1 := strconv.Atoi(lo)
	b := a
	var err2 error
	if isRange {
		b, err2 = strconv.Atoi(hi)
	}
	if err1 != nil || err2 != nil || a < 1 || b > 65535 || a > b {
		return portRange{}, fmt.Errorf("Invalid port range '%s': ports must be between 1 and 65535, the first not above the second", s)
	}
	return portRange{a, b}, nil
}

func rangeOrNone(v any) string {
	if v == nil {
		return ""
	}
	if _, err := parseRange(v); err != nil {
		return err.Error()
	}
	return ""
}
