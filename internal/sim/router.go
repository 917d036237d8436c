package sim

import (
	"net/netip"

	"github.com/midonet-go/midonet/internal/topology"
)

// routerSim is a router's processing (facts §4.5): ARP, pre-routing, route lookup, LOCAL
// (ICMP echo), TTL, forward and post-routing chains, next-hop MAC, Ethernet rewrite.
func (c *ctx) routerSim(fr *frame, in *port) {
	r := in.router
	if !c.enter(fr, &r.device) {
		return
	}
	pkt := &fr.pkt
	if pkt.VLAN != 0 {
		c.dropf(fr, DropProtocol, r.id, in.id, "router %s drops VLAN-tagged frames", r.id)
		return
	}
	if !r.adminUp {
		c.icmpError(fr, in, ICMPUnreachable, ICMPCodeProhibit)
		c.dropf(fr, DropAdminDown, r.id, in.id, "router %s is administratively down", r.id)
		return
	}
	if in.vni != 0 && r.vtep != nil {
		c.vtepEncap(fr, in)
		return
	}
	switch pkt.EtherType {
	case EtherARP:
		c.routerARP(fr, in)
		return
	case EtherIPv4:
	case EtherIPv6:
		c.routerIPv6(fr, in)
		return
	default:
		c.dropf(fr, DropProtocol, r.id, in.id, "router %s handles IPv4, IPv6 and ARP only (ethertype %#04x)", r.id, pkt.EtherType)
		return
	}
	if pkt.EthDst != in.mac {
		c.dropf(fr, DropMAC, r.id, in.id, "destination MAC %s is not port %s's MAC %s", pkt.EthDst, in.id, in.mac)
		return
	}
	if r.vtep.isVXLANTo(pkt) {
		c.vtepDecap(fr, in)
		return
	}
	if v := r.vpnFor(pkt); v != nil {
		c.vpnHandOff(fr, in, v)
		return
	}
	c.routeIPv4(fr, in)
}

// routeIPv4 routes an IPv4 packet that entered router port in: pre-routing, route lookup,
// TTL, forward and post-routing chains, next-hop MAC, Ethernet rewrite.
func (c *ctx) routeIPv4(fr *frame, in *port) {
	r := in.router
	pkt := &fr.pkt
	if !fr.encap {
		c.helperRelated(r, fr, in)
	}
	if r.pre != nil && !fr.encap {
		if a := c.runFilter(fr, r.pre, &r.device, nil, false); a != actAccept {
			c.filterDrop(fr, &r.device, nil, a)
			return
		}
	}
	rt := c.lookup(r, pkt.IP.Src, pkt.IP.Dst)
	if rt == nil {
		c.icmpError(fr, in, ICMPUnreachable, ICMPCodeNet)
		c.dropf(fr, DropNoRoute, r.id, in.id, "router %s has no route to %s from %s", r.id, pkt.IP.Dst, pkt.IP.Src)
		return
	}
	if c.trace {
		gw := ""
		if rt.gw.IsValid() {
			gw = " gw " + rt.gw.String()
		}
		kind := "route"
		if rt.obj.Learned {
			kind = "learned route (BGP)"
		}
		c.note(&r.device, in, "%s %s: %s from %s → %s via port %s%s, weight %d", kind, rt.obj.ID, rt.dst, rt.src, rt.nextHop, portID(rt.port), gw, rt.weight)
	}
	switch rt.nextHop {
	case topology.NextHopLocal:
		if pkt.IP.Proto == ProtoICMP && pkt.ICMP.Type == ICMPEchoRequest && pkt.fragment() == fragNone {
			reply := Packet{EthSrc: in.mac, EthDst: pkt.EthSrc, EtherType: EtherIPv4,
				IP:   IPv4{Src: pkt.IP.Dst, Dst: pkt.IP.Src, Proto: ProtoICMP, TTL: 64},
				ICMP: ICMP{Type: ICMPEchoReply, ID: pkt.ICMP.ID, Seq: pkt.ICMP.Seq}}
			c.consumed = true
			c.generate(reply, in)
			return
		}
		c.dropf(fr, DropLocal, r.id, in.id, "%s is the router's own address and the packet is not an echo request", pkt.IP.Dst)
		return
	case topology.NextHopBlackhole:
		c.dropf(fr, DropBlackhole, r.id, in.id, "blackhole route %s", rt.obj.ID)
		return
	case topology.NextHopReject:
		c.icmpError(fr, in, ICMPUnreachable, ICMPCodeProhibit)
		c.dropf(fr, DropReject, r.id, in.id, "reject route %s", rt.obj.ID)
		return
	case topology.NextHopFIP64:
		c.dropf(fr, DropNoEgress, r.id, in.id, "FIP64 route %s: NAT64 is handled outside the simulation", rt.obj.ID)
		return
	}
	out := rt.port
	if pkt.IP.TTL <= 1 {
		c.icmpError(fr, in, ICMPTimeExceeded, ICMPCodeTTLInTran)
		c.dropf(fr, DropTTL, r.id, in.id, "TTL expired at router %s", r.id)
		return
	}
	pkt.IP.TTL--
	if !out.addr.IsValid() || out.hasAddr(pkt.IP.Dst) {
		c.dropf(fr, DropNoEgress, r.id, out.id, "egress port %s has no IPv4 address or owns the destination", out.id)
		return
	}
	fr.outPort = out
	if r.fwd != nil && !fr.encap {
		if a := c.runFilter(fr, r.fwd, &r.device, nil, false); a != actAccept {
			c.filterDrop(fr, &r.device, nil, a)
			return
		}
	}
	c.meter(r, in, out, pkt)
	var pre Packet
	if len(r.helpers) > 0 {
		pre = *pkt
	}
	if r.post != nil && !fr.encap {
		if a := c.runFilter(fr, r.post, &r.device, nil, false); a != actAccept {
			c.filterDrop(fr, &r.device, nil, a)
			return
		}
	}
	if !fr.encap {
		c.helperExpect(r, fr, &pre)
	}
	nh := pkt.IP.Dst
	if rt.gw.IsValid() && !rt.gw.IsUnspecified() {
		nh = rt.gw
	}
	mac, ok := c.nextHopMAC(r, out, nh)
	if !ok {
		if _, onLink := out.onLink(nh); onLink {
			c.generate(arpRequest(out, nh), out)
		}
		c.dropf(fr, DropNoARP, r.id, out.id, "no MAC known for next hop %s on port %s", nh, out.id)
		return
	}
	pkt.EthSrc, pkt.EthDst = out.mac, mac
	if c.trace {
		c.note(&r.device, out, "next hop %s is-at %s", nh, mac)
	}
	c.egressPort(fr, out)
}

