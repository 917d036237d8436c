package fault

// The faults of the agents API and agent memberships.

// AgentNotFound is 404 AgentNotFound.
func AgentNotFound(id string) *Fault {
	return NotFound("AgentNotFound", "Agent %s could not be found.", id)
}

// AgentUpdateNotSupported is 400 AgentUpdateNotSupported: only a description may change.
func AgentUpdateNotSupported() *Fault {
	return Invalid("AgentUpdateNotSupported", "Updating admin_state_up of a MidoNet agent is not supported; only description can be updated.")
}

// AgentDeleteNotSupported is 400 AgentDeleteNotSupported.
func AgentDeleteNotSupported() *Fault {
	return Invalid("AgentDeleteNotSupported", "Deleting a MidoNet agent is not supported.")
}

// AgentMembershipNotFound is 404 AgentMembershipNotFound.
func AgentMembershipNotFound(id string) *Fault {
	return NotFound("AgentMembershipNotFound", "Agent membership %s could not be found.", id)
}

// AgentMembershipExists is 409 AgentMembershipExists.
func AgentMembershipExists(id string) *Fault {
	return Conflict("AgentMembershipExists", "Agent %s is already a member.", id)
}
