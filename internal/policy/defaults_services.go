// Default rule tables, kept by hand as data; see defaults.go for the format.

package policy

// networking-midonet's own rules (midonet/neutron/policies, as documented in
// the networking-midonet configuration guide, section "Policy").
var midonetRules = []Rule{
	{"create_bgp_speaker:logical_router", ruleAdminOnly, "Create a BGP speaker with ``logical_router`` attribute", post("/bgp-speakers")},
	{"create_gateway_device", ruleAdminOrOwner, "Create a gateway device", post("/gw/gateway-devices")},
	{"update_gateway_device", ruleAdminOrOwner, "Update a gateway device", put("/gw/gateway-devices/{id}")},
	{"delete_gateway_device", ruleAdminOrOwner, "Delete a gateway device", del("/gw/gateway-devices/{id}")},
	{"get_gateway_device", ruleAdminOrOwner, "Get gateway devices", get("/gw/gateway-devices", "/gw/gateway-devices/{id}")},
}

// L2 gateway rules (networking-l2gw's etc/policy.json; it never moved to
// policy-in-code, so the descriptions here are ours). get_l2_gateways and
// get_l2_gateway_connections are kept because operators' files name them.
var l2gwRules = []Rule{
	{"create_l2_gateway", ruleAdminOnly, "Create an L2 gateway", post("/l2-gateways")},
	{"update_l2_gateway", ruleAdminOnly, "Update an L2 gateway", put("/l2-gateways/{id}")},
	{"get_l2_gateway", ruleAdminOnly, "Get an L2 gateway", get("/l2-gateways/{id}")},
	{"delete_l2_gateway", ruleAdminOnly, "Delete an L2 gateway", del("/l2-gateways/{id}")},
	{"get_l2_gateways", ruleAdminOnly, "List L2 gateways", get("/l2-gateways")},
	{"create_l2_gateway_connection", ruleAdminOnly, "Create an L2 gateway connection", post("/l2-gateway-connections")},
	{"get_l2_gateway_connections", ruleAdminOnly, "List L2 gateway connections", get("/l2-gateway-connections")},
	{"get_l2_gateway_connection", ruleAdminOnly, "Get an L2 gateway connection", get("/l2-gateway-connections/{id}")},
	{"delete_l2_gateway_connection", ruleAdminOnly, "Delete an L2 gateway connection", del("/l2-gateway-connections/{id}")},
}

// FWaaS v1 firewall rules (neutron-fwaas's policy.d/neutron-fwaas.json up to
// Rocky; v1 firewall policies and rules share their names with v2, below).
var fwaasV1Rules = []Rule{
	{"shared_firewalls", "field:firewalls:shared=True", "Definition of shared firewalls", nil},
	{"create_firewall", ruleAny, "Create a firewall", post("/fw/firewalls")},
	{"update_firewall", ruleAdminOrOwner, "Update a firewall", put("/fw/firewalls/{id}")},
	{"delete_firewall", ruleAdminOrOwner, "Delete a firewall", del("/fw/firewalls/{id}")},
	{"create_firewall:shared", ruleAdminOnly, "Create a shared firewall", post("/fw/firewalls")},
	{"update_firewall:shared", ruleAdminOnly, "Update ``shared`` attribute of a firewall", put("/fw/firewalls/{id}")},
	{"delete_firewall:shared", ruleAdminOnly, "Delete a shared firewall", del("/fw/firewalls/{id}")},
	{"get_firewall", "rule:admin_or_owner or rule:shared_firewalls", "Get firewalls", get("/fw/firewalls", "/fw/firewalls/{id}")},
}

