// Package fwaas is Firewall-as-a-Service: FWaaS v1 as the seed's MidoNet driver served it
// (/v2.0/fw/firewall_rules, /fw/firewall_policies with insert_rule and remove_rule, and
// /fw/firewalls bound to routers with router_ids) and FWaaS v2 as today's clients speak it
// (/v2.0/fwaas/firewall_rules, /fwaas/firewall_policies, /fwaas/firewall_groups bound to
// ports). Both translate to MidoNet chains jumped to from the router's forward chain
// (translate.go), which the agent's simulator evaluates with connection tracking. See
// README.md.
package fwaas

import (
	"context"
	"slices"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
	"github.com/midonet-go/midonet/internal/resource"
)

// Service is FWaaS as internal/app wires it. Its policy rules are Neutron's defaults in
// internal/policy (neutron-fwaas's, which v1 and v2 share).
func Service() plugin.Service {
	return plugin.Service{
		Name:      "fwaas",
		Resources: []*resource.Resource{Rules, Policies, Groups, RulesV1, PoliciesV1, Firewalls},
		// FWaaS v1 (the seed's, networking-midonet's driver) and v2 are one service here.
		ServicePlugins: []string{"firewall", "firewall_v2", "midonet_firewall",
			"neutron_fwaas.services.firewall.fwaas_plugin.FirewallPlugin",
			"neutron_fwaas.services.firewall.fwaas_plugin_v2.FirewallPluginV2",
			"midonet.neutron.services.firewall.plugin.MidonetFirewallPlugin"},
		Extensions: Extensions,
		Translators: translate.Translators{
			Rules.Collection:      {Owned: nothing, Dependents: ruleDependents(v2)},
			Policies.Collection:   {Owned: nothing, Dependents: policyDependents(v2)},
			Groups.Collection:     {Owned: groupObjects, Follows: map[string]translate.Follow{"ports": translate.Naming(Groups.Collection), "routers": groupsOfRouter}},
			RulesV1.Collection:    {Owned: nothing, Dependents: ruleDependents(v1)},
			PoliciesV1.Collection: {Owned: nothing, Dependents: policyDependents(v1)},
			Firewalls.Collection:  {Owned: firewallObjects, Follows: map[string]translate.Follow{"ports": translate.NamingRouterOf(Firewalls.Collection), "routers": translate.Naming(Firewalls.Collection)}},
		},
		Collections: func(plugin.Deps) []plugin.Collection {
			return []plugin.Collection{
				RuleCollection{v2}, PolicyCollection{v2}, GroupCollection{},
				RuleCollection{v1}, PolicyCollection{v1}, FirewallCollection{},
			}
		},
		Hooks: map[string]plugin.Hook{"ports": portHook{}, "routers": routerHook{}},
	}
}

// version is one API version's collections.
type version struct {
	v2       bool
	rules    *resource.Resource
	policies *resource.Resource
	applied  *resource.Resource // v2's firewall groups, v1's firewalls
}

var (
	v1 = version{rules: RulesV1, policies: PoliciesV1, applied: Firewalls}
	v2 = version{v2: true, rules: Rules, policies: Policies, applied: Groups}
)

// policyAttrs are the attributes of an applied document (group or firewall) naming the
// policies it uses.
func (v version) policyAttrs() []string {
	if v.v2 {
		return []string{"ingress_firewall_policy_id", "egress_firewall_policy_id"}
	}
	return []string{"firewall_policy_id"}
}

// policiesOf are the ids of the policies an applied document (group or firewall) uses.
func (v version) policiesOf(d db.Doc) []string {
	var out []string
	for _, k := range v.policyAttrs() {
		if id := plugin.Str(d, k); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// list returns the candidate documents of a collection for a list request.
func list(ctx context.Context, tx *db.Tx, res *resource.Resource, f map[string][]string) ([]db.Doc, error) {
	return tx.List(ctx, res.Collection, stored.ProjectFilter(f))
}

// stamp fills a new document's id, project and bookkeeping (revision, timestamps: kept for
// the cluster, not shown).
func stamp(body db.Doc) db.Doc {
	d := plugin.Copy(body)
	stored.StampUntagged(d)
	return d
}
