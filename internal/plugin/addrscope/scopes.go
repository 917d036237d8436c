package addrscope

import (
	"context"
	"fmt"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
)

// Collection is the address scope collection. Scopes are stored, not journaled: the
// backend has nothing to build from them. A scope is renamed or shared; a shared scope
// cannot be made private again (AddressScopeUpdateError; who may change shared at all is
// the policy's, update_address_scope:shared, admins only). A scope goes when no subnet pool
// is in it (AddressScopeInUse): every pool counts, not only those the caller sees, so a
// pool of another project never loses its scope. Lists are narrowed by project and ids;
// the API keeps what get_address_scope lets the caller see (own and shared scopes).
type Collection struct{ stored.Collection }

// New returns the address scope collection.
func New() Collection {
	return Collection{stored.Collection{Res: AddressScopes, Unjournaled: true,
		Check: func(_ context.Context, _ *db.Tx, _ *plugin.Caller, cur, changes, _ db.Doc) error {
			if v, ok := changes["shared"].(bool); ok && !v && plugin.Bool(cur, "shared") {
				return fault.AddressScopeUpdateError(plugin.Str(cur, "id"), "Shared address scope can't be unshared")
			}
			return nil
		},
		Refuse: func(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
			id := plugin.Str(cur, "id")
			used, err := tx.AnyBy(ctx, "subnetpools", "address_scope_id", id)
			if err != nil {
				return fmt.Errorf("addrscope: the subnet pools of %s: %w", id, err)
			}
			if used {
				return fault.AddressScopeInUse(id)
			}
			return nil
		}}}
}

// List returns the candidate scopes, narrowed by project and by ids when the query names
// them.
func (Collection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	h := stored.ProjectFilter(f)
	if ids := f["id"]; len(ids) > 0 && len(ids) < 200 {
		h.IDs = ids
	}
	return tx.List(ctx, AddressScopes.Collection, h)
}
