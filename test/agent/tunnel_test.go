package agent_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/test/testenv"
)

// underlay is a bridge in this namespace with a link to each host namespace: the physical
// network between hypervisors. The bridge's own address serves the NSDB (an etcd) to them.
type underlay struct {
	bridge, prefix string // prefix: the first three octets
}

func newUnderlay(t *testing.T, tag, prefix string) *underlay {
	t.Helper()
	u := &underlay{bridge: "mnul" + tag, prefix: prefix}
	run(t, "ip", "link", "add", u.bridge, "type", "bridge")
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", u.bridge).Run() })
	run(t, "ip", "addr", "add", prefix+".1/24", "dev", u.bridge)
	run(t, "ip", "link", "set", u.bridge, "up")
	return u
}

// host makes a host namespace on the underlay with address <prefix>.<n>.
func (u *underlay) host(t *testing.T, ns string, n int) string {
	t.Helper()
	run(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	out := fmt.Sprintf("%s%d", u.bridge, n)
	run(t, "ip", "link", "add", out, "type", "veth", "peer", "name", "ul0", "netns", ns)
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", out).Run() })
	run(t, "ip", "link", "set", out, "master", u.bridge)
	run(t, "ip", "link", "set", out, "up")
	addr := fmt.Sprintf("%s.%d", u.prefix, n)
	run(t, "ip", "-n", ns, "addr", "add", addr+"/24", "dev", "ul0")
	run(t, "ip", "-n", ns, "link", "set", "ul0", "up")
	run(t, "ip", "-n", ns, "link", "set", "lo", "up")
	return addr
}

// startEtcd runs Debian's etcd on the underlay address.
func startEtcd(t *testing.T, addr string) string {
	t.Helper()
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	peer := l.Addr().String()
	l.Close()
	l, _ = net.Listen("tcp", addr+":0")
	client := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	var out bytes.Buffer
	cmd := exec.Command("etcd", "--data-dir", filepath.Join(dir, "etcd"), "--name", "ul",
		"--listen-client-urls", "http://"+client, "--advertise-client-urls", "http://"+client,
		"--listen-peer-urls", "http://"+peer, "--initial-advertise-peer-urls", "http://"+peer,
		"--initial-cluster", "ul=http://"+peer)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	eventually(t, 20*time.Second, "etcd on the underlay", func() bool {
		resp, err := http.Get("http://" + client + "/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return "http://" + client
}

// TestDatapathTunnels: two hosts, each a namespace holding a `midonet agent` with its own
// tunnel address on a shared underlay; a VM behind each on one network. The VMs get their
// addresses by DHCP and reach each other through the VXLAN tunnel between the agents, by
// ping and TCP; once one host leaves the tunnel zone, its VM is cut off.
func TestDatapathTunnels(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the tunnel test needs root (network namespaces, bridges, packet sockets); CI runs it as root")
	}
	for _, bin := range []string{"ip", "busybox", "ping", "curl", "python3", "etcd"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("the tunnel test needs %s (scripts/install-test-deps.sh installs it)", bin)
		}
	}
	script := filepath.Join(t.TempDir(), "udhcpc.sh")
	if err := os.WriteFile(script, []byte(udhcpcScript), 0o755); err != nil {
		t.Fatal(err)
	}
	var b [2]byte
	_, _ = rand.Read(b[:])
	tag := hex.EncodeToString(b[:])

	ul := newUnderlay(t, tag, "192.168.251")
	etcd := startEtcd(t, ul.prefix+".1")
	conf := fmt.Sprintf("[DEFAULT]\nauth_strategy = noauth\n[MIDONET]\nhost_lease_ttl = %d\netcd_endpoints = %s\ndatapath = afpacket\n", leaseTTL, etcd)
	srv := testenv.StartServer(t, testenv.Options{Config: conf})
	h := &harness{t: t, srv: srv}
	cfg := filepath.Join(t.TempDir(), "agent.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}

	type host struct {
		ns, addr, id string
		out          *bytes.Buffer
	}
	var hosts []*host
	for i := 1; i <= 2; i++ {
		hh := &host{ns: fmt.Sprintf("mnh%d-%s", i, tag), out: &bytes.Buffer{}}
		hh.addr = ul.host(t, hh.ns, 10+i)
		idFile := filepath.Join(t.TempDir(), "host_id")
		cmd := exec.Command("ip", "netns", "exec", hh.ns, testenv.Binary(t), "agent", "--config-file", cfg,
			"--data-dir", t.TempDir(), "--host-name", fmt.Sprintf("hv%d", i), "--host-id-file", idFile)
		cmd.Stdout, cmd.Stderr = hh.out, hh.out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		p := &agentProc{cmd: cmd, idFile: idFile, out: hh.out}
		hh.id = p.hostID(t)
		hosts = append(hosts, hh)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for _, hh := range hosts {
				t.Logf("agent %s output:\n%s", hh.ns, hh.out.String())
			}
		}
	})
	membership := map[string]string{}
	for _, hh := range hosts {
		eventually(t, 20*time.Second, "agent "+hh.ns+" registered", func() bool {
			code, _ := h.do("GET", "/v2.0/agents/"+hh.id, nil, nil)
			return code == 200
		})
		m := h.create("agent_memberships", "agent_membership", map[string]any{"id": hh.id, "ip_address": hh.addr})
		membership[hh.ns] = m["id"].(string)
	}

	net := h.create("networks", "network", map[string]any{"name": "t", "tenant_id": "admin"})
	h.create("subnets", "subnet", map[string]any{"network_id": net["id"], "cidr": "10.84.0.0/24", "ip_version": 4, "tenant_id": "admin"})
	var vms []*vm
	for i, hh := range hosts {
		p := h.create("ports", "port", map[string]any{"name": fmt.Sprintf("t%d", i+1), "network_id": net["id"], "tenant_id": "admin", "device_owner": "compute:nova"})
		v := newVM(t, fmt.Sprintf("%st%d", tag, i+1), p, hh.ns)
		code, out := h.do("PUT", "/v2.0/ports/"+p["id"].(string), map[string]any{"port": map[string]any{
			"binding:host_id": fmt.Sprintf("hv%d", i+1), "binding:profile": map[string]any{"interface_name": v.hostEnd}}}, nil)
		if code != 200 {
			t.Fatalf("bind: %d %v", code, out)
		}
		vms = append(vms, v)
	}
	for _, v := range vms {
		eventually(t, 30*time.Second, "port "+v.port["name"].(string)+" ACTIVE", func() bool { return h.portStatus(v.port["id"].(string)) == "ACTIVE" })
		if out, err := v.exec("busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-t", "5", "-T", "1", "-s", script); err != nil {
			t.Fatalf("DHCP in vm %s: %v\n%s", v.port["name"], err, out)
		}
	}

	// Across the tunnel: ping, then TCP (the default group lets its members in).
	eventually(t, 15*time.Second, "vm1 → vm2 ping through the tunnel", func() bool { return vms[0].ping(vms[1].ip()) })
	httpSrv := exec.Command("ip", "netns", "exec", vms[1].ns, "python3", "-m", "http.server", "8080", "--bind", "0.0.0.0")
	httpSrv.Dir = t.TempDir()
	if err := httpSrv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = httpSrv.Process.Kill(); _ = httpSrv.Wait() })
	eventually(t, 15*time.Second, "vm1 → vm2:8080 through the tunnel", func() bool {
		out, err := vms[0].exec("curl", "-s", "--max-time", "2", "http://"+vms[1].ip()+":8080/")
		return err == nil && strings.Contains(out, "Directory listing")
	})

	if os.Getenv("MIDONET_BENCH_DATAPATH") != "" {
		benchTunnel(t, vms[0], vms[1])
	}

	// The server's /metrics shows both datapaths: hv1 tunnelled frames to hv2, and vm1's
	// interface counted what it received.
	eventually(t, 20*time.Second, "datapath counters on /metrics", func() bool {
		m := h.metrics()
		return metricAbove(m, `midonet_datapath_tunnel_tx_packets_total{host_id="`+hosts[0].id+`"}`, 0) &&
			metricAbove(m, `midonet_datapath_tunnel_rx_packets_total{host_id="`+hosts[1].id+`"}`, 0) &&
			metricAbove(m, `midonet_datapath_rx_packets_total{host_id="`+hosts[0].id+`",interface="`+vms[0].hostEnd+`",port_id="`+vms[0].port["id"].(string)+`"}`, 0)
	})

	// hv2 leaves the tunnel zone: its VM is cut off.
	if code, out := h.do("DELETE", "/v2.0/agent_memberships/"+membership[hosts[1].ns], nil, nil); code != 204 {
		t.Fatalf("delete membership: %d %v", code, out)
	}
	eventually(t, 15*time.Second, "vm2 cut off once hv2 left the zone", func() bool { return !vms[0].ping(vms[1].ip()) })
}

