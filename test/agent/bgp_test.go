package agent_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bird is a BIRD 2 router in a network namespace of its own, on one end of a veth pair
// whose other end (in this namespace) is the uplink interface an agent binds a router port to.
type bird struct {
	t      *testing.T
	ns     string
	uplink string // the veth end the agent gets
	sock   string
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// startBird creates the namespace and link and starts BIRD with config (its protocol
// "midonet" is the session under test). The test needs root, iproute2 and bird2.
func startBird(t *testing.T, peerAddr, config string) *bird {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("the BGP test needs root (network namespaces, veth, port 179); CI runs it as root")
	}
	for _, bin := range []string{"ip", "bird", "birdc"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("the BGP test needs %s (Debian: iproute2, bird2; scripts/install-test-deps.sh installs them)", bin)
		}
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	tag := hex.EncodeToString(b[:])
	br := &bird{t: t, ns: "mnbgp-" + tag, uplink: "mnbgp" + tag + "a"}
	inner := "mnbgp" + tag + "b"
	run(t, "ip", "netns", "add", br.ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", br.ns).Run() })
	run(t, "ip", "link", "add", br.uplink, "type", "veth", "peer", "name", inner)
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", br.uplink).Run() })
	run(t, "ip", "link", "set", inner, "netns", br.ns)
	run(t, "ip", "link", "set", br.uplink, "up")
	run(t, "ip", "-n", br.ns, "link", "set", "lo", "up")
	run(t, "ip", "-n", br.ns, "addr", "add", peerAddr+"/24", "dev", inner)
	run(t, "ip", "-n", br.ns, "link", "set", inner, "up")

	dir := t.TempDir()
	conf := filepath.Join(dir, "bird.conf")
	br.sock = filepath.Join(dir, "bird.ctl")
	if err := os.WriteFile(conf, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	cmd := exec.Command("ip", "netns", "exec", br.ns, "bird", "-f", "-c", conf, "-s", br.sock, "-P", filepath.Join(dir, "bird.pid"))
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("bird output:\n%s", out.String())
		}
	})
	eventually(t, 10*time.Second, "bird control socket", func() bool { _, err := os.Stat(br.sock); return err == nil })
	return br
}

// birdc runs a BIRD command and returns its answer.
func (b *bird) birdc(args ...string) string {
	out, _ := exec.Command("birdc", append([]string{"-s", b.sock}, args...)...).CombinedOutput()
	return string(out)
}

func (b *bird) established() bool {
	return strings.Contains(b.birdc("show", "protocols", "midonet"), "Established")
}

// route is BIRD's answer for one prefix ("" when it has none).
func (b *bird) route(prefix string) string {
	out := b.birdc("show", "route", prefix)
	if !strings.Contains(out, prefix) {
		return ""
	}
	return out
}

const birdConf = `router id 172.31.250.2;
protocol device {}
protocol static announced {
	ipv4;
	route 203.0.113.0/24 blackhole;
}
protocol bgp midonet {
	local 172.31.250.2 as 64513;
	neighbor 172.31.250.1 as 64512;
	connect retry time 2;
	password "%s";
	ipv4 {
		import all;
		export where source = RTS_STATIC;
	};
}
`

