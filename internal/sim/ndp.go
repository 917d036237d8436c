package sim

import (
	"net/netip"
	"sort"

	"github.com/midonet-go/midonet/internal/topology"
)

// IPv6 on routers, as far as Neutron's NDP proxies need it (l3-ndp-proxy): a router port
// answers Neighbor Solicitations for its own IPv6 addresses, and its gateway port answers
// them for the addresses the router proxies NDP for (with the gateway's MAC, as Linux's
// proxy_ndp does on Neutron's routers); the router forwards IPv6 to a proxied address from
// its gateway out of the interface on the address's subnet (to the port's MAC, which MidoNet
// knows as it knows ARP seeds), and from a proxied address out of its gateway (to the
// destination on the gateway's link, else to the external subnet's gateway), and answers
// ICMPv6 echo requests to its own addresses. Solicitations with a source link-layer address
// and advertisements teach the router's neighbor table (its ARP table; RFC 4861 §7.2.3,
// §7.2.5); a next hop it does not know gets a solicitation and the packet is dropped
// ("no-arp"), as with IPv4. Bridges deliver a multicast solicitation for a router port's
// address, or a proxied one, to that router port rather than flooding it to the router-less
// exterior ports only. IPv6 is not routed otherwise (no IPv6 routes, no router chains, no
// ICMPv6 errors): a router drops other IPv6 with "no-route".

// ndpProxy is one proxied address compiled for its router.
type ndpProxy struct {
	obj      *topology.NdpProxy
	ip       netip.Addr
	mac      MAC
	gw, intf *port
	upstream netip.Addr
}

// compileNdpProxies attaches the proxies to their routers and to the bridges behind the
// routers' gateways.
func (t *Topology) compileNdpProxies(es []*topology.NdpProxy) {
	sort.Slice(es, func(i, j int) bool { return es[i].ID < es[j].ID })
	for _, e := range es {
		r := t.routers[e.RouterID]
		gw, intf := t.ports[e.GatewayPortID], t.ports[e.InterfacePortID]
		ip, err1 := netip.ParseAddr(e.IP)
		mac, err2 := ParseMAC(e.MAC)
		up, _ := netip.ParseAddr(e.Upstream)
		if r == nil || gw == nil || intf == nil || gw.router != r || intf.router != r || err1 != nil || err2 != nil || !ip.Is6() {
			t.warn("ndp proxy %s: router %q, ports %q %q, address %q or MAC %q unusable", e.ID, e.RouterID, e.GatewayPortID, e.InterfacePortID, e.IP, e.MAC)
			continue
		}
		if r.ndp == nil {
			r.ndp = map[netip.Addr]*ndpProxy{}
		}
		r.ndp[ip] = &ndpProxy{obj: e, ip: ip, mac: mac, gw: gw, intf: intf, upstream: up}
		if b := gwBridge(gw); b != nil {
			if b.ndpTargets == nil {
				b.ndpTargets = map[netip.Addr]*port{}
			}
			b.ndpTargets[ip] = gw
		}
	}
}

// gwBridge is the bridge a router port is linked to (nil: none).
func gwBridge(p *port) *bridge {
	if p.peer != nil {
		return p.peer.bridge
	}
	return nil
}

// v6On is the port's IPv6 address on the link of a (else its first IPv6 address).
func (p *port) v6On(a netip.Addr) netip.Addr {
	var first netip.Addr
	for _, s := range p.subnets {
		if !s.Addr().Is6() {
			continue
		}
		if s.Contains(a) {
			return s.Addr()
		}
		if !first.IsValid() {
			first = s.Addr()
		}
	}
	return first
}

// bridgeNS delivers a multicast Neighbor Solicitation for a linked router port's address, or
// for an address a router proxies behind its gateway here, to that router port.
func (c *ctx) bridgeNS(fr *frame, in *port) bool {
	b := in.bridge
	target := fr.pkt.ND.Target
	rp := b.routerIPs[target]
	if rp == nil {
		rp = b.ndpTargets[target]
	}
	if rp == nil || rp.peer == nil || rp.peer == in {
		return false
	}
	if c.trace {
		c.note(&b.device, in, "neighbor solicitation for %s to router port %s", target, rp.id)
	}
	c.egressPort(fr, rp.peer)
	return true
}

