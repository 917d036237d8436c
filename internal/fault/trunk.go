package fault

// The trunk service's errors (neutron/services/trunk/exceptions.py).

// TrunkNotFound is 404 TrunkNotFound.
func TrunkNotFound(id string) *Fault {
	return NotFound("TrunkNotFound", "Trunk %s could not be found.", id)
}

// SubPortNotFound is 404: the trunk has no subport on that port.
func SubPortNotFound(trunkID, portID string) *Fault {
	return NotFound("SubPortNotFound", "SubPort on trunk %s with parent port %s could not be found.", trunkID, portID)
}

// TrunkPortInUse is 409: the port is a subport of a trunk already.
func TrunkPortInUse(portID string) *Fault {
	return Conflict("TrunkPortInUse", "Port %s is in use by another trunk.", portID)
}

// ParentPortInUse is 409: the port is a trunk's parent already (or the subport is the parent).
func ParentPortInUse(portID string) *Fault {
	return Conflict("ParentPortInUse", "Port %s is currently in use and is not eligible for use as a parent port.", portID)
}

// DuplicateSubPort is 409: the trunk has a subport with these segmentation details.
func DuplicateSubPort(segType string, segID int64, trunkID string) *Fault {
	return Conflict("DuplicateSubPort", "segmentation_type %s and segmentation_id %d already in use on trunk %s.", segType, segID, trunkID)
}

// SubPortMtuGreaterThanTrunkPortMtu is 409: a subport's network MTU exceeds the parent's.
func SubPortMtuGreaterThanTrunkPortMtu(portID string, portMTU int64, trunkID string, trunkMTU int64) *Fault {
	return Conflict("SubPortMtuGreaterThanTrunkPortMtu", "MTU %d of subport %s cannot be greater than MTU %d of trunk %s.", portMTU, portID, trunkMTU, trunkID)
}

// PortInUseAsTrunkParent is 409: a trunk's parent port cannot be deleted.
func PortInUseAsTrunkParent(portID, trunkID string) *Fault {
	return Conflict("PortInUseAsTrunkParent", "Port %s is currently a parent port for trunk %s.", portID, trunkID)
}

// PortInUseAsSubPort is 409: a subport cannot be deleted.
func PortInUseAsSubPort(portID, trunkID string) *Fault {
	return Conflict("PortInUseAsSubPort", "Port %s is currently a subport for trunk %s.", portID, trunkID)
}

// TrunkDisabled is 409: a trunk with admin_state_up false cannot be managed.
func TrunkDisabled(trunkID string) *Fault {
	return Conflict("TrunkDisabled", "Trunk %s is currently disabled.", trunkID)
}

// TrunkInErrorState is 409: subports cannot be added to a trunk in ERROR.
func TrunkInErrorState(trunkID string) *Fault {
	return Conflict("TrunkInErrorState", "Trunk %s is in error state. Attempt to resolve the error condition before proceeding.", trunkID)
}
