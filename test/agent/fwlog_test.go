package agent_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// logLines are the lines of a packet log file that contain every one of parts.
func logLines(t *testing.T, file string, parts ...string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		ok := l != ""
		for _, p := range parts {
			ok = ok && strings.Contains(l, p)
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}

// TestDatapathFirewallLog: real traffic through a FWaaS v2 group on a router interface,
// logged by the seed's logging resource (8.2.4). A connection the group's deny rule stops
// writes exactly one DROP line (its SYN retransmissions do not add any) with the project,
// firewall group, rule, router, addresses, ports and protocol; an allowed connection writes
// one ACCEPT line; with fw_event DROP an allowed connection writes none; a disabled logging
// resource writes nothing.
func TestDatapathFirewallLog(t *testing.T) {
	script, tag := datapathSetup(t, "ip", "busybox", "curl", "python3")
	logDir := t.TempDir()
	h := startWith(t, "datapath = afpacket\npacket_log_dir = "+logDir+"\n")
	h.startLoggedAgent("fwlog-host")
	netA := h.create("networks", "network", map[string]any{"name": "fa", "tenant_id": "admin"})
	subA := h.create("subnets", "subnet", map[string]any{"network_id": netA["id"], "cidr": "10.83.0.0/24", "ip_version": 4, "tenant_id": "admin"})
	netB := h.create("networks", "network", map[string]any{"name": "fb", "tenant_id": "admin"})
	subB := h.create("subnets", "subnet", map[string]any{"network_id": netB["id"], "cidr": "10.84.0.0/24", "ip_version": 4, "tenant_id": "admin"})
	r := h.create("routers", "router", map[string]any{"name": "fr", "tenant_id": "admin"})
	router := r["id"].(string)
	var rifA string
	for _, sub := range []map[string]any{subA, subB} {
		code, out := h.do("PUT", "/v2.0/routers/"+router+"/add_router_interface", map[string]any{"subnet_id": sub["id"]}, nil)
		if code != 200 {
			t.Fatalf("router interface: %d %v", code, out)
		}
		if rifA == "" {
			rifA = out["port_id"].(string)
		}
	}
	port := func(name string, net map[string]any) *vm {
		v := h.boundVM(t, tag, name, "fwlog-host", map[string]any{"name": name, "network_id": net["id"], "tenant_id": "admin",
			"device_owner": "compute:nova", "port_security_enabled": false})
		return v
	}
	vm1, vm2 := port("f1", netA), port("f2", netB)

	rule := func(body map[string]any) string {
		body["tenant_id"] = "admin"
		return h.create("fwaas/firewall_rules", "firewall_rule", body)["id"].(string)
	}
	allow := rule(map[string]any{"protocol": "tcp", "destination_port": "8080", "action": "allow"})
	deny := rule(map[string]any{"protocol": "tcp", "destination_port": "8081", "action": "deny"})
	pol := h.create("fwaas/firewall_policies", "firewall_policy", map[string]any{"tenant_id": "admin", "firewall_rules": []any{allow, deny}})["id"].(string)
	group := h.create("fwaas/firewall_groups", "firewall_group", map[string]any{"tenant_id": "admin", "ingress_firewall_policy_id": pol, "ports": []any{rifA}})["id"].(string)
	lr := h.create("logging/logging_resources", "logging_resource", map[string]any{"tenant_id": "admin", "enabled": true})["id"].(string)
	code, out := h.do("POST", "/v2.0/logging/logging_resources/"+lr+"/firewall_logs", map[string]any{"firewall_log": map[string]any{"firewall_id": group}}, nil)
	if code != 201 {
		t.Fatalf("firewall log: %d %v", code, out)
	}
	fl := out["firewall_log"].(map[string]any)["id"].(string)
	file := filepath.Join(logDir, "fw-"+fl+".log")

	for _, v := range []*vm{vm1, vm2} {
		eventually(t, 30*time.Second, "port "+v.port["name"].(string)+" ACTIVE", func() bool { return h.portStatus(v.port["id"].(string)) == "ACTIVE" })
		v.dhcp(t, script)
	}
	for _, p := range []string{"8080", "8081"} {
		serveHTTP(t, vm2.ns, p, "0.0.0.0", nil)
	}
	time.Sleep(time.Second) // the servers are listening
	get := func(p string) bool {
		_, err := vm1.exec("curl", "-s", "-o", "/dev/null", "--max-time", "3", "http://"+vm2.ip()+":"+p+"/")
		return err == nil
	}
	common := []string{"tenant_id=admin ", "firewall_id=" + group, "router_id=" + router, "src_ip=" + vm1.ip(), "dst_ip=" + vm2.ip(), "protocol=6"}

	eventually(t, 20*time.Second, "vm1 → vm2:8080 through the group", func() bool { return get("8080") })
	if get("8081") {
		t.Fatal("vm1 reached vm2:8081 through the deny rule")
	}
	time.Sleep(time.Second) // the writer flushes
	drops := logLines(t, file, append(common, "firewall_rule_id="+deny, "dst_port=8081", "action=DROP")...)
	if len(drops) != 1 {
		b, _ := os.ReadFile(file)
		t.Fatalf("%d DROP lines for the denied connection, want exactly 1; the file:\n%s", len(drops), b)
	}
	if !strings.Contains(drops[0], "timestamp=20") || !strings.Contains(drops[0], "Z firewall_id=") {
		t.Errorf("DROP line without an ISO 8601 UTC timestamp: %s", drops[0])
	}
	accepts := logLines(t, file, append(common, "firewall_rule_id="+allow, "dst_port=8080", "action=ACCEPT")...)
	if len(accepts) == 0 {
		t.Fatalf("no ACCEPT line for the allowed connection")
	}

	// fw_event DROP: allowed connections are no longer logged, denied ones are.
	if code, out := h.do("PUT", "/v2.0/logging/logging_resources/"+lr+"/firewall_logs/"+fl, map[string]any{"firewall_log": map[string]any{"fw_event": "DROP"}}, nil); code != 200 {
		t.Fatalf("fw_event DROP: %d %v", code, out)
	}
	time.Sleep(2 * time.Second) // the agent has the new logger
	if !get("8080") {
		t.Fatal("vm1 → vm2:8080 failed")
	}
	_ = get("8081")
	time.Sleep(time.Second)
	if n := len(logLines(t, file, "action=ACCEPT")); n != len(accepts) {
		t.Errorf("%d ACCEPT lines after fw_event DROP, want still %d", n, len(accepts))
	}
	if n := len(logLines(t, file, "action=DROP", "dst_port=8081")); n != 2 {
		t.Errorf("%d DROP lines after a second denied connection, want 2", n)
	}

	// A disabled logging resource writes nothing.
	silentWhenDisabled(t, h, "logging/logging_resources/"+lr, "logging_resource", file, get)
}

// TestDatapathSecurityGroupLog: Neutron's logging API on a security group, with real traffic:
// a connection the group does not admit writes one DROP line (the group, the port, no rule),
// one it admits writes one ACCEPT line naming the rule; a disabled log writes nothing.
func TestDatapathSecurityGroupLog(t *testing.T) {
	script, tag := datapathSetup(t, "ip", "busybox", "curl", "python3")
	logDir := t.TempDir()
	h := startWith(t, "datapath = afpacket\npacket_log_dir = "+logDir+"\n")
	h.startLoggedAgent("sglog-host")
	net := h.create("networks", "network", map[string]any{"name": "sl", "tenant_id": "admin"})
	h.create("subnets", "subnet", map[string]any{"network_id": net["id"], "cidr": "10.85.0.0/24", "ip_version": 4, "tenant_id": "admin"})
	web := h.create("security-groups", "security_group", map[string]any{"name": "web", "tenant_id": "admin"})["id"].(string)
	rule := h.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": web, "direction": "ingress",
		"ethertype": "IPv4", "protocol": "tcp", "port_range_min": 8080, "port_range_max": 8080, "tenant_id": "admin"})["id"].(string)
	port := func(name string, groups ...any) *vm {
		body := map[string]any{"name": name, "network_id": net["id"], "tenant_id": "admin", "device_owner": "compute:nova"}
		if len(groups) > 0 {
			body["security_groups"] = groups
		}
		return h.boundVM(t, tag, name, "sglog-host", body)
	}
	vm1, vm2 := port("s1"), port("s2", web)
	logDoc := h.create("log/logs", "log", map[string]any{"name": "web-log", "resource_type": "security_group", "resource_id": web, "tenant_id": "admin"})
	file := filepath.Join(logDir, "sg-"+logDoc["id"].(string)+".log")
	for _, v := range []*vm{vm1, vm2} {
		eventually(t, 30*time.Second, "port "+v.port["name"].(string)+" ACTIVE", func() bool { return h.portStatus(v.port["id"].(string)) == "ACTIVE" })
		v.dhcp(t, script)
	}
	for _, p := range []string{"8080", "8081"} {
		serveHTTP(t, vm2.ns, p, "0.0.0.0", nil)
	}
	time.Sleep(time.Second)
	get := func(p string) bool {
		_, err := vm1.exec("curl", "-s", "-o", "/dev/null", "--max-time", "3", "http://"+vm2.ip()+":"+p+"/")
		return err == nil
	}
	eventually(t, 20*time.Second, "vm1 → vm2:8080 through the group", func() bool { return get("8080") })
	if get("8081") {
		t.Fatal("vm1 reached vm2:8081, which the group does not admit")
	}
	time.Sleep(time.Second)
	common := []string{"security_group_id=" + web, "port_id=" + vm2.port["id"].(string), "src_ip=" + vm1.ip(), "dst_ip=" + vm2.ip(), "protocol=6"}
	if n := len(logLines(t, file, append(common, "security_group_rule_id=none", "dst_port=8081", "action=DROP")...)); n != 1 {
		b, _ := os.ReadFile(file)
		t.Fatalf("%d DROP lines for the refused connection, want 1; the file:\n%s", n, b)
	}
	if n := len(logLines(t, file, append(common, "security_group_rule_id="+rule, "dst_port=8080", "action=ACCEPT")...)); n == 0 {
		b, _ := os.ReadFile(file)
		t.Fatalf("no ACCEPT line naming rule %s; the file:\n%s", rule, b)
	}
	silentWhenDisabled(t, h, "log/logs/"+logDoc["id"].(string), "log", file, get)
}

// silentWhenDisabled disables the log at path (a member of its kind) and checks that neither
// a refused (8081) nor an allowed (8080) connection adds a line to file.
func silentWhenDisabled(t *testing.T, h *harness, path, member, file string, get func(port string) bool) {
	t.Helper()
	if code, out := h.do("PUT", "/v2.0/"+path, map[string]any{member: map[string]any{"enabled": false}}, nil); code != 200 {
		t.Fatalf("disable %s: %d %v", path, code, out)
	}
	time.Sleep(2 * time.Second)
	before := logLines(t, file)
	_ = get("8081")
	_ = get("8080")
	time.Sleep(time.Second)
	if after := logLines(t, file); len(after) != len(before) {
		t.Errorf("disabled %s: %d lines became %d", path, len(before), len(after))
	}
}
