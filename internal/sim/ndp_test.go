package sim

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/topology"
)

const (
	extSub6 = "0e000000-0000-4000-8000-0000000006ee"
	subA6   = "0a000000-0000-4000-8000-0000000006aa"
)

// ndpWorld is the base world with IPv6: the external network's 2001:db8:e::/64 (the
// upstream router is 2001:db8:e::1), network A's 2001:db8:a::/64 behind the router, vmA
// on 2001:db8:a::5 and vmA2 on 2001:db8:a::6, and "web" admitting ICMPv6 in and any IPv6
// out (Neutron's default group has the egress rule for both ethertypes); the router
// proxies NDP for vmA's address.
func ndpWorld() (*translate.World, []topology.Object) {
	w := baseWorld()
	w.Put("subnets", translate.Doc{"id": extSub6, "network_id": extNet, "cidr": "2001:db8:e::/64", "ip_version": 6, "gateway_ip": "2001:db8:e::1"})
	w.Put("subnets", translate.Doc{"id": subA6, "network_id": netA, "cidr": "2001:db8:a::/64", "ip_version": 6, "gateway_ip": "2001:db8:a::1"})
	w.Put("security_group_rules", sgRule("5e000000-0000-4000-8000-0000000000e6", sgWeb, 6, "direction", "ingress", "ethertype", "IPv6", "protocol", "ipv6-icmp"))
	w.Put("security_group_rules", sgRule("5e000000-0000-4000-8000-0000000000e7", sgWeb, 7, "direction", "egress", "ethertype", "IPv6"))
	add := func(id string, f map[string]any) {
		d := w.Get("ports", id)
		d["fixed_ips"] = append(d["fixed_ips"].([]any), f)
		w.Put("ports", d)
	}
	add(gwPort, fixed(extSub6, "2001:db8:e::10"))
	add(rifA, fixed(subA6, "2001:db8:a::1"))
	add(vmA, fixed(subA6, "2001:db8:a::5"))
	add(vmA2, fixed(subA6, "2001:db8:a::6"))
	proxy := &topology.NdpProxy{Meta: topology.Meta{ID: "np1"}, RouterID: rtr, GatewayPortID: topology.TenantGwPortID(gwPort),
		InterfacePortID: topology.RouterInterfacePortPeerID(rifA), PortID: vmA, IP: "2001:db8:a::5", MAC: macA.String(), Upstream: "2001:db8:e::1"}
	return w, append(translateAll(w), proxy)
}

func ndpEnv(t *testing.T) *env {
	_, objs := ndpWorld()
	topo := NewTopology(objs)
	for _, warn := range topo.Warnings() {
		t.Logf("topology warning: %s", warn)
	}
	return &env{t: t, topo: topo, st: NewState()}
}

// advertised returns the one Neighbor Advertisement the result generated toward port.
func advertised(t *testing.T, r Result, port string) Packet {
	t.Helper()
	for _, g := range r.Generated {
		if g.PortID == port && g.Packet.isND() && g.Packet.ICMP.Type == NDNeighborAdvert {
			return g.Packet
		}
	}
	t.Fatalf("no neighbor advertisement toward %s:\n%s", short(port), dump(r))
	return Packet{}
}

// TestNDPProxy: a solicitation from the external network for the proxied address is
// answered with the gateway port's MAC, one for another address of the network behind is
// not; IPv6 to the proxied address reaches the VM's port from the router interface, and the
// VM's answer leaves by the gateway to the upstream router the solicitation taught the
// router; IPv6 from an address not proxied is not routed; hop limits are kept.
func TestNDPProxy(t *testing.T) {
	e := ndpEnv(t)
	up := ip("2001:db8:e::1")

	r := e.sim(NewNS(macUp, up, ip("2001:db8:a::5")), upstream)
	na := advertised(t, r, upstream)
	if na.EthSrc != macGw || na.EthDst != macUp || na.ND.Target != ip("2001:db8:a::5") || na.ND.LinkAddr != macGw ||
		!na.ND.Solicited || na.IP.Dst != up || na.IP.TTL != 255 {
		t.Errorf("advertisement for the proxied address: %s %+v", na, *na.ND)
	}
	if r.Verdict != Consumed {
		t.Errorf("the solicitation was %s, want consumed by the router", r.Verdict)
	}
	if m, ok := e.st.ARP(rtr, up); !ok || m != macUp {
		t.Errorf("the router did not learn the solicitation's sender: %v %v", m, ok)
	}

	r = e.sim(NewNS(macUp, up, ip("2001:db8:a::6")), upstream)
	for _, g := range r.Generated {
		if g.Packet.isND() && g.Packet.ICMP.Type == NDNeighborAdvert {
			t.Fatalf("a solicitation for an address not proxied was answered:\n%s", dump(r))
		}
	}

	in := expectForward(t, e.sim(NewPing6(macUp, macGw, up, ip("2001:db8:a::5"), 7, 1), upstream), vmA)
	if in.EthSrc != macRifA || in.EthDst != macA || in.IP.TTL != 63 || in.IP.Src != up || in.ICMP.Type != ICMPv6EchoRequest {
		t.Errorf("delivered to the VM as %s", in)
	}
	reply := NewPing6(macA, macRifA, ip("2001:db8:a::5"), up, 7, 1)
	reply.ICMP.Type = ICMPv6EchoReply
	out := expectForward(t, e.sim(reply, vmA), upstream)
	if out.EthSrc != macGw || out.EthDst != macUp || out.IP.TTL != 63 || out.IP.Src != ip("2001:db8:a::5") {
		t.Errorf("the answer left as %s", out)
	}
	// Off the gateway's link, through the external subnet's gateway.
	out = expectForward(t, e.sim(NewTCP6(macA, macRifA, ip("2001:db8:a::5"), ip("2001:4860::8888"), 40000, 443), vmA), upstream)
	if out.EthDst != macUp || out.IP.Dst != ip("2001:4860::8888") {
		t.Errorf("to the internet: %s", out)
	}

	// Not proxied: not routed.
	expectDrop(t, e.sim(NewPing6(macA2, macRifA, ip("2001:db8:a::6"), up, 8, 1), vmA2), DropNoRoute)
	expectDrop(t, e.sim(NewPing6(macUp, macGw, up, ip("2001:db8:a::6"), 9, 1), upstream), DropNoRoute)
	// The hop limit.
	last := NewPing6(macUp, macGw, up, ip("2001:db8:a::5"), 10, 1)
	last.IP.TTL = 1
	expectDrop(t, e.sim(last, upstream), DropTTL)
}

