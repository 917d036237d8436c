package app

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestAnswersWhileTheClusterLoads: a server whose cluster is still loading the topology
// already answers the Neutron API from its database; /healthcheck answers 200 but says it
// is syncing; a write the cluster cannot apply yet is refused 503 (syncing) and leaves
// nothing behind. Once the cluster has loaded, /healthcheck says OK and the same write is
// applied.
func TestAnswersWhileTheClusterLoads(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "neutron.conf")
	text := "[DEFAULT]\nauth_strategy = noauth\nbind_port = 0\n[MIDONET]\napply_timeout = 2\n"
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	srv, call, stop := startGated(t, Options{ConfigFiles: []string{conf}, DataDir: filepath.Join(dir, "data"), Log: quiet, loadGate: gate})
	defer stop()
	// The listener answers 503 "starting" until Run puts the API in place.
	code, body := waitAPI(call)
	if code != http.StatusOK || !strings.Contains(body, `"networks": []`) && !strings.Contains(body, `"networks":[]`) {
		t.Fatalf("GET /v2.0/networks while the cluster loads = %d %s, want 200 and no networks", code, body)
	}
	code, body = call("GET", "/healthcheck", "")
	if code != http.StatusOK || !strings.Contains(body, "syncing: the MidoNet cluster is loading the topology") {
		t.Fatalf("/healthcheck while the cluster loads = %d %q, want 200 saying it is syncing", code, body)
	}
	create := `{"network": {"name": "n1"}}`
	code, body = call("POST", "/v2.0/networks", create)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "syncing") {
		t.Fatalf("POST /v2.0/networks while the cluster loads = %d %s, want 503 saying it is syncing", code, body)
	}
	if code, body = call("GET", "/v2.0/networks", ""); !strings.Contains(body, `[]`) {
		t.Fatalf("after the refused create, GET /v2.0/networks = %d %s, want no networks", code, body)
	}

	close(gate)
	waitOK(t, call)
	code, body = call("POST", "/v2.0/networks", create)
	if code != http.StatusCreated {
		t.Fatalf("POST /v2.0/networks once loaded = %d %s, want 201", code, body)
	}
	var created struct {
		Network struct {
			ID string `json:"id"`
		} `json:"network"`
	}
	if err := json.Unmarshal([]byte(body), &created); err != nil || created.Network.ID == "" {
		t.Fatalf("create answer %s: %v", body, err)
	}
	if srv.Cluster.Neutron("networks", created.Network.ID) == nil {
		t.Fatal("the network created once the cluster loaded is not in the cluster's copy")
	}
}

// lockedBuffer is a log sink the server's goroutines may write concurrently.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestStartupPeakReleased: once the start-up's work is done (loads, status passes, the
// startup repair and the first reconciliation), the server gives the heap the start-up left
// free back to the operating system, once, and says so in its log.
func TestStartupPeakReleased(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "neutron.conf")
	if err := os.WriteFile(conf, []byte("[DEFAULT]\nauth_strategy = noauth\nbind_port = 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	_, _, stop := startGated(t, Options{ConfigFiles: []string{conf}, DataDir: filepath.Join(dir, "data"), Log: slog.New(slog.NewTextHandler(&logs, nil))})
	defer stop()
	const line = "start-up done: free heap returned to the operating system"
	for i := 0; i < 3000 && !strings.Contains(logs.String(), line); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if n := strings.Count(logs.String(), line); n != 1 {
		t.Fatalf("the log says %q %d times, want once:\n%s", line, n, logs.String())
	}
}
