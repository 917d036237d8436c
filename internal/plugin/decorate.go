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
// quotas, the port-status loop — because they all go through it.
type GatedWriter struct {
	Writer Writer
	Before func(ctx context.Context) error
	InTx   func(ctx context.Context, tx *db.Tx) error
}

// Write runs fn behind the gates.
func (g GatedWriter) Write(ctx context.Context, fn func(*db.Tx) error) error {
	if err := g.Open(ctx); err != nil {
		return err
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
	if g.Before == nil {
		return nil
	}
	return g.Before(ctx)
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
