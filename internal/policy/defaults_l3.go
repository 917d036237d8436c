// Default rule tables, kept by hand as data; see defaults.go for the format.

package policy

// Neutron router rules (neutron/conf/policies/router.py, Victoria).
var routerRules = []Rule{
	{"create_router", ruleAny, "Create a router", post("/routers")},
	{"create_router:distributed", ruleAdminOnly, "Specify ``distributed`` attribute when creating a router", post("/routers")},
	{"create_router:ha", ruleAdminOnly, "Specify ``ha`` attribute when creating a router", post("/routers")},
	{"create_router:external_gateway_info", ruleAdminOrOwner, "Specify ``external_gateway_info`` information when creating a router", post("/routers")},
	{"create_router:external_gateway_info:network_id", ruleAdminOrOwner, "Specify ``network_id`` in ``external_gateway_info`` information when creating a router", post("/routers")},
	{"create_router:external_gateway_info:enable_snat", ruleAdminOnly, "Specify ``enable_snat`` in ``external_gateway_info`` information when creating a router", post("/routers")},
	{"create_router:external_gateway_info:external_fixed_ips", ruleAdminOnly, "Specify ``external_fixed_ips`` in ``external_gateway_info`` information when creating a router", post("/routers")},
	{"get_router", ruleAdminOrOwner, "Get a router", get("/routers", "/routers/{id}")},
	{"get_router:distributed", ruleAdminOnly, "Get ``distributed`` attribute of a router", get("/routers", "/routers/{id}")},
	{"get_router:ha", ruleAdminOnly, "Get ``ha`` attribute of a router", get("/routers", "/routers/{id}")},
	{"update_router", ruleAdminOrOwner, "Update a router", put("/routers/{id}")},
	{"update_router:distributed", ruleAdminOnly, "Update ``distributed`` attribute of a router", put("/routers/{id}")},
	{"update_router:ha", ruleAdminOnly, "Update ``ha`` attribute of a router", put("/routers/{id}")},
	{"update_router:external_gateway_info", ruleAdminOrOwner, "Update ``external_gateway_info`` information of a router", put("/routers/{id}")},
	{"update_router:external_gateway_info:network_id", ruleAdminOrOwner, "Update ``network_id`` attribute of ``external_gateway_info`` information of a router", put("/routers/{id}")},
	{"update_router:external_gateway_info:enable_snat", ruleAdminOnly, "Update ``enable_snat`` attribute of ``external_gateway_info`` information of a router", put("/routers/{id}")},
	{"update_router:external_gateway_info:external_fixed_ips", ruleAdminOnly, "Update ``external_fixed_ips`` attribute of ``external_gateway_info`` information of a router", put("/routers/{id}")},
	{"delete_router", ruleAdminOrOwner, "Delete a router", del("/routers/{id}")},
	{"add_router_interface", ruleAdminOrOwner, "Add an interface to a router", put("/routers/{id}/add_router_interface")},
	{"remove_router_interface", ruleAdminOrOwner, "Remove an interface from a router", put("/routers/{id}/remove_router_interface")},
}

// Neutron floatingip rules (neutron/conf/policies/floatingip.py, Victoria).
var floatingipRules = []Rule{
	{"create_floatingip", ruleAny, "Create a floating IP", post("/floatingips")},
	{"create_floatingip:floating_ip_address", ruleAdminOnly, "Create a floating IP with a specific IP address", post("/floatingips")},
	{"get_floatingip", ruleAdminOrOwner, "Get a floating IP", get("/floatingips", "/floatingips/{id}")},
	{"update_floatingip", ruleAdminOrOwner, "Update a floating IP", put("/floatingips/{id}")},
	{"delete_floatingip", ruleAdminOrOwner, "Delete a floating IP", del("/floatingips/{id}")},
}

// Neutron floatingip pools rules (neutron/conf/policies/floatingip_pools.py, Victoria).
var floatingipPoolsRules = []Rule{
	{"get_floatingip_pool", ruleAny, "Get floating IP pools", get("/floatingip_pools")},
}

// Neutron floatingip port forwarding rules (neutron/conf/policies/floatingip_port_forwarding.py, Victoria).
var floatingipPortForwardingRules = []Rule{
	{"create_floatingip_port_forwarding", ruleAdminOrParentOwner, "Create a floating IP port forwarding", post("/floatingips/{floatingip_id}/port_forwardings")},
	{"get_floatingip_port_forwarding", ruleAdminOrParentOwner, "Get a floating IP port forwarding", get("/floatingips/{floatingip_id}/port_forwardings", "/floatingips/{floatingip_id}/port_forwardings/{port_forwarding_id}")},
	{"update_floatingip_port_forwarding", ruleAdminOrParentOwner, "Update a floating IP port forwarding", put("/floatingips/{floatingip_id}/port_forwardings/{port_forwarding_id}")},
	{"delete_floatingip_port_forwarding", ruleAdminOrParentOwner, "Delete a floating IP port forwarding", del("/floatingips/{floatingip_id}/port_forwardings/{port_forwarding_id}")},
}

