package sim

import (
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

// A bare bridge with two exterior ports; p1's inbound filter is chain "c".
const (
	tNet   = "10000000-0000-4000-8000-000000000000"
	tP1    = "10000000-0000-4000-8000-000000000001"
	tP2    = "10000000-0000-4000-8000-000000000002"
	tChain = "10000000-0000-4000-8000-0000000000c0"
	tSub   = "10000000-0000-4000-8000-0000000000c1"
	tSub2  = "10000000-0000-4000-8000-0000000000c2"
	tGrp   = "10000000-0000-4000-8000-0000000000a0"
	tPG    = "10000000-0000-4000-8000-0000000000b0"
)

var macP1, macP2 = MustMAC("02:00:00:00:00:01"), MustMAC("02:00:00:00:00:02")

func bareBridge(rules ...*topology.Rule) *env {
	objs := []topology.Object{
		&topology.Network{Meta: topology.Meta{ID: tNet}, AdminStateUp: true},
		&topology.Port{Meta: topology.Meta{ID: tP1}, NetworkID: tNet, AdminStateUp: true, InboundFilterID: tChain, PortGroupIDs: []string{tPG}},
		&topology.Port{Meta: topology.Meta{ID: tP2}, NetworkID: tNet, AdminStateUp: true},
		&topology.MacEntry{Meta: topology.Meta{ID: "m1"}, NetworkID: tNet, MAC: macP1.String(), PortID: tP1},
		&topology.MacEntry{Meta: topology.Meta{ID: "m2"}, NetworkID: tNet, MAC: macP2.String(), PortID: tP2},
		&topology.Chain{Meta: topology.Meta{ID: tChain}, Name: "c"},
		&topology.Chain{Meta: topology.Meta{ID: tSub}, Name: "sub"},
		&topology.Chain{Meta: topology.Meta{ID: tSub2}, Name: "sub2"},
		&topology.IPAddrGroup{Meta: topology.Meta{ID: tGrp}},
		&topology.IPAddrMember{Meta: topology.Meta{ID: "g1"}, GroupID: tGrp, IP: "10.9.0.1"},
	}
	for _, r := range rules {
		objs = append(objs, r)
	}
	return &env{topo: NewTopology(objs), st: NewState()}
}

func drop(id string, order int, c topology.Condition) *topology.Rule {
	return &topology.Rule{Meta: topology.Meta{ID: id}, ChainID: tChain, Order: order, Type: topology.RuleLiteral, Action: topology.ActionDrop, Condition: c}
}

func TestConditionFields(t *testing.T) {
	tcp := NewTCP(macP1, macP2, ip("10.9.0.1"), ip("10.9.0.2"), 1000, 80)
	frag := func(first bool) Packet {
		p := tcp
		if first {
			p.IP.MoreFragments = true
		} else {
			p.IP.FragOffset = 100
		}
		return p
	}
	pr := func(a, b int) *topology.Range { return &topology.Range{Start: a, End: b} }
	any := topology.FragAny
	cases := []struct {
		name string
		cond topology.Condition
		pkt  Packet
		drop bool
	}{
		{"empty condition is UNFRAGMENTED by default", topology.Condition{}, tcp, true},
		{"unset policy skips a header fragment", topology.Condition{}, frag(true), false},
		{"ANY takes later fragments", topology.Condition{FragmentPolicy: any}, frag(false), true},
		{"HEADER takes first fragments", topology.Condition{FragmentPolicy: topology.FragHeader}, frag(true), true},
		{"HEADER skips later fragments", topology.Condition{FragmentPolicy: topology.FragHeader}, frag(false), false},
		{"NONHEADER skips unfragmented", topology.Condition{FragmentPolicy: topology.FragNonHeader}, tcp, false},
		{"fragment policy ignores conjunction_inv", topology.Condition{FragmentPolicy: topology.FragNonHeader, ConjunctionInv: true}, tcp, false},
		{"nw_proto", topology.Condition{NwProto: 6}, tcp, true},
		{"nw_proto inverted", topology.Condition{NwProto: 6, NwProtoInv: true}, tcp, false},
		{"dl_type", topology.Condition{DlType: 0x0800}, tcp, true},
		{"dl_type inverted", topology.Condition{DlType: 0x0806, InvDlType: true}, tcp, true},
		{"dl_src", topology.Condition{DlSrc: macP1.String()}, tcp, true},
		{"dl_dst inverted", topology.Condition{DlDst: macP2.String(), InvDlDst: true}, tcp, false},
		{"nw_src subnet", topology.Condition{NwSrcIP: "10.9.0.0/24"}, tcp, true},
		{"nw_dst other subnet", topology.Condition{NwDstIP: "10.8.0.0/24"}, tcp, false},
		{"nw_dst other subnet inverted", topology.Condition{NwDstIP: "10.8.0.0/24", NwDstInv: true}, tcp, true},
		{"tp_dst in range", topology.Condition{TpDst: pr(80, 90)}, tcp, true},
		{"tp_dst out of range", topology.Condition{TpDst: pr(81, 90)}, tcp, false},
		{"tp_src inverted", topology.Condition{TpSrc: pr(1000, 1000), TpSrcInv: true}, tcp, false},
		{"conjunction_inv of a match", topology.Condition{NwProto: 6, ConjunctionInv: true}, tcp, false},
		{"conjunction_inv of a mismatch", topology.Condition{NwProto: 17, ConjunctionInv: true}, tcp, true},
		{"address group src", topology.Condition{IPAddrGroupSrc: tGrp}, tcp, true},
		{"address group dst", topology.Condition{IPAddrGroupDst: tGrp}, tcp, false},
		{"address group dst inverted", topology.Condition{IPAddrGroupDst: tGrp, InvIPAddrDst: true}, tcp, true},
		{"port group of the in-port", topology.Condition{PortGroupID: tPG}, tcp, true},
		{"in-port ids do not match in a port filter", topology.Condition{InPortIDs: []string{tP1}}, tcp, false},
		{"in-port ids inverted in a port filter", topology.Condition{InPortIDs: []string{tP1}, InPortInv: true}, tcp, true},
		{"return flow on a new connection", topology.Condition{MatchReturnFlow: true}, tcp, false},
		{"forward flow on a new connection", topology.Condition{MatchForwardFlow: true}, tcp, true},
		{"dst not rewritten", topology.Condition{NwDstRewritten: true}, tcp, false},
		{"ICMP type in tp_src", topology.Condition{NwProto: 1, TpSrc: pr(8, 8), TpDst: pr(0, 0)}, NewPing(macP1, macP2, ip("10.9.0.1"), ip("10.9.0.2"), 1, 1), true},
		{"ARP sender address is nw_src", topology.Condition{DlType: 0x0806, NwSrcIP: "10.9.0.1/32", FragmentPolicy: any},
			Packet{EthSrc: macP1, EthDst: macP2, EtherType: EtherARP, ARP: ARP{Op: ARPRequest, SenderIP: ip("10.9.0.1"), TargetIP: ip("10.9.0.2")}}, true},
		{"ARP has no L4 ports", topology.Condition{TpSrc: pr(68, 68), TpDst: pr(67, 67), FragmentPolicy: any},
			Packet{EthSrc: macP1, EthDst: macP2, EtherType: EtherARP, ARP: ARP{Op: ARPRequest, SenderIP: ip("10.9.0.1"), TargetIP: ip("10.9.0.2")}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := bareBridge(drop("r", 1, tc.cond))
			r := e.sim(tc.pkt, tP1)
			if tc.drop {
				expectDrop(t, r, DropRule)
			} else {
				expectForward(t, r, tP2)
			}
		})
	}
}

func TestChainSemantics(t *testing.T) {
	jump := func(id string, order int, from, to string) *topology.Rule {
		return &topology.Rule{Meta: topology.Meta{ID: id}, ChainID: from, Order: order, Type: topology.RuleJump, Action: topology.ActionJump, JumpChainID: to}
	}
	lit := func(id, chain string, order int, action string) *topology.Rule {
		return &topology.Rule{Meta: topology.Meta{ID: id}, ChainID: chain, Order: order, Type: topology.RuleLiteral, Action: action}
	}
	pkt := NewTCP(macP1, macP2, ip("10.9.0.1"), ip("10.9.0.2"), 1000, 80)
	cases := []struct {
		name  string
		rules []*topology.Rule
		drop  string // rule id expected to drop, "" = forwarded
	}{
		{"falling off is accept", nil, ""},
		{"order beats id", []*topology.Rule{lit("b", tChain, 1, topology.ActionAccept), lit("a", tChain, 2, topology.ActionDrop)}, ""},
		{"same order: id order", []*topology.Rule{lit("b", tChain, 1, topology.ActionAccept), lit("a", tChain, 1, topology.ActionDrop)}, "a"},
		{"RETURN continues after the jump", []*topology.Rule{jump("j", 1, tChain, tSub), lit("ret", tSub, 1, topology.ActionReturn),
			lit("never", tSub, 2, topology.ActionAccept), lit("d", tChain, 2, topology.ActionDrop)}, "d"},
		{"ACCEPT in a jumped chain ends all", []*topology.Rule{jump("j", 1, tChain, tSub), lit("acc", tSub, 1, topology.ActionAccept),
			lit("d", tChain, 2, topology.ActionDrop)}, ""},
		{"DROP in a jumped chain", []*topology.Rule{jump("j", 1, tChain, tSub), lit("d2", tSub, 1, topology.ActionDrop)}, "d2"},
		{"CONTINUE goes on", []*topology.Rule{lit("c", tChain, 1, topology.ActionContinue), lit("d", tChain, 2, topology.ActionDrop)}, "d"},
		{"a chain visited once: second jump skipped", []*topology.Rule{jump("j1", 1, tChain, tSub), jump("j2", 2, tChain, tSub),
			jump("back", 1, tSub, tChain), lit("d", tSub2, 1, topology.ActionDrop), jump("j3", 3, tChain, tSub2)}, "d"},
		{"jump to a missing chain is skipped", []*topology.Rule{jump("j", 1, tChain, "nope"), lit("d", tChain, 2, topology.ActionDrop)}, "d"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := bareBridge(tc.rules...)
			r := e.sim(pkt, tP1)
			if tc.drop == "" {
				expectForward(t, r, tP2)
				return
			}
			if d := expectDrop(t, r, DropRule); d.RuleID != tc.drop {
				t.Errorf("dropped by %s, want %s\n%s", d.RuleID, tc.drop, dump(r))
			}
		})
	}
}

