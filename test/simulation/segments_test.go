package simulation_test

import (
	"testing"

	"github.com/midonet-go/midonet/test/testenv"
)

// TestProviderNetworksCarryTraffic: a project network of type vxlan (its VNI from
// vni_ranges) and an admin's vlan network are MidoNet overlay bridges like midonet
// networks: through the API, the cluster's translation and the agent's simulation, TCP
// between two VMs of each reaches the other VM, nothing leaks to the other network, and DHCP
// tells each VM its network's MTU (1450 for vxlan, the physical network's 1500 for vlan).
func TestProviderNetworksCarryTraffic(t *testing.T) {
	a := &api{t: t, srv: testenv.StartServer(t, testenv.Options{Config: "[DEFAULT]\nauth_strategy = noauth\n" +
		"[ml2]\ntenant_network_types = vxlan\n[ml2_type_vxlan]\nvni_ranges = 500:510\n[ml2_type_vlan]\nnetwork_vlan_ranges = physnet1:100:110\n"})}
	vx := a.create("networks", "network", map[string]any{"name": "vx"})
	if vx["provider:network_type"] != "vxlan" || vx["mtu"] == nil {
		t.Fatalf("project network %v", vx)
	}
	vl := a.create("networks", "network", map[string]any{"name": "vl", "provider:network_type": "vlan", "provider:physical_network": "physnet1"})
	nets := []struct {
		name, id, cidr, a, b string
		mtu                  int
	}{
		{"vxlan", vx["id"].(string), "10.0.5.0/24", "10.0.5.10", "10.0.5.11", 1450},
		{"vlan", vl["id"].(string), "10.0.6.0/24", "10.0.6.10", "10.0.6.11", 1500},
	}
	ports := map[string]string{}
	for _, n := range nets {
		a.subnet(n.id, n.cidr, nil)
		ports[n.name+"-a"] = a.vm(n.name+"-a", n.id, n.a)
		ports[n.name+"-b"] = a.vm(n.name+"-b", n.id, n.b)
	}
	settle()
	for _, n := range nets {
		t.Run(n.name, func(t *testing.T) {
			r := a.trace(t, "--from-port", n.name+"-a", "--dst", n.b, "--proto", "tcp", "--dport", "22")
			if r.Verdict != "forwarded" || len(r.Egress) != 1 || r.Egress[0].PortID != ports[n.name+"-b"] || r.Egress[0].Packet.IP.Dst != n.b {
				t.Fatalf("%s-a → %s: verdict %s egress %+v drop %+v; want forwarded to %s-b", n.name, n.b, r.Verdict, r.Egress, r.Drop, n.name)
			}
			d := a.trace(t, "--from-port", n.name+"-a", "--dhcp")
			if len(d.Generated) != 1 || d.Generated[0].Packet.DHCP == nil || d.Generated[0].Packet.DHCP.MTU != n.mtu {
				t.Fatalf("DHCP on the %s network: %+v; want an offer with MTU %d", n.name, d.Generated, n.mtu)
			}
		})
	}
	// The two networks are two bridges: the vxlan VM does not reach the vlan one's address.
	r := a.trace(t, "--from-port", "vxlan-a", "--dst", "10.0.6.11", "--proto", "tcp", "--dport", "22")
	for _, e := range r.Egress {
		if e.PortID == ports["vlan-b"] || e.PortID == ports["vlan-a"] {
			t.Errorf("vxlan-a reached %s on the vlan network: %+v", e.PortID, r.Egress)
		}
	}
}
