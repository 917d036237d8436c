package fault

import (
	"net/http"
	"net/netip"
	"strings"
)

// The faults of the core plugin: networks, subnets, subnet pools, address scopes, ports and
// security groups, worded as Neutron words them.

// Networks.

// NetworkNotFound is 404 NetworkNotFound.
func NetworkNotFound(id string) *Fault {
	return NotFound("NetworkNotFound", "Network %s could not be found.", id)
}

// NetworkInUse is 409 NetworkInUse: ports other than DHCP's are still on the network.
func NetworkInUse(id string, ports []string) *Fault {
	return Conflict("NetworkInUse", "Unable to complete operation on network %s. There are one or more ports still in use on the network, id for these ports is: %s.", id, strings.Join(ports, ","))
}

// NetworkMTUSubnetConflict is 409 NetworkMTUSubnetConflict: the MTU is below what a subnet needs.
func NetworkMTUSubnetConflict(id string, min int) *Fault {
	return Conflict("NetworkMTUSubnetConflict", "MTU of %s is not valid, subnet requires a minimum of %d", id, min)
}

// InvalidSharedSetting is 409 InvalidSharedSetting: other projects use the network.
func InvalidSharedSetting(id string) *Fault {
	return Conflict("InvalidSharedSetting", "Unable to reconfigure sharing settings for network %s. Multiple tenants are using it.", id)
}

// NoNetworkAvailable is 503 NoNetworkAvailable: no tenant network type is configured.
func NoNetworkAvailable() *Fault {
	return New(http.StatusServiceUnavailable, "NoNetworkAvailable", "Unable to create the network. No tenant network is available for allocation.")
}

// Subnets.

// SubnetNotFound is 404 SubnetNotFound.
func SubnetNotFound(id string) *Fault {
	return NotFound("SubnetNotFound", "Subnet %s could not be found.", id)
}

// SubnetInUse is 409 SubnetInUse: ports hold addresses from the subnet.
func SubnetInUse(id string) *Fault {
	return Conflict("SubnetInUse", "Unable to complete operation on subnet %s: One or more ports have an IP allocation from this subnet.", id)
}

// InvalidAllocationPool is 400 InvalidAllocationPool: a pool of the wrong version or reversed.
func InvalidAllocationPool(start, end netip.Addr) *Fault {
	return Invalid("InvalidAllocationPool", "The allocation pool {'start': '%s', 'end': '%s'} is not valid.", start, end)
}

// OutOfBoundsAllocationPool is 400 OutOfBoundsAllocationPool: a pool outside the cidr.
func OutOfBoundsAllocationPool(start, end netip.Addr, cidr netip.Prefix) *Fault {
	return Invalid("OutOfBoundsAllocationPool", "The allocation pool %s-%s spans beyond the subnet cidr %s.", start, end, cidr)
}

// OverlappingAllocationPools is 409 OverlappingAllocationPools; pools are "start-end" strings.
func OverlappingAllocationPools(pools []string, cidr netip.Prefix) *Fault {
	return Conflict("OverlappingAllocationPools", "Found overlapping allocation pools: %s for subnet %s.", strings.Join(pools, " "), cidr)
}

// GatewayConflictWithAllocationPools is 409 GatewayConflictWithAllocationPools.
func GatewayConflictWithAllocationPools(gateway, start, end netip.Addr) *Fault {
	return Conflict("GatewayConflictWithAllocationPools", "Gateway ip %s conflicts with allocation pool %s-%s.", gateway, start, end)
}

// DNSNameServersExhausted is 400 DNSNameServersExhausted: more than max_dns_nameservers.
func DNSNameServersExhausted(subnetID string, limit int) *Fault {
	return Invalid("DNSNameServersExhausted", "Unable to complete operation for %s. The number of DNS nameservers exceeds the limit %d.", subnetID, limit)
}

// HostRoutesExhausted is 400 HostRoutesExhausted: more than max_subnet_host_routes.
func HostRoutesExhausted(subnetID string, limit int) *Fault {
	return Invalid("HostRoutesExhausted", "Unable to complete operation for %s. The number of host routes exceeds the limit %d.", subnetID, limit)
}

// Subnet pools and address scopes.

// SubnetPoolNotFound is 404 SubnetPoolNotFound.
func SubnetPoolNotFound(id string) *Fault {
	return NotFound("SubnetPoolNotFound", "Subnet pool %s could not be found.", id)
}

