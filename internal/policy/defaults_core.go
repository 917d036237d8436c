// Default rule tables, kept by hand as data; see defaults.go for the format.

package policy

// Neutron network rules (neutron/conf/policies/network.py, Victoria).
var networkRules = []Rule{
	{"external", "field:networks:router:external=True", "Definition of an external network", nil},
	{"create_network", ruleAny, "Create a network", post("/networks")},
	{"create_network:shared", ruleAdminOnly, "Create a shared network", post("/networks")},
	{"create_network:router:external", ruleAdminOnly, "Create an external network", post("/networks")},
	{"create_network:is_default", ruleAdminOnly, "Specify ``is_default`` attribute when creating a network", post("/networks")},
	{"create_network:port_security_enabled", ruleAny, "Specify ``port_security_enabled`` attribute when creating a network", post("/networks")},
	{"create_network:segments", ruleAdminOnly, "Specify ``segments`` attribute when creating a network", post("/networks")},
	{"create_network:provider:network_type", ruleAdminOnly, "Specify ``provider:network_type`` when creating a network", post("/networks")},
	{"create_network:provider:physical_network", ruleAdminOnly, "Specify ``provider:physical_network`` when creating a network", post("/networks")},
	{"create_network:provider:segmentation_id", ruleAdminOnly, "Specify ``provider:segmentation_id`` when creating a network", post("/networks")},
	{"get_network", "rule:admin_or_owner or rule:shared or rule:external or rule:context_is_advsvc", "Get a network", get("/networks", "/networks/{id}")},
	{"get_network:router:external", ruleAny, "Get ``router:external`` attribute of a network", get("/networks", "/networks/{id}")},
	{"get_network:segments", ruleAdminOnly, "Get ``segments`` attribute of a network", get("/networks", "/networks/{id}")},
	{"get_network:provider:network_type", ruleAdminOnly, "Get ``provider:network_type`` attribute of a network", get("/networks", "/networks/{id}")},
	{"get_network:provider:physical_network", ruleAdminOnly, "Get ``provider:physical_network`` attribute of a network", get("/networks", "/networks/{id}")},
	{"get_network:provider:segmentation_id", ruleAdminOnly, "Get ``provider:segmentation_id`` attribute of a network", get("/networks", "/networks/{id}")},
	{"update_network", ruleAdminOrOwner, "Update a network", put("/networks/{id}")},
	{"update_network:segments", ruleAdminOnly, "Update ``segments`` attribute of a network", put("/networks/{id}")},
	{"update_network:shared", ruleAdminOnly, "Update ``shared`` attribute of a network", put("/networks/{id}")},
	{"update_network:provider:network_type", ruleAdminOnly, "Update ``provider:network_type`` attribute of a network", put("/networks/{id}")},
	{"update_network:provider:physical_network", ruleAdminOnly, "Update ``provider:physical_network`` attribute of a network", put("/networks/{id}")},
	{"update_network:provider:segmentation_id", ruleAdminOnly, "Update ``provider:segmentation_id`` attribute of a network", put("/networks/{id}")},
	{"update_network:router:external", ruleAdminOnly, "Update ``router:external`` attribute of a network", put("/networks/{id}")},
	{"update_network:is_default", ruleAdminOnly, "Update ``is_default`` attribute of a network", put("/networks/{id}")},
	{"update_network:port_security_enabled", ruleAdminOrOwner, "Update ``port_security_enabled`` attribute of a network", put("/networks/{id}")},
	{"delete_network", ruleAdminOrOwner, "Delete a network", del("/networks/{id}")},
}

// Neutron subnet rules (neutron/conf/policies/subnet.py, Victoria).
var subnetRules = []Rule{
	{"create_subnet", ruleAdminOrNetOwner, "Create a subnet", post("/subnets")},
	{"create_subnet:segment_id", ruleAdminOnly, "Specify ``segment_id`` attribute when creating a subnet", post("/subnets")},
	// Neutron 21 lets the network owner set service types (its tempest suite does so as a member).
	{"create_subnet:service_types", ruleAdminOrNetOwner, "Specify ``service_types`` attribute when creating a subnet", post("/subnets")},
	{"get_subnet", "rule:admin_or_owner or rule:shared", "Get a subnet", get("/subnets", "/subnets/{id}")},
	{"get_subnet:segment_id", ruleAdminOnly, "Get ``segment_id`` attribute of a subnet", get("/subnets", "/subnets/{id}")},
	{"update_subnet", ruleAdminOrNetOwner, "Update a subnet", put("/subnets/{id}")},
	{"update_subnet:segment_id", ruleAdminOnly, "Update ``segment_id`` attribute of a subnet", put("/subnets/{id}")},
	{"update_subnet:service_types", ruleAdminOrNetOwner, "Update ``service_types`` attribute of a subnet", put("/subnets/{id}")},
	{"delete_subnet", ruleAdminOrNetOwner, "Delete a subnet", del("/subnets/{id}")},
}

