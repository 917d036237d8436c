package sim

import (
	"net/netip"
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

func TestVMToVMAcrossRouter(t *testing.T) {
	e := baseEnv(t)
	r := e.sim(NewTCP(macA, macRifA, ip("10.0.0.5"), ip("10.0.1.5"), 40000, 22), vmA)
	p := expectForward(t, r, vmB)
	if p.EthSrc != macRifB || p.EthDst != macB {
		t.Errorf("MACs = %s > %s, want %s > %s", p.EthSrc, p.EthDst, macRifB, macB)
	}
	if p.IP.TTL != 63 || p.IP.Src != ip("10.0.0.5") || p.IP.Dst != ip("10.0.1.5") || p.SrcPort != 40000 || p.DstPort != 22 {
		t.Errorf("rewritten wrongly: %s", p)
	}
	// The trace walks port → bridge → port → router → port → bridge → port.
	var devs []string
	for _, h := range r.Trace {
		if h.DeviceType == "bridge" || h.DeviceType == "router" {
			if h.Note != "" && len(h.Note) > 3 && h.Note[:3] == "in " {
				devs = append(devs, h.DeviceType)
			}
		}
	}
	if len(devs) != 3 || devs[0] != "bridge" || devs[1] != "router" || devs[2] != "bridge" {
		t.Errorf("devices traversed = %v\n%s", devs, dump(r))
	}
}

func TestSNATToExternalAndReverse(t *testing.T) {
	e := baseEnv(t)
	out := expectForward(t, e.sim(NewTCP(macA, macRifA, ip("10.0.0.5"), internet, 40000, 80), vmA), upstream)
	if out.IP.Src != ip("172.24.4.10") || out.SrcPort < 1024 || out.IP.Dst != internet || out.DstPort != 80 {
		t.Fatalf("SNAT: %s", out)
	}
	if out.EthSrc != macGw || out.EthDst != macUp || out.IP.TTL != 63 {
		t.Errorf("L2 after the router: %s", out)
	}
	// The same flow keeps its binding.
	again := expectForward(t, e.sim(NewTCP(macA, macRifA, ip("10.0.0.5"), internet, 40000, 80), vmA), upstream)
	if again.SrcPort != out.SrcPort {
		t.Errorf("second packet got port %d, first %d", again.SrcPort, out.SrcPort)
	}
	// Another flow to the same destination gets another port.
	other := expectForward(t, e.sim(NewTCP(macA, macRifA, ip("10.0.0.5"), internet, 40001, 80), vmA), upstream)
	if other.SrcPort == out.SrcPort {
		t.Errorf("two flows share SNAT port %d", out.SrcPort)
	}
	// The reply is reverse-NATed back to the VM and accepted by conntrack (the VM's group
	// only admits tcp 22 from outside).
	back := expectForward(t, e.sim(NewTCP(macUp, macGw, internet, ip("172.24.4.10"), 80, out.SrcPort), upstream), vmA)
	if back.IP.Dst != ip("10.0.0.5") || back.DstPort != 40000 || back.IP.Src != internet || back.EthDst != macA || back.EthSrc != macRifA {
		t.Errorf("reverse SNAT: %s", back)
	}
	// Unsolicited TCP to the gateway address is dropped in pre-routing.
	d := expectDrop(t, e.sim(NewTCP(macUp, macGw, internet, ip("172.24.4.10"), 80, 5555), upstream), DropRule)
	if d.RuleID != topology.InDropWrongPortTrafficRuleID(rtr) || d.ChainID != topology.InChainID(rtr) || d.DeviceID != rtr {
		t.Errorf("unsolicited drop = %+v", d)
	}
}

func TestSNATICMPKeepsID(t *testing.T) {
	e := baseEnv(t)
	out := expectForward(t, e.sim(NewPing(macA, macRifA, ip("10.0.0.5"), internet, 777, 1), vmA), upstream)
	if out.IP.Src != ip("172.24.4.10") || out.ICMP.ID != 777 {
		t.Fatalf("ICMP SNAT: %s", out)
	}
	reply := NewPing(macUp, macGw, internet, ip("172.24.4.10"), 777, 1)
	reply.ICMP.Type = ICMPEchoReply
	back := expectForward(t, e.sim(reply, upstream), vmA)
	if back.IP.Dst != ip("10.0.0.5") || back.ICMP.ID != 777 || back.ICMP.Type != ICMPEchoReply {
		t.Errorf("ICMP reply: %s", back)
	}
}

func TestFloatingIP(t *testing.T) {
	e := baseEnv(t)
	// The external side resolves the floating IP to the gateway port's MAC.
	arp := e.sim(NewARPRequest(macUp, ip("172.24.4.1"), ip("172.24.4.20")), upstream)
	if arp.Verdict != Consumed || len(arp.Generated) != 1 || arp.Generated[0].Packet.ARP.SenderMAC != macGw || arp.Generated[0].PortID != upstream {
		t.Fatalf("ARP for the FIP:\n%s", dump(arp))
	}
	in := expectForward(t, e.sim(NewTCP(macUp, macGw, internet, ip("172.24.4.20"), 50000, 22), upstream), vmB)
	if in.IP.Dst != ip("10.0.1.5") || in.DstPort != 22 || in.IP.Src != internet || in.SrcPort != 50000 || in.EthDst != macB {
		t.Errorf("FIP in: %s", in)
	}
	// The reply of that connection leaves with the floating IP as source.
	back := expectForward(t, e.sim(NewTCP(macB, macRifB, ip("10.0.1.5"), internet, 22, 50000), vmB), upstream)
	if back.IP.Src != ip("172.24.4.20") || back.SrcPort != 22 {
		t.Errorf("FIP reply: %s", back)
	}
	// A connection the VM opens uses the floating IP too (static SNAT: port kept).
	out := expectForward(t, e.sim(NewUDP(macB, macRifB, ip("10.0.1.5"), internet, 5353, 53), vmB), upstream)
	if out.IP.Src != ip("172.24.4.20") || out.SrcPort != 5353 {
		t.Errorf("FIP out: %s", out)
	}
	// A port the group does not open is dropped at the VM's port.
	expectDrop(t, e.sim(NewTCP(macUp, macGw, internet, ip("172.24.4.20"), 50000, 80), upstream), DropRule)
}

func TestSecurityGroups(t *testing.T) {
	e := baseEnv(t)
	// tcp 22 ingress is allowed.
	expectForward(t, e.sim(NewTCP(macA2, macA, ip("10.0.0.6"), ip("10.0.0.5"), 5555, 22), vmA2), vmA)
	// tcp 80 is not: the port's outbound chain ends in DROP after the group's chain.
	d := expectDrop(t, e.sim(NewTCP(macA2, macA, ip("10.0.0.6"), ip("10.0.0.5"), 5555, 80), vmA2), DropRule)
	want := Drop{Kind: DropRule, DeviceID: netA, PortID: vmA, ChainID: topology.OutChainID(vmA), ChainName: "OS_PORT_" + vmA + "_OUTBOUND",
		RuleID: topology.DerivedID(topology.OutChainID(vmA), "drop"), SecurityGroupID: sgWeb}
	if d.Kind != want.Kind || d.DeviceID != want.DeviceID || d.PortID != want.PortID || d.ChainID != want.ChainID ||
		d.ChainName != want.ChainName || d.RuleID != want.RuleID || d.SecurityGroupID != want.SecurityGroupID ||
		len(d.SecurityGroupIDs) != 1 || d.SecurityGroupIDs[0] != sgWeb {
		t.Errorf("drop = %+v\nwant %+v", *d, want)
	}
	// Return traffic of the allowed connection: vmA2's group admits only tcp 22, conntrack
	// accepts the reply.
	expectForward(t, e.sim(NewTCP(macA, macA2, ip("10.0.0.5"), ip("10.0.0.6"), 22, 5555), vmA), vmA2)
	// The same packet without a prior connection is dropped.
	expectDrop(t, e.sim(NewTCP(macA, macA2, ip("10.0.0.5"), ip("10.0.0.6"), 22, 5556), vmA), DropRule)
}

func TestAntiSpoofing(t *testing.T) {
	e := baseEnv(t)
	cases := []struct {
		name  string
		mac   MAC
		src   string
		allow bool
	}{
		{"own address", macA, "10.0.0.5", true},
		{"allowed address pair", macA, "10.0.0.100", true},
		{"foreign IP", macA, "10.0.0.99", false},
		{"foreign MAC", MustMAC("fa:16:3e:99:99:99"), "10.0.0.5", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.sim(NewTCP(tc.mac, macA2, ip(tc.src), ip("10.0.0.6"), 1234, 22), vmA)
			if tc.allow {
				expectForward(t, r, vmA2)
				return
			}
			d := expectDrop(t, r, DropAntiSpoof)
			if d.ChainID != topology.AntiSpoofChainID(vmA) || d.RuleID != topology.DerivedID(topology.AntiSpoofChainID(vmA), "drop") || d.PortID != vmA {
				t.Errorf("anti-spoof drop = %+v", *d)
			}
		})
	}
	// ARP from a foreign address is dropped too.
	d := expectDrop(t, e.sim(NewARPRequest(macA, ip("10.0.0.99"), ip("10.0.0.6")), vmA), DropAntiSpoof)
	if d.ChainName != "OS_PORT_"+vmA+"_ANTI_SPOOF" {
		t.Errorf("chain name %q", d.ChainName)
	}
}

