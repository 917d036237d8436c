package resource

import (
	"fmt"

	"github.com/midonet-go/midonet/internal/fault"
)

// Routers is the router collection (router, extraroute, ext-gw-mode).
var Routers = &Resource{
	Collection: "routers", Member: "router", Path: "routers", Tags: true,
	DataType: "ROUTER", Translate: 6, Quota: "router", ErrorOnRefusal: true,
	Lookups: []string{"flavor_id"}, // a flavor's delete (a row only for a router naming one)
	NotFound: func(id string) *fault.Fault {
		return fault.RouterNotFound(id)
	},
	Attrs: with(standard(true),
		&Attr{Name: "name", Post: true, Put: true, Validate: String(255), Default: ""},
		&Attr{Name: "admin_state_up", Post: true, Put: true, Convert: ToBool, Default: true},
		&Attr{Name: "status"},
		&Attr{Name: "external_gateway_info", Post: true, Put: true, Validate: gatewayInfo, Default: nil, Policy: true, NoSort: true, NoFilter: true},
		&Attr{Name: "routes", Post: false, Put: true, Convert: ToList, Validate: routes, Default: Unset, Ext: "extraroute", NoSort: true, NoFilter: true},
		// gw_port_id is the router's gateway port (Neutron's column of that name): the plugin
		// keeps it, the translator reads it, clients never see or set it.
		&Attr{Name: "gw_port_id", Hidden: true},
		// Zones (internal/plugin/az checks the hints and computes availability_zones).
		&Attr{Name: "availability_zone_hints", Post: true, Convert: ToList, Validate: azHints, Default: []any{}, NoSort: true, Ext: "router_availability_zone"},
		&Attr{Name: "availability_zones", NoSort: true, NoFilter: true, Ext: "router_availability_zone"},
		// flavor_id (l3-flavors; internal/plugin/flavors checks it).
		&Attr{Name: "flavor_id", Post: true, Validate: UUIDOrNone, Default: nil, Ext: "l3-flavors"},
		// conntrack_helpers: the router's helpers ({protocol, port, helper}), filled by the
		// conntrack-helper service's hook.
		&Attr{Name: "conntrack_helpers", NoSort: true, NoFilter: true, Ext: "expose-l3-conntrack-helper"},
		// enable_ndp_proxy (l3-ext-ndp-proxy): the router proxies NDP for its NDP proxies;
		// internal/plugin/ndpproxy decides its default and checks it against the gateway.
		&Attr{Name: "enable_ndp_proxy", Post: true, Put: true, Convert: ToBoolOrNone, Default: Unset, Ext: "l3-ext-ndp-proxy"},
	),
}

// FloatingIPs is the floating IP collection.
var FloatingIPs = &Resource{
	Collection: "floatingips", Member: "floatingip", Path: "floatingips", Tags: true,
	// Keyed for the plugins' lookups by port and by router (db.Tx.ListBy: a port delete
	// finds its floating IPs without reading every one); lists still read them all.
	Keyed: true, KeySorts: []string{"port_id", "router_id"},
	Parent:   &Parent{Attr: "floating_network_id", Collection: "networks"},
	DataType: "FLOATINGIP", RESTPath: "floating_ips", Translate: 8, Quota: "floatingip", PagerMarker: true, ErrorOnRefusal: true,
	NotFound: func(id string) *fault.Fault {
		return fault.FloatingIPNotFound(id)
	},
	Attrs: with(standardNoDescSort(),
		&Attr{Name: "floating_ip_address", Post: true, Validate: IPOrNone, Default: Unset, Policy: true},
		&Attr{Name: "subnet_id", Post: true, Validate: UUIDOrNone, Default: nil, Hidden: true},
		&Attr{Name: "floating_network_id", Post: true, Required: true, Validate: UUID},
		&Attr{Name: "router_id"},
		&Attr{Name: "port_id", Post: true, Put: true, Validate: UUIDOrNone, Default: nil},
		&Attr{Name: "fixed_ip_address", Post: true, Put: true, Validate: IPOrNone, Default: nil},
		&Attr{Name: "status"},
		// floating_port_id is the port that holds the address on the floating network
		// (Neutron's column of that name): kept by the plugin, never shown or set.
		&Attr{Name: "floating_port_id", Hidden: true},
		// port_details summarises the associated port (fip-port-details; filled at render).
		&Attr{Name: "port_details", NoSort: true, NoFilter: true, Ext: "fip-port-details"},
		// port_forwardings lists the floating IP's forwardings (set by the port forwarding service).
		&Attr{Name: "port_forwardings", NoSort: true, NoFilter: true, Ext: "expose-port-forwarding-in-fip"},
		&Attr{Name: "dns_name", Post: true, Convert: ToLower, Validate: FIPDNSHostName, Default: "", Ext: "dns-integration"},
		&Attr{Name: "dns_domain", Post: true, Convert: ToLower, Validate: DNSDomainName, Default: "", Ext: "dns-integration"},
	),
}