// Neutron subnetpool rules (neutron/conf/policies/subnetpool.py, Victoria).
var subnetpoolRules = []Rule{
	{"shared_subnetpools", "field:subnetpools:shared=True", "Definition of a shared subnetpool", nil},
	{"create_subnetpool", ruleAny, "Create a subnetpool", post("/subnetpools")},
	{"create_subnetpool:shared", ruleAdminOnly, "Create a shared subnetpool", post("/subnetpools")},
	{"create_subnetpool:is_default", ruleAdminOnly, "Specify ``is_default`` attribute when creating a subnetpool", post("/subnetpools")},
	{"get_subnetpool", "rule:admin_or_owner or rule:shared_subnetpools", "Get a subnetpool", get("/subnetpools", "/subnetpools/{id}")},
	{"update_subnetpool", ruleAdminOrOwner, "Update a subnetpool", put("/subnetpools/{id}")},
	{"update_subnetpool:is_default", ruleAdminOnly, "Update ``is_default`` attribute of a subnetpool", put("/subnetpools/{id}")},
	{"delete_subnetpool", ruleAdminOrOwner, "Delete a subnetpool", del("/subnetpools/{id}")},
	{"onboard_network_subnets", ruleAdminOrOwner, "Onboard existing subnet into a subnetpool", put("/subnetpools/{id}/onboard_network_subnets")},
	{"add_prefixes", ruleAdminOrOwner, "Add prefixes to a subnetpool", put("/subnetpools/{id}/add_prefixes")},
	{"remove_prefixes", ruleAdminOrOwner, "Remove unallocated prefixes from a subnetpool", put("/subnetpools/{id}/remove_prefixes")},
}

// Neutron address scope rules (neutron/conf/policies/address_scope.py, Victoria).
var addressScopeRules = []Rule{
	{"shared_address_scopes", "field:address_scopes:shared=True", "Definition of a shared address scope", nil},
	{"create_address_scope", ruleAny, "Create an address scope", post("/address-scopes")},
	{"create_address_scope:shared", ruleAdminOnly, "Create a shared address scope", post("/address-scopes")},
	{"get_address_scope", "rule:admin_or_owner or rule:shared_address_scopes", "Get an address scope", get("/address-scopes", "/address-scopes/{id}")},
	{"update_address_scope", ruleAdminOrOwner, "Update an address scope", put("/address-scopes/{id}")},
	{"update_address_scope:shared", ruleAdminOnly, "Update ``shared`` attribute of an address scope", put("/address-scopes/{id}")},
	{"delete_address_scope", ruleAdminOrOwner, "Delete an address scope", del("/address-scopes/{id}")},
}

