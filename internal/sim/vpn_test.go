package sim

import (
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

// TestVPNHandOff: with a VPN service on the router, IKE (UDP 500), NAT-T (UDP 4500) and ESP
// addressed to the gateway address go to the IPsec container unchanged but for the hop (before
// pre-routing, which drops other unsolicited traffic there); the container's own IKE leaves
// through the gateway without SNAT; an unknown container MAC is asked for by ARP.
func TestVPNHandOff(t *testing.T) {
	const container = "c0000000-0000-4000-8000-00000000000c"
	macC, macPort := MustMAC("02:00:00:00:00:0c"), MustMAC("fa:16:3e:00:0c:01")
	objs := append(translateAll(baseWorld()),
		&topology.Port{Meta: topology.Meta{ID: container}, RouterID: rtr, AdminStateUp: true, PortSubnets: []string{"169.254.7.1/30"},
			PortAddress: "169.254.7.1", PortMAC: macPort.String(), HostID: "gw-1", InterfaceName: "vpn-x"},
		&topology.Route{Meta: topology.Meta{ID: "c0000000-0000-4000-8000-0000000000a1"}, RouterID: rtr, SrcSubnet: "0.0.0.0/0",
			DstSubnet: "169.254.7.0/30", NextHop: topology.NextHopPort, NextHopPortID: container, Weight: 100},
		&topology.VpnService{Meta: topology.Meta{ID: "svc"}, RouterID: rtr, ExternalIP: "172.24.4.10", AdminStateUp: true,
			ContainerPortID: container, ContainerIP: "169.254.7.2"})
	e := &env{t: t, topo: NewTopology(objs), st: NewState()}
	for _, w := range e.topo.Warnings() {
		t.Errorf("topology warning: %s", w)
	}
	e.st.SetARP(rtr, ip("172.24.4.1"), macUp)
	e.st.LearnMAC(extNet, macUp, 0, upstream)

	// Before the container's MAC is known: an ARP request on the container link.
	r := e.sim(NewUDP(macUp, macGw, internet, ip("172.24.4.10"), 500, 500), upstream)
	expectDrop(t, r, DropNoARP)
	if len(r.Generated) != 1 || r.Generated[0].PortID != container || r.Generated[0].Packet.ARP.TargetIP != ip("169.254.7.2") {
		t.Fatalf("no ARP request for the container:\n%s", dump(r))
	}
	e.st.SetARP(rtr, ip("169.254.7.2"), macC)

	esp := NewUDP(macUp, macGw, internet, ip("172.24.4.10"), 0, 0)
	esp.IP.Proto = ProtoESP
	for name, p := range map[string]Packet{
		"IKE":   NewUDP(macUp, macGw, internet, ip("172.24.4.10"), 500, 500),
		"NAT-T": NewUDP(macUp, macGw, internet, ip("172.24.4.10"), 4500, 4500),
		"ESP":   esp,
	} {
		out := expectForward(t, e.sim(p, upstream), container)
		if out.IP.Dst != ip("172.24.4.10") || out.IP.Src != internet || out.EthDst != macC || out.EthSrc != macPort || out.IP.TTL != p.IP.TTL-1 {
			t.Errorf("%s handed to the container as %s", name, out)
		}
	}
	// Other traffic to the gateway address is still dropped in pre-routing.
	expectDrop(t, e.sim(NewTCP(macUp, macGw, internet, ip("172.24.4.10"), 80, 5555), upstream), DropRule)
	// The container's IKE to the peer leaves through the gateway with its own address.
	out := expectForward(t, e.sim(NewUDP(macC, macPort, ip("172.24.4.10"), internet, 500, 500), container), upstream)
	if out.IP.Src != ip("172.24.4.10") || out.SrcPort != 500 {
		t.Errorf("the container's IKE was rewritten: %s", out)
	}
}
