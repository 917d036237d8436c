package rbac

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// addEntry stores a policy the server makes on its own: the wildcard entry that `shared` or
// `router:external` stands for, owned by the object's project (as Neutron makes them).
func addEntry(ctx context.Context, tx *db.Tx, typ, objectID, owner, action, target string) error {
	d := db.Doc{
		"id": plugin.NewID(), "tenant_id": owner, "project_id": owner,
		"object_type": typ, "object_id": objectID, "target_tenant": target, "action": action,
	}
	if err := tx.Insert(ctx, Policies.Collection, d); err != nil {
		return fmt.Errorf("rbac: store policy: %w", err)
	}
	return nil
}

// removeEntries deletes the policies of an object with action (and target, unless "").
func removeEntries(ctx context.Context, tx *db.Tx, objectID, action, target string) error {
	entries, err := entriesOf(ctx, tx, objectID)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if (action == "" || plugin.Str(e, "action") == action) && (target == "" || plugin.Str(e, "target_tenant") == target) {
			if _, err := tx.Delete(ctx, Policies.Collection, plugin.Str(e, "id")); err != nil {
				return fmt.Errorf("rbac: delete policy: %w", err)
			}
		}
	}
	return nil
}

// targetsOf are the targets of an object's policies by action, sorted, as the object records
// them (JSON lists).
func targetsOf(entries []db.Doc) (shared, external []any) {
	var s, e []string
	for _, d := range entries {
		switch plugin.Str(d, "action") {
		case Shared:
			s = append(s, plugin.Str(d, "target_tenant"))
		case External:
			e = append(e, plugin.Str(d, "target_tenant"))
		}
	}
	return sortedList(s), sortedList(e)
}

