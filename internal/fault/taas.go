package fault

import "net/http"

// TapServiceNotFound is tap-as-a-service's 404 (its message has two spaces, as upstream's).
func TapServiceNotFound(id string) *Fault {
	return NotFound("TapServiceNotFound", "Tap Service  %s does not exist", id)
}

// TapFlowNotFound is tap-as-a-service's 404 for a tap flow.
func TapFlowNotFound(id string) *Fault {
	return NotFound("TapFlowNotFound", "Tap Flow  %s does not exist", id)
}

// PortDoesNotBelongToTenant is 403: a tap service's port (or a tap flow's source port) must
// be the project's own.
func PortDoesNotBelongToTenant() *Fault {
	return New(http.StatusForbidden, "PortDoesNotBelongToTenant", "The specified port does not belong to the tenant")
}

// TapServiceNotBelongToTenant is 403: a tap flow must be in its tap service's project.
func TapServiceNotBelongToTenant() *Fault {
	return New(http.StatusForbidden, "TapServiceNotBelongToTenant", "Specified Tap Service does not belong to the tenant")
}
