package gwdevice

import (
	"fmt"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/topology"
)

// TestDeviceTranslation: a router_vtep becomes a GatewayDevice naming its router and tunnel
// IP (its remote MACs are the entries' objects); a network_vlan names its network; a device
// whose resource is gone translates to nothing.
func TestDeviceTranslation(t *testing.T) {
	w := translate.NewWorld()
	w.Put("routers", translate.Doc{"id": "r1", "admin_state_up": true})
	w.Put("networks", translate.Doc{"id": "n1", "admin_state_up": true})
	w.Put(Devices.Collection, translate.Doc{"id": "d1", "type": RouterVtep, "resource_id": "r1", "tunnel_ips": []any{"198.51.100.1"}})
	w.Put(Devices.Collection, translate.Doc{"id": "d2", "type": NetworkVlan, "resource_id": "n1", "tunnel_ips": []any{}})
	w.Put(Devices.Collection, translate.Doc{"id": "d3", "type": RouterVtep, "resource_id": "gone", "tunnel_ips": []any{"198.51.100.3"}})
	w.Put(Devices.Collection, translate.Doc{"id": "d4", "type": HwVtep, "management_ip": "192.0.2.1", "management_port": 6640,
		"management_protocol": "ovsdb", "resource_id": "", "tunnel_ips": []any{}})

	objs := deviceObjects(w, "d1")
	if len(objs) != 1 {
		t.Fatalf("router_vtep: %v", objs)
	}
	if g := objs[0].(*topology.GatewayDevice); g.RouterID != "r1" || fmt.Sprint(g.TunnelIPs) != "[198.51.100.1]" {
		t.Errorf("router_vtep object %+v", g)
	}
	if objs := deviceObjects(w, "d2"); len(objs) != 1 || objs[0].(*topology.GatewayDevice).NetworkID != "n1" {
		t.Errorf("network_vlan: %v", objs)
	}
	if objs := deviceObjects(w, "d3"); len(objs) != 0 {
		t.Errorf("router_vtep of a missing router: %v", objs)
	}
	if objs := deviceObjects(w, "d4"); len(objs) != 1 || objs[0].(*topology.GatewayDevice).ManagementIP != "192.0.2.1" {
		t.Errorf("hw_vtep: %v", objs)
	}
	if objs := deviceObjects(w, "nope"); objs != nil {
		t.Errorf("missing device: %v", objs)
	}
}

// TestEntryTranslation: a router_vtep's entry becomes a RemoteMacEntry naming its device,
// MAC, VTEP and VNI, and seeds its MAC on each network an L2 gateway connection joins to the
// device on the entry's VNI (towards the connection's network port), not on a connection of
// another VNI or another device; an entry of a network_vlan, or of a device gone, makes
// nothing.
func TestEntryTranslation(t *testing.T) {
	w := translate.NewWorld()
	w.Put(Devices.Collection, translate.Doc{"id": "d1", "type": RouterVtep, "resource_id": "r1", "tunnel_ips": []any{"198.51.100.1"}})
	w.Put(Devices.Collection, translate.Doc{"id": "d2", "type": NetworkVlan, "resource_id": "n9"})
	w.Put(l2gwConnections, translate.Doc{"id": "c1", "network_id": "n1", "device_id": "d1", "vni": 5000})
	w.Put(l2gwConnections, translate.Doc{"id": "c2", "network_id": "n2", "device_id": "d1", "vni": 6000})
	w.Put(l2gwConnections, translate.Doc{"id": "c3", "network_id": "n3", "device_id": "d2", "vni": 5000})
	put := func(id, dev string) {
		w.Put(RemoteMacEntries.Collection, translate.Doc{"id": id, "gateway_device_id": dev, "mac_address": "fa:16:3e:00:00:01",
			"vtep_address": "203.0.113.7", "segmentation_id": 5000})
	}
	put("e1", "d1")
	put("e2", "d2")
	put("e3", "gone")

	objs := entryObjects(w, "e1")
	if len(objs) != 2 {
		t.Fatalf("router_vtep entry: %d objects %v", len(objs), objs)
	}
	if e := objs[0].(*topology.RemoteMacEntry); *e != (topology.RemoteMacEntry{Meta: topology.Meta{ID: "e1"}, DeviceID: "d1",
		MAC: "fa:16:3e:00:00:01", VtepAddress: "203.0.113.7", VNI: 5000}) {
		t.Errorf("entry object %+v", e)
	}
	if m := objs[1].(*topology.MacEntry); *m != (topology.MacEntry{Meta: topology.Meta{ID: topology.L2GWRemoteMacEntryID("n1", "e1")},
		NetworkID: "n1", MAC: "fa:16:3e:00:00:01", PortID: topology.L2GWNetworkPortID("n1")}) {
		t.Errorf("network seed %+v", m)
	}
	for _, id := range []string{"e2", "e3", "nope"} {
		if objs := entryObjects(w, id); len(objs) != 0 {
			t.Errorf("entry %s: %v", id, objs)
		}
	}
}

// TestValidators: management ports, tunnel-IP lists and VNIs as the API checks them.
func TestValidators(t *testing.T) {
	cases := []struct {
		name string
		f    func(any) string
		v    any
		ok   bool
	}{
		{"port null", port, nil, true},
		{"port 6640", port, 6640, true},
		{"port 65536", port, 65536, false},
		{"port -1", port, -1, false},
		{"port text", port, "x", false},
		{"tunnel ips", tunnelIPs, []any{"198.51.100.1"}, true},
		{"tunnel ips empty", tunnelIPs, []any{}, true},
		{"tunnel ips not a list", tunnelIPs, "198.51.100.1", false},
		{"tunnel ip not an address", tunnelIPs, []any{"x"}, false},
		{"too many tunnel ips", tunnelIPs, make([]any, maxTunnelIPs+1), false},
		{"IPv6 tunnel ip", tunnelIPs, []any{"2001:db8::1"}, false},
		{"vtep address", ipv4, "203.0.113.7", true},
		{"IPv6 vtep address", ipv4, "2001:db8::7", false},
		{"vtep address not a string", ipv4, 7, false},
		{"vni 0", vni, 0, true},
		{"vni max", vni, MaxVNI, true},
		{"vni past 24 bits", vni, MaxVNI + 1, false},
		{"vni negative", vni, -1, false},
	}
	for _, c := range cases {
		if got := c.f(c.v) == ""; got != c.ok {
			t.Errorf("%s: %q", c.name, c.f(c.v))
		}
	}
}
