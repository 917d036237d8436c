package integration

import (
	"fmt"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/qos/policies"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/qos/rules"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/qos/ruletypes"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
)

// qosNetwork is a network as the qos extension shows it.
type qosNetwork struct {
	ID          string `json:"id"`
	QoSPolicyID string `json:"qos_policy_id"`
}

// qosPort is a port as the qos and qos-port-network-policy extensions show it.
type qosPort struct {
	ID                 string `json:"id"`
	QoSPolicyID        string `json:"qos_policy_id"`
	QoSNetworkPolicyID string `json:"qos_network_policy_id"`
}

// TestQoS: policies and rules through gophercloud, bound to networks and ports as MidoNet
// can enforce them, on SQLite and PostgreSQL; what MidoNet cannot enforce is refused when
// bound; one project cannot see or use another's private policy.
func TestQoS(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project, other = "it-qos", "it-qos-other"
		c := e.admin(project)
		// Rule types: only what MidoNet enforces.
		var types []ruletypes.RuleType
		pages, err := ruletypes.ListRuleTypes(c).AllPages(ctx(t))
		if err == nil {
			types, err = ruletypes.ExtractRuleTypes(pages)
		}
		if err != nil || len(types) != 2 || types[0].Type != "bandwidth_limit" || types[1].Type != "dscp_marking" {
			t.Fatalf("rule types %+v, %v; want bandwidth_limit and dscp_marking", types, err)
		}

		limit, err := policies.Create(ctx(t), c, policies.CreateOpts{Name: "limit", Description: "10 Mbit/s"}).Extract()
		must(t, err)
		if limit.RevisionNumber != 0 || len(limit.Rules) != 0 || limit.Shared || limit.IsDefault {
			t.Fatalf("new policy %+v", limit)
		}
		bw, err := rules.CreateBandwidthLimitRule(ctx(t), c, limit.ID, rules.CreateBandwidthLimitRuleOpts{MaxKBps: 10000, MaxBurstKBps: 1000}).ExtractBandwidthLimitRule()
		must(t, err)
		if bw.MaxKBps != 10000 || bw.MaxBurstKBps != 1000 || bw.Direction != "egress" {
			t.Fatalf("bandwidth rule %+v", bw)
		}
		dscp, err := rules.CreateDSCPMarkingRule(ctx(t), c, limit.ID, rules.CreateDSCPMarkingRuleOpts{DSCPMark: 26}).ExtractDSCPMarkingRule()
		must(t, err)
		got, err := policies.Get(ctx(t), c, limit.ID).Extract()
		must(t, err)
		if got.RevisionNumber != 2 || len(got.Rules) != 2 {
			t.Fatalf("policy after two rules: revision %d, %d rules; want 2 and 2", got.RevisionNumber, len(got.Rules))
		}
		// Conflicts and bounds.
		_, err = rules.CreateBandwidthLimitRule(ctx(t), c, limit.ID, rules.CreateBandwidthLimitRuleOpts{MaxKBps: 5}).ExtractBandwidthLimitRule()
		wantError(t, err, 409, "QoSRulesConflict")
		_, err = rules.CreateDSCPMarkingRule(ctx(t), c, limit.ID, rules.CreateDSCPMarkingRuleOpts{DSCPMark: 7}).ExtractDSCPMarkingRule()
		wantError(t, err, 400, "HTTPBadRequest")

		// A network gets the policy; its ports show it as their network's.
		net, err := networks.Create(ctx(t), c, policies.NetworkCreateOptsExt{CreateOptsBuilder: networks.CreateOpts{Name: "q"}, QoSPolicyID: limit.ID}).Extract()
		must(t, err)
		var qn qosNetwork
		must(t, networks.Get(ctx(t), c, net.ID).ExtractInto(&qn))
		if qn.QoSPolicyID != limit.ID {
			t.Fatalf("network qos_policy_id %q, want %s", qn.QoSPolicyID, limit.ID)
		}
		var qp qosPort
		must(t, ports.Create(ctx(t), c, ports.CreateOpts{NetworkID: net.ID}).ExtractInto(&qp))
		if qp.QoSPolicyID != "" || qp.QoSNetworkPolicyID != limit.ID {
			t.Fatalf("port qos %+v, want no own policy and the network's", qp)
		}
		// Lists and pages show it too (read from the cached documents: each batch's networks
		// read once), and nothing for a port whose network has no policy.
		plainNet, err := networks.Create(ctx(t), c, networks.CreateOpts{Name: "q-none"}).Extract()
		must(t, err)
		var plainPort qosPort
		must(t, ports.Create(ctx(t), c, ports.CreateOpts{NetworkID: plainNet.ID}).ExtractInto(&plainPort))
		for _, opts := range []ports.ListOpts{{}, {Limit: 1, SortKey: "name", SortDir: "asc"}} {
			pages, err := ports.List(c, opts).AllPages(ctx(t))
			must(t, err)
			var listed []qosPort
			must(t, ports.ExtractPortsInto(pages, &listed))
			want := map[string]string{qp.ID: limit.ID, plainPort.ID: ""}
			for _, p := range listed {
				if w, ok := want[p.ID]; ok {
					if p.QoSNetworkPolicyID != w {
						t.Errorf("listed (%+v) port %s: qos_network_policy_id %q, want %q", opts, p.ID, p.QoSNetworkPolicyID, w)
					}
					delete(want, p.ID)
				}
			}
			if len(want) > 0 {
				t.Errorf("listed (%+v): ports %v missing", opts, want)
			}
		}
		wantError(t, policies.Delete(ctx(t), c, limit.ID).ExtractErr(), 409, "QosPolicyInUse")

		// What MidoNet cannot enforce: an ingress limit or a minimum bandwidth, refused once bound.
		_, err = rules.CreateBandwidthLimitRule(ctx(t), c, limit.ID, rules.CreateBandwidthLimitRuleOpts{MaxKBps: 5, Direction: "ingress"}).ExtractBandwidthLimitRule()
		wantError(t, err, 409, "QosRuleNotSupportedByNetwork")
		minimum, err := policies.Create(ctx(t), c, policies.CreateOpts{Name: "minimum"}).Extract()
		must(t, err)
		_, err = rules.CreateMinimumBandwidthRule(ctx(t), c, minimum.ID, rules.CreateMinimumBandwidthRuleOpts{MinKBps: 1000}).ExtractMinimumBandwidthRule()
		must(t, err)
		err = ports.Create(ctx(t), c, policies.PortCreateOptsExt{CreateOptsBuilder: ports.CreateOpts{NetworkID: net.ID}, QoSPolicyID: minimum.ID}).Err
		wantError(t, err, 409, "QosRuleNotSupported")
		err = ports.Update(ctx(t), c, qp.ID, policies.PortUpdateOptsExt{UpdateOptsBuilder: ports.UpdateOpts{}, QoSPolicyID: &minimum.ID}).Err
		wantError(t, err, 409, "QosRuleNotSupported")
		missing := "00000000-0000-4000-8000-000000000000"
		err = ports.Update(ctx(t), c, qp.ID, policies.PortUpdateOptsExt{UpdateOptsBuilder: ports.UpdateOpts{}, QoSPolicyID: &missing}).Err
		wantError(t, err, 404, "QosPolicyNotFound")

		// A project's default policy goes to its new networks.
		def, err := policies.Create(ctx(t), c, policies.CreateOpts{Name: "default", IsDefault: true}).Extract()
		must(t, err)
		wantError(t, policies.Create(ctx(t), c, policies.CreateOpts{Name: "second", IsDefault: true}).Err, 409, "QoSPolicyDefaultAlreadyExists")
		var dn qosNetwork
		must(t, networks.Create(ctx(t), c, networks.CreateOpts{Name: "defaulted"}).ExtractInto(&dn))
		if dn.QoSPolicyID != def.ID {
			t.Errorf("new network got policy %q, want the project default %s", dn.QoSPolicyID, def.ID)
		}

		// Another project: the private policy is invisible, a shared one usable; members
		// cannot create policies (admin only).
		b := e.member(other)
		wantError(t, policies.Get(ctx(t), b, limit.ID).Err, 404, "QosPolicyNotFound")
		wantError(t, policies.Create(ctx(t), b, policies.CreateOpts{Name: "mine"}).Err, 403, "PolicyNotAuthorized")
		bnet, err := networks.Create(ctx(t), b, networks.CreateOpts{Name: "b"}).Extract()
		must(t, err)
		err = networks.Update(ctx(t), b, bnet.ID, policies.NetworkUpdateOptsExt{UpdateOptsBuilder: networks.UpdateOpts{}, QoSPolicyID: &limit.ID}).Err
		wantError(t, err, 404, "QosPolicyNotFound")
		shared := true
		_, err = policies.Update(ctx(t), c, limit.ID, policies.UpdateOpts{Shared: &shared}).Extract()
		must(t, err)
		must(t, networks.Update(ctx(t), b, bnet.ID, policies.NetworkUpdateOptsExt{UpdateOptsBuilder: networks.UpdateOpts{}, QoSPolicyID: &limit.ID}).Err)
		if p, err := policies.Get(ctx(t), b, limit.ID).Extract(); err != nil || p.RevisionNumber != 2 {
			t.Errorf("shared policy seen by another project: %+v, %v (sharing keeps the revision)", p, err)
		}

		// Rules by alias; removing the bindings frees the policy.
		var alias map[string]map[string]any
		_, err = c.Get(ctx(t), c.ServiceURL("qos", "alias_dscp_marking_rules", dscp.ID), &alias, nil)
		must(t, err)
		if fmt.Sprint(alias["alias_dscp_marking_rule"]["dscp_mark"]) != "26" {
			t.Errorf("rule by alias %v, want dscp_mark 26", alias)
		}
		_, err = c.Delete(ctx(t), c.ServiceURL("qos", "alias_dscp_marking_rules", dscp.ID), nil)
		must(t, err)
		wantError(t, rules.DeleteDSCPMarkingRule(ctx(t), c, limit.ID, dscp.ID).ExtractErr(), 404, "QosRuleNotFound")
		none := ""
		must(t, networks.Update(ctx(t), b, bnet.ID, policies.NetworkUpdateOptsExt{UpdateOptsBuilder: networks.UpdateOpts{}, QoSPolicyID: &none}).Err)
		must(t, networks.Update(ctx(t), c, net.ID, policies.NetworkUpdateOptsExt{UpdateOptsBuilder: networks.UpdateOpts{}, QoSPolicyID: &none}).Err)
		must(t, policies.Delete(ctx(t), c, limit.ID).ExtractErr())
		wantError(t, rules.DeleteBandwidthLimitRule(ctx(t), c, limit.ID, bw.ID).ExtractErr(), 404, "QosPolicyNotFound")
	})
}