// Neutron port rules (neutron/conf/policies/port.py, Victoria).
var portRules = []Rule{
	{"network_device", "field:port:device_owner=~^network:", "Definition of port with network device_owner", nil},
	{"admin_or_data_plane_int", "rule:context_is_admin or role:data_plane_integrator", "Rule for data plane integration", nil},
	{"create_port", ruleAny, "Create a port", post("/ports")},
	{"create_port:device_owner", "not rule:network_device or rule:context_is_advsvc or rule:admin_or_network_owner", "Specify ``device_owner`` attribute when creting a port", post("/ports")},
	{"create_port:mac_address", "rule:context_is_advsvc or rule:admin_or_network_owner", "Specify ``mac_address`` attribute when creating a port", post("/ports")},
	{"create_port:fixed_ips", "rule:context_is_advsvc or rule:admin_or_network_owner or rule:shared", "Specify ``fixed_ips`` information when creating a port", post("/ports")},
	{"create_port:fixed_ips:ip_address", "rule:context_is_advsvc or rule:admin_or_network_owner", "Specify IP address in ``fixed_ips`` when creating a port", post("/ports")},
	{"create_port:fixed_ips:subnet_id", "rule:context_is_advsvc or rule:admin_or_network_owner or rule:shared", "Specify subnet ID in ``fixed_ips`` when creating a port", post("/ports")},
	{"create_port:port_security_enabled", "rule:context_is_advsvc or rule:admin_or_network_owner", "Specify ``port_security_enabled`` attribute when creating a port", post("/ports")},
	{"create_port:binding:host_id", ruleAdminOnly, "Specify ``binding:host_id`` attribute when creating a port", post("/ports")},
	{"create_port:binding:profile", ruleAdminOnly, "Specify ``binding:profile`` attribute when creating a port", post("/ports")},
	{"create_port:binding:vnic_type", ruleAny, "Specify ``binding:vnic_type`` attribute when creating a port", post("/ports")},
	{"create_port:allowed_address_pairs", ruleAdminOrNetOwner, "Specify ``allowed_address_pairs`` attribute when creating a port", post("/ports")},
	{"create_port:allowed_address_pairs:mac_address", ruleAdminOrNetOwner, "Specify ``mac_address`` of ``allowed_address_pairs`` attribute when creating a port", post("/ports")},
	{"create_port:allowed_address_pairs:ip_address", ruleAdminOrNetOwner, "Specify ``ip_address`` of ``allowed_address_pairs`` attribute when creating a port", post("/ports")},
	{"create_port:mac_learning_enabled", "rule:admin_or_network_owner or rule:context_is_advsvc", "Specify ``mac_learning_enabled`` attribute when creating a port", post("/ports")},
	{"get_port", "rule:context_is_advsvc or rule:admin_owner_or_network_owner", "Get a port", get("/ports", "/ports/{id}")},
	{"get_port:binding:vif_type", ruleAdminOnly, "Get ``binding:vif_type`` attribute of a port", get("/ports", "/ports/{id}")},
	{"get_port:binding:vif_details", ruleAdminOnly, "Get ``binding:vif_details`` attribute of a port", get("/ports", "/ports/{id}")},
	{"get_port:binding:host_id", ruleAdminOnly, "Get ``binding:host_id`` attribute of a port", get("/ports", "/ports/{id}")},
	{"get_port:binding:profile", ruleAdminOnly, "Get ``binding:profile`` attribute of a port", get("/ports", "/ports/{id}")},
	{"get_port:resource_request", ruleAdminOnly, "Get ``resource_request`` attribute of a port", get("/ports", "/ports/{id}")},
	{"update_port", "rule:admin_or_owner or rule:context_is_advsvc", "Update a port", put("/ports/{id}")},
	{"update_port:device_owner", "not rule:network_device or rule:context_is_advsvc or rule:admin_or_network_owner", "Update ``device_owner`` attribute of a port", put("/ports/{id}")},
	{"update_port:mac_address", "rule:admin_only or rule:context_is_advsvc", "Update ``mac_address`` attribute of a port", put("/ports/{id}")},
	{"update_port:fixed_ips", "rule:context_is_advsvc or rule:admin_or_network_owner", "Specify ``fixed_ips`` information when updating a port", put("/ports/{id}")},
	{"update_port:fixed_ips:ip_address", "rule:context_is_advsvc or rule:admin_or_network_owner", "Specify IP address in ``fixed_ips`` information when updating a port", put("/ports/{id}")},
	{"update_port:fixed_ips:subnet_id", "rule:context_is_advsvc or rule:admin_or_network_owner or rule:shared", "Specify subnet ID in ``fixed_ips`` information when updating a port", put("/ports/{id}")},
	{"update_port:port_security_enabled", "rule:context_is_advsvc or rule:admin_or_network_owner", "Update ``port_security_enabled`` attribute of a port", put("/ports/{id}")},
	{"update_port:binding:host_id", ruleAdminOnly, "Update ``binding:host_id`` attribute of a port", put("/ports/{id}")},
	{"update_port:binding:profile", ruleAdminOnly, "Update ``binding:profile`` attribute of a port", put("/ports/{id}")},
	{"update_port:binding:vnic_type", "rule:admin_or_owner or rule:context_is_advsvc", "Update ``binding:vnic_type`` attribute of a port", put("/ports/{id}")},
	{"update_port:allowed_address_pairs", ruleAdminOrNetOwner, "Update ``allowed_address_pairs`` attribute of a port", put("/ports/{id}")},
	{"update_port:allowed_address_pairs:mac_address", ruleAdminOrNetOwner, "Update ``mac_address`` of ``allowed_address_pairs`` attribute of a port", put("/ports/{id}")},
	{"update_port:allowed_address_pairs:ip_address", ruleAdminOrNetOwner, "Update ``ip_address`` of ``allowed_address_pairs`` attribute of a port", put("/ports/{id}")},
	{"update_port:mac_learning_enabled", "rule:admin_or_network_owner or rule:context_is_advsvc", "Update ``mac_learning_enabled`` attribute of a port", put("/ports/{id}")},
	{"update_port:data_plane_status", "rule:admin_or_data_plane_int", "Update ``data_plane_status`` attribute of a port", put("/ports/{id}")},
	{"delete_port", "rule:context_is_advsvc or rule:admin_owner_or_network_owner", "Delete a port", del("/ports/{id}")},
}

