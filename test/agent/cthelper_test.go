package agent_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tftpServer is a minimal TFTP server (RFC 1350, one file, read requests only) that answers
// each transfer from a new UDP port, as every TFTP server does: what the tftp conntrack
// helper exists for.
const tftpServer = `
import socket, struct, sys, threading
data = open(sys.argv[1], 'rb').read()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('0.0.0.0', 69))
serving = set()

def serve(client):
    t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    t.bind(('0.0.0.0', 0))
    t.settimeout(1)
    block, off = 1, 0
    while True:
        chunk = data[off:off + 512]
        for _ in range(3):
            t.sendto(struct.pack('!HH', 3, block) + chunk, client)
            try:
                ack, _ = t.recvfrom(1500)
                if struct.unpack('!HH', ack[:4]) == (4, block):
                    break
            except socket.timeout:
                pass
        else:
            break
        if len(chunk) < 512:
            break
        block, off = block + 1, off + 512
    t.close()

while True:
    req, client = s.recvfrom(1500)
    if struct.unpack('!H', req[:2])[0] != 1 or client in serving:
        continue
    serving.add(client)
    threading.Thread(target=serve, args=(client,), daemon=True).start()
`

// TestConntrackHelperTFTP: a VM behind a router's SNAT fetches a file from a TFTP server
// outside. The server answers from a new port, which neither the SNAT binding nor the VM's
// security group knows: without a helper the transfer fails; with the router's tftp helper
// (udp/69) the answer is the related connection, translated back and accepted, and the file
// arrives whole; deleting the helper stops new transfers again.
func TestConntrackHelperTFTP(t *testing.T) {
	script, tag := datapathSetup(t, "ip", "busybox", "python3")
	h := startWith(t, "datapath = afpacket\n")
	h.startLoggedAgent("ct-host")

	ext := h.create("networks", "network", map[string]any{"name": "ext", "tenant_id": "admin", "router:external": true})
	h.create("subnets", "subnet", map[string]any{"network_id": ext["id"], "cidr": "172.31.8.0/24", "ip_version": 4,
		"gateway_ip": "172.31.8.1", "enable_dhcp": false, "tenant_id": "admin"})
	net := h.create("networks", "network", map[string]any{"name": "in", "tenant_id": "admin"})
	sub := h.create("subnets", "subnet", map[string]any{"network_id": net["id"], "cidr": "10.84.0.0/24", "ip_version": 4, "tenant_id": "admin"})
	r := h.create("routers", "router", map[string]any{"name": "r", "tenant_id": "admin", "external_gateway_info": map[string]any{"network_id": ext["id"]}})
	rid := r["id"].(string)
	if code, out := h.do("PUT", "/v2.0/routers/"+rid+"/add_router_interface", map[string]any{"subnet_id": sub["id"]}, nil); code != 200 {
		t.Fatalf("router interface: %d %v", code, out)
	}
	bind := func(name string, body map[string]any) *vm {
		v := h.boundVM(t, tag, name, "ct-host", body)
		eventually(t, 30*time.Second, "port "+name+" ACTIVE", func() bool { return h.portStatus(v.port["id"].(string)) == "ACTIVE" })
		return v
	}
	server := bind("s", map[string]any{"name": "tftp-server", "network_id": ext["id"], "tenant_id": "admin", "device_owner": "compute:nova",
		"port_security_enabled": false, "fixed_ips": []any{map[string]any{"ip_address": "172.31.8.1"}}})
	run(t, "ip", "-n", server.ns, "addr", "add", "172.31.8.1/24", "dev", "eth0")
	client := bind("c", map[string]any{"name": "vm", "network_id": net["id"], "tenant_id": "admin", "device_owner": "compute:nova"})
	client.dhcp(t, script)
	eventually(t, 20*time.Second, "vm → server ping", func() bool { return client.ping("172.31.8.1") })

	dir := t.TempDir()
	file := filepath.Join(dir, "boot.img")
	content := strings.Repeat("midonet tftp helper\n", 100) // 2000 bytes: four blocks
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(dir, "tftpd.py")
	if err := os.WriteFile(prog, []byte(tftpServer), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := exec.Command("ip", "netns", "exec", server.ns, "python3", prog, file)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
	time.Sleep(500 * time.Millisecond) // the server is listening

	fetch := func() (string, bool) {
		_, _ = client.exec("rm", "-f", "/tmp/"+tag+"-got")
		out, err := client.exec("timeout", "6", "busybox", "tftp", "-g", "-r", "boot.img", "-l", "/tmp/"+tag+"-got", "172.31.8.1")
		if err != nil {
			return out, false
		}
		got, _ := client.exec("cat", "/tmp/"+tag+"-got")
		return got, got == content
	}
	t.Cleanup(func() { _ = os.Remove("/tmp/" + tag + "-got") })

	if out, ok := fetch(); ok {
		t.Fatalf("the transfer worked without a conntrack helper (the answer from a new port should be dropped): %s", out)
	}
	code, out := h.do("POST", "/v2.0/routers/"+rid+"/conntrack_helpers", map[string]any{"conntrack_helper": map[string]any{
		"protocol": "udp", "port": 69, "helper": "tftp"}}, nil)
	if code != 201 {
		t.Fatalf("create helper: %d %v", code, out)
	}
	helper := out["conntrack_helper"].(map[string]any)["id"].(string)
	eventually(t, 30*time.Second, "the transfer with the tftp helper", func() bool { _, ok := fetch(); return ok })

	if code, out := h.do("DELETE", "/v2.0/routers/"+rid+"/conntrack_helpers/"+helper, nil, nil); code != 204 {
		t.Fatalf("delete helper: %d %v", code, out)
	}
	time.Sleep(time.Second) // the agent's topology follows the NSDB
	if out, ok := fetch(); ok {
		t.Fatalf("the transfer worked after the helper was deleted: %s", out)
	}
}
