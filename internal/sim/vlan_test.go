package sim

import (
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

// A network_vlan connection (backend facts 2.12, 4.4.6): network A's L2GW port linked to
// an access port (VLAN 100) of a VLAN-aware network whose exterior trunk port leads to the
// physical switch.
const (
	vlanNet   = "0c000000-0000-4000-8000-00000000000c"
	trunkPort = "c0000000-0000-4000-8000-000000000001"
)

var macBehindTrunk = MustMAC("fa:16:3e:99:00:01")

func vlanEnv(t *testing.T) *env {
	t.Helper()
	objs := translateAll(baseWorld())
	np, gp := topology.L2GWNetworkPortID(netA), topology.L2GWGatewayPortID(netA)
	objs = append(objs,
		&topology.Network{Meta: topology.Meta{ID: vlanNet}, AdminStateUp: true},
		&topology.Port{Meta: topology.Meta{ID: trunkPort}, NetworkID: vlanNet, AdminStateUp: true, HostID: "gw-1", InterfaceName: "trunk0"},
		&topology.Port{Meta: topology.Meta{ID: np}, NetworkID: netA, PeerID: gp, AdminStateUp: true},
		&topology.Port{Meta: topology.Meta{ID: gp}, NetworkID: vlanNet, PeerID: np, AdminStateUp: true, VlanID: 100},
	)
	topo := NewTopology(objs)
	for _, w := range topo.Warnings() {
		t.Logf("topology warning: %s", w)
	}
	return &env{t: t, topo: topo, st: NewState()}
}

// TestNetworkVlanBridging: a frame from the trunk on VLAN 100 reaches network A untagged; a
// frame of network A for a MAC behind the trunk leaves the trunk tagged 100 (flooded first,
// then unicast once learned); another VLAN does not reach network A.
func TestNetworkVlanBridging(t *testing.T) {
	e := vlanEnv(t)
	in := NewTCP(macBehindTrunk, macAppl, ip("10.0.0.77"), ip("10.0.0.254"), 40000, 22)
	in.VLAN = 100
	out := expectForward(t, e.sim(in, trunkPort), applPort)
	if out.VLAN != 0 || out.EthSrc != macBehindTrunk {
		t.Errorf("delivered %s, want untagged from %s", out, macBehindTrunk)
	}
	// The appliance answers: unicast to the learned MAC, out of the trunk tagged 100.
	back := NewTCP(macAppl, macBehindTrunk, ip("10.0.0.254"), ip("10.0.0.77"), 22, 40000)
	r := e.sim(back, applPort)
	p := expectForward(t, r, trunkPort)
	if p.VLAN != 100 {
		t.Errorf("left the trunk as %s, want VLAN 100", p)
	}
	// VLAN 200 has no access port: it stays on the VLAN-aware network.
	other := in
	other.VLAN = 200
	r = e.sim(other, trunkPort)
	for _, x := range r.Egress {
		if x.PortID == applPort {
			t.Errorf("VLAN 200 reached network A:\n%s", dump(r))
		}
	}
	// A broadcast of network A reaches the trunk tagged too.
	arp := NewARPRequest(macAppl, ip("10.0.0.254"), ip("10.0.0.78"))
	r = e.sim(arp, applPort)
	tagged := false
	for _, x := range r.Egress {
		tagged = tagged || x.PortID == trunkPort && x.Packet.VLAN == 100
	}
	if !tagged {
		t.Errorf("network A's ARP broadcast did not leave the trunk on VLAN 100:\n%s", dump(r))
	}
}
