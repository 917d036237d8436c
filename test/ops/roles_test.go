package ops

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/midonet-go/midonet/test/testenv"
)

// role is a `midonet api` or `midonet cluster` process of a test.
type role struct {
	cmd *exec.Cmd
	out *testenv.SyncBuffer
}

// startRole runs `midonet <name> args...` with conf; it is stopped when the test ends.
func startRole(t *testing.T, name, conf string, args ...string) *role {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "midonet.conf")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &role{out: &testenv.SyncBuffer{}}
	r.cmd = exec.Command(testenv.Binary(t), append([]string{name, "--config-file", cfg, "--data-dir", filepath.Join(dir, "data")}, args...)...)
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = r.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = r.cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("midonet %s output:\n%s", name, r.out.String())
		}
	})
	return r
}

func (r *role) waitAnswer(t *testing.T, url string) {
	t.Helper()
	// A server answers 503 while it starts: wait for 200.
	if !waitFor(60*time.Second, func() bool { a, err := try("GET", url, nil, nil); return err == nil && a.status == 200 }) {
		t.Fatalf("%s does not answer 200:\n%s", url, r.out.String())
	}
}

// TestAPIWithoutItsCluster: a `midonet api` whose cluster does not answer says so at start,
// answers writes 503 with a Neutron error that names no internal address (and keeps nothing
// of the refused write), and its /healthcheck answers 503 naming the cluster.
func TestAPIWithoutItsCluster(t *testing.T) {
	dead, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	port, _ := testenv.FreePort()
	uri := fmt.Sprintf("http://127.0.0.1:%d/midonet-api", dead)
	api := startRole(t, "api", "[DEFAULT]\nauth_strategy = noauth\n[MIDONET]\nmidonet_uri = "+uri+"\n",
		"--bind-host", "127.0.0.1", "--bind-port", fmt.Sprint(port))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	api.waitAnswer(t, base+"/")
	if !waitFor(5*time.Second, func() bool {
		return len(linesWith(api.out.String(), "WARNING", "the MidoNet cluster does not answer", uri)) == 1
	}) {
		t.Errorf("no start warning naming %s:\n%s", uri, api.out.String())
	}

	a := call(t, "POST", base+"/v2.0/networks", map[string]any{"network": map[string]any{"name": "n"}}, project("p-api"))
	e, _ := decode(t, a.body)["NeutronError"].(map[string]any)
	if a.status != 503 || e["type"] != "ServiceUnavailable" || !strings.Contains(fmt.Sprint(e["message"]), "MidoNet cluster is unreachable") {
		t.Errorf("write without the cluster: %d %s", a.status, a.body)
	}
	if strings.Contains(string(a.body), fmt.Sprint(dead)) || strings.Contains(string(a.body), "midonet-api") {
		t.Errorf("the answer names the internal cluster address: %s", a.body)
	}
	if got := decode(t, call(t, "GET", base+"/v2.0/networks", nil, project("p-api")).body)["networks"].([]any); len(got) != 0 {
		t.Errorf("the refused create left %d networks", len(got))
	}
	if len(linesWith(api.out.String(), "ERROR", "MidoNet cluster unreachable", uri, "req-")) == 0 {
		t.Errorf("the operator's log does not name the cluster and the request:\n%s", api.out.String())
	}
	if st, body := health(t, base, false); st != 503 || body != "MidoNet cluster unreachable" {
		t.Errorf("healthcheck without the cluster: %d %q", st, body)
	}
}

// TestClusterOnItsOwnPort: `midonet cluster` without --bind-port listens on [MIDONET]
// cluster_status_port, not the Neutron API's port; it says what it serves, answers
// /healthcheck, and answers any other path with a Neutron 404 saying it is not the API.
func TestClusterOnItsOwnPort(t *testing.T) {
	status, _ := testenv.FreePort()
	rest, _ := testenv.FreePort()
	c := startRole(t, "cluster", fmt.Sprintf("[DEFAULT]\nauth_strategy = noauth\n[MIDONET]\ncluster_status_port = %d\ncluster_rest_port = %d\n", status, rest))
	base := fmt.Sprintf("http://127.0.0.1:%d", status)
	c.waitAnswer(t, base+"/healthcheck")
	// It says "syncing: …" (200) until its NSDB is open and its cluster has loaded the
	// topology, then OK.
	if !waitFor(60*time.Second, func() bool {
		a, err := try("GET", base+"/healthcheck", nil, nil)
		return err == nil && a.status == 200 && string(a.body) == "OK"
	}) {
		st, body := health(t, base, false)
		t.Errorf("cluster healthcheck: %d %q", st, body)
	}
	a := call(t, "GET", base+"/v2.0/networks", nil, nil)
	e, _ := decode(t, a.body)["NeutronError"].(map[string]any)
	if a.status != 404 || !strings.Contains(fmt.Sprint(e["message"]), "This is a midonet cluster") {
		t.Errorf("GET /v2.0/networks on a cluster: %d %s", a.status, a.body)
	}
	if len(linesWith(c.out.String(), "INFO", "serving the MidoNet cluster", "url="+base, fmt.Sprintf("127.0.0.1:%d/midonet-api", rest))) != 1 {
		t.Errorf("no start line saying what the cluster serves:\n%s", c.out.String())
	}
}
