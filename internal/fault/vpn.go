package fault

import "net/http"

// VPNaaS errors (neutron-lib's exceptions/vpn.py), in the order the VPN plugin raises them.

// VPNServiceNotFound is 404 VPNServiceNotFound.
func VPNServiceNotFound(id string) *Fault {
	return NotFound("VPNServiceNotFound", "VPNService %s could not be found", id)
}

// IPsecSiteConnectionNotFound is 404 IPsecSiteConnectionNotFound.
func IPsecSiteConnectionNotFound(id string) *Fault {
	return NotFound("IPsecSiteConnectionNotFound", "ipsec_site_connection %s not found", id)
}

// IKEPolicyNotFound is 404 IKEPolicyNotFound.
func IKEPolicyNotFound(id string) *Fault {
	return NotFound("IKEPolicyNotFound", "IKEPolicy %s could not be found", id)
}

// IPsecPolicyNotFound is 404 IPsecPolicyNotFound.
func IPsecPolicyNotFound(id string) *Fault {
	return NotFound("IPsecPolicyNotFound", "IPsecPolicy %s could not be found", id)
}

// VPNEndpointGroupNotFound is 404 VPNEndpointGroupNotFound.
func VPNEndpointGroupNotFound(id string) *Fault {
	return NotFound("VPNEndpointGroupNotFound", "Endpoint group %s could not be found", id)
}

// IPsecSiteConnectionDpdIntervalValueError is 400: the DPD timeout must exceed the interval.
func IPsecSiteConnectionDpdIntervalValueError() *Fault {
	return Invalid("IPsecSiteConnectionDpdIntervalValueError", "ipsec_site_connection dpd_timeout is equal to or less than dpd_interval")
}

// IPsecSiteConnectionMtuError is 400: an MTU below the IP version's minimum.
func IPsecSiteConnectionMtuError(mtu int64, version int) *Fault {
	return Invalid("IPsecSiteConnectionMtuError", "ipsec_site_connection MTU %d is too small for ipv%d", mtu, version)
}

// IPsecSiteConnectionPeerCidrError is 400: a peer CIDR that is not a subnet.
func IPsecSiteConnectionPeerCidrError(cidr string) *Fault {
	return Invalid("IPsecSiteConnectionPeerCidrError", "ipsec_site_connection peer cidr %s is invalid CIDR", cidr)
}

// IKEPolicyInUse is 409: a connection uses the policy.
func IKEPolicyInUse(id string) *Fault {
	return Conflict("IKEPolicyInUse", "IKEPolicy %s is in use by existing IPsecSiteConnection and can't be updated or deleted", id)
}

// IPsecPolicyInUse is 409: a connection uses the policy.
func IPsecPolicyInUse(id string) *Fault {
	return Conflict("IPsecPolicyInUse", "IPsecPolicy %s is in use by existing IPsecSiteConnection and can't be updated or deleted", id)
}

// VPNServiceInUse is 409: the service still has connections.
func VPNServiceInUse(id string) *Fault {
	return Conflict("VPNServiceInUse", "VPNService %s is still in use", id)
}

// SubnetInUseByVPNService is 409: a legacy VPN service names the subnet.
func SubnetInUseByVPNService(subnet, service string) *Fault {
	return Conflict("SubnetInUseByVPNService", "Subnet %s is used by VPNService %s", subnet, service)
}

// SubnetInUseByEndpointGroup is 409: an endpoint group names the subnet.
func SubnetInUseByEndpointGroup(subnet, group string) *Fault {
	return Conflict("SubnetInUseByEndpointGroup", "Subnet %s is used by endpoint group %s", subnet, group)
}

// SubnetInUseByIPsecSiteConnection is 409: a connection's local endpoint group names the subnet.
func SubnetInUseByIPsecSiteConnection(subnet, conn string) *Fault {
	return Conflict("SubnetInUseByIPsecSiteConnection", "Subnet %s is used by ipsec site connection %s", subnet, conn)
}

// VPNStateInvalidToUpdate is 400: a resource in a PENDING_* state cannot change.
func VPNStateInvalidToUpdate(id, state string) *Fault {
	return Invalid("VPNStateInvalidToUpdate", "Invalid state %s of vpnaas resource %s for updating", state, id)
}

// SubnetIsNotConnectedToRouter is 400.
func SubnetIsNotConnectedToRouter(subnet, router string) *Fault {
	return Invalid("SubnetIsNotConnectedToRouter", "Subnet %s is not connected to Router %s", subnet, router)
}

