package sim

import (
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

// The base world's router rtr made a VTEP (router_vtep gateway device, tunnel IP
// 172.24.4.100 on the external subnet) with network B connected on VNI 5000, and one remote
// MAC behind VTEP 203.0.113.7 on that VNI: the objects the gateway-device and L2 gateway
// translators write.
var (
	macRemote = MustMAC("fa:16:3e:77:00:01")
	vtepAddr  = ip("203.0.113.7")
	tunnelIP  = ip("172.24.4.100")
)

const vni = 5000

func vtepEnv(t *testing.T) *env {
	t.Helper()
	objs := translateAll(baseWorld())
	np, gp := topology.L2GWNetworkPortID(netB), topology.L2GWGatewayPortID(netB)
	objs = append(objs,
		&topology.GatewayDevice{Meta: topology.Meta{ID: "d0000000-0000-4000-8000-000000000001"}, Type: "router_vtep", RouterID: rtr,
			TunnelIPs: []string{tunnelIP.String()}},
		&topology.RemoteMacEntry{Meta: topology.Meta{ID: "e1"}, DeviceID: "d0000000-0000-4000-8000-000000000001",
			MAC: macRemote.String(), VtepAddress: vtepAddr.String(), VNI: vni},
		&topology.Port{Meta: topology.Meta{ID: np}, NetworkID: netB, PeerID: gp, AdminStateUp: true, MAC: "02:00:00:00:00:01"},
		&topology.Port{Meta: topology.Meta{ID: gp}, RouterID: rtr, PeerID: np, AdminStateUp: true, PortMAC: "02:00:00:00:00:02",
			VNI: vni, TunnelIP: tunnelIP.String()},
		&topology.MacEntry{Meta: topology.Meta{ID: topology.L2GWRemoteMacEntryID(netB, "e1")}, NetworkID: netB,
			MAC: macRemote.String(), PortID: np},
	)
	topo := NewTopology(objs)
	for _, w := range topo.Warnings() {
		t.Logf("topology warning: %s", w)
	}
	e := &env{t: t, topo: topo, st: NewState()}
	e.st.SetARP(rtr, ip("172.24.4.1"), macUp)
	e.st.LearnMAC(extNet, macUp, 0, upstream)
	return e
}

// TestVtepRemoteMacToVtep: a frame from vmB for a remote MAC crosses network B to the VTEP
// router, which sends it to the remote MAC's VTEP in VXLAN: from its tunnel IP, UDP 4789,
// VNI = the connection's segmentation id, routed out of its gateway to the upstream router,
// the frame unchanged inside, and no SNAT on the outer packet.
func TestVtepRemoteMacToVtep(t *testing.T) {
	e := vtepEnv(t)
	in := NewTCP(macB, macRemote, ip("10.0.1.5"), ip("10.0.1.50"), 40000, 22)
	r := e.sim(in, vmB)
	out := expectForward(t, r, upstream)
	if out.IP.Src != tunnelIP || out.IP.Dst != vtepAddr || out.IP.Proto != ProtoUDP || out.DstPort != VXLANPort || out.VNI != vni {
		t.Fatalf("outer packet %s, want %s > %s udp %d vni %d", out, tunnelIP, vtepAddr, VXLANPort, vni)
	}
	if out.SrcPort < 49152 || out.EthSrc != macGw || out.EthDst != macUp || out.IP.TTL != 63 {
		t.Errorf("outer headers %s (source port %d)", out, out.SrcPort)
	}
	if out.Inner == nil || *out.Inner != in {
		t.Fatalf("inner frame %v, want %s", out.Inner, in)
	}
	found := false
	for _, h := range r.Trace {
		found = found || strings.Contains(h.Note, "VXLAN encapsulation") && strings.Contains(h.Note, "VNI 5000") && strings.Contains(h.Note, vtepAddr.String())
	}
	if !found {
		t.Errorf("trace does not show the encapsulation:\n%s", dump(r))
	}
	// A MAC the router has no entry for never reaches it (network B floods it elsewhere).
	r = e.sim(NewTCP(macB, MustMAC("fa:16:3e:77:00:99"), ip("10.0.1.5"), ip("10.0.1.51"), 40000, 22), vmB)
	for _, x := range r.Egress {
		if x.PortID == upstream {
			t.Errorf("a frame for an unknown MAC left towards a VTEP:\n%s", dump(r))
		}
	}
}

// TestVtepDeliversArrivingVXLAN: a VXLAN packet from the VTEP to the router's tunnel IP with
// VNI 5000 is decapsulated and its frame delivered to vmB on network B; an unknown VNI or a
// sender that is no VTEP of the VNI is dropped.
func TestVtepDeliversArrivingVXLAN(t *testing.T) {
	e := vtepEnv(t)
	inner := NewTCP(macRemote, macB, ip("10.0.1.50"), ip("10.0.1.5"), 40000, 22)
	vx := func(src string, v uint32) Packet {
		p := NewUDP(macUp, macGw, ip(src), tunnelIP, 50000, VXLANPort)
		p.VNI = v
		f := inner
		p.Inner = &f
		return p
	}
	r := e.sim(vx(vtepAddr.String(), vni), upstream)
	out := expectForward(t, r, vmB)
	if out != inner {
		t.Errorf("delivered %s, want the inner frame %s", out, inner)
	}
	if d := expectDrop(t, e.sim(vx(vtepAddr.String(), 5001), upstream), DropNoEgress); !strings.Contains(d.Reason, "VNI 5001") {
		t.Errorf("unknown VNI: %+v", d)
	}
	if d := expectDrop(t, e.sim(vx("198.51.100.66", vni), upstream), DropNoEgress); !strings.Contains(d.Reason, "not a VTEP") {
		t.Errorf("unknown VTEP: %+v", d)
	}
	// A tunnel IP that is not a router port's address is not claimed on the network: ARP
	// for it is not answered by the topology (the underlay routes it to the router).
	r = e.sim(NewARPRequest(macUp, ip("172.24.4.1"), tunnelIP), upstream)
	if len(r.Generated) != 0 {
		t.Errorf("ARP for the tunnel IP answered:\n%s", dump(r))
	}
}
