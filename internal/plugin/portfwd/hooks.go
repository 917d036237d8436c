package portfwd

import (
	"context"
	"slices"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
)

// fipHook keeps floating IPs and their forwardings consistent: a floating IP with
// forwardings is neither associated with a port nor deleted (FipInUseByPortForwarding), and
// it shows them (expose-port-forwarding-in-fip, with ids and ports: -detail).
type fipHook struct{ plugin.NoHook }

func (fipHook) BeforeUpdate(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur, changes db.Doc) error {
	if plugin.Str(changes, "port_id") == "" {
		return nil
	}
	return inUse(ctx, tx, plugin.Str(cur, "id"))
}

func (fipHook) BeforeDelete(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
	return inUse(ctx, tx, plugin.Str(cur, "id"))
}

func inUse(ctx context.Context, tx *db.Tx, fipID string) error {
	n, err := tx.CountParent(ctx, PortForwardings.Collection, fipID)
	if err == nil && n > 0 {
		err = fault.FipInUseByPortForwarding(fipID)
	}
	return err
}

// Expand lists each floating IP's forwardings as Neutron's floating IP shows them.
func (fipHook) Expand(ctx context.Context, tx *db.Tx, docs []db.Doc) error {
	// One query for a few floating IPs each, one per 500 for a page or a list (the parent
	// index: the forwardings of those floating IPs, not every one).
	var byFIP map[string][]db.Doc
	if len(docs) > 4 {
		byFIP = map[string][]db.Doc{}
		ids := make([]string, len(docs))
		for i, d := range docs {
			ids[i] = plugin.Str(d, "id")
		}
		pfs, err := tx.ListChildren(ctx, PortForwardings.Collection, ids)
		if err != nil {
			return err
		}
		for _, p := range pfs {
			byFIP[plugin.Str(p, "floatingip_id")] = append(byFIP[plugin.Str(p, "floatingip_id")], p)
		}
	}
	for _, d := range docs {
		pfs := byFIP[plugin.Str(d, "id")]
		if byFIP == nil {
			var err error
			if pfs, err = tx.List(ctx, PortForwardings.Collection, db.Filter{ParentID: plugin.Str(d, "id")}); err != nil {
				return err
			}
		}
		slices.SortFunc(pfs, func(a, b db.Doc) int { return compare(plugin.Str(a, "id"), plugin.Str(b, "id")) })
		out := make([]any, 0, len(pfs))
		for _, p := range pfs {
			out = append(out, map[string]any{"id": p["id"], "internal_ip_address": p["internal_ip_address"], "protocol": p["protocol"],
				"internal_port": p["internal_port"], "external_port": p["external_port"], "internal_port_id": p["internal_port_id"]})
		}
		d["port_forwardings"] = out
	}
	return nil
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// portHook removes the forwardings of a port that goes, and those of addresses a port
// loses (Neutron's _process_port_request).
type portHook struct{ plugin.NoHook }

func (portHook) BeforeDelete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	pfs, err := stored.Where(ctx, tx, PortForwardings.Collection, "internal_port_id", plugin.Str(cur, "id"))
	if err != nil {
		return err
	}
	for _, p := range pfs {
		if err := remove(ctx, tx, c.Elevated(), p); err != nil {
			return err
		}
	}
	return nil
}

func (portHook) BeforeUpdate(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) error {
	l, ok := changes["fixed_ips"].([]any)
	if !ok {
		return nil
	}
	keep := map[string]bool{}
	for _, x := range l {
		m, _ := x.(map[string]any)
		// An entry naming a subnet only asks for a new address there.
		if ip := plugin.Str(m, "ip_address"); ip != "" {
			keep[ip] = true
		}
	}
	pfs, err := stored.Where(ctx, tx, PortForwardings.Collection, "internal_port_id", plugin.Str(cur, "id"))
	if err != nil {
		return err
	}
	for _, p := range pfs {
		if !keep[plugin.Str(p, "internal_ip_address")] {
			if err := remove(ctx, tx, c.Elevated(), p); err != nil {
				return err
			}
		}
	}
	return nil
}

// ExpandShared sets nothing: the hook adds no attribute (plugin.SharedExpander).
func (portHook) ExpandShared(context.Context, *db.Tx, []db.Doc, plugin.SetFunc) error { return nil }
