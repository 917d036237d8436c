package ui_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/testutil/etcdcluster"
	"github.com/midonet-go/midonet/test/testenv"
)

// TestAPIRolePage opens the page of a separate `midonet api` (PostgreSQL, an external etcd,
// the cluster in its own process): the API server serves the page, and its live feed follows
// the NSDB the remote cluster writes, also for a write made through another API server.
func TestAPIRolePage(t *testing.T) {
	etcd := etcdcluster.Start(t, 1)
	dsn := testenv.NewDatabase(t)
	restPort := testenv.Port(t)
	conf := fmt.Sprintf("[DEFAULT]\nauth_strategy = noauth\n[database]\nconnection = %s\n[MIDONET]\netcd_endpoints = %s\n"+
		"cluster_rest_port = %d\nmidonet_uri = http://127.0.0.1:%d/midonet-api\n", dsn, strings.Join(etcd, ","), restPort, restPort)
	role(t, "cluster", conf, "/metrics")
	api1 := role(t, "api", conf, "/")
	api2 := role(t, "api", conf, "/")

	c1 := &client{t: t, url: api1}
	n := id(c1.create("networks", "network", map[string]any{"name": "seen-by-api"}))
	b := newBrowser(t)
	b.open(api1)
	var trace bool
	b.eval(`document.getElementById('trace-form').hidden`, &trace)
	if !trace {
		t.Error("the page of `midonet api` (no agent) offers the trace form")
	}
	if _, _, ok := b.snapshot().node("net:" + n); !ok {
		t.Fatalf("network %s is not on the page of midonet api", n)
	}
	c2 := &client{t: t, url: api2}
	other := id(c2.create("networks", "network", map[string]any{"name": "through-the-other-api"}))
	b.waitFor("the network written through the other API server",
		`window.midonetUI.snapshot().nodes.some(n => n.id === 'net:`+other+`')`, 5*time.Second)
	b.shot("api-role")
}

// role runs `midonet <role>` until the test ends and waits until readyPath answers 200.
func role(t *testing.T, name, conf, readyPath string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "midonet.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	p := testenv.Port(t)
	log := &testenv.SyncBuffer{}
	cmd := exec.Command(testenv.Binary(t), name, "--config-file", cfg, "--data-dir", dir, "--bind-host", "127.0.0.1",
		"--bind-port", fmt.Sprint(p))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start midonet %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("midonet %s output:\n%s", name, log.String())
		}
	})
	url := fmt.Sprintf("http://127.0.0.1:%d", p)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if resp, err := http.Get(url + readyPath); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return url
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("midonet %s is not ready after 60s:\n%s", name, log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