// TestNDPProxyUnknownNeighbor: without a neighbor entry for the next hop, the router
// solicits it from the gateway port and drops the packet ("no-arp"); the advertisement
// that answers teaches the router, and the next packet goes through.
func TestNDPProxyUnknownNeighbor(t *testing.T) {
	e := ndpEnv(t)
	peer := ip("2001:db8:e::99")
	r := e.sim(NewPing6(macA, macRifA, ip("2001:db8:a::5"), peer, 1, 1), vmA)
	expectDrop(t, r, DropNoARP)
	var ns *Packet
	for i, g := range r.Generated {
		if g.Packet.isND() && g.Packet.ICMP.Type == NDNeighborSolicit {
			ns = &r.Generated[i].Packet
		}
	}
	if ns == nil || ns.ND.Target != peer || ns.EthSrc != macGw || ns.IP.Src != ip("2001:db8:e::10") {
		t.Fatalf("no solicitation for %s from the gateway:\n%s", peer, dump(r))
	}
	peerMAC := MustMAC("fa:16:3e:00:ff:99")
	adv := Packet{EthSrc: peerMAC, EthDst: macGw, EtherType: EtherIPv6, IP: IPv4{Src: peer, Dst: ip("2001:db8:e::10"), Proto: ProtoICMPv6, TTL: 255},
		ICMP: ICMP{Type: NDNeighborAdvert}, ND: &ND{Target: peer, LinkAddr: peerMAC, Solicited: true}}
	if r := e.sim(adv, upstream); r.Verdict != Consumed {
		t.Fatalf("the advertisement was not taken:\n%s", dump(r))
	}
	out := expectForward(t, e.sim(NewPing6(macA, macRifA, ip("2001:db8:a::5"), peer, 1, 2), vmA), upstream)
	if out.EthDst != peerMAC {
		t.Errorf("after the advertisement the packet went to %s", out.EthDst)
	}
}

// TestRouterAnswersOwnIPv6: a VM's solicitation for its gateway's IPv6 address is answered
// with the router interface's MAC (delivered to the router port, not flooded), and its
// echo request to the router's address is answered.
func TestRouterAnswersOwnIPv6(t *testing.T) {
	e := ndpEnv(t)
	gw := ip("2001:db8:a::1")
	na := advertised(t, e.sim(NewNS(macA2, ip("2001:db8:a::6"), gw), vmA2), vmA2)
	if na.ND.LinkAddr != macRifA || na.ND.Target != gw || !na.ND.Override {
		t.Errorf("advertisement for the gateway: %s %+v", na, *na.ND)
	}
	r := e.sim(NewPing6(macA2, macRifA, ip("2001:db8:a::6"), gw, 3, 1), vmA2)
	if r.Verdict != Consumed || len(r.Generated) != 1 || r.Generated[0].Packet.ICMP.Type != ICMPv6EchoReply || r.Generated[0].PortID != vmA2 {
		t.Fatalf("echo to the router's IPv6 address:\n%s", dump(r))
	}
}

// TestNDPFlowCache: solicitations and routed IPv6 are never served from the flow cache,
// whose key does not hold a solicitation's target.
func TestNDPFlowCache(t *testing.T) {
	e := ndpEnv(t)
	fc := NewFlowCache(e.topo, e.st, 100)
	for i := 0; i < 2; i++ {
		r := fc.Simulate(NewNS(macUp, ip("2001:db8:e::1"), ip("2001:db8:a::5")), upstream)
		advertised(t, r, upstream)
	}
	// Same solicited-node group (::5 and 1::5 share their last 24 bits), another target.
	r := fc.Simulate(NewNS(macUp, ip("2001:db8:e::1"), ip("2001:db8:a:1::5")), upstream)
	for _, g := range r.Generated {
		if g.Packet.isND() && g.Packet.ICMP.Type == NDNeighborAdvert {
			t.Fatalf("a cached answer for another target:\n%s", dump(r))
		}
	}
}
