package l2gw

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/testutil/translatetest"
)

// TestChangesReachTheirConnections: a change of the connection's network, of its gateway
// device, or of the router or network the device stands on re-translates the connection;
// another network's or router's does not.
func TestChangesReachTheirConnections(t *testing.T) {
	world := func() *translate.World {
		w := translate.NewWorld()
		w.Put("routers", translate.Doc{"id": "r1"})
		w.Put("routers", translate.Doc{"id": "r2"})
		w.Put("networks", translate.Doc{"id": "n1"})
		w.Put("networks", translate.Doc{"id": "n2"})
		w.Put("networks", translate.Doc{"id": "vlan-net"})
		w.Put(gatewayCollection, translate.Doc{"id": "rv", "type": "router_vtep", "resource_id": "r1", "tunnel_ips": []any{"172.24.4.100"}})
		w.Put(gatewayCollection, translate.Doc{"id": "nv", "type": "network_vlan", "resource_id": "vlan-net"})
		w.Put(Connections.Collection, translate.Doc{"id": "c1", "network_id": "n1", "device_id": "rv", "vni": 5000})
		w.Put(Connections.Collection, translate.Doc{"id": "c2", "network_id": "n2", "device_id": "nv", "vni": 100})
		return w
	}
	c1, c2 := translate.RefOf(Connections.Collection, "c1"), translate.RefOf(Connections.Collection, "c2")
	named := translatetest.Reaches(t, Service().Translators, world, []translate.Ref{c1, c2}, []translatetest.Change{
		{Name: "c1's network deleted", Collection: "networks", ID: "n1"},
		{Name: "c1's device's router deleted", Collection: "routers", ID: "r1"},
		{Name: "c1's device's tunnel IP", Collection: gatewayCollection, ID: "rv", After: translate.Doc{"id": "rv", "type": "router_vtep", "resource_id": "r1",
			"tunnel_ips": []any{"172.24.4.101"}}},
		{Name: "c2's device's network deleted", Collection: "networks", ID: "vlan-net"},
		{Name: "another network", Collection: "networks", ID: "n3", After: translate.Doc{"id": "n3"}},
		{Name: "another router deleted", Collection: "routers", ID: "r2"},
	})
	want := map[string][]translate.Ref{"c1's network deleted": {c1}, "c1's device's router deleted": {c1}, "c1's device's tunnel IP": {c1},
		"c2's device's network deleted": {c2}, "another network": nil, "another router deleted": nil}
	for n, refs := range want {
		if len(named[n]) != len(refs) || (len(refs) == 1 && named[n][0] != refs[0]) {
			t.Errorf("%s: named %v, want %v", n, named[n], refs)
		}
	}
}
