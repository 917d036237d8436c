package simulation_test

import (
	"testing"

	"github.com/midonet-go/midonet/test/testenv"
)

// TestStatelessGroupThroughTheAPI: a security group made with stateful=false through the API
// reaches the agent's simulator without connection tracking. Two clients open TCP to a
// server's port 22; only their groups differ. The stateful client's answer comes back as a
// reply; the stateless client's answer is dropped by its own group, which has no ingress
// rule; an ingress rule from the server's address lets it in.
func TestStatelessGroupThroughTheAPI(t *testing.T) {
	a := &api{t: t, srv: testenv.StartServer(t, testenv.Options{})}
	net := a.network("sl-net", false)
	a.subnet(net, "10.32.1.0/24", nil)
	ssh := a.create("security-groups", "security_group", map[string]any{"name": "ssh"})["id"].(string)
	a.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": ssh, "direction": "ingress",
		"ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22})
	// New groups carry Neutron's default egress rules and no ingress rule.
	stateful := a.create("security-groups", "security_group", map[string]any{"name": "tracked"})["id"].(string)
	sg := a.create("security-groups", "security_group", map[string]any{"name": "untracked", "stateful": false})
	if sg["stateful"] != false {
		t.Fatalf("created group: stateful = %v, want false", sg["stateful"])
	}
	stateless := sg["id"].(string)
	server := a.vm("sl-server", net, "10.32.1.10", ssh)
	tracked := a.vm("sl-tracked", net, "10.32.1.20", stateful)
	untracked := a.vm("sl-untracked", net, "10.32.1.30", stateless)
	settle()

	t.Run("a stateful group lets the reply in", func(t *testing.T) {
		r := a.trace(t, "--from-port", "sl-tracked", "--dst", "10.32.1.10", "--proto", "tcp", "--dport", "22", "--reply")
		forwardedTo(t, r, server, "10.32.1.20", "10.32.1.10")
		if r.Reply == nil {
			t.Fatal("no reply traced")
		}
		forwardedTo(t, *r.Reply, tracked, "10.32.1.10", "10.32.1.20")
	})
	t.Run("a stateless group drops the reply without a rule", func(t *testing.T) {
		r := a.trace(t, "--from-port", "sl-untracked", "--dst", "10.32.1.10", "--proto", "tcp", "--dport", "22", "--reply")
		forwardedTo(t, r, server, "10.32.1.30", "10.32.1.10")
		if r.Reply == nil {
			t.Fatal("no reply traced")
		}
		if r.Reply.Verdict != "dropped" || r.Reply.Drop == nil || r.Reply.Drop.SecurityGroupID != stateless {
			t.Fatalf("reply: verdict %s drop %+v; want dropped by group %s", r.Reply.Verdict, r.Reply.Drop, stateless)
		}
	})
	t.Run("an ingress rule for the answer lets it in", func(t *testing.T) {
		a.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": stateless, "direction": "ingress",
			"ethertype": "IPv4", "protocol": "tcp", "remote_ip_prefix": "10.32.1.10/32"})
		settle()
		r := a.trace(t, "--from-port", "sl-untracked", "--dst", "10.32.1.10", "--proto", "tcp", "--dport", "22", "--reply")
		if r.Reply == nil {
			t.Fatal("no reply traced")
		}
		forwardedTo(t, *r.Reply, untracked, "10.32.1.10", "10.32.1.30")
	})
}
