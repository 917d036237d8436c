package qos

import (
	"context"
	"fmt"
	"sort"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// PolicyCollection is /v2.0/qos/policies.
type PolicyCollection struct{}

// Resource describes policies.
func (PolicyCollection) Resource() *resource.Resource { return Policies }

// checkDefault refuses a second default policy in a project.
func checkDefault(ctx context.Context, tx *db.Tx, project, except string) error {
	docs, err := tx.List(ctx, Policies.Collection, db.Filter{ProjectID: project})
	if err != nil {
		return err
	}
	for _, d := range docs {
		if plugin.Bool(d, "is_default") && plugin.Str(d, "id") != except {
			return fault.QoSPolicyDefaultAlreadyExists(project)
		}
	}
	return nil
}

// Create stores a policy with no rules (revision 0, as Neutron's QoS policies start).
func (PolicyCollection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := plugin.Copy(body)
	if plugin.Bool(d, "is_default") {
		if err := checkDefault(ctx, tx, plugin.Str(d, "tenant_id"), ""); err != nil {
			return nil, err
		}
	}
	// Neutron's policies start at revision 0; marking one the default is a write of its own.
	rev := 0
	if plugin.Bool(d, "is_default") {
		rev = 1
	}
	plugin.Stamp(d, rev)
	d["rules"] = []any{}
	return d, plugin.Add(ctx, tx, c, Policies.Collection, d)
}

// Update changes name, description, shared or is_default.
func (PolicyCollection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	if v, ok := changes["is_default"].(bool); ok && v {
		if err := checkDefault(ctx, tx, plugin.Str(cur, "tenant_id"), plugin.Str(cur, "id")); err != nil {
			return nil, err
		}
	}
	d := plugin.Apply(cur, changes)
	sharingOnly := true
	for k := range changes {
		sharingOnly = sharingOnly && (k == "shared" || k == resource.RBACShared)
	}
	if _, shared := changes["shared"]; shared && sharingOnly {
		// Sharing is an RBAC entry in Neutron, not a change of the policy: no new revision.
		d["updated_at"] = plugin.Now()
		return d, plugin.SaveAsIs(ctx, tx, c, Policies.Collection, d)
	}
	return d, plugin.Save(ctx, tx, c, Policies.Collection, d)
}

// Delete refuses a policy a network or port names, then removes it with its rules.
func (PolicyCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	for _, coll := range []struct{ name, member string }{{"networks", "network"}, {"ports", "port"}} {
		user, err := firstUser(ctx, tx, coll.name, id)
		if err != nil {
			return err
		}
		if user != "" {
			return fault.QosPolicyInUse(id, coll.member, user)
		}
	}
	for _, coll := range ruleCollections {
		rules, err := tx.List(ctx, coll, db.Filter{ParentID: id})
		if err != nil {
			return err
		}
		for _, r := range rules {
			if _, err := tx.Delete(ctx, coll, plugin.Str(r, "id")); err != nil {
				return err
			}
		}
	}
	return plugin.Remove(ctx, tx, c, Policies.Collection, cur)
}

// firstUser is the id of a document of collection naming the policy ("" when none).
func firstUser(ctx context.Context, tx *db.Tx, collection, policyID string) (string, error) {
	id, err := tx.FirstBy(ctx, collection, "qos_policy_id", policyID)
	if err != nil {
		return "", fmt.Errorf("qos: the %s of policy %s: %w", collection, policyID, err)
	}
	return id, nil
}

// List returns the policies the caller may see: an admin every one, others their project's
// and those shared with them (RBAC; Neutron scopes the query the same way).
func (PolicyCollection) List(ctx context.Context, tx *db.Tx, c *plugin.Caller, _ map[string][]string) ([]db.Doc, error) {
	docs, err := tx.List(ctx, Policies.Collection, db.Filter{})
	if err != nil || c.IsAdmin {
		return docs, err
	}
	out := docs[:0]
	for _, d := range docs {
		if plugin.Str(d, "tenant_id") == c.ProjectID || plugin.SharedWith(d, c.ProjectID) {
			out = append(out, d)
		}
	}
	return out, nil
}

// getPolicy reads a stored policy (nil when there is none).
func getPolicy(ctx context.Context, tx *db.Tx, id string) (db.Doc, *Policy, error) {
	d, err := tx.Get(ctx, Policies.Collection, id)
	if err != nil || d == nil {
		return nil, nil, err
	}
	p := model.MustDecode[Policy](d)
	return d, &p, nil
}

// refreshRules re-reads a policy's rules into its document and saves it: the policy's
// revision goes up and the backend hears of the change as an update of the whole policy.
func refreshRules(ctx context.Context, tx *db.Tx, c *plugin.Caller, policyID string) error {
	d, err := tx.Get(ctx, Policies.Collection, policyID)
	if err != nil || d == nil {
		return err
	}
	// By type, then in the order they were created, as Neutron lists a policy's rules.
	list := []any{}
	for _, coll := range ruleCollections {
		docs, err := tx.List(ctx, coll, db.Filter{ParentID: policyID})
		if err != nil {
			return err
		}
		sort.Slice(docs, func(i, j int) bool {
			a, _ := model.Int(docs[i]["standard_attr_id"])
			b, _ := model.Int(docs[j]["standard_attr_id"])
			return a < b
		})
		for _, r := range docs {
			e := map[string]any{"type": ruleTypeOf[coll]}
			for k, v := range r {
				if k != "tenant_id" && k != "project_id" && k != "standard_attr_id" {
					e[k] = v
				}
			}
			list = append(list, e)
		}
	}
	d["rules"] = list
	return plugin.Save(ctx, tx, c, Policies.Collection, d)
}
