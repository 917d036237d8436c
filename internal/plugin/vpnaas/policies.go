package vpnaas

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
	"github.com/midonet-go/midonet/internal/resource"
)

// PolicyCollection is /v2.0/vpn/ikepolicies or /v2.0/vpn/ipsecpolicies: the two differ in
// their attributes, the connection attribute naming them and their in-use error.
type PolicyCollection struct {
	res   *resource.Resource
	attr  string // the connection attribute that names a policy
	inUse func(id string) *fault.Fault
}

// IKEPolicyCollection is /v2.0/vpn/ikepolicies.
func IKEPolicyCollection() PolicyCollection {
	return PolicyCollection{res: IKEPolicies, attr: "ikepolicy_id", inUse: fault.IKEPolicyInUse}
}

// IPsecPolicyCollection is /v2.0/vpn/ipsecpolicies.
func IPsecPolicyCollection() PolicyCollection {
	return PolicyCollection{res: IPsecPolicies, attr: "ipsecpolicy_id", inUse: fault.IPsecPolicyInUse}
}

// Resource describes the policies.
func (p PolicyCollection) Resource() *resource.Resource { return p.res }

// withLifetime fills a lifetime's missing units and value from base; the value is stored as
// an integer (the validator accepted it as one).
func withLifetime(given any, base map[string]any) map[string]any {
	out := map[string]any{"units": base["units"], "value": base["value"]}
	if m, ok := given.(map[string]any); ok {
		for _, k := range []string{"units", "value"} {
			if v, ok := m[k]; ok && v != nil && v != "" {
				out[k] = v
			}
		}
	}
	if n, ok := model.Int(out["value"]); ok {
		out["value"] = n
	}
	return out
}

// echoLifetime is the answer to a write that gave a lifetime value: neutron-vpnaas answers
// from its model object before the database converts it, so a value given as the string
// "2000" comes back as "2000" (a later GET shows the integer).
func echoLifetime(stored db.Doc, given any) db.Doc {
	m, ok := given.(map[string]any)
	if !ok {
		return stored
	}
	v, ok := m["value"].(string)
	if !ok {
		return stored
	}
	out := plugin.Copy(stored)
	lt := map[string]any{}
	for k, x := range stored["lifetime"].(map[string]any) {
		lt[k] = x
	}
	lt["value"] = v
	out["lifetime"] = lt
	return out
}

var defaultLifetime = map[string]any{"units": "seconds", "value": int64(3600)}

// Create stores a policy; an absent lifetime is 3600 seconds.
func (p PolicyCollection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := plugin.Copy(body)
	d["id"] = plugin.NewID()
	given := d["lifetime"]
	d["lifetime"] = withLifetime(given, defaultLifetime)
	return echoLifetime(d, given), plugin.Add(ctx, tx, c, p.res.Collection, d)
}

// refuseInUse refuses a policy a connection names.
func (p PolicyCollection) refuseInUse(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	return stored.InUse(Connections.Collection, p.attr, p.inUse)(ctx, tx, c, cur)
}

// Update changes a policy no connection uses (neutron-vpnaas refuses to change one in use:
// the tunnels were negotiated with it).
func (p PolicyCollection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	if err := p.refuseInUse(ctx, tx, c, cur); err != nil {
		return nil, err
	}
	lt, _ := cur["lifetime"].(map[string]any)
	d := plugin.Apply(cur, changes)
	v, ok := changes["lifetime"]
	if ok {
		d["lifetime"] = withLifetime(v, lt)
	}
	return echoLifetime(d, v), plugin.SaveAsIs(ctx, tx, c, p.res.Collection, d)
}

// Delete removes a policy no connection uses.
func (p PolicyCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	if err := p.refuseInUse(ctx, tx, c, cur); err != nil {
		return err
	}
	return plugin.Remove(ctx, tx, c, p.res.Collection, cur)
}

// List returns the policies.
func (p PolicyCollection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, _ map[string][]string) ([]db.Doc, error) {
	return tx.List(ctx, p.res.Collection, db.Filter{})
}
