package agents

import "github.com/midonet-go/midonet/internal/policy"

// PolicyRules are the agent-membership rules. The extension never shipped policy-in-code; its
// spec says only admins may use it, so every action is admin-only rather than falling back to
// "default". (The agents API's own rules are Neutron's, in internal/policy.)
var PolicyRules = []policy.Rule{
	{Name: "create_agent_membership", Check: policy.AdminOnly, Description: "Create an agent membership", Operations: policy.Post("/agent_memberships")},
	{Name: "get_agent_membership", Check: policy.AdminOnly, Description: "Get agent memberships", Operations: policy.Get("/agent_memberships", "/agent_memberships/{id}")},
	{Name: "delete_agent_membership", Check: policy.AdminOnly, Description: "Delete an agent membership", Operations: policy.Delete("/agent_memberships/{id}")},
}
