package agent_test

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// vm is a network namespace standing in for a virtual machine, on a veth pair whose host end
// a Neutron port is bound to.
type vm struct {
	ns, hostEnd string
	port        map[string]any
}

// udhcpcScript configures what busybox udhcpc obtained (it runs with the lease in its
// environment), and nothing else of the host.
const udhcpcScript = `#!/bin/sh
case "$1" in
bound|renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/$subnet" dev "$interface"
	[ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
	;;
esac
exit 0
`

// newVM makes the namespace and its link, with the port's MAC inside; the host end stays in
// this namespace, or moves to hostNS (a host namespace holding an agent) when it is set.
func newVM(t *testing.T, tag string, port map[string]any, hostNS ...string) *vm {
	t.Helper()
	v := &vm{ns: "mndp-" + tag, hostEnd: "mndp" + tag, port: port}
	run(t, "ip", "netns", "add", v.ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", v.ns).Run() })
	run(t, "ip", "link", "add", v.hostEnd, "type", "veth", "peer", "name", "eth0", "netns", v.ns)
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", v.hostEnd).Run() })
	if len(hostNS) > 0 {
		run(t, "ip", "link", "set", v.hostEnd, "netns", hostNS[0])
		run(t, "ip", "netns", "exec", hostNS[0], "sysctl", "-qw", "net.ipv6.conf."+v.hostEnd+".disable_ipv6=1")
	} else {
		// The host end belongs to the datapath: no IPv6 chatter from the host's own stack.
		_ = os.WriteFile("/proc/sys/net/ipv6/conf/"+v.hostEnd+"/disable_ipv6", []byte("1"), 0o644)
	}
	run(t, "ip", "-n", v.ns, "link", "set", "eth0", "address", port["mac_address"].(string))
	run(t, "ip", "-n", v.ns, "link", "set", "lo", "up")
	run(t, "ip", "-n", v.ns, "link", "set", "eth0", "up")
	return v
}

// boundVM creates a port from body, a VM (newVM, named tag+name) for it and binds the port
// to the VM's link on host.
func (h *harness) boundVM(t *testing.T, tag, name, host string, body map[string]any, hostNS ...string) *vm {
	t.Helper()
	p := h.create("ports", "port", body)
	v := newVM(t, tag+name, p, hostNS...)
	if code, out := h.do("PUT", "/v2.0/ports/"+p["id"].(string), map[string]any{"port": map[string]any{
		"binding:host_id": host, "binding:profile": map[string]any{"interface_name": v.hostEnd}}}, nil); code != 200 {
		t.Fatalf("bind %s: %d %v", name, code, out)
	}
	return v
}

// serveHTTP runs python3's http.server in namespace ns on port, bound to addr ("0.0.0.0":
// every address), its log to out when given, until the test ends.
func serveHTTP(t *testing.T, ns, port, addr string, out io.Writer) {
	t.Helper()
	srv := exec.Command("ip", "netns", "exec", ns, "python3", "-u", "-m", "http.server", port, "--bind", addr)
	srv.Dir = t.TempDir()
	if out != nil {
		srv.Stdout, srv.Stderr = out, out
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
}

func (v *vm) ip() string {
	ips := v.port["fixed_ips"].([]any)
	return ips[0].(map[string]any)["ip_address"].(string)
}

// exec runs a command in the VM and returns its output and error.
func (v *vm) exec(name string, args ...string) (string, error) {
	out, err := exec.Command("ip", append([]string{"netns", "exec", v.ns, name}, args...)...).CombinedOutput()
	return string(out), err
}

func (v *vm) ping(dst string) bool {
	_, err := v.exec("ping", "-c", "1", "-W", "1", dst)
	return err == nil
}

// datapathSetup checks what a datapath test needs (root, the programs named), writes the
// DHCP client's script, and returns it with a random tag for names of links and namespaces.
func datapathSetup(t *testing.T, programs ...string) (script, tag string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("the datapath tests need root (network namespaces, veth, bridges, packet sockets); CI runs them as root")
	}
	for _, bin := range programs {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("the datapath tests need %s (scripts/install-test-deps.sh installs it)", bin)
		}
	}
	script = filepath.Join(t.TempDir(), "udhcpc.sh")
	if err := os.WriteFile(script, []byte(udhcpcScript), 0o755); err != nil {
		t.Fatal(err)
	}
	var b [2]byte
	_, _ = rand.Read(b[:])
	return script, hex.EncodeToString(b[:])
}

// dhcp runs the DHCP client in the VM and checks it got the port's address.
func (v *vm) dhcp(t *testing.T, script string) {
	t.Helper()
	if out, err := v.exec("busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-t", "5", "-T", "1", "-s", script); err != nil {
		t.Fatalf("DHCP in vm %s: %v\n%s", v.port["name"], err, out)
	}
	if out, _ := v.exec("ip", "-4", "addr", "show", "eth0"); !strings.Contains(out, v.ip()+"/24") {
		t.Fatalf("vm %s has no %s/24 after DHCP:\n%s", v.port["name"], v.ip(), out)
	}
}

