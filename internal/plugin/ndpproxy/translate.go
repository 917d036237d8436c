package ndpproxy

import (
	"net/netip"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/topology"
)

// owned translates a proxy into the NdpProxy of its router and a MAC seed of its port: the gateway's router-side port
// (which answers Neighbor Solicitations for the address), the router-side port of the
// interface on the address's subnet (out of which the router forwards to it), the port's
// MAC, and the external IPv6 subnet's gateway (the next hop of the address's traffic off the
// gateway's link). Nothing while the router has no gateway with an IPv6 address, or no
// interface on the address's subnet, or the router does not proxy NDP.
func owned(w *translate.World, id string) []topology.Object {
	d := w.Get(NDPProxies.Collection, id)
	if d == nil {
		return nil
	}
	ip, err := netip.ParseAddr(str(d, "ip_address"))
	r := w.Router(str(d, "router_id"))
	p := w.Port(str(d, "port_id"))
	if err != nil || !ip.Is6() || r == nil || r.GatewayPortID == "" || p == nil {
		return nil
	}
	if on, _ := w.Get("routers", r.ID)["enable_ndp_proxy"].(bool); !on {
		return nil
	}
	g := w.Port(r.GatewayPortID)
	if g == nil {
		return nil
	}
	upstream := ""
	for _, f := range g.FixedIPs {
		if !f.Addr().Is6() {
			continue
		}
		if s := w.Subnet(f.SubnetID); s != nil && upstream == "" {
			upstream = s.GatewayIP
		}
	}
	if upstream == "" && !hasV6(g) {
		return nil
	}
	subnet := ""
	for _, f := range p.FixedIPs {
		if f.Addr() == ip {
			subnet = f.SubnetID
		}
	}
	intf := ""
	for _, rp := range w.PortsOf(r.ID) {
		if rp.DeviceOwner != model.OwnerRouterInterface {
			continue
		}
		for _, f := range rp.FixedIPs {
			if f.SubnetID == subnet && subnet != "" && intf == "" {
				intf = topology.RouterInterfacePortPeerID(rp.ID)
			}
		}
	}
	if intf == "" {
		return nil
	}
	// The port's MAC seeded on its network, so that the bridge delivers what the router
	// forwards to the port alone (the L2 translation seeds only ports with an IPv4 address).
	return []topology.Object{&topology.NdpProxy{Meta: topology.Meta{ID: id}, RouterID: r.ID,
		GatewayPortID: topology.TenantGwPortID(g.ID), InterfacePortID: intf, PortID: p.ID,
		IP: ip.String(), MAC: p.MACAddress, Upstream: upstream},
		&topology.MacEntry{Meta: topology.Meta{ID: topology.DerivedID("ndpmac", id)}, NetworkID: p.NetworkID, MAC: p.MACAddress, PortID: p.ID}}
}

func hasV6(p *model.Port) bool {
	for _, f := range p.FixedIPs {
		if f.Addr().Is6() {
			return true
		}
	}
	return false
}

func str(d map[string]any, k string) string {
	s, _ := d[k].(string)
	return s
}