// BGP dynamic routing rules (neutron-dynamic-routing, Victoria).
var bgpRules = []Rule{
	{"create_bgp_speaker", ruleAdminOnly, "Create a BGP speaker", post("/bgp-speakers")},
	{"update_bgp_speaker", ruleAdminOnly, "Update a BGP speaker", put("/bgp-speakers/{id}")},
	{"delete_bgp_speaker", ruleAdminOnly, "Delete a BGP speaker", del("/bgp-speakers/{id}")},
	{"get_bgp_speaker", ruleAdminOnly, "Get BGP speakers", get("/bgp-speakers", "/bgp-speakers/{id}")},
	{"add_bgp_peer", ruleAdminOnly, "Add a BGP peer to a BGP speaker", put("/bgp-speakers/{id}/add_bgp_peer")},
	{"remove_bgp_peer", ruleAdminOnly, "Remove a BGP peer from a BGP speaker", put("/bgp-speakers/{id}/remove_bgp_peer")},
	{"add_gateway_network", ruleAdminOnly, "Add a gateway network to a BGP speaker", put("/bgp-speakers/{id}/add_gateway_network")},
	{"remove_gateway_network", ruleAdminOnly, "Remove a gateway network from a BGP speaker", put("/bgp-speakers/{id}/remove_gateway_network")},
	{"get_advertised_routes", ruleAdminOnly, "Get advertised routes of a BGP speaker", get("/bgp-speakers/{id}/get_advertised_routes")},
	{"create_bgp_peer", ruleAdminOnly, "Create a BGP peer", post("/bgp-peers")},
	{"update_bgp_peer", ruleAdminOnly, "Update a BGP peer", put("/bgp-peers/{id}")},
	{"delete_bgp_peer", ruleAdminOnly, "Delete a BGP peer", del("/bgp-peers/{id}")},
	{"get_bgp_peer", ruleAdminOnly, "Get BGP peers", get("/bgp-peers", "/bgp-peers/{id}")},
	{"add_bgp_speaker_to_dragent", ruleAdminOnly, "Add a BGP speaker to a dynamic routing agent", post("/agents/{agent_id}/bgp-drinstances")},
	{"remove_bgp_speaker_from_dragent", ruleAdminOnly, "Remove a BGP speaker from a dynamic routing agent", del("/agents/{agent_id}/bgp-drinstances/{bgp_speaker_id}")},
	{"list_bgp_speaker_on_dragent", ruleAdminOnly, "List BGP speakers hosted by a dynamic routing agent", get("/agents/{agent_id}/bgp-drinstances")},
	{"list_dragent_hosting_bgp_speaker", ruleAdminOnly, "List dynamic routing agents hosting a BGP speaker", get("/bgp-speakers/{bgp_speaker_id}/bgp-dragents")},
}

// VPNaaS rules (neutron-vpnaas, Victoria).
var vpnaasRules = []Rule{
	{"create_endpoint_group", ruleAny, "Create a VPN endpoint group", post("/vpn/endpoint-groups")},
	{"update_endpoint_group", ruleAdminOrOwner, "Update a VPN endpoint group", put("/vpn/endpoint-groups/{id}")},
	{"delete_endpoint_group", ruleAdminOrOwner, "Delete a VPN endpoint group", del("/vpn/endpoint-groups/{id}")},
	{"get_endpoint_group", ruleAdminOrOwner, "Get VPN endpoint groups", get("/vpn/endpoint-groups", "/vpn/endpoint-groups/{id}")},
	{"create_ikepolicy", ruleAny, "Create an IKE policy", post("/vpn/ikepolicies")},
	{"update_ikepolicy", ruleAdminOrOwner, "Update an IKE policy", put("/vpn/ikepolicies/{id}")},
	{"delete_ikepolicy", ruleAdminOrOwner, "Delete an IKE policy", del("/vpn/ikepolicies/{id}")},
	{"get_ikepolicy", ruleAdminOrOwner, "Get IKE policies", get("/vpn/ikepolicies", "/vpn/ikepolicies/{id}")},
	{"create_ipsecpolicy", ruleAny, "Create an IPsec policy", post("/vpn/ipsecpolicies")},
	{"update_ipsecpolicy", ruleAdminOrOwner, "Update an IPsec policy", put("/vpn/ipsecpolicies/{id}")},
	{"delete_ipsecpolicy", ruleAdminOrOwner, "Delete an IPsec policy", del("/vpn/ipsecpolicies/{id}")},
	{"get_ipsecpolicy", ruleAdminOrOwner, "Get IPsec policies", get("/vpn/ipsecpolicies", "/vpn/ipsecpolicies/{id}")},
	{"create_ipsec_site_connection", ruleAny, "Create an IPsec site connection", post("/vpn/ipsec-site-connections")},
	{"update_ipsec_site_connection", ruleAdminOrOwner, "Update an IPsec site connection", put("/vpn/ipsec-site-connections/{id}")},
	{"delete_ipsec_site_connection", ruleAdminOrOwner, "Delete an IPsec site connection", del("/vpn/ipsec-site-connections/{id}")},
	{"get_ipsec_site_connection", ruleAdminOrOwner, "Get IPsec site connections", get("/vpn/ipsec-site-connections", "/vpn/ipsec-site-connections/{id}")},
	{"create_vpnservice", ruleAny, "Create a VPN service", post("/vpn/vpnservices")},
	{"update_vpnservice", ruleAdminOrOwner, "Update a VPN service", put("/vpn/vpnservices/{id}")},
	{"delete_vpnservice", ruleAdminOrOwner, "Delete a VPN service", del("/vpn/vpnservices/{id}")},
	{"get_vpnservice", ruleAdminOrOwner, "Get VPN services", get("/vpn/vpnservices", "/vpn/vpnservices/{id}")},
}

