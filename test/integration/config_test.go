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

// TestUpgradeCommandOnMariaDB: `db-manage upgrade head` migrates a new MariaDB database named
// as Neutron's guides write it, over TCP and over the unix socket; `current` then shows the
// version, a second upgrade applies nothing, and a server starts on the database.
func TestUpgradeCommandOnMariaDB(t *testing.T) {
	bin := testenv.Binary(t)
	// head is the number of the newest embedded MySQL migration.
	steps, err := filepath.Glob("../../internal/db/migrations/mysql/*.sql")
	if err != nil || len(steps) == 0 {
		t.Fatalf("the MySQL migrations: %v %v", steps, err)
	}
	head := fmt.Sprint(len(steps))
	atHead := "database at version " + head + " (mysql)"
	for _, form := range []struct {
		name  string
		newDB func(testing.TB) string
	}{{"tcp", testenv.NewMariaDBDatabase}, {"socket", testenv.NewMariaDBSocketDatabase}} {
		t.Run(form.name, func(t *testing.T) {
			url := form.newDB(t)
			conf := filepath.Join(t.TempDir(), "neutron.conf")
			if err := os.WriteFile(conf, []byte("[DEFAULT]\nauth_strategy = noauth\n[database]\nconnection = "+url+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			dbManage := func(args ...string) string {
				t.Helper()
				out, err := exec.Command(bin, append([]string{"db-manage", "--config-file", conf, "--data-dir", t.TempDir()}, args...)...).CombinedOutput()
				if err != nil {
					t.Fatalf("db-manage %v: %v\n%s", args, err, out)
				}
				return string(out)
			}
			out := dbManage("upgrade", "head")
			if !strings.Contains(out, "applied 0001_init.sql") || !strings.Contains(out, atHead) {
				t.Fatalf("first upgrade:\n%s", out)
			}
			if out := dbManage("upgrade", "head"); strings.Contains(out, "applied") || !strings.Contains(out, atHead) {
				t.Fatalf("second upgrade applied something:\n%s", out)
			}
			if out := dbManage("current"); strings.TrimSpace(out) != head {
				t.Fatalf("current: %q, want %s", out, head)
			}
			srv := testenv.StartServer(t, testenv.Options{ConfigFiles: []string{conf}})
			e := &env{srv: srv}
			n := createNetwork(t, e.admin("p-upgrade"), networks.CreateOpts{Name: "on-mariadb-" + form.name})
			if got := get(t, e.admin("p-upgrade"), "networks/"+n.ID)["network"].(map[string]any)["name"]; got != "on-mariadb-"+form.name {
				t.Fatalf("network read back with name %v", got)
			}
		})
	}
}