// SubnetPoolDeleteError is 400 SubnetPoolDeleteError: subnets were allocated from the pool
// (Neutron 21's delete_subnetpool).
func SubnetPoolDeleteError(reason string) *Fault {
	return Invalid("SubnetPoolDeleteError", "Unable to delete subnet pool: %s.", reason)
}

// IllegalSubnetPoolPrefixUpdate is 400 IllegalSubnetPoolPrefixUpdate: a prefix would shrink,
// or one to remove is in use.
func IllegalSubnetPoolPrefixUpdate(msg string) *Fault {
	return Invalid("IllegalSubnetPoolPrefixUpdate", "Illegal update to prefixes: %s.", msg)
}

// IllegalSubnetPoolPrefixBounds is 400 IllegalSubnetPoolPrefixBounds: min/default/max prefix
// lengths out of order or beyond the IP version.
func IllegalSubnetPoolPrefixBounds(typ string, length int64, baseType string, baseLength int64) *Fault {
	return Invalid("IllegalSubnetPoolPrefixBounds", "Illegal prefix bounds: %s=%d, %s=%d.", typ, length, baseType, baseLength)
}

// UnsupportedMinSubnetPoolPrefix is 400 UnsupportedMinSubnetPoolPrefix: a negative min_prefixlen.
func UnsupportedMinSubnetPoolPrefix(prefix int64, version int) *Fault {
	return Invalid("UnsupportedMinSubnetPoolPrefix", "Prefix '%d' not supported in IPv%d pool.", prefix, version)
}

// EmptySubnetPoolPrefixList is 400 EmptySubnetPoolPrefixList.
func EmptySubnetPoolPrefixList() *Fault {
	return Invalid("EmptySubnetPoolPrefixList", "Empty subnet pool prefix list.")
}

// PrefixVersionMismatch is 400 PrefixVersionMismatch: IPv4 and IPv6 prefixes in one pool.
func PrefixVersionMismatch() *Fault {
	return Invalid("PrefixVersionMismatch", "Cannot mix IPv4 and IPv6 prefixes in a subnet pool.")
}

// IllegalSubnetPoolUpdate is 400 IllegalSubnetPoolUpdate.
func IllegalSubnetPoolUpdate(reason string) *Fault {
	return Invalid("IllegalSubnetPoolUpdate", "Illegal subnetpool update : %s.", reason)
}

// IllegalSubnetPoolAssociationToAddressScope is 400 IllegalSubnetPoolAssociationToAddressScope.
func IllegalSubnetPoolAssociationToAddressScope(poolID, scopeID string) *Fault {
	return Invalid("IllegalSubnetPoolAssociationToAddressScope", "Illegal subnetpool association: subnetpool %s cannot be associated with address scope %s.", poolID, scopeID)
}

// IllegalSubnetPoolIpVersionAssociationToAddressScope is 400
// IllegalSubnetPoolIpVersionAssociationToAddressScope: the pool's IP version is not the scope's.
func IllegalSubnetPoolIpVersionAssociationToAddressScope(poolID, scopeID string, version int64) *Fault {
	return Invalid("IllegalSubnetPoolIpVersionAssociationToAddressScope", "Illegal subnetpool association: subnetpool %s cannot associate with address scope %s because subnetpool ip_version is not %d.", poolID, scopeID, version)
}

// AddressScopePrefixConflict is 409 AddressScopePrefixConflict: two pools of one scope overlap.
func AddressScopePrefixConflict() *Fault {
	return Conflict("AddressScopePrefixConflict", "Failed to associate address scope: subnetpools within an address scope must have unique prefixes.")
}

// NetworkSubnetPoolAffinityError is 400 NetworkSubnetPoolAffinityError: subnets of one IP
// version on a network from different pools (outside an address scope).
func NetworkSubnetPoolAffinityError() *Fault {
	return Invalid("NetworkSubnetPoolAffinityError", "Subnets hosted on the same network must be allocated from the same subnet pool.")
}

// NetworkAddressScopeAffinityError is 400 NetworkAddressScopeAffinityError.
func NetworkAddressScopeAffinityError() *Fault {
	return Invalid("NetworkAddressScopeAffinityError", "Subnets of the same address family hosted on the same network must all participate in the same address scope.")
}

// MinPrefixSubnetAllocationError is 400 MinPrefixSubnetAllocationError: a subnet shorter than
// the pool's min_prefixlen.
func MinPrefixSubnetAllocationError(length, min int64) *Fault {
	return Invalid("MinPrefixSubnetAllocationError", "Unable to allocate subnet with prefix length %d, minimum allowed prefix is %d.", length, min)
}

