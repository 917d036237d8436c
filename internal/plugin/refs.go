package plugin

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/resource"
)

// builtins describe the core and L3 collections for callers made outside the API (no
// catalogue): plugins driven directly by tools and tests.
var builtins = resource.MustCatalog(append(append([]*resource.Resource{}, resource.Core...),
	resource.Routers, resource.FloatingIPs)...)

// describe is the description of a collection a request may name, from the caller's
// catalogue (set by the API), else the built-in one.
func (c *Caller) describe(collection string) *resource.Resource {
	if c != nil && c.Catalog != nil {
		return c.Catalog.Get(collection)
	}
	return builtins.Get(collection)
}

// NotFound is the 404 a reference to a missing (or invisible) document of collection answers.
func (c *Caller) NotFound(collection, id string) *fault.Fault {
	if r := c.describe(collection); r != nil && r.NotFound != nil {
		return r.NotFound(id)
	}
	return fault.ResourceNotFound(collection, id)
}

// Elevated is the caller with admin rights, Neutron's context.elevated(): what the server
// does on its own behalf while serving the caller (a router's gateway port, a floating IP's
// port) is not limited to what the caller may see.
func (c *Caller) Elevated() *Caller {
	e := *c
	e.IsAdmin = true
	e.Sees = nil
	return &e
}

// sees reports whether the caller may see d, a document of collection.
func (c *Caller) sees(ctx context.Context, tx *db.Tx, collection string, d db.Doc) (bool, error) {
	if c == nil || c.IsAdmin {
		return true, nil
	}
	if c.Sees != nil {
		return c.Sees(ctx, tx, collection, d)
	}
	// Without a policy (plugins driven outside the API): a project sees what it owns.
	return Str(d, "tenant_id") == c.ProjectID, nil
}

// Fetch loads the document of collection that a request names by id, as the caller sees it:
// a document the caller may not see answers the same 404 as one that does not exist, as
// Neutron's project-scoped queries do. Every attribute of a request that names another
// resource (a port's network, subnets and security groups, a subnet's pool, a rule's remote
// group, a router interface's port or subnet, a gateway's or floating IP's network) goes
// through it.
func Fetch(ctx context.Context, tx *db.Tx, c *Caller, collection, id string) (db.Doc, error) {
	return fetch(ctx, tx, c, collection, id, tx.Get)
}

// FetchShared is Fetch for a document the write only reads (the security groups a port
// names): read with db.Tx.PeekForShare, not locked for update. The document is the
// decoded-document cache's own: the caller must not change it.
func FetchShared(ctx context.Context, tx *db.Tx, c *Caller, collection, id string) (db.Doc, error) {
	return fetch(ctx, tx, c, collection, id, tx.PeekForShare)
}

func fetch(ctx context.Context, tx *db.Tx, c *Caller, collection, id string, get func(context.Context, string, string) (db.Doc, error)) (db.Doc, error) {
	d, err := get(ctx, collection, id)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, c.NotFound(collection, id)
	}
	ok, err := c.sees(ctx, tx, collection, d)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, c.NotFound(collection, id)
	}
	return d, nil
}
