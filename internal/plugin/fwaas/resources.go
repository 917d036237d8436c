package fwaas

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/resource"
)

// Extensions are the aliases the service advertises: FWaaS v2 (what today's clients speak),
// and FWaaS v1 with router insertion (what the seed's MidoNet plugin served).
var Extensions = []resource.Extension{
	{Alias: "fwaas_v2", Name: "FWaaS v2", Description: "Provides support for firewall-as-a-service version 2", Updated: "2016-10-06T10:00:00-00:00"},
	{Alias: "fwaas", Name: "Firewall service", Description: "Extension for Firewall service", Updated: "2013-02-25T10:00:00-00:00"},
	{Alias: "fwaasrouterinsertion", Name: "Firewall Router insertion", Description: "Firewall Router insertion on specified set of routers", Updated: "2015-01-01T10:00:00-00:00"},
}

// Task data types of the journal (networking-midonet's FIREWALL for v1 firewalls; the others
// are this server's: upstream sent rules and policies inside the firewall).
const (
	dataFirewall       = "FIREWALL"
	dataFirewallRuleV1 = "FIREWALLRULEV1"
	dataFirewallPolV1  = "FIREWALLPOLICYV1"
	dataFirewallGroup  = "FIREWALLGROUP"
	dataFirewallRule   = "FIREWALLRULE"
	dataFirewallPolicy = "FIREWALLPOLICY"
)

// Translation order: rules before policies before what applies them (after routers and
// ports, 1-9 in the built-in order).
const (
	orderRules    = 20
	orderPolicies = 21
	orderApplied  = 22
)

// Actions of a rule.
const (
	ActionAllow  = "allow"
	ActionDeny   = "deny"
	ActionReject = "reject"
)

// protocols are the names a rule accepts (neutron-lib's FW_PROTOCOL_VALUES).
var protocols = []any{"dccp", "icmp", "ipv6-icmp", "sctp", "tcp", "udp"}

// common are the attributes every FWaaS resource has (no standard attributes: neutron-fwaas's
// tables have none).
func common(descriptionLen int) []*resource.Attr {
	return []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		{Name: "tenant_id", Post: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "project_id", Post: true, Validate: resource.String(255), Default: resource.Unset, Ext: "project-id"},
		{Name: "name", Post: true, Put: true, Validate: resource.String(255), Default: ""},
		{Name: "description", Post: true, Put: true, Validate: resource.String(descriptionLen), Default: ""},
		{Name: "shared", Post: true, Put: true, Convert: resource.ToBool, Default: false, Policy: true},
	}
}

// lowerCase is neutron-lib's convert_string_to_case_insensitive.
func lowerCase(v any) (any, error) {
	if s, ok := v.(string); ok {
		return strings.ToLower(s), nil
	}
	return v, nil
}

// protocolName converts a protocol as neutron-lib's convert_to_protocol, names only.
func protocolName(v any) (any, error) {
	if s, ok := v.(string); ok {
		return strings.ToLower(s), nil
	}
	return v, nil
}

// portString is convert_to_string for ports given as numbers.
func portString(v any) (any, error) {
	switch x := v.(type) {
	case nil, string:
		return v, nil
	default:
		return fmt.Sprint(x), nil
	}
}

// portRange validates "n" or "a:b" (neutron-lib's type:port_range, None allowed).
func portRange(v any) string {
	if v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Sprintf("Invalid port: %s", resource.Repr(v))
	}
	parts := strings.Split(s, ":")
	if len(parts) > 2 {
		return "Port range must be two integers separated by a colon"
	}
	var n [2]int
	for i, p := range parts {
		if p == "" {
			return "Port range must be two integers separated by a colon"
		}
		x, err := strconv.Atoi(p)
		if err != nil || x < 0 || x > 65535 || len(p) > 5 {
			return fmt.Sprintf("Invalid port: %s", p)
		}
		n[i] = x
	}
	if len(parts) == 2 && n[0] > n[1] {
		return "First port in a port range must be lower than the second port"
	}
	return ""
}