func TestExtraRouteWithSource(t *testing.T) {
	e := baseEnv(t)
	// 10.0.0.5 is inside the route's source 10.0.0.0/25: via the appliance 10.0.0.254.
	p := expectForward(t, e.sim(NewTCP(macA, macRifA, ip("10.0.0.5"), ip("192.168.1.1"), 1000, 443), vmA), applPort)
	if p.EthDst != macAppl || p.EthSrc != macRifA || p.IP.Src != ip("10.0.0.5") {
		t.Errorf("via appliance: %s", p)
	}
	// 10.0.0.200 is not: default route, SNAT to the gateway.
	p = expectForward(t, e.sim(NewTCP(macC, macRifA, ip("10.0.0.200"), ip("192.168.1.1"), 1000, 443), vmC), upstream)
	if p.IP.Src != ip("172.24.4.10") {
		t.Errorf("default route: %s", p)
	}
}

func TestARPSuppression(t *testing.T) {
	e := baseEnv(t)
	cases := []struct {
		target string
		mac    MAC
	}{{"10.0.0.6", macA2}, {"10.0.0.1", macRifA}, {"10.0.0.254", macAppl}}
	for _, tc := range cases {
		r := e.sim(NewARPRequest(macA, ip("10.0.0.5"), ip(tc.target)), vmA)
		if r.Verdict != Consumed || len(r.Egress) != 0 || len(r.Generated) != 1 {
			t.Fatalf("ARP for %s:\n%s", tc.target, dump(r))
		}
		g := r.Generated[0]
		if g.PortID != vmA || g.Packet.ARP.Op != ARPReply || g.Packet.ARP.SenderMAC != tc.mac || g.Packet.ARP.SenderIP != ip(tc.target) ||
			g.Packet.EthDst != macA || g.Packet.ARP.TargetIP != ip("10.0.0.5") {
			t.Errorf("ARP reply for %s: %s", tc.target, g.Packet)
		}
	}
	// An unknown address is flooded to the other exterior ports of the network.
	r := e.sim(NewARPRequest(macA, ip("10.0.0.5"), ip("10.0.0.77")), vmA)
	if r.Verdict != Forwarded || len(r.Egress) != 3 {
		t.Fatalf("flood:\n%s", dump(r))
	}
	for _, x := range r.Egress {
		if x.PortID == vmA || x.PortID == rifA {
			t.Errorf("flooded to %s", x.PortID)
		}
	}
}

