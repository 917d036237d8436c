package simulation_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/test/testenv"
)

// runTrace runs `midonet trace` (text unless args say --json) and returns stdout, stderr
// and the exit status.
func runTrace(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(testenv.Binary(t), append([]string{"trace"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return stdout.String(), stderr.String(), exit.ExitCode()
	case err != nil:
		t.Fatalf("midonet trace: %v", err)
	}
	return stdout.String(), stderr.String(), 0
}

var anyUUID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// TestTraceForPeople: `midonet trace` names every hop as Neutron does — networks, the
// router, ports, security groups and rules by name with their Neutron ids — shows the
// router's own ports as the router interfaces they belong to (no id in the output is one
// `openstack … show` could not find), words a security-group drop from the VM's side, and
// exits 0 when forwarded, 1 when dropped, 2 when it cannot run (a bad --dst is refused
// before any server is asked).
func TestTraceForPeople(t *testing.T) {
	a := &api{t: t, srv: testenv.StartServer(t, testenv.Options{})}
	front, back := a.network("front", false), a.network("back", false)
	subFront := a.subnet(front, "10.0.1.0/24", nil)
	subBack := a.subnet(back, "10.0.2.0/24", nil)
	locked := a.create("security-groups", "security_group", map[string]any{"name": "locked"})["id"].(string)
	ssh := a.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": locked,
		"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22})["id"].(string)
	// `mute` lets nothing out: its default egress rules are deleted.
	mute := a.create("security-groups", "security_group", map[string]any{"name": "mute"})
	for _, r := range mute["security_group_rules"].([]any) {
		a.call("DELETE", "security-group-rules/"+r.(map[string]any)["id"].(string), nil)
	}
	rid := a.create("routers", "router", map[string]any{"name": "r1"})["id"].(string)
	ifFront := a.call("PUT", "routers/"+rid+"/add_router_interface", map[string]any{"subnet_id": subFront})["port_id"].(string)
	ifBack := a.call("PUT", "routers/"+rid+"/add_router_interface", map[string]any{"subnet_id": subBack})["port_id"].(string)
	vmA := a.vm("vm-a", front, "10.0.1.10")
	vmC := a.vm("vm-c", back, "10.0.2.20", locked)
	vmD := a.vm("vm-d", back, "10.0.2.30", mute["id"].(string))
	settle()

	// Every id Neutron shows: what the output may mention.
	known := map[string]bool{}
	for _, coll := range []string{"networks", "subnets", "ports", "routers", "security-groups", "security-group-rules"} {
		key := strings.ReplaceAll(coll, "-", "_")
		for _, r := range a.call("GET", coll, nil)[key].([]any) {
			known[r.(map[string]any)["id"].(string)] = true
		}
	}
	neutronIDsOnly := func(t *testing.T, out string) {
		t.Helper()
		for _, id := range anyUUID.FindAllString(out, -1) {
			if !known[id] {
				t.Errorf("the output names %s, which is no Neutron resource:\n%s", id, out)
			}
		}
	}
	dd := []string{"--data-dir", a.srv.DataDir}

	t.Run("dropped entering vm-c", func(t *testing.T) {
		out, stderr, status := runTrace(t, append(dd, "--from-port", "vm-a", "--dst", "10.0.2.20", "--proto", "tcp", "--dport", "80")...)
		if status != 1 {
			t.Fatalf("exit status %d, want 1 (dropped)\n%s%s", status, out, stderr)
		}
		want := "dropped: blocked entering vm-c (" + vmC + ") by security group `locked` (" + locked + "): no ingress rule allows tcp/80\n"
		if !strings.HasSuffix(out, want) {
			t.Errorf("last line is not\n%s\n%s", want, out)
		}
		for _, line := range []string{
			"enters network front (" + front + ") from port vm-a (" + vmA + ")",
			"leaving vm-a: allowed by security group `default` (",
			"network front: fa:16:3e:", // the MAC the VM sent to …
			"is router r1's interface 10.0.1.1 (port " + ifFront + ")",
			"enters router r1 (" + rid + ") from its interface 10.0.1.1 on network front",
			"router r1: route to 10.0.2.0/24 goes out of its interface 10.0.2.1 on network back (port " + ifBack + ")",
			"enters network back (" + back + ") from router r1's interface 10.0.2.1",
			"tcp ttl 63", // the router decremented the TTL
			"is port vm-c (" + vmC + ")\n",
			"leaves network back to port vm-c\n", // named with its id once
		} {
			if !strings.Contains(out, line) {
				t.Errorf("no %q in\n%s", line, out)
			}
		}
		for _, raw := range []string{"OS_PORT_", "OUTBOUND", "INBOUND", "chain"} {
			if strings.Contains(out, raw) {
				t.Errorf("MidoNet's term %q in the output for people:\n%s", raw, out)
			}
		}
		neutronIDsOnly(t, out)
	})
	t.Run("allowed into vm-c by its rule", func(t *testing.T) {
		out, stderr, status := runTrace(t, append(dd, "--from-port", "vm-a", "--dst", "10.0.2.20", "--proto", "tcp", "--dport", "22")...)
		if status != 0 {
			t.Fatalf("exit status %d, want 0 (forwarded)\n%s%s", status, out, stderr)
		}
		for _, line := range []string{
			"entering vm-c: allowed by security group `locked` (" + locked + ") rule ingress tcp/22 from anywhere (" + ssh + ")",
			"forwarded to vm-c (" + vmC + ")\n",
		} {
			if !strings.Contains(out, line) {
				t.Errorf("no %q in\n%s", line, out)
			}
		}
		neutronIDsOnly(t, out)
	})
	t.Run("blocked leaving vm-d", func(t *testing.T) {
		out, _, status := runTrace(t, append(dd, "--from-port", vmD, "--dst", "10.0.1.10", "--proto", "udp", "--dport", "53")...)
		want := "dropped: blocked leaving vm-d (" + vmD + ") by security group `mute` (" + mute["id"].(string) + "): no egress rule allows udp/53\n"
		if status != 1 || !strings.HasSuffix(out, want) {
			t.Errorf("exit status %d, want 1 and the last line\n%s\n%s", status, want, out)
		}
	})
	t.Run("anti-spoofing", func(t *testing.T) {
		out, _, status := runTrace(t, append(dd, "--from-port", "vm-a", "--dst", "10.0.1.1", "--src-ip", "10.0.1.99")...)
		want := "dropped: blocked leaving vm-a (" + vmA + ") by anti-spoofing: 10.0.1.99 is not one of the port's addresses or allowed address pairs\n"
		if status != 1 || !strings.HasSuffix(out, want) {
			t.Errorf("exit status %d, want 1 and the last line\n%s\n%s", status, want, out)
		}
	})
	t.Run("answered by the router", func(t *testing.T) {
		out, _, status := runTrace(t, append(dd, "--from-port", "vm-a", "--dst", "10.0.1.1")...)
		if status != 0 || !strings.Contains(out, "consumed: answered by the network: ") || !strings.Contains(out, "icmp type 0") {
			t.Errorf("echo to the router: exit status %d\n%s", status, out)
		}
	})
	t.Run("json carries the same words", func(t *testing.T) {
		out, _, status := runTrace(t, append(dd, "--json", "--from-port", "vm-a", "--dst", "10.0.2.20", "--proto", "tcp", "--dport", "80")...)
		var r struct {
			Verdict string `json:"verdict"`
			Summary string `json:"summary"`
			Hops    []struct {
				Text      string `json:"text"`
				Minor     bool   `json:"minor"`
				Resources []struct {
					Type, ID, Name string
				} `json:"resources"`
			} `json:"hops"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if status != 1 || r.Verdict != "dropped" || !strings.HasPrefix(r.Summary, "blocked entering vm-c ("+vmC+") by security group `locked`") {
			t.Fatalf("exit status %d, verdict %s, summary %q", status, r.Verdict, r.Summary)
		}
		types := map[string]bool{}
		for _, h := range r.Hops {
			if h.Text == "" {
				t.Errorf("a hop without text: %+v", h)
			}
			for _, res := range h.Resources {
				types[res.Type+"/"+res.ID] = true
			}
		}
		for _, want := range []string{"network/" + front, "router/" + rid, "port/" + ifBack, "port/" + vmC, "security_group/" + locked} {
			if !types[want] {
				t.Errorf("no hop names resource %s: %v", want, types)
			}
		}
	})
	t.Run("through the gateway to a floating IP", func(t *testing.T) {
		pub := a.network("public", true)
		a.subnet(pub, "172.24.4.0/24", nil)
		a.create("ports", "port", map[string]any{"name": "upstream", "network_id": pub, "device_owner": "compute:nova",
			"port_security_enabled": false, "fixed_ips": []any{map[string]any{"ip_address": "172.24.4.1"}}})
		r := a.call("PUT", "routers/"+rid, map[string]any{"router": map[string]any{"external_gateway_info": map[string]any{"network_id": pub}}})["router"].(map[string]any)
		gwPort := a.call("GET", "ports?device_owner=network:router_gateway&device_id="+rid, nil)["ports"].([]any)[0].(map[string]any)["id"].(string)
		gwIP := r["external_gateway_info"].(map[string]any)["external_fixed_ips"].([]any)[0].(map[string]any)["ip_address"].(string)
		fip := a.create("floatingips", "floatingip", map[string]any{"floating_network_id": pub, "port_id": vmA})
		fipIP, fipID := fip["floating_ip_address"].(string), fip["id"].(string)
		settle()
		out, _, status := runTrace(t, append(dd, "--from-port", "upstream", "--dst", fipIP, "--proto", "tcp", "--dport", "22")...)
		for _, line := range []string{
			"is router r1's gateway " + gwIP + " (port " + gwPort + ")",
			"enters router r1 (" + rid + ") from its gateway " + gwIP + " on network public",
			"router r1: static DNAT ",
			"> 10.0.1.10:22 for floating IP " + fipIP + " (" + fipID + ")",
			"dropped: blocked entering vm-a (" + vmA + ") by security group `default` (",
		} {
			if !strings.Contains(out, line) {
				t.Errorf("no %q in\n%s", line, out)
			}
		}
		if status != 1 {
			t.Errorf("exit status %d, want 1", status)
		}
		out, _, _ = runTrace(t, append(dd, "--from-port", "vm-c", "--dst", "8.8.8.8", "--proto", "udp", "--dport", "53")...)
		for _, line := range []string{
			"router r1: route to 0.0.0.0/0 goes out of its gateway " + gwIP + " on network public (port " + gwPort + ") via 172.24.4.1",
			"router r1: SNAT 10.0.2.20:40000 > 8.8.8.8:53 → " + gwIP + ":",
			"forwarded to upstream (",
		} {
			if !strings.Contains(out, line) {
				t.Errorf("no %q in\n%s", line, out)
			}
		}
	})
	t.Run("errors exit 2", func(t *testing.T) {
		// Checked here: no server listens at --url.
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"--url", "http://127.0.0.1:1", "--from-port", "vm-a", "--dst", "10.0.2.x"}, "--dst must be an IPv4 or IPv6 address"},
			{[]string{"--url", "http://127.0.0.1:1", "--from-port", "vm-a"}, "--dst is required"},
			{[]string{"--url", "http://127.0.0.1:1", "--from-port", "vm-a", "--dst", "10.0.2.20", "--proto", "tcp"}, "--dport must be 1-65535"},
			{[]string{"--url", "http://127.0.0.1:1", "--from-port", "vm-a", "--dst", "10.0.2.20", "--proto", "sctp"}, "--proto must be tcp, udp, icmp or ns"},
			{[]string{"--dst", "10.0.2.20"}, "from-port"},
			{append(dd, "--from-port", "no-such-port", "--dst", "10.0.2.20"), "no-such-port"},
		} {
			out, stderr, status := runTrace(t, c.args...)
			if status != 2 || !strings.Contains(stderr, c.want) {
				t.Errorf("trace %v: exit status %d, stderr %q; want 2 and %q (stdout %q)", c.args, status, stderr, c.want, out)
			}
		}
	})
}
