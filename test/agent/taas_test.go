package agent_test

import (
	"bufio"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// icmpCounter counts, on eth0 of the namespace it runs in, the ICMP echo requests and replies
// between two addresses for a few seconds (a packet socket sees frames for other MACs too),
// and prints "requests replies".
const icmpCounter = `
import socket, struct, sys, time
a, b, secs = socket.inet_aton(sys.argv[1]), socket.inet_aton(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0003))
s.bind(("eth0", 0))
s.settimeout(0.2)
print("ready", flush=True)
req = rep = 0
end = time.time() + secs
while time.time() < end:
    try:
        f = s.recv(2048)
    except socket.timeout:
        continue
    if len(f) < 42 or f[12:14] != b"\x08\x00" or f[23] != 1:
        continue
    src, dst, typ = f[26:30], f[30:34], f[34]
    if typ == 8 and src == a and dst == b:
        req += 1
    elif typ == 0 and src == b and dst == a:
        rep += 1
print(req, rep)
`

// TestDatapathMirrors: a tap flow made through the API makes the datapath copy vm1's traffic
// to the monitor VM's interface: BOTH copies vm1's pings to vm2 and vm2's answers, IN only
// the answers (what vm1 receives); after the flow's delete nothing is copied.
func TestDatapathMirrors(t *testing.T) {
	script, tag := datapathSetup(t, "ip", "busybox", "ping", "python3")
	h := startWith(t, "datapath = afpacket\n")
	h.startLoggedAgent("tap-host")
	net := h.create("networks", "network", map[string]any{"name": "tap", "tenant_id": "admin"})
	h.create("subnets", "subnet", map[string]any{"network_id": net["id"], "cidr": "10.83.0.0/24", "ip_version": 4, "tenant_id": "admin"})
	port := func(name string) *vm {
		v := h.boundVM(t, tag, name, "tap-host", map[string]any{"name": name, "network_id": net["id"], "tenant_id": "admin",
			"device_owner": "compute:nova", "port_security_enabled": false})
		return v
	}
	vm1, vm2, mon := port("t1"), port("t2"), port("tm")
	for _, v := range []*vm{vm1, vm2, mon} {
		eventually(t, 30*time.Second, "port "+v.port["name"].(string)+" ACTIVE", func() bool { return h.portStatus(v.port["id"].(string)) == "ACTIVE" })
	}
	vm1.dhcp(t, script)
	vm2.dhcp(t, script)
	eventually(t, 10*time.Second, "vm1 → vm2 ping", func() bool { return vm1.ping(vm2.ip()) })

	ts := h.create("taas/tap_services", "tap_service", map[string]any{"port_id": mon.port["id"], "tenant_id": "admin"})
	// copies pings vm1 → vm2 while the monitor counts what reaches it.
	copies := func() (req, rep int) {
		t.Helper()
		// The counter says when its socket listens (python starts slowly on a busy machine).
		cmd := exec.Command("ip", "netns", "exec", mon.ns, "python3", "-c", icmpCounter, vm1.ip(), vm2.ip(), "4")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(stdout)
		if line, err := r.ReadString('\n'); err != nil || strings.TrimSpace(line) != "ready" {
			t.Fatalf("monitor: %q %v", line, err)
		}
		if o, err := vm1.exec("ping", "-c", "3", "-i", "0.3", "-W", "1", vm2.ip()); err != nil {
			t.Fatalf("ping: %v\n%s", err, o)
		}
		rest, _ := io.ReadAll(r)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("monitor: %v", err)
		}
		f := strings.Fields(string(rest))
		if len(f) != 2 {
			t.Fatalf("monitor printed %q", rest)
		}
		req, _ = strconv.Atoi(f[0])
		rep, _ = strconv.Atoi(f[1])
		return req, rep
	}
	if req, rep := copies(); req+rep != 0 {
		t.Errorf("without a flow the monitor saw %d requests, %d replies", req, rep)
	}
	flow := func(dir string) string {
		f := h.create("taas/tap_flows", "tap_flow", map[string]any{"tap_service_id": ts["id"], "source_port": vm1.port["id"], "direction": dir, "tenant_id": "admin"})
		time.Sleep(time.Second) // the agent's cache follows the NSDB
		return f["id"].(string)
	}
	both := flow("BOTH")
	eventually(t, 30*time.Second, "BOTH: the monitor sees the 3 pings and the 3 replies", func() bool {
		req, rep := copies()
		return req >= 3 && rep >= 3
	})
	if code, out := h.do("DELETE", "/v2.0/taas/tap_flows/"+both, nil, nil); code != 204 {
		t.Fatalf("delete flow: %d %v", code, out)
	}
	in := flow("IN")
	eventually(t, 30*time.Second, "IN: the monitor sees the 3 replies vm1 receives and none of its pings", func() bool {
		req, rep := copies()
		return req == 0 && rep >= 3
	})
	if code, out := h.do("DELETE", "/v2.0/taas/tap_flows/"+in, nil, nil); code != 204 {
		t.Fatalf("delete flow: %d %v", code, out)
	}
	eventually(t, 30*time.Second, "after the flow's delete the monitor sees nothing", func() bool {
		req, rep := copies()
		return req+rep == 0
	})
}
