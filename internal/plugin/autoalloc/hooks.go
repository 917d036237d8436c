package autoalloc

import (
	"context"
	"fmt"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/plugin"
)

// networkHook keeps `is_default` on networks as Neutron's external-network record does: it
// holds only on an external network (elsewhere it reads false), and on one at most
// (409 DefaultExternalNetworkExists).
type networkHook struct{ plugin.NoHook }

// BeforeCreate checks a new default external network.
func (networkHook) BeforeCreate(ctx context.Context, tx *db.Tx, _ *plugin.Caller, body db.Doc) error {
	if !plugin.Bool(body, "is_default") {
		return nil
	}
	if !plugin.Bool(body, "router:external") {
		body["is_default"] = false
		return nil
	}
	return onlyDefault(ctx, tx, plugin.Str(body, "id"))
}

// BeforeUpdate checks a network becoming the default, and clears is_default of one that
// stops being external.
func (networkHook) BeforeUpdate(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur, changes db.Doc) error {
	if !plugin.Bool(plugin.Apply(cur, changes), "router:external") {
		if _, given := changes["is_default"]; given || plugin.Bool(cur, "is_default") {
			changes["is_default"] = false
		}
		return nil
	}
	if v, ok := changes["is_default"].(bool); ok && v {
		return onlyDefault(ctx, tx, plugin.Str(cur, "id"))
	}
	return nil
}

// Expand shows is_default false on networks stored before the attribute existed.
func (networkHook) Expand(_ context.Context, _ *db.Tx, docs []db.Doc) error {
	for _, d := range docs {
		if _, ok := d["is_default"]; !ok {
			d["is_default"] = false
		}
	}
	return nil
}

// onlyDefault refuses a second default external network.
func onlyDefault(ctx context.Context, tx *db.Tx, id string) error {
	nets, err := plugin.ExternalNetworks(ctx, tx)
	if err != nil {
		return fmt.Errorf("autoalloc: %w", err)
	}
	for _, n := range nets {
		if other := plugin.Str(n, "id"); other != id && plugin.Bool(n, "is_default") {
			return DefaultExternalNetworkExists(other)
		}
	}
	return nil
}
