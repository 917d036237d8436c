package fault

import "net/http"

// RBAC policies (neutron/extensions/rbac.py and neutron/db/rbac_db_models.py).

// RbacPolicyNotFound is 404: no RBAC policy with that id (Neutron names the type "unknown"
// when no table holds the id).
func RbacPolicyNotFound(id string) *Fault {
	return NotFound("RbacPolicyNotFound", "RBAC policy of type unknown with ID %s not found", id)
}

// RbacPolicyInUse is 409: a project still uses what the policy gives it.
func RbacPolicyInUse(objectID, details string) *Fault {
	return Conflict("RbacPolicyInUse", "RBAC policy on object %s cannot be removed because other objects depend on it.\nDetails: %s", objectID, details)
}

// DuplicateRbacPolicy is 409: a policy with the same object, action and target exists.
func DuplicateRbacPolicy() *Fault {
	return Conflict("DuplicateRbacPolicy", "An RBAC policy already exists with those values.")
}

// InvalidActionForType is 400: the action does not apply to the object type.
func InvalidActionForType(action, objectType, valid string) *Fault {
	return New(http.StatusBadRequest, "InvalidActionForType", "Invalid action '%s' for object type '%s'. Valid actions: %s", action, objectType, valid)
}

// ExternalNetworkInUse is 409: a network with gateway ports cannot stop being external.
func ExternalNetworkInUse(id string) *Fault {
	return Conflict("ExternalNetworkInUse", "External network %s cannot be updated to be non-external, since it has existing gateway ports.", id)
}

// RbacPolicyInitError is 400: the policy cannot be made, for example a subnet pool shared
// with a project that has no access to the pool's address scope.
func RbacPolicyInitError(objectID, reason string) *Fault {
	return New(http.StatusBadRequest, "RbacPolicyInitError", "Failed to create RBAC policy on object %s because %s.", objectID, reason)
}
