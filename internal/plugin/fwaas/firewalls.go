package fwaas

import (
	"context"
	"fmt"
	"slices"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// FirewallCollection is /v2.0/fw/firewalls (FWaaS v1 with fwaasrouterinsertion): one policy
// applied on routers. Without router_ids a new firewall takes every router of its project
// that has none (v1's behaviour before router insertion).
type FirewallCollection struct{}

// Resource describes firewalls.
func (FirewallCollection) Resource() *resource.Resource { return Firewalls }

// firewallStatus is the MidoNet driver's: ACTIVE on routers, INACTIVE on none (DOWN while
// administratively down).
func firewallStatus(d db.Doc) string {
	switch {
	case len(plugin.List(d, "router_ids")) == 0:
		return StatusInactive
	case !plugin.Bool(d, "admin_state_up"):
		return StatusDown
	}
	return StatusActive
}

// routersInUse are those of routers that firewalls other than except hold, by router. It
// reads the firewalls holding them through the key index (Firewalls.Lookups), not every
// firewall.
func routersInUse(ctx context.Context, tx *db.Tx, except string, routers []string) (map[string]bool, error) {
	fws, err := tx.ListBy(ctx, Firewalls.Collection, "router_ids", routers...)
	if err != nil {
		return nil, fmt.Errorf("fwaas: the firewalls of %d routers: %w", len(routers), err)
	}
	used := map[string]bool{}
	for _, f := range fws {
		if plugin.Str(f, "id") == except {
			continue
		}
		for _, r := range plugin.Strings(f, "router_ids") {
			used[r] = true
		}
	}
	return used, nil
}

// checkRouters: each new router visible, of the firewall's project, and without a firewall.
// The routers are read (locked on PostgreSQL) before the firewalls are listed: two requests
// putting one router under two firewalls serialize on the router.
func checkRouters(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc, added []string) error {
	for _, id := range added {
		r, err := plugin.Fetch(ctx, tx, c, "routers", id)
		if err != nil {
			return err
		}
		if plugin.Str(r, "tenant_id") != plugin.Str(d, "tenant_id") {
			return fault.FirewallRouterInvalidProject(id)
		}
	}
	used, err := routersInUse(ctx, tx, plugin.Str(d, "id"), added)
	if err != nil {
		return err
	}
	var inUse []string
	for _, id := range added {
		if used[id] {
			inUse = append(inUse, id)
		}
	}
	if len(inUse) > 0 {
		return fault.FirewallRouterInUse(inUse)
	}
	return nil
}

// Create stores a firewall on its routers.
func (FirewallCollection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := stamp(body)
	if err := checkPolicies(ctx, tx, c, v1, d); err != nil {
		return nil, err
	}
	if _, given := d["router_ids"]; !given {
		rs, err := tx.List(ctx, "routers", db.Filter{ProjectID: plugin.Str(d, "tenant_id")})
		if err != nil {
			return nil, err
		}
		for _, r := range rs { // locked first, as checkRouters does
			if _, err := tx.Get(ctx, "routers", plugin.Str(r, "id")); err != nil {
				return nil, err
			}
		}
		ids := make([]string, len(rs))
		for i, r := range rs {
			ids[i] = plugin.Str(r, "id")
		}
		used, err := routersInUse(ctx, tx, "", ids)
		if err != nil {
			return nil, err
		}
		free := []any{}
		for _, id := range ids {
			if !used[id] {
				free = append(free, id)
			}
		}
		slices.SortFunc(free, func(a, b any) int {
			if a.(string) < b.(string) {
				return -1
			}
			return 1
		})
		d["router_ids"] = free
	} else if err := checkRouters(ctx, tx, c, d, plugin.Strings(d, "router_ids")); err != nil {
		return nil, err
	}
	d["status"] = firewallStatus(d)
	return d, plugin.Add(ctx, tx, c, Firewalls.Collection, d)
}

// Update changes a firewall's policy, routers or state.
func (FirewallCollection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	d := plugin.Apply(cur, changes)
	if d["router_ids"] == nil {
		d["router_ids"] = []any{}
	}
	if err := checkPolicies(ctx, tx, c, v1, d); err != nil {
		return nil, err
	}
	var added []string
	for _, r := range plugin.Strings(d, "router_ids") {
		if !slices.Contains(plugin.Strings(cur, "router_ids"), r) {
			added = append(added, r)
		}
	}
	if err := checkRouters(ctx, tx, c, d, added); err != nil {
		return nil, err
	}
	d["status"] = firewallStatus(d)
	return d, plugin.Save(ctx, tx, c, Firewalls.Collection, d)
}

// Delete removes a firewall; its routers forward unfiltered again.
func (FirewallCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	return plugin.Remove(ctx, tx, c, Firewalls.Collection, cur)
}

// List returns the candidate firewalls.
func (FirewallCollection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	return list(ctx, tx, Firewalls, f)
}

// routerHook takes a deleted router out of its firewall.
type routerHook struct{ plugin.NoHook }

func (routerHook) BeforeDelete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	fws, err := tx.ListBy(ctx, Firewalls.Collection, "router_ids", id)
	if err != nil {
		return fmt.Errorf("fwaas: the firewalls of router %s: %w", id, err)
	}
	for _, f := range fws {
		rs := plugin.List(f, "router_ids")
		if i := slices.Index(rs, any(id)); i >= 0 {
			f["router_ids"] = slices.Delete(rs, i, i+1)
			f["status"] = firewallStatus(f)
			if err := plugin.Save(ctx, tx, c.Elevated(), Firewalls.Collection, f); err != nil {
				return err
			}
		}
	}
	return nil
}