// MaxPrefixSubnetAllocationError is 400 MaxPrefixSubnetAllocationError: a subnet longer than
// the pool's max_prefixlen.
func MaxPrefixSubnetAllocationError(length, max int64) *Fault {
	return Invalid("MaxPrefixSubnetAllocationError", "Unable to allocate subnet with prefix length %d, maximum allowed prefix is %d.", length, max)
}

// SubnetPoolQuotaExceeded is 409 SubnetPoolQuotaExceeded: the pool's default_quota (in /32
// or /64 units) per project is used up.
func SubnetPoolQuotaExceeded() *Fault {
	return Conflict("SubnetPoolQuotaExceeded", "Per-tenant subnet pool prefix quota exceeded.")
}

// SubnetAllocationUnavailable is SubnetAllocationError for a cidr outside what the pool has
// free. Neutron raises a bare NeutronException (500); it is a 409 here, never a 500.
func SubnetAllocationUnavailable() *Fault {
	return Conflict("SubnetAllocationError", "Failed to allocate subnet: Cannot allocate requested subnet from the available set of prefixes.")
}

// SubnetAllocationInsufficientSpace is 409 SubnetAllocationError: no free prefix of the length.
func SubnetAllocationInsufficientSpace(length int64) *Fault {
	return Conflict("SubnetAllocationError", "Failed to allocate subnet: Insufficient prefix space to allocate subnet size /%d.", length)
}

// AddressScopeNotFound is 404 AddressScopeNotFound.
func AddressScopeNotFound(id string) *Fault {
	return NotFound("AddressScopeNotFound", "Address scope %s could not be found.", id)
}

// AddressScopeInUse is 409 AddressScopeInUse: subnet pools are in the scope.
func AddressScopeInUse(id string) *Fault {
	return Conflict("AddressScopeInUse", "Unable to complete operation on address scope %s. There are one or more subnet pools in use on the address scope.", id)
}

// AddressScopeUpdateError is 400 AddressScopeUpdateError (a shared scope made unshared).
func AddressScopeUpdateError(id, reason string) *Fault {
	return Invalid("AddressScopeUpdateError", "Unable to update address scope %s : %s.", id, reason)
}

// Ports.

// PortNotFound is 404 PortNotFound.
func PortNotFound(id string) *Fault {
	return NotFound("PortNotFound", "Port %s could not be found.", id)
}

// MacAddressInUse is 409 MacAddressInUse.
func MacAddressInUse(networkID, mac string) *Fault {
	return Conflict("MacAddressInUse", "Unable to complete operation for network %s. The mac address %s is in use.", networkID, mac)
}

// MacAddressGenerationFailure is 503 MacAddressGenerationFailure: no free MAC was found.
func MacAddressGenerationFailure(networkID string) *Fault {
	return New(http.StatusServiceUnavailable, "MacAddressGenerationFailure", "Unable to generate unique mac on network %s.", networkID)
}

// TypeIPAddressGenerationFailure is the type of IPAddressGenerationFailure, for IsType.
const TypeIPAddressGenerationFailure = "IpAddressGenerationFailure"

// IPAddressGenerationFailure is 409 IpAddressGenerationFailure: the network has no free address.
func IPAddressGenerationFailure(networkID string) *Fault {
	return Conflict(TypeIPAddressGenerationFailure, "No more IP addresses available on network %s.", networkID)
}

// IPAddressAlreadyAllocated is 409 IpAddressAlreadyAllocated.
func IPAddressAlreadyAllocated(ip netip.Addr, subnetID string) *Fault {
	return Conflict("IpAddressAlreadyAllocated", "IP address %s already allocated in subnet %s", ip, subnetID)
}

// AllocationOnAutoAddressSubnet is 400 AllocationOnAutoAddressSubnet: a fixed address on a SLAAC subnet.
func AllocationOnAutoAddressSubnet(ip, subnetID string) *Fault {
	return Invalid("AllocationOnAutoAddressSubnet", "IPv6 address %s cannot be directly assigned to a port on subnet %s as the subnet is configured for automatic addresses", ip, subnetID)
}

// InvalidIPForNetwork is 400 InvalidIpForNetwork: no subnet of the network holds the address.
func InvalidIPForNetwork(ip string) *Fault {
	return Invalid("InvalidIpForNetwork", "IP address %s is not a valid IP for any of the subnets on the specified network.", ip)
}

