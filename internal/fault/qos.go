package fault

import "net/http"

// QosPolicyNotFound is 404 QosPolicyNotFound.
func QosPolicyNotFound(id string) *Fault {
	return NotFound("QosPolicyNotFound", "QoS policy %s could not be found.", id)
}

// QosRuleNotFound is 404 QosRuleNotFound.
func QosRuleNotFound(ruleID, policyID string) *Fault {
	return NotFound("QosRuleNotFound", "QoS rule %s for policy %s could not be found.", ruleID, policyID)
}

// QosRuleTypeNotFound is 404 for a rule type the server does not know.
func QosRuleTypeNotFound(typ string) *Fault {
	return NotFound("HTTPNotFound", "QoS rule type %s could not be found.", typ)
}

// QoSPolicyDefaultAlreadyExists is 409: a project has one default policy.
func QoSPolicyDefaultAlreadyExists(project string) *Fault {
	return Conflict("QoSPolicyDefaultAlreadyExists", "A default QoS policy exists for project %s.", project)
}

// QosPolicyInUse is 409: a network or port still names the policy.
func QosPolicyInUse(policyID, objectType, objectID string) *Fault {
	return Conflict("QosPolicyInUse", "QoS Policy %s is used by %s %s.", policyID, objectType, objectID)
}

// QoSRulesConflict is 409: a rule of that type (and direction) exists in the policy.
func QoSRulesConflict(ruleType, existingRuleID, policyID string) *Fault {
	return Conflict("QoSRulesConflict", "Rule %s conflicts with rule %s which already exists in QoS Policy %s.", ruleType, existingRuleID, policyID)
}

// QosRuleNotSupported is 409: the backend cannot enforce a rule of the policy on the port.
func QosRuleNotSupported(ruleType, portID string) *Fault {
	return Conflict("QosRuleNotSupported", "Rule %s is not supported by port %s", ruleType, portID)
}

// QosRuleNotSupportedByNetwork is 409: the backend cannot enforce a rule of the policy on
// the network.
func QosRuleNotSupportedByNetwork(ruleType, networkID string) *Fault {
	return Conflict("QosRuleNotSupportedByNetwork", "Rule %s is not supported by network %s", ruleType, networkID)
}

// PolicyRemoveAuthorizationError is 403: only an admin or the policy's project may take a
// private policy off a network or port.
func PolicyRemoveAuthorizationError(policyID string) *Fault {
	return New(http.StatusForbidden, "PolicyRemoveAuthorizationError", "Failed to remove provided policy %s because you are not authorized.", policyID)
}
