package nova

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const server = "3d9e2b7c-5f1a-4c8e-9b2d-7a6f0e1c4b58"

func port(id, owner, device, status string) map[string]any {
	return map[string]any{"id": id, "device_owner": owner, "device_id": device, "status": status}
}

// collect is a notifier whose queue the test reads (nothing is sent).
func collect(status, data bool, ports map[string]map[string]any) *Notifier {
	return New(Options{StatusChanges: status, DataChanges: data, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Port: func(_ context.Context, id string) (map[string]any, error) { return ports[id], nil }})
}

// TestWhichEvents: the events neutron-server's notifier sends for each change, and none
// for ports no server owns or with the notification turned off.
func TestWhichEvents(t *testing.T) {
	vm := port("p1", "compute:nova", server, "ACTIVE")
	down := port("p1", "compute:nova", server, "DOWN")
	errored := port("p1", "compute:az1", server, "ERROR")
	dhcp := port("p2", "network:dhcp", "dhcp-host", "ACTIVE")
	noServer := port("p3", "compute:nova", "", "ACTIVE")
	notUUID := port("p4", "compute:nova", "vm-1", "ACTIVE")
	cases := []struct {
		name         string
		status, data bool
		do           func(n *Notifier)
		want         []Event
	}{
		{"plugged: DOWN to ACTIVE", true, true, func(n *Notifier) { n.PortStatus(vm, "DOWN") },
			[]Event{{VIFPlugged, server, "completed", "p1"}}},
		{"plugged: new port ACTIVE", true, true, func(n *Notifier) { n.PortStatus(vm, "") }, []Event{{VIFPlugged, server, "completed", "p1"}}},
		{"plugged failed: ERROR", true, true, func(n *Notifier) { n.PortStatus(errored, "BUILD") }, []Event{{VIFPlugged, server, "failed", "p1"}}},
		{"unplugged: ACTIVE to DOWN", true, true, func(n *Notifier) { n.PortStatus(down, "ACTIVE") }, []Event{{VIFUnplugged, server, "completed", "p1"}}},
		{"ERROR to DOWN says nothing", true, true, func(n *Notifier) { n.PortStatus(down, "ERROR") }, nil},
		{"not a server's port", true, true, func(n *Notifier) {
			n.PortStatus(dhcp, "DOWN")
			n.PortStatus(noServer, "DOWN")
			n.PortStatus(notUUID, "DOWN")
			n.Changed(context.Background(), "ports", dhcp, dhcp)
			n.Changed(context.Background(), "ports", noServer, nil)
		}, nil},
		{"status changes off", false, true, func(n *Notifier) { n.PortStatus(vm, "DOWN") }, nil},
		{"port updated", true, true, func(n *Notifier) { n.Changed(context.Background(), "ports", down, vm) },
			[]Event{{NetworkChanged, server, "", "p1"}}},
		{"port created says nothing", true, true, func(n *Notifier) { n.Changed(context.Background(), "ports", nil, vm) }, nil},
		{"port deleted", true, true, func(n *Notifier) { n.Changed(context.Background(), "ports", vm, nil) },
			[]Event{{VIFDeleted, server, "", "p1"}}},
		{"data changes off", true, false, func(n *Notifier) { n.Changed(context.Background(), "ports", vm, nil) }, nil},
		{"floating IP associated", true, true, func(n *Notifier) {
			n.Changed(context.Background(), "floatingips", map[string]any{"id": "f"}, map[string]any{"id": "f", "port_id": "p1"})
		}, []Event{{NetworkChanged, server, "", "p1"}}},
		{"floating IP deleted", true, true, func(n *Notifier) {
			n.Changed(context.Background(), "floatingips", map[string]any{"id": "f", "port_id": "p1"}, nil)
		}, []Event{{NetworkChanged, server, "", "p1"}}},
		{"floating IP moved to another server's port", true, true, func(n *Notifier) {
			n.Changed(context.Background(), "floatingips", map[string]any{"id": "f", "port_id": "p5"}, map[string]any{"id": "f", "port_id": "p1"})
		}, []Event{{NetworkChanged, "aaaaaaaa-5f1a-4c8e-9b2d-7a6f0e1c4b58", "", "p5"}, {NetworkChanged, server, "", "p1"}}},
		{"floating IP of a gone port", true, true, func(n *Notifier) {
			n.Changed(context.Background(), "floatingips", nil, map[string]any{"id": "f", "port_id": "gone"})
		}, nil},
	}
	ports := map[string]map[string]any{"p1": vm, "p5": port("p5", "compute:nova", "aaaaaaaa-5f1a-4c8e-9b2d-7a6f0e1c4b58", "ACTIVE")}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := collect(c.status, c.data, ports)
			c.do(n)
			got := n.take()
			if len(got) != len(c.want) {
				t.Fatalf("events %+v, want %+v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("event %d = %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}

// fakeCloud is a Keystone and a Nova in one HTTP server.
type fakeCloud struct {
	srv      *httptest.Server
	mu       sync.Mutex
	batches  [][]Event
	tokens   atomic.Int64 // tokens issued
	refuse   atomic.Int64 // Nova answers 401 this many times
	notFound atomic.Bool
	release  chan struct{} // when set, Nova waits for it before answering
}

func newFakeCloud(t *testing.T) *fakeCloud {
	f := &fakeCloud{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v3/auth/tokens":
			var body map[string]any
			_ = json.NewDecoder(r.Body).Decode(&body)
			n := f.tokens.Add(1)
			w.Header().Set("X-Subject-Token", "token-"+string(rune('0'+n)))
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(map[string]any{"token": map[string]any{
				"expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
				"catalog": []any{
					map[string]any{"type": "network", "endpoints": []any{map[string]any{"interface": "public", "region": "r1", "url": "http://wrong"}}},
					map[string]any{"type": "compute", "endpoints": []any{
						map[string]any{"interface": "internal", "region": "r1", "url": "http://wrong"},
						map[string]any{"interface": "public", "region": "r0", "url": "http://wrong"},
						map[string]any{"interface": "public", "region": "r1", "url": f.srv.URL + "/compute/v2.1"},
					}},
				}}})
		case "/compute/v2.1/os-server-external-events":
			if f.release != nil {
				<-f.release
			}
			if f.refuse.Load() > 0 && f.refuse.Add(-1) >= 0 {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			if r.Header.Get("X-Auth-Token") == "" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			var body struct{ Events []Event }
			_ = json.NewDecoder(r.Body).Decode(&body)
			f.mu.Lock()
			f.batches = append(f.batches, body.Events)
			f.mu.Unlock()
			if f.notFound.Load() {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			out := []map[string]any{}
			for _, e := range body.Events {
				out = append(out, map[string]any{"name": e.Name, "server_uuid": e.ServerUUID, "tag": e.Tag, "code": 200})
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"events": out})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeCloud) got() [][]Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]Event(nil), f.batches...)
}

// flaky fails the first n round trips as if nothing listened.
type flaky struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (f *flaky) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.n.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	}
	return f.next.RoundTrip(r)
}