// lookup: longest destination prefix; among those, routes whose source subnet holds the
// source, lowest weight; equal candidates are chosen by the flow hash (ECMP). A prefix
// length where no source matches falls through to shorter ones.
func (c *ctx) lookup(r *router, src, dst netip.Addr) *route {
	rs := r.routes
	for i := 0; i < len(rs); {
		bits := rs[i].dst.Bits()
		var best *route
		n := 0
		j := i
		for ; j < len(rs) && rs[j].dst.Bits() == bits; j++ {
			rt := rs[j]
			if !rt.dst.Contains(dst) || !rt.src.Contains(src) {
				continue
			}
			switch {
			case best == nil:
				best, n = rt, 1
			case rt.weight == best.weight:
				n++
			}
		}
		if best != nil {
			if n > 1 {
				pick := int(c.flowHash % uint64(n))
				for k := i; k < j; k++ {
					rt := rs[k]
					if rt.weight == best.weight && rt.dst.Contains(dst) && rt.src.Contains(src) {
						if pick == 0 {
							return rt
						}
						pick--
					}
				}
			}
			return best
		}
		i = j
	}
	return nil
}

// nextHopMAC: a linked router port's MAC; or what the peer bridge knows (linked router
// ports' addresses, the seeded and learned IP→MAC tables); else the router's ARP table
// (exterior ports only for on-link addresses).
func (c *ctx) nextHopMAC(r *router, out *port, nh netip.Addr) (MAC, bool) {
	if peer := out.peer; peer != nil {
		if peer.router != nil {
			return peer.mac, !peer.mac.IsZero()
		}
		if b := peer.bridge; b != nil {
			if rp := b.routerIPs[nh]; rp != nil && rp != out {
				return rp.mac, true
			}
			if m, ok := b.arps[nh]; ok {
				return m, true
			}
			if m, ok := c.st.arpLookup(&arpKey{dev: b.key, ip: nh.As16()}); ok {
				return m, true
			}
		}
	} else if _, onLink := out.onLink(nh); !onLink {
		return MAC{}, false
	}
	return c.st.arpLookup(&arpKey{dev: r.key, ip: nh.As16()})
}

// routerARP: requests from the port's subnet for the port's address are answered (the
// sender learned first); gratuitous requests and replies addressed to the port update the
// router's ARP table.
func (c *ctx) routerARP(fr *frame, in *port) {
	r := in.router
	a := fr.pkt.ARP
	_, onLink := in.onLink(a.SenderIP)
	gratuitous := a.SenderIP == a.TargetIP
	learn := func() {
		k := arpKey{dev: r.key, ip: a.SenderIP.As16()}
		if c.st.arpLearn(&k, a.SenderMAC) {
			c.wrote = true
			c.recordARP(&k, a.SenderMAC)
			c.note(&r.device, in, "ARP table: %s is-at %s", a.SenderIP, a.SenderMAC)
		}
	}
	switch {
	case !onLink:
		c.dropf(fr, DropARP, r.id, in.id, "ARP sender %s is not on port %s's subnets", a.SenderIP, in.id)
	case a.Op == ARPRequest && gratuitous:
		learn()
		c.consumed = true
	case a.Op == ARPRequest && in.hasAddr(a.TargetIP):
		learn()
		reply := Packet{EthSrc: in.mac, EthDst: a.SenderMAC, EtherType: EtherARP,
			ARP: ARP{Op: ARPReply, SenderMAC: in.mac, SenderIP: a.TargetIP, TargetMAC: a.SenderMAC, TargetIP: a.SenderIP}}
		c.consumed = true
		c.generate(reply, in)
	case a.Op == ARPReply && (gratuitous || in.hasAddr(a.TargetIP) && a.TargetMAC == in.mac):
		learn()
		c.consumed = true
	default:
		c.dropf(fr, DropARP, r.id, in.id, "ARP %d for %s not addressed to port %s", a.Op, a.TargetIP, in.id)
	}
}

