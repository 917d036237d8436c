package simulation_test

import (
	"slices"
	"testing"

	"github.com/midonet-go/midonet/test/testenv"
)

// TestMeteringLabels: metering labels made through the API count what their project's
// routers forward through the gateway — egress by destination (remote_ip_prefix), with an
// excluded prefix, ingress by source — a shared label of another project counts on every
// router and a private one only on its project's, source and destination prefixes combine,
// and a deleted rule or label stops counting. The labels a packet counts on are the trace's
// `meters`, what the datapath adds packets and bytes to.
func TestMeteringLabels(t *testing.T) {
	a := &api{t: t, srv: testenv.StartServer(t, testenv.Options{})}
	ext := a.network("ext", true)
	a.subnet(ext, "172.24.4.0/24", map[string]any{"gateway_ip": "172.24.4.1"})
	a.create("ports", "port", map[string]any{"name": "upstream", "network_id": ext, "device_owner": "compute:nova",
		"port_security_enabled": false, "fixed_ips": []any{map[string]any{"ip_address": "172.24.4.1"}}})
	net := a.network("net", false)
	sub := a.subnet(net, "10.0.1.0/24", nil)
	router := a.create("routers", "router", map[string]any{"name": "r", "external_gateway_info": map[string]any{"network_id": ext}})["id"].(string)
	a.call("PUT", "routers/"+router+"/add_router_interface", map[string]any{"subnet_id": sub})
	vm1 := a.vm("vm1", net, "10.0.1.10")
	a.vm("vm2", net, "10.0.1.20")
	fip := a.create("floatingips", "floatingip", map[string]any{"floating_network_id": ext, "port_id": vm1})["floating_ip_address"].(string)

	label := func(project, name string, shared bool) string {
		return a.call("POST", "metering/metering-labels", map[string]any{"metering_label": map[string]any{
			"name": name, "tenant_id": project, "shared": shared}})["metering_label"].(map[string]any)["id"].(string)
	}
	rule := func(label string, body map[string]any) string {
		body["metering_label_id"] = label
		return a.call("POST", "metering/metering-label-rules", map[string]any{"metering_label_rule": body})["metering_label_rule"].(map[string]any)["id"].(string)
	}
	out := label("sim", "out", false)
	rule(out, map[string]any{"direction": "egress", "remote_ip_prefix": "0.0.0.0/0"})
	quad4 := rule(out, map[string]any{"direction": "egress", "remote_ip_prefix": "8.8.4.0/24", "excluded": true})
	in := label("sim", "in", false)
	rule(in, map[string]any{"direction": "ingress", "source_ip_prefix": "172.24.4.0/24"})
	private := label("other", "someone else's", false)
	rule(private, map[string]any{"direction": "egress", "remote_ip_prefix": "0.0.0.0/0"})
	shared := label("other", "shared", true)
	rule(shared, map[string]any{"direction": "egress", "source_ip_prefix": "10.0.1.10/32", "destination_ip_prefix": "8.8.8.8/32"})
	settle()

	meters := func(t *testing.T, from, dst string, want ...string) {
		t.Helper()
		r := a.trace(t, "--from-port", from, "--dst", dst, "--proto", "udp", "--dport", "53")
		got := slices.Clone(r.Meters)
		slices.Sort(got)
		want = slices.Clone(want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("%s → %s counted by %v, want %v (verdict %s)", from, dst, got, want, r.Verdict)
		}
	}
	t.Run("egress", func(t *testing.T) {
		meters(t, "vm1", "8.8.8.8", out, shared) // the shared label's source and destination
		meters(t, "vm2", "8.8.8.8", out)         // not the shared label's source
		meters(t, "vm1", "8.8.4.4")              // excluded from "out", not the shared label's destination
		meters(t, "vm1", "10.0.1.20")            // not through the router
	})
	t.Run("ingress to a floating IP, before the VM's groups decide", func(t *testing.T) {
		r := a.trace(t, "--from-port", "upstream", "--dst", fip, "--proto", "tcp", "--dport", "22")
		if !slices.Equal(r.Meters, []string{in}) {
			t.Fatalf("upstream → %s counted by %v, want [%s]", fip, r.Meters, in)
		}
	})
	t.Run("a deleted excluded rule and a deleted label", func(t *testing.T) {
		a.call("DELETE", "metering/metering-label-rules/"+quad4, nil)
		a.call("DELETE", "metering/metering-labels/"+shared, nil)
		settle()
		meters(t, "vm1", "8.8.4.4", out)
		meters(t, "vm1", "8.8.8.8", out)
	})
}
