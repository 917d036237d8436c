package plugin

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/resource"
)

// Decorators in the style of etcd's appliers (server/etcdserver/apply: the capped and quota
// appliers wrap the backend applier): a check is a wrapper put around what it guards, not a
// call inside each Create. The app and the API compose them; plugins never see them.

// Writer runs write transactions (a *db.DB, or a decorated one).
type Writer interface {
	Write(ctx context.Context, fn func(*db.Tx) error) error
}

// GatedWriter refuses every write while a gate says no: Before runs ahead of the transaction
// (the disk-space reserve, answered before any lock is taken), InTx first inside it (the
// read-only flag, read in the same transaction as the write, so that no write slips past
// `db-manage data-readonly`). It guards every write of the server — collections, tags,
// quotas, the port-status loop — because they all go through it. Open, which asks whether a
// write would pass now, runs Before and Probe: InTx's question asked outside a transaction
// (a write does not ask it twice).
type GatedWriter struct {
	Writer Writer
	Before func(ctx context.Context) error
	InTx   func(ctx context.Context, tx *db.Tx) error
	Probe  func(ctx context.Context) error
}

// Write runs fn behind the gates.
func (g GatedWriter) Write(ctx context.Context, fn func(*db.Tx) error) error {
	if g.Before != nil {
		if err := g.Before(ctx); err != nil {
			return err
		}
	}
	return g.Writer.Write(ctx, func(tx *db.Tx) error {
		if g.InTx != nil {
			if err := g.InTx(ctx, tx); err != nil {
				return err
			}
		}
		return fn(tx)
	})
}

// Open reports why writes are refused now (nil: the Before gate lets them through).
func (g GatedWriter) Open(ctx context.Context) error {
	for _, gate := range []func(context.Context) error{g.Before, g.Probe} {
		if gate == nil {
			continue
		}
		if err := gate(ctx); err != nil {
			return err
		}
	}
	return nil
}

// QuotaEnforced wraps a collection so that every create is first checked against the
// creating project's quota (Neutron's controller reserves quota before it calls the plugin).
// Resources a plugin makes itself (a router interface's port) are not checked, as in Neutron.
func QuotaEnforced(c Collection, q Quotas) Collection {
	if q == nil || c.Resource().Quota == "" {
		return c
	}
	return quotaEnforced{Collection: c, quotas: q}
}

type quotaEnforced struct {
	Collection
	quotas Quotas
}

// Unwrap gives the API the wrapped collection's capabilities (see As).
func (q quotaEnforced) Unwrap() Collection { return q.Collection }

// Create checks the quota, then creates.
func (q quotaEnforced) Create(ctx context.Context, tx *db.Tx, c *Caller, body db.Doc) (db.Doc, error) {
	owner, _ := body["tenant_id"].(string)
	if err := q.quotas.CheckCreate(ctx, tx, owner, q.Resource()); err != nil {
		return nil, err
	}
	return q.Collection.Create(ctx, tx, c, body)
}

// Resource is the wrapped collection's.
func (q quotaEnforced) Resource() *resource.Resource { return q.Collection.Resource() }

// Hook is what a service adds to another collection: checks and defaults for the attributes
// it contributes (QoS: qos_policy_id on networks and ports), run in the write transaction
// before the collection's own Create and Update, and the read-only attributes it computes
// before rendering. A hook on ports has its BeforeDelete run for every removal of a port (the
// API's delete, a router interface's or gateway's removal), as the core plugin removes it.
type Hook interface {
	BeforeCreate(ctx context.Context, tx *db.Tx, c *Caller, body db.Doc) error
	BeforeUpdate(ctx context.Context, tx *db.Tx, c *Caller, cur, changes db.Doc) error
	BeforeDelete(ctx context.Context, tx *db.Tx, c *Caller, cur db.Doc) error
	Expand(ctx context.Context, tx *db.Tx, docs []db.Doc) error
}

// NoHook is a Hook that does nothing; embed it to implement only some of the methods.
type NoHook struct{}

// BeforeCreate does nothing.
func (NoHook) BeforeCreate(context.Context, *db.Tx, *Caller, db.Doc) error { return nil }

// BeforeUpdate does nothing.
func (NoHook) BeforeUpdate(context.Context, *db.Tx, *Caller, db.Doc, db.Doc) error { return nil }

// BeforeDelete does nothing.
func (NoHook) BeforeDelete(context.Context, *db.Tx, *Caller, db.Doc) error { return nil }

// Expand does nothing.
func (NoHook) Expand(context.Context, *db.Tx, []db.Doc) error { return nil }

// ActionHook is a Hook that also checks the wrapped collection's member actions before they
// run (VPNaaS: remove_router_interface of a subnet a VPN service uses).
type ActionHook interface {
	BeforeAction(ctx context.Context, tx *db.Tx, c *Caller, cur db.Doc, action string, body map[string]any) error
}

// Hooked wraps a collection with a service's hook; a collection with actions and an
// ActionHook keep both.
func Hooked(c Collection, h Hook) Collection {
	base := hooked{Collection: c, hook: h}
	if ah, ok := h.(ActionHook); ok {
		if a, ok := As[Actioner](c); ok {
			return hookedActions{hooked: base, actions: a, check: ah}
		}
	}
	return base
}

// hookedActions is a hooked collection whose actions pass the hook first.
type hookedActions struct {
	hooked
	actions Actioner
	check   ActionHook
}

// ActionMethod is the wrapped collection's.
func (h hookedActions) ActionMethod(action string) string { return h.actions.ActionMethod(action) }

// Action runs the hook's check, then the action.
func (h hookedActions) Action(ctx context.Context, tx *db.Tx, c *Caller, cur db.Doc, action string, body map[string]any) (any, error) {
	if err := h.check.BeforeAction(ctx, tx, c, cur, action, body); err != nil {
		return nil, err
	}
	return h.actions.Action(ctx, tx, c, cur, action, body)
}

type hooked struct {
	Collection
	hook Hook
}

// Unwrap gives the API the wrapped collection's capabilities (see As).
func (h hooked) Unwrap() Collection { return h.Collection }

// Create runs the hook, then creates.
func (h hooked) Create(ctx context.Context, tx *db.Tx, c *Caller, body db.Doc) (db.Doc, error) {
	if err := h.hook.BeforeCreate(ctx, tx, c, body); err != nil {
		return nil, err
	}
	return h.Collection.Create(ctx, tx, c, body)
}

// Update runs the hook, then updates.
func (h hooked) Update(ctx context.Context, tx *db.Tx, c *Caller, cur, changes db.Doc) (db.Doc, error) {
	if err := h.hook.BeforeUpdate(ctx, tx, c, cur, changes); err != nil {
		return nil, err
	}
	return h.Collection.Update(ctx, tx, c, cur, changes)
}

// Delete runs the hook, then deletes.
func (h hooked) Delete(ctx context.Context, tx *db.Tx, c *Caller, cur db.Doc) error {
	if err := h.hook.BeforeDelete(ctx, tx, c, cur); err != nil {
		return err
	}
	return h.Collection.Delete(ctx, tx, c, cur)
}

// Expand runs the wrapped collection's Expander, if any, then the hook's.
func (h hooked) Expand(ctx context.Context, tx *db.Tx, docs []db.Doc) error {
	if e, ok := As[Expander](h.Collection); ok {
		if err := e.Expand(ctx, tx, docs); err != nil {
			return err
		}
	}
	return h.hook.Expand(ctx, tx, docs)
}
