package resource

import (
	"fmt"
	"sort"
	"strings"

	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
)

// Standard attributes every resource carries.
func standard(descPost bool) []*Attr {
	return []*Attr{
		{Name: "id", Validate: UUID},
		{Name: "tenant_id", Post: true, Validate: String(255), Default: Unset},
		{Name: "project_id", Post: true, Validate: String(255), Default: Unset, Ext: "project-id"},
		{Name: "description", Post: descPost, Put: descPost, Validate: String(255), Default: "", Ext: "standard-attr-description"},
		{Name: "created_at", Ext: "standard-attr-timestamp"},
		{Name: "updated_at", Ext: "standard-attr-timestamp"},
		{Name: "revision_number", Ext: "standard-attr-revisions"},
		{Name: "tags", Ext: "standard-attr-tag", NoSort: true},
	}
}

// The hidden attributes in which a document RBAC policies name records their targets (the
// rbac service keeps them; plugin.Caller.View reads them).
const (
	RBACShared   = "rbac_shared"   // targets of access_as_shared entries ("*" included)
	RBACExternal = "rbac_external" // targets of access_as_external entries (networks)
)

func with(base []*Attr, more ...*Attr) []*Attr { return append(base, more...) }

// postableTags lets tags be given on create (tag-ports-during-bulk-creation, for ports).
func postableTags(base []*Attr) []*Attr {
	for i, a := range base {
		if a.Name == "tags" {
			c := *a
			c.Post, c.Convert, c.Validate, c.Default = true, sortedTags, tagList, Unset
			base[i] = &c
		}
	}
	return base
}