// ipOrSubnet validates an address or a CIDR, None allowed (type:ip_or_subnet_or_none).
func ipOrSubnet(v any) string {
	if v == nil {
		return ""
	}
	s, ok := v.(string)
	if ok {
		if _, err := netip.ParseAddr(s); err == nil {
			return ""
		}
		if _, err := netip.ParsePrefix(s); err == nil {
			return ""
		}
	}
	return fmt.Sprintf("%s is neither a valid IP address, nor is it a valid IP subnet", resource.Repr(v))
}

// Bounds of the lists a request may carry (neutron-fwaas has none).
const (
	MaxPolicyRules = 1000 // rules of one policy
	MaxPorts       = 256  // ports of one firewall group, routers of one firewall
)

// uuids validates a list of at most max UUIDs.
func uuids(max int) func(any) string {
	each := resource.ListOf(resource.UUID)
	return func(v any) string {
		if l, ok := v.([]any); ok && len(l) > max {
			return fmt.Sprintf("at most %d ids may be given, not %d", max, len(l))
		}
		return each(v)
	}
}

func noneToEmpty(v any) (any, error) {
	if v == nil {
		return []any{}, nil
	}
	return v, nil
}

// ruleAttrs are a rule's attributes in both versions (v2 adds the group references).
func ruleAttrs(v2 bool) []*resource.Attr {
	attrs := append(common(255),
		&resource.Attr{Name: "firewall_policy_id", NoSort: true, NoFilter: v2},
		&resource.Attr{Name: "protocol", Post: true, Put: true, Convert: protocolName, Validate: resource.ValuesOrNone(protocols...), Default: nil},
		&resource.Attr{Name: "ip_version", Post: true, Put: true, Convert: resource.ToInt, Validate: resource.Values(4, 6), Default: 4},
		&resource.Attr{Name: "source_ip_address", Post: true, Put: true, Validate: ipOrSubnet, Default: nil},
		&resource.Attr{Name: "destination_ip_address", Post: true, Put: true, Validate: ipOrSubnet, Default: nil},
		&resource.Attr{Name: "source_port", Post: true, Put: true, Convert: portString, Validate: portRange, Default: nil},
		&resource.Attr{Name: "destination_port", Post: true, Put: true, Convert: portString, Validate: portRange, Default: nil},
		&resource.Attr{Name: "position", NoSort: true},
		&resource.Attr{Name: "action", Post: true, Put: true, Convert: lowerCase, Validate: resource.Values(ActionAllow, ActionDeny, ActionReject), Default: ActionDeny},
		&resource.Attr{Name: "enabled", Post: true, Put: true, Convert: resource.ToBool, Default: true},
	)
	if v2 {
		attrs = append(attrs,
			&resource.Attr{Name: "source_firewall_group_id", Post: true, Put: true, Validate: resource.UUIDOrNone, Default: nil},
			&resource.Attr{Name: "destination_firewall_group_id", Post: true, Put: true, Validate: resource.UUIDOrNone, Default: nil})
	}
	return attrs
}

func policyAttrs() []*resource.Attr {
	return append(common(1024),
		&resource.Attr{Name: "firewall_rules", Post: true, Put: true, Convert: noneToEmpty, Validate: uuids(MaxPolicyRules), Default: nil, NoSort: true, NoFilter: true},
		&resource.Attr{Name: "audited", Post: true, Put: true, Convert: resource.ToBool, Default: false},
	)
}

