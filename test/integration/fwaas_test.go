package integration

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/fwaas_v2/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/fwaas_v2/policies"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/fwaas_v2/rules"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// fwRouter makes a router with two interfaces (10.61.1.0/24, 10.61.2.0/24) and returns it
// and the two interface ports.
func fwRouter(t *testing.T, c *gophercloud.ServiceClient, name string, third int) (string, []string) {
	t.Helper()
	r := l3CreateRouter(t, c, routers.CreateOpts{Name: name})
	var ports []string
	for i := 1; i <= 2; i++ {
		n := createNetwork(t, c, doc{"network": doc{"name": name}})
		cidr := "10." + string(rune('0'+third)) + "." + string(rune('0'+i)) + ".0/24"
		s := createSubnet(t, c, subnets.CreateOpts{NetworkID: n.ID, CIDR: cidr, IPVersion: gophercloud.IPv4})
		ports = append(ports, l3AddInterface(t, c, r.ID, routers.AddInterfaceOpts{SubnetID: s.ID}).PortID)
	}
	return r.ID, ports
}

// TestFWaaSv2: rules, policies (ordering, insert/remove, audited) and groups on router
// ports through gophercloud's fwaas_v2 packages, with neutron-fwaas's errors, on SQLite and
// PostgreSQL.
func TestFWaaSv2(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.admin("it-fw")
		allow, err := rules.Create(ctx(t), c, rules.CreateOpts{Name: "ssh", Protocol: rules.ProtocolTCP, Action: rules.ActionAllow, DestinationPort: "22", DestinationIPAddress: "10.6.2.0/24"}).Extract()
		must(t, err)
		if allow.IPVersion != 4 || !allow.Enabled || allow.Shared || allow.DestinationPort != "22" || len(allow.FirewallPolicyID) != 0 {
			t.Fatalf("new rule %+v", allow)
		}
		deny, err := rules.Create(ctx(t), c, rules.CreateOpts{Name: "udp", Protocol: rules.ProtocolUDP, Action: rules.ActionDeny}).Extract()
		must(t, err)
		reject, err := rules.Create(ctx(t), c, rules.CreateOpts{Protocol: rules.ProtocolAny, Action: rules.ActionReject}).Extract()
		must(t, err)

		// Invalid rules: neutron-fwaas's 400s.
		for _, bad := range []doc{
			{"protocol": "icmp", "destination_port": "22", "action": "allow"},
			{"destination_port": "22", "action": "allow"},
			{"protocol": "tcp", "destination_port": "30:20"},
			{"protocol": "tcp", "source_port": "70000"},
			{"ip_version": 6, "source_ip_address": "10.0.0.1"},
			{"action": "permit"},
			{"protocol": "gre"},
			{"source_ip_address": "not-an-address"},
		} {
			_, _, err := raw(t, c, "POST", "fwaas/firewall_rules", doc{"firewall_rule": bad}, nil, 201)
			wantError(t, err, 400, "")
		}

		pol, err := policies.Create(ctx(t), c, policies.CreateOpts{Name: "web", FirewallRules: []string{allow.ID, deny.ID}, Audited: ptr(true)}).Extract()
		must(t, err)
		if !slices.Equal(pol.Rules, []string{allow.ID, deny.ID}) || !pol.Audited {
			t.Fatalf("new policy %+v", pol)
		}
		got, err := rules.Get(ctx(t), c, allow.ID).Extract()
		must(t, err)
		if !slices.Equal(got.FirewallPolicyID, []string{pol.ID}) {
			t.Errorf("rule's firewall_policy_id %v, want [%s]", got.FirewallPolicyID, pol.ID)
		}
		// insert_rule before deny, then remove it: the policy answers unwrapped; audited clears.
		p2, err := policies.InsertRule(ctx(t), c, pol.ID, policies.InsertRuleOpts{ID: reject.ID, InsertBefore: deny.ID}).Extract()
		must(t, err)
		if !slices.Equal(p2.Rules, []string{allow.ID, reject.ID, deny.ID}) || p2.Audited {
			t.Fatalf("after insert_rule: %+v", p2)
		}
		_, _, err = raw(t, c, "PUT", "fwaas/firewall_policies/"+pol.ID+"/insert_rule", doc{"firewall_rule_id": reject.ID}, nil, 200)
		wantError(t, err, 409, "FirewallRuleAlreadyAssociated")
		_, _, err = raw(t, c, "PUT", "fwaas/firewall_policies/"+pol.ID+"/insert_rule", doc{}, nil, 200)
		wantError(t, err, 400, "FirewallRuleInfoMissing")
		p3, err := policies.RemoveRule(ctx(t), c, pol.ID, reject.ID).Extract()
		must(t, err)
		if !slices.Equal(p3.Rules, []string{allow.ID, deny.ID}) {
			t.Fatalf("after remove_rule: %v", p3.Rules)
		}
		_, err = policies.RemoveRule(ctx(t), c, pol.ID, reject.ID).Extract()
		wantError(t, err, 400, "FirewallRuleNotAssociatedWithPolicy")
		_, err = policies.RemoveRule(ctx(t), c, pol.ID, "3a5e1f7c-0a8e-4c43-9bd4-2b3f6f0c9f11").Extract()
		wantError(t, err, 404, "FirewallRuleNotFound")
		// A rule a policy holds cannot go.
		wantError(t, rules.Delete(ctx(t), c, allow.ID).ExtractErr(), 409, "FirewallRuleInUse")
		// Audited stays only when set with the change.
		up, err := policies.Update(ctx(t), c, pol.ID, policies.UpdateOpts{Audited: ptr(true)}).Extract()
		must(t, err)
		up, err = policies.Update(ctx(t), c, pol.ID, policies.UpdateOpts{Description: ptr("changed")}).Extract()
		must(t, err)
		if up.Audited {
			t.Errorf("audited survived an update without it")
		}

		// Groups on router ports.
		router, ports := fwRouter(t, c, "fw-r", 6)
		g, err := groups.Create(ctx(t), c, groups.CreateOpts{Name: "g", IngressFirewallPolicyID: pol.ID, Ports: []string{ports[0]}}).Extract()
		must(t, err)
		if g.Status != "ACTIVE" || !slices.Equal(g.Ports, []string{ports[0]}) || g.EgressFirewallPolicyID != "" {
			t.Fatalf("new group %+v", g)
		}
		_, err = groups.Create(ctx(t), c, groups.CreateOpts{Name: "g2", Ports: []string{ports[0]}}).Extract()
		wantError(t, err, 409, "FirewallGroupPortInUse")
		_, err = groups.Create(ctx(t), c, groups.CreateOpts{Name: "default"}).Extract()
		wantError(t, err, 409, "")
		wantError(t, policies.Delete(ctx(t), c, pol.ID).ExtractErr(), 409, "FirewallPolicyInUse")
		g, err = groups.Update(ctx(t), c, g.ID, groups.UpdateOpts{Ports: &[]string{ports[1]}}).Extract()
		must(t, err)
		if !slices.Equal(g.Ports, []string{ports[1]}) {
			t.Errorf("ports after update %v", g.Ports)
		}
		g, err = groups.Update(ctx(t), c, g.ID, groups.UpdateOpts{Ports: &[]string{}}).Extract()
		must(t, err)
		if g.Status != "INACTIVE" {
			t.Errorf("group without ports: status %s, want INACTIVE", g.Status)
		}
		// The project's default group appears on the first list.
		var names []string
		pages, err := groups.List(c, groups.ListOpts{}).AllPages(ctx(t))
		must(t, err)
		all, err := groups.ExtractGroups(pages)
		must(t, err)
		for _, x := range all {
			names = append(names, x.Name)
		}
		if !slices.Contains(names, "default") || !slices.Contains(names, "g") {
			t.Errorf("groups %v, want default and g", names)
		}
		// A router interface removed through its router leaves the group.
		_, err = groups.Update(ctx(t), c, g.ID, groups.UpdateOpts{Ports: &[]string{ports[0]}}).Extract()
		must(t, err)
		l3RemoveInterface(t, c, router, routers.RemoveInterfaceOpts{PortID: ports[0]})
		g, err = groups.Get(ctx(t), c, g.ID).Extract()
		must(t, err)
		if len(g.Ports) != 0 || g.Status != "INACTIVE" {
			t.Errorf("group after its port's interface went: ports %v status %s", g.Ports, g.Status)
		}
		must(t, groups.Delete(ctx(t), c, g.ID).ExtractErr())
		must(t, policies.Delete(ctx(t), c, pol.ID).ExtractErr())
		must(t, rules.Delete(ctx(t), c, allow.ID).ExtractErr())
		_, err = rules.Get(ctx(t), c, allow.ID).Extract()
		wantError(t, err, 404, "FirewallRuleNotFound")
	})
}

