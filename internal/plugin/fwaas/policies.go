package fwaas

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
	"github.com/midonet-go/midonet/internal/resource"
)

// PolicyCollection is /v2.0/fwaas/firewall_policies (v2) or /v2.0/fw/firewall_policies (v1):
// ordered rules, insert_rule and remove_rule, audited (cleared by every change that does not
// set it).
type PolicyCollection struct{ v version }

// Resource describes the policies of the version.
func (p PolicyCollection) Resource() *resource.Resource { return p.v.policies }

// checkRules checks the rules a policy is to hold: each visible to the caller, none twice,
// only shared ones in a shared policy, and (v1) none held by another policy.
func (p PolicyCollection) checkRules(ctx context.Context, tx *db.Tx, c *plugin.Caller, pol db.Doc, ids []string) error {
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			return fault.InvalidInput("firewall rule %s is listed twice", id)
		}
		seen[id] = true
		if err := p.checkRule(ctx, tx, c, pol, id); err != nil {
			return err
		}
	}
	return nil
}

func (p PolicyCollection) checkRule(ctx context.Context, tx *db.Tx, c *plugin.Caller, pol db.Doc, id string) error {
	r, err := plugin.Fetch(ctx, tx, c, p.v.rules.Collection, id)
	if err != nil {
		return err
	}
	if plugin.Bool(pol, "shared") && !plugin.Bool(r, "shared") {
		return fault.FirewallRuleSharingConflict(plugin.Str(pol, "id"), id)
	}
	if p.v.v2 {
		return nil
	}
	hs, err := RuleCollection{p.v}.holders(ctx, tx, id)
	if err != nil {
		return err
	}
	for _, h := range hs {
		if other := plugin.Str(h, "id"); other != plugin.Str(pol, "id") {
			return fault.FirewallRuleInPolicy(id, other)
		}
	}
	return nil
}

// Create stores a policy with its rules.
func (p PolicyCollection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := stamp(body)
	if d["firewall_rules"] == nil {
		d["firewall_rules"] = []any{}
	}
	if err := p.checkRules(ctx, tx, c, d, plugin.Strings(d, "firewall_rules")); err != nil {
		return nil, err
	}
	return d, plugin.Add(ctx, tx, c, p.v.policies.Collection, d)
}

// users are the firewalls or groups (every project's) that use the policy, read through the
// key index (the applied collection's Lookups).
func (p PolicyCollection) users(ctx context.Context, tx *db.Tx, id string) ([]db.Doc, error) {
	var as []db.Doc
	for _, attr := range p.v.policyAttrs() {
		docs, err := tx.ListBy(ctx, p.v.applied.Collection, attr, id)
		if err != nil {
			return nil, fmt.Errorf("fwaas: the users of policy %s: %w", id, err)
		}
		for _, d := range docs {
			if !slices.ContainsFunc(as, func(a db.Doc) bool { return plugin.Str(a, "id") == plugin.Str(d, "id") }) {
				as = append(as, d)
			}
		}
	}
	var out []db.Doc
	for _, a := range as {
		if slices.Contains(p.v.policiesOf(a), id) {
			out = append(out, a)
		}
	}
	return out, nil
}

// Update changes a policy. Without `audited` in the request the policy is no longer audited
// (neutron-fwaas); a policy another project's firewall uses stays shared.
func (p PolicyCollection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	d := plugin.Apply(cur, changes)
	if d["firewall_rules"] == nil {
		d["firewall_rules"] = []any{}
	}
	if _, ok := changes["audited"]; !ok {
		d["audited"] = false
	}
	_, newRules := changes["firewall_rules"]
	_, newShared := changes["shared"]
	if newRules || newShared {
		if err := p.checkRules(ctx, tx, c, d, plugin.Strings(d, "firewall_rules")); err != nil {
			return nil, err
		}
	}
	if s, ok := changes["shared"].(bool); ok && !s {
		us, err := p.users(ctx, tx, plugin.Str(cur, "id"))
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			if plugin.Str(u, "tenant_id") != plugin.Str(cur, "tenant_id") {
				return nil, fault.FirewallPolicyInUse(plugin.Str(cur, "id"))
			}
		}
	}
	return d, plugin.Save(ctx, tx, c, p.v.policies.Collection, d)
}