func TestICMPEchoToRouter(t *testing.T) {
	e := baseEnv(t)
	for _, dst := range []string{"10.0.0.1", "10.0.1.1", "172.24.4.10"} {
		r := e.sim(NewPing(macA, macRifA, ip("10.0.0.5"), ip(dst), 9, 3), vmA)
		if r.Verdict != Consumed || len(r.Generated) != 1 {
			t.Fatalf("ping %s:\n%s", dst, dump(r))
		}
		g := r.Generated[0]
		if g.PortID != vmA || g.From != topology.RouterInterfacePortPeerID(rifA) || g.Packet.ICMP.Type != ICMPEchoReply ||
			g.Packet.IP.Src != ip(dst) || g.Packet.IP.Dst != ip("10.0.0.5") || g.Packet.ICMP.Seq != 3 || g.Packet.EthSrc != macRifA || g.Packet.EthDst != macA {
			t.Errorf("echo reply from %s: %+v", dst, g)
		}
	}
	// From outside, the gateway address answers too.
	r := e.sim(NewPing(macUp, macGw, internet, ip("172.24.4.10"), 1, 1), upstream)
	if r.Verdict != Consumed || len(r.Generated) != 1 || r.Generated[0].PortID != upstream {
		t.Fatalf("ping gateway from outside:\n%s", dump(r))
	}
}

