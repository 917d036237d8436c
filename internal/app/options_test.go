package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestEveryOptionIsRead starts a whole server (all roles, REST client, SQLite, embedded etcd)
// from a configuration, opens the log and builds the Keystone authenticator from it, and
// checks that every registered option was read: an option the server declares but never
// reads would be accepted silently and do nothing. The few read only in another mode are
// listed with where they are read.
func TestEveryOptionIsRead(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "neutron.conf")
	text := "[DEFAULT]\nauth_strategy = noauth\nbind_port = 0\n[keystone_authtoken]\nauth_url = http://127.0.0.1:5000/v3\nusername = neutron\npassword = x\nproject_name = service\n"
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	o := Options{ConfigFiles: []string{conf}, DataDir: filepath.Join(dir, "data"), Log: quiet}
	cfg, err := LoadConfig(o)
	if err != nil {
		t.Fatal(err)
	}
	o.config = cfg
	srv, err := NewServer(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	if _, err := logOptions(cfg, false, "serve"); err != nil {
		t.Fatal(err)
	}
	if _, err := keystone(cfg); err != nil {
		t.Fatal(err)
	}
	apiAddr(cfg, Options{}, Roles{Cluster: true})
	elsewhere := map[string]string{
		"[midonet] cluster_lease_ttl": "the cluster election on an external etcd (test/roles TestClusterFailover)",
		"[quotas] quota_rbac_policy":  "QuotaDefaults, once a collection has the rbac_policy quota",
		"[midonet] tunnel_port":       "the agent's datapath when [MIDONET] datapath = afpacket (test/agent TestDatapathTwoHosts)",
	}
	for _, u := range cfg.Unread() {
		if _, ok := elsewhere[u]; !ok {
			t.Errorf("%s is registered but the server never reads it: honour it or remove it", u)
		}
	}
}
