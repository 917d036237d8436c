package qos

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
)

// The QoS policy a network or port names (qos_policy_id) must be one the caller sees, and
// hold only rules MidoNet enforces; a network created without one gets its project's
// default policy (qos-default); a port shows its network's policy (qos_network_policy_id).

// bindable reads the policy a network or port names, as the caller sees it, and the first
// rule type of it MidoNet cannot enforce.
func bindable(ctx context.Context, tx *db.Tx, c *plugin.Caller, policyID string) (string, error) {
	d, err := plugin.Fetch(ctx, tx, c, Policies.Collection, policyID)
	if err != nil {
		return "", err
	}
	return model.MustDecode[Policy](d).unsupported(), nil
}

// networkHook applies QoS to networks.
type networkHook struct{ plugin.NoHook }

func (networkHook) BeforeCreate(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) error {
	id := plugin.Str(body, "qos_policy_id")
	if id == "" {
		def, err := defaultPolicy(ctx, tx, plugin.Str(body, "tenant_id"))
		if err != nil || def == "" {
			return err
		}
		body["qos_policy_id"] = def
		id = def
	}
	bad, err := bindable(ctx, tx, c, id)
	if err == nil && bad != "" {
		err = fault.QosRuleNotSupportedByNetwork(bad, plugin.Str(body, "id"))
	}
	return err
}

func (networkHook) BeforeUpdate(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) error {
	if err := mayReplace(ctx, tx, c, cur, changes); err != nil {
		return err
	}
	id := plugin.Str(changes, "qos_policy_id")
	if id == "" {
		return nil
	}
	bad, err := bindable(ctx, tx, c, id)
	if err == nil && bad != "" {
		err = fault.QosRuleNotSupportedByNetwork(bad, plugin.Str(cur, "id"))
	}
	return err
}

// mayReplace refuses a change of qos_policy_id that takes off another project's private
// policy unless an admin asks (Neutron's _check_policy_change_permission).
func mayReplace(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) error {
	if _, ok := changes["qos_policy_id"]; !ok || c.IsAdmin {
		return nil
	}
	old := plugin.Str(cur, "qos_policy_id")
	if old == "" || old == plugin.Str(changes, "qos_policy_id") {
		return nil
	}
	d, err := tx.Get(ctx, Policies.Collection, old)
	if err != nil || d == nil {
		return err
	}
	if plugin.Str(d, "tenant_id") != c.ProjectID && !plugin.SharedWith(d, c.ProjectID) {
		return fault.PolicyRemoveAuthorizationError(old)
	}
	return nil
}

// defaultPolicy is the id of a project's default policy ("" when it has none).
func defaultPolicy(ctx context.Context, tx *db.Tx, project string) (string, error) {
	docs, err := tx.List(ctx, Policies.Collection, db.Filter{ProjectID: project})
	if err != nil {
		return "", err
	}
	for _, d := range docs {
		if plugin.Bool(d, "is_default") {
			return plugin.Str(d, "id"), nil
		}
	}
	return "", nil
}

// portHook applies QoS to ports.
type portHook struct{ plugin.NoHook }

func (portHook) BeforeCreate(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) error {
	return checkPort(ctx, tx, c, plugin.Str(body, "qos_policy_id"), plugin.Str(body, "id"))
}

func (portHook) BeforeUpdate(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) error {
	if err := mayReplace(ctx, tx, c, cur, changes); err != nil {
		return err
	}
	return checkPort(ctx, tx, c, plugin.Str(changes, "qos_policy_id"), plugin.Str(cur, "id"))
}

func checkPort(ctx context.Context, tx *db.Tx, c *plugin.Caller, policyID, portID string) error {
	if policyID == "" {
		return nil
	}
	bad, err := bindable(ctx, tx, c, policyID)
	if err == nil && bad != "" {
		err = fault.QosRuleNotSupported(bad, portID)
	}
	return err
}

// Expand shows each port's network policy (qos-port-network-policy).
func (h portHook) Expand(ctx context.Context, tx *db.Tx, docs []db.Doc) error {
	return h.ExpandShared(ctx, tx, docs, func(i int, attr string, v any) { docs[i][attr] = v })
}

// ExpandShared computes qos_network_policy_id without changing the documents
// (plugin.SharedExpander).
func (portHook) ExpandShared(ctx context.Context, tx *db.Tx, docs []db.Doc, set plugin.SetFunc) error {
	// The networks of the batch, read in one go (a page of 100 ports touches a few); each
	// document is read once (the first touch of a cached document's map is most of a lookup).
	netOf := make([]string, len(docs))
	var ids []string
	seen := map[string]bool{}
	for i, d := range docs {
		net := plugin.Str(d, "network_id")
		netOf[i] = net
		if !seen[net] {
			seen[net] = true
			ids = append(ids, net)
		}
	}
	nets, err := tx.GetShared(ctx, "networks", ids)
	if err != nil {
		return err
	}
	for i := range docs {
		set(i, "qos_network_policy_id", nets[netOf[i]]["qos_policy_id"])
	}
	return nil
}
