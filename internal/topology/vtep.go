package topology

// GatewayDevice is a gateway device as MidoNet keeps it (networking-midonet's gateway-device
// API): a hardware VTEP reached over OVSDB, a router made a VTEP (router_vtep: the router
// terminates VXLAN on its tunnel IP and sends frames for its remote MACs, each a
// RemoteMacEntry, to their VTEPs), or a VLAN-aware network (network_vlan).
type GatewayDevice struct {
	Meta
	Type               string   `json:"type"`
	RouterID           string   `json:"router_id,omitempty"`
	NetworkID          string   `json:"network_id,omitempty"`
	ManagementIP       string   `json:"management_ip,omitempty"`
	ManagementPort     int      `json:"management_port,omitempty"`
	ManagementProtocol string   `json:"management_protocol,omitempty"`
	TunnelIPs          []string `json:"tunnel_ips,omitempty"`
}

// Kind is GatewayDevice.
func (o *GatewayDevice) Kind() Kind { return KindGatewayDevice }

// RemoteMacEntry maps a MAC behind a remote VTEP for a router_vtep gateway device: frames
// for MAC on segment VNI are sent to VtepAddress. Each entry is its own object (as MidoNet's
// RemoteMacEntry), so adding one to a device holding thousands writes one object.
type RemoteMacEntry struct {
	Meta
	DeviceID    string `json:"device_id"`
	MAC         string `json:"mac_address"`
	VtepAddress string `json:"vtep_address"`
	VNI         uint32 `json:"vni"`
}

// Kind is RemoteMacEntry.
func (o *RemoteMacEntry) Kind() Kind { return KindRemoteMac }

// L2GWNetworkPortID is the bridge port an L2 gateway connection adds to its network.
func L2GWNetworkPortID(network string) string {
	return Xor(network, 0x0af59914959d45f8, 0xb1b028de11f2ee4e)
}

// L2GWGatewayPortID is the port an L2 gateway connection adds on the gateway side (the VTEP
// router's port, or the VLAN-aware network's port), peer of L2GWNetworkPortID.
func L2GWGatewayPortID(network string) string {
	return Xor(network, 0x5ad1c08827cb459e, 0x80042ee7006a8210)
}

// L2GWRemoteMacEntryID is the bridge MAC seed, on a connected network, of the remote MAC
// entry entry.
func L2GWRemoteMacEntryID(network, entry string) string {
	return XorStr(L2GWNetworkPortID(network), entry)
}