// Neutron l3 conntrack helper rules (neutron/conf/policies/l3_conntrack_helper.py, Victoria).
var l3ConntrackHelperRules = []Rule{
	{"create_router_conntrack_helper", ruleAdminOrParentOwner, "Create a router conntrack helper", post("/routers/{router_id}/conntrack_helpers")},
	{"get_router_conntrack_helper", ruleAdminOrParentOwner, "Get a router conntrack helper", get("/routers/{router_id}/conntrack_helpers", "/routers/{router_id}/conntrack_helpers/{conntrack_helper_id}")},
	{"update_router_conntrack_helper", ruleAdminOrParentOwner, "Update a router conntrack helper", put("/routers/{router_id}/conntrack_helpers/{conntrack_helper_id}")},
	{"delete_router_conntrack_helper", ruleAdminOrParentOwner, "Delete a router conntrack helper", del("/routers/{router_id}/conntrack_helpers/{conntrack_helper_id}")},
}

// Neutron agent rules (neutron/conf/policies/agent.py, Victoria).
var agentRules = []Rule{
	{"get_agent", ruleAdminOnly, "Get an agent", get("/agents", "/agents/{id}")},
	{"update_agent", ruleAdminOnly, "Update an agent", put("/agents/{id}")},
	{"delete_agent", ruleAdminOnly, "Delete an agent", del("/agents/{id}")},
	{"create_dhcp-network", ruleAdminOnly, "Add a network to a DHCP agent", post("/agents/{agent_id}/dhcp-networks")},
	{"get_dhcp-networks", ruleAdminOnly, "List networks on a DHCP agent", get("/agents/{agent_id}/dhcp-networks")},
	{"delete_dhcp-network", ruleAdminOnly, "Remove a network from a DHCP agent", del("/agents/{agent_id}/dhcp-networks/{network_id}")},
	{"create_l3-router", ruleAdminOnly, "Add a router to an L3 agent", post("/agents/{agent_id}/l3-routers")},
	{"get_l3-routers", ruleAdminOnly, "List routers on an L3 agent", get("/agents/{agent_id}/l3-routers")},
	{"delete_l3-router", ruleAdminOnly, "Remove a router from an L3 agent", del("/agents/{agent_id}/l3-routers/{router_id}")},
	{"get_dhcp-agents", ruleAdminOnly, "List DHCP agents hosting a network", get("/networks/{network_id}/dhcp-agents")},
	{"get_l3-agents", ruleAdminOnly, "List L3 agents hosting a router", get("/routers/{router_id}/l3-agents")},
}

// Neutron metering rules (neutron/conf/policies/metering.py, Victoria).
var meteringRules = []Rule{
	{"create_metering_label", ruleAdminOnly, "Create a metering label", post("/metering/metering-labels")},
	{"get_metering_label", ruleAdminOnly, "Get a metering label", get("/metering/metering-labels", "/metering/metering-labels/{id}")},
	{"delete_metering_label", ruleAdminOnly, "Delete a metering label", del("/metering/metering-labels/{id}")},
	{"create_metering_label_rule", ruleAdminOnly, "Create a metering label rule", post("/metering/metering-label-rules")},
	{"get_metering_label_rule", ruleAdminOnly, "Get a metering label rule", get("/metering/metering-label-rules", "/metering/metering-label-rules/{id}")},
	{"delete_metering_label_rule", ruleAdminOnly, "Delete a metering label rule", del("/metering/metering-label-rules/{id}")},
}

// Neutron logging rules (neutron/conf/policies/logging.py, Victoria).
var loggingRules = []Rule{
	{"get_loggable_resource", ruleAdminOnly, "Get loggable resources", get("/log/loggable-resources")},
	{"create_log", ruleAdminOnly, "Create a network log", post("/log/logs")},
	{"get_log", ruleAdminOnly, "Get a network log", get("/log/logs", "/log/logs/{id}")},
	{"update_log", ruleAdminOnly, "Update a network log", put("/log/logs/{id}")},
	{"delete_log", ruleAdminOnly, "Delete a network log", del("/log/logs/{id}")},
}