// TestFWaaSv1: the seed's v1 API: rules in one policy at most, positions, insert/remove,
// firewalls bound to routers with router_ids (ACTIVE), one firewall per router.
func TestFWaaSv1(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.admin("it-fw1")
		rule := func(body doc) map[string]any {
			out, _, err := raw(t, c, "POST", "fw/firewall_rules", doc{"firewall_rule": body}, nil, 201)
			must(t, err)
			return out["firewall_rule"].(map[string]any)
		}
		a := rule(doc{"protocol": "tcp", "destination_port": "80", "action": "allow"})
		b := rule(doc{"protocol": "icmp", "action": "deny"})
		if a["firewall_policy_id"] != nil || a["position"] != nil {
			t.Fatalf("free rule %v", a)
		}
		out, _, err := raw(t, c, "POST", "fw/firewall_policies", doc{"firewall_policy": doc{"name": "p", "firewall_rules": []string{a["id"].(string)}}}, nil, 201)
		must(t, err)
		p := out["firewall_policy"].(map[string]any)
		pid := p["id"].(string)
		_, _, err = raw(t, c, "POST", "fw/firewall_policies", doc{"firewall_policy": doc{"firewall_rules": []string{a["id"].(string)}}}, nil, 201)
		wantError(t, err, 409, "FirewallRuleInPolicy")
		res, _, err := raw(t, c, "PUT", "fw/firewall_policies/"+pid+"/insert_rule", doc{"firewall_rule_id": b["id"], "insert_after": a["id"]}, nil, 200)
		must(t, err)
		if l := res["firewall_rules"].([]any); len(l) != 2 || l[1] != b["id"] {
			t.Fatalf("insert_rule answered %v", res)
		}
		got := get(t, c, "fw/firewall_rules/"+b["id"].(string))["firewall_rule"].(map[string]any)
		if got["firewall_policy_id"] != pid || fmt.Sprint(got["position"]) != "2" {
			t.Errorf("rule in policy: policy %v (want %s) position %#v", got["firewall_policy_id"], pid, got["position"])
		}
		// v1 and v2 are apart: the v2 list does not show v1 rules.
		if l := get(t, c, "fwaas/firewall_rules")["firewall_rules"].([]any); len(l) != 0 {
			t.Errorf("v2 lists %d rules made through v1", len(l))
		}
		router, _ := fwRouter(t, c, "fw1-r", 7)
		_, _, err = raw(t, c, "POST", "fw/firewalls", doc{"firewall": doc{"name": "no policy"}}, nil, 201)
		wantError(t, err, 400, "")
		out, _, err = raw(t, c, "POST", "fw/firewalls", doc{"firewall": doc{"name": "fw", "firewall_policy_id": pid, "router_ids": []string{router}}}, nil, 201)
		must(t, err)
		fw := out["firewall"].(map[string]any)
		if fw["status"] != "ACTIVE" || len(fw["router_ids"].([]any)) != 1 || fw["admin_state_up"] != true {
			t.Fatalf("firewall %v", fw)
		}
		_, _, err = raw(t, c, "POST", "fw/firewalls", doc{"firewall": doc{"firewall_policy_id": pid, "router_ids": []string{router}}}, nil, 201)
		wantError(t, err, 409, "FirewallRouterInUse")
		// Without router_ids: every router of the project that has no firewall (none left).
		out, _, err = raw(t, c, "POST", "fw/firewalls", doc{"firewall": doc{"firewall_policy_id": pid}}, nil, 201)
		must(t, err)
		fw2 := out["firewall"].(map[string]any)
		if fw2["status"] != "INACTIVE" || len(fw2["router_ids"].([]any)) != 0 {
			t.Errorf("second firewall %v, want INACTIVE on no router", fw2)
		}
		_, _, err = raw(t, c, "DELETE", "fw/firewall_policies/"+pid, nil, nil, 204)
		wantError(t, err, 409, "FirewallPolicyInUse")
		out, _, err = raw(t, c, "PUT", "fw/firewalls/"+fw["id"].(string), doc{"firewall": doc{"router_ids": []string{}}}, nil, 200)
		must(t, err)
		if out["firewall"].(map[string]any)["status"] != "INACTIVE" {
			t.Errorf("firewall without routers %v", out)
		}
		_, _, err = raw(t, c, "DELETE", "fw/firewalls/"+fw["id"].(string), nil, nil, 204)
		must(t, err)
		// A router deleted leaves the firewall holding it, which holds no router then.
		gone := l3CreateRouter(t, c, routers.CreateOpts{Name: "fw1-gone"}).ID
		_, _, err = raw(t, c, "PUT", "fw/firewalls/"+fw2["id"].(string), doc{"firewall": doc{"router_ids": []string{gone}}}, nil, 200)
		must(t, err)
		must(t, routers.Delete(ctx(t), c, gone).ExtractErr())
		out, _, err = raw(t, c, "GET", "fw/firewalls/"+fw2["id"].(string), nil, nil, 200)
		must(t, err)
		if got := out["firewall"].(map[string]any); got["status"] != "INACTIVE" || len(got["router_ids"].([]any)) != 0 {
			t.Errorf("firewall after its router's delete %v, want INACTIVE on no router", got)
		}
	})
}