// icmpError answers a packet with an ICMP error from the router's in-port, unless the
// packet must not get one (non-IPv4, ICMP errors, multicast/broadcast, later fragments).
func (c *ctx) icmpError(fr *frame, in *port, typ, code uint8) {
	pkt := &fr.pkt
	if fr.generated || !pkt.isIPv4() || !in.addr.IsValid() || pkt.fragment() == fragLater || pkt.EthDst.IsMulticast() {
		return
	}
	if pkt.IP.Proto == ProtoICMP && pkt.ICMP.Type != ICMPEchoRequest && pkt.ICMP.Type != ICMPEchoReply {
		return
	}
	d, s := pkt.IP.Dst, pkt.IP.Src
	if d.IsMulticast() || isBroadcast(d) || isBroadcast(s) || s.IsUnspecified() {
		return
	}
	for _, sn := range in.subnets {
		if d == lastAddr(sn) && sn.Bits() < 31 {
			return
		}
	}
	inner := *pkt
	inner.Inner, inner.DHCP = nil, nil
	e := Packet{EthSrc: in.mac, EthDst: pkt.EthSrc, EtherType: EtherIPv4,
		IP:   IPv4{Src: in.addr, Dst: s, Proto: ProtoICMP, TTL: 64},
		ICMP: ICMP{Type: typ, Code: code}, Inner: &inner}
	c.generate(e, in)
}

func isBroadcast(a netip.Addr) bool { return a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) }

// lastAddr is the broadcast address of an IPv4 subnet.
func lastAddr(p netip.Prefix) netip.Addr {
	if !p.Addr().Is4() {
		return netip.Addr{}
	}
	x := v4(p.Masked().Addr()) | (1<<(32-p.Bits()) - 1)
	return addr4(x)
}

// ProtoESP is IPsec's encapsulating security payload.
const ProtoESP uint8 = 50

// vpnFor is the VPN hand-off a packet takes: IKE (UDP 500), NAT-T (UDP 4500) or ESP to a
// VPN service's external address, from anywhere but the container itself.
func (r *router) vpnFor(pkt *Packet) *vpnRedirect {
	if len(r.vpn) == 0 {
		return nil
	}
	ike := pkt.IP.Proto == ProtoUDP && (pkt.DstPort == 500 || pkt.DstPort == 4500)
	if !ike && pkt.IP.Proto != ProtoESP {
		return nil
	}
	for i := range r.vpn {
		if r.vpn[i].addr == pkt.IP.Dst {
			return &r.vpn[i]
		}
	}
	return nil
}

// vpnHandOff forwards a packet for a VPN service's external address to its IPsec container,
// unchanged but for the hop (MidoNet's REDIRECT rules of the router's local-redirect chain).
func (c *ctx) vpnHandOff(fr *frame, in *port, v *vpnRedirect) {
	r, out, pkt := in.router, v.port, &fr.pkt
	if in == out {
		c.dropf(fr, DropLocal, r.id, in.id, "IPsec traffic for %s from its own container", pkt.IP.Dst)
		return
	}
	if c.trace {
		c.note(&r.device, in, "VPN: %s for %s handed to the IPsec container %s on port %s", protoName(pkt), pkt.IP.Dst, v.gw, out.id)
	}
	if pkt.IP.TTL <= 1 {
		c.icmpError(fr, in, ICMPTimeExceeded, ICMPCodeTTLInTran)
		c.dropf(fr, DropTTL, r.id, in.id, "TTL expired at router %s", r.id)
		return
	}
	pkt.IP.TTL--
	fr.outPort = out
	mac, ok := c.nextHopMAC(r, out, v.gw)
	if !ok {
		c.generate(arpRequest(out, v.gw), out)
		c.dropf(fr, DropNoARP, r.id, out.id, "no MAC known for the IPsec container %s on port %s", v.gw, out.id)
		return
	}
	pkt.EthSrc, pkt.EthDst = out.mac, mac
	c.egressPort(fr, out)
}

func protoName(pkt *Packet) string {
	switch {
	case pkt.IP.Proto == ProtoESP:
		return "ESP"
	case pkt.DstPort == 4500:
		return "NAT-T"
	}
	return "IKE"
}
