package simulation_test

import (
	"testing"

	"github.com/midonet-go/midonet/test/testenv"
)

// TestRemoteAddressGroup: an ingress rule naming an address group admits exactly the
// group's addresses (a /32 and a /28 here), and follows add_addresses and remove_addresses
// through the API, the cluster's translation and the agent's simulation.
func TestRemoteAddressGroup(t *testing.T) {
	a := &api{t: t, srv: testenv.StartServer(t, testenv.Options{})}
	net := a.network("net", false)
	a.subnet(net, "10.0.1.0/24", nil)
	ag := a.create("address-groups", "address_group", map[string]any{"name": "admins",
		"addresses": []any{"10.0.1.20/32", "10.0.1.48/28"}})["id"].(string)
	ssh := a.create("security-groups", "security_group", map[string]any{"name": "ssh"})["id"].(string)
	a.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": ssh, "direction": "ingress",
		"ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22, "remote_address_group_id": ag})
	server := a.vm("server", net, "10.0.1.10", ssh)
	for _, c := range []struct{ name, ip string }{{"a", "10.0.1.20"}, {"b", "10.0.1.30"}, {"c", "10.0.1.50"}, {"d", "10.0.1.64"}} {
		a.vm(c.name, net, c.ip)
	}
	settle()

	check := func(t *testing.T, client string, admitted bool) {
		t.Helper()
		r := a.trace(t, "--from-port", client, "--dst", "10.0.1.10", "--proto", "tcp", "--dport", "22")
		if admitted {
			if r.Verdict != "forwarded" || len(r.Egress) != 1 || r.Egress[0].PortID != server {
				t.Fatalf("%s → server:22: verdict %s drop %+v; want forwarded to the server", client, r.Verdict, r.Drop)
			}
			return
		}
		if r.Verdict != "dropped" || r.Drop == nil || r.Drop.SecurityGroupID != ssh {
			t.Fatalf("%s → server:22: verdict %s drop %+v; want dropped by group ssh", client, r.Verdict, r.Drop)
		}
	}
	t.Run("the group's addresses only", func(t *testing.T) {
		check(t, "a", true)  // 10.0.1.20/32
		check(t, "b", false) // outside
		check(t, "c", true)  // inside 10.0.1.48/28
		check(t, "d", false) // just past it
		// Another port of an admitted address is still filtered by the rule's protocol.
		r := a.trace(t, "--from-port", "a", "--dst", "10.0.1.10", "--proto", "tcp", "--dport", "80")
		if r.Verdict != "dropped" {
			t.Fatalf("a → server:80: verdict %s, want dropped", r.Verdict)
		}
	})
	t.Run("add_addresses admits the new address", func(t *testing.T) {
		a.call("PUT", "address-groups/"+ag+"/add_addresses", map[string]any{"addresses": []any{"10.0.1.30/32"}})
		settle()
		check(t, "b", true)
		check(t, "d", false)
	})
	t.Run("remove_addresses takes one away", func(t *testing.T) {
		a.call("PUT", "address-groups/"+ag+"/remove_addresses", map[string]any{"addresses": []any{"10.0.1.20/32"}})
		settle()
		check(t, "a", false)
		check(t, "b", true)
		check(t, "c", true)
	})
}
