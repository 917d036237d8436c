package gwdevice

import (
	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/topology"
)

// device is a gateway device as stored.
type device struct {
	ID                 string   `json:"id"`
	Type               string   `json:"type"`
	ManagementIP       string   `json:"management_ip"`
	ManagementPort     int      `json:"management_port"`
	ManagementProtocol string   `json:"management_protocol"`
	ResourceID         string   `json:"resource_id"`
	TunnelIPs          []string `json:"tunnel_ips"`
	RemoteMacEntries   []struct {
		ID             string `json:"id"`
		MACAddress     string `json:"mac_address"`
		VtepAddress    string `json:"vtep_address"`
		SegmentationID int64  `json:"segmentation_id"`
	} `json:"remote_mac_entries"`
}

// deviceObjects translates a gateway device into MidoNet's GatewayDevice: a router_vtep
// names its router (which becomes a VTEP on the tunnel IP, with the remote MAC → VTEP
// mappings), a network_vlan its network, a hw_vtep its management address. A router_vtep
// whose router is gone translates to nothing.
func deviceObjects(w *translate.World, id string) []topology.Object {
	doc := w.Get(Devices.Collection, id)
	if doc == nil {
		return nil
	}
	d, err := model.Decode[device](doc)
	if err != nil {
		return nil
	}
	g := &topology.GatewayDevice{Meta: topology.Meta{ID: d.ID}, Type: d.Type, TunnelIPs: d.TunnelIPs,
		ManagementIP: d.ManagementIP, ManagementPort: d.ManagementPort, ManagementProtocol: d.ManagementProtocol}
	switch d.Type {
	case RouterVtep:
		if w.Router(d.ResourceID) == nil {
			return nil
		}
		g.RouterID = d.ResourceID
		for _, e := range d.RemoteMacEntries {
			g.RemoteMacs = append(g.RemoteMacs, topology.RemoteMac{ID: e.ID, MAC: e.MACAddress, VtepAddress: e.VtepAddress, VNI: uint32(e.SegmentationID)})
		}
	case NetworkVlan:
		if w.Network(d.ResourceID) == nil {
			return nil
		}
		g.NetworkID = d.ResourceID
	}
	return []topology.Object{g}
}
