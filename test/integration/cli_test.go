package integration

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// oscClient runs Debian's openstack CLI against one server under noauth.
type oscClient struct{ url string }

// run runs `openstack ARGS -f json` and decodes its output into a map (nil for commands
// that print nothing); it fails the test when the command fails.
func (c oscClient) run(t *testing.T, args ...string) map[string]any {
	t.Helper()
	out, err := c.try(t, append(args, "-f", "json")...)
	if err != nil {
		t.Fatalf("openstack %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("openstack %s printed %q: %v", strings.Join(args, " "), out, err)
	}
	return m
}

// try runs `openstack ARGS` and returns its combined output and error.
func (c oscClient) try(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "openstack", append([]string{"--os-auth-type", "none", "--os-endpoint", c.url}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OS_") { // nothing of the caller's cloud may redirect it
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestExtensionsThroughTheCLI drives the extensions of Neutron parity I with the openstack
// CLI, on SQLite, PostgreSQL and MariaDB ([DEFAULT] dns_domain set): an RBAC share of a
// network, an address scope with a subnet pool whose prefixes `subnet pool set
// --pool-prefix` extends (merged as Neutron merges them), a subnet from the
// pool putting the network in the scope, a port's DNS name and assignment, the network's IP
// availability, and the auto-allocated topology's dry run.
func TestExtensionsThroughTheCLI(t *testing.T) {
	if _, err := exec.LookPath("openstack"); err != nil {
		t.Fatalf("openstack CLI not installed (scripts/install-test-deps.sh): %v", err)
	}
	forEachBackendWith(t, "dns_domain = example.org\n", func(t *testing.T, e *env) {
		osc := oscClient{url: e.srv.URL}
		net := osc.run(t, "network", "create", "cli-net", "--dns-domain", "cli.example.org.")
		netID := net["id"].(string)

		t.Run("rbac", func(t *testing.T) {
			pol := osc.run(t, "network", "rbac", "create", "--type", "network", "--action", "access_as_shared", "--target-all-projects", netID)
			if pol["object_id"] != netID || pol["target_project_id"] != "*" || pol["action"] != "access_as_shared" {
				t.Fatalf("rbac create: %v", pol)
			}
			if got := osc.run(t, "network", "show", netID); got["shared"] != true {
				t.Errorf("the network after a wildcard share: shared = %v", got["shared"])
			}
			if out, err := osc.try(t, "network", "rbac", "delete", pol["id"].(string)); err != nil {
				t.Fatalf("rbac delete: %v\n%s", err, out)
			}
			if got := osc.run(t, "network", "show", netID); got["shared"] != false {
				t.Errorf("the network after the policy's delete: shared = %v", got["shared"])
			}
		})

		scope := osc.run(t, "address", "scope", "create", "cli-scope", "--ip-version", "4")
		pool := osc.run(t, "subnet", "pool", "create", "cli-pool", "--pool-prefix", "10.84.0.0/16", "--default-prefix-length", "24",
			"--address-scope", scope["id"].(string))
		t.Run("subnet pool prefixes", func(t *testing.T) {
			if out, err := osc.try(t, "subnet", "pool", "set", "--pool-prefix", "10.85.0.0/16", "cli-pool"); err != nil {
				t.Fatalf("subnet pool set --pool-prefix: %v\n%s", err, out)
			}
			// Neutron keeps a pool's prefixes merged: the two /16s are one /15.
			got := osc.run(t, "subnet", "pool", "show", pool["id"].(string))
			if prefixes, _ := got["prefixes"].([]any); len(prefixes) != 1 || prefixes[0] != "10.84.0.0/15" {
				t.Errorf("prefixes after set --pool-prefix: %v, want [10.84.0.0/15]", got["prefixes"])
			}
			// A prefix another pool of the scope holds is refused.
			if out, err := osc.try(t, "subnet", "pool", "create", "cli-pool-2", "--pool-prefix", "10.85.128.0/17",
				"--address-scope", scope["id"].(string)); err == nil || !strings.Contains(out, "unique prefixes") && !strings.Contains(out, "409") {
				t.Errorf("an overlapping pool in the scope: %v\n%s", err, out)
			}
		})

		t.Run("subnet from the pool, address scope of the network", func(t *testing.T) {
			sub := osc.run(t, "subnet", "create", "cli-sub", "--network", netID, "--subnet-pool", pool["id"].(string), "--prefix-length", "26")
			if cidr := sub["cidr"].(string); !strings.HasPrefix(cidr, "10.84.") && !strings.HasPrefix(cidr, "10.85.") || !strings.HasSuffix(cidr, "/26") {
				t.Errorf("subnet from the pool: cidr %s", cidr)
			}
			if got := osc.run(t, "network", "show", netID); got["ipv4_address_scope"] != scope["id"] {
				t.Errorf("network ipv4_address_scope = %v, want %v", got["ipv4_address_scope"], scope["id"])
			}
		})

		t.Run("dns and ip availability", func(t *testing.T) {
			port := osc.run(t, "port", "create", "cli-port", "--network", netID, "--dns-name", "Web-1")
			assign, _ := port["dns_assignment"].([]any)
			if port["dns_name"] != "web-1" || len(assign) != 1 || assign[0].(map[string]any)["hostname"] != "web-1" ||
				assign[0].(map[string]any)["fqdn"] != "web-1.example.org." {
				t.Errorf("port dns: name %v assignment %v", port["dns_name"], port["dns_assignment"])
			}
			avail := osc.run(t, "ip", "availability", "show", netID)
			// The /26's pool holds 61 addresses (without network, gateway and broadcast); the
			// port uses one.
			if avail["network_id"] != netID || avail["total_ips"] != float64(61) || avail["used_ips"] != float64(1) {
				t.Errorf("ip availability: %v", avail)
			}
		})

		t.Run("auto-allocated topology dry run", func(t *testing.T) {
			if out, err := osc.try(t, "network", "auto", "allocated", "topology", "create", "--check-resources"); err == nil ||
				!strings.Contains(out, "router:external") {
				t.Errorf("dry run without a default external network: %v\n%s", err, out)
			}
			osc.run(t, "network", "create", "cli-public", "--external", "--default")
			osc.run(t, "subnet", "create", "cli-public-sub", "--network", "cli-public", "--subnet-range", "172.24.91.0/24", "--no-dhcp")
			osc.run(t, "subnet", "pool", "create", "cli-default", "--pool-prefix", "10.91.0.0/16", "--default-prefix-length", "26", "--default", "--share")
			if out, err := osc.try(t, "network", "auto", "allocated", "topology", "create", "--check-resources"); err != nil {
				t.Errorf("dry run with both defaults: %v\n%s", err, out)
			}
		})
	})
}
