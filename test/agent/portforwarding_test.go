package agent_test

import (
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/test/testenv"
)

// TestDatapathPortForwarding: a machine outside (a bound port on the external network) opens
// TCP connections to a floating IP's port 8080, which a port forwarding sends to a VM's web
// server on port 80: the connection succeeds (so the VM's answers leave from the floating
// IP's port 8080 again), the server sees the outside's own address (DNAT only), and port
// 8081 of the floating IP leads nowhere. Deleting the forwarding stops it.
func TestDatapathPortForwarding(t *testing.T) {
	script, tag := datapathSetup(t, "ip", "busybox", "curl", "python3")

	h := startWith(t, "datapath = afpacket\n")
	h.startLoggedAgent("dp-pf")
	ext := h.create("networks", "network", map[string]any{"name": "pf-ext", "tenant_id": "admin", "router:external": true})
	h.create("subnets", "subnet", map[string]any{"network_id": ext["id"], "cidr": "172.31.0.0/24", "ip_version": 4, "tenant_id": "admin",
		"allocation_pools": []any{map[string]any{"start": "172.31.0.100", "end": "172.31.0.200"}}})
	netA := h.create("networks", "network", map[string]any{"name": "pf-a", "tenant_id": "admin"})
	subA := h.create("subnets", "subnet", map[string]any{"network_id": netA["id"], "cidr": "10.85.0.0/24", "ip_version": 4, "tenant_id": "admin"})
	r := h.create("routers", "router", map[string]any{"name": "pf-r", "tenant_id": "admin", "external_gateway_info": map[string]any{"network_id": ext["id"]}})
	if code, out := h.do("PUT", "/v2.0/routers/"+r["id"].(string)+"/add_router_interface", map[string]any{"subnet_id": subA["id"]}, nil); code != 200 {
		t.Fatalf("router interface: %d %v", code, out)
	}
	web := h.create("security-groups", "security_group", map[string]any{"name": "web", "tenant_id": "admin"})
	h.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": web["id"], "direction": "ingress",
		"ethertype": "IPv4", "protocol": "tcp", "port_range_min": 80, "port_range_max": 80, "tenant_id": "admin"})
	bound := func(name string, body map[string]any) *vm {
		body["name"], body["tenant_id"], body["device_owner"] = name, "admin", "compute:nova"
		return h.boundVM(t, tag, name, "dp-pf", body)
	}
	outside := bound("x", map[string]any{"network_id": ext["id"], "port_security_enabled": false,
		"fixed_ips": []any{map[string]any{"ip_address": "172.31.0.10"}}})
	server := bound("s", map[string]any{"network_id": netA["id"], "security_groups": []any{web["id"]}})
	for _, v := range []*vm{outside, server} {
		eventually(t, 30*time.Second, "port "+v.port["name"].(string)+" ACTIVE", func() bool { return h.portStatus(v.port["id"].(string)) == "ACTIVE" })
		v.dhcp(t, script)
	}
	var log testenv.SyncBuffer
	serveHTTP(t, server.ns, "80", "0.0.0.0", &log)

	fip := h.create("floatingips", "floatingip", map[string]any{"floating_network_id": ext["id"], "tenant_id": "admin"})
	fipAddr := fip["floating_ip_address"].(string)
	code, out := h.do("POST", "/v2.0/floatingips/"+fip["id"].(string)+"/port_forwardings", map[string]any{"port_forwarding": map[string]any{
		"internal_port_id": server.port["id"], "internal_ip_address": server.ip(), "internal_port": 80, "external_port": 8080, "protocol": "tcp"}}, nil)
	if code != 201 {
		t.Fatalf("port forwarding: %d %v", code, out)
	}
	pf := out["port_forwarding"].(map[string]any)
	get := func(port string) bool {
		_, err := outside.exec("curl", "-s", "-o", "/dev/null", "--max-time", "2", "http://"+fipAddr+":"+port+"/")
		return err == nil
	}
	eventually(t, 20*time.Second, "outside → floating IP:8080 → the VM's port 80", func() bool { return get("8080") })
	if !strings.Contains(log.String(), "172.31.0.10 - -") {
		t.Errorf("the server did not see the outside's address 172.31.0.10:\n%s", log.String())
	}
	if get("8081") {
		t.Error("floating IP:8081 reached something without a forwarding")
	}
	if code, out := h.do("DELETE", "/v2.0/floatingips/"+fip["id"].(string)+"/port_forwardings/"+pf["id"].(string), nil, nil); code != 204 {
		t.Fatalf("delete forwarding: %d %v", code, out)
	}
	eventually(t, 15*time.Second, "floating IP:8080 closed once the forwarding is deleted", func() bool { return !get("8080") })
}