// TestDatapathMovesPackets: VMs in network namespaces on ports bound to an agent's host get
// their Neutron addresses from a real DHCP client, ping each other on one network and across
// a router, and talk TCP; a security group without the ingress rule blocks a connection (and
// `midonet trace` names the group for the same packet), the rule lets a new one through, and
// unbinding a port stops its traffic.
func TestDatapathMovesPackets(t *testing.T) {
	script, tag := datapathSetup(t, "ip", "busybox", "ping", "curl", "python3")

	h := startWith(t, "datapath = afpacket\n")
	h.startLoggedAgent("dp-host")

	netA := h.create("networks", "network", map[string]any{"name": "a", "tenant_id": "admin"})
	subA := h.create("subnets", "subnet", map[string]any{"network_id": netA["id"], "cidr": "10.81.0.0/24", "ip_version": 4, "tenant_id": "admin"})
	netB := h.create("networks", "network", map[string]any{"name": "b", "tenant_id": "admin"})
	subB := h.create("subnets", "subnet", map[string]any{"network_id": netB["id"], "cidr": "10.82.0.0/24", "ip_version": 4, "tenant_id": "admin"})
	r := h.create("routers", "router", map[string]any{"name": "r", "tenant_id": "admin"})
	for _, sub := range []map[string]any{subA, subB} {
		if code, out := h.do("PUT", "/v2.0/routers/"+r["id"].(string)+"/add_router_interface", map[string]any{"subnet_id": sub["id"]}, nil); code != 200 {
			t.Fatalf("router interface: %d %v", code, out)
		}
	}
	locked := h.create("security-groups", "security_group", map[string]any{"name": "locked", "tenant_id": "admin"})

	port := func(name string, net map[string]any, groups ...any) *vm {
		body := map[string]any{"name": name, "network_id": net["id"], "tenant_id": "admin", "device_owner": "compute:nova"}
		if len(groups) > 0 {
			body["security_groups"] = groups
		}
		return h.boundVM(t, tag, name, "dp-host", body)
	}
	vm1 := port("1", netA)
	vm2 := port("2", netA)
	vm3 := port("3", netB, locked["id"])

	code, out := h.do("GET", "/v2.0/security-groups?name=default&tenant_id=admin", nil, nil)
	groups, _ := out["security_groups"].([]any)
	if code != 200 || len(groups) != 1 {
		t.Fatalf("default group: %d %v", code, out)
	}
	icmpRule := h.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": groups[0].(map[string]any)["id"],
		"direction": "ingress", "ethertype": "IPv4", "protocol": "icmp", "tenant_id": "admin"})

	for _, v := range []*vm{vm1, vm2, vm3} {
		eventually(t, 30*time.Second, "port "+v.port["name"].(string)+" ACTIVE", func() bool { return h.portStatus(v.port["id"].(string)) == "ACTIVE" })
		v.dhcp(t, script)
	}

	// Same network, then across the router (vm1 and vm2 share the default group, which lets
	// its members in, and pings from anywhere with the rule below; the locked group lets
	// nothing in, but the reply to vm3's own ping passes by connection tracking).
	eventually(t, 10*time.Second, "vm1 → vm2 ping", func() bool { return vm1.ping(vm2.ip()) })
	eventually(t, 10*time.Second, "vm3 → vm1 ping across the router", func() bool { return vm3.ping(vm1.ip()) })
	if vm1.ping(vm3.ip()) {
		t.Fatal("vm1 pinged vm3 through the locked security group")
	}

	// TCP: vm3 serves on 8080; the locked group blocks vm1's connection, and the trace of the
	// same packet names that group.
	serveHTTP(t, vm3.ns, "8080", "0.0.0.0", nil)
	get := func() bool {
		_, err := vm1.exec("curl", "-s", "-o", "/dev/null", "--max-time", "2", "http://"+vm3.ip()+":8080/")
		return err == nil
	}
	time.Sleep(time.Second) // the server is listening
	if get() {
		t.Fatal("vm1 reached vm3:8080 through the locked security group")
	}
	if tr := h.trace(vm1.port["id"].(string)+"&proto=tcp&dport=8080", vm3.ip()); !strings.Contains(tr, locked["id"].(string)) {
		t.Fatalf("the trace of the blocked connection does not name the locked group:\n%s", tr)
	}
	h.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": locked["id"], "direction": "ingress",
		"ethertype": "IPv4", "protocol": "tcp", "port_range_min": 8080, "port_range_max": 8080, "tenant_id": "admin"})
	eventually(t, 10*time.Second, "vm1 → vm3:8080 after the rule", get)

	// Removing the ICMP rule stops vm3's pings to vm1, a flow the datapath had cached.
	if code, out := h.do("DELETE", "/v2.0/security-group-rules/"+icmpRule["id"].(string), nil, nil); code != 204 {
		t.Fatalf("delete rule: %d %v", code, out)
	}
	eventually(t, 10*time.Second, "vm3's pings to vm1 stopped by the removed rule", func() bool { return !vm3.ping(vm1.ip()) })

	// Unbinding vm2's port stops its traffic.
	if code, out := h.do("PUT", "/v2.0/ports/"+vm2.port["id"].(string), map[string]any{"port": map[string]any{"binding:host_id": ""}}, nil); code != 200 {
		t.Fatalf("unbind: %d %v", code, out)
	}
	eventually(t, 10*time.Second, "vm2 unreachable once unbound", func() bool { return !vm1.ping(vm2.ip()) })
}
