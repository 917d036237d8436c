package plugin

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/resource"
)

// kind is what a reference to a collection needs: the member name of its policy rules
// (get_<member>) and the 404 of an id the caller cannot see.
type kind struct {
	member   string
	notFound func(id string) *fault.Fault
}

// kinds are the collections a request may name by id. address_scopes has no collection yet:
// every reference to one answers AddressScopeNotFound, as Neutron does for a scope that does
// not exist.
var kinds = func() map[string]kind {
	m := map[string]kind{
		"address_scopes": {"address_scope", func(id string) *fault.Fault {
			return fault.NotFound("AddressScopeNotFound", "Address scope %s could not be found.", id)
		}},
	}
	for _, r := range append(append([]*resource.Resource{}, resource.Core...), resource.Routers, resource.FloatingIPs) {
		m[r.Collection] = kind{r.Member, r.NotFound}
	}
	return m
}()

// Member is the member name of a collection's policy rules ("networks" -> "network"), or ""
// for a collection requests cannot name.
func Member(collection string) string { return kinds[collection].member }

// NotFound is the 404 a reference to a missing (or invisible) document of collection answers.
func NotFound(collection, id string) *fault.Fault {
	if k, ok := kinds[collection]; ok && k.notFound != nil {
		return k.notFound(id)
	}
	return fault.NotFound("NotFound", "%s %s could not be found.", collection, id)
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
	d, err := tx.Get(ctx, collection, id)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, NotFound(collection, id)
	}
	ok, err := c.sees(ctx, tx, collection, d)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, NotFound(collection, id)
	}
	return d, nil
}
