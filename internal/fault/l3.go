package fault

import "strings"

// The faults of the L3 plugin: routers, their interfaces and routes, and floating IPs.

// RouterNotFound is 404 RouterNotFound.
func RouterNotFound(id string) *Fault {
	return NotFound("RouterNotFound", "Router %s could not be found", id)
}

// RouterInUse is 409 RouterInUse: interfaces are still attached.
func RouterInUse(id string, ports []string) *Fault {
	return Conflict("RouterInUse", "Router %s has ports still attached: %s", id, strings.Join(ports, ", "))
}

// RouterExternalGatewayInUseByFloatingIP is 409 RouterExternalGatewayInUseByFloatingIp.
func RouterExternalGatewayInUseByFloatingIP(routerID, networkID string) *Fault {
	return Conflict("RouterExternalGatewayInUseByFloatingIp", "Gateway cannot be updated for router %s, since a gateway to external network %s is required by one or more floating IPs.", routerID, networkID)
}

// PortInUse is 409 PortInUse: the port to attach already has a device.
func PortInUse(portID, networkID, deviceID string) *Fault {
	return Conflict("PortInUse", "Unable to complete operation on port %s for network %s. Port already has an attached device %s.", portID, networkID, deviceID)
}

// RouterInterfaceNotFound is 404 RouterInterfaceNotFound: the router has no such port.
func RouterInterfaceNotFound(routerID, portID string) *Fault {
	return NotFound("RouterInterfaceNotFound", "Router %s does not have an interface with id %s", routerID, portID)
}

// RouterInterfaceNotFoundForSubnet is 404 RouterInterfaceNotFoundForSubnet.
func RouterInterfaceNotFoundForSubnet(routerID, subnetID string) *Fault {
	return NotFound("RouterInterfaceNotFoundForSubnet", "Router %s has no interface on subnet %s", routerID, subnetID)
}

// SubnetMismatchForPort is 400 SubnetMismatchForPort.
func SubnetMismatchForPort(portID, subnetID string) *Fault {
	return Invalid("SubnetMismatchForPort", "Subnet on port %s does not match the requested subnet %s.", portID, subnetID)
}

// RouterInterfaceInUseByRoute is 409 RouterInterfaceInUseByRoute: a route's nexthop needs the interface.
func RouterInterfaceInUseByRoute(subnetID, routerID string) *Fault {
	return Conflict("RouterInterfaceInUseByRoute", "Router interface for subnet %s on router %s cannot be deleted, as it is required by one or more routes.", subnetID, routerID)
}

// RouterInterfaceInUseByFloatingIP is 409 RouterInterfaceInUseByFloatingIP.
func RouterInterfaceInUseByFloatingIP(subnetID, routerID string) *Fault {
	return Conflict("RouterInterfaceInUseByFloatingIP", "Router interface for subnet %s on router %s cannot be deleted, as it is required by one or more floating IPs.", subnetID, routerID)
}

// RouterInterfaceInUseAsGatewayByFloatingIP is 409 RouterInterfaceInUseAsGatewayByFloatingIP.
func RouterInterfaceInUseAsGatewayByFloatingIP(subnetID, routerID string) *Fault {
	return Conflict("RouterInterfaceInUseAsGatewayByFloatingIP", "Router interface for subnet %s on router %s cannot be deleted, as it is required by one or more floating IPs as a gateway.", subnetID, routerID)
}

// RoutesExhausted is 400 RoutesExhausted: more than max_routes.
func RoutesExhausted(routerID string, max int) *Fault {
	return Invalid("RoutesExhausted", "Unable to complete operation for %s. The number of routes exceeds the maximum %d.", routerID, max)
}

// InvalidRoutes is 400 InvalidRoutes; routes is the offending list as Python prints it.
func InvalidRoutes(routes, reason string) *Fault {
	return Invalid("InvalidRoutes", "Invalid format for routes: %s, %s", routes, reason)
}

// FloatingIPNotFound is 404 FloatingIPNotFound.
func FloatingIPNotFound(id string) *Fault {
	return NotFound("FloatingIPNotFound", "Floating IP %s could not be found", id)
}

// ExternalIPAddressExhausted is 400 ExternalIpAddressExhausted.
func ExternalIPAddressExhausted(networkID string) *Fault {
	return Invalid("ExternalIpAddressExhausted", "Unable to find any IP address on external network %s.", networkID)
}

// FloatingIPPortAlreadyAssociated is 409 FloatingIPPortAlreadyAssociated.
func FloatingIPPortAlreadyAssociated(floatingIP, fipID, portID, fixedIP, networkID string) *Fault {
	return Conflict("FloatingIPPortAlreadyAssociated", "Cannot associate floating IP %s (%s) with port %s using fixed IP %s, as that fixed IP already has a floating IP on external network %s.", floatingIP, fipID, portID, fixedIP, networkID)
}

// ExternalGatewayForFloatingIPNotFound is 404 ExternalGatewayForFloatingIPNotFound.
func ExternalGatewayForFloatingIPNotFound(networkID, subnetID, portID string) *Fault {
	return NotFound("ExternalGatewayForFloatingIPNotFound", "External network %s is not reachable from subnet %s.  Therefore, cannot associate Port %s with a Floating IP.", networkID, subnetID, portID)
}

// PortForwardingNotFound is 404 PortForwardingNotFound.
func PortForwardingNotFound(id string) *Fault {
	return NotFound("PortForwardingNotFound", "Port Forwarding %s could not be found.", id)
}

// FipInUseByPortForwarding is 409: a floating IP with port forwardings cannot be associated
// with a port or deleted.
func FipInUseByPortForwarding(id string) *Fault {
	return Conflict("FipInUseByPortForwarding", "Floating IP %s in use by Port Forwarding resources.", id)
}

// PortHasBindingFloatingIP is 409: a port with a floating IP cannot be a port forwarding's
// internal port.
func PortHasBindingFloatingIP(floatingIP, fipID, portID, fixedIP string) *Fault {
	return Conflict("PortHasBindingFloatingIP", "Cannot create port forwarding to floating IP %s (%s) with port %s using fixed IP %s, as that port already has a binding floating IP.", floatingIP, fipID, portID, fixedIP)
}
