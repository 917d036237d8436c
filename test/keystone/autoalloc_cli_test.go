package keystone

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/subnetpools"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// osc runs Debian's openstack CLI as user (password login, the server found in the
// catalog region of this test), and returns its output and error.
func (c *cloud) osc(t *testing.T, name, project string, args ...string) (string, error) {
	t.Helper()
	pw := c.ks.DemoPassword
	if name == "admin" {
		pw = c.ks.AdminPassword
	}
	cmd := exec.CommandContext(t.Context(), "openstack", args...)
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OS_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "OS_AUTH_URL="+c.ks.URL+"/v3", "OS_IDENTITY_API_VERSION=3",
		"OS_USERNAME="+name, "OS_PASSWORD="+pw, "OS_PROJECT_NAME="+project,
		"OS_USER_DOMAIN_NAME=Default", "OS_PROJECT_DOMAIN_NAME=Default",
		"OS_REGION_NAME="+c.region, "OS_INTERFACE=public")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestAutoAllocatedTopologyCLI: `openstack network auto allocated topology create` as a
// Keystone user gives the user's project its network (the same one the second time), with
// `--check-resources` as a dry run; another project's user naming the project gets Neutron's
// NotAuthorized; `... delete` takes it apart.
func TestAutoAllocatedTopologyCLI(t *testing.T) {
	if _, err := exec.LookPath("openstack"); err != nil {
		t.Fatalf("openstack CLI not installed (scripts/install-test-deps.sh): %v", err)
	}
	c := setup(t)
	admin := c.login(t, "admin", "admin")
	demo := c.login(t, "demo", "demo")
	ctx := t.Context()

	ext, err := networks.Create(ctx, admin.net, extNet{"name": "public", "router:external": true, "is_default": true}).Extract()
	if err != nil {
		t.Fatalf("default external network: %v", err)
	}
	if _, err := subnets.Create(ctx, admin.net, subnets.CreateOpts{NetworkID: ext.ID, CIDR: "172.24.4.0/24", IPVersion: gophercloud.IPv4}).Extract(); err != nil {
		t.Fatalf("external subnet: %v", err)
	}
	if _, err := subnetpools.Create(ctx, admin.net, subnetpools.CreateOpts{Name: "default-v4", Prefixes: []string{"10.250.0.0/16"},
		DefaultPrefixLen: 26, IsDefault: true, Shared: true}).Extract(); err != nil {
		t.Fatalf("default pool: %v", err)
	}

	if out, err := c.osc(t, "demo", "demo", "network", "auto", "allocated", "topology", "create", "--check-resources", "-f", "json"); err != nil {
		t.Fatalf("create --check-resources: %v\n%s", err, out)
	}
	topology := func() string {
		t.Helper()
		out, err := c.osc(t, "demo", "demo", "network", "auto", "allocated", "topology", "create", "-f", "json")
		if err != nil {
			t.Fatalf("auto allocated topology create: %v\n%s", err, out)
		}
		var top struct {
			ID        string `json:"id"`
			ProjectID string `json:"project_id"`
		}
		if err := json.Unmarshal([]byte(out), &top); err != nil || top.ID == "" {
			t.Fatalf("auto allocated topology create printed %q (%v)", out, err)
		}
		if top.ProjectID != demo.projectID {
			t.Errorf("topology of project %q, want demo's %s", top.ProjectID, demo.projectID)
		}
		return top.ID
	}
	id := topology()
	n, err := networks.Get(ctx, demo.net, id).Extract()
	if err != nil || n.Name != "auto_allocated_network" || n.TenantID != demo.projectID || len(n.Subnets) != 1 {
		t.Fatalf("the topology's network: %+v, %v", n, err)
	}
	if again := topology(); again != id {
		t.Errorf("second create: %s, first %s", again, id)
	}

	out, err := c.osc(t, "alt_demo", "alt_demo", "network", "auto", "allocated", "topology", "create", "--project", demo.projectID, "-f", "json")
	if err == nil || !strings.Contains(out, "Not authorized") {
		t.Errorf("alt_demo creating demo's topology: %v\n%s", err, out)
	}

	if out, err := c.osc(t, "demo", "demo", "network", "auto", "allocated", "topology", "delete"); err != nil {
		t.Fatalf("auto allocated topology delete: %v\n%s", err, out)
	}
	if _, err := networks.Get(ctx, demo.net, id).Extract(); err == nil {
		t.Errorf("the topology's network %s is still there after delete", id)
	}
}

// extNet is a network body gophercloud's typed options cannot express (is_default).
type extNet map[string]any

func (b extNet) ToNetworkCreateMap() (map[string]any, error) {
	return map[string]any{"network": map[string]any(b)}, nil
}
