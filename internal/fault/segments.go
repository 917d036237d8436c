package fault

import "net/http"

// The errors of ML2's type drivers (neutron-lib's exceptions), of segments
// (neutron/services/segments) and of network segment ranges
// (neutron_lib/exceptions/network_segment_range.py).

// VlanIdInUse is 409: the VLAN of that physical network belongs to another segment.
func VlanIdInUse(vlan int, physnet string) *Fault {
	return Conflict("VlanIdInUse", "Unable to create the network. The VLAN %d on physical network %s is in use.", vlan, physnet)
}

// TunnelIdInUse is 409: the VNI belongs to another segment.
func TunnelIdInUse(id int) *Fault {
	return Conflict("TunnelIdInUse", "Unable to create the network. The tunnel ID %d is in use.", id)
}

// FlatNetworkInUse is 409: a flat network already uses the physical network.
func FlatNetworkInUse(physnet string) *Fault {
	return Conflict("FlatNetworkInUse", "Unable to create the flat network. Physical network %s is in use.", physnet)
}

// SegmentNotFound is 404 SegmentNotFound.
func SegmentNotFound(id string) *Fault {
	return NotFound("SegmentNotFound", "Segment %s could not be found.", id)
}

// SegmentInUse is 409: the segment cannot go (reason says why).
func SegmentInUse(id, reason string) *Fault {
	return Conflict("SegmentInUse", "Segment '%s' cannot be deleted: %s.", id, reason)
}

// NetworkSegmentRangeNotFound is 404.
func NetworkSegmentRangeNotFound(id string) *Fault {
	return NotFound("NetworkSegmentRangeNotFound", "Network Segment Range %s could not be found.", id)
}

// NetworkSegmentRangeNetTypeNotSupported is 400: no range for that network type.
func NetworkSegmentRangeNetTypeNotSupported(typ string) *Fault {
	return New(http.StatusBadRequest, "NetworkSegmentRangeNetTypeNotSupported", "Network type %s does not support network segment ranges.", typ)
}

// NetworkSegmentRangeReferencedByProject is 409: networks use ids of the range.
func NetworkSegmentRangeReferencedByProject(id string) *Fault {
	return Conflict("NetworkSegmentRangeReferencedByProject", "Network Segment Range %s is referenced by one or more tenant networks.", id)
}

// NetworkSegmentRangeDefaultReadOnly is 400: a default range is the configuration's.
func NetworkSegmentRangeDefaultReadOnly(id string) *Fault {
	return New(http.StatusBadRequest, "NetworkSegmentRangeDefaultReadOnly", "Network Segment Range %s is a default segment range which could not be updated or deleted.", id)
}

// NetworkSegmentRangeOverlaps is 409: another non-default range of the type covers some ids.
func NetworkSegmentRangeOverlaps(ids string) *Fault {
	return Conflict("NetworkSegmentRangeOverlaps", "Network segment range overlaps with range(s) with id %s", ids)
}

// NetworkTunnelRangeError is 400 (a 500 in Neutron, whose exception has no HTTP class): a
// tunnel range whose bounds are not ids of the type or are reversed.
func NetworkTunnelRangeError(min, max int64, reason string) *Fault {
	return New(http.StatusBadRequest, "NetworkTunnelRangeError", "Invalid network tunnel range: '[%d, %d]' - %s.", min, max, reason)
}

// NetworkVlanRangeError is 400 (a 500 in Neutron, as above): a VLAN range out of 1..4094 or
// reversed.
func NetworkVlanRangeError(min, max int64, reason string) *Fault {
	return New(http.StatusBadRequest, "NetworkVlanRangeError", "Invalid network VLAN range: '[%d, %d]' - '%s'.", min, max, reason)
}

// NetworkIdsDontMatch is 400: a subnet names a segment of another network.
func NetworkIdsDontMatch(subnetNetwork, segmentID string) *Fault {
	return New(http.StatusBadRequest, "NetworkIdsDontMatch", "The subnet's network id, '%s', doesn't match the network_id of segment '%s'", subnetNetwork, segmentID)
}

// SubnetsNotAllAssociatedWithSegments is 400: a network's subnets either all name a segment
// or none does.
func SubnetsNotAllAssociatedWithSegments(networkID string) *Fault {
	return New(http.StatusBadRequest, "SubnetsNotAllAssociatedWithSegments", "All of the subnets on network '%s' must either all be associated with segments or all not associated with any segment.", networkID)
}
