package simulation_test

import (
	"testing"

	"github.com/midonet-go/midonet/test/testenv"
)

// TestTaaSThroughTheAPI: tap services and flows made through the API reach the agent: a BOTH
// flow on vm1 copies a ping vm1 → vm2 and its answer vm2 → vm1 to the monitor's port, an IN
// flow only what vm1 receives; the trace lists the mirror as a hop; deleting the flow stops
// the copies.
func TestTaaSThroughTheAPI(t *testing.T) {
	a := &api{t: t, srv: testenv.StartServer(t, testenv.Options{})}
	net := a.network("taas-net", false)
	a.subnet(net, "10.6.0.0/24", nil)
	vm1 := a.vm("taas-vm1", net, "10.6.0.10")
	a.vm("taas-vm2", net, "10.6.0.11")
	mon := a.vm("taas-mon", net, "10.6.0.99")
	ts := a.call("POST", "taas/tap_services", map[string]any{"tap_service": map[string]any{"port_id": mon, "tenant_id": "sim"}})["tap_service"].(map[string]any)["id"].(string)
	flow := func(dir string) string {
		return a.call("POST", "taas/tap_flows", map[string]any{"tap_flow": map[string]any{"tap_service_id": ts, "source_port": vm1, "direction": dir, "tenant_id": "sim"}})["tap_flow"].(map[string]any)["id"].(string)
	}
	// check traces both directions of the ping and the copies each makes.
	check := func(what string, wantOut, wantIn bool) {
		t.Helper()
		out := a.trace(t, "--from-port", "taas-vm1", "--dst", "10.6.0.11", "--proto", "icmp")
		in := a.trace(t, "--from-port", "taas-vm2", "--dst", "10.6.0.10", "--proto", "icmp")
		for _, c := range []struct {
			dir      string
			r        traceOut
			want     bool
			src, dst string
		}{{"vm1 → vm2", out, wantOut, "10.6.0.10", "10.6.0.11"}, {"vm2 → vm1", in, wantIn, "10.6.0.11", "10.6.0.10"}} {
			if c.r.Verdict != "forwarded" {
				t.Fatalf("%s %s: verdict %s, drop %+v", what, c.dir, c.r.Verdict, c.r.Drop)
			}
			hop := false
			for _, h := range c.r.Hops {
				hop = hop || (h["device_type"] == "mirror" && h["device"] == ts)
			}
			got := len(c.r.Mirrored) == 1 && c.r.Mirrored[0].PortID == mon && c.r.Mirrored[0].Packet.IP.Src == c.src && c.r.Mirrored[0].Packet.IP.Dst == c.dst
			if got != c.want || hop != c.want || (!c.want && len(c.r.Mirrored) != 0) {
				t.Errorf("%s %s: mirrored %+v (mirror hop %v), want a copy to the monitor: %v", what, c.dir, c.r.Mirrored, hop, c.want)
			}
		}
	}
	settle()
	check("no flow", false, false)
	both := flow("BOTH")
	settle()
	check("BOTH", true, true)
	a.call("DELETE", "taas/tap_flows/"+both, nil)
	flow("IN")
	settle()
	check("IN", false, true)
	// The monitor port goes: its service and the flow go, and so do the copies.
	a.call("DELETE", "ports/"+mon, nil)
	settle()
	check("monitor port deleted", false, false)
}
