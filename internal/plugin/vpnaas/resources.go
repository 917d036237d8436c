package vpnaas

import (
	"fmt"

	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/resource"
)

// Extensions are neutron-vpnaas's aliases the MidoNet driver serves.
var Extensions = []resource.Extension{
	{Alias: "vpnaas", Name: "VPN service", Description: "Extension for VPN service", Updated: "2013-05-29T10:00:00-00:00"},
	{Alias: "vpn-endpoint-groups", Name: "VPN Endpoint Groups", Description: "VPN endpoint groups support", Updated: "2015-08-04T10:00:00-00:00"},
}

// Provider is the service provider networking-midonet configures for VPN (seed 2.7).
const Provider = "VPN:Midonet:midonet.neutron.services.vpn.service_drivers.midonet_ipsec.MidonetIPsecVPNDriver:default"

// The value sets of neutron-lib's vpn definition.
var (
	authAlgorithms       = []any{"sha1", "sha256", "sha384", "sha512"}
	encryptionAlgorithms = []any{"3des", "aes-128", "aes-192", "aes-256"}
	pfsGroups            = []any{"group2", "group5", "group14"}
	ikeVersions          = []any{"v1", "v2"}
	phase1Modes          = []any{"main", "aggressive"}
	transformProtocols   = []any{"esp", "ah", "ah-esp"}
	encapsulationModes   = []any{"tunnel", "transport"}
	initiators           = []any{"bi-directional", "response-only"}
	dpdActions           = []any{"clear", "disabled", "hold", "restart", "restart-by-peer"}
	endpointTypes        = []any{"subnet", "cidr", "network", "router", "vlan"}
)

// Bounds Neutron leaves open (its columns are 255 characters; the lists have no limit).
const (
	maxString    = 255
	maxCIDRs     = 64 // peer_cidrs of one connection
	maxEndpoints = 64 // endpoints of one group
	minLifetime  = 60 // seconds, neutron-lib's _vpn_lifetime_limits
)

// noneToEmpty is neutron-lib's convert_none_to_empty_dict.
func noneToEmpty(v any) (any, error) {
	if v == nil {
		return map[string]any{}, nil
	}
	return v, nil
}

// lifetime validates {units, value}: units "seconds", value an integer of at least 60.
func lifetime(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprintf("%s is not a dictionary", resource.Repr(v))
	}
	if u, ok := m["units"]; ok {
		if r := resource.Values("seconds")(u); r != "" {
			return r
		}
	}
	if x, ok := m["value"]; ok {
		n, ok := model.Int(x)
		if !ok {
			return fmt.Sprintf("'%v' is not an integer", x)
		}
		if n < minLifetime {
			return fmt.Sprintf("'%d' is too small - must be at least '%d'", n, minLifetime)
		}
	}
	return ""
}

// dpd validates {action, interval, timeout}.
func dpd(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprintf("%s is not a dictionary", resource.Repr(v))
	}
	if a, ok := m["action"]; ok {
		if r := resource.Values(dpdActions...)(a); r != "" {
			return r
		}
	}
	for _, k := range []string{"interval", "timeout"} {
		x, ok := m[k]
		if !ok {
			continue
		}
		n, ok := model.Int(x)
		if !ok {
			return fmt.Sprintf("'%v' is not an integer", x)
		}
		if n < 0 {
			return fmt.Sprintf("'%d' should be non-negative", n)
		}
		m[k] = n
	}
	return ""
}

// boundedList validates a list of at most n items, each passing item.
func boundedList(n int, item func(any) string) func(any) string {
	each := resource.ListOf(item)
	return func(v any) string {
		if l, ok := v.([]any); ok && len(l) > n {
			return fmt.Sprintf("at most %d items are allowed", n)
		}
		return each(v)
	}
}