// metricAbove reports whether the exposition text has the sample named exactly series with a
// value above min.
func metricAbove(text, series string, min float64) bool {
	for _, l := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			var f float64
			if _, err := fmt.Sscan(v, &f); err == nil && f > min {
				return true
			}
		}
	}
	return false
}

// benchTunnel measures VM to VM across the tunnel (BENCHMARKS.md, "Datapath"):
// MIDONET_BENCH_DATAPATH=1 go test ./test/agent -run TestDatapathTunnels -v.
func benchTunnel(t *testing.T, from, to *vm) {
	out, err := from.exec("ping", "-c", "500", "-i", "0.002", to.ip())
	if err != nil {
		t.Fatalf("bench ping: %v\n%s", err, out)
	}
	var rtts []float64
	for _, l := range strings.Split(out, "\n") {
		if _, v, ok := strings.Cut(l, "time="); ok {
			var f float64
			if _, err := fmt.Sscan(strings.TrimSuffix(v, " ms"), &f); err == nil {
				rtts = append(rtts, f)
			}
		}
	}
	sort.Float64s(rtts)
	if len(rtts) > 0 {
		t.Logf("bench: ping across the tunnel p50 %.3f ms, p99 %.3f ms (%d replies)", rtts[len(rtts)/2], rtts[len(rtts)*99/100], len(rtts))
	}
	if _, err := exec.LookPath("iperf3"); err != nil {
		t.Logf("bench: no iperf3, no throughput figure")
		return
	}
	srv := exec.Command("ip", "netns", "exec", to.ns, "iperf3", "-s", "-1")
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	time.Sleep(time.Second)
	out, err = from.exec("iperf3", "-c", to.ip(), "-t", "10")
	t.Logf("bench: iperf3 across the tunnel (err %v):\n%s", err, out)
}
