package backend

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

// task is one row of midonet_tasks.
type task struct {
	id                      int64
	typ, dataType, resource string
	data                    map[string]any
}

// tasksOf reads the task rows of some data types, in order.
func (e *env) tasksOf(t testing.TB, dataTypes ...string) []task {
	t.Helper()
	ctx, cancel := tctx(t)
	defer cancel()
	rows, err := e.db(t).QueryContext(ctx, "SELECT id, type, data_type, resource_id, data FROM midonet_tasks ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []task
	for rows.Next() {
		var r task
		var data *string
		if err := rows.Scan(&r.id, &r.typ, &r.dataType, &r.resource, &data); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(dataTypes, r.dataType) {
			continue
		}
		if data != nil && *data != "" && *data != "null" {
			if err := json.Unmarshal([]byte(*data), &r.data); err != nil {
				t.Fatalf("task %d data %q: %v", r.id, *data, err)
			}
		}
		out = append(out, r)
	}
	return out
}

// TestConfigAndPortBindingTasks: with the task client the API server writes networking-midonet's
// CONFIG task at start (the DEFAULT tunnel zone's protocol, no password) and a PORTBINDING task
// after each port task that binds, moves or unbinds a port; the cluster applies them all and no
// drift is left. The REST client writes neither.
func TestConfigAndPortBindingTasks(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			e := startEnv(t, envOpts{tasks: m.tasks})
			a := e.api
			net := a.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": "pb"}})["id"].(string)
			a.must(t, 201, "POST", "subnets", map[string]any{"subnet": map[string]any{"network_id": net, "cidr": "10.93.0.0/24", "ip_version": 4}})
			p := a.must(t, 201, "POST", "ports", map[string]any{"port": map[string]any{"network_id": net, "binding:host_id": "compute-1"}})
			id := p["id"].(string)
			a.must(t, 200, "PUT", "ports/"+id, map[string]any{"port": map[string]any{"name": "renamed"}}) // no binding change
			a.must(t, 200, "PUT", "ports/"+id, map[string]any{"port": map[string]any{"binding:host_id": "compute-2", "binding:profile": map[string]any{"interface_name": "eth9"}}})
			a.must(t, 200, "PUT", "ports/"+id, map[string]any{"port": map[string]any{"binding:host_id": ""}})
			a.must(t, 200, "PUT", "ports/"+id, map[string]any{"port": map[string]any{"binding:host_id": "compute-3"}})
			a.must(t, 204, "DELETE", "ports/"+id, nil)
			if _, _, applied, _ := e.waitDrained(t, 30e9); !applied {
				t.Fatalf("the cluster did not apply every task")
			}
			cfg := e.tasksOf(t, "CONFIG")
			bindings := e.tasksOf(t, "PORTBINDING")
			if !m.tasks {
				if len(cfg)+len(bindings) != 0 {
					t.Fatalf("REST client wrote tasks %+v %+v", cfg, bindings)
				}
				return
			}
			if len(cfg) != 1 || cfg[0].typ != "CREATE" || cfg[0].resource != "00000000-0000-0000-0000-000000000001" ||
				cfg[0].data["tunnel_protocol"] != "vxlan" || len(cfg[0].data) != 2 {
				t.Errorf("CONFIG tasks %+v, want one CREATE of the DEFAULT tunnel zone with its protocol only", cfg)
			}
			type want struct{ typ, host, iface string }
			wants := []want{{"CREATE", "compute-1", "tap" + id[:11]}, {"DELETE", "", ""}, {"CREATE", "compute-2", "eth9"},
				{"DELETE", "", ""}, {"CREATE", "compute-3", "eth9"}, {"DELETE", "", ""}} // the profile keeps eth9
			if len(bindings) != len(wants) {
				t.Fatalf("PORTBINDING tasks %+v, want %d", bindings, len(wants))
			}
			for i, w := range wants {
				b := bindings[i]
				host, _ := b.data["host_id"].(string)
				iface, _ := b.data["interface_name"].(string)
				if b.typ != w.typ || b.resource != id || host != w.host || iface != w.iface {
					t.Errorf("PORTBINDING task %d: %s %s %v, want %s of %s on %s/%s", i, b.typ, b.resource, b.data, w.typ, id, w.host, w.iface)
				}
			}
			// Each PORTBINDING follows its port's own task.
			ports := e.tasksOf(t, "PORT")
			if last := ports[len(ports)-1]; last.typ != "DELETE" || last.id > bindings[len(bindings)-1].id {
				t.Errorf("the last PORTBINDING (%d) does not follow the port's DELETE (%d)", bindings[len(bindings)-1].id, last.id)
			}
			if d := e.verify(t); d.Total != 0 {
				t.Errorf("drift after the tasks: %s", d)
			}
		})
	}
}

// TestTaaSReachesTheNSDB: a tap service becomes a Mirror to its port and a tap flow the source
// port's mirror lists, with both clients; a flow's delete empties the lists, a service's
// delete removes the Mirror; no drift.
func TestTaaSReachesTheNSDB(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			e := startEnv(t, envOpts{tasks: m.tasks})
			a := e.api
			net := a.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": "taas"}})["id"].(string)
			a.must(t, 201, "POST", "subnets", map[string]any{"subnet": map[string]any{"network_id": net, "cidr": "10.94.0.0/24", "ip_version": 4}})
			mon := a.must(t, 201, "POST", "ports", map[string]any{"port": map[string]any{"network_id": net}})["id"].(string)
			src := a.must(t, 201, "POST", "ports", map[string]any{"port": map[string]any{"network_id": net}})["id"].(string)
			ts := a.must(t, 201, "POST", "taas/tap_services", map[string]any{"tap_service": map[string]any{"port_id": mon}})["id"].(string)
			fl := a.must(t, 201, "POST", "taas/tap_flows", map[string]any{"tap_flow": map[string]any{"tap_service_id": ts, "source_port": src, "direction": "IN"}})["id"].(string)
			e.waitDrained(t, 30e9)
			mir, ok := e.object(t, topology.KindMirror, ts).(*topology.Mirror)
			if !ok || mir.ToPortID != mon || len(mir.Conditions) != 1 {
				t.Fatalf("Mirror %+v", mir)
			}
			port := func() *topology.Port { return e.object(t, topology.KindPort, src).(*topology.Port) }
			if p := port(); !slices.Equal(p.PreOutFilterMirrorIDs, []string{ts}) || len(p.PostInFilterMirrorIDs) != 0 {
				t.Errorf("IN flow: source port mirrors pre-out %v post-in %v", p.PreOutFilterMirrorIDs, p.PostInFilterMirrorIDs)
			}
			if d := e.verify(t); d.Total != 0 {
				t.Errorf("drift: %s", d)
			}
			a.must(t, 204, "DELETE", "taas/tap_flows/"+fl, nil)
			e.waitDrained(t, 30e9)
			if p := port(); len(p.PreOutFilterMirrorIDs)+len(p.PostInFilterMirrorIDs) != 0 {
				t.Errorf("after the flow's delete: %v %v", p.PreOutFilterMirrorIDs, p.PostInFilterMirrorIDs)
			}
			a.must(t, 204, "DELETE", "taas/tap_services/"+ts, nil)
			e.waitDrained(t, 30e9)
			for _, o := range e.objects(t, topology.KindMirror) {
				t.Errorf("Mirror left after the service's delete: %+v", o)
			}
			if d := e.verify(t); d.Total != 0 {
				t.Errorf("drift at the end: %s", d)
			}
		})
	}
}