// subnetCIDR is neutron-lib's validate_subnet: an IPv4 CIDR must be written as netaddr
// prints it (a prefix length, no shortened address).
func subnetCIDR(v any) string {
	s, ok := v.(string)
	if !ok {
		return fmt.Sprintf("%s is not a valid IP subnet", resource.Repr(v))
	}
	if _, ok := parseCIDR(s); !ok {
		return fmt.Sprintf("'%s' is not a valid IP subnet", s)
	}
	return ""
}

func common() []*resource.Attr {
	return []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		{Name: "tenant_id", Post: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "project_id", Post: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "name", Post: true, Put: true, Validate: resource.String(maxString), Default: ""},
		{Name: "description", Post: true, Put: true, Validate: resource.String(maxString), Default: ""},
	}
}

// IKEPolicies is /v2.0/vpn/ikepolicies.
var IKEPolicies = &resource.Resource{
	Collection: "ikepolicies", Member: "ikepolicy", Path: "vpn/ikepolicies",
	DataType: "IKEPOLICY", Translate: 30, NotFound: fault.IKEPolicyNotFound,
	Attrs: append(common(),
		&resource.Attr{Name: "auth_algorithm", Post: true, Put: true, Validate: resource.Values(authAlgorithms...), Default: "sha1"},
		&resource.Attr{Name: "encryption_algorithm", Post: true, Put: true, Validate: resource.Values(encryptionAlgorithms...), Default: "aes-128"},
		&resource.Attr{Name: "phase1_negotiation_mode", Post: true, Put: true, Validate: resource.Values(phase1Modes...), Default: "main"},
		&resource.Attr{Name: "lifetime", Post: true, Put: true, Convert: noneToEmpty, Validate: lifetime, Default: map[string]any{}, NoSort: true, NoFilter: true},
		&resource.Attr{Name: "ike_version", Post: true, Put: true, Validate: resource.Values(ikeVersions...), Default: "v1"},
		&resource.Attr{Name: "pfs", Post: true, Put: true, Validate: resource.Values(pfsGroups...), Default: "group5"},
	),
}

// IPsecPolicies is /v2.0/vpn/ipsecpolicies.
var IPsecPolicies = &resource.Resource{
	Collection: "ipsecpolicies", Member: "ipsecpolicy", Path: "vpn/ipsecpolicies",
	DataType: "IPSECPOLICY", Translate: 31, NotFound: fault.IPsecPolicyNotFound,
	Attrs: append(common(),
		&resource.Attr{Name: "transform_protocol", Post: true, Put: true, Validate: resource.Values(transformProtocols...), Default: "esp"},
		&resource.Attr{Name: "auth_algorithm", Post: true, Put: true, Validate: resource.Values(authAlgorithms...), Default: "sha1"},
		&resource.Attr{Name: "encryption_algorithm", Post: true, Put: true, Validate: resource.Values(encryptionAlgorithms...), Default: "aes-128"},
		&resource.Attr{Name: "encapsulation_mode", Post: true, Put: true, Validate: resource.Values(encapsulationModes...), Default: "tunnel"},
		&resource.Attr{Name: "lifetime", Post: true, Put: true, Convert: noneToEmpty, Validate: lifetime, Default: map[string]any{}, NoSort: true, NoFilter: true},
		&resource.Attr{Name: "pfs", Post: true, Put: true, Validate: resource.Values(pfsGroups...), Default: "group5"},
	),
}

// EndpointGroups is /v2.0/vpn/endpoint-groups.
var EndpointGroups = &resource.Resource{
	Collection: "endpoint_groups", Member: "endpoint_group", Path: "vpn/endpoint-groups",
	DataType: "VPNENDPOINTGROUP", Translate: 32, NotFound: fault.VPNEndpointGroupNotFound,
	Lookups: []string{"endpoints"}, // a subnet's delete
	Attrs: append(common(),
		&resource.Attr{Name: "type", Post: true, Required: true, Validate: resource.Values(endpointTypes...), Ext: "vpn-endpoint-groups"},
		&resource.Attr{Name: "endpoints", Post: true, Convert: resource.ToList, Validate: boundedList(maxEndpoints, resource.String(maxString)),
			Default: []any{}, NoSort: true, Ext: "vpn-endpoint-groups"},
	),
}

