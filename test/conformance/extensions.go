package conformance

import "strings"

// extensionKeys maps "resource|key" to the alias that adds the key (the
// table "Keys that come from extensions" of the golden README). Resource "*"
// stands for every resource; nested keys are written with dots.
var extensionKeys = map[string]string{
	"*|project_id":      "project-id",
	"*|description":     "standard-attr-description",
	"*|revision_number": "standard-attr-revisions",
	"*|tags":            "standard-attr-tag",
	"*|created_at":      "standard-attr-timestamp",
	"*|updated_at":      "standard-attr-timestamp",

	"network|availability_zone_hints":   "network_availability_zone",
	"network|availability_zones":        "network_availability_zone",
	"network|dns_domain":                "dns-integration",
	"network|ipv4_address_scope":        "address-scope",
	"network|ipv6_address_scope":        "address-scope",
	"network|is_default":                "auto-allocated-topology",
	"network|l2_adjacency":              "l2_adjacency",
	"network|mtu":                       "net-mtu",
	"network|port_security_enabled":     "port-security",
	"network|provider:network_type":     "provider",
	"network|provider:physical_network": "provider",
	"network|provider:segmentation_id":  "provider",
	"network|qos_policy_id":             "qos",
	"network|router:external":           "external-net",
	"network|segments":                  "multi-provider",
	"network|vlan_transparent":          "vlan-transparent",

	"subnet|dns_publish_fixed_ip": "subnet-dns-publish-fixed-ip",
	"subnet|segment_id":           "segment",
	"subnet|service_types":        "subnet-service-types",
	"subnet|subnetpool_id":        "subnet_allocation",

	"port|allowed_address_pairs":   "allowed-address-pairs",
	"port|binding:host_id":         "binding",
	"port|binding:profile":         "binding",
	"port|binding:vif_details":     "binding",
	"port|binding:vif_type":        "binding",
	"port|binding:vnic_type":       "binding",
	"port|data_plane_status":       "data-plane-status",
	"port|dns_assignment":          "dns-integration",
	"port|dns_name":                "dns-integration",
	"port|dns_domain":              "dns-domain-ports",
	"port|extra_dhcp_opts":         "extra_dhcp_opt",
	"port|ip_allocation":           "ip_allocation",
	"port|port_security_enabled":   "port-security",
	"port|propagate_uplink_status": "uplink-status-propagation",
	"port|qos_policy_id":           "qos",
	"port|qos_network_policy_id":   "qos-port-network-policy",
	"port|resource_request":        "port-resource-request",
	"port|security_groups":         "security-group",
	"port|trunk_details":           "trunk-details",

	"router|availability_zone_hints":                  "router_availability_zone",
	"router|availability_zones":                       "router_availability_zone",
	"router|distributed":                              "dvr",
	"router|ha":                                       "l3-ha",
	"router|flavor_id":                                "l3-flavors",
	"router|routes":                                   "extraroute",
	"router|external_gateway_info.enable_snat":        "ext-gw-mode",
	"router|external_gateway_info.external_fixed_ips": "ext-gw-mode",

	"floatingip|dns_domain":    "dns-integration",
	"floatingip|dns_name":      "dns-integration",
	"floatingip|port_details":  "fip-port-details",
	"floatingip|qos_policy_id": "qos-fip",

	"security_group|shared":   "security-groups-shared-filtering rbac-security-groups",
	"security_group|stateful": "stateful-security-group",

	"security_group_rule|normalized_cidr":         "security-groups-normalized-cidr",
	"security_group_rule|remote_address_group_id": "security-groups-remote-address-group",

	"quota|rbac_policy": "rbac-policies",
	"quota|subnetpool":  "subnet_allocation",
	"quota|trunk":       "trunk",
}

// extensionOf returns the alias that adds key rel (dotted below the
// resource object) to resource, or "" for a core attribute. A key that either
// of two aliases adds has both, separated by a space.
func extensionOf(resource, rel string) string {
	if resource == "" || rel == "" {
		return ""
	}
	if a, ok := extensionKeys[resource+"|"+rel]; ok {
		return a
	}
	if !strings.Contains(rel, ".") {
		return extensionKeys["*|"+rel]
	}
	return ""
}

// advertisedKey reports whether the key rel of resource is expected from a
// server advertising the aliases in adv (nil: every alias).
func advertisedKey(adv map[string]bool, resource, rel string) bool {
	if adv == nil {
		return true
	}
	aliases := extensionOf(resource, rel)
	if aliases == "" {
		return true
	}
	for _, a := range strings.Fields(aliases) {
		if adv[a] {
			return true
		}
	}
	return false
}

// notResources are top-level members that are not Neutron resources.
var notResources = map[string]bool{
	"NeutronError": true,
	"versions":     true,
	"resources":    true,
	"extensions":   true,
	"extension":    true,
	"tags":         true,
}

// resourceOf names the resource held by a top-level member ("networks" and
// "network" hold networks), or "" for members that are not resources.
func resourceOf(member string) string {
	if member == "" || notResources[member] || strings.HasSuffix(member, "_links") {
		return ""
	}
	switch {
	case strings.HasSuffix(member, "ies"):
		return strings.TrimSuffix(member, "ies") + "y"
	case strings.HasSuffix(member, "s") && !strings.HasSuffix(member, "ss"):
		return strings.TrimSuffix(member, "s")
	}
	return member
}

// subResource names the resource of a nested member, as security group rules
// embedded in a security group, or "" when the member is an attribute.
func subResource(resource, key string) string {
	if resource == "security_group" && key == "security_group_rules" {
		return "security_group_rule"
	}
	return ""
}