func TestRoutingLoop(t *testing.T) {
	const (
		r1, r2 = "20000000-0000-4000-8000-000000000001", "20000000-0000-4000-8000-000000000002"
		edge   = "20000000-0000-4000-8000-0000000000e1"
		l1, l2 = "20000000-0000-4000-8000-0000000000a1", "20000000-0000-4000-8000-0000000000a2"
	)
	route := func(id, router, port string) *topology.Route {
		return &topology.Route{Meta: topology.Meta{ID: id}, RouterID: router, SrcSubnet: "0.0.0.0/0", DstSubnet: "0.0.0.0/0", NextHop: topology.NextHopPort, NextHopPortID: port}
	}
	objs := []topology.Object{
		&topology.Router{Meta: topology.Meta{ID: r1}, AdminStateUp: true},
		&topology.Router{Meta: topology.Meta{ID: r2}, AdminStateUp: true},
		&topology.Port{Meta: topology.Meta{ID: edge}, RouterID: r1, AdminStateUp: true, HostID: "h", InterfaceName: "eth0",
			PortMAC: "02:00:00:00:0e:01", PortAddress: "198.51.100.1", PortSubnets: []string{"198.51.100.1/24"}},
		&topology.Port{Meta: topology.Meta{ID: l1}, RouterID: r1, AdminStateUp: true, PeerID: l2, PortMAC: "02:00:00:00:0a:01", PortAddress: "169.254.0.1", PortSubnets: []string{"169.254.0.1/30"}},
		&topology.Port{Meta: topology.Meta{ID: l2}, RouterID: r2, AdminStateUp: true, PeerID: l1, PortMAC: "02:00:00:00:0a:02", PortAddress: "169.254.0.2", PortSubnets: []string{"169.254.0.2/30"}},
		route("30000000-0000-4000-8000-000000000001", r1, l1),
		route("30000000-0000-4000-8000-000000000002", r2, l2),
	}
	e := &env{topo: NewTopology(objs), st: NewState()}
	r := e.sim(NewTCP(MustMAC("02:00:00:00:99:99"), MustMAC("02:00:00:00:0e:01"), ip("198.51.100.7"), internet, 1, 2), edge)
	expectDrop(t, r, DropLoop)
}