func sortedList(xs []string) []any {
	sort.Strings(xs)
	xs = slices.Compact(xs)
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// materialize turns what a document written before RBAC policies existed stands for (shared,
// router:external) into the wildcard policies Neutron would have made, once.
func materialize(ctx context.Context, tx *db.Tx, o *target) error {
	id, owner := plugin.Str(o.doc, "id"), plugin.Str(o.doc, "tenant_id")
	if _, ok := o.doc[resource.RBACShared]; !ok && plugin.Bool(o.doc, "shared") {
		if err := addEntry(ctx, tx, o.res.RBAC, id, owner, Shared, "*"); err != nil {
			return err
		}
	}
	if o.res.RBAC == TypeNetwork {
		if _, ok := o.doc[resource.RBACExternal]; !ok && plugin.Bool(o.doc, "router:external") {
			return addEntry(ctx, tx, o.res.RBAC, id, owner, External, "*")
		}
	}
	return nil
}

// sync records an object's policies in its document: the targets, `shared` for a wildcard
// access_as_shared policy and, on a network, `router:external` while any access_as_external
// policy is left. A network's revision goes up (Neutron's NetworkRBAC revises its network);
// a QoS policy's or group's does not.
func sync(ctx context.Context, tx *db.Tx, c *plugin.Caller, o *target) error {
	entries, err := entriesOf(ctx, tx, plugin.Str(o.doc, "id"))
	if err != nil {
		return err
	}
	shared, external := targetsOf(entries)
	d := o.doc
	d[resource.RBACShared] = shared
	d["shared"] = slices.Contains(shared, any("*"))
	if o.res.RBAC != TypeNetwork {
		if o.res.DataType == "" { // not journaled (address scopes): MidoNet keeps no copy
			if err := tx.Put(ctx, o.res.Collection, d); err != nil {
				return fmt.Errorf("rbac: store %s: %w", o.res.Member, err)
			}
			return nil
		}
		return plugin.SaveAsIs(ctx, tx, c, o.res.Collection, d)
	}
	ext := len(external) > 0
	if plugin.Bool(d, "router:external") && !ext {
		if err := noGateways(ctx, tx, plugin.Str(d, "id")); err != nil {
			return err
		}
	}
	d[resource.RBACExternal] = external
	d["router:external"] = ext
	if !ext {
		d["is_default"] = false // only an external network is the default one
	}
	return plugin.Save(ctx, tx, c, o.res.Collection, d)
}

// noGateways refuses to make a network internal while routers have their gateway on it.
func noGateways(ctx context.Context, tx *db.Tx, netID string) error {
	routers, err := gatewayRouters(ctx, tx, netID)
	if err == nil && len(routers) > 0 {
		err = fault.ExternalNetworkInUse(netID)
	}
	return err
}

// gatewayRouters are the routers with their gateway on a network, by id: their projects.
func gatewayRouters(ctx context.Context, tx *db.Tx, netID string) (map[string]string, error) {
	ports, err := tx.List(ctx, "ports", db.Filter{ParentID: netID})
	if err != nil {
		return nil, fmt.Errorf("rbac: ports of %s: %w", netID, err)
	}
	out := map[string]string{}
	for _, p := range ports {
		if plugin.Str(p, "device_owner") != model.OwnerRouterGateway {
			continue
		}
		r, err := tx.Get(ctx, "routers", plugin.Str(p, "device_id"))
		if err != nil {
			return nil, fmt.Errorf("rbac: router of gateway port %s: %w", plugin.Str(p, "id"), err)
		}
		if r != nil {
			out[plugin.Str(r, "id")] = plugin.Str(r, "tenant_id")
		}
	}
	return out, nil
}

// has reports whether an object has a policy with action and target.
func has(entries []db.Doc, action, target string) bool {
	for _, e := range entries {
		if plugin.Str(e, "action") == action && plugin.Str(e, "target_tenant") == target {
			return true
		}
	}
	return false
}

// otherTargets are the targets of an object's policies with action, but not "*".
func otherTargets(entries []db.Doc, action string) map[string]bool {
	out := map[string]bool{}
	for _, e := range entries {
		if t := plugin.Str(e, "target_tenant"); plugin.Str(e, "action") == action && t != "*" {
			out[t] = true
		}
	}
	return out
}

// checkRemoval refuses to take away (delete, or retarget to newTarget) the access a policy
// gives while its target project still depends on it (Neutron's RBAC_POLICY BEFORE_UPDATE
// and BEFORE_DELETE callbacks): RbacPolicyInUse.
func checkRemoval(ctx context.Context, tx *db.Tx, o *target, pol db.Doc, entries []db.Doc, newTarget string) error {
	objID, owner := plugin.Str(o.doc, "id"), plugin.Str(o.doc, "tenant_id")
	action, tgt := plugin.Str(pol, "action"), plugin.Str(pol, "target_tenant")
	switch {
	case o.res.RBAC == TypeNetwork && action == Shared:
		if tgt == owner {
			return nil // a project sharing with itself takes nothing away
		}
		if err := portsCovered(ctx, tx, objID, owner, tgt, entries); err != nil {
			return fault.RbacPolicyInUse(objID, err.Error())
		}
		return nil
	case o.res.RBAC == TypeNetwork && action == External:
		if tgt == "*" && plugin.Bool(o.doc, "is_default") {
			// The default external network of auto-allocation stays everyone's.
			return fault.RbacPolicyInUse(objID, "Default external networks must be shared to everyone.")
		}
		return externalCovered(ctx, tx, objID, tgt, entries, newTarget)
	case action != Shared || tgt == owner || (newTarget == "*"):
		return nil
	}
	return boundCovered(ctx, tx, o, tgt, entries)
}

// portsCovered is Neutron's ensure_no_tenant_ports_on_network: no port of the project losing
// access (for "*": of any project no other policy covers, the owner aside) is left.
func portsCovered(ctx context.Context, tx *db.Tx, netID, owner, project string, entries []db.Doc) error {
	ports, err := tx.List(ctx, "ports", db.Filter{ParentID: netID})
	if err != nil {
		return fmt.Errorf("rbac: ports of %s: %w", netID, err)
	}
	if project != "*" && has(entries, Shared, "*") {
		return nil
	}
	allowed := otherTargets(entries, Shared)
	allowed[owner] = true
	for _, p := range ports {
		pt := plugin.Str(p, "tenant_id")
		if (project == "*" && !allowed[pt]) || (project != "*" && pt == project) {
			return fault.InvalidSharedSetting(netID)
		}
	}
	return nil
}

// externalCovered is Neutron's _validate_ext_not_in_use_by_tenant: no router of the project
// losing access (for "*": of a project without a policy of its own) has its gateway on the
// network.
func externalCovered(ctx context.Context, tx *db.Tx, netID, project string, entries []db.Doc, newTarget string) error {
	routers, err := gatewayRouters(ctx, tx, netID)
	if err != nil {
		return err
	}
	inUse := false
	if project != "*" {
		if has(entries, External, "*") {
			return nil
		}
		for _, owner := range routers {
			inUse = inUse || owner == project
		}
	} else {
		allowed := otherTargets(entries, External)
		if newTarget != "" {
			allowed[newTarget] = true
		}
		for _, owner := range routers {
			inUse = inUse || !allowed[owner]
		}
	}
	if inUse {
		return fault.RbacPolicyInUse(netID, "There are routers attached to this network that depend on this policy for access.")
	}
	return nil
}

// boundCovered is Neutron's _validate_rbac_policy_delete for the objects other than networks:
// no project that uses the object (networks and ports naming a QoS policy, ports in a group,
// subnets allocated from a pool, pools in a scope, security-group rules naming an address
// group) loses access to it.
func boundCovered(ctx context.Context, tx *db.Tx, o *target, project string, entries []db.Doc) error {
	objID := plugin.Str(o.doc, "id")
	bound, err := boundProjects(ctx, tx, o)
	if err != nil {
		return err
	}
	inUse := false
	if project != "*" {
		if has(entries, Shared, "*") {
			return nil
		}
		inUse = bound[project]
	} else {
		others := otherTargets(entries, Shared)
		for p := range bound {
			inUse = inUse || !others[p]
		}
	}
	if inUse {
		return fault.RbacPolicyInUse(objID, "project_id="+project)
	}
	return nil
}

// boundProjects are the projects whose resources use an object, found through the key index
// where the catalogue keys the attribute (a port's security_groups, a network's
// qos_policy_id, a subnet's subnetpool_id, a rule's remote_address_group_id).
func boundProjects(ctx context.Context, tx *db.Tx, o *target) (map[string]bool, error) {
	id := plugin.Str(o.doc, "id")
	var users [][2]string // collection, attribute
	switch o.res.RBAC {
	case TypeQosPolicy:
		users = [][2]string{{"networks", "qos_policy_id"}, {"ports", "qos_policy_id"}}
	case TypeSecurityGroup:
		users = [][2]string{{"ports", "security_groups"}}
	case TypeSubnetPool:
		users = [][2]string{{"subnets", "subnetpool_id"}}
	case TypeAddressScope:
		users = [][2]string{{"subnetpools", "address_scope_id"}}
	case TypeAddressGroup:
		users = [][2]string{{"security_group_rules", "remote_address_group_id"}}
	}
	out := map[string]bool{}
	for _, u := range users {
		docs, err := tx.ListBy(ctx, u[0], u[1], id)
		if err != nil {
			return nil, fmt.Errorf("rbac: users of %s: %w", id, err)
		}
		for _, d := range docs {
			out[plugin.Str(d, "tenant_id")] = true
		}
	}
	return out, nil
}

// objectHook keeps the policies of a network, QoS policy or group in step with the object:
// `shared` (and a network's `router:external`) set on create or update is a wildcard policy,
// as in Neutron, and deleting the object deletes its policies.
type objectHook struct {
	plugin.NoHook
	objectType string
}

// BeforeCreate makes the wildcard policies a new object's flags stand for.
func (h objectHook) BeforeCreate(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) error {
	if body["id"] == nil {
		body["id"] = plugin.NewID()
	}
	id, owner := plugin.Str(body, "id"), plugin.Str(body, "tenant_id")
	shared, external := []any{}, []any{}
	if plugin.Bool(body, "shared") {
		if err := addEntry(ctx, tx, h.objectType, id, owner, Shared, "*"); err != nil {
			return err
		}
		shared = []any{"*"}
	}
	body[resource.RBACShared] = shared
	if h.objectType == TypeNetwork {
		if plugin.Bool(body, "router:external") {
			if err := addEntry(ctx, tx, h.objectType, id, owner, External, "*"); err != nil {
				return err
			}
			external = []any{"*"}
		}
		body[resource.RBACExternal] = external
	}
	return nil
}

// BeforeUpdate adds or removes the wildcard policies a change of `shared` or
// `router:external` stands for. Unsharing a QoS policy others use is RbacPolicyInUse; a
// network checks its ports itself (InvalidSharedSetting), and refuses to become internal
// while routers have their gateway on it.
func (h objectHook) BeforeUpdate(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) error {
	wantShared, sharedSet := changes["shared"].(bool)
	wantExt, extSet := changes["router:external"].(bool)
	if h.objectType != TypeNetwork {
		extSet = false
	}
	if !sharedSet && !extSet {
		return nil
	}
	o := &target{res: c.RBACCollection(h.objectType), doc: cur}
	if o.res == nil {
		return nil
	}
	if err := materialize(ctx, tx, o); err != nil {
		return err
	}
	id, owner := plugin.Str(cur, "id"), plugin.Str(cur, "tenant_id")
	entries, err := entriesOf(ctx, tx, id)
	if err != nil {
		return err
	}
	if sharedSet {
		wild := has(entries, Shared, "*")
		switch {
		case wantShared && !wild:
			err = addEntry(ctx, tx, h.objectType, id, owner, Shared, "*")
		case !wantShared && wild:
			if h.objectType != TypeNetwork {
				// update_shared: _validate_rbac_policy_delete with no exception for the owner.
				if err := boundCovered(ctx, tx, o, "*", entries); err != nil {
					return err
				}
			}
			err = removeEntries(ctx, tx, id, Shared, "*")
		}
		if err != nil {
			return err
		}
	}
	if extSet && wantExt != plugin.Bool(cur, "router:external") {
		if wantExt {
			err = addEntry(ctx, tx, h.objectType, id, owner, External, "*")
		} else if err = noGateways(ctx, tx, id); err == nil {
			err = removeEntries(ctx, tx, id, External, "")
		}
		if err != nil {
			return err
		}
	}
	if entries, err = entriesOf(ctx, tx, id); err != nil {
		return err
	}
	shared, external := targetsOf(entries)
	changes[resource.RBACShared] = shared
	if h.objectType == TypeNetwork {
		changes[resource.RBACExternal] = external
	}
	return nil
}

// BeforeDelete deletes the object's policies with it.
func (h objectHook) BeforeDelete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	return removeEntries(ctx, tx, plugin.Str(cur, "id"), "", "")
}
