package simulation_test

import (
	"strings"
	"testing"

	"github.com/midonet-go/midonet/test/testenv"
)

// hopNotes are the notes of a trace's hops that mention s.
func hopNotes(r traceOut, s string) []string {
	var out []string
	for _, h := range r.Hops {
		if n, _ := h["note"].(string); strings.Contains(n, s) {
			out = append(out, n)
		}
	}
	return out
}

// TestFirewallsThroughTheAPI: FWaaS made through the API reaches the agent's simulator. v2: a
// firewall group on a router interface denies TCP 80 into the router from that subnet and
// allows TCP 22; the trace names the group and the rule. v1: a firewall on the router with a
// policy that denies ICMP drops a ping across the router, naming the firewall and its rule;
// disabling the rule lets the ping through; deleting the firewall unfilters the router.
func TestFirewallsThroughTheAPI(t *testing.T) {
	a := &api{t: t, srv: testenv.StartServer(t, testenv.Options{})}
	net1, net2 := a.network("fw-net1", false), a.network("fw-net2", false)
	sub1, sub2 := a.subnet(net1, "10.31.1.0/24", nil), a.subnet(net2, "10.31.2.0/24", nil)
	rid := a.create("routers", "router", map[string]any{"name": "fw-r"})["id"].(string)
	rif1 := a.call("PUT", "routers/"+rid+"/add_router_interface", map[string]any{"subnet_id": sub1})["port_id"].(string)
	a.call("PUT", "routers/"+rid+"/add_router_interface", map[string]any{"subnet_id": sub2})
	open := a.create("security-groups", "security_group", map[string]any{"name": "open"})["id"].(string)
	for _, proto := range []string{"tcp", "udp", "icmp"} {
		a.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": open, "direction": "ingress", "ethertype": "IPv4", "protocol": proto})
	}
	vm1 := a.vm("fw-vm1", net1, "10.31.1.10", open)
	vm2 := a.vm("fw-vm2", net2, "10.31.2.20", open)

	ssh := a.create("fwaas/firewall_rules", "firewall_rule", map[string]any{"protocol": "tcp", "destination_port": "22", "action": "allow"})["id"].(string)
	web := a.create("fwaas/firewall_rules", "firewall_rule", map[string]any{"protocol": "tcp", "destination_port": "80", "action": "deny"})["id"].(string)
	pol := a.create("fwaas/firewall_policies", "firewall_policy", map[string]any{"firewall_rules": []any{ssh, web}})["id"].(string)
	group := a.create("fwaas/firewall_groups", "firewall_group", map[string]any{"ingress_firewall_policy_id": pol, "ports": []any{rif1}})["id"].(string)
	settle()

	t.Run("v2: a denying rule drops, naming the group and the rule", func(t *testing.T) {
		r := a.trace(t, "--from-port", "fw-vm1", "--dst", "10.31.2.20", "--proto", "tcp", "--dport", "80")
		if r.Verdict != "dropped" || r.Drop == nil || r.Drop.FirewallID != group || r.Drop.FirewallRuleID != web {
			t.Fatalf("verdict %s drop %+v; want a drop by group %s rule %s", r.Verdict, r.Drop, group, web)
		}
		if !strings.Contains(r.Drop.Reason, "firewall "+group+" rule "+web) {
			t.Errorf("drop reason %q names neither", r.Drop.Reason)
		}
	})
	t.Run("v2: an allowing rule lets it through and the trace says so", func(t *testing.T) {
		r := a.trace(t, "--from-port", "fw-vm1", "--dst", "10.31.2.20", "--proto", "tcp", "--dport", "22")
		forwardedTo(t, r, vm2, "10.31.1.10", "10.31.2.20")
		if n := hopNotes(r, "firewall "+group+" rule "+ssh); len(n) == 0 {
			t.Errorf("no hop names the group's allowing rule: %v", r.Hops)
		}
	})
	t.Run("v2: no rule matches, the group's final drop", func(t *testing.T) {
		r := a.trace(t, "--from-port", "fw-vm1", "--dst", "10.31.2.20", "--proto", "udp", "--dport", "53")
		if r.Verdict != "dropped" || r.Drop == nil || r.Drop.FirewallID != group || r.Drop.FirewallRuleID != "" {
			t.Fatalf("verdict %s drop %+v; want the group's final drop", r.Verdict, r.Drop)
		}
		// The other direction is not filtered by the group (ingress policy only).
		r = a.trace(t, "--from-port", "fw-vm2", "--dst", "10.31.1.10", "--proto", "udp", "--dport", "53")
		forwardedTo(t, r, vm1, "10.31.2.20", "10.31.1.10")
	})
	a.call("PUT", "fwaas/firewall_groups/"+group, map[string]any{"firewall_group": map[string]any{"ports": []any{}}})

	icmp := a.create("fw/firewall_rules", "firewall_rule", map[string]any{"protocol": "icmp", "action": "deny"})["id"].(string)
	anyRule := a.create("fw/firewall_rules", "firewall_rule", map[string]any{"action": "allow"})["id"].(string)
	pol1 := a.create("fw/firewall_policies", "firewall_policy", map[string]any{"firewall_rules": []any{icmp, anyRule}})["id"].(string)
	fw := a.create("fw/firewalls", "firewall", map[string]any{"firewall_policy_id": pol1, "router_ids": []any{rid}})["id"].(string)
	settle()
	t.Run("v1: the router's firewall drops ICMP, naming the firewall and the rule", func(t *testing.T) {
		r := a.trace(t, "--from-port", "fw-vm1", "--dst", "10.31.2.20")
		if r.Verdict != "dropped" || r.Drop == nil || r.Drop.FirewallID != fw || r.Drop.FirewallRuleID != icmp {
			t.Fatalf("verdict %s drop %+v; want a drop by firewall %s rule %s", r.Verdict, r.Drop, fw, icmp)
		}
		r = a.trace(t, "--from-port", "fw-vm1", "--dst", "10.31.2.20", "--proto", "udp", "--dport", "53")
		forwardedTo(t, r, vm2, "10.31.1.10", "10.31.2.20")
	})
	t.Run("v1: a disabled rule is not enforced", func(t *testing.T) {
		a.call("PUT", "fw/firewall_rules/"+icmp, map[string]any{"firewall_rule": map[string]any{"enabled": false}})
		settle()
		r := a.trace(t, "--from-port", "fw-vm1", "--dst", "10.31.2.20")
		forwardedTo(t, r, vm2, "10.31.1.10", "10.31.2.20")
	})
	t.Run("v1: a firewall administratively down drops everything", func(t *testing.T) {
		a.call("PUT", "fw/firewalls/"+fw, map[string]any{"firewall": map[string]any{"admin_state_up": false}})
		settle()
		r := a.trace(t, "--from-port", "fw-vm1", "--dst", "10.31.2.20", "--proto", "udp", "--dport", "53")
		if r.Verdict != "dropped" || r.Drop == nil || r.Drop.FirewallID != fw {
			t.Fatalf("verdict %s drop %+v; want the down firewall's drop", r.Verdict, r.Drop)
		}
	})
	t.Run("v1: deleting the firewall unfilters the router", func(t *testing.T) {
		a.call("DELETE", "fw/firewalls/"+fw, nil)
		settle()
		r := a.trace(t, "--from-port", "fw-vm1", "--dst", "10.31.2.20", "--proto", "udp", "--dport", "53")
		forwardedTo(t, r, vm2, "10.31.1.10", "10.31.2.20")
	})
}