// TestRouteSelection: longest prefix, then source match, then lowest weight; equal routes
// spread flows (ECMP) and a flow always takes the same one.
func TestRouteSelection(t *testing.T) {
	const (
		r1             = "21000000-0000-4000-8000-000000000001"
		in, e1, e2, e3 = "21000000-0000-4000-8000-0000000000a0", "21000000-0000-4000-8000-0000000000a1", "21000000-0000-4000-8000-0000000000a2", "21000000-0000-4000-8000-0000000000a3"
	)
	edge := func(id, mac, addr string) *topology.Port {
		return &topology.Port{Meta: topology.Meta{ID: id}, RouterID: r1, AdminStateUp: true, HostID: "h", InterfaceName: "if-" + id[len(id)-2:],
			PortMAC: mac, PortAddress: addr, PortSubnets: []string{addr + "/24"}}
	}
	route := func(id, src, dst, port, gw string, weight int) *topology.Route {
		return &topology.Route{Meta: topology.Meta{ID: id}, RouterID: r1, SrcSubnet: src, DstSubnet: dst, NextHop: topology.NextHopPort,
			NextHopPortID: port, NextHopGateway: gw, Weight: weight}
	}
	objs := []topology.Object{
		&topology.Router{Meta: topology.Meta{ID: r1}, AdminStateUp: true},
		edge(in, "02:00:00:00:a0:00", "10.10.0.1"), edge(e1, "02:00:00:00:a1:00", "10.11.0.1"),
		edge(e2, "02:00:00:00:a2:00", "10.12.0.1"), edge(e3, "02:00:00:00:a3:00", "10.13.0.1"),
		route("31000000-0000-4000-8000-000000000001", "0.0.0.0/0", "0.0.0.0/0", e1, "10.11.0.254", 100),
		route("31000000-0000-4000-8000-000000000002", "0.0.0.0/0", "0.0.0.0/0", e2, "10.12.0.254", 100),
		route("31000000-0000-4000-8000-000000000003", "0.0.0.0/0", "0.0.0.0/0", e3, "10.13.0.254", 200), // heavier: never used
		route("31000000-0000-4000-8000-000000000004", "10.10.0.128/25", "203.0.113.0/24", e3, "10.13.0.254", 100),
	}
	e := &env{topo: NewTopology(objs), st: NewState()}
	for _, gw := range []string{"10.11.0.254", "10.12.0.254", "10.13.0.254"} {
		e.st.SetARP(r1, ip(gw), MustMAC("02:00:00:00:ff:01"))
	}
	client, router := MustMAC("02:00:00:00:99:99"), MustMAC("02:00:00:00:a0:00")
	used := map[string]int{}
	for i := 0; i < 64; i++ {
		pkt := NewTCP(client, router, ip("10.10.0.5"), internet, uint16(1000+i), 443)
		r := e.sim(pkt, in)
		if r.Verdict != Forwarded {
			t.Fatalf("flow %d:\n%s", i, dump(r))
		}
		used[r.Egress[0].PortID]++
		if again := e.sim(pkt, in); again.Egress[0].PortID != r.Egress[0].PortID {
			t.Errorf("flow %d changed path", i)
		}
	}
	if used[e1] == 0 || used[e2] == 0 || used[e3] != 0 {
		t.Errorf("ECMP spread = %v", used)
	}
	// The /24 with a source only applies to sources in 10.10.0.128/25.
	expectForward(t, e.sim(NewTCP(client, router, ip("10.10.0.200"), ip("203.0.113.9"), 1, 2), in), e3)
	if r := e.sim(NewTCP(client, router, ip("10.10.0.5"), ip("203.0.113.9"), 1, 2), in); r.Egress[0].PortID == e3 {
		t.Errorf("source-restricted route used for another source")
	}
}
