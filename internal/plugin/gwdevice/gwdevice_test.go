package gwdevice

import (
	"fmt"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/topology"
)

// TestDeviceTranslation: a router_vtep becomes a GatewayDevice naming its router, tunnel IP
// and remote MACs with their VNI; a network_vlan names its network; a device whose resource
// is gone translates to nothing.
func TestDeviceTranslation(t *testing.T) {
	w := translate.NewWorld()
	w.Put("routers", translate.Doc{"id": "r1", "admin_state_up": true})
	w.Put("networks", translate.Doc{"id": "n1", "admin_state_up": true})
	w.Put(Devices.Collection, translate.Doc{"id": "d1", "type": RouterVtep, "resource_id": "r1", "tunnel_ips": []any{"198.51.100.1"},
		"remote_mac_entries": []any{map[string]any{"id": "e1", "mac_address": "fa:16:3e:00:00:01", "vtep_address": "203.0.113.7", "segmentation_id": 5000}}})
	w.Put(Devices.Collection, translate.Doc{"id": "d2", "type": NetworkVlan, "resource_id": "n1", "tunnel_ips": []any{}, "remote_mac_entries": []any{}})
	w.Put(Devices.Collection, translate.Doc{"id": "d3", "type": RouterVtep, "resource_id": "gone", "tunnel_ips": []any{"198.51.100.3"}})
	w.Put(Devices.Collection, translate.Doc{"id": "d4", "type": HwVtep, "management_ip": "192.0.2.1", "management_port": 6640,
		"management_protocol": "ovsdb", "resource_id": "", "tunnel_ips": []any{}})

	objs := deviceObjects(w, "d1")
	if len(objs) != 1 {
		t.Fatalf("router_vtep: %v", objs)
	}
	g := objs[0].(*topology.GatewayDevice)
	if g.RouterID != "r1" || fmt.Sprint(g.TunnelIPs) != "[198.51.100.1]" || len(g.RemoteMacs) != 1 ||
		g.RemoteMacs[0] != (topology.RemoteMac{ID: "e1", MAC: "fa:16:3e:00:00:01", VtepAddress: "203.0.113.7", VNI: 5000}) {
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
