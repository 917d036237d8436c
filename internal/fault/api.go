package fault

import "net/http"

// The faults the API layer answers on its own: server failures, body limits, ownership of a
// parent, revision constraints, tags, quotas and references to unknown collections.

// InternalServerError is 500 HTTPInternalServerError: a bug, logged by the server.
func InternalServerError() *Fault {
	return New(http.StatusInternalServerError, "HTTPInternalServerError", "Request Failed: internal server error while processing your request.")
}

// RequestTooLarge is 413 HTTPRequestEntityTooLarge, oslo.middleware's sizelimit answer.
func RequestTooLarge() *Fault {
	return New(http.StatusRequestEntityTooLarge, "HTTPRequestEntityTooLarge", "Request is too large.")
}

// RequestTimeout is 408 HTTPRequestTimeout: the body did not arrive within the read timeout.
func RequestTimeout() *Fault {
	return New(http.StatusRequestTimeout, "HTTPRequestTimeout", "The request body did not arrive in time.")
}

// ForbiddenOnNetwork is 403 HTTPForbidden: member of collection on another project's private network.
func ForbiddenOnNetwork(tenant any, member string) *Fault {
	return New(http.StatusForbidden, "HTTPForbidden", "Tenant %s not allowed to create %s on this network", tenant, member)
}

// RevisionNumberConstraintFailed is 412 RevisionNumberConstraintFailed: If-Match did not hold.
func RevisionNumberConstraintFailed(want, current int64) *Fault {
	return New(http.StatusPreconditionFailed, "RevisionNumberConstraintFailed", "Constrained to %d, but current revision is %d", want, current)
}

// TagResourceNotFound is 404 TagResourceNotFound: the tagged resource is missing.
func TagResourceNotFound(collection, id string) *Fault {
	return NotFound("TagResourceNotFound", "Resource %s %s could not be found.", collection, id)
}

// TagNotFound is 404 TagNotFound.
func TagNotFound(tag string) *Fault {
	return NotFound("TagNotFound", "Tag %s could not be found.", tag)
}

// OverQuota is 409 OverQuota; quota is the quota's name.
func OverQuota(quota string) *Fault {
	return Conflict("OverQuota", "Quota exceeded for resources: ['%s'].", quota)
}

// ResourceNotFound is neutron-lib's bare 404 NotFound, for a collection without a 404 of its own.
func ResourceNotFound(collection, id string) *Fault {
	return NotFound("NotFound", "%s %s could not be found.", collection, id)
}
