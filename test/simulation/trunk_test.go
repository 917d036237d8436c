package simulation_test

import (
	"strings"
	"testing"

	"github.com/midonet-go/midonet/test/testenv"
)

// TestTrunkThroughTheAPI: a trunk made through the API carries a subport on VLAN 7. A ping
// tagged 7 on the parent port's interface is the subport's: it reaches a VM on the subport's
// network from the subport's address; the subport's own security group (TCP 22 only)
// decides what reaches it, and what it receives leaves through the parent tagged 7; its
// anti-spoofing holds; VLANs the trunk does not carry, and VLAN 7 after remove_subports,
// are not the subport's (dropped, or the parent's own tagged frames).
func TestTrunkThroughTheAPI(t *testing.T) {
	a := &api{t: t, srv: testenv.StartServer(t, testenv.Options{})}
	net1, net2 := a.network("trunk-net1", false), a.network("trunk-net2", false)
	a.subnet(net1, "10.0.1.0/24", nil)
	a.subnet(net2, "10.0.2.0/24", nil)
	ping := a.create("security-groups", "security_group", map[string]any{"name": "ping"})["id"].(string)
	a.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": ping, "direction": "ingress", "ethertype": "IPv4", "protocol": "icmp"})
	ssh := a.create("security-groups", "security_group", map[string]any{"name": "ssh"})["id"].(string)
	a.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": ssh, "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22})
	parent := a.vm("parent", net1, "10.0.1.10", ping)
	target := a.vm("target", net2, "10.0.2.20", ping)
	sub := a.create("ports", "port", map[string]any{"name": "sub", "network_id": net2, "security_groups": []any{ssh},
		"fixed_ips": []any{map[string]any{"ip_address": "10.0.2.30"}}})["id"].(string)
	trunk := a.create("trunks", "trunk", map[string]any{"port_id": parent, "sub_ports": []any{
		map[string]any{"port_id": sub, "segmentation_type": "vlan", "segmentation_id": 7}}})["id"].(string)
	settle()

	t.Run("a tagged ping is the subport's and reaches its network", func(t *testing.T) {
		r := a.trace(t, "--from-port", "parent", "--vlan", "7", "--dst", "10.0.2.20")
		forwardedTo(t, r, target, "10.0.2.30", "10.0.2.20")
		if v := r.Egress[0].Packet.VLAN; v != 0 {
			t.Errorf("the VM on the subport's network got VLAN %d; want untagged", v)
		}
	})
	t.Run("untagged frames stay the parent's", func(t *testing.T) {
		r := a.trace(t, "--from-port", "parent", "--dst", "10.0.2.20")
		if r.Verdict == "forwarded" && r.Egress[0].PortID == target {
			t.Fatalf("an untagged frame of the parent reached network 2 directly: %+v", r.Egress)
		}
	})
	t.Run("the subport's group filters what reaches it, out of the parent tagged", func(t *testing.T) {
		r := a.trace(t, "--from-port", "target", "--dst", "10.0.2.30", "--proto", "tcp", "--dport", "22")
		forwardedTo(t, r, parent, "10.0.2.20", "10.0.2.30")
		if v := r.Egress[0].Packet.VLAN; v != 7 {
			t.Errorf("the subport's frame left the parent with VLAN %d; want 7", v)
		}
		r = a.trace(t, "--from-port", "target", "--dst", "10.0.2.30", "--proto", "tcp", "--dport", "80")
		if r.Verdict != "dropped" || r.Drop == nil || r.Drop.Kind != "rule" || r.Drop.SecurityGroupID != ssh {
			t.Fatalf("TCP 80 to the subport: verdict %s drop %+v; want a rule drop of group ssh", r.Verdict, r.Drop)
		}
		// The parent's own group (ICMP) does not open the subport: a ping to it is dropped.
		r = a.trace(t, "--from-port", "target", "--dst", "10.0.2.30")
		if r.Verdict != "dropped" || r.Drop == nil || r.Drop.SecurityGroupID != ssh {
			t.Fatalf("ping to the subport: verdict %s drop %+v; want dropped by group ssh", r.Verdict, r.Drop)
		}
	})
	t.Run("the subport's anti-spoofing", func(t *testing.T) {
		r := a.trace(t, "--from-port", "parent", "--vlan", "7", "--dst", "10.0.2.20", "--src-ip", "10.0.2.99")
		if r.Verdict != "dropped" || r.Drop == nil || r.Drop.Kind != "anti-spoof" {
			t.Fatalf("spoofed source on VLAN 7: verdict %s drop %+v", r.Verdict, r.Drop)
		}
	})
	t.Run("a VLAN the trunk does not carry", func(t *testing.T) {
		r := a.trace(t, "--from-port", "parent", "--vlan", "8", "--dst", "10.0.2.20")
		if r.Verdict != "dropped" || r.Drop == nil || r.Drop.Kind != "protocol" || !strings.Contains(r.Drop.Reason, "VLAN 8") {
			t.Fatalf("VLAN 8: verdict %s drop %+v", r.Verdict, r.Drop)
		}
	})
	t.Run("after remove_subports VLAN 7 is gone", func(t *testing.T) {
		a.call("PUT", "trunks/"+trunk+"/remove_subports", map[string]any{"sub_ports": []any{map[string]any{"port_id": sub}}})
		settle()
		r := a.trace(t, "--from-port", "parent", "--vlan", "7", "--dst", "10.0.2.20")
		// Without a trunk the frame is the parent's own, tagged on network 1 (MidoNet's
		// VLAN-aware bridge): it never reaches network 2.
		for _, e := range r.Egress {
			if e.PortID == target {
				t.Fatalf("VLAN 7 after remove_subports still reaches network 2: %+v", r.Egress)
			}
		}
		if r.Hops[0]["port"] != parent {
			t.Errorf("first hop %v; want the parent port", r.Hops[0])
		}
	})
}
