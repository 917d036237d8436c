package integration

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"

	"github.com/midonet-go/midonet/test/testenv"
)

// TestPolicyFileOverridesDefaults: [oslo_policy] policy_file (YAML) replaces a default rule.
func TestPolicyFileOverridesDefaults(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(pol, []byte("\"create_network\": \"rule:admin_only\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := testenv.StartServer(t, testenv.Options{Config: "[DEFAULT]\nauth_strategy = noauth\n[oslo_policy]\npolicy_file = " + pol + "\n"})
	e := &env{srv: srv}
	_, err := networks.Create(ctx(t), e.member("proj-a"), networks.CreateOpts{Name: "n"}).Extract()
	wantError(t, err, http.StatusForbidden, "PolicyNotAuthorized")
	if _, err := networks.Create(ctx(t), e.admin("proj-a"), networks.CreateOpts{Name: "n"}).Extract(); err != nil {
		t.Fatalf("admin create: %v", err)
	}
}

// TestConfigFilesOverrideInOrder: later --config-file values win, as with oslo.config; an
// unknown option is reported in the log, not silently ignored.
func TestConfigFilesOverrideInOrder(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "a.conf")
	second := filepath.Join(dir, "b.conf")
	_ = os.WriteFile(first, []byte("[DEFAULT]\nauth_strategy = noauth\nglobal_physnet_mtu = 9000\nno_such_option = 1\n"), 0o644)
	_ = os.WriteFile(second, []byte("[DEFAULT]\nglobal_physnet_mtu = 1600\n"), 0o644)
	srv := testenv.StartServer(t, testenv.Options{ConfigFiles: []string{first, second}})
	e := &env{srv: srv}
	n, err := networks.Create(ctx(t), e.admin("proj-c"), networks.CreateOpts{Name: "n"}).Extract()
	if err != nil {
		t.Fatal(err)
	}
	got := get(t, e.admin("proj-c"), "networks/"+n.ID)["network"].(map[string]any)["mtu"]
	if fmt.Sprint(got) != "1550" {
		t.Errorf("mtu = %v, want %d (the second file's global_physnet_mtu minus VXLAN overhead)", got, 1600-50)
	}
	if !strings.Contains(srv.Logs(), "no_such_option") {
		t.Errorf("the unknown option was not reported; logs:\n%s", srv.Logs())
	}
}

// TestPolicySampleAndUpgradeCommands: `midonet policy sample` prints the defaults including
// networking-midonet's rules, and `db-manage upgrade head` migrates a new database.
func TestPolicySampleAndUpgradeCommands(t *testing.T) {
	bin := testenv.Binary(t)
	out, err := exec.Command(bin, "policy", "sample").CombinedOutput()
	if err != nil {
		t.Fatalf("policy sample: %v\n%s", err, out)
	}
	for _, want := range []string{`#"create_bgp_speaker:logical_router": "rule:admin_only"`, `#"get_gateway_device": "rule:admin_or_owner"`, `#"create_network": `} {
		if !strings.Contains(string(out), want) {
			t.Errorf("policy sample lacks %s", want)
		}
	}
	dir := t.TempDir()
	out, err = exec.Command(bin, "db-manage", "--data-dir", dir, "upgrade", "head").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "database at version") {
		t.Fatalf("upgrade head: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "neutron.db")); err != nil {
		t.Fatalf("no SQLite file after upgrade: %v", err)
	}
}