// Neutron security group rules (neutron/conf/policies/security_group.py, Victoria).
var securityGroupRules = []Rule{
	{"admin_or_sg_owner", "rule:context_is_admin or tenant_id:%(security_group:tenant_id)s", "Rule for admin or security group owner access", nil},
	{"admin_owner_or_sg_owner", "rule:owner or rule:admin_or_sg_owner", "Rule for resource owner, admin or security group owner access", nil},
	{"create_security_group", ruleAdminOrOwner, "Create a security group", post("/security-groups")},
	{"get_security_group", "rule:admin_or_owner or field:security_groups:shared=True", "Get a security group (own, or shared with the project through RBAC)", get("/security-groups", "/security-groups/{id}")},
	{"update_security_group", ruleAdminOrOwner, "Update a security group", put("/security-groups/{id}")},
	{"delete_security_group", ruleAdminOrOwner, "Delete a security group", del("/security-groups/{id}")},
	{"create_security_group_rule", "rule:context_is_admin or (rule:owner and tenant_id:%(security_group:tenant_id)s)", "Create a security group rule", post("/security-group-rules")},
	{"get_security_group_rule", "rule:admin_owner_or_sg_owner", "Get a security group rule", get("/security-group-rules", "/security-group-rules/{id}")},
	{"delete_security_group_rule", ruleAdminOrOwner, "Delete a security group rule", del("/security-group-rules/{id}")},
}

// Neutron rbac rules (neutron/conf/policies/rbac.py, Victoria).
var rbacRules = []Rule{
	{"restrict_wildcard", "(not field:rbac_policy:target_tenant=*) or rule:admin_only", "Definition of a wildcard target_tenant", nil},
	{"create_rbac_policy", ruleAny, "Create an RBAC policy", post("/rbac-policies")},
	{"create_rbac_policy:target_tenant", "rule:restrict_wildcard", "Specify ``target_tenant`` when creating an RBAC policy", post("/rbac-policies")},
	{"update_rbac_policy", ruleAdminOrOwner, "Update an RBAC policy", put("/rbac-policies/{id}")},
	{"update_rbac_policy:target_tenant", "rule:restrict_wildcard and rule:admin_or_owner", "Update ``target_tenant`` attribute of an RBAC policy", put("/rbac-policies/{id}")},
	{"get_rbac_policy", ruleAdminOrOwner, "Get an RBAC policy", get("/rbac-policies", "/rbac-policies/{id}")},
	{"delete_rbac_policy", ruleAdminOrOwner, "Delete an RBAC policy", del("/rbac-policies/{id}")},
}

// Neutron segment rules (neutron/conf/policies/segment.py, Victoria).
var segmentRules = []Rule{
	{"create_segment", ruleAdminOnly, "Create a segment", post("/segments")},
	{"get_segment", ruleAdminOnly, "Get a segment", get("/segments", "/segments/{id}")},
	{"update_segment", ruleAdminOnly, "Update a segment", put("/segments/{id}")},
	{"delete_segment", ruleAdminOnly, "Delete a segment", del("/segments/{id}")},
}

// Neutron network segment range rules (neutron/conf/policies/network_segment_range.py, Victoria).
var networkSegmentRangeRules = []Rule{
	{"create_network_segment_range", ruleAdminOnly, "Create a network segment range", post("/network_segment_ranges")},
	{"get_network_segment_range", ruleAdminOnly, "Get a network segment range", get("/network_segment_ranges", "/network_segment_ranges/{id}")},
	{"update_network_segment_range", ruleAdminOnly, "Update a network segment range", put("/network_segment_ranges/{id}")},
	{"delete_network_segment_range", ruleAdminOnly, "Delete a network segment range", del("/network_segment_ranges/{id}")},
}

