package migratev2_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/migratev2"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

func exec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	if err := d.Write(context.Background(), func(tx *db.Tx) error { _, err := tx.Exec(context.Background(), q, args...); return err }); err != nil {
		t.Fatal(err)
	}
}

// TestRun: the conversion on the server's own database (SQLite): segments and bindings from the
// v2 rows, the rows gone, the line logged once; nothing to do the second time; refused, with
// nothing changed, over ML2 data.
func TestRun(t *testing.T) {
	e := plugintest.New(t)
	n1 := e.MustCreate("networks", map[string]any{"name": "n1"})
	n2 := e.MustCreate("networks", map[string]any{"name": "uplink"})
	p1 := e.MustCreate("ports", map[string]any{"network_id": n1["id"]})
	p2 := e.MustCreate("ports", map[string]any{"network_id": n2["id"]})
	p3 := e.MustCreate("ports", map[string]any{"network_id": n1["id"]})
	// As an import leaves v2 networks and ports: no segment, no binding.
	ctx := context.Background()
	strip := func() {
		err := e.DB.Write(ctx, func(tx *db.Tx) error {
			for _, kind := range []string{"networks", "ports"} {
				docs, err := tx.List(ctx, kind, db.Filter{})
				if err != nil {
					return err
				}
				for _, d := range docs {
					for _, k := range []string{"provider:network_type", "binding:host_id", "binding:vif_type"} {
						delete(d, k)
					}
					if err := tx.Put(ctx, kind, d); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	strip()
	exec(t, e.DB, "INSERT INTO midonet_network_bindings (network_id, network_type) VALUES (?, 'uplink')", n2["id"])
	exec(t, e.DB, "INSERT INTO portbindingports (port_id, host) VALUES (?, 'compute-1'), (?, 'gw-1')", p1["id"], p2["id"])
	exec(t, e.DB, "INSERT INTO midonet_port_bindings (port_id, interface_name) VALUES (?, 'eth1')", p2["id"])

	var log bytes.Buffer
	res, err := migratev2.Run(ctx, e.DB, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if res != (migratev2.Result{Networks: 2, Uplinks: 1, Ports: 3, Bound: 2}) {
		t.Errorf("result %+v", res)
	}
	if strings.Count(log.String(), migratev2.CompletedMessage) != 1 {
		t.Errorf("log %q", log.String())
	}
	tests := []struct {
		coll, id, key string
		want          any
	}{
		{"networks", n1["id"].(string), "provider:network_type", "midonet"},
		{"networks", n2["id"].(string), "provider:network_type", "uplink"},
		{"ports", p1["id"].(string), "binding:host_id", "compute-1"},
		{"ports", p1["id"].(string), "binding:vif_type", "midonet"},
		{"ports", p2["id"].(string), "binding:host_id", "gw-1"},
		{"ports", p3["id"].(string), "binding:host_id", ""},
		{"ports", p3["id"].(string), "binding:vif_type", "unbound"},
	}
	for _, tc := range tests {
		if got := e.Get(tc.coll, tc.id)[tc.key]; got != tc.want {
			t.Errorf("%s %s %s = %v, want %v", tc.coll, tc.id, tc.key, got, tc.want)
		}
	}
	if p := e.Get("ports", p2["id"].(string)); p["binding:profile"].(map[string]any)["interface_name"] != "eth1" || p["binding:vif_details"].(map[string]any)["port_filter"] != true {
		t.Errorf("edge port %v", p)
	}

	log.Reset()
	if res, err := migratev2.Run(ctx, e.DB, slog.New(slog.NewTextHandler(&log, nil))); err != nil || res != (migratev2.Result{}) || log.Len() != 0 {
		t.Errorf("second run: %+v %v %q", res, err, log.String())
	}

	// v2 rows again, next to the ML2 data the first run wrote: refused, nothing changed.
	exec(t, e.DB, "INSERT INTO portbindingports (port_id, host) VALUES (?, 'compute-9')", p3["id"])
	if _, err := migratev2.Run(ctx, e.DB, slog.New(slog.NewTextHandler(&log, nil))); err == nil || !strings.Contains(err.Error(), "ML2 data already") {
		t.Errorf("over ML2 data: %v", err)
	}
	if got := e.Get("ports", p3["id"].(string))["binding:host_id"]; got != "" {
		t.Errorf("the refused run bound p3 to %v", got)
	}
}
