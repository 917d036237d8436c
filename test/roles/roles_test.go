// Package roles_test runs the product apart, as for scale: two `midonet api` processes and one
// `midonet cluster` on one PostgreSQL and a 3-node etcd cluster, in both client modes, and
// checks that writes through either API server reach the topology.
package roles_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/testutil/etcdcluster"
	"github.com/midonet-go/midonet/internal/topology"
	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// run starts `midonet <role>` and waits until its readyPath answers 200; it returns the URL.
func run(t *testing.T, role, conf, readyPath string) string {
	t.Helper()
	p := start(t, role, conf, testenv.Port(t))
	p.waitReady(t, readyPath, 60*time.Second)
	return p.url()
}

func post(t *testing.T, url, coll, member string, body map[string]any) map[string]any {
	t.Helper()
	body["tenant_id"] = "roles"
	b, _ := json.Marshal(map[string]any{member: body})
	resp, err := http.Post(url+"/v2.0/"+coll, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != 201 {
		t.Fatalf("POST %s via %s: %d %v", coll, url, resp.StatusCode, out)
	}
	return out[member].(map[string]any)
}

func TestAPIAndClusterApart(t *testing.T) {
	for _, mode := range []struct {
		name, client string
		newDB        func(testing.TB) string
	}{
		{"rest", "midonet.neutron.client.api.MidonetApiClient", testenv.NewDatabase},
		{"tasks", "midonet.neutron.client.cluster.MidonetClusterClient", testenv.NewDatabase},
		// The deployment most Neutron sites would run: API servers and the cluster on MariaDB,
		// the cluster consuming the task journal.
		{"tasks/mariadb", "midonet.neutron.client.cluster.MidonetClusterClient", testenv.NewMariaDBDatabase},
	} {
		t.Run(mode.name, func(t *testing.T) {
			etcd := etcdcluster.Start(t, 3)
			dsn := mode.newDB(t)
			clusterPort, restPort := testenv.Port(t), testenv.Port(t)
			// The cluster's REST endpoint has its own (loopback) port; midonet_uri names it.
			base := fmt.Sprintf("[DEFAULT]\nauth_strategy = noauth\n[database]\nconnection = %s\n[MIDONET]\nclient = %s\netcd_endpoints = %s\ncluster_rest_port = %d\nmidonet_uri = http://127.0.0.1:%d/midonet-api\n",
				dsn, mode.client, strings.Join(etcd, ","), restPort, restPort)
			// The cluster first (it owns the migrations' first run as well), then two API servers.
			start(t, "cluster", base, clusterPort).waitReady(t, "/metrics", 60*time.Second)
			api1 := run(t, "api", base, "/")
			api2 := run(t, "api", base, "/")
			// Neither the cluster's nor an API server's own port serves the REST endpoint.
			for _, u := range []string{fmt.Sprintf("http://127.0.0.1:%d", clusterPort), api1, api2} {
				if code := restLogin(t, u, "admin", "passw0rd"); code != http.StatusNotFound {
					t.Errorf("POST %s/midonet-api/login = %d, want 404", u, code)
				}
			}
			store, err := nsdb.Connect(context.Background(), etcd)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			net1 := post(t, api1, "networks", "network", map[string]any{"name": "one"})
			net2 := post(t, api2, "networks", "network", map[string]any{"name": "two"})
			post(t, api2, "subnets", "subnet", map[string]any{"network_id": net1["id"], "cidr": "10.5.0.0/24", "ip_version": 4})
			port := post(t, api1, "ports", "port", map[string]any{"network_id": net1["id"], "device_owner": "compute:nova"})
			// The API answered after the cluster applied: the objects are there now.
			for _, id := range []string{net1["id"].(string), net2["id"].(string)} {
				o, err := store.Object(context.Background(), 1, topology.KindNetwork, id)
				if err != nil || o == nil {
					t.Fatalf("bridge %s not in the NSDB right after the 201 (%v)", id, err)
				}
			}
			if o, _ := store.Object(context.Background(), 1, topology.KindChain, topology.InChainID(port["id"].(string))); o == nil {
				t.Fatal("the port's inbound chain is not in the NSDB right after the 201")
			}
		})
	}
}

// proc is one `midonet <role>` process.
type proc struct {
	cmd  *exec.Cmd
	out  *testenv.SyncBuffer
	port int
	dir  string // --data-dir
	conf string // --config-file
}

// start runs `midonet <role>` with conf on port; it is killed when the test ends.
func start(t *testing.T, role, conf string, port int) *proc {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "midonet.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &proc{out: &testenv.SyncBuffer{}, port: port, dir: dir, conf: cfg}
	p.cmd = exec.Command(testenv.Binary(t), role, "--config-file", cfg, "--data-dir", dir, "--bind-host", "127.0.0.1", "--bind-port", fmt.Sprint(port))
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.cmd.Process.Kill(); _ = p.cmd.Wait() })
	return p
}