// sortedTags keeps tags as the tags API does: sorted, once each.
func sortedTags(v any) (any, error) {
	l, ok := v.([]any)
	if !ok {
		return v, nil // tagList refuses it
	}
	seen := map[string]bool{}
	var out []string
	for _, x := range l {
		s, ok := x.(string)
		if !ok {
			return v, nil
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	res := make([]any, len(out))
	for i, s := range out {
		res[i] = s
	}
	return res, nil
}

// tagList validates the tags of a create: a list of at most MaxTags tags.
func tagList(v any) string {
	l, ok := v.([]any)
	if !ok {
		return fmt.Sprintf("%s is not a list", Repr(v))
	}
	if len(l) > MaxTags {
		return TooManyTags(len(l))
	}
	return ListOf(Tag)(v)
}

// Networks is the network collection.
var Networks = &Resource{
	Collection: "networks", Member: "network", Path: "networks", Tags: true, Keyed: true,
	DataType: "NETWORK", Translate: 1, Quota: "network", Root: true, RBAC: "network",
	NotFound: fault.NetworkNotFound,
	Attrs: with(standard(true),
		&Attr{Name: "name", Post: true, Put: true, Validate: String(255), Default: ""},
		&Attr{Name: "subnets", NoSort: true},
		&Attr{Name: "admin_state_up", Post: true, Put: true, Convert: ToBool, Default: true},
		&Attr{Name: "status"},
		&Attr{Name: "shared", Post: true, Put: true, Convert: ToBool, Default: false, Policy: true},
		&Attr{Name: "router:external", Post: true, Put: true, Convert: ToBool, Default: Unset, Policy: true, Ext: "external-net"},
		&Attr{Name: "mtu", Post: true, Put: true, Convert: ToInt, Validate: NonNegative, Default: 0, Ext: "net-mtu"},
		&Attr{Name: "port_security_enabled", Post: true, Put: true, Convert: ToBool, Default: true, Policy: true, Ext: "port-security"},
		&Attr{Name: "provider:network_type", Post: true, Put: true, Validate: StringOrNone(255), Default: Unset, Policy: true, Ext: "provider"},
		&Attr{Name: "provider:physical_network", Post: true, Put: true, Validate: StringOrNone(64), Default: Unset, Policy: true, Ext: "provider"},
		&Attr{Name: "provider:segmentation_id", Post: true, Put: true, Convert: ToIntOrNone, Default: Unset, Policy: true, Ext: "provider"},
		&Attr{Name: "qos_policy_id", Post: true, Put: true, Validate: UUIDOrNone, Default: nil, Policy: true, Ext: "qos"},
		// The scopes of the network's subnets' pools (internal/plugin/addrscope computes them).
		&Attr{Name: "ipv4_address_scope", NoSort: true, NoFilter: true, Ext: "address-scope"},
		&Attr{Name: "ipv6_address_scope", NoSort: true, NoFilter: true, Ext: "address-scope"},
		&Attr{Name: RBACShared, Hidden: true},
		&Attr{Name: RBACExternal, Hidden: true},
		// Zones (internal/plugin/az checks the hints and computes availability_zones).
		&Attr{Name: "availability_zone_hints", Post: true, Convert: ToList, Validate: azHints, Default: []any{}, NoSort: true, Ext: "network_availability_zone"},
		&Attr{Name: "availability_zones", NoSort: true, NoFilter: true, Ext: "network_availability_zone"},
		&Attr{Name: "dns_domain", Post: true, Put: true, Convert: ToLower, Validate: DNSDomainName, Default: "", Ext: "dns-integration"},
		// The default external network of auto-allocation (internal/plugin/autoalloc keeps it
		// true on one external network at most).
		&Attr{Name: "is_default", Post: true, Put: true, Convert: ToBool, Default: false, Policy: true, Ext: "auto-allocated-topology"},
	),
}

// Subnets is the subnet collection.
var Subnets = &Resource{
	Collection: "subnets", Member: "subnet", Path: "subnets", Tags: true, Keyed: true,
	Parent:   &Parent{Attr: "network_id", Collection: "networks", Policy: true, OwnedUnlessShared: true},
	DataType: "SUBNET", Translate: 2, Quota: "subnet", Root: true, PagerMarker: true,
	NotFound: fault.SubnetNotFound,
	Attrs: with(standard(true),
		&Attr{Name: "name", Post: true, Put: true, Validate: String(255), Default: ""},
		&Attr{Name: "ip_version", Post: true, Required: true, Convert: ToInt, Validate: Values(4, 6)},
		&Attr{Name: "network_id", Post: true, Required: true, Validate: UUID},
		&Attr{Name: "cidr", Post: true, Validate: cidrShape, Default: nil},
		&Attr{Name: "gateway_ip", Post: true, Put: true, Validate: IPOrNone, Default: Unset},
		&Attr{Name: "allocation_pools", Post: true, Put: true, Validate: allocationPools, Default: Unset, NoSort: true},
		&Attr{Name: "dns_nameservers", Post: true, Put: true, Convert: ToList, Validate: nameservers, Default: []any{}, NoSort: true},
		&Attr{Name: "host_routes", Post: true, Put: true, Convert: ToList, Validate: hostRoutes, Default: []any{}, NoSort: true},
		&Attr{Name: "enable_dhcp", Post: true, Put: true, Convert: ToBool, Default: true},
		&Attr{Name: "ipv6_ra_mode", Post: true, Validate: ValuesOrNone("dhcpv6-stateful", "dhcpv6-stateless", "slaac"), Default: nil},
		&Attr{Name: "ipv6_address_mode", Post: true, Validate: ValuesOrNone("dhcpv6-stateful", "dhcpv6-stateless", "slaac"), Default: nil},
		&Attr{Name: "subnetpool_id", Post: true, Validate: UUIDOrNone, Default: nil, Ext: "subnet_allocation"},
		&Attr{Name: "segment_id", Post: true, Validate: UUIDOrNone, Default: nil, Policy: true, Ext: "segment"},
		&Attr{Name: "prefixlen", Post: true, Convert: ToInt, Default: Unset, Hidden: true, Ext: "subnet_allocation"},
		&Attr{Name: "use_default_subnetpool", Post: true, Convert: ToBool, Default: false, Hidden: true, Ext: "default-subnetpools"},
		// service_types: the device owners whose ports take their addresses here.
		&Attr{Name: "service_types", Post: true, Put: true, Validate: serviceTypes, Default: []any{}, NoSort: true, Policy: true, Ext: "subnet-service-types"},
		// shared: whether the network is shared, as a filter only (the plugin applies it).
		&Attr{Name: "shared", FilterOnly: true, NoSort: true},
	),
}

// SubnetPools is the subnet pool collection (subnet_allocation).
var SubnetPools = &Resource{
	Collection: "subnetpools", Member: "subnetpool", Path: "subnetpools", Tags: true,
	DataType: "SUBNETPOOL", Translate: 3, Quota: "subnetpool", Root: true, PagerMarker: true, RBAC: "subnetpool",
	Lookups: []string{"address_scope_id"}, // an address scope's delete
	// A network's answer reads every pool for the address scopes; a pool's and a subnet's
	// create look for the default pools.
	Few: true,
	NotFound: func(id string) *fault.Fault {
		return fault.SubnetPoolNotFound(id)
	},
	Attrs: with(standard(true),
		&Attr{Name: "name", Post: true, Put: true, Validate: String(255), Default: ""},
		&Attr{Name: "prefixes", Post: true, Put: true, Required: true, Convert: ToList, Validate: ListOf(CIDR), NoSort: true},
		&Attr{Name: "ip_version"},
		&Attr{Name: "default_prefixlen", Post: true, Put: true, Convert: ToIntOrNone, Validate: NonNegativeOrNone, Default: Unset},
		&Attr{Name: "min_prefixlen", Post: true, Put: true, Convert: ToIntOrNone, Validate: NonNegativeOrNone, Default: Unset},
		&Attr{Name: "max_prefixlen", Post: true, Put: true, Convert: ToIntOrNone, Validate: NonNegativeOrNone, Default: Unset},
		&Attr{Name: "default_quota", Post: true, Put: true, Convert: ToIntOrNone, Validate: NonNegativeOrNone, Default: nil},
		&Attr{Name: "shared", Post: true, Convert: ToBool, Default: false, Policy: true},
		&Attr{Name: "is_default", Post: true, Put: true, Convert: ToBool, Default: false, Policy: true},
		&Attr{Name: "address_scope_id", Post: true, Put: true, Validate: UUIDOrNone, Default: nil, Ext: "address-scope"},
		&Attr{Name: RBACShared, Hidden: true},
	),
}

// Ports is the port collection.
var Ports = &Resource{
	Collection: "ports", Member: "port", Path: "ports", Tags: true, Keyed: true,
	// security_groups: a group's delete finds whether a port uses it (db.Tx.AnyBy).
	KeyPaths: []string{"fixed_ips.ip_address", "fixed_ips.subnet_id", "security_groups"},
	KeySorts: []string{"name", "network_id", "device_id", "device_owner", "project_id", "mac_address", "status", "admin_state_up", "created_at", "updated_at"},
	// A QoS policy's delete and rule checks find its first port (a row only for a port
	// that names a policy).
	Lookups:  []string{"qos_policy_id"},
	Parent:   &Parent{Attr: "network_id", Collection: "networks", Policy: true, OwnedUnlessShared: true, ChildWritesOnlyRead: true},
	DataType: "PORT", Translate: 7, Quota: "port", Root: true,
	NotFound: fault.PortNotFound,
	Attrs: with(postableTags(standard(true)),
		&Attr{Name: "name", Post: true, Put: true, Validate: String(255), Default: ""},
		&Attr{Name: "network_id", Post: true, Required: true, Validate: UUID},
		&Attr{Name: "admin_state_up", Post: true, Put: true, Convert: ToBool, Default: true},
		// mac_address: null asks for a new one (port-mac-address-regenerate).
		&Attr{Name: "mac_address", Post: true, Put: true, Convert: ToMAC, Validate: MACOrNone, Default: Unset, Policy: true},
		&Attr{Name: "fixed_ips", Post: true, Put: true, Convert: ToList, Validate: fixedIPs, Default: Unset, Policy: true, NoSort: true},
		&Attr{Name: "device_id", Post: true, Put: true, Validate: String(255), Default: ""},
		&Attr{Name: "device_owner", Post: true, Put: true, Validate: String(255), Default: "", Policy: true},
		&Attr{Name: "status"},
		&Attr{Name: "security_groups", Post: true, Put: true, Convert: ToList, Validate: UUIDList, Default: Unset, Ext: "security-group", NoSort: true},
		&Attr{Name: "port_security_enabled", Post: true, Put: true, Convert: ToBool, Default: Unset, Policy: true, Ext: "port-security"},
		&Attr{Name: "allowed_address_pairs", Post: true, Put: true, Convert: ToList, Default: Unset, Policy: true, Ext: "allowed-address-pairs", NoSort: true},
		&Attr{Name: "extra_dhcp_opts", Post: true, Put: true, Convert: ToList, Default: Unset, Ext: "extra_dhcp_opt", NoSort: true},
		&Attr{Name: "binding:host_id", Post: true, Put: true, Validate: StringOrNone(255), Default: Unset, Policy: true, Ext: "binding"},
		&Attr{Name: "binding:profile", Post: true, Put: true, Validate: BindingProfile, Default: Unset, Policy: true, Ext: "binding", NoSort: true, NoFilter: true},
		&Attr{Name: "binding:vif_type", Policy: true, Ext: "binding"},
		&Attr{Name: "binding:vif_details", Policy: true, Ext: "binding", NoSort: true, NoFilter: true},
		&Attr{Name: "binding:vnic_type", Post: true, Put: true, Validate: Values(VNICTypes...), Default: "normal", Policy: true, Ext: "binding"},
		// trusted: the VF trust mode Nova applies, mirrored into binding:profile
		// (internal/plugin/porttrusted); null until an admin sets it.
		&Attr{Name: "trusted", Post: true, Put: true, Convert: ToBool, Default: Unset, Policy: true, Ext: "port-trusted-vif"},
		&Attr{Name: "qos_policy_id", Post: true, Put: true, Validate: UUIDOrNone, Default: nil, Policy: true, Ext: "qos"},
		&Attr{Name: "qos_network_policy_id", NoSort: true, NoFilter: true, Ext: "qos-port-network-policy"},
		// trunk_details: the trunk a parent port carries (set by the trunk service).
		&Attr{Name: "trunk_details", NoSort: true, NoFilter: true, Optional: true, Ext: "trunk-details"},
		// DNS (internal/plugin/dns checks dns_name against [DEFAULT] dns_domain and computes
		// dns_assignment).
		&Attr{Name: "dns_name", Post: true, Put: true, Convert: ToLower, Validate: DNSHostName, Default: "", Ext: "dns-integration"},
		&Attr{Name: "dns_domain", Post: true, Put: true, Convert: ToLower, Validate: DNSDomainName, Default: "", Ext: "dns-domain-ports"},
		&Attr{Name: "dns_assignment", NoSort: true, NoFilter: true, Ext: "dns-integration"},
		// data_plane_status: what an operator's monitoring says of the port's data plane
		// (ACTIVE, DOWN or null); settable on update by policy (admin), null until then.
		&Attr{Name: "data_plane_status", Put: true, Validate: Values(nil, "ACTIVE", "DOWN"), Policy: true, Ext: "data-plane-status"},
	),
}

// VNICTypes are the accepted binding:vnic_type values.
var VNICTypes = []any{"normal", "direct", "macvtap", "baremetal", "direct-physical", "virtio-forwarder", "smart-nic", "vdpa", "accelerator-direct", "accelerator-direct-physical", "remote-managed"}

// SecurityGroups is the security group collection.
var SecurityGroups = &Resource{
	Collection: "security_groups", Member: "security_group", Path: "security-groups", Tags: true, Keyed: true,
	DataType: "SECURITYGROUP", Translate: 4, Quota: "security_group", PagerMarker: true, RBAC: "security_group",
	QuotaAlso: map[string]int{"security_group_rule": 2}, // the default egress rules
	NotFound:  fault.SecurityGroupNotFound,
	Attrs: with(standard(true),
		&Attr{Name: "name", Post: true, Put: true, Validate: String(255), Default: ""},
		&Attr{Name: "security_group_rules", NoSort: true, NoFilter: true},
		// stateful=false: no connection tracking, replies need rules of their own.
		&Attr{Name: "stateful", Post: true, Put: true, Convert: ToBool, Default: true, Ext: "stateful-security-group"},
		// shared: whether the group is shared with the caller (set as each caller sees it).
		&Attr{Name: "shared", Convert: ToBool, Policy: true, Ext: "security-groups-shared-filtering"},
		&Attr{Name: RBACShared, Hidden: true},
	),
}

// SecurityGroupRules is the security group rule collection.
var SecurityGroupRules = &Resource{
	Collection: "security_group_rules", Member: "security_group_rule", Path: "security-group-rules", Tags: true,
	// Keyed for the lookups of a group's rules and of the rules naming a group or an address
	// group as their remote end (db.Tx.ListBy); lists still read them all.
	Keyed: true, KeySorts: []string{"security_group_id", "remote_group_id", "remote_address_group_id"},
	Parent:   &Parent{Attr: "security_group_id", Collection: "security_groups", Policy: true},
	DataType: "SECURITYGROUPRULE", Translate: 5, Quota: "security_group_rule", PagerMarker: true,
	NotFound: func(id string) *fault.Fault {
		return fault.SecurityGroupRuleNotFound(id)
	},
	Attrs: with(standard(true),
		&Attr{Name: "security_group_id", Post: true, Required: true, Validate: UUID},
		&Attr{Name: "remote_group_id", Post: true, Validate: StringOrNone(255), Default: nil}, // any id: an unknown one is 404
		&Attr{Name: "remote_address_group_id", Post: true, Validate: StringOrNone(255), Default: nil, Ext: "security-groups-remote-address-group"},
		&Attr{Name: "direction", Post: true, Required: true, Validate: Values("ingress", "egress")},
		&Attr{Name: "protocol", Post: true, Convert: toProtocol, Default: nil},
		&Attr{Name: "port_range_min", Post: true, Convert: ToIntOrNone, Default: nil},
		&Attr{Name: "port_range_max", Post: true, Convert: ToIntOrNone, Default: nil},
		&Attr{Name: "ethertype", Post: true, Convert: toEthertype, Default: "IPv4"},
		&Attr{Name: "remote_ip_prefix", Post: true, Convert: toPrefixOrNone, Default: nil},
		&Attr{Name: "normalized_cidr", Ext: "security-groups-normalized-cidr"},
		// standard_attr_id orders a group's rules in its chains; Neutron shows it only in
		// the rules a group embeds.
		&Attr{Name: "standard_attr_id", Hidden: true},
	),
}

// Core lists the core resources in the order the API mounts them.
var Core = []*Resource{Networks, Subnets, SubnetPools, Ports, SecurityGroups, SecurityGroupRules}

func toProtocol(v any) (any, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case string:
		if t == "" {
			return nil, nil
		}
		return strings.ToLower(t), nil
	}
	if n, ok := model.Int(v); ok {
		return fmt.Sprint(n), nil
	}
	return v, nil
}

func toEthertype(v any) (any, error) {
	if s, ok := v.(string); ok {
		for _, e := range []string{"IPv4", "IPv6"} {
			if strings.EqualFold(s, e) {
				return e, nil
			}
		}
	}
	return v, nil
}

func toPrefixOrNone(v any) (any, error) {
	return v, nil
}

func allocationPools(v any) string {
	l, ok := v.([]any)
	if !ok {
		return fmt.Sprintf("%s is not a list", Repr(v))
	}
	for _, x := range l {
		m, ok := x.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s is not a dictionary", Repr(x))
		}
		for k := range m {
			if k != "start" && k != "end" {
				return fmt.Sprintf("Unexpected keys supplied: %s", k)
			}
		}
		for _, k := range []string{"start", "end"} {
			s, ok := m[k]
			if !ok {
				return fmt.Sprintf("Validation of dictionary's keys failed. Expected keys: {'end', 'start'} Provided keys: %s", keysRepr(m))
			}
			if r := IP(s); r != "" {
				return r
			}
		}
	}
	return ""
}

