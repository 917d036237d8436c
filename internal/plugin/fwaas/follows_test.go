package fwaas

import (
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/testutil/translatetest"
)

// TestPortAndRouterChangesReachTheirFirewalls: a port's or a router's change re-translates
// every group and v1 firewall whose translation it changes, and none of the others (a
// project's default group lists no port, and is left alone).
func TestPortAndRouterChangesReachTheirFirewalls(t *testing.T) {
	const (
		r1, r2          = "r0000000-0000-4000-8000-000000000001", "r0000000-0000-4000-8000-000000000002"
		vm, vm2         = "p0000000-0000-4000-8000-0000000000a1", "p0000000-0000-4000-8000-0000000000a2"
		rif1, rif2, new = "p0000000-0000-4000-8000-0000000000b1", "p0000000-0000-4000-8000-0000000000b2", "p0000000-0000-4000-8000-0000000000b3"
		g1, gDefault    = "g0000000-0000-4000-8000-000000000001", "g0000000-0000-4000-8000-000000000002"
		g3, fw1, fw2    = "g0000000-0000-4000-8000-000000000003", "f0000000-0000-4000-8000-000000000001", "f0000000-0000-4000-8000-000000000002"
	)
	world := func() *translate.World {
		w := translate.NewWorld()
		for _, r := range []string{r1, r2} {
			w.Put("routers", translate.Doc{"id": r, "tenant_id": "t"})
		}
		w.Put("ports", translate.Doc{"id": vm, "device_owner": "compute:nova"})
		w.Put("ports", translate.Doc{"id": vm2, "device_owner": "compute:nova"})
		w.Put("ports", translate.Doc{"id": rif1, "device_owner": "network:router_interface", "device_id": r1})
		w.Put("ports", translate.Doc{"id": rif2, "device_owner": "network:router_interface", "device_id": r2})
		w.Put(Rules.Collection, translate.Doc{"id": "rule", "action": "deny", "enabled": true, "ip_version": 4})
		w.Put(Policies.Collection, translate.Doc{"id": "pol", "firewall_rules": []any{"rule"}})
		w.Put(RulesV1.Collection, translate.Doc{"id": "rule1", "action": "deny", "enabled": true, "ip_version": 4})
		w.Put(PoliciesV1.Collection, translate.Doc{"id": "pol1", "firewall_rules": []any{"rule1"}})
		for id, ports := range map[string][]any{g1: {vm, rif1}, gDefault: {}, g3: {vm2}} {
			w.Put(Groups.Collection, translate.Doc{"id": id, "tenant_id": "t", "admin_state_up": true, "ports": ports,
				"ingress_firewall_policy_id": "pol", "egress_firewall_policy_id": "pol"})
		}
		w.Put(Firewalls.Collection, translate.Doc{"id": fw1, "tenant_id": "t", "admin_state_up": true, "router_ids": []any{r1}, "firewall_policy_id": "pol1"})
		w.Put(Firewalls.Collection, translate.Doc{"id": fw2, "tenant_id": "t", "admin_state_up": true, "router_ids": []any{r2}, "firewall_policy_id": "pol1"})
		return w
	}
	owners := []translate.Ref{translate.RefOf(Groups.Collection, g1), translate.RefOf(Groups.Collection, gDefault), translate.RefOf(Groups.Collection, g3),
		translate.RefOf(Firewalls.Collection, fw1), translate.RefOf(Firewalls.Collection, fw2)}
	want := map[string][]translate.Ref{
		"a VM port renamed":                    owners[:1],
		"a VM port becomes a router interface": {owners[0], owners[4]},
		"a router interface deleted":           {owners[0], owners[3]},
		"a router interface created":           owners[3:4],
		"a port no group lists deleted":        owners[2:3],
		"a router deleted":                     {owners[0], owners[3]},
	}
	named := translatetest.Reaches(t, Service().Translators, world, owners, []translatetest.Change{
		{Name: "a VM port renamed", Collection: "ports", ID: vm, After: translate.Doc{"id": vm, "device_owner": "compute:nova", "name": "x"}},
		{Name: "a VM port becomes a router interface", Collection: "ports", ID: vm, After: translate.Doc{"id": vm, "device_owner": "network:router_interface", "device_id": r2}},
		{Name: "a router interface deleted", Collection: "ports", ID: rif1},
		{Name: "a router interface created", Collection: "ports", ID: new, After: translate.Doc{"id": new, "device_owner": "network:router_interface", "device_id": r1}},
		{Name: "a port no group lists deleted", Collection: "ports", ID: vm2},
		{Name: "a router deleted", Collection: "routers", ID: r1},
	})
	for name, w := range want {
		if !slices.Equal(named[name], w) {
			t.Errorf("%s: the dependents named %v, want %v", name, named[name], w)
		}
	}
}