func TestNoRouteAndTTL(t *testing.T) {
	w := baseWorld()
	// Without a gateway the router has no default route.
	rd := w.Get("routers", rtr)
	delete(rd, "external_gateway_info")
	delete(rd, "gw_port_id")
	w.Put("routers", rd)
	w.Delete("ports", gwPort)
	w.Delete("floatingips", fipB)
	e := newEnv(t, w)
	r := e.sim(NewTCP(macA, macRifA, ip("10.0.0.5"), internet, 1000, 80), vmA)
	d := expectDrop(t, r, DropNoRoute)
	if d.DeviceID != rtr {
		t.Errorf("drop device %s", d.DeviceID)
	}
	if len(r.Generated) != 1 {
		t.Fatalf("ICMP unreachable missing:\n%s", dump(r))
	}
	g := r.Generated[0].Packet
	if r.Generated[0].PortID != vmA || g.ICMP.Type != ICMPUnreachable || g.ICMP.Code != ICMPCodeNet || g.IP.Src != ip("10.0.0.1") ||
		g.IP.Dst != ip("10.0.0.5") || g.Inner == nil || g.Inner.IP.Dst != internet {
		t.Errorf("ICMP error: %+v", r.Generated[0])
	}
	// TTL 1 across the router: time exceeded.
	p := NewTCP(macA, macRifA, ip("10.0.0.5"), ip("10.0.1.5"), 1000, 22)
	p.IP.TTL = 1
	r = e.sim(p, vmA)
	expectDrop(t, r, DropTTL)
	if len(r.Generated) != 1 || r.Generated[0].Packet.ICMP.Type != ICMPTimeExceeded {
		t.Errorf("time exceeded:\n%s", dump(r))
	}
}

func TestARPResolutionThroughTheRouter(t *testing.T) {
	e := newEnv(t, baseWorld())
	pkt := NewTCP(macA, macRifA, ip("10.0.0.5"), internet, 1000, 80)
	r := e.sim(pkt, vmA)
	d := expectDrop(t, r, DropNoARP)
	if d.DeviceID != rtr {
		t.Errorf("drop = %+v", *d)
	}
	// The router asked: an ARP request for the default gateway leaves on the external network.
	if len(r.Generated) != 1 || r.Generated[0].PortID != upstream || r.Generated[0].Packet.ARP.TargetIP != ip("172.24.4.1") ||
		r.Generated[0].Packet.ARP.SenderIP != ip("172.24.4.10") {
		t.Fatalf("ARP request:\n%s", dump(r))
	}
	// The upstream answers; the router learns it; the packet now goes through.
	reply := Packet{EthSrc: macUp, EthDst: macGw, EtherType: EtherARP,
		ARP: ARP{Op: ARPReply, SenderMAC: macUp, SenderIP: ip("172.24.4.1"), TargetMAC: macGw, TargetIP: ip("172.24.4.10")}}
	if r := e.sim(reply, upstream); r.Verdict != Consumed {
		t.Fatalf("ARP reply:\n%s", dump(r))
	}
	if m, ok := e.st.ARP(rtr, ip("172.24.4.1")); !ok || m != macUp {
		t.Fatalf("router ARP table: %s %v", m, ok)
	}
	expectForward(t, e.sim(pkt, vmA), upstream)
}

