// Package roles_test runs the product apart, as for scale: two `midonet api` processes and one
// `midonet cluster` on one PostgreSQL and a 3-node etcd cluster, in both client modes, and
// checks that writes through either API server reach the topology.
package roles_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
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

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// run starts `midonet <role>` and waits until url answers.
func run(t *testing.T, role, conf, readyPath string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "midonet.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	var out bytes.Buffer
	cmd := exec.Command(testenv.Binary(t), role, "--config-file", cfg, "--data-dir", dir, "--bind-host", "127.0.0.1", "--bind-port", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url + readyPath)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return url
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not start:\n%s", role, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
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
	for _, mode := range []struct{ name, client string }{
		{"rest", "midonet.neutron.client.api.MidonetApiClient"},
		{"tasks", "midonet.neutron.client.cluster.MidonetClusterClient"},
	} {
		t.Run(mode.name, func(t *testing.T) {
			etcd := etcdcluster.Start(t, 3)
			dsn := testenv.NewDatabase(t)
			clusterPort := freePort(t)
			base := fmt.Sprintf("[DEFAULT]\nauth_strategy = noauth\n[database]\nconnection = %s\n[MIDONET]\nclient = %s\netcd_endpoints = %s\nmidonet_uri = http://127.0.0.1:%d/midonet-api\n",
				dsn, mode.client, strings.Join(etcd, ","), clusterPort)
			// The cluster first (it owns the migrations' first run as well), then two API servers.
			dir := t.TempDir()
			cfg := filepath.Join(dir, "c.conf")
			_ = os.WriteFile(cfg, []byte(base), 0o644)
			var out bytes.Buffer
			cl := exec.Command(testenv.Binary(t), "cluster", "--config-file", cfg, "--data-dir", dir, "--bind-host", "127.0.0.1", "--bind-port", fmt.Sprint(clusterPort))
			cl.Stdout, cl.Stderr = &out, &out
			if err := cl.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cl.Process.Kill(); _ = cl.Wait() })
			deadline := time.Now().Add(60 * time.Second)
			for {
				resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", clusterPort))
				if err == nil {
					resp.Body.Close()
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("cluster did not start:\n%s", out.String())
				}
				time.Sleep(100 * time.Millisecond)
			}
			api1 := run(t, "api", base, "/")
			api2 := run(t, "api", base, "/")
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