// Neutron qos rules (neutron/conf/policies/qos.py, Victoria).
var qosRules = []Rule{
	{"get_policy", ruleAny, "Get QoS policies", get("/qos/policies", "/qos/policies/{id}")},
	{"create_policy", ruleAdminOnly, "Create a QoS policy", post("/qos/policies")},
	{"update_policy", ruleAdminOnly, "Update a QoS policy", put("/qos/policies/{id}")},
	{"delete_policy", ruleAdminOnly, "Delete a QoS policy", del("/qos/policies/{id}")},
	{"get_rule_type", ruleAny, "Get available QoS rule types", get("/qos/rule-types", "/qos/rule-types/{rule_type}")},
	{"get_policy_bandwidth_limit_rule", ruleAny, "Get a QoS bandwidth limit rule", get("/qos/policies/{policy_id}/bandwidth_limit_rules", "/qos/policies/{policy_id}/bandwidth_limit_rules/{rule_id}")},
	{"create_policy_bandwidth_limit_rule", ruleAdminOnly, "Create a QoS bandwidth limit rule", post("/qos/policies/{policy_id}/bandwidth_limit_rules")},
	{"update_policy_bandwidth_limit_rule", ruleAdminOnly, "Update a QoS bandwidth limit rule", put("/qos/policies/{policy_id}/bandwidth_limit_rules/{rule_id}")},
	{"delete_policy_bandwidth_limit_rule", ruleAdminOnly, "Delete a QoS bandwidth limit rule", del("/qos/policies/{policy_id}/bandwidth_limit_rules/{rule_id}")},
	{"get_policy_dscp_marking_rule", ruleAny, "Get a QoS DSCP marking rule", get("/qos/policies/{policy_id}/dscp_marking_rules", "/qos/policies/{policy_id}/dscp_marking_rules/{rule_id}")},
	{"create_policy_dscp_marking_rule", ruleAdminOnly, "Create a QoS DSCP marking rule", post("/qos/policies/{policy_id}/dscp_marking_rules")},
	{"update_policy_dscp_marking_rule", ruleAdminOnly, "Update a QoS DSCP marking rule", put("/qos/policies/{policy_id}/dscp_marking_rules/{rule_id}")},
	{"delete_policy_dscp_marking_rule", ruleAdminOnly, "Delete a QoS DSCP marking rule", del("/qos/policies/{policy_id}/dscp_marking_rules/{rule_id}")},
	{"get_policy_minimum_bandwidth_rule", ruleAny, "Get a QoS minimum bandwidth rule", get("/qos/policies/{policy_id}/minimum_bandwidth_rules", "/qos/policies/{policy_id}/minimum_bandwidth_rules/{rule_id}")},
	{"create_policy_minimum_bandwidth_rule", ruleAdminOnly, "Create a QoS minimum bandwidth rule", post("/qos/policies/{policy_id}/minimum_bandwidth_rules")},
	{"update_policy_minimum_bandwidth_rule", ruleAdminOnly, "Update a QoS minimum bandwidth rule", put("/qos/policies/{policy_id}/minimum_bandwidth_rules/{rule_id}")},
	{"delete_policy_minimum_bandwidth_rule", ruleAdminOnly, "Delete a QoS minimum bandwidth rule", del("/qos/policies/{policy_id}/minimum_bandwidth_rules/{rule_id}")},
	{"get_alias_bandwidth_limit_rule", "rule:get_policy_bandwidth_limit_rule", "Get a QoS bandwidth limit rule through alias", get("/qos/alias_bandwidth_limit_rules/{rule_id}/")},
	{"update_alias_bandwidth_limit_rule", "rule:update_policy_bandwidth_limit_rule", "Update a QoS bandwidth limit rule through alias", put("/qos/alias_bandwidth_limit_rules/{rule_id}/")},
	{"delete_alias_bandwidth_limit_rule", "rule:delete_policy_bandwidth_limit_rule", "Delete a QoS bandwidth limit rule through alias", del("/qos/alias_bandwidth_limit_rules/{rule_id}/")},
	{"get_alias_dscp_marking_rule", "rule:get_policy_dscp_marking_rule", "Get a QoS DSCP marking rule through alias", get("/qos/alias_dscp_marking_rules/{rule_id}/")},
	{"update_alias_dscp_marking_rule", "rule:update_policy_dscp_marking_rule", "Update a QoS DSCP marking rule through alias", put("/qos/alias_dscp_marking_rules/{rule_id}/")},
	{"delete_alias_dscp_marking_rule", "rule:delete_policy_dscp_marking_rule", "Delete a QoS DSCP marking rule through alias", del("/qos/alias_dscp_marking_rules/{rule_id}/")},
	{"get_alias_minimum_bandwidth_rule", "rule:get_policy_minimum_bandwidth_rule", "Get a QoS minimum bandwidth rule through alias", get("/qos/alias_minimum_bandwidth_rules/{rule_id}/")},
	{"update_alias_minimum_bandwidth_rule", "rule:update_policy_minimum_bandwidth_rule", "Update a QoS minimum bandwidth rule through alias", put("/qos/alias_minimum_bandwidth_rules/{rule_id}/")},
	{"delete_alias_minimum_bandwidth_rule", "rule:delete_policy_minimum_bandwidth_rule", "Delete a QoS minimum bandwidth rule through alias", del("/qos/alias_minimum_bandwidth_rules/{rule_id}/")},
}