// Delete refuses a policy a firewall or group uses.
func (p PolicyCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	us, err := p.users(ctx, tx, plugin.Str(cur, "id"))
	if err != nil {
		return err
	}
	if len(us) > 0 {
		return fault.FirewallPolicyInUse(plugin.Str(cur, "id"))
	}
	return plugin.Remove(ctx, tx, c, p.v.policies.Collection, cur)
}

// List returns the candidate policies.
func (p PolicyCollection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	return list(ctx, tx, p.v.policies, f)
}

// ActionMethod names the actions: insert_rule and remove_rule, both PUT.
func (PolicyCollection) ActionMethod(action string) string {
	if action == "insert_rule" || action == "remove_rule" {
		return http.MethodPut
	}
	return ""
}

// ruleRef reads a rule id of an action body ("" when absent or null).
func ruleRef(body map[string]any, key string) (string, error) {
	v, ok := body[key]
	if !ok || v == nil || v == "" {
		return "", nil
	}
	s, _ := v.(string)
	if !resource.IsUUID(s) {
		return "", fault.InvalidInput("'%s' is not a valid UUID", resource.Repr(v))
	}
	return s, nil
}

// Action inserts a rule (before insert_before, else after insert_after, else first) or
// removes one, and answers the policy itself (unwrapped, as neutron-fwaas does). Either
// clears audited.
func (p PolicyCollection) Action(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc, action string, body map[string]any) (any, error) {
	id, err := ruleRef(body, "firewall_rule_id")
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, fault.FirewallRuleInfoMissing()
	}
	pid := plugin.Str(cur, "id")
	rules := plugin.Strings(cur, "firewall_rules")
	switch action {
	case "insert_rule":
		if _, err := plugin.Fetch(ctx, tx, c, p.v.rules.Collection, id); err != nil {
			return nil, err
		}
		if slices.Contains(rules, id) {
			if p.v.v2 {
				return nil, fault.FirewallRuleAlreadyAssociated(id, pid)
			}
			return nil, fault.FirewallRuleInPolicy(id, pid)
		}
		if err := p.checkRule(ctx, tx, c, cur, id); err != nil {
			return nil, err
		}
		at := 0
		for _, k := range []string{"insert_after", "insert_before"} {
			ref, err := ruleRef(body, k)
			if err != nil {
				return nil, err
			}
			if ref == "" {
				continue
			}
			if _, err := plugin.Fetch(ctx, tx, c, p.v.rules.Collection, ref); err != nil {
				return nil, err
			}
			i := slices.Index(rules, ref)
			if i < 0 {
				return nil, fault.FirewallRuleNotAssociatedWithPolicy(ref, pid)
			}
			at = i + 1
			if k == "insert_before" {
				at = i // insert_before wins over insert_after
			}
		}
		rules = slices.Insert(rules, at, id)
	case "remove_rule":
		if _, err := plugin.Fetch(ctx, tx, c, p.v.rules.Collection, id); err != nil {
			return nil, err
		}
		i := slices.Index(rules, id)
		if i < 0 {
			return nil, fault.FirewallRuleNotAssociatedWithPolicy(id, pid)
		}
		rules = slices.Delete(rules, i, i+1)
	default:
		return nil, fault.HTTPNotFound()
	}
	if len(rules) > MaxPolicyRules {
		return nil, fault.InvalidInput("a policy holds at most %d rules", MaxPolicyRules)
	}
	l := make([]any, len(rules))
	for i, r := range rules {
		l[i] = r
	}
	cur["firewall_rules"] = l
	cur["audited"] = false
	if err := plugin.Save(ctx, tx, c, p.v.policies.Collection, cur); err != nil {
		return nil, err
	}
	return stored.Visible(p.v.policies, cur), nil
}
