package fwaas

import (
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
	"github.com/midonet-go/midonet/internal/topology"
)

// TestInsertRule: where insert_rule puts a rule (first, after, before; before wins), what it
// refuses, and that a refused action changes nothing and every change clears audited.
func TestInsertRule(t *testing.T) {
	for _, v := range []version{v1, v2} {
		e := plugintest.New(t)
		cat := resource.MustCatalog(append(builtin.Resources(), Service().Resources...)...)
		e.DB.Kinds, e.Caller.Catalog = cat, cat
		e.Register(RuleCollection{v}, PolicyCollection{v})
		rule := func() string {
			return e.MustCreate(v.rules.Collection, map[string]any{"protocol": "tcp", "action": "allow"})["id"].(string)
		}
		a, b, c, d := rule(), rule(), rule(), rule()
		pol := e.MustCreate(v.policies.Collection, map[string]any{"firewall_rules": []any{a, b}, "audited": true})["id"].(string)
		tests := []struct {
			name   string
			body   map[string]any
			want   []string
			status int
			typ    string
		}{
			{"after a", map[string]any{"firewall_rule_id": c, "insert_after": a}, []string{a, c, b}, 0, ""},
			{"already there", map[string]any{"firewall_rule_id": c}, nil, 409, map[bool]string{true: "FirewallRuleAlreadyAssociated", false: "FirewallRuleInPolicy"}[v.v2]},
			{"unknown reference", map[string]any{"firewall_rule_id": d, "insert_before": "00000000-0000-4000-8000-000000000009"}, nil, 404, "FirewallRuleNotFound"},
			{"already there, with a reference", map[string]any{"firewall_rule_id": c, "insert_before": d}, nil, 409, map[bool]string{true: "FirewallRuleAlreadyAssociated", false: "FirewallRuleInPolicy"}[v.v2]},
			{"reference outside the policy", map[string]any{"firewall_rule_id": d, "insert_after": d}, nil, 400, "FirewallRuleNotAssociatedWithPolicy"},
			{"no rule", map[string]any{"insert_before": a}, nil, 400, "FirewallRuleInfoMissing"},
			{"not a uuid", map[string]any{"firewall_rule_id": "x"}, nil, 400, "InvalidInput"},
			{"before wins over after", map[string]any{"firewall_rule_id": d, "insert_before": a, "insert_after": b}, []string{d, a, c, b}, 0, ""},
		}
		for _, tc := range tests {
			before := plugin.Strings(e.Get(v.policies.Collection, pol), "firewall_rules")
			_, err := e.Action(v.policies.Collection, pol, "insert_rule", tc.body)
			after := e.Get(v.policies.Collection, pol)
			if tc.status != 0 {
				plugintest.WantFault(t, tc.name, err, tc.status, tc.typ)
				if got := plugin.Strings(after, "firewall_rules"); !slices.Equal(got, before) {
					t.Errorf("%s: a refused insert changed the rules %v → %v", tc.name, before, got)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := plugin.Strings(after, "firewall_rules"); !slices.Equal(got, tc.want) || plugin.Bool(after, "audited") {
				t.Errorf("%s (v2 %v): rules %v audited %v, want %v and false", tc.name, v.v2, got, after["audited"], tc.want)
			}
		}
		if _, err := e.Action(v.policies.Collection, pol, "remove_rule", map[string]any{"firewall_rule_id": a}); err != nil {
			t.Fatal(err)
		}
		_, err := e.Action(v.policies.Collection, pol, "remove_rule", map[string]any{"firewall_rule_id": a})
		plugintest.WantFault(t, "remove twice", err, 400, "FirewallRuleNotAssociatedWithPolicy")
		// v1: a rule is in one policy at most; v2: in several.
		_, err = e.Create(v.policies.Collection, map[string]any{"firewall_rules": []any{b}})
		if v.v2 && err != nil {
			t.Errorf("v2: a rule in a second policy refused: %v", err)
		}
		if !v.v2 {
			plugintest.WantFault(t, "v1 rule in a second policy", err, 409, "FirewallRuleInPolicy")
		}
	}
}

// TestCheckRule: neutron-fwaas's checks of a whole rule.
func TestCheckRule(t *testing.T) {
	for _, tc := range []struct {
		rule map[string]any
		ok   bool
	}{
		{map[string]any{"protocol": "tcp", "destination_port": "80"}, true},
		{map[string]any{"protocol": "udp", "source_port": "1000:2000"}, true},
		{map[string]any{"protocol": "icmp", "destination_port": "80"}, false},
		{map[string]any{"destination_port": "80"}, false},
		{map[string]any{"ip_version": 4, "source_ip_address": "10.0.0.0/8", "destination_ip_address": "10.1.1.1"}, true},
		{map[string]any{"ip_version": 6, "source_ip_address": "2001:db8::/32"}, true},
		{map[string]any{"ip_version": 6, "source_ip_address": "10.0.0.1"}, false},
		{map[string]any{"ip_version": 4, "destination_ip_address": "2001:db8::1"}, false},
	} {
		if err := checkRule(tc.rule); (err == nil) != tc.ok {
			t.Errorf("checkRule(%v) = %v, want ok %v", tc.rule, err, tc.ok)
		}
	}
}

// TestGroupTranslation: a v2 group on a router interface and a VM port: its chains (return
// flows first, rules in order with their firewall rule in metadata, a final drop), the
// router's jumps by direction, the VM port's jumps, and nothing for a direction without a
// policy or a disabled rule.
func TestGroupTranslation(t *testing.T) {
	w := translate.NewWorld()
	const router, rif, vm, g = "r0000000-0000-4000-8000-000000000001", "p0000000-0000-4000-8000-000000000001", "p0000000-0000-4000-8000-000000000002", "g0000000-0000-4000-8000-000000000001"
	w.Put("routers", translate.Doc{"id": router, "tenant_id": "t"})
	w.Put("ports", translate.Doc{"id": rif, "device_owner": "network:router_interface", "device_id": router})
	w.Put("ports", translate.Doc{"id": vm, "device_owner": "compute:nova"})
	w.Put(Rules.Collection, translate.Doc{"id": "r1", "protocol": "tcp", "destination_port": "22", "action": "allow", "enabled": true, "ip_version": 4})
	w.Put(Rules.Collection, translate.Doc{"id": "r2", "protocol": "udp", "action": "reject", "enabled": true, "ip_version": 4})
	w.Put(Rules.Collection, translate.Doc{"id": "r3", "action": "deny", "enabled": false, "ip_version": 4})
	w.Put(Rules.Collection, translate.Doc{"id": "r4", "action": "deny", "enabled": true, "ip_version": 6})
	w.Put(Policies.Collection, translate.Doc{"id": "pol", "firewall_rules": []any{"r1", "r2", "r3", "r4"}})
	w.Put(Groups.Collection, translate.Doc{"id": g, "tenant_id": "t", "admin_state_up": true, "ports": []any{rif, vm}, "ingress_firewall_policy_id": "pol"})
	objs := groupObjects(w, g)
	in := GroupChainID(g, "ingress")
	var rules []*topology.Rule
	jumps := map[string]*topology.Rule{}
	for _, o := range objs {
		if r, ok := o.(*topology.Rule); ok {
			if r.ChainID == in {
				rules = append(rules, r)
			} else {
				jumps[r.ChainID] = r
			}
		}
	}
	slices.SortFunc(rules, func(a, b *topology.Rule) int { return a.Order - b.Order })
	var got []string
	for _, r := range rules {
		got = append(got, r.Action+":"+r.Metadata[topology.MetaFirewallRuleID])
	}
	want := []string{"ACCEPT:", "RETURN:r1", "REJECT:r2", "DROP:"}
	if !slices.Equal(got, want) {
		t.Errorf("ingress chain %v, want %v", got, want)
	}
	if !rules[0].Condition.MatchReturnFlow || rules[1].Condition.NwProto != 6 || rules[1].Condition.TpDst.Start != 22 {
		t.Errorf("conditions %+v %+v", rules[0].Condition, rules[1].Condition)
	}
	j := jumps[topology.FwdChainID(router)]
	if j == nil || j.JumpChainID != in || len(j.Condition.InPortIDs) != 1 || j.Condition.InPortIDs[0] != topology.RouterInterfacePortPeerID(rif) {
		t.Errorf("router jump %+v", j)
	}
	if j := jumps[topology.OutChainID(vm)]; j == nil || j.JumpChainID != in {
		t.Errorf("VM port (to the VM) jump %+v", j)
	}
	if j := jumps[topology.InChainID(vm)]; j != nil {
		t.Errorf("a jump for the egress direction, which has no policy: %+v", j)
	}
}

// FuzzRuleTranslation: any rule the API accepts translates without panicking, and its ports
// become ranges the simulator can read.
func FuzzRuleTranslation(f *testing.F) {
	f.Add("tcp", "22", "1000:2000", "10.0.0.0/8", "10.1.1.1", 4)
	f.Add("", "", "", "", "", 6)
	f.Add("udp", "0:65535", "65535", "::1", "2001:db8::/32", 6)
	f.Fuzz(func(t *testing.T, proto, dport, sport, src, dst string, ver int) {
		doc := map[string]any{"protocol": nilIfEmpty(proto), "destination_port": nilIfEmpty(dport), "source_port": nilIfEmpty(sport),
			"source_ip_address": nilIfEmpty(src), "destination_ip_address": nilIfEmpty(dst), "ip_version": ver}
		p, err := Rules.ParseCreate(doc)
		if err != nil || checkRule(p) != nil {
			return
		}
		c, ok := condition(p)
		if !ok {
			return
		}
		for _, r := range []*topology.Range{c.TpSrc, c.TpDst} {
			if r != nil && (r.Start < 0 || r.End > 65535 || r.Start > r.End) {
				t.Fatalf("rule %v: range %+v", p, *r)
			}
		}
	})
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