func keysRepr(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, "'"+k+"'")
	}
	return "{" + strings.Join(ks, ", ") + "}"
}

func nameservers(v any) string {
	l, ok := v.([]any)
	if !ok {
		return fmt.Sprintf("%s is not a list", Repr(v))
	}
	seen := map[string]bool{}
	for _, x := range l {
		s, ok := x.(string)
		if !ok || IP(s) != "" {
			return fmt.Sprintf("%s is not a valid nameserver. %s", Repr(x), IP(x))
		}
		if seen[s] {
			return fmt.Sprintf("Duplicate nameserver '%s'", s)
		}
		seen[s] = true
	}
	return ""
}

func hostRoutes(v any) string {
	l, ok := v.([]any)
	if !ok {
		return fmt.Sprintf("%s is not a list", Repr(v))
	}
	for _, x := range l {
		m, ok := x.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s is not a dictionary", Repr(x))
		}
		if len(m) != 2 || m["destination"] == nil || m["nexthop"] == nil {
			return fmt.Sprintf("Validation of dictionary's keys failed. Expected keys: {'destination', 'nexthop'} Provided keys: %s", keysRepr(m))
		}
		if r := CIDR(m["destination"]); r != "" {
			return r
		}
		if r := IP(m["nexthop"]); r != "" {
			return r
		}
	}
	return ""
}