func notifier(f *fakeCloud, rt http.RoundTripper, retries int) *Notifier {
	return New(Options{StatusChanges: true, DataChanges: true, Interval: 50 * time.Millisecond, Retries: retries,
		RetryPause: time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Auth: AuthOptions{AuthURL: f.srv.URL, Username: "nova", Password: "pw", ProjectName: "service", Region: "r1",
			Interface: "publicURL", HTTP: &http.Client{Transport: rt, Timeout: 5 * time.Second}}})
}

// TestSend: the compute endpoint comes from the catalog (region and interface); events
// queued while a batch is on its way go together in the next; a request that reaches
// nobody is retried http_retries times and then given up; a refused token is renewed once;
// 404 is not retried.
func TestSend(t *testing.T) {
	ev := func(tag string) Event {
		return Event{Name: VIFPlugged, ServerUUID: server, Status: "completed", Tag: tag}
	}
	t.Run("batches", func(t *testing.T) {
		f := newFakeCloud(t)
		f.release = make(chan struct{})
		n := notifier(f, http.DefaultTransport, 3)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { n.Run(ctx); close(done) }()
		n.queue(ev("a"))
		// Nova holds the first request: these three wait and go in one batch.
		time.Sleep(100 * time.Millisecond)
		n.queue(ev("b"))
		n.queue(ev("c"))
		n.queue(ev("d"))
		close(f.release)
		deadline := time.Now().Add(10 * time.Second)
		for len(f.got()) < 2 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		<-done
		got := f.got()
		if len(got) != 2 || len(got[0]) != 1 || len(got[1]) != 3 || got[1][0].Tag != "b" || got[1][2].Tag != "d" {
			t.Fatalf("batches %+v, want [a] then [b c d]", got)
		}
		if f.tokens.Load() != 1 {
			t.Errorf("%d tokens issued, want 1 (kept between batches)", f.tokens.Load())
		}
	})
	t.Run("retried while unreachable", func(t *testing.T) {
		f := newFakeCloud(t)
		rt := &flaky{next: http.DefaultTransport}
		rt.n.Store(3)
		n := notifier(f, rt, 3)
		n.send(context.Background(), []Event{ev("a")})
		if got := f.got(); len(got) != 1 {
			t.Fatalf("after 3 failures and 3 retries: batches %+v, want 1", got)
		}
	})
	t.Run("given up after http_retries", func(t *testing.T) {
		f := newFakeCloud(t)
		rt := &flaky{next: http.DefaultTransport}
		rt.n.Store(3)
		n := notifier(f, rt, 2)
		n.send(context.Background(), []Event{ev("a")})
		if got := f.got(); len(got) != 0 {
			t.Fatalf("batches %+v, want none", got)
		}
	})
	t.Run("refused token renewed once", func(t *testing.T) {
		f := newFakeCloud(t)
		f.refuse.Store(1)
		n := notifier(f, http.DefaultTransport, 0)
		n.send(context.Background(), []Event{ev("a")})
		if got := f.got(); len(got) != 1 || f.tokens.Load() != 2 {
			t.Fatalf("batches %+v, tokens %d; want 1 batch with a second token", got, f.tokens.Load())
		}
		f.refuse.Store(5)
		n.send(context.Background(), []Event{ev("b")})
		if got := f.got(); len(got) != 1 {
			t.Fatalf("a token refused twice: batches %+v, want still 1", got)
		}
	})
	t.Run("404 is not retried", func(t *testing.T) {
		f := newFakeCloud(t)
		f.notFound.Store(true)
		n := notifier(f, http.DefaultTransport, 3)
		n.send(context.Background(), []Event{ev("a")})
		if got := f.got(); len(got) != 1 {
			t.Fatalf("batches %+v, want 1", got)
		}
	})
	t.Run("no compute endpoint", func(t *testing.T) {
		_, err := computeEndpoint([]catalogEntry{{Type: "compute"}}, "r9", "public")
		if err == nil || !strings.Contains(err.Error(), "no compute public endpoint in region r9") {
			t.Errorf("err = %v", err)
		}
	})
}
