package qos

import (
	"context"
	"fmt"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// RuleCollection is one rule type's sub-collection of a policy. Rules are stored in their
// own kind and embedded in their policy; they are not journaled themselves: every change
// saves the policy.
type RuleCollection struct{ res *resource.Resource }

// Resource describes the rule type.
func (r RuleCollection) Resource() *resource.Resource { return r.res }

func (r RuleCollection) typ() string { return ruleTypeOf[r.res.Collection] }

// conflict refuses a second rule of the type (and direction) in a policy.
func (r RuleCollection) conflict(p *Policy, id, direction string) error {
	for _, o := range p.Rules {
		if o.Type != r.typ() || o.ID == id {
			continue
		}
		if r.typ() == TypeDSCPMarking || o.Direction == direction {
			return fault.QoSRulesConflict(r.typ(), o.ID, p.ID)
		}
	}
	return nil
}

// checkBound refuses a rule MidoNet cannot enforce in a policy a port or network names.
func checkBound(ctx context.Context, tx *db.Tx, policyID string, rule Rule) error {
	if rule.Supported() {
		return nil
	}
	if port, err := firstUser(ctx, tx, "ports", policyID); err != nil || port != "" {
		if err != nil {
			return err
		}
		return fault.QosRuleNotSupported(rule.Type, port)
	}
	if net, err := firstUser(ctx, tx, "networks", policyID); err != nil || net != "" {
		if err != nil {
			return err
		}
		return fault.QosRuleNotSupportedByNetwork(rule.Type, net)
	}
	return nil
}

func (r RuleCollection) asRule(d db.Doc) Rule {
	rule := model.MustDecode[Rule](d)
	rule.Type = r.typ()
	return rule
}

// admit checks a rule (new or changed) against its policy: the policy exists, no other rule
// of the type (and direction) is there, and MidoNet enforces it if the policy is bound.
func (r RuleCollection) admit(ctx context.Context, tx *db.Tx, d db.Doc) error {
	policyID := plugin.Str(d, "qos_policy_id")
	_, p, err := getPolicy(ctx, tx, policyID)
	if err != nil {
		return err
	}
	if p == nil {
		return fault.QosPolicyNotFound(policyID)
	}
	rule := r.asRule(d)
	if err := r.conflict(p, rule.ID, rule.Direction); err != nil {
		return err
	}
	return checkBound(ctx, tx, policyID, rule)
}

// Create adds a rule to the policy the URL names (the API set qos_policy_id).
func (r RuleCollection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := plugin.Copy(body)
	d["id"] = plugin.NewID()
	if err := r.admit(ctx, tx, d); err != nil {
		return nil, err
	}
	seq, err := tx.NextStandardAttrID(ctx, r.res.Collection)
	if err != nil {
		return nil, fmt.Errorf("qos: rule sequence: %w", err)
	}
	d["standard_attr_id"] = seq
	if err := tx.Insert(ctx, r.res.Collection, d); err != nil {
		return nil, err
	}
	return d, refreshRules(ctx, tx, c, plugin.Str(d, "qos_policy_id"))
}

// Update changes a rule's values (a direction already taken in the policy is a conflict).
func (r RuleCollection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	d := plugin.Apply(cur, changes)
	if err := r.admit(ctx, tx, d); err != nil {
		return nil, err
	}
	if err := tx.Put(ctx, r.res.Collection, d); err != nil {
		return nil, err
	}
	return d, refreshRules(ctx, tx, c, plugin.Str(d, "qos_policy_id"))
}

// Delete removes a rule from its policy.
func (r RuleCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	if _, err := tx.Delete(ctx, r.res.Collection, plugin.Str(cur, "id")); err != nil {
		return err
	}
	return refreshRules(ctx, tx, c, plugin.Str(cur, "qos_policy_id"))
}

// List returns the rules of the policy the URL names (the API filters on qos_policy_id).
func (r RuleCollection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	var h db.Filter
	if ids := f["qos_policy_id"]; len(ids) == 1 {
		h.ParentID = ids[0]
	}
	return tx.List(ctx, r.res.Collection, h)
}

// AliasCollection is a rule collection reached by rule id alone (qos-rules-alias).
type AliasCollection struct {
	res   *resource.Resource
	rules RuleCollection
}

// Resource describes the alias.
func (a AliasCollection) Resource() *resource.Resource { return a.res }

// Get reads the rule.
func (a AliasCollection) Get(ctx context.Context, tx *db.Tx, id string) (db.Doc, error) {
	return tx.Get(ctx, a.rules.res.Collection, id)
}

// Create is not part of the alias API.
func (AliasCollection) Create(context.Context, *db.Tx, *plugin.Caller, db.Doc) (db.Doc, error) {
	return nil, fault.MethodNotAllowed()
}

// Update changes the rule as the policy's own URL would.
func (a AliasCollection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	return a.rules.Update(ctx, tx, c, cur, changes)
}

// Delete removes the rule as the policy's own URL would.
func (a AliasCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	return a.rules.Delete(ctx, tx, c, cur)
}

// List is not part of the alias API.
func (AliasCollection) List(context.Context, *db.Tx, *plugin.Caller, map[string][]string) ([]db.Doc, error) {
	return nil, fault.HTTPNotFound()
}
