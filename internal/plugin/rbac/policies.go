package rbac

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

func fault404(id string) *fault.Fault { return fault.RbacPolicyNotFound(id) }

// objectType is neutron's convert_valid_object_type without the list: stripped and lower
// case (Create refuses a type the server does not serve).
func objectType(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%s is not a valid RBAC object type", resource.Repr(v))
	}
	return strings.ToLower(strings.TrimSpace(s)), nil
}

// validActions are the actions a policy on an object type may carry.
func validActions(typ string) []string {
	if typ == TypeNetwork {
		return []string{Shared, External}
	}
	return []string{Shared}
}

// pyTuple spells a list as Python prints a tuple, as Neutron's messages do.
func pyTuple(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "'" + x + "'"
	}
	if len(q) == 1 {
		return "(" + q[0] + ",)"
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// Collection is /v2.0/rbac-policies. Policies are not journaled: MidoNet has no copy of
// them; the objects they name are saved (and journaled) with their new targets.
type Collection struct{}

// Resource describes RBAC policies.
func (Collection) Resource() *resource.Resource { return Policies }

// target is a policy's object, locked for the write: its description and its document.
type target struct {
	res *resource.Resource
	doc db.Doc
}

// loadObject reads the object a policy names. A network is looked up as the caller sees it
// (NetworkNotFound otherwise, as Neutron's _get_network); other objects as an admin would,
// so that a project learns only that it does not own them (Neutron reads them elevated).
func loadObject(ctx context.Context, tx *db.Tx, c *plugin.Caller, typ, id string) (*target, error) {
	r := c.RBACCollection(typ)
	if r == nil {
		return nil, fault.InvalidInput("'%s' is not a valid RBAC object type", typ)
	}
	var d db.Doc
	var err error
	if typ == TypeNetwork {
		d, err = plugin.Fetch(ctx, tx, c, r.Collection, id)
	} else {
		d, err = tx.Get(ctx, r.Collection, id)
		if err == nil && d == nil {
			err = c.NotFound(r.Collection, id)
		}
	}
	if err != nil {
		return nil, err
	}
	return &target{res: r, doc: d}, nil
}

// mayManage is Neutron's check on create and update: only an admin or the object's owner
// manipulates the policies on it.
func (o *target) mayManage(c *plugin.Caller) error {
	if c.IsAdmin || plugin.Str(o.doc, "tenant_id") == c.ProjectID {
		return nil
	}
	what := "objects"
	if o.res.RBAC == TypeNetwork {
		what = "networks"
	}
	return fault.InvalidInput("Only admins can manipulate policies on %s they do not own", what)
}

// entriesOf lists the policies on an object.
func entriesOf(ctx context.Context, tx *db.Tx, objectID string) ([]db.Doc, error) {
	docs, err := tx.List(ctx, Policies.Collection, db.Filter{ParentID: objectID})
	if err != nil {
		return nil, fmt.Errorf("rbac: policies of %s: %w", objectID, err)
	}
	return docs, nil
}

// Create adds a policy: on an object the caller owns (or any, for an admin), with an action
// the object type takes, once per object, action and target. access_as_external makes the
// network external.
func (Collection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	typ, objID := plugin.Str(body, "object_type"), plugin.Str(body, "object_id")
	action, tgt := plugin.Str(body, "action"), plugin.Str(body, "target_tenant")
	o, err := loadObject(ctx, tx, c, typ, objID)
	if err != nil {
		return nil, err
	}
	if err := o.mayManage(c); err != nil {
		return nil, err
	}
	if valid := validActions(typ); !slices.Contains(valid, action) {
		return nil, fault.InvalidActionForType(action, typ, pyTuple(valid))
	}
	if err := scopeReaches(ctx, tx, o, tgt); err != nil {
		return nil, err
	}
	if err := materialize(ctx, tx, o); err != nil {
		return nil, err
	}
	entries, err := entriesOf(ctx, tx, objID)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if plugin.Str(e, "action") == action && plugin.Str(e, "target_tenant") == tgt {
			return nil, fault.DuplicateRbacPolicy()
		}
	}
	d := db.Doc{
		"id": plugin.NewID(), "tenant_id": body["tenant_id"], "project_id": body["tenant_id"],
		"object_type": typ, "object_id": objID, "target_tenant": tgt, "action": action,
	}
	if err := tx.Insert(ctx, Policies.Collection, d); err != nil {
		return nil, fmt.Errorf("rbac: store policy: %w", err)
	}
	return d, sync(ctx, tx, c, o)
}