func TestDHCP(t *testing.T) {
	e := baseEnv(t)
	r := e.sim(NewDHCPDiscover(macA, 42), vmA)
	if r.Verdict != Consumed || len(r.Generated) != 1 || r.Generated[0].PortID != vmA {
		t.Fatalf("DHCP:\n%s", dump(r))
	}
	p := r.Generated[0].Packet
	o := p.DHCP
	if o == nil || o.MsgType != DHCPOffer || o.XID != 42 || o.YourIP != ip("10.0.0.5") || o.Mask != ip("255.255.255.0") ||
		o.Router != ip("10.0.0.1") || o.ServerID != ip("10.0.0.1") || o.Broadcast != ip("10.0.0.255") ||
		o.MTU != 1450 || o.LeaseSeconds != 86400 || len(o.DNS) != 1 || o.DNS[0] != ip("8.8.8.8") {
		t.Fatalf("offer = %+v", o)
	}
	if len(o.Routes) != 1 || o.Routes[0].Dst != netip.MustParsePrefix("192.168.0.0/16") || o.Routes[0].Gateway != ip("10.0.0.254") {
		t.Errorf("opt121 = %+v", o.Routes)
	}
	if len(o.Options) != 1 || o.Options[0].Name != "bootfile-name" || o.Options[0].Value != "pxelinux.0" {
		t.Errorf("extra options = %+v", o.Options)
	}
	if p.EthSrc != DHCPServerMAC || p.EthDst != macA || p.SrcPort != 67 || p.DstPort != 68 || p.IP.Dst != ip("10.0.0.5") {
		t.Errorf("reply headers: %s", p)
	}
	// A REQUEST is acknowledged.
	req := NewDHCPDiscover(macA, 43)
	req.DHCP.MsgType = DHCPRequest
	if r := e.sim(req, vmA); len(r.Generated) != 1 || r.Generated[0].Packet.DHCP.MsgType != DHCPAck {
		t.Errorf("request:\n%s", dump(r))
	}
	// An unknown client is simulated normally (here: anti-spoofing lets DHCP out, the
	// broadcast is flooded to the network's other exterior ports, where only the appliance
	// without port security admits it).
	r = e.sim(NewDHCPDiscover(MustMAC("fa:16:3e:77:77:77"), 44), vmA)
	if r.Verdict != Forwarded || len(r.Generated) != 0 || len(r.Egress) != 1 || r.Egress[0].PortID != applPort {
		t.Errorf("unknown client:\n%s", dump(r))
	}
}

func TestAdminDownPort(t *testing.T) {
	w := baseWorld()
	pb := w.Get("ports", vmB)
	pb["admin_state_up"] = false
	w.Put("ports", pb)
	e := newEnv(t, w)
	d := expectDrop(t, e.sim(NewTCP(macA, macRifA, ip("10.0.0.5"), ip("10.0.1.5"), 1, 22), vmA), DropAdminDown)
	if d.PortID != vmB {
		t.Errorf("drop = %+v", *d)
	}
}

func TestUnknownIngressPort(t *testing.T) {
	e := baseEnv(t)
	expectDrop(t, e.sim(NewTCP(macA, macRifA, ip("10.0.0.5"), ip("10.0.1.5"), 1, 22), "nope"), DropNoPort)
}

