package l2gw_test

import (
	"context"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"github.com/midonet-go/midonet/internal/plugin/l2gw"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

// TestUnavailableWithoutGatewayDevices: without the gateway-device service in the catalogue
// (only the built-in collections), creating a gateway or a connection answers 503
// MidonetL2GatewayUnavailable, as networking-midonet's plugin does, and stores nothing.
func TestUnavailableWithoutGatewayDevices(t *testing.T) {
	rs := append(builtin.Resources(), l2gw.Gateways, l2gw.Connections)
	cat := resource.MustCatalog(rs...)
	d := plugintest.OpenDB(t, cat)
	c := &plugin.Caller{ProjectID: "p1", IsAdmin: true, Catalog: cat}
	ctx := context.Background()
	cases := []struct {
		col  plugin.Collection
		body db.Doc
	}{
		{l2gw.NewGatewayCollection(), db.Doc{"tenant_id": "p1", "name": "gw", "devices": []any{map[string]any{"device_id": "7a3c1b52-0d4e-4b8f-9c55-2f0e7f1d9a01"}}}},
		{l2gw.NewConnectionCollection(), db.Doc{"tenant_id": "p1", "l2_gateway_id": "7a3c1b52-0d4e-4b8f-9c55-2f0e7f1d9a02", "network_id": "n", "segmentation_id": "5"}},
	}
	for _, tc := range cases {
		err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := tc.col.Create(ctx, tx, c, tc.body)
			return err
		})
		f, ok := fault.As(err)
		if !ok || f.Status != 503 || f.Type != "MidonetL2GatewayUnavailable" {
			t.Errorf("%s create without gateway devices: %v, want 503 MidonetL2GatewayUnavailable", tc.col.Resource().Collection, err)
		}
		err = d.Read(ctx, func(tx *db.Tx) error {
			docs, err := tx.List(ctx, tc.col.Resource().Collection, db.Filter{})
			if len(docs) != 0 {
				t.Errorf("%s stored %v", tc.col.Resource().Collection, docs)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestDevicesValidator: the devices list MidoNet accepts, and the reasons it refuses others.
func TestDevicesValidator(t *testing.T) {
	id := "7a3c1b52-0d4e-4b8f-9c55-2f0e7f1d9a01"
	attr := l2gw.Gateways.Attr("devices")
	cases := []struct {
		name string
		v    any
		ok   bool
	}{
		{"one device", []any{map[string]any{"device_id": id}}, true},
		{"with a segmentation id", []any{map[string]any{"device_id": id, "segmentation_id": 7}}, true},
		{"numeric string id", []any{map[string]any{"device_id": id, "segmentation_id": "7"}}, true},
		{"empty interfaces", []any{map[string]any{"device_id": id, "interfaces": []any{}}}, true},
		{"not a list", "x", false},
		{"empty", []any{}, false},
		{"two", []any{map[string]any{"device_id": id}, map[string]any{"device_id": id}}, false},
		{"interfaces (a hw_vtep's ports)", []any{map[string]any{"device_id": id, "interfaces": []any{map[string]any{"name": "eth0", "segmentation_id": []any{100}}}}}, true},
		{"interface without a name", []any{map[string]any{"device_id": id, "interfaces": []any{map[string]any{"segmentation_id": []any{5}}}}}, false},
		{"interface VLAN out of range", []any{map[string]any{"device_id": id, "interfaces": []any{map[string]any{"name": "eth0", "segmentation_id": []any{5000}}}}}, false},
		{"interface unknown key", []any{map[string]any{"device_id": id, "interfaces": []any{map[string]any{"name": "eth0", "x": 1}}}}, false},
		{"device_name", []any{map[string]any{"device_name": "sw1"}}, false},
		{"no id", []any{map[string]any{}}, false},
		{"bad id", []any{map[string]any{"device_id": "x"}}, false},
		{"bad segmentation id", []any{map[string]any{"device_id": id, "segmentation_id": "x"}}, false},
		{"not an object", []any{1}, false},
	}
	for _, tc := range cases {
		v, err := attr.Convert(tc.v)
		if err != nil {
			t.Fatalf("%s: convert: %v", tc.name, err)
		}
		reason := attr.Validate(v)
		if (reason == "") != tc.ok {
			t.Errorf("%s: %q, want ok=%v", tc.name, reason, tc.ok)
		}
	}
}

// FuzzDevices: the devices parser never panics and accepts only one device with a UUID.
func FuzzDevices(f *testing.F) {
	f.Add("7a3c1b52-0d4e-4b8f-9c55-2f0e7f1d9a01", "7", true)
	f.Add("", "", false)
	f.Add("sw1", "-1", true)
	attr := l2gw.Gateways.Attr("devices")
	f.Fuzz(func(t *testing.T, id, seg string, withSeg bool) {
		dev := map[string]any{"device_id": id}
		if withSeg {
			dev["segmentation_id"] = seg
		}
		v, err := attr.Convert([]any{dev})
		if err != nil {
			return
		}
		if attr.Validate(v) == "" && !resource.IsUUID(id) {
			t.Errorf("accepted device_id %q", id)
		}
	})
}
