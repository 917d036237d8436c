package fault

import "net/http"

// The errors of networking-midonet's gateway-device extension and of its L2 gateway driver
// (types and messages as upstream raised them).

// GatewayDeviceNotFound is 404 GatewayDeviceNotFound.
func GatewayDeviceNotFound(id string) *Fault {
	return NotFound("GatewayDeviceNotFound", "Gateway device %s does not exist", id)
}

// RemoteMacEntryNotFound is 404 RemoteMacEntryNotFound.
func RemoteMacEntryNotFound(id string) *Fault {
	return NotFound("RemoteMacEntryNotFound", "Remote MAC entry %s does not exist", id)
}

// GatewayResourceNotFound is 404 ResourceNotFound: a device's resource_id names no router
// (router_vtep) or network (network_vlan) the caller can see.
func GatewayResourceNotFound(id string) *Fault {
	return NotFound("ResourceNotFound", "specified resource %s does not exist", id)
}

// GatewayDeviceTypeInvalid is the 400 of a device missing what its type needs (upstream's
// HwVtepTypeInvalid, RouterVtepTypeInvalid, NetworkVlanTypeInvalid) or carrying what its
// type does not take.
func GatewayDeviceTypeInvalid(typ, format string, args ...any) *Fault {
	names := map[string]string{"hw_vtep": "HwVtepTypeInvalid", "router_vtep": "RouterVtepTypeInvalid", "network_vlan": "NetworkVlanTypeInvalid"}
	return InvalidInputOf(names[typ], format, args...)
}

// GatewayDeviceParamDuplicate is 409: a management IP or tunnel IP another device holds.
func GatewayDeviceParamDuplicate(param, value string) *Fault {
	return Conflict("GatewayDeviceParamDuplicate", "%s %s is already used", param, value)
}

// GatewayDeviceInUse is 409: an L2 gateway names the device.
func GatewayDeviceInUse(id string) *Fault {
	return Conflict("GatewayDeviceInUse", "Gateway device %s is in use by l2 gateway", id)
}

// DeviceInUseByGatewayDevice is 409: a router or network is a gateway device's resource.
func DeviceInUseByGatewayDevice(resourceID, resourceType string) *Fault {
	return Conflict("DeviceInUseByGatewayDevice", "device %s (%s) is in use by gateway device", resourceID, resourceType)
}

// TunnelIPsExhausted is 400: more than one tunnel IP.
func TunnelIPsExhausted() *Fault {
	return New(http.StatusBadRequest, "TunnelIPsExhausted", "Unable to complete operation for Gateway Device. The number of tunnel ips exceeds the maximum 1.")
}

// TunnelIPsRequired is 400: a router_vtep without a tunnel IP.
func TunnelIPsRequired(typ string) *Fault {
	return New(http.StatusBadRequest, "TunnelIPsRequired", "Unable to complete operation for Gateway Device. The tunnel ips are required for %s type.", typ)
}

// OperationRemoteMacEntryNotSupported is 409: remote MAC entries on a device type without them.
func OperationRemoteMacEntryNotSupported(typ string) *Fault {
	return Conflict("OperationRemoteMacEntryNotSupported", "Unable to operate remote_mac_entry for gateway device %s type.", typ)
}

// DuplicateRemoteMacEntry is 409: the MAC has an entry already (on any device).
func DuplicateRemoteMacEntry(mac string) *Fault {
	return Conflict("DuplicateRemoteMacEntry", "Request contains duplicate remote mac address entry: mac_address %s.", mac)
}

// L2GatewayNotFound is 404 L2GatewayNotFound.
func L2GatewayNotFound(id string) *Fault {
	return NotFound("L2GatewayNotFound", "L2 Gateway %s could not be found", id)
}

// L2GatewayConnectionNotFound is 404 L2GatewayConnectionNotFound (networking-l2gw's message
// names no id: its show raised it with an empty one).
func L2GatewayConnectionNotFound(id string) *Fault {
	return NotFound("L2GatewayConnectionNotFound", "The connection %s not found on the l2 gateway", id)
}

// L2GatewayInUse is 409: the gateway still has a connection.
func L2GatewayInUse(id string) *Fault {
	return Conflict("L2GatewayInUse", "L2 Gateway '%s' still has active mappings with one or more neutron networks.", id)
}

// MidonetL2GatewayConnectionExists is 409: one connection per L2 gateway.
func MidonetL2GatewayConnectionExists(id string) *Fault {
	return Conflict("MidonetL2GatewayConnectionExists", "L2 Gateway Connection related to specified L2 Gateway %s already exists", id)
}

// MidonetL2GatewayUnavailable is 503: the gateway-device service is not loaded.
func MidonetL2GatewayUnavailable() *Fault {
	return New(http.StatusServiceUnavailable, "MidonetL2GatewayUnavailable", "Midonet L2 Gateway Service is unavailable because Gateway Device Management Service is disabled.")
}

// NotImplemented is 501 (networking-midonet's L2 gateway update).
func NotImplemented() *Fault {
	return New(http.StatusNotImplemented, "HTTPNotImplemented", "The server does not support this operation.")
}

// RemoteMacEntryWrongGatewayDevice is 400 (an InvalidInput): the entry is another device's.
func RemoteMacEntryWrongGatewayDevice(id, device string) *Fault {
	return InvalidInputOf("RemoteMacEntryWrongGatewayDevice", "Remote MAC entry %s does not belong to gateway device %s", id, device)
}

// InvalidInputOf is an InvalidInput subclass of type typ ("Invalid input for operation: …").
func InvalidInputOf(typ, format string, args ...any) *Fault {
	return New(http.StatusBadRequest, typ, "Invalid input for operation: "+format+".", args...)
}