// RouterIsNotExternal is 400: a VPN service needs a router with a gateway.
func RouterIsNotExternal(router string) *Fault {
	return Invalid("RouterIsNotExternal", "Router %s has no external network gateway set", router)
}

// VPNPeerAddressNotResolved is 400: the peer address is no IP address (the server resolves
// no names).
func VPNPeerAddressNotResolved(addr string) *Fault {
	return Invalid("VPNPeerAddressNotResolved", "Peer address %s cannot be resolved", addr)
}

// ExternalNetworkHasNoSubnet is 400: the gateway has no address of the peer's IP version.
func ExternalNetworkHasNoSubnet(router, version string) *Fault {
	return Invalid("ExternalNetworkHasNoSubnet", "Router's %s external network has no %s subnet", router, version)
}

// InvalidEndpointInEndpointGroup is 400.
func InvalidEndpointInEndpointGroup(endpoint, groupType, why string) *Fault {
	return Invalid("InvalidEndpointInEndpointGroup", "Endpoint '%s' is invalid for group type '%s': %s", endpoint, groupType, why)
}

// MissingEndpointForEndpointGroup is 400: a group needs endpoints.
func MissingEndpointForEndpointGroup(name string) *Fault {
	return Invalid("MissingEndpointForEndpointGroup", "No endpoints specified for endpoint group '%s'", name)
}

// NonExistingSubnetInEndpointGroup is 400.
func NonExistingSubnetInEndpointGroup(subnet string) *Fault {
	return Invalid("NonExistingSubnetInEndpointGroup", "Subnet %s in endpoint group does not exist", subnet)
}

// MixedIPVersionsForIPSecEndpoints is 400.
func MixedIPVersionsForIPSecEndpoints(group string) *Fault {
	return Invalid("MixedIPVersionsForIPSecEndpoints", "Endpoints in group %s do not have the same IP version, as required for IPSec site-to-site connection", group)
}

// MixedIPVersionsForPeerCidrs is 400.
func MixedIPVersionsForPeerCidrs() *Fault {
	return Invalid("MixedIPVersionsForPeerCidrs", "Peer CIDRs do not have the same IP version, as required for IPSec site-to-site connection")
}

// MixedIPVersionsForIPSecConnection is 400.
func MixedIPVersionsForIPSecConnection() *Fault {
	return Invalid("MixedIPVersionsForIPSecConnection", "IP versions are not compatible between peer and local endpoints")
}

// InvalidEndpointGroup is 400: endpoint groups on a service with a subnet.
func InvalidEndpointGroup(which, suffix string) *Fault {
	return Invalid("InvalidEndpointGroup", "Endpoint group%s %s cannot be specified, when VPN Service has subnet specified", suffix, which)
}

// WrongEndpointGroupType is 400.
func WrongEndpointGroupType(id, groupType, expected string) *Fault {
	return Invalid("WrongEndpointGroupType", "Endpoint group %s type is '%s' and should be '%s'", id, groupType, expected)
}

// PeerCidrsInvalid is 400: peer CIDRs with endpoint groups.
func PeerCidrsInvalid() *Fault {
	return Invalid("PeerCidrsInvalid", "Peer CIDRs cannot be specified, when using endpoint groups")
}

// MissingPeerCidrs is 400.
func MissingPeerCidrs() *Fault {
	return Invalid("MissingPeerCidrs", "Missing peer CIDRs for IPsec site-to-site connection")
}

// MissingRequiredEndpointGroup is 400.
func MissingRequiredEndpointGroup(which, suffix string) *Fault {
	return Invalid("MissingRequiredEndpointGroup", "Missing endpoint group%s %s for IPSec site-to-site connection", suffix, which)
}

// EndpointGroupInUse is 400 (neutron-lib makes it a BadRequest, not an InUse).
func EndpointGroupInUse(id string) *Fault {
	return Invalid("EndpointGroupInUse", "Endpoint group %s is in use and cannot be deleted", id)
}

// IpsecValidationFailure is 400: a policy value the driver cannot run.
func IpsecValidationFailure(resource, key, value string) *Fault {
	return Invalid("IpsecValidationFailure", "IPSec does not support %s attribute %s with value '%s'", resource, key, value)
}

// RouterInUseByVPN is 409 RouterInUse: VPN services use the router.
func RouterInUseByVPN(router, services string, plural bool) *Fault {
	s := ""
	if plural {
		s = "s"
	}
	return New(http.StatusConflict, "RouterInUse", "Router %s is currently used by VPN service%s (%s)", router, s, services)
}