// TestUplinkEdgeRouter: an interface on an uplink network makes a bound (exterior) router
// port; traffic leaves the topology there and its replies enter there.
func TestUplinkEdgeRouter(t *testing.T) {
	const (
		upNet  = "0f000000-0000-4000-8000-00000000000f"
		upSub  = "0f000000-0000-4000-8000-0000000000ff"
		upPort = "60000000-0000-4000-8000-0000000000ff"
	)
	macEdge, macPeer := MustMAC("fa:16:3e:00:0f:01"), MustMAC("fa:16:3e:00:0f:02")
	w := baseWorld()
	rd := w.Get("routers", rtr)
	delete(rd, "external_gateway_info")
	delete(rd, "gw_port_id")
	rd["routes"] = []any{map[string]any{"destination": "0.0.0.0/0", "nexthop": "198.51.100.1"}}
	w.Put("routers", rd)
	w.Delete("ports", gwPort)
	w.Delete("floatingips", fipB)
	w.Put("networks", map[string]any{"id": upNet, "admin_state_up": true, "provider:network_type": "uplink"})
	w.Put("subnets", map[string]any{"id": upSub, "network_id": upNet, "cidr": "198.51.100.0/30", "ip_version": 4, "gateway_ip": "198.51.100.1"})
	w.Put("ports", map[string]any{"id": upPort, "network_id": upNet, "device_owner": "network:router_interface", "device_id": rtr,
		"mac_address": macEdge.String(), "fixed_ips": []any{fixed(upSub, "198.51.100.2")}, "binding:host_id": "edge-1", "binding:profile": map[string]any{"interface_name": "eth1"}})
	e := newEnv(t, w)
	edge := topology.RouterInterfacePortPeerID(upPort)
	e.st.SetARP(rtr, ip("198.51.100.1"), macPeer)
	out := expectForward(t, e.sim(NewTCP(macA, macRifA, ip("10.0.0.5"), internet, 40000, 443), vmA), edge)
	if out.EthSrc != macEdge || out.EthDst != macPeer || out.IP.Src != ip("10.0.0.5") {
		t.Errorf("edge egress: %s", out)
	}
	back := expectForward(t, e.sim(NewTCP(macPeer, macEdge, internet, ip("10.0.0.5"), 443, 40000), edge), vmA)
	if back.EthDst != macA || back.IP.TTL != 63 {
		t.Errorf("edge ingress: %s", back)
	}
	// Unsolicited traffic from the uplink meets the VM's groups.
	expectDrop(t, e.sim(NewTCP(macPeer, macEdge, internet, ip("10.0.0.5"), 443, 40001), edge), DropRule)
}

func TestTopologyWarnings(t *testing.T) {
	objs := translateAll(baseWorld())
	objs = append(objs, &topology.Rule{Meta: topology.Meta{ID: "dangling"}, ChainID: topology.InChainID(rtr), Type: topology.RuleJump,
		Action: topology.ActionJump, JumpChainID: "missing"})
	topo := NewTopology(objs)
	if len(topo.Warnings()) != 1 {
		t.Errorf("warnings = %q", topo.Warnings())
	}
	if NewTopology(translateAll(baseWorld())).Warnings() != nil {
		t.Errorf("the translators' output of the base world should compile cleanly")
	}
}

// TestStatelessSecurityGroup: with the group stateless (stateful-security-group), a reply is
// no longer let in for being one: vmA2's group admits tcp 22 only, so the answer from port 22
// to vmA2's port 5555 is dropped, while the same setup stateful lets it in (above).
func TestStatelessSecurityGroup(t *testing.T) {
	w := baseWorld()
	sg := w.Get("security_groups", sgWeb)
	sg["stateful"] = false
	w.Put("security_groups", sg)
	e := newEnv(t, w)
	expectForward(t, e.sim(NewTCP(macA2, macA, ip("10.0.0.6"), ip("10.0.0.5"), 5555, 22), vmA2), vmA)
	d := expectDrop(t, e.sim(NewTCP(macA, macA2, ip("10.0.0.5"), ip("10.0.0.6"), 22, 5555), vmA), DropRule)
	if d.PortID != vmA2 || d.SecurityGroupID != sgWeb {
		t.Errorf("the reply's drop = %+v, want vmA2's filter naming the group", *d)
	}
}
