package simulation_test

import (
	"testing"

	"github.com/midonet-go/midonet/test/testenv"
)

// TestEveryUntrustedPortIsFiltered: ports whose device_owner is not "network:…" (here "" and
// "foo", a container or bare-metal port, say) get the project's default security group from
// the API and are filtered by the backend like VM ports: spoofed sources are dropped,
// legitimate traffic passes, and the group guards traffic to them. A "network:dhcp" port is
// trusted, as in Neutron: no group, no anti-spoofing.
func TestEveryUntrustedPortIsFiltered(t *testing.T) {
	a := &api{t: t, srv: testenv.StartServer(t, testenv.Options{})}
	net := a.network("endpoints", false)
	a.subnet(net, "10.0.5.0/24", nil)
	def := a.call("GET", "security-groups?tenant_id=sim&name=default", nil)["security_groups"].([]any)
	if len(def) != 1 {
		t.Fatalf("default groups of project sim: %v", def)
	}
	defaultSG := def[0].(map[string]any)["id"].(string)
	port := func(name, owner, addr string, extra map[string]any) map[string]any {
		body := map[string]any{"name": name, "network_id": net, "device_owner": owner, "fixed_ips": []any{map[string]any{"ip_address": addr}}}
		for k, v := range extra {
			body[k] = v
		}
		return a.create("ports", "port", body)
	}
	bare := port("bare", "", "10.0.5.10", nil)
	foo := port("foo", "foo", "10.0.5.20", nil)
	open := port("open", "compute:nova", "10.0.5.30", map[string]any{"port_security_enabled": false})
	// Groups given for a trusted port are ignored, as Neutron does (not even looked up).
	dhcp := port("dhcp", "network:dhcp", "10.0.5.2", map[string]any{"security_groups": []any{defaultSG, "00000000-0000-4000-8000-000000000404"}})
	settle()

	t.Run("the API puts groups on untrusted ports only", func(t *testing.T) {
		for _, p := range []map[string]any{bare, foo} {
			if sgs, _ := p["security_groups"].([]any); len(sgs) != 1 || sgs[0] != defaultSG || p["port_security_enabled"] != true {
				t.Errorf("port %s (owner %q): security_groups %v port_security %v; want [%s], true", p["name"], p["device_owner"], p["security_groups"], p["port_security_enabled"], defaultSG)
			}
		}
		if sgs, ok := dhcp["security_groups"].([]any); !ok || len(sgs) != 0 {
			t.Errorf("network:dhcp port created with two groups answers security_groups %v; want []", dhcp["security_groups"])
		}
		u := a.call("PUT", "ports/"+dhcp["id"].(string), map[string]any{"port": map[string]any{"security_groups": []any{defaultSG}}})["port"].(map[string]any)
		if sgs, ok := u["security_groups"].([]any); !ok || len(sgs) != 0 {
			t.Errorf("network:dhcp port updated with a group answers security_groups %v; want []", u["security_groups"])
		}
	})
	t.Run("legitimate traffic from an owner-less port passes", func(t *testing.T) {
		r := a.trace(t, "--from-port", "bare", "--dst", "10.0.5.20", "--proto", "tcp", "--dport", "22")
		forwardedTo(t, r, foo["id"].(string), "10.0.5.10", "10.0.5.20")
	})
	for _, c := range []struct{ name, from string }{{"owner-less", "bare"}, {"owner foo", "foo"}} {
		t.Run("spoofed source IP from the "+c.name+" port is dropped", func(t *testing.T) {
			r := a.trace(t, "--from-port", c.from, "--dst", "10.0.5.30", "--src-ip", "10.0.5.99", "--proto", "udp", "--dport", "53")
			if r.Verdict != "dropped" || r.Drop == nil || r.Drop.Kind != "anti-spoof" {
				t.Fatalf("verdict %s drop %+v egress %+v; want an anti-spoof drop", r.Verdict, r.Drop, r.Egress)
			}
		})
	}
	t.Run("spoofed source MAC from the owner-less port is dropped", func(t *testing.T) {
		r := a.trace(t, "--from-port", "bare", "--dst", "10.0.5.30", "--src-mac", "fa:16:3e:99:99:99", "--proto", "udp", "--dport", "53")
		if r.Verdict != "dropped" || r.Drop == nil || r.Drop.Kind != "anti-spoof" {
			t.Fatalf("verdict %s drop %+v; want an anti-spoof drop", r.Verdict, r.Drop)
		}
	})
	t.Run("the default group guards traffic to a port with owner foo", func(t *testing.T) {
		// open is no member of the default group, which admits only its members.
		r := a.trace(t, "--from-port", "open", "--dst", "10.0.5.20", "--proto", "tcp", "--dport", "22")
		if r.Verdict != "dropped" || r.Drop == nil || r.Drop.Kind != "rule" || r.Drop.SecurityGroupID != defaultSG {
			t.Fatalf("verdict %s drop %+v; want a rule drop naming the default group", r.Verdict, r.Drop)
		}
	})
	t.Run("a network:dhcp port is trusted", func(t *testing.T) {
		r := a.trace(t, "--from-port", "dhcp", "--dst", "10.0.5.30", "--src-ip", "10.0.5.99", "--proto", "udp", "--dport", "53")
		forwardedTo(t, r, open["id"].(string), "10.0.5.99", "10.0.5.30")
	})
}