func fixedIPs(v any) string {
	l, ok := v.([]any)
	if !ok {
		return fmt.Sprintf("Invalid data format for fixed IP: %s", Repr(v))
	}
	if len(l) > MaxFixedIPs {
		return fmt.Sprintf("Exceeded maximum amount of fixed ips per port (%d given, at most %d).", len(l), MaxFixedIPs)
	}
	for _, x := range l {
		m, ok := x.(map[string]any)
		if !ok {
			return fmt.Sprintf("Invalid data format for fixed IP: %s", Repr(x))
		}
		for k, val := range m {
			switch k {
			case "ip_address":
				if r := IP(val); r != "" {
					return r
				}
			case "subnet_id":
				if r := UUID(val); r != "" {
					return r
				}
			default:
				return fmt.Sprintf("Invalid data format for fixed IP: %s", Repr(x))
			}
		}
	}
	return ""
}

// cidrShape accepts what looks like a CIDR; the plugin checks the prefix length and answers
// InvalidInput as Neutron does for "10.0.0.0/33".
func cidrShape(v any) string {
	if v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Sprintf("%s is not a valid IP subnet", Repr(v))
	}
	addr, _, _ := strings.Cut(s, "/")
	if _, ok := ParseIP(addr); !ok {
		return fmt.Sprintf("%s is not a valid IP subnet", Repr(v))
	}
	return ""
}

