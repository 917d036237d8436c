package agent_test

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	// A test process killed before its clean-up leaves its underlay bridge holding the same
	// address, and this one's hosts would then route to it: remove such leftovers first.
	if out, err := exec.Command("ip", "-br", "addr", "show").Output(); err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			f := strings.Fields(line)
			if len(f) > 2 && strings.HasPrefix(f[0], "mnul") && slices.Contains(f[2:], prefix+".1/24") {
				_ = exec.Command("ip", "link", "del", f[0]).Run()
			}
		}
	}
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

// underlayHost is a host of startUnderlayHosts: its agent runs in namespace ns, at addr on
// the underlay.
type underlayHost struct {
	name, ns, addr, id string
	membership         string // its agent membership (tunnel zone)
	out                *bytes.Buffer
}

// startUnderlayHosts starts etcd on a new underlay (prefix.0/24), the server on it and two
// hosts' agents, each in a namespace of its own (nsPrefix1-tag, …) named namePrefix1, …,
// members of the tunnel zone. With interrupt an agent is stopped by SIGINT (it tears its
// namespaces down) rather than killed. The agents' output shows when the test fails.
func startUnderlayHosts(t *testing.T, tag, prefix, namePrefix, nsPrefix string, interrupt bool) (*harness, *underlay, []*underlayHost) {
	t.Helper()
	ul := newUnderlay(t, tag, prefix)
	etcd := startEtcd(t, ul.prefix+".1")
	conf := fmt.Sprintf("[DEFAULT]\nauth_strategy = noauth\n[MIDONET]\nhost_lease_ttl = %d\netcd_endpoints = %s\ndatapath = afpacket\n", leaseTTL, etcd)
	srv := testenv.StartServer(t, testenv.Options{Config: conf})
	h := &harness{t: t, srv: srv}
	cfg := filepath.Join(t.TempDir(), "agent.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var hosts []*underlayHost
	t.Cleanup(func() {
		if t.Failed() {
			for _, hh := range hosts {
				t.Logf("agent %s output:\n%s", hh.name, hh.out.String())
			}
		}
	})
	for i := 1; i <= 2; i++ {
		hh := &underlayHost{name: fmt.Sprintf("%s%d", namePrefix, i), ns: fmt.Sprintf("%s%d-%s", nsPrefix, i, tag), out: &bytes.Buffer{}}
		hh.addr = ul.host(t, hh.ns, 10+i)
		idFile := filepath.Join(t.TempDir(), "host_id")
		cmd := exec.Command("ip", "netns", "exec", hh.ns, testenv.Binary(t), "agent", "--config-file", cfg,
			"--data-dir", t.TempDir(), "--host-name", hh.name, "--host-id-file", idFile)
		cmd.Stdout, cmd.Stderr = hh.out, hh.out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { stopAgent(cmd, interrupt) })
		p := &agentProc{cmd: cmd, idFile: idFile, out: hh.out}
		hosts = append(hosts, hh)
		hh.id = p.hostID(t)
	}
	for _, hh := range hosts {
		eventually(t, 20*time.Second, "agent "+hh.name+" registered", func() bool {
			code, _ := h.do("GET", "/v2.0/agents/"+hh.id, nil, nil)
			return code == 200
		})
		m := h.create("agent_memberships", "agent_membership", map[string]any{"id": hh.id, "ip_address": hh.addr})
		hh.membership = m["id"].(string)
	}
	return h, ul, hosts
}

