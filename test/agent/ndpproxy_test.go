package agent_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDatapathNDPProxy: a machine outside (a bound port on the external network, with the
// tenant prefix on its link as an upstream router relying on the proxy has it) pings a VM's
// IPv6 address through the afpacket datapath: its kernel's neighbor solicitation is
// answered by the router's gateway, the echo request reaches the VM and the VM's reply
// (after the VM resolves its gateway's IPv6 address) comes back. A VM of the same network
// whose address is not proxied cannot be reached; deleting the proxy stops the pings.
func TestDatapathNDPProxy(t *testing.T) {
	_, tag := datapathSetup(t, "ip", "ping")

	h := startWith(t, "datapath = afpacket\n")
	a := h.startAgent("dp-ndp", filepath.Join(t.TempDir(), "host_id"))
	a.hostID(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("agent output:\n%s", a.out.String())
		}
	})
	scope := h.create("address-scopes", "address_scope", map[string]any{"name": "as6", "ip_version": 6, "tenant_id": "admin"})
	pool := h.create("subnetpools", "subnetpool", map[string]any{"name": "sp6", "tenant_id": "admin", "address_scope_id": scope["id"],
		"prefixes": []any{"2001:abc::/96"}, "default_prefixlen": 112})
	ext := h.create("networks", "network", map[string]any{"name": "ndp-ext", "tenant_id": "admin", "router:external": true})
	h.create("subnets", "subnet", map[string]any{"network_id": ext["id"], "cidr": "2001:abc::1:0/112", "ip_version": 6, "tenant_id": "admin",
		"subnetpool_id": pool["id"], "allocation_pools": []any{map[string]any{"start": "2001:abc::1:100", "end": "2001:abc::1:1ff"}}})
	net := h.create("networks", "network", map[string]any{"name": "ndp-a", "tenant_id": "admin"})
	sub := h.create("subnets", "subnet", map[string]any{"network_id": net["id"], "cidr": "2001:abc::2:0/112", "ip_version": 6, "tenant_id": "admin",
		"subnetpool_id": pool["id"], "allocation_pools": []any{map[string]any{"start": "2001:abc::2:100", "end": "2001:abc::2:1ff"}}})
	r := h.create("routers", "router", map[string]any{"name": "ndp-r", "tenant_id": "admin", "enable_ndp_proxy": true,
		"external_gateway_info": map[string]any{"network_id": ext["id"]}})
	if code, out := h.do("PUT", "/v2.0/routers/"+r["id"].(string)+"/add_router_interface", map[string]any{"subnet_id": sub["id"]}, nil); code != 200 {
		t.Fatalf("router interface: %d %v", code, out)
	}
	icmp6 := h.create("security-groups", "security_group", map[string]any{"name": "icmp6", "tenant_id": "admin"})
	h.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": icmp6["id"], "direction": "ingress",
		"ethertype": "IPv6", "protocol": "ipv6-icmp", "tenant_id": "admin"})
	bound := func(name, addr string, body map[string]any) *vm {
		body["name"], body["tenant_id"], body["device_owner"] = name, "admin", "compute:nova"
		body["fixed_ips"] = []any{map[string]any{"ip_address": addr}}
		p := h.create("ports", "port", body)
		v := newVM(t, tag+name, p)
		if code, out := h.do("PUT", "/v2.0/ports/"+p["id"].(string), map[string]any{"port": map[string]any{
			"binding:host_id": "dp-ndp", "binding:profile": map[string]any{"interface_name": v.hostEnd}}}, nil); code != 200 {
			t.Fatalf("bind %s: %d %v", name, code, out)
		}
		eventually(t, 30*time.Second, "port "+name+" ACTIVE", func() bool { return h.portStatus(p["id"].(string)) == "ACTIVE" })
		return v
	}
	outside := bound("x", "2001:abc::1:2", map[string]any{"network_id": ext["id"], "port_security_enabled": false})
	server := bound("s", "2001:abc::2:10", map[string]any{"network_id": net["id"], "security_groups": []any{icmp6["id"]}})
	other := bound("o", "2001:abc::2:11", map[string]any{"network_id": net["id"], "security_groups": []any{icmp6["id"]}})
	// Static addressing: the outside has the tenant prefix on its link (it relies on the
	// proxy), the VMs route through the router interface's address.
	run(t, "ip", "-n", outside.ns, "-6", "addr", "add", "2001:abc::1:2/112", "dev", "eth0", "nodad")
	run(t, "ip", "-n", outside.ns, "-6", "route", "add", "2001:abc::2:0/112", "dev", "eth0")
	_, rifs := h.do("GET", "/v2.0/ports?device_owner=network:router_interface&device_id="+r["id"].(string), nil, nil)
	gw := rifs["ports"].([]any)[0].(map[string]any)["fixed_ips"].([]any)[0].(map[string]any)["ip_address"].(string)
	for _, v := range []*vm{server, other} {
		run(t, "ip", "-n", v.ns, "-6", "addr", "add", v.ip()+"/112", "dev", "eth0", "nodad")
		run(t, "ip", "-n", v.ns, "-6", "route", "add", "default", "via", gw, "dev", "eth0")
	}
	code, out := h.do("POST", "/v2.0/ndp_proxies", map[string]any{"ndp_proxy": map[string]any{"router_id": r["id"], "port_id": server.port["id"], "tenant_id": "admin"}}, nil)
	if code != 201 {
		t.Fatalf("ndp proxy: %d %v", code, out)
	}
	np := out["ndp_proxy"].(map[string]any)
	ping := func(dst string) bool {
		_, err := outside.exec("ping", "-6", "-c", "1", "-W", "1", dst)
		return err == nil
	}
	eventually(t, 30*time.Second, "outside → the proxied 2001:abc::2:10 and back", func() bool { return ping("2001:abc::2:10") })
	if n, _ := outside.exec("ip", "-6", "neigh", "show", "2001:abc::2:10"); !containsMAC(n, r, h) {
		t.Errorf("the outside's neighbor entry for the proxied address is not the gateway's MAC: %q", n)
	}
	if ping("2001:abc::2:11") {
		t.Error("an address that is not proxied answered from outside")
	}
	if code, out := h.do("DELETE", "/v2.0/ndp_proxies/"+np["id"].(string), nil, nil); code != 204 {
		t.Fatalf("delete proxy: %d %v", code, out)
	}
	eventually(t, 20*time.Second, "no answer once the proxy is deleted", func() bool {
		_, _ = outside.exec("ip", "-6", "neigh", "flush", "dev", "eth0")
		return !ping("2001:abc::2:10")
	})
}

// containsMAC reports whether s names the MAC of router r's gateway port.
func containsMAC(s string, r map[string]any, h *harness) bool {
	_, out := h.do("GET", "/v2.0/ports?device_owner=network:router_gateway&device_id="+r["id"].(string), nil, nil)
	ports, _ := out["ports"].([]any)
	if len(ports) != 1 {
		return false
	}
	mac, _ := ports[0].(map[string]any)["mac_address"].(string)
	return mac != "" && strings.Contains(s, mac)
}
