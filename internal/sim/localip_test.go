package sim

import (
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

// TestLocalIPTranslation: on vmA's host, the Local IP 10.0.0.99 is served by vmA2: ARP
// answers with vmA2's MAC, a connection to it reaches vmA2's address, and the answer comes
// back from the Local IP; vmA2 talking to the Local IP is not translated.
func TestLocalIPTranslation(t *testing.T) {
	objs := append(translateAll(baseWorld()), &topology.LocalIPEntry{Meta: topology.Meta{ID: "l"}, NetworkID: netA,
		LocalIP: "10.0.0.99", PortID: vmA2, FixedIP: "10.0.0.6", MAC: macA2.String(), HostID: "compute-1"})
	e := &env{t: t, topo: NewTopology(objs), st: NewState()}
	r := e.sim(NewARPRequest(macA, ip("10.0.0.5"), ip("10.0.0.99")), vmA)
	if r.Verdict != Consumed || len(r.Generated) != 1 || r.Generated[0].Packet.ARP.SenderMAC != macA2 {
		t.Fatalf("ARP for the Local IP:\n%s", dump(r))
	}
	in := expectForward(t, e.sim(NewTCP(macA, macA2, ip("10.0.0.5"), ip("10.0.0.99"), 40000, 22), vmA), vmA2)
	if in.IP.Dst != ip("10.0.0.6") || in.IP.Src != ip("10.0.0.5") {
		t.Fatalf("to the Local IP delivered as %s", in)
	}
	back := expectForward(t, e.sim(NewTCP(macA2, macA, ip("10.0.0.6"), ip("10.0.0.5"), 22, 40000), vmA2), vmA)
	if back.IP.Src != ip("10.0.0.99") {
		t.Errorf("answer leaves as %s, want from the Local IP", back)
	}
	// vmA2 itself: no NAT to itself (its packet goes out as sent).
	r = e.sim(NewTCP(macA2, macA2, ip("10.0.0.6"), ip("10.0.0.99"), 40001, 22), vmA2)
	for _, x := range r.Egress {
		if x.Packet.IP.Dst != ip("10.0.0.99") {
			t.Errorf("vmA2's own packet translated: %s", x.Packet)
		}
	}
}
