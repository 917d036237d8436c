package isolation

// Attack is one request project B (a member) sends against project A, with
// the answer Neutron 21 (neutron-server with neutron-lib's default policies)
// gives. Path (relative to /v2.0/) and Body may hold {placeholders} of the
// World.
type Attack struct {
	Name   string
	Method string
	Path   string
	Body   string
	// Status and Type are Neutron's answer (Type is the NeutronError type;
	// empty for a success).
	Status int
	Type   string
	// SameAs, for a list, is another list request whose answer must be the
	// same: Neutron ignores a marker it cannot use rather than answering from
	// where an invisible document would sort.
	SameAs string
}

const (
	notFoundNet    = "NetworkNotFound"
	notFoundSubnet = "SubnetNotFound"
	notFoundPool   = "SubnetPoolNotFound"
	notFoundPort   = "PortNotFound"
	notFoundRouter = "RouterNotFound"
	notFoundFIP    = "FloatingIPNotFound"
	notFoundSG     = "SecurityGroupNotFound"
	notFoundRule   = "SecurityGroupRuleNotFound"
	notFoundTagRes = "TagResourceNotFound"
	notFoundScope  = "AddressScopeNotFound"
	policy         = "PolicyNotAuthorized"
)

// Attacks is the cross-project matrix, in the order it runs: reads and lists
// first, then refused writes, then the router-interface attacks (which, where
// they wrongly succeed, change A's resources for later attacks to find).
//
// Where Neutron's answer is not obvious, the comment names the upstream code
// that decides it.
var Attacks = []Attack{
	// --- networks
	{Name: "show private network", Method: "GET", Path: "networks/{netA}", Status: 404, Type: notFoundNet},
	{Name: "show private network fields", Method: "GET", Path: "networks/{netA}?fields=name&fields=subnets", Status: 404, Type: notFoundNet},
	{Name: "update private network", Method: "PUT", Path: "networks/{netA}", Body: `{"network": {"name": "pwned"}}`, Status: 404, Type: notFoundNet},
	{Name: "delete private network", Method: "DELETE", Path: "networks/{netA}", Status: 404, Type: notFoundNet},
	// The shared network is visible: policy refuses with 403 (pecan's policy
	// hook re-raises when the caller may see the object).
	{Name: "update shared network", Method: "PUT", Path: "networks/{sharedNet}", Body: `{"network": {"name": "pwned"}}`, Status: 403, Type: policy},
	{Name: "unshare shared network", Method: "PUT", Path: "networks/{sharedNet}", Body: `{"network": {"shared": false}}`, Status: 403, Type: policy},
	{Name: "delete shared network", Method: "DELETE", Path: "networks/{sharedNet}", Status: 403, Type: policy},
	{Name: "list networks by id", Method: "GET", Path: "networks?id={netA}", Status: 200},
	{Name: "list networks by name", Method: "GET", Path: "networks?name=a-secret-net", Status: 200},
	{Name: "list networks by project", Method: "GET", Path: "networks?tenant_id={projectA}&fields=id&fields=name&fields=subnets", Status: 200},
	{Name: "list networks by tag", Method: "GET", Path: "networks?tags=a-secret-tag", Status: 200},
	{Name: "list networks sorted by name", Method: "GET", Path: "networks?sort_key=name&sort_dir=asc&fields=name", Status: 200},
	// get_networks uses ndb_utils.get_marker_obj: _get_network raises.
	{Name: "list networks marker", Method: "GET", Path: "networks?limit=1&marker={netA}", Status: 404, Type: notFoundNet},
	{Name: "list networks sorted marker", Method: "GET", Path: "networks?sort_key=name&sort_dir=asc&limit=1&marker={netA}", Status: 404, Type: notFoundNet},
	{Name: "list networks reverse marker", Method: "GET", Path: "networks?sort_key=name&sort_dir=asc&limit=1&page_reverse=True&marker={netA}", Status: 404, Type: notFoundNet},
	// Without limit Neutron does not paginate (api_common.get_limit_and_marker
	// drops the marker).
	{Name: "list networks marker without limit", Method: "GET", Path: "networks?sort_key=name&sort_dir=desc&marker={netA}", Status: 200, SameAs: "networks?sort_key=name&sort_dir=desc"},

	// --- subnets
	{Name: "show private subnet", Method: "GET", Path: "subnets/{subA}", Status: 404, Type: notFoundSubnet},
	{Name: "update private subnet", Method: "PUT", Path: "subnets/{subA}", Body: `{"subnet": {"gateway_ip": "10.1.0.254"}}`, Status: 404, Type: notFoundSubnet},
	{Name: "delete private subnet", Method: "DELETE", Path: "subnets/{subA2}", Status: 404, Type: notFoundSubnet},
	{Name: "update shared subnet", Method: "PUT", Path: "subnets/{sharedSub}", Body: `{"subnet": {"name": "pwned"}}`, Status: 403, Type: policy},
	{Name: "delete shared subnet", Method: "DELETE", Path: "subnets/{sharedSub}", Status: 403, Type: policy},
	{Name: "list subnets by network", Method: "GET", Path: "subnets?network_id={netA}", Status: 200},
	{Name: "list subnets by cidr", Method: "GET", Path: "subnets?cidr=10.1.0.0/24", Status: 200},
	// Subnets, subnet pools, floating IPs, security groups and rules page
	// through OVO get_objects: Pager.to_kwargs looks the marker up with the
	// caller's context and ignores it when it finds nothing. Ascending and
	// descending together cannot both match the unmarked page by chance if
	// the marker were used: one of them would start after it.
	{Name: "list subnets marker ascending", Method: "GET", Path: "subnets?sort_key=id&sort_dir=asc&limit=1&marker={subA}", Status: 200, SameAs: "subnets?sort_key=id&sort_dir=asc&limit=1"},
	{Name: "list subnets marker descending", Method: "GET", Path: "subnets?sort_key=id&sort_dir=desc&limit=1&marker={subA}", Status: 200, SameAs: "subnets?sort_key=id&sort_dir=desc&limit=1"},
	{Name: "create subnet on private network", Method: "POST", Path: "subnets", Body: `{"subnet": {"network_id": "{netA}", "ip_version": 4, "cidr": "10.9.0.0/24"}}`, Status: 404, Type: notFoundNet},
	{Name: "create subnet on shared network", Method: "POST", Path: "subnets", Body: `{"subnet": {"network_id": "{sharedNet}", "ip_version": 4, "cidr": "10.51.0.0/24"}}`, Status: 403, Type: policy},
	{Name: "create subnet from private pool", Method: "POST", Path: "subnets", Body: `{"subnet": {"network_id": "{netB}", "ip_version": 4, "subnetpool_id": "{poolA}"}}`, Status: 404, Type: notFoundPool},
	{Name: "create subnet from private pool with prefixlen", Method: "POST", Path: "subnets", Body: `{"subnet": {"network_id": "{netB}", "ip_version": 4, "subnetpool_id": "{poolA}", "prefixlen": 28}}`, Status: 404, Type: notFoundPool},

	// --- subnet pools
	{Name: "show private pool", Method: "GET", Path: "subnetpools/{poolA}", Status: 404, Type: notFoundPool},
	{Name: "update private pool", Method: "PUT", Path: "subnetpools/{poolA}", Body: `{"subnetpool": {"prefixes": ["10.200.0.0/16", "10.201.0.0/16"]}}`, Status: 404, Type: notFoundPool},
	{Name: "delete private pool", Method: "DELETE", Path: "subnetpools/{poolA}", Status: 404, Type: notFoundPool},
	{Name: "list pools by name", Method: "GET", Path: "subnetpools?name=a-secret-pool", Status: 200},
	{Name: "list pools marker ascending", Method: "GET", Path: "subnetpools?sort_key=id&sort_dir=asc&limit=1&marker={poolA}", Status: 200, SameAs: "subnetpools?sort_key=id&sort_dir=asc&limit=1"},
	{Name: "list pools marker descending", Method: "GET", Path: "subnetpools?sort_key=id&sort_dir=desc&limit=1&marker={poolA}", Status: 200, SameAs: "subnetpools?sort_key=id&sort_dir=desc&limit=1"},
	// subnetpool-prefix-ops: the pool is loaded as the caller sees it first.
	{Name: "add prefixes to private pool", Method: "PUT", Path: "subnetpools/{poolA}/add_prefixes", Body: `{"prefixes": ["10.202.0.0/16"]}`, Status: 404, Type: notFoundPool},
	{Name: "remove prefixes of private pool", Method: "PUT", Path: "subnetpools/{poolA}/remove_prefixes", Body: `{"prefixes": ["10.200.0.0/16"]}`, Status: 404, Type: notFoundPool},

	// --- address scopes (a private scope of A; AddressScope.get_object is project-scoped)
	{Name: "show private scope", Method: "GET", Path: "address-scopes/{scopeA}", Status: 404, Type: notFoundScope},
	{Name: "update private scope", Method: "PUT", Path: "address-scopes/{scopeA}", Body: `{"address_scope": {"name": "pwned"}}`, Status: 404, Type: notFoundScope},
	{Name: "share private scope", Method: "PUT", Path: "address-scopes/{scopeA}", Body: `{"address_scope": {"shared": true}}`, Status: 404, Type: notFoundScope},
	{Name: "delete private scope", Method: "DELETE", Path: "address-scopes/{scopeA}", Status: 404, Type: notFoundScope},
	{Name: "list scopes by id", Method: "GET", Path: "address-scopes?id={scopeA}", Status: 200},
	{Name: "list scopes by name", Method: "GET", Path: "address-scopes?name=a-secret-scope", Status: 200},
	{Name: "list scopes marker", Method: "GET", Path: "address-scopes?sort_key=id&sort_dir=asc&limit=1&marker={scopeA}", Status: 200, SameAs: "address-scopes?sort_key=id&sort_dir=asc&limit=1"},
	// _validate_address_scope_id: _get_address_scope raises AddressScopeNotFound.
	{Name: "create pool in private scope", Method: "POST", Path: "subnetpools", Body: `{"subnetpool": {"name": "b", "prefixes": ["10.220.0.0/16"], "address_scope_id": "{scopeA}"}}`, Status: 404, Type: notFoundScope},
	{Name: "move own pool into private scope", Method: "PUT", Path: "subnetpools/{poolB}", Body: `{"subnetpool": {"address_scope_id": "{scopeA}"}}`, Status: 404, Type: notFoundScope},

	// --- ports
	{Name: "show private port", Method: "GET", Path: "ports/{portA}", Status: 404, Type: notFoundPort},
	{Name: "show free private port", Method: "GET", Path: "ports/{portA2}?fields=id", Status: 404, Type: notFoundPort},
	{Name: "update private port", Method: "PUT", Path: "ports/{portA}", Body: `{"port": {"admin_state_up": false}}`, Status: 404, Type: notFoundPort},
	{Name: "update private port security", Method: "PUT", Path: "ports/{portA}", Body: `{"port": {"security_groups": []}}`, Status: 404, Type: notFoundPort},
	{Name: "delete private port", Method: "DELETE", Path: "ports/{portA2}", Status: 404, Type: notFoundPort},
	{Name: "list ports by network", Method: "GET", Path: "ports?network_id={netA}", Status: 200},
	{Name: "list ports by device", Method: "GET", Path: "ports?device_id=a-secret-vm", Status: 200},
	{Name: "list ports by router", Method: "GET", Path: "ports?device_id={routerA}", Status: 200},
	{Name: "list ports by fixed ip subnet", Method: "GET", Path: "ports?fixed_ips=subnet_id%3D{subA}", Status: 200},
	{Name: "list ports by fixed ip address", Method: "GET", Path: "ports?fixed_ips=ip_address%3D10.1.0.1", Status: 200},
	{Name: "list ports by security group", Method: "GET", Path: "ports?security_groups={sgA}", Status: 200},
	{Name: "list ports marker", Method: "GET", Path: "ports?limit=1&marker={portA}", Status: 404, Type: notFoundPort},
	{Name: "create port on private network", Method: "POST", Path: "ports", Body: `{"port": {"network_id": "{netA}"}}`, Status: 404, Type: notFoundNet},
	// db_base_plugin_v2._enforce_device_owner_not_router_intf_or_device_id.
	{Name: "create router interface port for A's router", Method: "POST", Path: "ports",
		Body:   `{"port": {"network_id": "{netB}", "device_owner": "network:router_interface", "device_id": "{routerA}", "fixed_ips": [{"subnet_id": "{subB}", "ip_address": "10.3.0.77"}]}}`,
		Status: 409, Type: "DeviceIDNotOwnedByTenant"},
	{Name: "create router interface port for A's router without ip", Method: "POST", Path: "ports",
		Body:   `{"port": {"network_id": "{netB}", "device_owner": "network:router_interface", "device_id": "{routerA}"}}`,
		Status: 409, Type: "DeviceIDNotOwnedByTenant"},
	{Name: "create distributed router interface port for A's router", Method: "POST", Path: "ports",
		Body:   `{"port": {"network_id": "{netB}", "device_owner": "network:router_interface_distributed", "device_id": "{routerA}"}}`,
		Status: 409, Type: "DeviceIDNotOwnedByTenant"},
	{Name: "create HA router interface port for A's router", Method: "POST", Path: "ports",
		Body:   `{"port": {"network_id": "{netB}", "device_owner": "network:ha_router_replicated_interface", "device_id": "{routerA}"}}`,
		Status: 409, Type: "DeviceIDNotOwnedByTenant"},
	{Name: "name A's router as the device of an own network:foo port", Method: "POST", Path: "ports",
		Body: `{"port": {"network_id": "{netB}", "device_owner": "network:foo", "device_id": "{routerA}"}}`, Status: 201},
	// Deviation (ARCHITECTURE.md, project isolation): Neutron checks the
	// device_id only for router interface owners, but the MidoNet
	// translation would make a network:router_gateway port naming A's
	// router that router's gateway, so it is refused the same way.
	{Name: "create gateway port for A's router", Method: "POST", Path: "ports",
		Body:   `{"port": {"network_id": "{netB}", "device_owner": "network:router_gateway", "device_id": "{routerA}"}}`,
		Status: 409, Type: "DeviceIDNotOwnedByTenant"},
	// A device_id is free text for other owners: Neutron accepts it, and A's
	// router does not change.
	{Name: "name A's router as the device of an own VM port", Method: "POST", Path: "ports",
		Body: `{"port": {"network_id": "{netB}", "device_owner": "compute:nova", "device_id": "{routerA}"}}`, Status: 201},
	{Name: "update port into A's router interface", Method: "PUT", Path: "ports/{portB2}",
		Body: `{"port": {"device_owner": "network:router_interface", "device_id": "{routerA}"}}`, Status: 409, Type: "DeviceIDNotOwnedByTenant"},
	// create_port:device_owner / update_port:device_owner: a network:* owner
	// needs the network's owner (or an admin).
	{Name: "create dhcp port on shared network", Method: "POST", Path: "ports",
		Body: `{"port": {"network_id": "{sharedNet}", "device_owner": "network:dhcp"}}`, Status: 403, Type: policy},
	{Name: "update port to dhcp on shared network", Method: "PUT", Path: "ports/{portBShared}",
		Body: `{"port": {"device_owner": "network:dhcp"}}`, Status: 403, Type: policy},
	{Name: "update port to router interface of A's router on shared network", Method: "PUT", Path: "ports/{portBShared2}",
		Body: `{"port": {"device_owner": "network:router_interface", "device_id": "{routerA}"}}`, Status: 403, Type: policy},
	{Name: "update port to router interface of own router on shared network", Method: "PUT", Path: "ports/{portBShared3}",
		Body: `{"port": {"device_owner": "network:router_interface", "device_id": "{routerB2}"}}`, Status: 403, Type: policy},
	// create_port:fixed_ips:ip_address, :mac_address and
	// update_port:allowed_address_pairs need the network's owner.
	{Name: "create port with the shared subnet's gateway address", Method: "POST", Path: "ports",
		Body: `{"port": {"network_id": "{sharedNet}", "fixed_ips": [{"subnet_id": "{sharedSub}", "ip_address": "10.50.0.1"}]}}`, Status: 403, Type: policy},
	{Name: "create port on shared network with a chosen mac", Method: "POST", Path: "ports",
		Body: `{"port": {"network_id": "{sharedNet}", "mac_address": "fa:16:3e:50:00:01"}}`, Status: 403, Type: policy},
	{Name: "claim the shared subnet's gateway as address pair", Method: "PUT", Path: "ports/{portBShared4}",
		Body: `{"port": {"allowed_address_pairs": [{"ip_address": "10.50.0.1"}]}}`, Status: 403, Type: policy},
	{Name: "create port on shared network with A's security group", Method: "POST", Path: "ports",
		Body: `{"port": {"network_id": "{sharedNet}", "security_groups": ["{sgA}"]}}`, Status: 404, Type: notFoundSG},
	// Creating in A's project: neutron-lib's populate_project_id
	// (_validate_privileges) refuses a project other than the caller's before
	// any policy runs: 400 HTTPBadRequest.
	{Name: "create network in A's project", Method: "POST", Path: "networks", Body: `{"network": {"name": "for-a", "tenant_id": "{projectA}"}}`, Status: 400, Type: "HTTPBadRequest"},
	{Name: "create port in A's project on shared network", Method: "POST", Path: "ports", Body: `{"port": {"network_id": "{sharedNet}", "tenant_id": "{projectA}"}}`, Status: 400, Type: "HTTPBadRequest"},
	{Name: "create security group in A's project", Method: "POST", Path: "security-groups", Body: `{"security_group": {"name": "for-a", "tenant_id": "{projectA}"}}`, Status: 400, Type: "HTTPBadRequest"},
	{Name: "create floating ip in A's project", Method: "POST", Path: "floatingips", Body: `{"floatingip": {"floating_network_id": "{ext}", "tenant_id": "{projectA}"}}`, Status: 400, Type: "HTTPBadRequest"},
	{Name: "create router in A's project", Method: "POST", Path: "routers", Body: `{"router": {"name": "for-a", "tenant_id": "{projectA}"}}`, Status: 400, Type: "HTTPBadRequest"},
	// ipam _get_subnet_for_fixed_ip looks the subnet up with the caller's
	// context: SubnetNotFound for what B cannot see, InvalidInput for a
	// visible subnet of another network.
	{Name: "create port with A's subnet", Method: "POST", Path: "ports",
		Body: `{"port": {"network_id": "{netB}", "fixed_ips": [{"subnet_id": "{subA}"}]}}`, Status: 404, Type: notFoundSubnet},
	{Name: "create port with A's subnet and address", Method: "POST", Path: "ports",
		Body: `{"port": {"network_id": "{netB}", "fixed_ips": [{"subnet_id": "{subA2}", "ip_address": "10.2.0.50"}]}}`, Status: 404, Type: notFoundSubnet},
	{Name: "update port with A's subnet", Method: "PUT", Path: "ports/{portB}",
		Body: `{"port": {"fixed_ips": [{"subnet_id": "{subA}"}]}}`, Status: 404, Type: notFoundSubnet},
	{Name: "create port with shared subnet on own network", Method: "POST", Path: "ports",
		Body: `{"port": {"network_id": "{netB}", "fixed_ips": [{"subnet_id": "{sharedSub}"}]}}`, Status: 400, Type: "InvalidInput"},
	// securitygroups_db._get_security_groups_on_port.
	{Name: "create port with A's security group", Method: "POST", Path: "ports",
		Body: `{"port": {"network_id": "{netB}", "security_groups": ["{sgA}"]}}`, Status: 404, Type: notFoundSG},
	{Name: "update port with A's security group", Method: "PUT", Path: "ports/{portB}",
		Body: `{"port": {"security_groups": ["{sgB}", "{sgA}"]}}`, Status: 404, Type: notFoundSG},

	// --- routers
	{Name: "show private router", Method: "GET", Path: "routers/{routerA}", Status: 404, Type: notFoundRouter},
	{Name: "update private router", Method: "PUT", Path: "routers/{routerA}", Body: `{"router": {"external_gateway_info": {}}}`, Status: 404, Type: notFoundRouter},
	{Name: "update private router routes", Method: "PUT", Path: "routers/{routerA}", Body: `{"router": {"routes": [{"destination": "10.77.0.0/16", "nexthop": "10.1.0.5"}]}}`, Status: 404, Type: notFoundRouter},
	{Name: "delete private router", Method: "DELETE", Path: "routers/{routerA}", Status: 404, Type: notFoundRouter},
	{Name: "list routers by name", Method: "GET", Path: "routers?name=a-secret-router", Status: 200},
	{Name: "list routers marker", Method: "GET", Path: "routers?limit=1&marker={routerA}", Status: 404, Type: notFoundRouter},
	{Name: "add extra routes to A's router", Method: "PUT", Path: "routers/{routerA}/add_extraroutes",
		Body: `{"router": {"routes": [{"destination": "10.78.0.0/16", "nexthop": "10.1.0.5"}]}}`, Status: 404, Type: notFoundRouter},
	// l3_db._validate_gw_info: _get_network with the caller's context; a
	// visible network that is not external is a BadRequest.
	{Name: "gateway on A's private network", Method: "PUT", Path: "routers/{routerB}",
		Body: `{"router": {"external_gateway_info": {"network_id": "{netA}"}}}`, Status: 404, Type: notFoundNet},
	{Name: "create router with gateway on A's private network", Method: "POST", Path: "routers",
		Body: `{"router": {"name": "b-router-gw-a", "external_gateway_info": {"network_id": "{netA}"}}}`, Status: 404, Type: notFoundNet},
	{Name: "gateway on A's shared network", Method: "PUT", Path: "routers/{routerB}",
		Body: `{"router": {"external_gateway_info": {"network_id": "{sharedNet}"}}}`, Status: 400, Type: "BadRequest"},

	// --- floating IPs
	{Name: "show private floating ip", Method: "GET", Path: "floatingips/{fipA}", Status: 404, Type: notFoundFIP},
	{Name: "disassociate private floating ip", Method: "PUT", Path: "floatingips/{fipA}", Body: `{"floatingip": {"port_id": null}}`, Status: 404, Type: notFoundFIP},
	{Name: "delete private floating ip", Method: "DELETE", Path: "floatingips/{fipA}", Status: 404, Type: notFoundFIP},
	{Name: "list floating ips by port", Method: "GET", Path: "floatingips?port_id={portA}", Status: 200},
	{Name: "list floating ips by router", Method: "GET", Path: "floatingips?router_id={routerA}", Status: 200},
	{Name: "list floating ips marker ascending", Method: "GET", Path: "floatingips?sort_key=id&sort_dir=asc&limit=1&marker={fipA}", Status: 200, SameAs: "floatingips?sort_key=id&sort_dir=asc&limit=1"},
	{Name: "list floating ips marker descending", Method: "GET", Path: "floatingips?sort_key=id&sort_dir=desc&limit=1&marker={fipA}", Status: 200, SameAs: "floatingips?sort_key=id&sort_dir=desc&limit=1"},
	// l3_db._internal_fip_assoc_data: get_port with the caller's context.
	{Name: "create floating ip for A's port", Method: "POST", Path: "floatingips",
		Body: `{"floatingip": {"floating_network_id": "{ext}", "port_id": "{portA}"}}`, Status: 404, Type: notFoundPort},
	{Name: "associate floating ip with A's port", Method: "PUT", Path: "floatingips/{fipB}",
		Body: `{"floatingip": {"port_id": "{portA}"}}`, Status: 404, Type: notFoundPort},
	{Name: "associate floating ip with A's free port", Method: "PUT", Path: "floatingips/{fipB}",
		Body: `{"floatingip": {"port_id": "{portA2}", "fixed_ip_address": "10.2.0.3"}}`, Status: 404, Type: notFoundPort},
	// The floating IP's subnet_id picks the external subnet; the external
	// port is made with an elevated context, so a subnet of another network
	// is InvalidInput whoever owns it (_get_subnet_for_fixed_ip).
	{Name: "create floating ip on A's subnet", Method: "POST", Path: "floatingips",
		Body: `{"floatingip": {"floating_network_id": "{ext}", "subnet_id": "{subA}"}}`, Status: 400, Type: "InvalidInput"},
	{Name: "create floating ip on A's private network", Method: "POST", Path: "floatingips",
		Body: `{"floatingip": {"floating_network_id": "{netA}"}}`, Status: 404, Type: notFoundNet},

	// --- security groups and rules
	{Name: "show private security group", Method: "GET", Path: "security-groups/{sgA}", Status: 404, Type: notFoundSG},
	{Name: "update private security group", Method: "PUT", Path: "security-groups/{sgA}", Body: `{"security_group": {"name": "pwned"}}`, Status: 404, Type: notFoundSG},
	{Name: "delete private security group", Method: "DELETE", Path: "security-groups/{sgA}", Status: 404, Type: notFoundSG},
	{Name: "list security groups by name", Method: "GET", Path: "security-groups?name=a-secret-sg", Status: 200},
	{Name: "list security groups marker ascending", Method: "GET", Path: "security-groups?sort_key=id&sort_dir=asc&limit=1&marker={sgA}", Status: 200, SameAs: "security-groups?sort_key=id&sort_dir=asc&limit=1"},
	{Name: "list security groups marker descending", Method: "GET", Path: "security-groups?sort_key=id&sort_dir=desc&limit=1&marker={sgA}", Status: 200, SameAs: "security-groups?sort_key=id&sort_dir=desc&limit=1"},
	{Name: "show private rule", Method: "GET", Path: "security-group-rules/{ruleA}", Status: 404, Type: notFoundRule},
	{Name: "update private rule", Method: "PUT", Path: "security-group-rules/{ruleA}", Body: `{"security_group_rule": {"description": "pwned"}}`, Status: 404, Type: notFoundRule},
	{Name: "delete private rule", Method: "DELETE", Path: "security-group-rules/{ruleA}", Status: 404, Type: notFoundRule},
	{Name: "list rules by group", Method: "GET", Path: "security-group-rules?security_group_id={sgA}", Status: 200},
	{Name: "list rules by remote group", Method: "GET", Path: "security-group-rules?remote_group_id={sgA}", Status: 200},
	{Name: "list rules marker ascending", Method: "GET", Path: "security-group-rules?sort_key=id&sort_dir=asc&limit=1&marker={ruleA}", Status: 200, SameAs: "security-group-rules?sort_key=id&sort_dir=asc&limit=1"},
	{Name: "list rules marker descending", Method: "GET", Path: "security-group-rules?sort_key=id&sort_dir=desc&limit=1&marker={ruleA}", Status: 200, SameAs: "security-group-rules?sort_key=id&sort_dir=desc&limit=1"},
	// securitygroups_db._check_security_group with the caller's project.
	{Name: "create rule in A's group", Method: "POST", Path: "security-group-rules",
		Body: `{"security_group_rule": {"security_group_id": "{sgA}", "direction": "ingress", "protocol": "tcp", "port_range_min": 1, "port_range_max": 65535}}`, Status: 404, Type: notFoundSG},
	{Name: "create rule with A's group as remote", Method: "POST", Path: "security-group-rules",
		Body: `{"security_group_rule": {"security_group_id": "{sgB}", "direction": "ingress", "remote_group_id": "{sgA}"}}`, Status: 404, Type: notFoundSG},

	// --- tags (standard-attr-tag): the tag plugin loads the parent with the
	// caller's context. On a visible shared network the owner's policy
	// decides (update_network; the tag policies of later Neutron releases
	// refuse it the same way).
	{Name: "list tags of private network", Method: "GET", Path: "networks/{netA}/tags", Status: 404, Type: notFoundTagRes},
	{Name: "check tag of private network", Method: "GET", Path: "networks/{netA}/tags/a-secret-tag", Status: 404, Type: notFoundTagRes},
	{Name: "replace tags of private network", Method: "PUT", Path: "networks/{netA}/tags", Body: `{"tags": ["pwned"]}`, Status: 404, Type: notFoundTagRes},
	{Name: "add tag to private network", Method: "PUT", Path: "networks/{netA}/tags/pwned", Status: 404, Type: notFoundTagRes},
	{Name: "remove tag of private network", Method: "DELETE", Path: "networks/{netA}/tags/a-secret-tag", Status: 404, Type: notFoundTagRes},
	{Name: "remove all tags of private network", Method: "DELETE", Path: "networks/{netA}/tags", Status: 404, Type: notFoundTagRes},
	{Name: "add tag to private subnet", Method: "PUT", Path: "subnets/{subA}/tags/pwned", Status: 404, Type: notFoundTagRes},
	{Name: "add tag to private pool", Method: "PUT", Path: "subnetpools/{poolA}/tags/pwned", Status: 404, Type: notFoundTagRes},
	{Name: "add tag to private port", Method: "PUT", Path: "ports/{portA}/tags/pwned", Status: 404, Type: notFoundTagRes},
	{Name: "add tag to private router", Method: "PUT", Path: "routers/{routerA}/tags/pwned", Status: 404, Type: notFoundTagRes},
	{Name: "add tag to private floating ip", Method: "PUT", Path: "floatingips/{fipA}/tags/pwned", Status: 404, Type: notFoundTagRes},
	{Name: "add tag to private security group", Method: "PUT", Path: "security-groups/{sgA}/tags/pwned", Status: 404, Type: notFoundTagRes},
	{Name: "add tag to shared network", Method: "PUT", Path: "networks/{sharedNet}/tags/pwned", Status: 403, Type: policy},
	{Name: "replace tags of shared network", Method: "PUT", Path: "networks/{sharedNet}/tags", Body: `{"tags": []}`, Status: 403, Type: policy},

	// --- quotas (quotasv2: get_quota for another project, update and delete
	// are admin only).
	{Name: "show A's quota", Method: "GET", Path: "quotas/{projectA}", Status: 403, Type: policy},
	{Name: "show A's default quota", Method: "GET", Path: "quotas/{projectA}/default", Status: 403, Type: policy},
	{Name: "show A's quota details", Method: "GET", Path: "quotas/{projectA}/details", Status: 403, Type: policy},
	{Name: "list all quotas", Method: "GET", Path: "quotas", Status: 403, Type: policy},
	{Name: "update A's quota", Method: "PUT", Path: "quotas/{projectA}", Body: `{"quota": {"network": 0}}`, Status: 403, Type: policy},
	{Name: "delete A's quota", Method: "DELETE", Path: "quotas/{projectA}", Status: 403, Type: policy},

	// --- agents and agent memberships (admin only, and no project's): the
	// pecan policy hook filters what a member lists, the plugin answers for
	// an agent that does not exist, and a create the policy refuses on an
	// item the caller may not even see is a 404 (PolicyHook.before).
	{Name: "list agents", Method: "GET", Path: "agents", Status: 200},
	{Name: "show agent", Method: "GET", Path: "agents/{noSuchID}", Status: 404, Type: "AgentNotFound"},
	{Name: "update agent", Method: "PUT", Path: "agents/{noSuchID}", Body: `{"agent": {"description": "pwned"}}`, Status: 404, Type: "AgentNotFound"},
	{Name: "list agent memberships", Method: "GET", Path: "agent_memberships", Status: 200},
	{Name: "list IP availabilities", Method: "GET", Path: "network-ip-availabilities", Status: 200},
	{Name: "list address groups", Method: "GET", Path: "address-groups", Status: 200},
	{Name: "show A's address group", Method: "GET", Path: "address-groups/{agA}", Status: 404, Type: "AddressGroupNotFound"},
	{Name: "update A's address group", Method: "PUT", Path: "address-groups/{agA}", Body: `{"address_group": {"name": "pwned"}}`, Status: 404, Type: "AddressGroupNotFound"},
	{Name: "add to A's address group", Method: "PUT", Path: "address-groups/{agA}/add_addresses", Body: `{"addresses": ["0.0.0.0/0"]}`, Status: 404, Type: "AddressGroupNotFound"},
	{Name: "remove from A's address group", Method: "PUT", Path: "address-groups/{agA}/remove_addresses", Body: `{"addresses": ["10.66.0.0/16"]}`, Status: 404, Type: "AddressGroupNotFound"},
	{Name: "delete A's address group", Method: "DELETE", Path: "address-groups/{agA}", Status: 404, Type: "AddressGroupNotFound"},
	// Local IPs, conntrack helpers and metering: A's are as missing as unknown ones
	// (LocalIPNotFound; a helper under A's router is the router's 404; metering labels are
	// visible to their project and admins only), and B cannot name A's port.
	{Name: "list NDP proxies", Method: "GET", Path: "ndp_proxies", Status: 200},
	{Name: "show A's NDP proxy", Method: "GET", Path: "ndp_proxies/{npA}", Status: 404, Type: "NDPProxyNotFound"},
	{Name: "update A's NDP proxy", Method: "PUT", Path: "ndp_proxies/{npA}", Body: `{"ndp_proxy": {"name": "pwned"}}`, Status: 404, Type: "NDPProxyNotFound"},
	{Name: "delete A's NDP proxy", Method: "DELETE", Path: "ndp_proxies/{npA}", Status: 404, Type: "NDPProxyNotFound"},
	// neutron's create_ndp_proxy reads the port, then the router, in the caller's context.
	{Name: "NDP proxy of A's port", Method: "POST", Path: "ndp_proxies", Body: `{"ndp_proxy": {"router_id": "{routerB}", "port_id": "{port6A}"}}`, Status: 404, Type: notFoundPort},
	// ... then the router's ports on the port's network: none of A's router on B's network.
	{Name: "NDP proxy on A's router", Method: "POST", Path: "ndp_proxies", Body: `{"ndp_proxy": {"router_id": "{router6A}", "port_id": "{portB}"}}`, Status: 409, Type: "PortUnreachableRouter"},
	{Name: "turn off A's router's NDP proxying", Method: "PUT", Path: "routers/{router6A}", Body: `{"router": {"enable_ndp_proxy": false}}`, Status: 404, Type: notFoundRouter},
	{Name: "list Local IPs", Method: "GET", Path: "local_ips", Status: 200},
	{Name: "show A's Local IP", Method: "GET", Path: "local_ips/{lipA}", Status: 404, Type: "LocalIPNotFound"},
	{Name: "update A's Local IP", Method: "PUT", Path: "local_ips/{lipA}", Body: `{"local_ip": {"name": "pwned"}}`, Status: 404, Type: "LocalIPNotFound"},
	{Name: "delete A's Local IP", Method: "DELETE", Path: "local_ips/{lipA}", Status: 404, Type: "LocalIPNotFound"},
	{Name: "list A's Local IP associations", Method: "GET", Path: "local_ips/{lipA}/port_associations", Status: 404, Type: "LocalIPNotFound"},
	{Name: "associate B's port with A's Local IP", Method: "POST", Path: "local_ips/{lipA}/port_associations",
		Body: `{"port_association": {"fixed_port_id": "{portB}"}}`, Status: 404, Type: "LocalIPNotFound"},
	{Name: "Local IP on A's port", Method: "POST", Path: "local_ips", Body: `{"local_ip": {"local_port_id": "{portA}"}}`, Status: 400, Type: "BadRequest"},
	{Name: "Local IP on A's network", Method: "POST", Path: "local_ips", Body: `{"local_ip": {"network_id": "{netA}"}}`, Status: 404, Type: notFoundNet},
	{Name: "list A's router's conntrack helpers", Method: "GET", Path: "routers/{routerA}/conntrack_helpers", Status: 404, Type: notFoundRouter},
	{Name: "show A's conntrack helper", Method: "GET", Path: "routers/{routerA}/conntrack_helpers/{cthA}", Status: 404, Type: notFoundRouter},
	{Name: "update A's conntrack helper", Method: "PUT", Path: "routers/{routerA}/conntrack_helpers/{cthA}", Body: `{"conntrack_helper": {"port": 70}}`, Status: 404, Type: notFoundRouter},
	{Name: "delete A's conntrack helper", Method: "DELETE", Path: "routers/{routerA}/conntrack_helpers/{cthA}", Status: 404, Type: notFoundRouter},
	{Name: "conntrack helper on A's router", Method: "POST", Path: "routers/{routerA}/conntrack_helpers",
		Body: `{"conntrack_helper": {"protocol": "tcp", "port": 21, "helper": "ftp"}}`, Status: 404, Type: notFoundRouter},
	{Name: "list metering labels", Method: "GET", Path: "metering/metering-labels", Status: 200},
	{Name: "show A's metering label", Method: "GET", Path: "metering/metering-labels/{mlA}", Status: 404, Type: "MeteringLabelNotFound"},
	{Name: "delete A's metering label", Method: "DELETE", Path: "metering/metering-labels/{mlA}", Status: 404, Type: "MeteringLabelNotFound"},
	{Name: "show A's metering rule", Method: "GET", Path: "metering/metering-label-rules/{mlrA}", Status: 404, Type: "MeteringLabelRuleNotFound"},
	{Name: "delete A's metering rule", Method: "DELETE", Path: "metering/metering-label-rules/{mlrA}", Status: 404, Type: "MeteringLabelRuleNotFound"},
	{Name: "rule on A's metering label", Method: "POST", Path: "metering/metering-label-rules",
		Body: `{"metering_label_rule": {"metering_label_id": "{mlA}", "direction": "ingress", "remote_ip_prefix": "0.0.0.0/0"}}`, Status: 403, Type: policy},
	// --- trunks: A's trunk is a 404 for every verb and action; A's ports cannot become
	// B's trunk's parent or subports (rules.py: get_port with the caller's context).
	{Name: "list trunks", Method: "GET", Path: "trunks", Status: 200},
	{Name: "list trunks by A's parent port", Method: "GET", Path: "trunks?port_id={portAT}", Status: 200},
	{Name: "show A's trunk", Method: "GET", Path: "trunks/{trunkA}", Status: 404, Type: "TrunkNotFound"},
	{Name: "update A's trunk", Method: "PUT", Path: "trunks/{trunkA}", Body: `{"trunk": {"name": "pwned"}}`, Status: 404, Type: "TrunkNotFound"},
	{Name: "delete A's trunk", Method: "DELETE", Path: "trunks/{trunkA}", Status: 404, Type: "TrunkNotFound"},
	{Name: "get subports of A's trunk", Method: "GET", Path: "trunks/{trunkA}/get_subports", Status: 404, Type: "TrunkNotFound"},
	{Name: "add own port to A's trunk", Method: "PUT", Path: "trunks/{trunkA}/add_subports", Body: `{"sub_ports": [{"port_id": "{portB2}", "segmentation_type": "vlan", "segmentation_id": 11}]}`, Status: 404, Type: "TrunkNotFound"},
	{Name: "remove subport of A's trunk", Method: "PUT", Path: "trunks/{trunkA}/remove_subports", Body: `{"sub_ports": [{"port_id": "{portAS}"}]}`, Status: 404, Type: "TrunkNotFound"},
	{Name: "trunk on A's port", Method: "POST", Path: "trunks", Body: `{"trunk": {"port_id": "{portAF}"}}`, Status: 404, Type: notFoundPort},
	{Name: "A's port as own trunk's subport", Method: "POST", Path: "trunks", Body: `{"trunk": {"port_id": "{portB2}", "sub_ports": [{"port_id": "{portAF}", "segmentation_type": "vlan", "segmentation_id": 12}]}}`, Status: 404, Type: notFoundPort},

	// --- port forwardings: a floating IP B cannot see answers its own 404 for its
	// forwardings; B's floating IP cannot forward to A's port.
	{Name: "list forwardings of A's floating IP", Method: "GET", Path: "floatingips/{fipA2}/port_forwardings", Status: 404, Type: notFoundFIP},
	{Name: "show forwarding of A's floating IP", Method: "GET", Path: "floatingips/{fipA2}/port_forwardings/{pfA}", Status: 404, Type: notFoundFIP},
	{Name: "update forwarding of A's floating IP", Method: "PUT", Path: "floatingips/{fipA2}/port_forwardings/{pfA}", Body: `{"port_forwarding": {"internal_port": 80}}`, Status: 404, Type: notFoundFIP},
	{Name: "delete forwarding of A's floating IP", Method: "DELETE", Path: "floatingips/{fipA2}/port_forwardings/{pfA}", Status: 404, Type: notFoundFIP},
	{Name: "forwarding on A's floating IP", Method: "POST", Path: "floatingips/{fipA2}/port_forwardings", Body: `{"port_forwarding": {"internal_port_id": "{portB2}", "internal_ip_address": "10.3.0.77", "internal_port": 80, "external_port": 8080, "protocol": "tcp"}}`, Status: 404, Type: notFoundFIP},
	{Name: "A's forwarding through own floating IP", Method: "GET", Path: "floatingips/{fipB}/port_forwardings/{pfA}", Status: 404, Type: "PortForwardingNotFound"},
	{Name: "own floating IP forwarded to A's port", Method: "POST", Path: "floatingips/{fipB}/port_forwardings", Body: `{"port_forwarding": {"internal_port_id": "{portAF}", "internal_ip_address": "{portAFIP}", "internal_port": 22, "external_port": 2222, "protocol": "tcp"}}`, Status: 404, Type: notFoundPort},
	{Name: "show IP availability of A's network", Method: "GET", Path: "network-ip-availabilities/{netA}", Status: 404, Type: notFoundNet},
	{Name: "create agent membership", Method: "POST", Path: "agent_memberships", Body: `{"agent_membership": {"id": "{noSuchID}", "ip_address": "10.1.0.99"}}`, Status: 403, Type: "PolicyNotAuthorized"},

	// --- admin-only attributes repeated by a member on its own network:
	// the policy checks every attribute in the body, whatever its value.
	{Name: "repeat provider network type", Method: "PUT", Path: "networks/{netB}", Body: `{"network": {"provider:network_type": "{netBType}"}}`, Status: 403, Type: policy},
	{Name: "repeat shared false", Method: "PUT", Path: "networks/{netB}", Body: `{"network": {"shared": false}}`, Status: 403, Type: policy},
	{Name: "repeat router external false", Method: "PUT", Path: "networks/{netB}", Body: `{"network": {"router:external": false}}`, Status: 403, Type: policy},
	{Name: "repeat binding host", Method: "PUT", Path: "ports/{portB}", Body: `{"port": {"binding:host_id": ""}}`, Status: 403, Type: policy},

	// --- router interfaces (last: where they wrongly succeed they rewire A).
	{Name: "add interface to A's router", Method: "PUT", Path: "routers/{routerA}/add_router_interface", Body: `{"subnet_id": "{subB}"}`, Status: 404, Type: notFoundRouter},
	{Name: "remove interface of A's router", Method: "PUT", Path: "routers/{routerA}/remove_router_interface", Body: `{"subnet_id": "{subA}"}`, Status: 404, Type: notFoundRouter},
	// l3_db._add_interface_by_port / _by_subnet: get_port / get_subnet with
	// the caller's context; a visible subnet B does not own is a BadRequest
	// (LP-1757482).
	{Name: "add A's free port to own router", Method: "PUT", Path: "routers/{routerB}/add_router_interface", Body: `{"port_id": "{portA2}"}`, Status: 404, Type: notFoundPort},
	{Name: "add A's VM port to own router", Method: "PUT", Path: "routers/{routerB}/add_router_interface", Body: `{"port_id": "{portA}"}`, Status: 404, Type: notFoundPort},
	{Name: "add A's unattached subnet to own router", Method: "PUT", Path: "routers/{routerB}/add_router_interface", Body: `{"subnet_id": "{subA2}"}`, Status: 404, Type: notFoundSubnet},
	{Name: "add A's attached subnet to own router", Method: "PUT", Path: "routers/{routerB}/add_router_interface", Body: `{"subnet_id": "{subA}"}`, Status: 404, Type: notFoundSubnet},
	{Name: "add A's shared subnet to own router", Method: "PUT", Path: "routers/{routerB}/add_router_interface", Body: `{"subnet_id": "{sharedSub}"}`, Status: 400, Type: "BadRequest"},
	// B's own port on the shared network, at a pool address, may become an
	// interface of B's router (_validate_port_in_range_or_admin).
	{Name: "add own port on A's shared network to own router", Method: "PUT", Path: "routers/{routerB3}/add_router_interface", Body: `{"port_id": "{portBShared5}"}`, Status: 200},
	// _remove_interface_by_port: no port of this router with that id.
	{Name: "remove A's free port from own router", Method: "PUT", Path: "routers/{routerB}/remove_router_interface", Body: `{"port_id": "{portA2}"}`, Status: 404, Type: "RouterInterfaceNotFound"},
	{Name: "remove A's router port from own router", Method: "PUT", Path: "routers/{routerB}/remove_router_interface", Body: `{"port_id": "{routerAPort}"}`, Status: 404, Type: "RouterInterfaceNotFound"},
	// _remove_interface_by_subnet: get_subnet with the caller's context.
	{Name: "remove A's unattached subnet from own router", Method: "PUT", Path: "routers/{routerB}/remove_router_interface", Body: `{"subnet_id": "{subA2}"}`, Status: 404, Type: notFoundSubnet},
	{Name: "remove A's attached subnet from own router", Method: "PUT", Path: "routers/{routerB}/remove_router_interface", Body: `{"subnet_id": "{subA}"}`, Status: 404, Type: notFoundSubnet},
	{Name: "remove A's shared subnet from own router", Method: "PUT", Path: "routers/{routerB}/remove_router_interface", Body: `{"subnet_id": "{sharedSub}"}`, Status: 404, Type: "RouterInterfaceNotFoundForSubnet"},
}
