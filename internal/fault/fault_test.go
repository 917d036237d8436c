package fault_test

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"

	"github.com/midonet-go/midonet/internal/fault"
)

// TestConstructors pins every named fault to its HTTP status, Neutron type and message: the
// conformance replay compares the answers byte for byte, this says which constructor drifted.
func TestConstructors(t *testing.T) {
	a, b := netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.9")
	cidr := netip.MustParsePrefix("10.0.0.0/24")
	for _, tc := range []struct {
		f      *fault.Fault
		status int
		typ    string
		msg    string
	}{
		// generic families
		{fault.BadRequest("x %d", 1), 400, "HTTPBadRequest", "x 1"},
		{fault.InvalidInput("x %d", 1), 400, "InvalidInput", "Invalid input for operation: x 1."},
		{fault.BadRequestOf("port", "x"), 400, "BadRequest", "Bad port request: x."},
		{fault.HTTPNotFound(), 404, "HTTPNotFound", "The resource could not be found."},
		{fault.Forbidden("get_port"), 403, "PolicyNotAuthorized", "Policy doesn't allow get_port to be performed."},
		{fault.Unauthorized(), 401, "HTTPUnauthorized", "This server could not verify that you are authorized to access the document you requested."},
		{fault.ServiceUnavailable("busy"), 503, "ServiceUnavailable", "busy"},
		{fault.MethodNotAllowed(), 405, "HTTPMethodNotAllowed", "The server could not comply with the request since it is either malformed or otherwise incorrect."},

		// api
		{fault.InternalServerError(), 500, "HTTPInternalServerError", "Request Failed: internal server error while processing your request."},
		{fault.RequestTooLarge(), 413, "HTTPRequestEntityTooLarge", "Request is too large."},
		{fault.RequestTimeout(), 408, "HTTPRequestTimeout", "The request body did not arrive in time."},
		{fault.ForbiddenOnNetwork("p1", "port"), 403, "HTTPForbidden", "Tenant p1 not allowed to create port on this network"},
		{fault.RevisionNumberConstraintFailed(3, 4), 412, "RevisionNumberConstraintFailed", "Constrained to 3, but current revision is 4"},
		{fault.TagResourceNotFound("networks", "n1"), 404, "TagResourceNotFound", "Resource networks n1 could not be found."},
		{fault.TagNotFound("red"), 404, "TagNotFound", "Tag red could not be found."},
		{fault.OverQuota("port"), 409, "OverQuota", "Quota exceeded for resources: ['port']."},
		{fault.ResourceNotFound("widgets", "w1"), 404, "NotFound", "widgets w1 could not be found."},

		// backend and trace
		{fault.ClusterTooLarge("big"), 413, "HTTPRequestEntityTooLarge", "MidoNet cluster: big"},
		{fault.ClusterError(502, "down"), 502, "MidonetApiError", "MidoNet cluster: down"},
		{fault.BackendFailed("boom"), 500, "MidonetApiError", "The MidoNet backend failed to apply the change: boom"},
		{fault.TraceForbidden(), 403, "HTTPForbidden", "Only an admin may trace packets."},
		{fault.TraceFailed(errors.New("boom")), 500, "TraceFailed", "boom"},
		{fault.AmbiguousPortName(2, "vm"), 409, "AmbiguousPortName", "2 ports are named vm; give the port id."},

		// agents
		{fault.AgentNotFound("a1"), 404, "AgentNotFound", "Agent a1 could not be found."},
		{fault.AgentUpdateNotSupported(), 400, "AgentUpdateNotSupported", "Updating admin_state_up of a MidoNet agent is not supported; only description can be updated."},
		{fault.AgentDeleteNotSupported(), 400, "AgentDeleteNotSupported", "Deleting a MidoNet agent is not supported."},
		{fault.AgentMembershipNotFound("m1"), 404, "AgentMembershipNotFound", "Agent membership m1 could not be found."},
		{fault.AgentMembershipExists("h1"), 409, "AgentMembershipExists", "Agent h1 is already a member."},

		// networks
		{fault.NetworkNotFound("n1"), 404, "NetworkNotFound", "Network n1 could not be found."},
		{fault.NetworkInUse("n1", []string{"p1", "p2"}), 409, "NetworkInUse", "Unable to complete operation on network n1. There are one or more ports still in use on the network, id for these ports is: p1,p2."},
		{fault.NetworkMTUSubnetConflict("n1", 1280), 409, "NetworkMTUSubnetConflict", "MTU of n1 is not valid, subnet requires a minimum of 1280"},
		{fault.InvalidSharedSetting("n1"), 409, "InvalidSharedSetting", "Unable to reconfigure sharing settings for network n1. Multiple tenants are using it."},
		{fault.NoNetworkAvailable(), 503, "NoNetworkAvailable", "Unable to create the network. No tenant network is available for allocation."},

		// subnets
		{fault.SubnetNotFound("s1"), 404, "SubnetNotFound", "Subnet s1 could not be found."},
		{fault.SubnetInUse("s1"), 409, "SubnetInUse", "Unable to complete operation on subnet s1: One or more ports have an IP allocation from this subnet."},
		{fault.InvalidAllocationPool(a, b), 400, "InvalidAllocationPool", "The allocation pool {'start': '10.0.0.2', 'end': '10.0.0.9'} is not valid."},
		{fault.OutOfBoundsAllocationPool(a, b, cidr), 400, "OutOfBoundsAllocationPool", "The allocation pool 10.0.0.2-10.0.0.9 spans beyond the subnet cidr 10.0.0.0/24."},
		{fault.OverlappingAllocationPools([]string{"10.0.0.2-10.0.0.9", "10.0.0.5-10.0.0.6"}, cidr), 409, "OverlappingAllocationPools", "Found overlapping allocation pools: 10.0.0.2-10.0.0.9 10.0.0.5-10.0.0.6 for subnet 10.0.0.0/24."},
		{fault.GatewayConflictWithAllocationPools(a, a, b), 409, "GatewayConflictWithAllocationPools", "Gateway ip 10.0.0.2 conflicts with allocation pool 10.0.0.2-10.0.0.9."},
		{fault.DNSNameServersExhausted("s1", 5), 400, "DNSNameServersExhausted", "Unable to complete operation for s1. The number of DNS nameservers exceeds the limit 5."},
		{fault.HostRoutesExhausted("s1", 20), 400, "HostRoutesExhausted", "Unable to complete operation for s1. The number of host routes exceeds the limit 20."},

		// subnet pools and address scopes
		{fault.SubnetPoolNotFound("sp1"), 404, "SubnetPoolNotFound", "Subnet pool sp1 could not be found."},
		{fault.SubnetPoolDeleteError("Subnet pool has existing allocations"), 400, "SubnetPoolDeleteError", "Unable to delete subnet pool: Subnet pool has existing allocations."},
		{fault.IllegalSubnetPoolPrefixUpdate("Existing prefixes must be a subset of the new prefixes"), 400, "IllegalSubnetPoolPrefixUpdate", "Illegal update to prefixes: Existing prefixes must be a subset of the new prefixes."},
		{fault.IllegalSubnetPoolPrefixBounds("min_prefixlen", 30, "max_prefixlen", 28), 400, "IllegalSubnetPoolPrefixBounds", "Illegal prefix bounds: min_prefixlen=30, max_prefixlen=28."},
		{fault.IllegalSubnetPoolAssociationToAddressScope("sp1", "as1"), 400, "IllegalSubnetPoolAssociationToAddressScope", "Illegal subnetpool association: subnetpool sp1 cannot be associated with address scope as1."},
		{fault.IllegalSubnetPoolIpVersionAssociationToAddressScope("sp1", "as1", 6), 400, "IllegalSubnetPoolIpVersionAssociationToAddressScope", "Illegal subnetpool association: subnetpool sp1 cannot associate with address scope as1 because subnetpool ip_version is not 6."},
		{fault.AddressScopePrefixConflict(), 409, "AddressScopePrefixConflict", "Failed to associate address scope: subnetpools within an address scope must have unique prefixes."},
		{fault.MinPrefixSubnetAllocationError(28, 29), 400, "MinPrefixSubnetAllocationError", "Unable to allocate subnet with prefix length 28, minimum allowed prefix is 29."},
		{fault.SubnetAllocationUnavailable(), 409, "SubnetAllocationError", "Failed to allocate subnet: Cannot allocate requested subnet from the available set of prefixes."},
		{fault.SubnetAllocationInsufficientSpace(24), 409, "SubnetAllocationError", "Failed to allocate subnet: Insufficient prefix space to allocate subnet size /24."},
		{fault.AddressScopeNotFound("as1"), 404, "AddressScopeNotFound", "Address scope as1 could not be found."},
		{fault.AddressScopeInUse("as1"), 409, "AddressScopeInUse", "Unable to complete operation on address scope as1. There are one or more subnet pools in use on the address scope."},
		{fault.AddressScopeUpdateError("as1", "Shared address scope can't be unshared"), 400, "AddressScopeUpdateError", "Unable to update address scope as1 : Shared address scope can't be unshared."},

		// ports
		{fault.PortNotFound("p1"), 404, "PortNotFound", "Port p1 could not be found."},
		{fault.MacAddressInUse("n1", "fa:16:3e:00:00:01"), 409, "MacAddressInUse", "Unable to complete operation for network n1. The mac address fa:16:3e:00:00:01 is in use."},
		{fault.MacAddressGenerationFailure("n1"), 503, "MacAddressGenerationFailure", "Unable to generate unique mac on network n1."},
		{fault.IPAddressGenerationFailure("n1"), 409, "IpAddressGenerationFailure", "No more IP addresses available on network n1."},
		{fault.IPAddressAlreadyAllocated(a, "s1"), 409, "IpAddressAlreadyAllocated", "IP address 10.0.0.2 already allocated in subnet s1"},
		{fault.AllocationOnAutoAddressSubnet("2001:db8::5", "s1"), 400, "AllocationOnAutoAddressSubnet", "IPv6 address 2001:db8::5 cannot be directly assigned to a port on subnet s1 as the subnet is configured for automatic addresses"},
		{fault.InvalidIPForNetwork("10.9.9.9"), 400, "InvalidIpForNetwork", "IP address 10.9.9.9 is not a valid IP for any of the subnets on the specified network."},
		{fault.InvalidIPForSubnet("10.9.9.9"), 400, "InvalidIpForSubnet", "IP address 10.9.9.9 is not a valid IP for the specified subnet."},
		{fault.PortSecurityAndIPRequiredForSecurityGroups(), 400, "PortSecurityAndIPRequiredForSecurityGroups", "Port security must be enabled and port must have an IP address in order to use security groups."},
		{fault.PortSecurityPortHasSecurityGroup(), 409, "PortSecurityPortHasSecurityGroup", "Port has security group associated. Cannot disable port security or IP address until security group is removed."},
		{fault.AddressPairAndPortSecurityRequired(), 409, "AddressPairAndPortSecurityRequired", "Port Security must be enabled in order to have allowed address pairs on a port."},
		{fault.AllowedAddressPairExhausted(10), 400, "AllowedAddressPairExhausted", "The number of allowed address pair exceeds the maximum 10."},
		{fault.AllowedAddressPairsMissingIP(), 400, "AllowedAddressPairsMissingIP", "AllowedAddressPair must contain ip_address"},
		{fault.DuplicateAddressPairInRequest("None", "10.0.0.2"), 400, "DuplicateAddressPairInRequest", "Request contains duplicate address pair: mac_address None ip_address 10.0.0.2."},
		{fault.DeviceIDNotOwnedByTenant("r1"), 409, "DeviceIDNotOwnedByTenant", "The following device_id r1 is not owned by your tenant or matches another tenants router."},
		{fault.PortBound("p1", "ovs", "m1", "m2"), 409, "PortBound", "Unable to complete operation on port p1, port is already bound, port type: ovs, old_mac m1, new_mac m2."},
		{fault.UnsupportedPortDeviceOwner("network:router_gateway", "p1"), 409, "UnsupportedPortDeviceOwner", "Operation update_port is not supported for device_owner network:router_gateway on port p1."},
		{fault.ServicePortInUse("p1", "network:router_interface"), 409, "ServicePortInUse", "Port p1 cannot be deleted directly via the port API: has device owner network:router_interface."},

		// security groups and rules
		{fault.SecurityGroupNotFound("g1"), 404, "SecurityGroupNotFound", "Security group g1 does not exist"},
		{fault.SecurityGroupInUse("g1"), 409, "SecurityGroupInUse", "Security Group g1 in use."},
		{fault.SecurityGroupDefaultAlreadyExists(), 409, "SecurityGroupDefaultAlreadyExists", "Default security group already exists."},
		{fault.SecurityGroupCannotUpdateDefault(), 409, "SecurityGroupCannotUpdateDefault", "Updating default security group not allowed."},
		{fault.SecurityGroupCannotRemoveDefault(), 409, "SecurityGroupCannotRemoveDefault", "Removing default security group not allowed."},
		{fault.SecurityGroupRuleNotFound("r1"), 404, "SecurityGroupRuleNotFound", "Security group rule r1 does not exist"},
		{fault.SecurityGroupRuleExists("r1"), 409, "SecurityGroupRuleExists", "Security group rule already exists. Rule id is r1."},
		{fault.SecurityGroupRuleInvalidEtherType(nil), 400, "SecurityGroupRuleInvalidEtherType", "Security group rule for ethertype '<nil>' not supported. Allowed values are ['IPv4', 'IPv6']."},
		{fault.SecurityGroupRuleInvalidProtocol("foo", "[tcp]"), 400, "SecurityGroupRuleInvalidProtocol", "Security group rule protocol foo not supported. Only protocol values [tcp]"},
		{fault.SecurityGroupEthertypeConflictWithProtocol("IPv4", "ipv6-icmp"), 400, "SecurityGroupEthertypeConflictWithProtocol", "Invalid ethertype IPv4 for protocol ipv6-icmp."},
		{fault.SecurityGroupMultipleRemoteEntites(), 400, "SecurityGroupMultipleRemoteEntites", "Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided."},
		{fault.SecurityGroupRuleParameterConflict("IPv6", "10.0.0.0/8"), 400, "SecurityGroupRuleParameterConflict", "Conflicting value ethertype IPv6 for CIDR 10.0.0.0/8"},
		{fault.SecurityGroupProtocolRequiredWithPorts(), 400, "SecurityGroupProtocolRequiredWithPorts", "Must also specify protocol if port range is given."},
		{fault.SecurityGroupInvalidPortValue(70000), 400, "SecurityGroupInvalidPortValue", "Invalid value for port 70000"},
		{fault.SecurityGroupInvalidPortRange(), 400, "SecurityGroupInvalidPortRange", "For TCP/UDP protocols, port_range_min must be <= port_range_max"},
		{fault.SecurityGroupInvalidIcmpValue("type", "port_range_min", 256), 400, "SecurityGroupInvalidIcmpValue", "Invalid value for ICMP type (port_range_min) 256. It must be 0 to 255."},
		{fault.SecurityGroupMissingIcmpType(3), 400, "SecurityGroupMissingIcmpType", "ICMP code (port-range-max) 3 is provided but ICMP type (port-range-min) is missing."},

		// routers, interfaces, routes
		{fault.RouterNotFound("r1"), 404, "RouterNotFound", "Router r1 could not be found"},
		{fault.RouterInUse("r1", []string{"p1", "p2"}), 409, "RouterInUse", "Router r1 has ports still attached: p1, p2"},
		{fault.RouterExternalGatewayInUseByFloatingIP("r1", "n1"), 409, "RouterExternalGatewayInUseByFloatingIp", "Gateway cannot be updated for router r1, since a gateway to external network n1 is required by one or more floating IPs."},
		{fault.PortInUse("p1", "n1", "d1"), 409, "PortInUse", "Unable to complete operation on port p1 for network n1. Port already has an attached device d1."},
		{fault.RouterInterfaceNotFound("r1", "p1"), 404, "RouterInterfaceNotFound", "Router r1 does not have an interface with id p1"},
		{fault.RouterInterfaceNotFoundForSubnet("r1", "s1"), 404, "RouterInterfaceNotFoundForSubnet", "Router r1 has no interface on subnet s1"},
		{fault.SubnetMismatchForPort("p1", "s1"), 400, "SubnetMismatchForPort", "Subnet on port p1 does not match the requested subnet s1."},
		{fault.RouterInterfaceInUseByRoute("s1", "r1"), 409, "RouterInterfaceInUseByRoute", "Router interface for subnet s1 on router r1 cannot be deleted, as it is required by one or more routes."},
		{fault.RouterInterfaceInUseByFloatingIP("s1", "r1"), 409, "RouterInterfaceInUseByFloatingIP", "Router interface for subnet s1 on router r1 cannot be deleted, as it is required by one or more floating IPs."},
		{fault.RouterInterfaceInUseAsGatewayByFloatingIP("s1", "r1"), 409, "RouterInterfaceInUseAsGatewayByFloatingIP", "Router interface for subnet s1 on router r1 cannot be deleted, as it is required by one or more floating IPs as a gateway."},
		{fault.RoutesExhausted("r1", 30), 400, "RoutesExhausted", "Unable to complete operation for r1. The number of routes exceeds the maximum 30."},
		{fault.InvalidRoutes("[{}]", "the nexthop is used by router"), 400, "InvalidRoutes", "Invalid format for routes: [{}], the nexthop is used by router"},

		// floating IPs
		{fault.FloatingIPNotFound("f1"), 404, "FloatingIPNotFound", "Floating IP f1 could not be found"},
		{fault.ExternalIPAddressExhausted("n1"), 400, "ExternalIpAddressExhausted", "Unable to find any IP address on external network n1."},
		{fault.FloatingIPPortAlreadyAssociated("1.1.1.1", "f1", "p1", "10.0.0.2", "n1"), 409, "FloatingIPPortAlreadyAssociated", "Cannot associate floating IP 1.1.1.1 (f1) with port p1 using fixed IP 10.0.0.2, as that fixed IP already has a floating IP on external network n1."},
		{fault.ExternalGatewayForFloatingIPNotFound("n1", "s1", "p1"), 404, "ExternalGatewayForFloatingIPNotFound", "External network n1 is not reachable from subnet s1.  Therefore, cannot associate Port p1 with a Floating IP."},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			if tc.f.Status != tc.status || tc.f.Type != tc.typ || tc.f.Message != tc.msg {
				t.Errorf("got %d %s %q, want %d %s %q", tc.f.Status, tc.f.Type, tc.f.Message, tc.status, tc.typ, tc.msg)
			}
		})
	}
}

func TestIsType(t *testing.T) {
	wrapped := fmt.Errorf("allocating: %w", fault.IPAddressGenerationFailure("n1"))
	for _, tc := range []struct {
		name string
		err  error
		typ  string
		want bool
	}{
		{"direct", fault.IPAddressGenerationFailure("n1"), fault.TypeIPAddressGenerationFailure, true},
		{"wrapped", wrapped, fault.TypeIPAddressGenerationFailure, true},
		{"other type", fault.IPAddressAlreadyAllocated(netip.MustParseAddr("10.0.0.1"), "s1"), fault.TypeIPAddressGenerationFailure, false},
		{"not a fault", errors.New("IpAddressGenerationFailure"), fault.TypeIPAddressGenerationFailure, false},
		{"nil", nil, fault.TypeIPAddressGenerationFailure, false},
	} {
		if got := fault.IsType(tc.err, tc.typ); got != tc.want {
			t.Errorf("%s: IsType = %v, want %v", tc.name, got, tc.want)
		}
	}
}