// scopeReaches is Neutron's SubnetPool.validate_rbac_policy_create: a pool in an address
// scope is shared only with a project the scope is shared with (by its own policies: owning
// the scope is not enough).
func scopeReaches(ctx context.Context, tx *db.Tx, o *target, project string) error {
	scopeID := plugin.Str(o.doc, "address_scope_id")
	if o.res.RBAC != TypeSubnetPool || scopeID == "" {
		return nil
	}
	scope, err := tx.Get(ctx, "address_scopes", scopeID)
	if err != nil {
		return fmt.Errorf("rbac: address scope %s of pool %s: %w", scopeID, plugin.Str(o.doc, "id"), err)
	}
	if scope != nil {
		t := plugin.SharedTargets(scope)
		if slices.Contains(t, "*") || slices.Contains(t, project) {
			return nil
		}
	}
	return fault.RbacPolicyInitError(plugin.Str(o.doc, "id"), "target project doesn't have access to associated address scope.")
}

// Update changes a policy's target, once nothing of the project losing access depends on it.
func (Collection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	newTarget, ok := changes["target_tenant"].(string)
	if !ok || newTarget == plugin.Str(cur, "target_tenant") {
		return cur, nil
	}
	o, err := loadObject(ctx, tx, c.Elevated(), plugin.Str(cur, "object_type"), plugin.Str(cur, "object_id"))
	if err != nil {
		return nil, err
	}
	if err := o.mayManage(c); err != nil {
		return nil, err
	}
	if err := materialize(ctx, tx, o); err != nil {
		return nil, err
	}
	entries, err := entriesOf(ctx, tx, plugin.Str(o.doc, "id"))
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if plugin.Str(e, "action") == plugin.Str(cur, "action") && plugin.Str(e, "target_tenant") == newTarget {
			return nil, fault.DuplicateRbacPolicy()
		}
	}
	if err := checkRemoval(ctx, tx, o, cur, entries, newTarget); err != nil {
		return nil, err
	}
	d := plugin.Apply(cur, db.Doc{"target_tenant": newTarget})
	if err := tx.Put(ctx, Policies.Collection, d); err != nil {
		return nil, fmt.Errorf("rbac: store policy: %w", err)
	}
	return d, sync(ctx, tx, c, o)
}

// Delete removes a policy, once nothing of its target project depends on it; the last
// access_as_external policy of a network makes it internal again.
func (Collection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	o, err := loadObject(ctx, tx, c.Elevated(), plugin.Str(cur, "object_type"), plugin.Str(cur, "object_id"))
	if err != nil {
		return err
	}
	if err := materialize(ctx, tx, o); err != nil {
		return err
	}
	entries, err := entriesOf(ctx, tx, plugin.Str(o.doc, "id"))
	if err != nil {
		return err
	}
	if err := checkRemoval(ctx, tx, o, cur, entries, ""); err != nil {
		return err
	}
	if _, err := tx.Delete(ctx, Policies.Collection, plugin.Str(cur, "id")); err != nil {
		return fmt.Errorf("rbac: delete policy: %w", err)
	}
	return sync(ctx, tx, c, o)
}

// List returns the policies the filters' hints narrow to (one object, a few ids, one
// project); the API shows each caller its own (get_rbac_policy).
func (Collection) List(ctx context.Context, tx *db.Tx, c *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	h := db.FilterOf(f)
	if ids := f["object_id"]; len(ids) == 1 {
		h.ParentID = ids[0]
	}
	return tx.List(ctx, Policies.Collection, h)
}
