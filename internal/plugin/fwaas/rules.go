package fwaas

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// RuleCollection is /v2.0/fwaas/firewall_rules (v2) or /v2.0/fw/firewall_rules (v1).
type RuleCollection struct{ v version }

// Resource describes the rules of the version.
func (r RuleCollection) Resource() *resource.Resource { return r.v.rules }

// checkRule applies neutron-fwaas's checks to a whole rule: ports only with TCP or UDP (and
// only with a protocol), addresses of the rule's IP version.
func checkRule(d db.Doc) error {
	proto := plugin.Str(d, "protocol")
	ports := d["source_port"] != nil || d["destination_port"] != nil
	switch {
	case ports && proto == "":
		return fault.FirewallRuleInvalidPortParameter("Source, destination port requires a protocol.")
	case ports && proto != "tcp" && proto != "udp":
		return fault.FirewallRuleInvalidPortParameter("Source, destination port are not allowed when protocol is set to %s.", proto)
	}
	ver := 4
	if n, ok := d["ip_version"].(int); ok {
		ver = n
	} else if f, ok := d["ip_version"].(float64); ok {
		ver = int(f)
	}
	for _, k := range []string{"source_ip_address", "destination_ip_address"} {
		s := plugin.Str(d, k)
		if s == "" {
			continue
		}
		var a netip.Addr
		if p, err := netip.ParsePrefix(s); err == nil {
			a = p.Addr()
		} else if x, err := netip.ParseAddr(s); err == nil {
			a = x
		}
		if (a.Is4() && ver != 4) || (!a.Is4() && ver != 6) {
			return fault.FirewallIPAddressConflict()
		}
	}
	return nil
}

// Create stores a rule.
func (r RuleCollection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := stamp(body)
	if err := checkRule(d); err != nil {
		return nil, err
	}
	delete(d, "firewall_policy_id")
	delete(d, "position")
	if err := plugin.Add(ctx, tx, c, r.v.rules.Collection, d); err != nil {
		return nil, err
	}
	return d, r.Expand(ctx, tx, []db.Doc{d})
}

// holders are the policies (every project's) that hold the rule, read through the key index
// (the policies' Lookups).
func (r RuleCollection) holders(ctx context.Context, tx *db.Tx, id string) ([]db.Doc, error) {
	ps, err := tx.ListBy(ctx, r.v.policies.Collection, "firewall_rules", id)
	if err != nil {
		return nil, fmt.Errorf("fwaas: the policies of rule %s: %w", id, err)
	}
	var out []db.Doc
	for _, p := range ps {
		if slices.Contains(plugin.Strings(p, "firewall_rules"), id) {
			out = append(out, p)
		}
	}
	return out, nil
}

// Update changes a rule; the whole rule must still pass the checks, and a rule a shared
// policy holds stays shared.
func (r RuleCollection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	d := plugin.Apply(cur, changes)
	delete(d, "firewall_policy_id")
	delete(d, "position")
	if err := checkRule(d); err != nil {
		return nil, err
	}
	if s, ok := changes["shared"].(bool); ok && !s {
		hs, err := r.holders(ctx, tx, plugin.Str(cur, "id"))
		if err != nil {
			return nil, err
		}
		for _, p := range hs {
			if plugin.Bool(p, "shared") {
				return nil, fault.FirewallRuleSharingConflict(plugin.Str(p, "id"), plugin.Str(cur, "id"))
			}
			// Another project's policy holds it: unsharing would leave that project with a
			// rule it cannot see.
			if plugin.Str(p, "tenant_id") != plugin.Str(cur, "tenant_id") {
				return nil, fault.FirewallRuleInUse(plugin.Str(cur, "id"))
			}
		}
	}
	if err := plugin.Save(ctx, tx, c, r.v.rules.Collection, d); err != nil {
		return nil, err
	}
	return d, r.Expand(ctx, tx, []db.Doc{d})
}

// Delete refuses a rule a policy holds.
func (r RuleCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	hs, err := r.holders(ctx, tx, plugin.Str(cur, "id"))
	if err != nil {
		return err
	}
	if len(hs) > 0 {
		return fault.FirewallRuleInUse(plugin.Str(cur, "id"))
	}
	return plugin.Remove(ctx, tx, c, r.v.rules.Collection, cur)
}

// List returns the candidate rules.
func (r RuleCollection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	return list(ctx, tx, r.v.rules, f)
}

// Expand shows which policies hold each rule: v2, the list of them (a rule may be in
// several); v1, the one policy and the rule's 1-based position in it.
func (r RuleCollection) Expand(ctx context.Context, tx *db.Tx, docs []db.Doc) error {
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = plugin.Str(d, "id")
	}
	ps, err := tx.ListBy(ctx, r.v.policies.Collection, "firewall_rules", ids...)
	if err != nil {
		return fmt.Errorf("fwaas: the policies of %d rules: %w", len(ids), err)
	}
	slices.SortFunc(ps, func(a, b db.Doc) int {
		if x, y := plugin.Str(a, "id"), plugin.Str(b, "id"); x < y {
			return -1
		} else if x > y {
			return 1
		}
		return 0
	})
	for _, d := range docs {
		id := plugin.Str(d, "id")
		held := []any{}
		var one, pos any
		for _, p := range ps {
			if i := slices.Index(plugin.Strings(p, "firewall_rules"), id); i >= 0 {
				held = append(held, plugin.Str(p, "id"))
				if one == nil {
					one, pos = plugin.Str(p, "id"), i+1
				}
			}
		}
		if r.v.v2 {
			d["firewall_policy_id"] = held
			d["position"] = nil
		} else {
			d["firewall_policy_id"], d["position"] = one, pos
		}
	}
	return nil
}