// ClusterConfig is the cluster's configuration (networking-midonet's CONFIG task: the
// default tunnel zone's protocol). It is journaled and translated but not served.
var ClusterConfig = &Resource{Collection: "config", Member: "config", DataType: "CONFIG"}

// StandardAttrs are the standard attributes every resource carries (id, project, description,
// timestamps, revision, tags), for the descriptions of service folders.
func StandardAttrs() []*Attr { return standard(true) }

// serviceTypes validates a subnet's service types as neutron-lib does: strings that start
// with "network:" or "neutron:" or (neutron-lib adds the characters of "compute:" one by one
// to its prefixes) with any one of the characters of "compute:".
func serviceTypes(v any) string {
	l, ok := v.([]any)
	if !ok {
		return "Subnet service types must be a list."
	}
	for _, t := range l {
		s, ok := t.(string)
		if !ok {
			return fmt.Sprintf("Subnet service type %v is not a string.", t)
		}
		if !ValidServiceType(s) {
			return fmt.Sprintf("Subnet service type %s does not correspond to a valid device owner.", s)
		}
	}
	return ""
}

// ValidServiceType reports whether a subnet service type passes neutron-lib's check.
func ValidServiceType(s string) bool {
	if strings.HasPrefix(s, "network:") || strings.HasPrefix(s, "neutron:") {
		return true
	}
	return s != "" && strings.ContainsRune("compute:", rune(s[0]))
}