// Tap-as-a-service rules (tap-as-a-service, Victoria).
var taasRules = []Rule{
	{"create_tap_flow", ruleAdminOrOwner, "Create a tap flow", post("/taas/tap_flows")},
	{"update_tap_flow", ruleAdminOrOwner, "Update a tap flow", put("/taas/tap_flows/{id}")},
	{"get_tap_flow", ruleAdminOrOwner, "Show a tap flow", get("/taas/tap_flows/{id}")},
	{"delete_tap_flow", ruleAdminOrOwner, "Delete a tap flow", del("/taas/tap_flows/{id}")},
	{"create_tap_service", ruleAdminOrOwner, "Create a tap service", post("/taas/tap_services")},
	{"update_tap_service", ruleAdminOrOwner, "Updates a tap service", put("/taas/tap_services/{id}")},
	{"get_tap_service", ruleAdminOrOwner, "Show a tap service", get("/taas/tap_services/{id}")},
	{"delete_tap_service", ruleAdminOrOwner, "Delete a tap service", del("/taas/tap_services/{id}")},
}

// FWaaS v2 rules (neutron-fwaas, Ussuri).
var fwaasRules = []Rule{
	{"shared_firewall_groups", "field:firewall_groups:shared=True", "Definition of shared firewall groups", nil},
	{"create_firewall_group", ruleAny, "Create a firewall group", post("/fwaas/firewall_groups")},
	{"update_firewall_group", ruleAdminOrOwner, "Update a firewall group", put("/fwaas/firewall_groups/{id}")},
	{"delete_firewall_group", ruleAdminOrOwner, "Delete a firewall group", del("/fwaas/firewall_groups/{id}")},
	{"create_firewall_group:shared", ruleAdminOnly, "Create a shared firewall group", post("/fwaas/firewall_groups")},
	{"update_firewall_group:shared", ruleAdminOnly, "Update ``shared`` attribute of a firewall group", put("/fwaas/firewall_groups/{id}")},
	{"delete_firewall_group:shared", ruleAdminOnly, "Delete a shared firewall group", del("/fwaas/firewall_groups/{id}")},
	{"get_firewall_group", "rule:admin_or_owner or rule:shared_firewall_groups", "Get firewall groups", get("/fwaas/firewall_groups", "/fwaas/firewall_groups/{id}")},
	{"shared_firewall_policies", "field:firewall_policies:shared=True", "Definition of shared firewall policies", nil},
	{"create_firewall_policy", ruleAny, "Create a firewall policy", post("/fwaas/firewall_policies")},
	{"update_firewall_policy", ruleAdminOrOwner, "Update a firewall policy", put("/fwaas/firewall_policies/{id}")},
	{"delete_firewall_policy", ruleAdminOrOwner, "Delete a firewall policy", del("/fwaas/firewall_policies/{id}")},
	{"create_firewall_policy:shared", ruleAdminOnly, "Create a shared firewall policy", post("/fwaas/firewall_policies")},
	{"update_firewall_policy:shared", ruleAdminOnly, "Update ``shared`` attribute of a firewall policy", put("/fwaas/firewall_policies/{id}")},
	{"delete_firewall_policy:shared", ruleAdminOnly, "Delete a shared firewall policy", del("/fwaas/firewall_policies/{id}")},
	{"get_firewall_policy", "rule:admin_or_owner or rule:shared_firewall_policies", "Get firewall policies", get("/fwaas/firewall_policies", "/fwaas/firewall_policies/{id}")},
	{"shared_firewall_rules", "field:firewall_rules:shared=True", "Definition of shared firewall rules", nil},
	{"create_firewall_rule", ruleAny, "Create a firewall rule", post("/fwaas/firewall_rules")},
	{"update_firewall_rule", ruleAdminOrOwner, "Update a firewall rule", put("/fwaas/firewall_rules/{id}")},
	{"delete_firewall_rule", ruleAdminOrOwner, "Delete a firewall rule", del("/fwaas/firewall_rules/{id}")},
	{"create_firewall_rule:shared", ruleAdminOnly, "Create a shared firewall rule", post("/fwaas/firewall_rules")},
	{"update_firewall_rule:shared", ruleAdminOnly, "Update ``shared`` attribute of a firewall rule", put("/fwaas/firewall_rules/{id}")},
	{"delete_firewall_rule:shared", ruleAdminOnly, "Delete a shared firewall rule", del("/fwaas/firewall_rules/{id}")},
	{"get_firewall_rule", "rule:admin_or_owner or rule:shared_firewall_rules", "Get firewall rules", get("/fwaas/firewall_rules", "/fwaas/firewall_rules/{id}")},
	{"insert_rule", ruleAdminOrOwner, "Insert rule into a firewall policy", put("/fwaas/firewall_policies/{id}/insert_rule")},
	{"remove_rule", ruleAdminOrOwner, "Remove rule from a firewall policy", put("/fwaas/firewall_policies/{id}/remove_rule")},
}