// FWaaS v2: /v2.0/fwaas/firewall_rules, firewall_policies, firewall_groups.
var (
	Rules = &resource.Resource{
		Collection: "firewall_rules", Member: "firewall_rule", Path: "fwaas/firewall_rules",
		DataType: dataFirewallRule, Translate: orderRules, Quota: "firewall_rule",
		NotFound: fault.FirewallRuleNotFound, Attrs: ruleAttrs(true),
	}
	Policies = &resource.Resource{
		Collection: "firewall_policies", Member: "firewall_policy", Path: "fwaas/firewall_policies",
		DataType: dataFirewallPolicy, Translate: orderPolicies, Quota: "firewall_policy",
		Lookups:  []string{"firewall_rules"}, // a rule's policies (its answer, update, delete)
		NotFound: fault.FirewallPolicyNotFound, Attrs: policyAttrs(),
	}
	Groups = &resource.Resource{
		Collection: "firewall_groups", Member: "firewall_group", Path: "fwaas/firewall_groups",
		// The group holding a port is found through the key index (a port's delete, a
		// group's new ports); lists are unchanged.
		Keyed: true, KeySorts: []string{}, KeyPaths: []string{"ports"},
		Lookups:  []string{"ingress_firewall_policy_id", "egress_firewall_policy_id"}, // a policy's users
		DataType: dataFirewallGroup, Translate: orderApplied, Quota: "firewall_group",
		NotFound: fault.FirewallGroupNotFound,
		Attrs: append(common(1024),
			&resource.Attr{Name: "admin_state_up", Post: true, Put: true, Convert: resource.ToBool, Default: true},
			&resource.Attr{Name: "status"},
			&resource.Attr{Name: "ports", Post: true, Put: true, Convert: noneToEmpty, Validate: uuids(MaxPorts), Default: nil, NoSort: true, NoFilter: true},
			&resource.Attr{Name: "ingress_firewall_policy_id", Post: true, Put: true, Validate: resource.UUIDOrNone, Default: nil},
			&resource.Attr{Name: "egress_firewall_policy_id", Post: true, Put: true, Validate: resource.UUIDOrNone, Default: nil},
		),
	}
)

// FWaaS v1 (seed: the MidoNet firewall driver): /v2.0/fw/firewall_rules, firewall_policies,
// firewalls. Rules and policies answer under the same JSON keys as v2's and are stored apart.
var (
	RulesV1 = &resource.Resource{
		Collection: "firewall_rules_v1", Key: "firewall_rules", Member: "firewall_rule", Path: "fw/firewall_rules",
		DataType: dataFirewallRuleV1, Translate: orderRules, Quota: "firewall_rule_v1",
		NotFound: fault.FirewallRuleNotFound, Attrs: ruleAttrs(false),
	}
	PoliciesV1 = &resource.Resource{
		Collection: "firewall_policies_v1", Key: "firewall_policies", Member: "firewall_policy", Path: "fw/firewall_policies",
		DataType: dataFirewallPolV1, Translate: orderPolicies, Quota: "firewall_policy_v1",
		Lookups:  []string{"firewall_rules"}, // a rule's policy (its answer, update, delete)
		NotFound: fault.FirewallPolicyNotFound, Attrs: policyAttrs(),
	}
	Firewalls = &resource.Resource{
		Collection: "firewalls", Member: "firewall", Path: "fw/firewalls",
		DataType: dataFirewall, Translate: orderApplied, Quota: "firewall",
		// A router's firewall (its delete, a firewall's routers), a policy's users.
		Lookups:  []string{"router_ids", "firewall_policy_id"},
		NotFound: fault.FirewallNotFound,
		Attrs: append(common(1024),
			&resource.Attr{Name: "admin_state_up", Post: true, Put: true, Convert: resource.ToBool, Default: true},
			&resource.Attr{Name: "status"},
			&resource.Attr{Name: "firewall_policy_id", Post: true, Put: true, Validate: resource.UUIDOrNone, Required: true},
			&resource.Attr{Name: "router_ids", Post: true, Put: true, Convert: noneToEmpty, Validate: uuids(MaxPorts), Default: resource.Unset, NoSort: true, NoFilter: true, Ext: "fwaasrouterinsertion"},
		),
	}
)
