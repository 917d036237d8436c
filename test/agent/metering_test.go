package agent_test

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/test/testenv"
)

// meterCounts is one label's totals as `midonet metering --json` reports them.
type meterCounts struct{ packets, bytes uint64 }

// metering runs `midonet metering --json` against the server's NSDB and returns the totals
// of each label.
func (h *harness) metering(t *testing.T) map[string]meterCounts {
	t.Helper()
	out, err := exec.Command(testenv.Binary(t), "metering", "--data-dir", h.srv.DataDir, "--json").Output()
	if err != nil {
		t.Fatalf("midonet metering: %v\n%s", err, out)
	}
	var rep struct {
		Labels []struct {
			LabelID string `json:"label_id"`
			Packets uint64 `json:"packets"`
			Bytes   uint64 `json:"bytes"`
		} `json:"labels"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("midonet metering output: %v\n%s", err, out)
	}
	m := map[string]meterCounts{}
	for _, l := range rep.Labels {
		m[l.LabelID] = meterCounts{l.Packets, l.Bytes}
	}
	return m
}

// TestMeteringCountsRealPackets: a VM behind a router pings a host outside through the
// gateway; an egress label and an ingress label of the router's project count exactly the
// echo requests and the replies (packets and bytes of the frames), a label of another
// project counts nothing, and the counts reach `midonet metering` and /metrics.
func TestMeteringCountsRealPackets(t *testing.T) {
	script, tag := datapathSetup(t, "ip", "busybox", "ping")
	h := startWith(t, "datapath = afpacket\n")
	a := h.startLoggedAgent("mt-host")

	ext := h.create("networks", "network", map[string]any{"name": "ext", "tenant_id": "admin", "router:external": true})
	h.create("subnets", "subnet", map[string]any{"network_id": ext["id"], "cidr": "172.31.9.0/24", "ip_version": 4,
		"gateway_ip": "172.31.9.1", "enable_dhcp": false, "tenant_id": "admin"})
	net := h.create("networks", "network", map[string]any{"name": "in", "tenant_id": "admin"})
	sub := h.create("subnets", "subnet", map[string]any{"network_id": net["id"], "cidr": "10.83.0.0/24", "ip_version": 4, "tenant_id": "admin"})
	r := h.create("routers", "router", map[string]any{"name": "r", "tenant_id": "admin", "external_gateway_info": map[string]any{"network_id": ext["id"]}})
	if code, out := h.do("PUT", "/v2.0/routers/"+r["id"].(string)+"/add_router_interface", map[string]any{"subnet_id": sub["id"]}, nil); code != 200 {
		t.Fatalf("router interface: %d %v", code, out)
	}
	bind := func(name string, body map[string]any) *vm {
		v := h.boundVM(t, tag, name, "mt-host", body)
		eventually(t, 30*time.Second, "port "+name+" ACTIVE", func() bool { return h.portStatus(v.port["id"].(string)) == "ACTIVE" })
		return v
	}
	outside := bind("o", map[string]any{"name": "outside", "network_id": ext["id"], "tenant_id": "admin", "device_owner": "compute:nova",
		"port_security_enabled": false, "fixed_ips": []any{map[string]any{"ip_address": "172.31.9.1"}}})
	run(t, "ip", "-n", outside.ns, "addr", "add", "172.31.9.1/24", "dev", "eth0")
	inside := bind("v", map[string]any{"name": "vm", "network_id": net["id"], "tenant_id": "admin", "device_owner": "compute:nova"})
	inside.dhcp(t, script)

	label := func(project string, rule map[string]any) string {
		l := h.create("metering/metering-labels", "metering_label", map[string]any{"name": project, "tenant_id": project})
		rule["metering_label_id"] = l["id"]
		h.create("metering/metering-label-rules", "metering_label_rule", rule)
		return l["id"].(string)
	}
	egress := label("admin", map[string]any{"direction": "egress", "remote_ip_prefix": "172.31.9.0/24"})
	ingress := label("admin", map[string]any{"direction": "ingress", "remote_ip_prefix": "172.31.9.0/24"})
	other := label("someone-else", map[string]any{"direction": "egress", "remote_ip_prefix": "0.0.0.0/0"})

	// The first ping also resolves the router's next hop; then the counters settle (the agent
	// publishes them every few seconds) and become the baseline.
	eventually(t, 20*time.Second, "vm → outside ping", func() bool { return inside.ping("172.31.9.1") })
	var base map[string]meterCounts
	eventually(t, 30*time.Second, "stable counters", func() bool {
		first := h.metering(t)
		time.Sleep(6 * time.Second)
		base = h.metering(t)
		return base[egress].packets > 0 && base[egress] == first[egress] && base[ingress] == first[ingress]
	})

	const n = 5
	if out, err := inside.exec("ping", "-c", fmt.Sprint(n), "-i", "0.2", "-W", "2", "172.31.9.1"); err != nil || !strings.Contains(out, fmt.Sprintf("%d received", n)) {
		t.Fatalf("ping -c %d: %v\n%s", n, err, out)
	}
	// An echo request or reply of ping's default 56 bytes is a 98-byte frame.
	want := func(b meterCounts) meterCounts { return meterCounts{b.packets + n, b.bytes + n*98} }
	var got map[string]meterCounts
	eventually(t, 30*time.Second, "the pings counted", func() bool {
		got = h.metering(t)
		return got[egress] == want(base[egress]) && got[ingress] == want(base[ingress])
	})
	time.Sleep(6 * time.Second) // nothing more arrives later
	if again := h.metering(t); again[egress] != got[egress] || again[ingress] != got[ingress] {
		t.Fatalf("counters moved without traffic: %+v then %+v", got, again)
	}
	if c := got[other]; c.packets != 0 || c.bytes != 0 {
		t.Errorf("another project's label counted %+v on this project's router", c)
	}
	if _, ok := got[other]; !ok {
		t.Errorf("the other project's label is missing from the report: %v", got)
	}
	m := h.metrics()
	line := fmt.Sprintf(`midonet_metering_label_packets_total{host_id=%q,label_id=%q} %d`, a.hostID(t), egress, got[egress].packets)
	if !strings.Contains(m, line) {
		t.Errorf("/metrics lacks %s:\n%s", line, grep(m, "metering"))
	}
}
