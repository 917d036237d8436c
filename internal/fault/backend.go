package fault

import "net/http"

// The faults of the MidoNet side: the cluster's REST endpoint, the backend applying a change,
// and packet traces.

// ClusterTooLarge is 413 HTTPRequestEntityTooLarge: the cluster refused a change as too large.
func ClusterTooLarge(message string) *Fault {
	return New(http.StatusRequestEntityTooLarge, "HTTPRequestEntityTooLarge", "MidoNet cluster: %s", message)
}

// ClusterError is MidonetApiError with the status the cluster's REST endpoint answered.
func ClusterError(status int, message string) *Fault {
	return New(status, "MidonetApiError", "MidoNet cluster: %s", message)
}

// BackendFailed is 500 MidonetApiError: the backend failed to apply a change without a fault.
func BackendFailed(reason string) *Fault {
	return New(http.StatusInternalServerError, "MidonetApiError", "The MidoNet backend failed to apply the change: %s", reason)
}

// TraceForbidden is 403 HTTPForbidden: only admins trace packets.
func TraceForbidden() *Fault {
	return New(http.StatusForbidden, "HTTPForbidden", "Only an admin may trace packets.")
}

// TraceFailed is 500 TraceFailed: a trace failed for a reason that is not a fault.
func TraceFailed(err error) *Fault {
	return New(http.StatusInternalServerError, "TraceFailed", "%v", err)
}

// AmbiguousPortName is 409 AmbiguousPortName: a trace named a port by a name n ports share.
func AmbiguousPortName(n int, name string) *Fault {
	return Conflict("AmbiguousPortName", "%d ports are named %s; give the port id.", n, name)
}
