package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAnswersWhileTheNSDBOpens: the embedded NSDB opens in the background (etcd rebuilds its
// key index at start: seconds at 100,000 ports), held here by a hook until the test lets it
// open. Meanwhile the server answers the Neutron API from its database; /healthcheck answers
// 200 saying the NSDB is opening; what reads the NSDB for a request (the agents, the
// topology page's event stream and MidoNet objects, trace) answers 503 saying it is
// syncing; /metrics answers. A write goes as it does while the cluster loads: with the task
// client it is committed and its task waits in the journal, and once the NSDB opens and the
// cluster loads it reaches the NSDB (`db-manage verify` then finds no drift and no pending
// task); with the REST client it is refused 503 (syncing) and undone. Once open, everything
// answers.
func TestAnswersWhileTheNSDBOpens(t *testing.T) {
	for _, tc := range []struct {
		name, client string
		wantCreate   int // the answer to a create while the NSDB opens
	}{
		{"task client", "midonet.neutron.client.cluster.MidonetClusterClient", http.StatusCreated},
		{"REST client", "midonet.neutron.client.api.MidonetApiClient", http.StatusServiceUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			conf := filepath.Join(dir, "neutron.conf")
			text := "[DEFAULT]\nauth_strategy = noauth\nbind_port = 0\n[MIDONET]\napply_timeout = 2\nclient = " + tc.client + "\n"
			if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			gate := make(chan struct{})
			o := Options{ConfigFiles: []string{conf}, DataDir: filepath.Join(dir, "data"), Log: quiet, nsdbGate: gate}
			srv, call, stop := startGated(t, o)
			defer stop()
			// The listener answers 503 "starting" until Run puts the API in place.
			code, body := waitAPI(call)
			if code != http.StatusOK || !strings.Contains(body, `"networks"`) {
				t.Fatalf("GET /v2.0/networks while the NSDB opens = %d %s, want 200", code, body)
			}
			if srv.NSDB.IsOpen() {
				t.Fatal("the NSDB is open although the hook holds its open")
			}
			code, body = call("GET", "/healthcheck", "")
			if code != http.StatusOK || !strings.Contains(body, "syncing: the NSDB is opening") {
				t.Fatalf("/healthcheck while the NSDB opens = %d %q, want 200 saying the NSDB is opening", code, body)
			}
			for _, path := range []string{"/v2.0/agents", "/v2.0/agents/0b1fb8b8-3b0f-4f8b-9d5e-6f3f3f0a4f01",
				"/ui/events", "/ui/objects?collection=networks&id=n1", "/trace?from_port=p&dst=10.0.0.1"} {
				code, body := call("GET", path, "")
				if code != http.StatusServiceUnavailable || !strings.Contains(body, "syncing") {
					t.Errorf("GET %s while the NSDB opens = %d %s, want 503 saying it is syncing", path, code, body)
				}
				if strings.HasPrefix(path, "/v2.0/") && !strings.Contains(body, `"ServiceUnavailable"`) {
					t.Errorf("GET %s while the NSDB opens: %s, want a Neutron ServiceUnavailable error", path, body)
				}
			}
			if code, body := call("GET", "/metrics", ""); code != http.StatusOK || !strings.Contains(body, "midonet_") {
				t.Errorf("GET /metrics while the NSDB opens = %d, want 200 with the server's metrics", code)
			}

			code, body = call("POST", "/v2.0/networks", `{"network": {"name": "during"}}`)
			if code != tc.wantCreate {
				t.Fatalf("POST /v2.0/networks while the NSDB opens = %d %s, want %d", code, body, tc.wantCreate)
			}
			if code == http.StatusServiceUnavailable && !strings.Contains(body, "syncing") {
				t.Fatalf("the refused create says %s, want that the server is syncing", body)
			}
			var during struct {
				Network struct {
					ID string `json:"id"`
				} `json:"network"`
			}
			if code == http.StatusCreated {
				if err := json.Unmarshal([]byte(body), &during); err != nil || during.Network.ID == "" {
					t.Fatalf("create answer %s: %v", body, err)
				}
			} else if _, list := call("GET", "/v2.0/networks", ""); strings.Contains(list, "during") {
				t.Fatalf("the refused create left its network behind: %s", list)
			}

			close(gate)
			waitOK(t, call)
			if code, body := call("GET", "/v2.0/agents", ""); code != http.StatusOK || !strings.Contains(body, `"agents"`) {
				t.Fatalf("GET /v2.0/agents once the NSDB opened = %d %s, want 200", code, body)
			}
			code, body = call("POST", "/v2.0/networks", `{"network": {"name": "after"}}`)
			if code != http.StatusCreated {
				t.Fatalf("POST /v2.0/networks once the NSDB opened = %d %s, want 201", code, body)
			}
			stop()

			// `db-manage verify`, the server stopped: the write made while the NSDB opened
			// reached it (no drift, nothing pending).
			verifyNoDrift(t, o)
			if during.Network.ID != "" {
				c, closeView, err := OpenClusterView(context.Background(), Options{ConfigFiles: []string{conf}, DataDir: o.DataDir, Log: quiet})
				if err != nil {
					t.Fatal(err)
				}
				defer closeView()
				if c.Neutron("networks", during.Network.ID) == nil {
					t.Fatal("the network created while the NSDB opened is not in the NSDB")
				}
			}
		})
	}
}