// InvalidIPForSubnet is 400 InvalidIpForSubnet.
func InvalidIPForSubnet(ip string) *Fault {
	return Invalid("InvalidIpForSubnet", "IP address %s is not a valid IP for the specified subnet.", ip)
}

// PortSecurityAndIPRequiredForSecurityGroups is 400 PortSecurityAndIPRequiredForSecurityGroups.
func PortSecurityAndIPRequiredForSecurityGroups() *Fault {
	return Invalid("PortSecurityAndIPRequiredForSecurityGroups", "Port security must be enabled and port must have an IP address in order to use security groups.")
}

// PortSecurityPortHasSecurityGroup is 409 PortSecurityPortHasSecurityGroup.
func PortSecurityPortHasSecurityGroup() *Fault {
	return Conflict("PortSecurityPortHasSecurityGroup", "Port has security group associated. Cannot disable port security or IP address until security group is removed.")
}

// AddressPairAndPortSecurityRequired is 409 AddressPairAndPortSecurityRequired.
func AddressPairAndPortSecurityRequired() *Fault {
	return Conflict("AddressPairAndPortSecurityRequired", "Port Security must be enabled in order to have allowed address pairs on a port.")
}

// AllowedAddressPairExhausted is 400 AllowedAddressPairExhausted: more than max_allowed_address_pair.
func AllowedAddressPairExhausted(max int) *Fault {
	return Invalid("AllowedAddressPairExhausted", "The number of allowed address pair exceeds the maximum %d.", max)
}

// AllowedAddressPairsMissingIP is 400 AllowedAddressPairsMissingIP.
func AllowedAddressPairsMissingIP() *Fault {
	return Invalid("AllowedAddressPairsMissingIP", "AllowedAddressPair must contain ip_address")
}

// DuplicateAddressPairInRequest is 400 DuplicateAddressPairInRequest; mac is "None" when absent.
func DuplicateAddressPairInRequest(mac, ip string) *Fault {
	return Invalid("DuplicateAddressPairInRequest", "Request contains duplicate address pair: mac_address %s ip_address %s.", mac, ip)
}

// DeviceIDNotOwnedByTenant is 409 DeviceIDNotOwnedByTenant: the device is another project's router.
func DeviceIDNotOwnedByTenant(deviceID string) *Fault {
	return Conflict("DeviceIDNotOwnedByTenant", "The following device_id %s is not owned by your tenant or matches another tenants router.", deviceID)
}

// PortBound is 409 PortBound: the MAC of a bound port cannot change.
func PortBound(id, vifType, oldMAC, newMAC string) *Fault {
	return Conflict("PortBound", "Unable to complete operation on port %s, port is already bound, port type: %s, old_mac %s, new_mac %s.", id, vifType, oldMAC, newMAC)
}

// UnsupportedPortDeviceOwner is 409 UnsupportedPortDeviceOwner: the port's owner forbids the update.
func UnsupportedPortDeviceOwner(owner, portID string) *Fault {
	return Conflict("UnsupportedPortDeviceOwner", "Operation update_port is not supported for device_owner %s on port %s.", owner, portID)
}

// ServicePortInUse is 409 ServicePortInUse: a router's port deleted through the port API.
func ServicePortInUse(id, owner string) *Fault {
	return Conflict("ServicePortInUse", "Port %s cannot be deleted directly via the port API: has device owner %s.", id, owner)
}

// Security groups and rules.

// SecurityGroupNotFound is 404 SecurityGroupNotFound.
func SecurityGroupNotFound(id string) *Fault {
	return NotFound("SecurityGroupNotFound", "Security group %s does not exist", id)
}

// SecurityGroupInUse is 409 SecurityGroupInUse: ports still use the group.
func SecurityGroupInUse(id string) *Fault {
	return Conflict("SecurityGroupInUse", "Security Group %s in use.", id)
}

// SecurityGroupDefaultAlreadyExists is 409 SecurityGroupDefaultAlreadyExists.
func SecurityGroupDefaultAlreadyExists() *Fault {
	return Conflict("SecurityGroupDefaultAlreadyExists", "Default security group already exists.")
}

// SecurityGroupCannotUpdateDefault is 409 SecurityGroupCannotUpdateDefault.
func SecurityGroupCannotUpdateDefault() *Fault {
	return Conflict("SecurityGroupCannotUpdateDefault", "Updating default security group not allowed.")
}

