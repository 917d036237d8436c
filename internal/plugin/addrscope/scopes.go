package addrscope

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
	"github.com/midonet-go/midonet/internal/resource"
)

// Collection is the address scope collection. Scopes are stored, not journaled: the
// backend has nothing to build from them.
type Collection struct{}

// Resource describes address scopes.
func (Collection) Resource() *resource.Resource { return AddressScopes }

// Create stores a scope.
func (Collection) Create(ctx context.Context, tx *db.Tx, _ *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := plugin.Copy(body)
	if d["id"] == nil {
		d["id"] = plugin.NewID()
	}
	if err := tx.Insert(ctx, AddressScopes.Collection, d); err != nil {
		return nil, err
	}
	return d, nil
}

// Update renames a scope or shares it; a shared scope cannot be made private again
// (AddressScopeUpdateError). Who may change shared at all is the policy's
// (update_address_scope:shared, admins only).
func (Collection) Update(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	if v, ok := changes["shared"].(bool); ok && !v && plugin.Bool(cur, "shared") {
		return nil, fault.AddressScopeUpdateError(plugin.Str(cur, "id"), "Shared address scope can't be unshared")
	}
	d := plugin.Apply(cur, changes)
	if err := tx.Put(ctx, AddressScopes.Collection, d); err != nil {
		return nil, err
	}
	return d, nil
}

// Delete removes a scope no subnet pool is in (AddressScopeInUse otherwise). Every pool
// counts, not only those the caller sees, so a pool of another project never loses its
// scope.
func (Collection) Delete(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	pools, err := tx.List(ctx, "subnetpools", db.Filter{})
	if err != nil {
		return err
	}
	for _, p := range pools {
		if plugin.Str(p, "address_scope_id") == id {
			return fault.AddressScopeInUse(id)
		}
	}
	_, err = tx.Delete(ctx, AddressScopes.Collection, id)
	return err
}

// List returns the candidate scopes; the API keeps those get_address_scope lets the caller
// see (its own and the shared ones).
func (Collection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	h := stored.ProjectFilter(f)
	if ids := f["id"]; len(ids) > 0 && len(ids) < 200 {
		h.IDs = ids
	}
	return tx.List(ctx, AddressScopes.Collection, h)
}
