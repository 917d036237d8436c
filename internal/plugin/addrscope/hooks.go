package addrscope

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
)

// networkHook shows a network's address scopes: for each IP version, the scope of the pool
// its subnets of that version come from (a network holds subnets of one pool, or of one
// scope, per version), else null — Neutron's _extend_network_dict_address_scope.
type networkHook struct{ plugin.NoHook }

// Expand sets ipv4_address_scope and ipv6_address_scope.
func (networkHook) Expand(ctx context.Context, tx *db.Tx, docs []db.Doc) error {
	for _, d := range docs {
		d["ipv4_address_scope"], d["ipv6_address_scope"] = nil, nil
	}
	pools, err := tx.List(ctx, "subnetpools", db.Filter{})
	if err != nil {
		return err
	}
	scoped := map[string]db.Doc{} // pools in a scope, by id
	for _, p := range pools {
		if plugin.Str(p, "address_scope_id") != "" {
			scoped[plugin.Str(p, "id")] = p
		}
	}
	if len(scoped) == 0 {
		return nil
	}
	// The subnets of the page's networks, 500 networks a query.
	byID := make(map[string]db.Doc, len(docs))
	ids := make([]string, 0, len(docs))
	for _, d := range docs {
		id := plugin.Str(d, "id")
		byID[id] = d
		ids = append(ids, id)
	}
	subnets, err := tx.ListChildren(ctx, "subnets", ids)
	if err != nil {
		return err
	}
	for _, s := range subnets {
		p, ok := scoped[plugin.Str(s, "subnetpool_id")]
		d := byID[plugin.Str(s, "network_id")]
		if !ok || d == nil {
			continue
		}
		switch v, _ := model.Int(p["ip_version"]); v {
		case 4:
			d["ipv4_address_scope"] = p["address_scope_id"]
		case 6:
			d["ipv6_address_scope"] = p["address_scope_id"]
		}
	}
	return nil
}