// Neutron network ip availability rules (neutron/conf/policies/network_ip_availability.py, Victoria).
var networkIpAvailabilityRules = []Rule{
	{"get_network_ip_availability", ruleAdminOnly, "Get network IP availability", get("/network-ip-availabilities", "/network-ip-availabilities/{network_id}")},
}

// Neutron quotas rules (neutron/conf/policies/quotas.py, Victoria).
var quotasRules = []Rule{
	{"get_quota", ruleAdminOnly, "Get a resource quota", get("/quota", "/quota/{id}")},
	{"update_quota", ruleAdminOnly, "Update a resource quota", put("/quota/{id}")},
	{"delete_quota", ruleAdminOnly, "Delete a resource quota", del("/quota/{id}")},
}

// Neutron trunk rules (neutron/conf/policies/trunk.py, Victoria).
var trunkRules = []Rule{
	{"create_trunk", ruleAny, "Create a trunk", post("/trunks")},
	{"get_trunk", ruleAdminOrOwner, "Get a trunk", get("/trunks", "/trunks/{id}")},
	{"update_trunk", ruleAdminOrOwner, "Update a trunk", put("/trunks/{id}")},
	{"delete_trunk", ruleAdminOrOwner, "Delete a trunk", del("/trunks/{id}")},
	{"get_subports", ruleAny, "List subports attached to a trunk", get("/trunks/{id}/get_subports")},
	{"add_subports", ruleAdminOrOwner, "Add subports to a trunk", put("/trunks/{id}/add_subports")},
	{"remove_subports", ruleAdminOrOwner, "Delete subports from a trunk", put("/trunks/{id}/remove_subports")},
}

// Neutron availability zone rules (neutron/conf/policies/availability_zone.py, Victoria).
var availabilityZoneRules = []Rule{
	{"get_availability_zone", ruleAny, "List availability zones", get("/availability_zones")},
}

// Neutron auto allocated topology rules (neutron/conf/policies/auto_allocated_topology.py, Victoria).
var autoAllocatedTopologyRules = []Rule{
	{"get_auto_allocated_topology", ruleAdminOrOwner, "Get a project's auto-allocated topology", get("/auto-allocated-topology/{project_id}")},
	{"delete_auto_allocated_topology", ruleAdminOrOwner, "Delete a project's auto-allocated topology", del("/auto-allocated-topology/{project_id}")},
}

// Neutron service type rules (neutron/conf/policies/service_type.py, Victoria).
var serviceTypeRules = []Rule{
	{"get_service_provider", ruleAny, "Get service providers", get("/service-providers")},
}

// Neutron flavor rules (neutron/conf/policies/flavor.py, Victoria).
var flavorRules = []Rule{
	{"create_flavor", ruleAdminOnly, "Create a flavor", post("/flavors")},
	{"get_flavor", ruleAny, "Get a flavor", get("/flavors", "/flavors/{id}")},
	{"update_flavor", ruleAdminOnly, "Update a flavor", put("/flavors/{id}")},
	{"delete_flavor", ruleAdminOnly, "Delete a flavor", del("/flavors/{id}")},
	{"create_service_profile", ruleAdminOnly, "Create a service profile", post("/service_profiles")},
	{"get_service_profile", ruleAdminOnly, "Get a service profile", get("/service_profiles", "/service_profiles/{id}")},
	{"update_service_profile", ruleAdminOnly, "Update a service profile", put("/service_profiles/{id}")},
	{"delete_service_profile", ruleAdminOnly, "Delete a service profile", del("/service_profiles/{id}")},
	{"get_flavor_service_profile", ruleAny, "Get a flavor associated with a given service profiles. There is no corresponding GET operations in API currently. This rule is currently referred only in the DELETE of flavor_service_profile.", nil},
	{"create_flavor_service_profile", ruleAdminOnly, "Associate a flavor with a service profile", post("/flavors/{flavor_id}/service_profiles")},
	{"delete_flavor_service_profile", ruleAdminOnly, "Disassociate a flavor with a service profile", del("/flavors/{flavor_id}/service_profiles/{profile_id}")},
}
