package sim

import (
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

// A trunk on vmA (network a) with one subport on network b, VLAN 7, in the "web" group
// (ingress TCP 22 only, egress anything).
const subB7 = "b7000000-0000-4000-8000-000000000007"

var macSub = MustMAC("fa:16:3e:00:07:07")

func trunkEnv(t *testing.T) *env {
	w := baseWorld()
	sub := vmPort(subB7, netB, subB, "10.0.1.70", macSub, sgWeb)
	sub["device_owner"], sub["device_id"], sub["binding:host_id"] = "trunk:subport", "trunk-1", ""
	w.Put("ports", sub)
	objs := append(translateAll(w), &topology.TrunkSubport{Meta: topology.Meta{ID: subB7}, TrunkID: "trunk-1", ParentPortID: vmA, PortID: subB7, VLAN: 7})
	e := &env{t: t, topo: NewTopology(objs), st: NewState()}
	for _, warn := range e.topo.Warnings() {
		t.Logf("topology warning: %s", warn)
	}
	return e
}

func tagged(p Packet, vlan uint16) Packet {
	p.VLAN = vlan
	return p
}

// TestTrunkSubportIngressEgress: a frame tagged 7 on the parent's interface is the subport's:
// it reaches vmB on network b untagged; the reply leaves through the parent tagged 7.
func TestTrunkSubportIngressEgress(t *testing.T) {
	e := trunkEnv(t)
	if got := e.topo.Subport(vmA, 7); got != subB7 {
		t.Fatalf("Subport(vmA, 7) = %q", got)
	}
	out := expectForward(t, e.sim(tagged(NewTCP(macSub, macB, ip("10.0.1.70"), ip("10.0.1.5"), 40000, 22), 7), vmA), vmB)
	if out.VLAN != 0 {
		t.Errorf("frame reached vmB with VLAN %d; want untagged", out.VLAN)
	}
	back := expectForward(t, e.sim(NewTCP(macB, macSub, ip("10.0.1.5"), ip("10.0.1.70"), 22, 40000), vmB), vmA)
	if back.VLAN != 7 || back.EthDst != macSub {
		t.Errorf("reply left through the parent with VLAN %d to %s; want VLAN 7 to %s", back.VLAN, back.EthDst, macSub)
	}
	// Untagged frames on the parent are still the parent's own (network a).
	expectForward(t, e.sim(NewTCP(macA, macA2, ip("10.0.0.5"), ip("10.0.0.6"), 40000, 22), vmA), vmA2)
}

// TestTrunkSubportFiltering: the subport's own groups and anti-spoofing apply, not the
// parent's; a VLAN the trunk does not carry is dropped.
func TestTrunkSubportFiltering(t *testing.T) {
	e := trunkEnv(t)
	// New TCP 80 towards the subport: its group admits only 22.
	d := expectDrop(t, e.sim(NewTCP(macB, macSub, ip("10.0.1.5"), ip("10.0.1.70"), 41000, 80), vmB), DropRule)
	if d.PortID != subB7 {
		t.Errorf("dropped at port %s; want the subport's filter", short(d.PortID))
	}
	// TCP 22 towards the subport passes, out of the parent tagged.
	if out := expectForward(t, e.sim(NewTCP(macB, macSub, ip("10.0.1.5"), ip("10.0.1.70"), 41001, 22), vmB), vmA); out.VLAN != 7 {
		t.Errorf("VLAN %d; want 7", out.VLAN)
	}
	// The subport may not send from another address (anti-spoofing), nor use the parent's.
	expectDrop(t, e.sim(tagged(NewTCP(macSub, macB, ip("10.0.1.99"), ip("10.0.1.5"), 40000, 22), 7), vmA), DropAntiSpoof)
	expectDrop(t, e.sim(tagged(NewTCP(macA, macB, ip("10.0.0.5"), ip("10.0.1.5"), 40000, 22), 7), vmA), DropAntiSpoof)
	// VLAN 8: no subport.
	expectDrop(t, e.sim(tagged(NewTCP(macSub, macB, ip("10.0.1.70"), ip("10.0.1.5"), 40000, 22), 8), vmA), DropProtocol)
}

// TestTrunkSubportARP: an ARP request of the subport is answered through the parent, tagged.
func TestTrunkSubportARP(t *testing.T) {
	e := trunkEnv(t)
	req := Packet{EthSrc: macSub, EthDst: BroadcastMAC, EtherType: EtherARP, VLAN: 7,
		ARP: ARP{Op: ARPRequest, SenderMAC: macSub, SenderIP: ip("10.0.1.70"), TargetIP: ip("10.0.1.5")}}
	r := e.sim(req, vmA)
	if len(r.Generated) != 1 || r.Generated[0].PortID != vmA || r.Generated[0].Packet.VLAN != 7 || r.Generated[0].Packet.ARP.SenderMAC != macB {
		t.Fatalf("want an ARP reply for 10.0.1.5 out of the parent on VLAN 7:\n%s", dump(r))
	}
}