// routerIPv6 handles an IPv6 packet that entered router port in.
func (c *ctx) routerIPv6(fr *frame, in *port) {
	r := in.router
	pkt := &fr.pkt
	c.uncacheable = true // neighbor state decides; IPv6 flows are not cached
	if pkt.isND() {
		if pkt.ICMP.Type == NDNeighborSolicit {
			c.routerNS(fr, in)
		} else {
			c.routerNA(fr, in)
		}
		return
	}
	if pkt.EthDst != in.mac {
		c.dropf(fr, DropMAC, r.id, in.id, "destination MAC %s is not port %s's MAC %s", pkt.EthDst, in.id, in.mac)
		return
	}
	dst, src := pkt.IP.Dst, pkt.IP.Src
	for _, p := range r.ports {
		if !p.hasAddr(dst) {
			continue
		}
		if pkt.IP.Proto == ProtoICMPv6 && pkt.ICMP.Type == ICMPv6EchoRequest && pkt.fragment() == fragNone {
			reply := Packet{EthSrc: in.mac, EthDst: pkt.EthSrc, EtherType: EtherIPv6,
				IP:   IPv4{Src: dst, Dst: src, Proto: ProtoICMPv6, TTL: 64},
				ICMP: ICMP{Type: ICMPv6EchoReply, ID: pkt.ICMP.ID, Seq: pkt.ICMP.Seq}}
			c.consumed = true
			c.generate(reply, in)
			return
		}
		c.dropf(fr, DropLocal, r.id, in.id, "%s is the router's own address and the packet is not an echo request", dst)
		return
	}
	if p := r.ndp[dst]; p != nil && in == p.gw {
		if c.trace {
			c.note(&r.device, in, "NDP proxy %s: %s is behind port %s (%s)", p.obj.ID, dst, p.intf.id, p.mac)
		}
		c.forward6(fr, in, p.intf, p.mac)
		return
	}
	if p := r.ndp[src]; p != nil && in == p.intf {
		nh := dst
		if _, onLink := p.gw.onLink(dst); !onLink {
			nh = p.upstream
		}
		if !nh.IsValid() {
			c.dropf(fr, DropNoRoute, r.id, in.id, "router %s has no IPv6 next hop to %s (the external subnet has no gateway)", r.id, dst)
			return
		}
		if c.trace {
			c.note(&r.device, in, "NDP proxy %s: from %s out of the gateway port %s, next hop %s", p.obj.ID, src, p.gw.id, nh)
		}
		mac, ok := c.nextHopMAC(r, p.gw, nh)
		if !ok {
			if _, onLink := p.gw.onLink(nh); onLink {
				ns := NewNS(p.gw.mac, p.gw.v6On(nh), nh)
				c.generate(ns, p.gw)
			}
			c.dropf(fr, DropNoARP, r.id, p.gw.id, "no MAC known for next hop %s on port %s", nh, p.gw.id)
			return
		}
		c.forward6(fr, in, p.gw, mac)
		return
	}
	c.dropf(fr, DropNoRoute, r.id, in.id, "router %s routes IPv6 only to and from the addresses it proxies NDP for (%s > %s)", r.id, src, dst)
}

// forward6 sends an IPv6 packet on out to mac, one hop less.
func (c *ctx) forward6(fr *frame, in, out *port, mac MAC) {
	r := in.router
	pkt := &fr.pkt
	if pkt.IP.TTL <= 1 {
		c.dropf(fr, DropTTL, r.id, in.id, "hop limit expired at router %s", r.id)
		return
	}
	pkt.IP.TTL--
	fr.outPort = out
	pkt.EthSrc, pkt.EthDst = out.mac, mac
	if c.trace {
		c.note(&r.device, out, "IPv6 to %s via port %s, next hop is-at %s", pkt.IP.Dst, out.id, mac)
	}
	c.egressPort(fr, out)
}

// learnNeighbor records ip is-at mac in the router's neighbor (ARP) table, for an address
// on the port's link.
func (c *ctx) learnNeighbor(r *router, in *port, ip netip.Addr, mac MAC) {
	if !ip.IsValid() || ip.IsUnspecified() || ip.IsMulticast() || mac.IsZero() || mac.IsMulticast() {
		return
	}
	if _, onLink := in.onLink(ip); !onLink {
		return
	}
	k := arpKey{dev: r.key, ip: ip.As16()}
	if c.st.arpLearn(&k, mac) {
		c.wrote = true
		c.recordARP(&k, mac)
		c.note(&r.device, in, "neighbor table: %s is-at %s", ip, mac)
	}
}

// routerNS answers a solicitation for the port's own address, or, on the gateway port, for
// an address the router proxies; the sender is learned first.
func (c *ctx) routerNS(fr *frame, in *port) {
	r := in.router
	pkt := &fr.pkt
	nd := pkt.ND
	c.learnNeighbor(r, in, pkt.IP.Src, nd.LinkAddr)
	target := nd.Target
	proxy := r.ndp[target]
	switch {
	case in.hasAddr(target):
		proxy = nil
	case proxy != nil && proxy.gw == in:
		if c.trace {
			c.note(&r.device, in, "NDP proxy %s: %s is-at %s (gateway port %s)", proxy.obj.ID, target, in.mac, in.id)
		}
	default:
		c.dropf(fr, DropARP, r.id, in.id, "neighbor solicitation for %s: not an address of port %s nor one the router proxies there", target, in.id)
		return
	}
	dst, ethDst := pkt.IP.Src, pkt.EthSrc
	solicited := true
	if !dst.IsValid() || dst.IsUnspecified() {
		// Duplicate address detection: the answer goes to all nodes.
		dst, ethDst, solicited = netip.MustParseAddr("ff02::1"), MAC{0x33, 0x33, 0, 0, 0, 1}, false
	}
	src := target
	if proxy != nil {
		src = in.v6On(target)
	}
	reply := Packet{EthSrc: in.mac, EthDst: ethDst, EtherType: EtherIPv6,
		IP:   IPv4{Src: src, Dst: dst, Proto: ProtoICMPv6, TTL: 255},
		ICMP: ICMP{Type: NDNeighborAdvert},
		ND:   &ND{Target: target, LinkAddr: in.mac, Router: true, Solicited: solicited, Override: proxy == nil}}
	c.consumed = true
	c.generate(reply, in)
}

// routerNA learns the advertised address.
func (c *ctx) routerNA(fr *frame, in *port) {
	r := in.router
	pkt := &fr.pkt
	mac := pkt.ND.LinkAddr
	if mac.IsZero() {
		mac = pkt.EthSrc
	}
	if !pkt.EthDst.IsMulticast() && pkt.EthDst != in.mac {
		c.dropf(fr, DropMAC, r.id, in.id, "neighbor advertisement to %s, not port %s's MAC %s", pkt.EthDst, in.id, in.mac)
		return
	}
	c.learnNeighbor(r, in, pkt.ND.Target, mac)
	c.consumed = true
}
