// Package qos is the QoS service (seed 2.12 and 8.3.1; neutron-lib's qos, qos-default,
// qos-rules-alias, qos-bw-limit-direction, qos-port-network-policy and qos-rule-type-details):
// policies with bandwidth-limit, DSCP-marking and minimum-bandwidth rules, qos_policy_id on
// networks and ports, and the translation of each policy into MidoNet's QosPolicy object,
// which the agent's simulation enforces. See README.md.
package qos

import (
	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/topology"
)

// Service is the QoS service as internal/app wires it.
func Service() plugin.Service {
	bw := RuleCollection{res: BandwidthLimitRules}
	dscp := RuleCollection{res: DSCPMarkingRules}
	minimum := RuleCollection{res: MinimumBandwidthRules}
	aliases := []plugin.Collection{
		AliasCollection{res: aliasResource(BandwidthLimitRules), rules: bw},
		AliasCollection{res: aliasResource(DSCPMarkingRules), rules: dscp},
		AliasCollection{res: aliasResource(MinimumBandwidthRules), rules: minimum},
	}
	resources := []*resource.Resource{Policies, BandwidthLimitRules, DSCPMarkingRules, MinimumBandwidthRules, RuleTypes}
	for _, a := range aliases {
		resources = append(resources, a.Resource())
	}
	return plugin.Service{
		Name: "qos",
		// Neutron's QoS service plugin, with the MidoNet driver behind it (seed 2.12).
		ServicePlugins: []string{"qos", "neutron.services.qos.qos_plugin.QoSPlugin",
			"midonet_qos", "midonet.neutron.services.qos.plugin.MidonetQosPlugin"}, // the seed's entry point
		Resources:   resources,
		Extensions:  Extensions,
		Translators: translate.Translators{Policies.Collection: {Owned: policyObjects}},
		Policies:    PolicyRules,
		Collections: func(plugin.Deps) []plugin.Collection {
			return append([]plugin.Collection{PolicyCollection{}, bw, dscp, minimum, RuleTypeCollection{}}, aliases...)
		},
		Hooks: map[string]plugin.Hook{"networks": networkHook{}, "ports": portHook{}},
	}
}

// PolicyRules scope policies as Neutron's query does: a project sees its own policies and
// the shared ones (Neutron's in-tree QoS rules, internal/policy, stay for everything else).
var PolicyRules = []policy.Rule{
	{Name: "get_policy", Check: "rule:admin_or_owner or field:policies:shared=True", Description: "Get QoS policies (own or shared)",
		Operations: policy.Get("/qos/policies", "/qos/policies/{id}")},
}

// policyObjects translates a policy into MidoNet's QosPolicy: the egress bandwidth limit
// (token bucket) and the DSCP mark. Rules MidoNet cannot enforce never reach a bound
// policy (the API refuses them), and are left out of an unbound one.
func policyObjects(w *translate.World, id string) []topology.Object {
	p, err := model.Decode[Policy](w.Get(Policies.Collection, id))
	if err != nil || p.ID == "" {
		return nil
	}
	q := &topology.QosPolicy{Meta: topology.Meta{ID: p.ID}, Name: p.Name, TenantID: p.TenantID}
	for _, r := range p.Rules {
		if !r.Supported() {
			continue
		}
		switch r.Type {
		case TypeBandwidthLimit:
			q.BandwidthLimit = append(q.BandwidthLimit, topology.QosBandwidthLimitRule{ID: r.ID, MaxKbps: r.MaxKbps, MaxBurstKbps: r.MaxBurstKbps})
		case TypeDSCPMarking:
			q.DSCPMarking = append(q.DSCPMarking, topology.QosDSCPRule{ID: r.ID, DSCPMark: r.DSCPMark})
		}
	}
	return []topology.Object{q}
}
