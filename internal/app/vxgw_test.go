package app

import (
	"context"
	"fmt"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

// TestHwVtepTargets: what the hardware VTEP service asks of each hw_vtep device, read from
// the Neutron database: the gateway's interfaces and VLANs, the connection's VNI, and the
// MACs of the network's ports bound to hosts with a tunnel address (by host name or id),
// flooding to those hosts; router_vtep devices and unmanaged hw_vteps are left out.
func TestHwVtepTargets(t *testing.T) {
	cat, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	d := plugintest.OpenDB(t, cat)
	ctx := context.Background()
	docs := []struct {
		kind string
		doc  db.Doc
	}{
		{"gateway_devices", db.Doc{"id": "dev1", "type": "hw_vtep", "management_ip": "192.0.2.5", "management_port": 6640, "management_protocol": "ovsdb"}},
		{"gateway_devices", db.Doc{"id": "dev2", "type": "hw_vtep", "management_ip": "192.0.2.6", "management_port": 6640, "management_protocol": "none"}},
		{"gateway_devices", db.Doc{"id": "dev3", "type": "router_vtep", "resource_id": "r1"}},
		{"l2_gateways", db.Doc{"id": "gw1", "devices": []any{map[string]any{"device_id": "dev1",
			"interfaces": []any{map[string]any{"name": "p1", "segmentation_id": []any{100, 101}}, map[string]any{"name": "p2", "segmentation_id": []any{}}}}}}},
		{"l2_gateway_connections", db.Doc{"id": "c1", "l2_gateway_id": "gw1", "network_id": "n1", "device_id": "dev1", "vni": 5000, "segmentation_id": "5000"}},
		{"agent_memberships", db.Doc{"id": "host-a-id", "ip_address": "198.51.100.1"}},
		{"agent_memberships", db.Doc{"id": "host-b-id", "ip_address": "198.51.100.2"}},
		{"ports", db.Doc{"id": "p-a", "network_id": "n1", "mac_address": "fa:16:3e:00:00:0a", "binding:host_id": "host-a",
			"fixed_ips": []any{map[string]any{"subnet_id": "s", "ip_address": "10.0.0.10"}}}},
		{"ports", db.Doc{"id": "p-b", "network_id": "n1", "mac_address": "fa:16:3e:00:00:0b", "binding:host_id": "host-b-id"}},
		{"ports", db.Doc{"id": "p-c", "network_id": "n1", "mac_address": "fa:16:3e:00:00:0c", "binding:host_id": "nowhere"}},
		{"ports", db.Doc{"id": "p-d", "network_id": "n2", "mac_address": "fa:16:3e:00:00:0d", "binding:host_id": "host-a"}},
	}
	if err := d.Write(ctx, func(tx *db.Tx) error {
		for _, x := range docs {
			if err := tx.Insert(ctx, x.kind, x.doc); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var targets []vtepTarget
	if err := d.Read(ctx, func(tx *db.Tx) error {
		targets, err = hwVtepTargets(ctx, tx, map[string]string{"host-a": "host-a-id"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(targets) != 1 || targets[0].device != "dev1" || targets[0].address != "192.0.2.5:6640" || len(targets[0].bindings) != 1 {
		t.Fatalf("targets %+v", targets)
	}
	b := targets[0].bindings[0]
	if b.NetworkID != "n1" || b.VNI != 5000 || fmt.Sprint(b.Ports) != "[{p1 100} {p1 101} {p2 0}]" {
		t.Errorf("binding %+v", b)
	}
	if fmt.Sprint(b.MACs) != "[{fa:16:3e:00:00:0a 10.0.0.10 198.51.100.1} {fa:16:3e:00:00:0b  198.51.100.2}]" &&
		fmt.Sprint(b.MACs) != "[{fa:16:3e:00:00:0b  198.51.100.2} {fa:16:3e:00:00:0a 10.0.0.10 198.51.100.1}]" {
		t.Errorf("MACs %+v", b.MACs)
	}
	if fmt.Sprint(b.Flood) != "[198.51.100.1 198.51.100.2]" {
		t.Errorf("flood %v", b.Flood)
	}
}
