package l2gw

import (
	"crypto/sha256"
	"fmt"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/topology"
)

// connection and gatewayDevice are the stored documents the translation reads.
type connection struct {
	ID        string `json:"id"`
	NetworkID string `json:"network_id"`
	DeviceID  string `json:"device_id"`
	VNI       int64  `json:"vni"`
}

type gatewayDevice struct {
	Type       string   `json:"type"`
	ResourceID string   `json:"resource_id"`
	TunnelIPs  []string `json:"tunnel_ips"`
}

// portMAC is the locally administered MAC of a port the translation makes.
func portMAC(id string) string {
	h := sha256.Sum256([]byte(id))
	return fmt.Sprintf("02:%02x:%02x:%02x:%02x:%02x", h[0], h[1], h[2], h[3], h[4])
}

// namingDeviceOn follows a router's or network's change to the connections of the gateway
// devices standing on it.
func namingDeviceOn(w *translate.World, id string, _ translate.Doc, add func(...string)) {
	for _, dev := range w.MentioningIDs(gatewayCollection, id) {
		add(w.MentioningIDs(Connections.Collection, dev)...)
	}
}

// connectionObjects translates a connection as MidoNet's L2 gateway translator did (backend
// facts 2.12), its ports keyed by the network:
//   - router_vtep: a bridge port on the network linked to a port of the VTEP router that
//     carries the connection's VNI and the device's tunnel IP (the border gateway); the
//     device's remote MACs of that VNI are seeded on the network towards that port by the
//     entries' own translation (the gateway-device service's), so frames for them cross to
//     the router, which sends them to their VTEP in VXLAN;
//   - network_vlan: a bridge port on the network linked to a port of the VLAN-aware network
//     tagged with the segmentation id;
//   - hw_vtep: nothing in the virtual topology; the hardware VTEP is configured over OVSDB.
func connectionObjects(w *translate.World, id string) []topology.Object {
	c, err := model.Decode[connection](w.Get(Connections.Collection, id))
	if err != nil || c.ID == "" || w.Network(c.NetworkID) == nil {
		return nil
	}
	dd := w.Get(gatewayCollection, c.DeviceID)
	if dd == nil {
		return nil
	}
	dev, err := model.Decode[gatewayDevice](dd)
	if err != nil {
		return nil
	}
	np, gp := topology.L2GWNetworkPortID(c.NetworkID), topology.L2GWGatewayPortID(c.NetworkID)
	switch dev.Type {
	case "router_vtep":
		if w.Router(dev.ResourceID) == nil || len(dev.TunnelIPs) == 0 {
			return nil
		}
		return []topology.Object{
			&topology.Port{Meta: topology.Meta{ID: np}, NetworkID: c.NetworkID, PeerID: gp, AdminStateUp: true, MAC: portMAC(np)},
			&topology.Port{Meta: topology.Meta{ID: gp}, RouterID: dev.ResourceID, PeerID: np, AdminStateUp: true,
				PortMAC: portMAC(gp), VNI: uint32(c.VNI), TunnelIP: dev.TunnelIPs[0]},
		}
	case "network_vlan":
		if w.Network(dev.ResourceID) == nil {
			return nil
		}
		return []topology.Object{
			&topology.Port{Meta: topology.Meta{ID: np}, NetworkID: c.NetworkID, PeerID: gp, AdminStateUp: true, MAC: portMAC(np)},
			&topology.Port{Meta: topology.Meta{ID: gp}, NetworkID: dev.ResourceID, PeerID: np, AdminStateUp: true, MAC: portMAC(gp),
				VlanID: int(c.VNI)},
		}
	}
	return nil
}