func (p *proc) url() string { return fmt.Sprintf("http://127.0.0.1:%d", p.port) }

// ready reports whether path answers 200 (a cluster answers only once it leads).
func (p *proc) ready(path string) bool {
	resp, err := http.Get(p.url() + path)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}

func (p *proc) waitReady(t *testing.T, path string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !p.ready(path) {
		if time.Now().After(deadline) {
			t.Fatalf("%s on port %d is not ready:\n%s", p.cmd.Args[1], p.port, p.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestClusterFailover runs two `midonet cluster` processes on one etcd cluster: one leads,
// the other waits as a standby; when the leader is killed, the standby takes over within
// the lease and the writes the API server accepts keep reaching the topology.
func TestClusterFailover(t *testing.T) {
	etcd := etcdcluster.Start(t, 3)
	dsn := testenv.NewDatabase(t)
	base := fmt.Sprintf("[DEFAULT]\nauth_strategy = noauth\n[database]\nconnection = %s\n[MIDONET]\nclient = midonet.neutron.client.cluster.MidonetClusterClient\netcd_endpoints = %s\ncluster_lease_ttl = 2\napply_timeout = 30\n",
		dsn, strings.Join(etcd, ","))
	first := start(t, "cluster", base, testenv.Port(t))
	first.waitReady(t, "/metrics", 60*time.Second)
	second := start(t, "cluster", base, testenv.Port(t))
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(second.out.String(), "campaigning for cluster leadership") {
		if time.Now().After(deadline) {
			t.Fatalf("the second cluster never campaigned:\n%s", second.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second)
	if second.ready("/metrics") || strings.Contains(second.out.String(), "leadership won") {
		t.Fatalf("the second cluster leads while the first is alive:\n%s", second.out.String())
	}

	api := run(t, "api", base, "/")
	store, err := nsdb.Connect(context.Background(), etcd)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	inNSDB := func(id string) bool {
		o, err := store.Object(context.Background(), 1, topology.KindNetwork, id)
		return err == nil && o != nil
	}
	before := post(t, api, "networks", "network", map[string]any{"name": "before"})
	if !inNSDB(before["id"].(string)) {
		t.Fatal("the leader did not translate the network")
	}

	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	killed := time.Now()
	// The API server accepts the write and waits (apply_timeout) for whoever leads next.
	after := post(t, api, "networks", "network", map[string]any{"name": "after"})
	t.Logf("write accepted and applied %v after the leader was killed (2 s lease)", time.Since(killed).Round(time.Millisecond))
	if !inNSDB(after["id"].(string)) {
		t.Fatalf("the network created after the failover is not in the NSDB:\n%s", second.out.String())
	}
	if !strings.Contains(second.out.String(), "leadership won") {
		t.Fatalf("the standby did not report taking over:\n%s", second.out.String())
	}
	second.waitReady(t, "/metrics", 10*time.Second)
}
