package agent_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDatapathUplinkSNATAndFloatingIP: an edge router's port on an uplink network is bound to
// a host interface whose other end is an "external" namespace (seed 8.1.9). A VM behind a
// tenant router with a gateway on the external network reaches the outside by SNAT (the
// outside sees the router's gateway address), and the outside reaches the VM through its
// floating IP.
func TestDatapathUplinkSNATAndFloatingIP(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the uplink test needs root (network namespaces, veth, packet sockets); CI runs it as root")
	}
	for _, bin := range []string{"ip", "busybox", "ping", "curl", "python3"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("the uplink test needs %s (scripts/install-test-deps.sh installs it)", bin)
		}
	}
	script := filepath.Join(t.TempDir(), "udhcpc.sh")
	if err := os.WriteFile(script, []byte(udhcpcScript), 0o755); err != nil {
		t.Fatal(err)
	}
	var b [2]byte
	_, _ = rand.Read(b[:])
	tag := hex.EncodeToString(b[:])

	h := startWith(t, "datapath = afpacket\n")
	a := h.startAgent("edge-dp", filepath.Join(t.TempDir(), "host_id"))
	a.hostID(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("agent output:\n%s", a.out.String())
		}
	})

	// The outside: a namespace on the uplink link, routing the external network back.
	ext := "mnext-" + tag
	uplinkIf := "mnup" + tag
	run(t, "ip", "netns", "add", ext)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ext).Run() })
	run(t, "ip", "link", "add", uplinkIf, "type", "veth", "peer", "name", "eth0", "netns", ext)
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", uplinkIf).Run() })
	_ = os.WriteFile("/proc/sys/net/ipv6/conf/"+uplinkIf+"/disable_ipv6", []byte("1"), 0o644)
	run(t, "ip", "-n", ext, "addr", "add", "198.51.100.2/24", "dev", "eth0")
	run(t, "ip", "-n", ext, "link", "set", "eth0", "up")
	run(t, "ip", "-n", ext, "link", "set", "lo", "up")
	run(t, "ip", "-n", ext, "route", "add", "172.24.40.0/24", "via", "198.51.100.1")

	// The provider side: an edge router between the uplink and the external network.
	up := h.create("networks", "network", map[string]any{"name": "uplink", "tenant_id": "admin", "provider:network_type": "uplink"})
	h.create("subnets", "subnet", map[string]any{"network_id": up["id"], "cidr": "198.51.100.0/24", "ip_version": 4, "tenant_id": "admin", "enable_dhcp": false})
	upPort := h.create("ports", "port", map[string]any{"network_id": up["id"], "tenant_id": "admin", "binding:host_id": "edge-dp",
		"binding:profile": map[string]any{"interface_name": uplinkIf}, "fixed_ips": []any{map[string]any{"ip_address": "198.51.100.1"}}})
	extNet := h.create("networks", "network", map[string]any{"name": "public", "tenant_id": "admin", "router:external": true})
	extSub := h.create("subnets", "subnet", map[string]any{"network_id": extNet["id"], "cidr": "172.24.40.0/24", "ip_version": 4,
		"tenant_id": "admin", "enable_dhcp": false, "gateway_ip": "172.24.40.1"})
	edge := h.create("routers", "router", map[string]any{"name": "edge", "tenant_id": "admin"})
	eid := edge["id"].(string)
	for _, body := range []map[string]any{{"port_id": upPort["id"]}, {"subnet_id": extSub["id"]}} {
		if code, out := h.do("PUT", "/v2.0/routers/"+eid+"/add_router_interface", body, nil); code != 200 {
			t.Fatalf("edge interface %v: %d %v", body, code, out)
		}
	}
	if code, out := h.do("PUT", "/v2.0/routers/"+eid, map[string]any{"router": map[string]any{
		"routes": []any{map[string]any{"destination": "0.0.0.0/0", "nexthop": "198.51.100.2"}}}}, nil); code != 200 {
		t.Fatalf("edge default route: %d %v", code, out)
	}

	// The tenant side: a VM behind a router with its gateway on the external network.
	tnet := h.create("networks", "network", map[string]any{"name": "tenant", "tenant_id": "admin"})
	tsub := h.create("subnets", "subnet", map[string]any{"network_id": tnet["id"], "cidr": "10.85.0.0/24", "ip_version": 4, "tenant_id": "admin"})
	r := h.create("routers", "router", map[string]any{"name": "r", "tenant_id": "admin", "external_gateway_info": map[string]any{"network_id": extNet["id"]}})
	rid := r["id"].(string)
	if code, out := h.do("PUT", "/v2.0/routers/"+rid+"/add_router_interface", map[string]any{"subnet_id": tsub["id"]}, nil); code != 200 {
		t.Fatalf("tenant interface: %d %v", code, out)
	}
	gw := r["external_gateway_info"].(map[string]any)["external_fixed_ips"].([]any)[0].(map[string]any)["ip_address"].(string)
	code, out := h.do("GET", "/v2.0/security-groups?name=default&tenant_id=admin", nil, nil)
	groups, _ := out["security_groups"].([]any)
	if code != 200 || len(groups) != 1 {
		t.Fatalf("default group: %d %v", code, out)
	}
	for _, rule := range []map[string]any{{"protocol": "icmp"}, {"protocol": "tcp", "port_range_min": 8081, "port_range_max": 8081}} {
		rule["security_group_id"] = groups[0].(map[string]any)["id"]
		rule["direction"], rule["ethertype"], rule["tenant_id"] = "ingress", "IPv4", "admin"
		h.create("security-group-rules", "security_group_rule", rule)
	}
	p := h.create("ports", "port", map[string]any{"name": "web", "network_id": tnet["id"], "tenant_id": "admin", "device_owner": "compute:nova"})
	v := newVM(t, tag+"w", p)
	if code, out := h.do("PUT", "/v2.0/ports/"+p["id"].(string), map[string]any{"port": map[string]any{
		"binding:host_id": "edge-dp", "binding:profile": map[string]any{"interface_name": v.hostEnd}}}, nil); code != 200 {
		t.Fatalf("bind: %d %v", code, out)
	}
	eventually(t, 30*time.Second, "VM port ACTIVE", func() bool { return h.portStatus(p["id"].(string)) == "ACTIVE" })
	if out, err := v.exec("busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-t", "5", "-T", "1", "-s", script); err != nil {
		t.Fatalf("DHCP: %v\n%s", err, out)
	}

	// VM → outside by SNAT: the outside's web server logs the router's gateway address.
	var extLog bytes.Buffer
	extSrv := exec.Command("ip", "netns", "exec", ext, "python3", "-u", "-m", "http.server", "8080", "--bind", "198.51.100.2")
	extSrv.Dir = t.TempDir()
	extSrv.Stdout, extSrv.Stderr = &extLog, &extLog
	if err := extSrv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = extSrv.Process.Kill(); _ = extSrv.Wait() })
	eventually(t, 15*time.Second, "VM → outside ping", func() bool { return v.ping("198.51.100.2") })
	eventually(t, 15*time.Second, "VM → outside web server", func() bool {
		_, err := v.exec("curl", "-s", "-o", "/dev/null", "--max-time", "2", "http://198.51.100.2:8080/")
		return err == nil
	})
	if !strings.Contains(extLog.String(), gw+" - -") {
		t.Fatalf("the outside did not see the SNAT address %s:\n%s", gw, extLog.String())
	}

	// Outside → VM by its floating IP.
	fip := h.create("floatingips", "floatingip", map[string]any{"floating_network_id": extNet["id"], "port_id": p["id"], "tenant_id": "admin"})
	fipAddr := fip["floating_ip_address"].(string)
	vmSrv := exec.Command("ip", "netns", "exec", v.ns, "python3", "-m", "http.server", "8081", "--bind", "0.0.0.0")
	vmSrv.Dir = t.TempDir()
	if err := vmSrv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = vmSrv.Process.Kill(); _ = vmSrv.Wait() })
	extPing := func() bool {
		return exec.Command("ip", "netns", "exec", ext, "ping", "-c", "1", "-W", "1", fipAddr).Run() == nil
	}
	eventually(t, 15*time.Second, "outside → floating IP ping", extPing)
	eventually(t, 15*time.Second, "outside → floating IP web server", func() bool {
		return exec.Command("ip", "netns", "exec", ext, "curl", "-s", "-o", "/dev/null", "--max-time", "2", "http://"+fipAddr+":8081/").Run() == nil
	})
}