// startGated starts a server with o and runs it; call makes a request to its API (the
// networks as project p1, anything else as noauth's admin), stop stops it (once).
func startGated(t *testing.T, o Options) (*Server, func(method, path, body string) (int, string), func()) {
	t.Helper()
	srv, err := NewServer(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		}
	}
	call := func(method, path, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL()+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(path, "/v2.0/networks") {
			req.Header.Set("X-Project-Id", "p1")
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	return srv, call, stop
}

// verifyNoDrift runs `db-manage verify` on a stopped server's data and fails unless it
// finds no difference and no pending task.
func verifyNoDrift(t *testing.T, o Options) {
	t.Helper()
	var out bytes.Buffer
	n, err := Verify(context.Background(), Options{ConfigFiles: o.ConfigFiles, DataDir: o.DataDir, Log: quiet}, &out, true)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	var report struct {
		Drift struct {
			PendingTasks int64 `json:"pending_tasks"`
		} `json:"drift"`
	}
	if err := json.Unmarshal(out.Bytes(), &report); err != nil {
		t.Fatalf("verify's JSON %s: %v", out.String(), err)
	}
	if n != 0 || report.Drift.PendingTasks != 0 {
		t.Fatalf("verify = %d differences, %d pending tasks: %s", n, report.Drift.PendingTasks, out.String())
	}
}

// waitOK waits for /healthcheck to say OK.
func waitOK(t *testing.T, call func(method, path, body string) (int, string)) {
	t.Helper()
	code, body := 0, ""
	for i := 0; i < 3000; i++ {
		if code, body = call("GET", "/healthcheck", ""); body == "OK" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("/healthcheck = %d %q, want 200 OK", code, body)
}

// waitAPI waits for the listener to stop answering 503 "starting" and returns the answer to
// GET /v2.0/networks.
func waitAPI(call func(method, path, body string) (int, string)) (int, string) {
	code, body := call("GET", "/v2.0/networks", "")
	for i := 0; code == http.StatusServiceUnavailable && strings.Contains(body, "starting") && i < 500; i++ {
		time.Sleep(20 * time.Millisecond)
		code, body = call("GET", "/v2.0/networks", "")
	}
	return code, body
}

// TestStopWhileTheNSDBOpens: a server stopped before its NSDB opened stops cleanly; a write
// it took meanwhile (task client) stays in the journal and the next start applies it:
// nothing is lost and verify finds no drift.
func TestStopWhileTheNSDBOpens(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "neutron.conf")
	text := "[DEFAULT]\nauth_strategy = noauth\nbind_port = 0\n[MIDONET]\napply_timeout = 1\nclient = tasks\n"
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	o := Options{ConfigFiles: []string{conf}, DataDir: filepath.Join(dir, "data"), Log: quiet, nsdbGate: make(chan struct{})}
	_, call, stop := startGated(t, o)
	if code, body := waitAPI(call); code != http.StatusOK {
		t.Fatalf("GET /v2.0/networks while the NSDB opens = %d %s", code, body)
	}
	code, body := call("POST", "/v2.0/networks", `{"network": {"name": "during"}}`)
	if code != http.StatusCreated {
		t.Fatalf("POST /v2.0/networks while the NSDB opens = %d %s, want 201", code, body)
	}
	stop() // the gate never opened

	o.nsdbGate = nil
	_, call, stop = startGated(t, o)
	waitAPI(call)
	waitOK(t, call)
	stop()
	verifyNoDrift(t, o)
}
