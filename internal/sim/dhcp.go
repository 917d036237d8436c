package sim

import (
	"net/netip"
	"strings"
)

// dhcp answers a DHCP DISCOVER (OFFER) or REQUEST (ACK) entering an exterior bridge port
// when an enabled subnet of the network has a host entry for the client MAC (facts §4.9).
// It reports false when the topology does not answer (the packet is then simulated).
func (c *ctx) dhcp(fr *frame, in *port) bool {
	req := fr.pkt.DHCP
	var reply uint8
	switch req.MsgType {
	case DHCPDiscover:
		reply = DHCPOffer
	case DHCPRequest:
		reply = DHCPAck
	default:
		return false
	}
	client := req.ClientMAC
	if client.IsZero() {
		client = fr.pkt.EthSrc
	}
	for _, ds := range in.bridge.dhcps {
		h := ds.hosts[client]
		if h == nil || !ds.obj.Enabled {
			continue
		}
		ip, err := netip.ParseAddr(h.IP)
		if err != nil || !ip.Is4() {
			continue
		}
		d := ds.obj
		out := &DHCP{MsgType: reply, XID: req.XID, ClientMAC: client, YourIP: ip,
			ServerID: netip.IPv4Unspecified(), Mask: maskOf(ds.subnet), Broadcast: lastAddr(ds.subnet),
			LeaseSeconds: DHCPLease, MTU: d.InterfaceMTU, Hostname: h.Name}
		if a, err := netip.ParseAddr(d.ServerAddress); err == nil {
			out.ServerID = a
		}
		if a, err := netip.ParseAddr(d.DefaultGateway); err == nil {
			out.Router = a
		}
		for _, s := range d.DNSServers {
			if a, err := netip.ParseAddr(strings.TrimSpace(s)); err == nil {
				out.DNS = append(out.DNS, a)
			}
		}
		for _, rt := range d.Opt121Routes {
			p, err1 := netip.ParsePrefix(rt.Dst)
			gw, err2 := netip.ParseAddr(rt.Gateway)
			if err1 == nil && err2 == nil {
				out.Routes = append(out.Routes, DHCPRoute{Dst: p.Masked(), Gateway: gw})
			}
		}
		for _, o := range h.ExtraDhcpOpts {
			out.Options = append(out.Options, DHCPOption{Name: o.Name, Value: o.Value})
		}
		pkt := NewUDP(DHCPServerMAC, client, out.ServerID, ip, 67, 68)
		pkt.DHCP = out
		if c.trace {
			c.note(&in.bridge.device, in, "DHCP %d for %s from subnet %s: %s", reply, client, d.ID, ip)
		}
		c.consumed = true
		c.res.Generated = append(c.res.Generated, Emit{PortID: in.id, Packet: pkt, From: in.id})
		return true
	}
	return false
}

func maskOf(p netip.Prefix) netip.Addr {
	if !p.Addr().Is4() {
		return netip.Addr{}
	}
	return addr4(^uint32(0) << (32 - p.Bits()))
}