// FloatingIPPools is /v2.0/floatingip_pools (floatingip-pools): read only, computed from the
// subnets of the external networks.
var FloatingIPPools = &Resource{
	Collection: "floatingip_pools", Member: "floatingip_pool", Path: "floatingip_pools",
	NotFound: func(string) *fault.Fault { return fault.HTTPNotFound() }, // no member URLs
	Attrs: []*Attr{
		{Name: "subnet_id"}, {Name: "subnet_name"}, {Name: "network_id"}, {Name: "cidr"},
		{Name: "tenant_id"}, {Name: "project_id"},
	},
}

// standardNoDescSort is standard() with description not sortable (upstream floating IPs).
func standardNoDescSort() []*Attr {
	attrs := standard(true)
	for i, a := range attrs {
		if a.Name == "description" {
			c := *a
			c.NoSort = true
			attrs[i] = &c
		}
	}
	return attrs
}

func gatewayInfo(v any) string {
	if v == nil {
		return ""
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprintf("%s is not a dictionary", Repr(v))
	}
	for k, x := range m {
		switch k {
		case "network_id":
			if r := UUID(x); r != "" {
				return r
			}
		case "enable_snat":
			if _, err := ToBool(x); err != nil {
				return err.Error()
			}
		case "external_fixed_ips":
			if r := fixedIPs(x); r != "" {
				return r
			}
		default:
			return fmt.Sprintf("Unexpected keys supplied: %s", k)
		}
	}
	if len(m) > 0 && m["network_id"] == nil {
		return "Validation of dictionary's keys failed. Expected keys: {'network_id'}"
	}
	return ""
}

// routes validates extra routes: destination and nexthop, and the optional source CIDR of
// networking-midonet's extraroute spec (a route with no source matches every source).
func routes(v any) string {
	l, ok := v.([]any)
	if !ok {
		return fmt.Sprintf("%s is not a list", Repr(v))
	}
	seen := map[string]bool{}
	for _, x := range l {
		m, ok := x.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s is not a dictionary", Repr(x))
		}
		key := fmt.Sprint(m["destination"], "|", m["nexthop"], "|", m["source"])
		if seen[key] {
			return fmt.Sprintf("Duplicate hostroute '%v'", Repr(x))
		}
		seen[key] = true
		for k := range m {
			if k != "destination" && k != "nexthop" && k != "source" {
				return fmt.Sprintf("Unexpected keys supplied: %s", k)
			}
		}
		if _, ok := m["destination"]; !ok {
			return "Validation of dictionary's keys failed. Expected keys: {'destination', 'nexthop'}"
		}
		if _, ok := m["nexthop"]; !ok {
			return "Validation of dictionary's keys failed. Expected keys: {'destination', 'nexthop'}"
		}
		for _, k := range []string{"destination", "source"} {
			if s, ok := m[k]; ok {
				if r := CIDR(s); r != "" {
					return fmt.Sprintf("%s is not a valid CIDR", Repr(s))
				}
			}
		}
		if r := IP(m["nexthop"]); r != "" {
			return r
		}
	}
	return ""
}
