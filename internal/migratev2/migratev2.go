// Package migratev2 is the one-way conversion of networking-midonet's monolithic v2 plugin data
// into ML2's (seed 4, "Migration from monolithic v2 plugin to ML2 plugin"): on the first start
// over a database holding the v2 plugin's rows — midonet_network_bindings, portbindingports,
// midonet_port_bindings, as `midonet db-manage import` copies them from an upstream database —
// every network gets its segment and every port its ML2 binding, the v2 rows are deleted, and
// "DB Migration from MidoNet v2 to ML2 completed successfully" is logged. It runs once: a
// second start finds no v2 row and does nothing.
package migratev2

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/ml2"
	"github.com/midonet-go/midonet/internal/model"
)

// CompletedMessage is the line upstream logged, at INFO, on success.
const CompletedMessage = "DB Migration from MidoNet v2 to ML2 completed successfully"

// Result counts what a run converted.
type Result struct {
	Networks, Uplinks, Ports, Bound int
}

// Run converts the v2 rows of d, if any, in one transaction: nothing changes unless all of it
// does. It refuses (an error, the server stops) when the database holds ML2 data already — a
// segment on a network or a binding on a port — as upstream refused a half-migrated database.
// Revisions are bumped so that the cluster's repair sees the new bindings; the v2 rows are
// deleted (upstream's deletion never ran on Python 3, so its second start aborted).
func Run(ctx context.Context, d *db.DB, log *slog.Logger) (Result, error) {
	var res Result
	done := false
	err := d.Write(ctx, func(tx *db.Tx) error {
		tx.Sweep() // every network and port is converted
		res, done = Result{}, false
		uplinks, err := set(ctx, tx, "SELECT network_id, network_type FROM midonet_network_bindings")
		if err != nil {
			return err
		}
		hosts, err := set(ctx, tx, "SELECT port_id, host FROM portbindingports")
		if err != nil {
			return err
		}
		ifaces, err := set(ctx, tx, "SELECT port_id, interface_name FROM midonet_port_bindings")
		if err != nil {
			return err
		}
		if len(uplinks)+len(hosts)+len(ifaces) == 0 {
			return nil
		}
		nets, err := tx.List(ctx, "networks", db.Filter{})
		if err != nil {
			return err
		}
		ports, err := tx.List(ctx, "ports", db.Filter{})
		if err != nil {
			return err
		}
		if n, p := ml2Data(nets, ports); n+p > 0 {
			return fmt.Errorf("migratev2: the database holds the MidoNet v2 plugin's rows (%d network, %d port bindings) and ML2 data already "+
				"(%d networks with a segment, %d ports with a binding): it was migrated before, or half; restore the backup taken before the upgrade",
				len(uplinks), len(hosts), n, p)
		}
		now := time.Now().UTC().Format("2006-01-02T15:04:05Z")
		for _, n := range nets {
			typ := "midonet"
			if _, ok := uplinks[str(n, "id")]; ok {
				typ = "uplink"
				res.Uplinks++
			}
			n["provider:network_type"], n["provider:physical_network"], n["provider:segmentation_id"] = typ, nil, nil
			if err := save(ctx, tx, "networks", n, now); err != nil {
				return err
			}
			// The segment a network of this server has (internal/plugin/segments).
			seg := ml2.Segment{ID: uuid.NewString(), NetworkID: str(n, "id"), ProjectID: str(n, "tenant_id"), Type: typ}
			if err := tx.Insert(ctx, "segments", seg.Doc(0)); err != nil {
				return fmt.Errorf("migratev2: segment of network %s: %w", str(n, "id"), err)
			}
			res.Networks++
		}
		for _, p := range ports {
			id := str(p, "id")
			p["binding:vnic_type"] = "normal"
			if host, ok := hosts[id]; ok {
				profile := map[string]any{}
				if iface, ok := ifaces[id]; ok {
					profile["interface_name"] = iface
				}
				p["binding:host_id"], p["binding:vif_type"], p["binding:profile"] = host, "midonet", profile
				p["binding:vif_details"] = map[string]any{"port_filter": true}
				res.Bound++
			} else {
				p["binding:host_id"], p["binding:vif_type"], p["binding:profile"], p["binding:vif_details"] = "", "unbound", map[string]any{}, map[string]any{}
			}
			if err := save(ctx, tx, "ports", p, now); err != nil {
				return err
			}
			res.Ports++
		}
		for _, t := range []string{"midonet_port_bindings", "portbindingports", "midonet_network_bindings"} {
			if _, err := tx.Exec(ctx, "DELETE FROM "+t); err != nil {
				return fmt.Errorf("migratev2: empty %s: %w", t, err)
			}
		}
		done = true
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	if done {
		log.Info(CompletedMessage, "networks", res.Networks, "uplink_networks", res.Uplinks, "ports", res.Ports, "bound_ports", res.Bound)
	}
	return res, nil
}

// ml2Data counts the networks with a segment and the ports with a binding.
func ml2Data(nets, ports []db.Doc) (n, p int) {
	for _, d := range nets {
		if str(d, "provider:network_type") != "" {
			n++
		}
	}
	for _, d := range ports {
		if vt := str(d, "binding:vif_type"); str(d, "binding:host_id") != "" || vt != "" && vt != "unbound" {
			p++
		}
	}
	return n, p
}

func save(ctx context.Context, tx *db.Tx, kind string, d db.Doc, now string) error {
	rev, _ := model.Int(d["revision_number"])
	d["revision_number"], d["updated_at"] = rev+1, now
	if err := tx.Put(ctx, kind, d); err != nil {
		return fmt.Errorf("migratev2: %s %s: %w", kind, str(d, "id"), err)
	}
	return nil
}

func str(d db.Doc, k string) string {
	s, _ := d[k].(string)
	return s
}

// set reads a two-column table into a map.
func set(ctx context.Context, tx *db.Tx, q string) (map[string]string, error) {
	rs, err := tx.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("migratev2: %s: %w", q, err)
	}
	defer rs.Close()
	out := map[string]string{}
	for rs.Next() {
		var k, v string
		if err := rs.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rs.Err()
}
