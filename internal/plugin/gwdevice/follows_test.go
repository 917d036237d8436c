package gwdevice

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/testutil/translatetest"
)

// TestChangesReachTheirDevices: the router or network a device stands on re-translates it
// when deleted; another router's or network's change does not.
func TestChangesReachTheirDevices(t *testing.T) {
	world := func() *translate.World {
		w := translate.NewWorld()
		w.Put("routers", translate.Doc{"id": "r1"})
		w.Put("networks", translate.Doc{"id": "n1"})
		w.Put(Devices.Collection, translate.Doc{"id": "d1", "type": RouterVtep, "resource_id": "r1", "tunnel_ips": []any{"198.51.100.1"}})
		w.Put(Devices.Collection, translate.Doc{"id": "d2", "type": NetworkVlan, "resource_id": "n1"})
		return w
	}
	d1, d2 := translate.RefOf(Devices.Collection, "d1"), translate.RefOf(Devices.Collection, "d2")
	named := translatetest.Reaches(t, Service().Translators, world, []translate.Ref{d1, d2}, []translatetest.Change{
		{Name: "d1's router deleted", Collection: "routers", ID: "r1"},
		{Name: "d2's network deleted", Collection: "networks", ID: "n1"},
		{Name: "another router", Collection: "routers", ID: "r2", After: translate.Doc{"id": "r2"}},
		{Name: "another network", Collection: "networks", ID: "n2", After: translate.Doc{"id": "n2"}},
	})
	want := map[string][]translate.Ref{"d1's router deleted": {d1}, "d2's network deleted": {d2}, "another router": nil, "another network": nil}
	for n, refs := range want {
		if len(named[n]) != len(refs) || (len(refs) == 1 && named[n][0] != refs[0]) {
			t.Errorf("%s: named %v, want %v", n, named[n], refs)
		}
	}
}

// TestChangesReachTheirEntries: a device's change, and the create or delete of an L2 gateway
// connection to it, re-translate its remote MAC entries (the network seeds follow the
// connections); another device's, another entry's or another connection's change does not.
func TestChangesReachTheirEntries(t *testing.T) {
	world := func() *translate.World {
		w := translate.NewWorld()
		w.Put("routers", translate.Doc{"id": "r1"})
		w.Put("routers", translate.Doc{"id": "r2"})
		w.Put(Devices.Collection, translate.Doc{"id": "d1", "type": RouterVtep, "resource_id": "r1", "tunnel_ips": []any{"198.51.100.1"}})
		w.Put(Devices.Collection, translate.Doc{"id": "d2", "type": RouterVtep, "resource_id": "r2", "tunnel_ips": []any{"198.51.100.2"}})
		w.Put(RemoteMacEntries.Collection, translate.Doc{"id": "e1", "gateway_device_id": "d1", "mac_address": "fa:16:3e:00:00:01",
			"vtep_address": "203.0.113.7", "segmentation_id": 5000})
		w.Put(RemoteMacEntries.Collection, translate.Doc{"id": "e2", "gateway_device_id": "d2", "mac_address": "fa:16:3e:00:00:02",
			"vtep_address": "203.0.113.7", "segmentation_id": 5000})
		w.Put(l2gwConnections, translate.Doc{"id": "c1", "network_id": "n1", "device_id": "d1", "vni": 5000})
		return w
	}
	e1 := translate.RefOf(RemoteMacEntries.Collection, "e1")
	named := translatetest.Reaches(t, Service().Translators, world, []translate.Ref{e1, translate.RefOf(RemoteMacEntries.Collection, "e2")},
		[]translatetest.Change{
			{Name: "d1's tunnel IP", Collection: Devices.Collection, ID: "d1", After: translate.Doc{"id": "d1", "type": RouterVtep,
				"resource_id": "r1", "tunnel_ips": []any{"198.51.100.9"}}},
			{Name: "d1 deleted", Collection: Devices.Collection, ID: "d1"},
			{Name: "d1's connection deleted", Collection: l2gwConnections, ID: "c1"},
			{Name: "a connection to d1", Collection: l2gwConnections, ID: "c2", After: translate.Doc{"id": "c2", "network_id": "n2",
				"device_id": "d1", "vni": 5000}},
			{Name: "another entry", Collection: RemoteMacEntries.Collection, ID: "e3", After: translate.Doc{"id": "e3",
				"gateway_device_id": "d1", "mac_address": "fa:16:3e:00:00:03", "vtep_address": "203.0.113.8", "segmentation_id": 5000}},
			{Name: "a connection to another device", Collection: l2gwConnections, ID: "c3", After: translate.Doc{"id": "c3",
				"network_id": "n3", "device_id": "d9", "vni": 5000}},
		})
	want := map[string][]translate.Ref{"d1's tunnel IP": {e1}, "d1 deleted": {e1}, "d1's connection deleted": {e1},
		"a connection to d1": {e1}, "another entry": nil, "a connection to another device": nil}
	for n, refs := range want {
		if len(named[n]) != len(refs) || (len(refs) == 1 && named[n][0] != refs[0]) {
			t.Errorf("%s: named %v, want %v", n, named[n], refs)
		}
	}
}