// Services is /v2.0/vpn/vpnservices.
var Services = &resource.Resource{
	Collection: "vpnservices", Member: "vpnservice", Path: "vpn/vpnservices",
	DataType: "VPNSERVICE", RESTPath: "vpn_services", Translate: 33, NotFound: fault.VPNServiceNotFound,
	Lookups: []string{"router_id"}, // a router's hooks
	Attrs: append(common(),
		&resource.Attr{Name: "subnet_id", Post: true, Validate: resource.UUIDOrNone, Default: nil},
		&resource.Attr{Name: "router_id", Post: true, Required: true, Validate: resource.UUID},
		&resource.Attr{Name: "admin_state_up", Post: true, Put: true, Convert: resource.ToBool, Default: true},
		&resource.Attr{Name: "external_v4_ip"},
		&resource.Attr{Name: "external_v6_ip"},
		&resource.Attr{Name: "flavor_id", Post: true, Validate: resource.UUIDOrNone, Default: nil},
		&resource.Attr{Name: "status"},
	),
}

// Connections is /v2.0/vpn/ipsec-site-connections. The psk is shown to whoever may see the
// connection (as Neutron does) but is a secret below the API: never in a task, never logged;
// the cluster reads it from the database for the agent that runs the tunnel.
var Connections = &resource.Resource{
	Collection: "ipsec_site_connections", Member: "ipsec_site_connection", Path: "vpn/ipsec-site-connections",
	DataType: "IPSEC_SITE_CONNECTION", RESTPath: "ipsec_site_conns", Translate: 34, NotFound: fault.IPsecSiteConnectionNotFound,
	// What a service, policy or endpoint group finds its connections by (in use, status).
	Lookups: []string{"vpnservice_id", "ikepolicy_id", "ipsecpolicy_id", "local_ep_group_id", "peer_ep_group_id"},
	Attrs: append(common(),
		&resource.Attr{Name: "local_id", Post: true, Put: true, Validate: resource.String(maxString), Default: ""},
		&resource.Attr{Name: "peer_address", Post: true, Put: true, Required: true, Validate: resource.String(maxString)},
		&resource.Attr{Name: "peer_id", Post: true, Put: true, Required: true, Validate: resource.String(maxString)},
		&resource.Attr{Name: "peer_cidrs", Post: true, Put: true, Convert: resource.ToList, Validate: boundedList(maxCIDRs, subnetCIDR), Default: nil, NoSort: true},
		&resource.Attr{Name: "local_ep_group_id", Post: true, Put: true, Validate: resource.UUIDOrNone, Default: nil},
		&resource.Attr{Name: "peer_ep_group_id", Post: true, Put: true, Validate: resource.UUIDOrNone, Default: nil},
		&resource.Attr{Name: "route_mode"},
		&resource.Attr{Name: "mtu", Post: true, Put: true, Convert: resource.ToInt, Validate: resource.NonNegative, Default: 1500},
		&resource.Attr{Name: "initiator", Post: true, Put: true, Validate: resource.Values(initiators...), Default: "bi-directional"},
		&resource.Attr{Name: "auth_mode"},
		&resource.Attr{Name: "psk", Post: true, Put: true, Required: true, Validate: resource.String(maxString), Secret: true, NoSort: true, NoFilter: true},
		&resource.Attr{Name: "dpd", Post: true, Put: true, Convert: noneToEmpty, Validate: dpd, Default: map[string]any{}, NoSort: true, NoFilter: true},
		&resource.Attr{Name: "admin_state_up", Post: true, Put: true, Convert: resource.ToBool, Default: true},
		&resource.Attr{Name: "status"},
		&resource.Attr{Name: "vpnservice_id", Post: true, Required: true, Validate: resource.UUID},
		&resource.Attr{Name: "ikepolicy_id", Post: true, Required: true, Validate: resource.UUID},
		&resource.Attr{Name: "ipsecpolicy_id", Post: true, Required: true, Validate: resource.UUID},
	),
}