// TestBGPSessionWithBird runs BGP between a router's uplink port and a real BIRD: the
// tenant subnet reaches BIRD through the uplink address, BIRD's route becomes a learned route
// in the router (seen by `midonet trace` and /metrics), a wrong MD5 key keeps the session
// down, and removing the peer withdraws the routes on both sides.
func TestBGPSessionWithBird(t *testing.T) {
	br := startBird(t, "172.31.250.2", fmt.Sprintf(birdConf, "s3cret-md5"))
	h := start(t)
	h.startLoggedAgent("edge-bgp")

	up := h.create("networks", "network", map[string]any{"name": "uplink", "tenant_id": "admin", "provider:network_type": "uplink"})
	h.create("subnets", "subnet", map[string]any{"network_id": up["id"], "cidr": "172.31.250.0/24", "ip_version": 4, "tenant_id": "admin", "enable_dhcp": false})
	uplinkPort := h.create("ports", "port", map[string]any{"network_id": up["id"], "tenant_id": "admin", "binding:host_id": "edge-bgp",
		"binding:profile": map[string]any{"interface_name": br.uplink}, "fixed_ips": []any{map[string]any{"ip_address": "172.31.250.1"}}})
	r := h.create("routers", "router", map[string]any{"name": "edge", "tenant_id": "admin"})
	rid := r["id"].(string)
	if code, out := h.do("PUT", "/v2.0/routers/"+rid+"/add_router_interface", map[string]any{"port_id": uplinkPort["id"]}, nil); code != 200 {
		t.Fatalf("uplink interface: %d %v", code, out)
	}
	tenant := h.create("networks", "network", map[string]any{"name": "tenant", "tenant_id": "admin"})
	tsub := h.create("subnets", "subnet", map[string]any{"network_id": tenant["id"], "cidr": "10.77.0.0/24", "ip_version": 4, "tenant_id": "admin"})
	if code, out := h.do("PUT", "/v2.0/routers/"+rid+"/add_router_interface", map[string]any{"subnet_id": tsub["id"]}, nil); code != 200 {
		t.Fatalf("tenant interface: %d %v", code, out)
	}
	vm := h.create("ports", "port", map[string]any{"network_id": tenant["id"], "tenant_id": "admin", "name": "vm"})

	speaker := h.create("bgp-speakers", "bgp_speaker", map[string]any{"name": "edge", "local_as": 64512, "ip_version": 4, "logical_router": rid})
	peer := h.create("bgp-peers", "bgp_peer", map[string]any{"name": "bird", "peer_ip": "172.31.250.2", "remote_as": 64513,
		"auth_type": "md5", "password": "not-the-key"})
	sid, pid := speaker["id"].(string), peer["id"].(string)
	if code, out := h.do("PUT", "/v2.0/bgp-speakers/"+sid+"/add_bgp_peer", map[string]any{"bgp_peer_id": pid}, nil); code != 200 {
		t.Fatalf("add_bgp_peer: %d %v", code, out)
	}

	// A wrong MD5 key: BIRD drops every segment of the session, which never comes up.
	eventually(t, 20*time.Second, "the agent to report the session", func() bool {
		return strings.Contains(h.metrics(), `peer_id="`+pid+`"`)
	})
	time.Sleep(6 * time.Second) // several connection attempts on both sides
	if br.established() || br.route("10.77.0.0/24") != "" {
		t.Fatalf("session up with the wrong MD5 key:\n%s", br.birdc("show", "protocols", "all", "midonet"))
	}
	if m := h.metrics(); !strings.Contains(m, `midonet_bgp_session_up{host_id=`) || strings.Contains(m, `state="established"} 1`) {
		t.Fatalf("metrics with a wrong key:\n%s", grep(m, "midonet_bgp"))
	}

	// The right key (a password update reaches the agent through the cluster).
	if code, out := h.do("PUT", "/v2.0/bgp-peers/"+pid, map[string]any{"bgp_peer": map[string]any{"password": "s3cret-md5"}}, nil); code != 200 {
		t.Fatalf("password update: %d %v", code, out)
	}
	eventually(t, 60*time.Second, "session established", br.established)
	eventually(t, 20*time.Second, "the tenant subnet at BIRD via the uplink address", func() bool {
		return strings.Contains(br.route("10.77.0.0/24"), "via 172.31.250.1")
	})

	// BIRD's route is learned: the router forwards 203.0.113.0/24 to BIRD.
	eventually(t, 20*time.Second, "the learned route in a trace", func() bool {
		tr := h.trace(vm["id"].(string), "203.0.113.7")
		return strings.Contains(tr, "learned route (BGP)") && strings.Contains(tr, "gw 172.31.250.2")
	})
	m := h.metrics()
	for _, want := range []string{`state="established"} 1`, `midonet_bgp_prefixes_received{host_id=`, `peer_address="172.31.250.2"`} {
		if !strings.Contains(m, want) {
			t.Fatalf("metrics lack %s:\n%s", want, grep(m, "midonet_bgp"))
		}
	}

	// The peer removed: the routes are withdrawn on both sides.
	if code, out := h.do("PUT", "/v2.0/bgp-speakers/"+sid+"/remove_bgp_peer", map[string]any{"bgp_peer_id": pid}, nil); code != 200 {
		t.Fatalf("remove_bgp_peer: %d %v", code, out)
	}
	eventually(t, 20*time.Second, "the tenant route withdrawn at BIRD", func() bool { return br.route("10.77.0.0/24") == "" })
	eventually(t, 20*time.Second, "the learned route gone from the router", func() bool {
		return !strings.Contains(h.trace(vm["id"].(string), "203.0.113.7"), "learned route")
	})
	eventually(t, 20*time.Second, "the session gone from /metrics", func() bool { return !strings.Contains(h.metrics(), pid) })
}

func (h *harness) metrics() string {
	resp, err := http.Get(h.srv.URL + "/metrics")
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func (h *harness) trace(port, dst string) string {
	resp, err := http.Get(h.srv.URL + "/trace?from_port=" + port + "&dst=" + dst + "&proto=icmp")
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// grep keeps the lines holding s.
func grep(text, s string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
