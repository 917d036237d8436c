package fault

import "net/http"

// FWaaS (neutron-fwaas's exceptions, v1 and v2) and logging (networking-midonet's
// logging-resource, Neutron's logging API).

// FirewallRuleNotFound: an unknown (or invisible) firewall rule.
func FirewallRuleNotFound(id string) *Fault {
	return NotFound("FirewallRuleNotFound", "Firewall rule %s could not be found.", id)
}

// FirewallPolicyNotFound: an unknown (or invisible) firewall policy.
func FirewallPolicyNotFound(id string) *Fault {
	return NotFound("FirewallPolicyNotFound", "Firewall policy %s could not be found.", id)
}

// FirewallGroupNotFound: an unknown (or invisible) firewall group (v2).
func FirewallGroupNotFound(id string) *Fault {
	return NotFound("FirewallGroupNotFound", "Firewall group %s could not be found.", id)
}

// FirewallNotFound: an unknown (or invisible) firewall (v1).
func FirewallNotFound(id string) *Fault {
	return NotFound("FirewallNotFound", "Firewall %s could not be found.", id)
}

// FirewallRuleInUse: a rule a policy holds cannot be deleted.
func FirewallRuleInUse(id string) *Fault {
	return Conflict("FirewallRuleInUse", "Firewall rule %s is being used.", id)
}

// FirewallPolicyInUse: a policy a firewall or group uses cannot be deleted.
func FirewallPolicyInUse(id string) *Fault {
	return Conflict("FirewallPolicyInUse", "Firewall policy %s is being used.", id)
}

// FirewallRuleInPolicy (v1): a rule belongs to one policy at most.
func FirewallRuleInPolicy(rule, policy string) *Fault {
	return Conflict("FirewallRuleInPolicy", "Firewall rule %s already associated with firewall policy %s.", rule, policy)
}

// FirewallRuleAlreadyAssociated (v2): the rule is in the policy already.
func FirewallRuleAlreadyAssociated(rule, policy string) *Fault {
	return Conflict("FirewallRuleAlreadyAssociated",
		"Operation cannot be performed since Firewall Rule %s is already associated with FirewallPolicy %s.", rule, policy)
}

// FirewallRuleNotAssociatedWithPolicy: insert_before/insert_after or remove_rule names a rule
// the policy does not hold.
func FirewallRuleNotAssociatedWithPolicy(rule, policy string) *Fault {
	return New(http.StatusBadRequest, "FirewallRuleNotAssociatedWithPolicy",
		"Firewall rule %s is not associated with firewall policy %s.", rule, policy)
}

// FirewallRuleInfoMissing: insert_rule/remove_rule without firewall_rule_id.
func FirewallRuleInfoMissing() *Fault {
	return New(http.StatusBadRequest, "FirewallRuleInfoMissing", "Missing rule info argument for insert/remove rule operation.")
}

// FirewallRuleSharingConflict: a shared policy may hold shared rules only.
func FirewallRuleSharingConflict(policy, rule string) *Fault {
	return Conflict("FirewallRuleSharingConflict",
		"Operation cannot be performed since Firewall Policy %s is shared but Firewall Rule %s is not shared.", policy, rule)
}

// FirewallPolicySharingConflict: a shared group may use shared policies only.
func FirewallPolicySharingConflict(policy, group string) *Fault {
	return Conflict("FirewallPolicySharingConflict",
		"Operation cannot be performed since Firewall Policy %s is not shared and does not belong to your project %s.", policy, group)
}

// FirewallRuleInvalidPortParameter: ports with a protocol that has none (ICMP) or without a
// protocol.
func FirewallRuleInvalidPortParameter(format string, args ...any) *Fault {
	return New(http.StatusBadRequest, "FirewallRuleInvalidICMPParameter", format, args...)
}

// FirewallIPAddressConflict: the addresses of a rule are not of its IP version.
func FirewallIPAddressConflict() *Fault {
	return New(http.StatusBadRequest, "FirewallIpAddressConflict", "Invalid input - IP addresses do not agree with IP Version.")
}

// FirewallGroupPortInUse: a port is in one firewall group at most.
func FirewallGroupPortInUse(ports []string) *Fault {
	return Conflict("FirewallGroupPortInUse", "Port(s) %v provided already associated with other firewall group(s).", ports)
}

// FirewallGroupPortInvalid: a port that cannot carry a firewall group.
func FirewallGroupPortInvalid(port string) *Fault {
	return Conflict("FirewallGroupPortInvalid", "Port %s is not a router interface or VM port and cannot be associated with a firewall group.", port)
}

// FirewallGroupPortInvalidProject: a port of another project.
func FirewallGroupPortInvalidProject(port, project string) *Fault {
	return Conflict("FirewallGroupPortInvalidProject", "Operation cannot be performed as port %s is in an invalid project %s.", port, project)
}

// FirewallDefaultObjectUpdateRestricted: the default firewall group is the project's.
func FirewallDefaultObjectUpdateRestricted(id string) *Fault {
	return Conflict("FirewallDefaultObjectUpdateRestricted", "Operation cannot be performed on default firewall group %s.", id)
}

// FirewallGroupNameDefault: the name "default" is the default group's.
func FirewallGroupNameDefault() *Fault {
	return Conflict("FirewallDefaultObjectUpdateRestricted", "The name 'default' is reserved for the default firewall group.")
}

// FirewallRouterInUse (v1): a router has one firewall at most.
func FirewallRouterInUse(routers []string) *Fault {
	return Conflict("FirewallRouterInUse", "Router(s) %v provided already associated with other Firewall(s).", routers)
}

// FirewallRouterInvalidProject (v1): a router of another project.
func FirewallRouterInvalidProject(router string) *Fault {
	return Conflict("FirewallRouterInvalidProject", "Router %s belongs to another project.", router)
}

// LoggingResourceNotFound: an unknown (or invisible) logging resource.
func LoggingResourceNotFound(id string) *Fault {
	return NotFound("LoggingResourceNotFound", "Logging resource %s could not be found.", id)
}

// FirewallLogNotFound: an unknown (or invisible) firewall log.
func FirewallLogNotFound(id string) *Fault {
	return NotFound("FirewallLogNotFound", "Firewall log %s could not be found.", id)
}

// LogResourceNotFound: Neutron's logging API, an unknown log.
func LogResourceNotFound(id string) *Fault {
	return NotFound("LogResourceNotFound", "Log resource %s could not be found.", id)
}

// InvalidLogResourceType: a resource_type no logging driver supports.
func InvalidLogResourceType(typ string) *Fault {
	return New(http.StatusBadRequest, "InvalidLogResourceType", "Invalid resource type %s.", typ)
}

// LoggingTypeNotSupported: the same, as Neutron's plugin answers for an unsupported type.
func LoggingTypeNotSupported(typ string) *Fault {
	return New(http.StatusBadRequest, "LoggingTypeNotSupported", "Logging type %s is not supported.", typ)
}