// SecurityGroupCannotRemoveDefault is 409 SecurityGroupCannotRemoveDefault.
func SecurityGroupCannotRemoveDefault() *Fault {
	return Conflict("SecurityGroupCannotRemoveDefault", "Removing default security group not allowed.")
}

// SecurityGroupRuleNotFound is 404 SecurityGroupRuleNotFound.
func SecurityGroupRuleNotFound(id string) *Fault {
	return NotFound("SecurityGroupRuleNotFound", "Security group rule %s does not exist", id)
}

// SecurityGroupRuleExists is 409 SecurityGroupRuleExists; id is the existing rule's.
func SecurityGroupRuleExists(id string) *Fault {
	return Conflict("SecurityGroupRuleExists", "Security group rule already exists. Rule id is %s.", id)
}

// SecurityGroupRuleInvalidEtherType is 400 SecurityGroupRuleInvalidEtherType.
func SecurityGroupRuleInvalidEtherType(ethertype any) *Fault {
	return Invalid("SecurityGroupRuleInvalidEtherType", "Security group rule for ethertype '%v' not supported. Allowed values are ['IPv4', 'IPv6'].", ethertype)
}

// SecurityGroupRuleInvalidProtocol is 400 SecurityGroupRuleInvalidProtocol; allowed lists the accepted values.
func SecurityGroupRuleInvalidProtocol(protocol any, allowed string) *Fault {
	return Invalid("SecurityGroupRuleInvalidProtocol", "Security group rule protocol %v not supported. Only protocol values %s", protocol, allowed)
}

// SecurityGroupEthertypeConflictWithProtocol is 400 SecurityGroupEthertypeConflictWithProtocol.
func SecurityGroupEthertypeConflictWithProtocol(ethertype string, protocol any) *Fault {
	return Invalid("SecurityGroupEthertypeConflictWithProtocol", "Invalid ethertype %s for protocol %v.", ethertype, protocol)
}

// SecurityGroupMultipleRemoteEntites is 400 SecurityGroupMultipleRemoteEntites (Neutron's spelling).
func SecurityGroupMultipleRemoteEntites() *Fault {
	return Invalid("SecurityGroupMultipleRemoteEntites", "Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.")
}

// SecurityGroupRuleParameterConflict is 400 SecurityGroupRuleParameterConflict: the cidr is of the other version.
func SecurityGroupRuleParameterConflict(ethertype, cidr string) *Fault {
	return Invalid("SecurityGroupRuleParameterConflict", "Conflicting value ethertype %s for CIDR %s", ethertype, cidr)
}

// SecurityGroupProtocolRequiredWithPorts is 400 SecurityGroupProtocolRequiredWithPorts.
func SecurityGroupProtocolRequiredWithPorts() *Fault {
	return Invalid("SecurityGroupProtocolRequiredWithPorts", "Must also specify protocol if port range is given.")
}

// SecurityGroupInvalidPortValue is 400 SecurityGroupInvalidPortValue.
func SecurityGroupInvalidPortValue(port int64) *Fault {
	return Invalid("SecurityGroupInvalidPortValue", "Invalid value for port %d", port)
}

// SecurityGroupInvalidPortRange is 400 SecurityGroupInvalidPortRange.
func SecurityGroupInvalidPortRange() *Fault {
	return Invalid("SecurityGroupInvalidPortRange", "For TCP/UDP protocols, port_range_min must be <= port_range_max")
}

// SecurityGroupInvalidIcmpValue is 400 SecurityGroupInvalidIcmpValue; field is "type" or "code".
func SecurityGroupInvalidIcmpValue(field, attr string, value int64) *Fault {
	return Invalid("SecurityGroupInvalidIcmpValue", "Invalid value for ICMP %s (%s) %d. It must be 0 to 255.", field, attr, value)
}

// SecurityGroupMissingIcmpType is 400 SecurityGroupMissingIcmpType: a code without a type.
func SecurityGroupMissingIcmpType(code int64) *Fault {
	return Invalid("SecurityGroupMissingIcmpType", "ICMP code (port-range-max) %d is provided but ICMP type (port-range-min) is missing.", code)
}

// IPAddressGenerationFailureNoMatchingSubnet is 400 when no subnet of the network serves the
// port's device owner (subnet-service-types).
func IPAddressGenerationFailureNoMatchingSubnet(network, owner string) *Fault {
	return New(http.StatusBadRequest, "IpAddressGenerationFailureNoMatchingSubnet",
		"No valid service subnet for the given device owner, network %s, service type %s.", network, owner)
}