// TestFWaaSCrossProject: another project's rules, policies, groups and firewalls are 404 for
// every verb and cannot be used; shared ones can be used but not changed; a member cannot
// share.
func TestFWaaSCrossProject(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		a, b := e.member("fw-a"), e.member("fw-b")
		admin := e.admin("fw-a")
		r, err := rules.Create(ctx(t), a, rules.CreateOpts{Protocol: rules.ProtocolTCP, Action: rules.ActionAllow}).Extract()
		must(t, err)
		p, err := policies.Create(ctx(t), a, policies.CreateOpts{FirewallRules: []string{r.ID}}).Extract()
		must(t, err)
		g, err := groups.Create(ctx(t), a, groups.CreateOpts{IngressFirewallPolicyID: p.ID}).Extract()
		must(t, err)
		for _, x := range []struct{ path, member string }{
			{"fwaas/firewall_rules/" + r.ID, "firewall_rule"}, {"fwaas/firewall_policies/" + p.ID, "firewall_policy"}, {"fwaas/firewall_groups/" + g.ID, "firewall_group"},
		} {
			path := x.path
			for _, m := range []string{"GET", "PUT", "DELETE"} {
				var body any
				if m == "PUT" {
					body = doc{x.member: doc{"name": "x"}}
				}
				_, status, _ := raw(t, b, m, path, body, nil, 200, 204)
				if status != http.StatusNotFound {
					t.Errorf("B %s %s: %d, want 404", m, path, status)
				}
			}
		}
		_, _, err = raw(t, b, "PUT", "fwaas/firewall_policies/"+p.ID+"/insert_rule", doc{"firewall_rule_id": r.ID}, nil, 200)
		wantError(t, err, 404, "FirewallPolicyNotFound")
		_, err = policies.Create(ctx(t), b, policies.CreateOpts{FirewallRules: []string{r.ID}}).Extract()
		wantError(t, err, 404, "FirewallRuleNotFound")
		_, err = groups.Create(ctx(t), b, groups.CreateOpts{IngressFirewallPolicyID: p.ID}).Extract()
		wantError(t, err, 404, "FirewallPolicyNotFound")
		_, err = rules.Create(ctx(t), b, rules.CreateOpts{Protocol: rules.ProtocolTCP, Action: rules.ActionAllow, Shared: ptr(true)}).Extract()
		wantError(t, err, 403, "")
		// B's lists hold none of A's.
		pages, err := rules.List(b, rules.ListOpts{}).AllPages(ctx(t))
		must(t, err)
		if l, _ := rules.ExtractRules(pages); len(l) != 0 {
			t.Errorf("B lists %d rules", len(l))
		}
		// A port of A in B's group: 404 (B cannot see it).
		_, ports := fwRouter(t, a, "fw-x", 8)
		_, err = groups.Create(ctx(t), b, groups.CreateOpts{Ports: []string{ports[0]}}).Extract()
		wantError(t, err, 404, "PortNotFound")
		// Shared by the admin: B may use the rule, not change it.
		_, err = rules.Update(ctx(t), admin, r.ID, rules.UpdateOpts{Shared: ptr(true)}).Extract()
		must(t, err)
		_, err = policies.Create(ctx(t), b, policies.CreateOpts{FirewallRules: []string{r.ID}}).Extract()
		must(t, err)
		_, err = rules.Update(ctx(t), b, r.ID, rules.UpdateOpts{Name: ptr("mine")}).Extract()
		wantError(t, err, 403, "")
		// B's policy holds it now: it cannot be unshared from under B.
		_, err = rules.Update(ctx(t), admin, r.ID, rules.UpdateOpts{Shared: ptr(false)}).Extract()
		wantError(t, err, 409, "FirewallRuleInUse")
		// v1 firewalls: B cannot bind A's router.
		out, _, err := raw(t, b, "POST", "fw/firewall_policies", doc{"firewall_policy": doc{"name": "bp"}}, nil, 201)
		must(t, err)
		rs := l3ListRouters(t, a, routers.ListOpts{})
		_, _, err = raw(t, b, "POST", "fw/firewalls", doc{"firewall": doc{"firewall_policy_id": out["firewall_policy"].(map[string]any)["id"], "router_ids": []string{rs[0].ID}}}, nil, 201)
		wantError(t, err, 404, "RouterNotFound")
	})
}
