package simulation_test

import (
	"strings"
	"testing"

	"github.com/midonet-go/midonet/test/testenv"
)

// TestQoSThroughTheAPI: a QoS policy made through the API reaches the agent: a VM port bound
// to it sends packets with its DSCP mark, and the trace names the policy's rules.
func TestQoSThroughTheAPI(t *testing.T) {
	a := &api{t: t, srv: testenv.StartServer(t, testenv.Options{})}
	net := a.network("qos-net", false)
	a.subnet(net, "10.5.0.0/24", nil)
	policy := a.call("POST", "qos/policies", map[string]any{"policy": map[string]any{"name": "gold", "tenant_id": "sim"}})["policy"].(map[string]any)["id"].(string)
	a.call("POST", "qos/policies/"+policy+"/dscp_marking_rules", map[string]any{"dscp_marking_rule": map[string]any{"dscp_mark": 26}})
	a.call("POST", "qos/policies/"+policy+"/bandwidth_limit_rules", map[string]any{"bandwidth_limit_rule": map[string]any{"max_kbps": 10000, "max_burst_kbps": 1000}})
	vm1 := a.vm("qos-vm1", net, "10.5.0.10")
	a.vm("qos-vm2", net, "10.5.0.11")
	a.call("PUT", "ports/"+vm1, map[string]any{"port": map[string]any{"qos_policy_id": policy}})
	settle()
	r := a.trace(t, "--from-port", "qos-vm1", "--dst", "10.5.0.11", "--proto", "tcp", "--dport", "22")
	if r.Verdict != "forwarded" || len(r.Egress) != 1 {
		t.Fatalf("verdict %s, egress %+v, drop %+v", r.Verdict, r.Egress, r.Drop)
	}
	var notes []string
	for _, h := range r.Hops {
		if n, _ := h["note"].(string); strings.Contains(n, "qos policy "+policy) {
			notes = append(notes, n)
		}
	}
	if len(notes) != 2 || !strings.Contains(notes[0], "dscp mark 26") || !strings.Contains(notes[1], "within 10000 kbps") {
		t.Errorf("trace notes of the policy %v, want the DSCP mark and the limit", notes)
	}
	if r.Egress[0].Packet.IP.TOS != 104 {
		t.Errorf("egress TOS %d, want DSCP 26 (104)", r.Egress[0].Packet.IP.TOS)
	}
	// Unbinding the policy stops the marking.
	a.call("PUT", "ports/"+vm1, map[string]any{"port": map[string]any{"qos_policy_id": nil}})
	settle()
	if r := a.trace(t, "--from-port", "qos-vm1", "--dst", "10.5.0.11", "--proto", "tcp", "--dport", "22"); len(r.Egress) != 1 || r.Egress[0].Packet.IP.TOS != 0 {
		t.Errorf("after unbinding, egress %+v, want an unmarked packet", r.Egress)
	}
}
