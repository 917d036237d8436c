package l2gw

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/topology"
)

// TestConnectionTranslation: a router_vtep connection makes the linked pair of ports keyed by
// the network (the router's one with the VNI and tunnel IP), and nothing for the device's
// remote MACs (their own translation seeds them); a network_vlan connection links the network
// to an access port with the VLAN; a hw_vtep connection makes nothing in the virtual topology.
func TestConnectionTranslation(t *testing.T) {
	w := translate.NewWorld()
	w.Put("routers", translate.Doc{"id": "r1"})
	w.Put("networks", translate.Doc{"id": "n1"})
	w.Put("networks", translate.Doc{"id": "n2"})
	w.Put("networks", translate.Doc{"id": "vlan-net"})
	w.Put(gatewayCollection, translate.Doc{"id": "rv", "type": "router_vtep", "resource_id": "r1", "tunnel_ips": []any{"172.24.4.100"}})
	w.Put("remote_mac_entries", translate.Doc{"id": "e1", "gateway_device_id": "rv", "mac_address": "fa:16:3e:00:00:01", "segmentation_id": 5000})
	w.Put(gatewayCollection, translate.Doc{"id": "nv", "type": "network_vlan", "resource_id": "vlan-net"})
	w.Put(gatewayCollection, translate.Doc{"id": "hw", "type": "hw_vtep"})
	w.Put(Connections.Collection, translate.Doc{"id": "c1", "network_id": "n1", "device_id": "rv", "vni": 5000})
	w.Put(Connections.Collection, translate.Doc{"id": "c2", "network_id": "n2", "device_id": "nv", "vni": 100})
	w.Put(Connections.Collection, translate.Doc{"id": "c3", "network_id": "n2", "device_id": "hw", "vni": 7})

	objs := connectionObjects(w, "c1")
	if len(objs) != 2 {
		t.Fatalf("router_vtep connection: %d objects", len(objs))
	}
	np, gp := objs[0].(*topology.Port), objs[1].(*topology.Port)
	if np.ID != topology.L2GWNetworkPortID("n1") || np.NetworkID != "n1" || np.PeerID != gp.ID ||
		gp.ID != topology.L2GWGatewayPortID("n1") || gp.RouterID != "r1" || gp.PeerID != np.ID || gp.VNI != 5000 || gp.TunnelIP != "172.24.4.100" || gp.PortMAC == "" {
		t.Errorf("ports %+v %+v", np, gp)
	}
	objs = connectionObjects(w, "c2")
	if len(objs) != 2 || objs[1].(*topology.Port).NetworkID != "vlan-net" || objs[1].(*topology.Port).VlanID != 100 {
		t.Errorf("network_vlan connection: %+v", objs)
	}
	if objs := connectionObjects(w, "c3"); len(objs) != 0 {
		t.Errorf("hw_vtep connection: %+v", objs)
	}
}