// stopAgent ends an agent process: killed, or with interrupt asked to stop (it tears its
// IPsec namespaces down then) and killed after ten seconds.
func stopAgent(cmd *exec.Cmd, interrupt bool) {
	if !interrupt {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return
	}
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// TestDatapathTwoHosts is the datapath's whole story on real interfaces: two hosts, each a
// namespace holding a `midonet agent` with its own tunnel address on a shared underlay; three
// VMs on two networks behind a router whose gateway is on the external network; an edge router
// whose uplink port is bound, on host 1, to a link into an "outside" namespace (seed 8.1.9).
// Through the real API and cluster: the VMs get their addresses from a real DHCP client, talk
// on one network and across the router, on one host and across hosts (VXLAN), by ping and TCP;
// a security group without the ingress rule blocks a TCP connection and `midonet trace` names
// it, the rule lets a new one through; a VM reaches the outside by SNAT and is reached by its
// floating IP; the counters show on /metrics; unbinding a port stops its traffic, and a host
// that leaves the tunnel zone is cut off.
func TestDatapathTwoHosts(t *testing.T) {
	script, tag := datapathSetup(t, "ip", "busybox", "ping", "curl", "python3", "etcd")

	h, _, hosts := startUnderlayHosts(t, tag, "192.168.251", "hv", "mnh", false)
	hv1, hv2 := hosts[0], hosts[1]
	membership := map[string]string{}
	for _, hh := range hosts {
		membership[hh.name] = hh.membership
	}

	// The outside: a namespace on a link whose other end is in hv1, routing the external
	// network back through the edge router.
	ext := "mnext-" + tag
	uplinkIf := "mnup" + tag
	run(t, "ip", "netns", "add", ext)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ext).Run() })
	run(t, "ip", "link", "add", uplinkIf, "type", "veth", "peer", "name", "eth0", "netns", ext)
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", uplinkIf).Run() })
	run(t, "ip", "link", "set", uplinkIf, "netns", hv1.ns)
	run(t, "ip", "-n", ext, "addr", "add", "198.51.100.2/24", "dev", "eth0")
	run(t, "ip", "-n", ext, "link", "set", "eth0", "up")
	run(t, "ip", "-n", ext, "link", "set", "lo", "up")
	run(t, "ip", "-n", ext, "route", "add", "172.24.40.0/24", "via", "198.51.100.1")

	// Provider side: an edge router between the uplink and the external network.
	up := h.create("networks", "network", map[string]any{"name": "uplink", "tenant_id": "admin", "provider:network_type": "uplink"})
	h.create("subnets", "subnet", map[string]any{"network_id": up["id"], "cidr": "198.51.100.0/24", "ip_version": 4, "tenant_id": "admin", "enable_dhcp": false})
	upPort := h.create("ports", "port", map[string]any{"network_id": up["id"], "tenant_id": "admin", "binding:host_id": hv1.name,
		"binding:profile": map[string]any{"interface_name": uplinkIf}, "fixed_ips": []any{map[string]any{"ip_address": "198.51.100.1"}}})
	extNet := h.create("networks", "network", map[string]any{"name": "public", "tenant_id": "admin", "router:external": true})
	extSub := h.create("subnets", "subnet", map[string]any{"network_id": extNet["id"], "cidr": "172.24.40.0/24", "ip_version": 4,
		"tenant_id": "admin", "enable_dhcp": false, "gateway_ip": "172.24.40.1"})
	edge := h.create("routers", "router", map[string]any{"name": "edge", "tenant_id": "admin"})
	for _, body := range []map[string]any{{"port_id": upPort["id"]}, {"subnet_id": extSub["id"]}} {
		if code, out := h.do("PUT", "/v2.0/routers/"+edge["id"].(string)+"/add_router_interface", body, nil); code != 200 {
			t.Fatalf("edge interface %v: %d %v", body, code, out)
		}
	}
	if code, out := h.do("PUT", "/v2.0/routers/"+edge["id"].(string), map[string]any{"router": map[string]any{
		"routes": []any{map[string]any{"destination": "0.0.0.0/0", "nexthop": "198.51.100.2"}}}}, nil); code != 200 {
		t.Fatalf("edge default route: %d %v", code, out)
	}

	// Tenant side: two networks behind a router with its gateway on the external network.
	netA := h.create("networks", "network", map[string]any{"name": "a", "tenant_id": "admin"})
	subA := h.create("subnets", "subnet", map[string]any{"network_id": netA["id"], "cidr": "10.84.0.0/24", "ip_version": 4, "tenant_id": "admin"})
	netB := h.create("networks", "network", map[string]any{"name": "b", "tenant_id": "admin"})
	subB := h.create("subnets", "subnet", map[string]any{"network_id": netB["id"], "cidr": "10.86.0.0/24", "ip_version": 4, "tenant_id": "admin"})
	r := h.create("routers", "router", map[string]any{"name": "r", "tenant_id": "admin", "external_gateway_info": map[string]any{"network_id": extNet["id"]}})
	for _, sub := range []map[string]any{subA, subB} {
		if code, out := h.do("PUT", "/v2.0/routers/"+r["id"].(string)+"/add_router_interface", map[string]any{"subnet_id": sub["id"]}, nil); code != 200 {
			t.Fatalf("router interface: %d %v", code, out)
		}
	}
	gw := r["external_gateway_info"].(map[string]any)["external_fixed_ips"].([]any)[0].(map[string]any)["ip_address"].(string)
	code, out := h.do("GET", "/v2.0/security-groups?name=default&tenant_id=admin", nil, nil)
	groups, _ := out["security_groups"].([]any)
	if code != 200 || len(groups) != 1 {
		t.Fatalf("default group: %d %v", code, out)
	}
	defaultSG := groups[0].(map[string]any)["id"]
	for _, rule := range []map[string]any{{"protocol": "icmp"}, {"protocol": "tcp", "port_range_min": 8081, "port_range_max": 8081}} {
		rule["security_group_id"], rule["direction"], rule["ethertype"], rule["tenant_id"] = defaultSG, "ingress", "IPv4", "admin"
		h.create("security-group-rules", "security_group_rule", rule)
	}
	locked := h.create("security-groups", "security_group", map[string]any{"name": "locked", "tenant_id": "admin"})

	vmOn := func(name string, net map[string]any, hh *underlayHost, groups ...any) *vm {
		body := map[string]any{"name": name, "network_id": net["id"], "tenant_id": "admin", "device_owner": "compute:nova"}
		if len(groups) > 0 {
			body["security_groups"] = groups
		}
		return h.boundVM(t, tag, name, hh.name, body, hh.ns)
	}
	vm1 := vmOn("1", netA, hv1)
	vm2 := vmOn("2", netA, hv2)
	vm3 := vmOn("3", netB, hv2, locked["id"])
	for _, v := range []*vm{vm1, vm2, vm3} {
		eventually(t, 30*time.Second, "port "+v.port["name"].(string)+" ACTIVE", func() bool { return h.portStatus(v.port["id"].(string)) == "ACTIVE" })
		v.dhcp(t, script)
	}
	serve := func(v *vm, port string) {
		serveHTTP(t, v.ns, port, "0.0.0.0", nil)
	}
	get := func(v *vm, url string) bool {
		_, err := v.exec("curl", "-s", "-o", "/dev/null", "--max-time", "2", url)
		return err == nil
	}

	// One network across hosts, then across the router (and hosts).
	eventually(t, 15*time.Second, "vm1 → vm2 ping (across hosts)", func() bool { return vm1.ping(vm2.ip()) })
	eventually(t, 15*time.Second, "vm3 → vm1 ping (across the router and hosts)", func() bool { return vm3.ping(vm1.ip()) })
	serve(vm2, "8081")
	eventually(t, 15*time.Second, "vm1 → vm2:8081 (TCP across hosts)", func() bool { return get(vm1, "http://"+vm2.ip()+":8081/") })
	if os.Getenv("MIDONET_BENCH_DATAPATH") != "" {
		benchTunnel(t, vm1, vm2)
	}

	// The locked group blocks TCP to vm3 (and the trace names it) until a rule lets it in.
	serve(vm3, "8080")
	time.Sleep(time.Second)
	if get(vm1, "http://"+vm3.ip()+":8080/") {
		t.Fatal("vm1 reached vm3:8080 through the locked security group")
	}
	if tr := h.trace(vm1.port["id"].(string)+"&proto=tcp&dport=8080", vm3.ip()); !strings.Contains(tr, locked["id"].(string)) {
		t.Fatalf("the trace of the blocked connection does not name the locked group:\n%s", tr)
	}
	h.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": locked["id"], "direction": "ingress",
		"ethertype": "IPv4", "protocol": "tcp", "port_range_min": 8080, "port_range_max": 8080, "tenant_id": "admin"})
	eventually(t, 15*time.Second, "vm1 → vm3:8080 after the rule", func() bool { return get(vm1, "http://"+vm3.ip()+":8080/") })

	// vm2 (on hv2) reaches the outside by SNAT through the uplink on hv1: the outside sees the
	// router's gateway address.
	var extLog testenv.SyncBuffer
	serveHTTP(t, ext, "8080", "198.51.100.2", &extLog)
	eventually(t, 15*time.Second, "vm2 → outside ping", func() bool { return vm2.ping("198.51.100.2") })
	eventually(t, 15*time.Second, "vm2 → outside web server", func() bool { return get(vm2, "http://198.51.100.2:8080/") })
	if !strings.Contains(extLog.String(), gw+" - -") {
		t.Fatalf("the outside did not see the SNAT address %s:\n%s", gw, extLog.String())
	}

	// The outside reaches vm2 by its floating IP.
	fip := h.create("floatingips", "floatingip", map[string]any{"floating_network_id": extNet["id"], "port_id": vm2.port["id"], "tenant_id": "admin"})
	fipAddr := fip["floating_ip_address"].(string)
	eventually(t, 15*time.Second, "outside → floating IP ping", func() bool {
		return exec.Command("ip", "netns", "exec", ext, "ping", "-c", "1", "-W", "1", fipAddr).Run() == nil
	})
	eventually(t, 15*time.Second, "outside → floating IP web server", func() bool {
		return exec.Command("ip", "netns", "exec", ext, "curl", "-s", "-o", "/dev/null", "--max-time", "2", "http://"+fipAddr+":8081/").Run() == nil
	})

	// The server's /metrics shows both datapaths: hv1 tunnelled frames to hv2, and vm1's
	// interface counted what it received.
	eventually(t, 20*time.Second, "datapath counters on /metrics", func() bool {
		m := h.metrics()
		return metricAbove(m, `midonet_datapath_tunnel_tx_packets_total{host_id="`+hv1.id+`"}`, 0) &&
			metricAbove(m, `midonet_datapath_tunnel_rx_packets_total{host_id="`+hv2.id+`"}`, 0) &&
			metricAbove(m, `midonet_datapath_rx_packets_total{host_id="`+hv1.id+`",interface="`+vm1.hostEnd+`",port_id="`+vm1.port["id"].(string)+`"}`, 0)
	})

	// Unbinding vm3's port stops its traffic; hv2 leaving the tunnel zone cuts vm2 off.
	if code, out := h.do("PUT", "/v2.0/ports/"+vm3.port["id"].(string), map[string]any{"port": map[string]any{"binding:host_id": ""}}, nil); code != 200 {
		t.Fatalf("unbind: %d %v", code, out)
	}
	eventually(t, 15*time.Second, "vm3 unreachable once unbound", func() bool { return !get(vm1, "http://"+vm3.ip()+":8080/") })
	if code, out := h.do("DELETE", "/v2.0/agent_memberships/"+membership[hv2.name], nil, nil); code != 204 {
		t.Fatalf("delete membership: %d %v", code, out)
	}
	eventually(t, 15*time.Second, "vm2 cut off once hv2 left the zone", func() bool { return !vm1.ping(vm2.ip()) })
}

// benchTunnel measures VM to VM across the tunnel (BENCHMARKS.md, "Datapath"):
// MIDONET_BENCH_DATAPATH=1 go test ./test/agent -run TestDatapathTwoHosts -v.
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
