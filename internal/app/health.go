package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/midonet-go/midonet/internal/buildinfo"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/nsdb"
)

// healthCheck is one thing /healthcheck looks at.
type healthCheck struct {
	class string // oslo.middleware names its backends' classes; these are ours
	what  string // "database", "NSDB", "MidoNet cluster"
	check func(ctx context.Context) error
}

// healthTimeout bounds each check: a probe must answer well within a load balancer's timeout.
const healthTimeout = 3 * time.Second

// health serves /healthcheck as oslo.middleware's healthcheck does: GET answers 200 "OK"
// (HEAD 204) while every store this process needs answers, else 503 with the reasons; with
// Accept: application/json the answer is its JSON document ({"detailed": false, "reasons":
// [...]}), and with [healthcheck] detailed the reasons name each check, its time and, on a
// failure, the error (which may name internal addresses: off by default, as upstream).
//
// While the cluster or the agent of this process still loads the topology at start, the
// answer is 200 (the API serves) but its reasons say what is syncing instead of "OK", and
// the JSON document has "syncing": true (absent once synced, as before).
type health struct {
	checks   []healthCheck
	detailed bool
	syncing  func() []string // what is still loading; nil or empty: nothing
}

// checks of a server: the database and the NSDB it opened.
func serverChecks(d *db.DB, store *nsdb.Store) []healthCheck {
	return []healthCheck{
		{class: "DatabaseCheck", what: "database", check: func(ctx context.Context) error {
			return d.Read(ctx, func(tx *db.Tx) error {
				var one int
				return tx.QueryRow(ctx, "SELECT 1").Scan(&one)
			})
		}},
		{class: "NSDBCheck", what: "NSDB", check: func(ctx context.Context) error {
			if !store.IsOpen() && store.OpenErr() == nil {
				return errOpening // the syncing reasons say so
			}
			_, err := store.Get(ctx, nsdb.ActiveVersionKey)
			return err
		}},
	}
}

// errOpening is a check's answer for a store that is still opening at start: not a failure
// (the server answers, syncing), and not "reachable" either.
var errOpening = errors.New("opening")

// clusterCheck is the check of an API server whose cluster runs elsewhere: its REST endpoint
// (midonet_uri) accepts connections.
func clusterCheck(uri string) healthCheck {
	return healthCheck{class: "ClusterCheck", what: "MidoNet cluster", check: func(ctx context.Context) error {
		return dialURL(ctx, uri)
	}}
}

// dialURL opens and closes a TCP connection to the host of uri.
func dialURL(ctx context.Context, uri string) error {
	u, err := url.Parse(uri)
	if err != nil {
		return fmt.Errorf("app: midonet_uri %q: %w", uri, err)
	}
	host := u.Host
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		host = net.JoinHostPort(u.Hostname(), port)
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return err
	}
	return c.Close()
}

type healthReason struct {
	Class   string  `json:"class"`
	Reason  string  `json:"reason"`
	Details string  `json:"details"`
	Seconds float64 `json:"seconds"`
}

func (h *health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	ok := true
	reasons := make([]healthReason, len(h.checks))
	done := make(chan struct{}, len(h.checks))
	for i, c := range h.checks {
		go func() {
			defer func() { done <- struct{}{} }()
			ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
			defer cancel()
			start := time.Now()
			err := c.check(ctx)
			reasons[i] = healthReason{Class: c.class, Reason: "OK", Details: c.what + " reachable", Seconds: time.Since(start).Seconds()}
			if errors.Is(err, errOpening) {
				reasons[i].Details = c.what + " opening"
			} else if err != nil {
				reasons[i].Reason = c.what + " unreachable"
				reasons[i].Details = err.Error()
			}
		}()
	}
	for range h.checks {
		<-done
	}
	var short []string
	for _, rs := range reasons {
		if rs.Reason != "OK" {
			ok = false
			short = append(short, rs.Reason)
		}
	}
	var syncing []string
	if h.syncing != nil {
		syncing = h.syncing()
	}
	if ok {
		short = []string{"OK"}
		if len(syncing) > 0 {
			short = syncing
		}
	}
	for _, msg := range syncing {
		reasons = append(reasons, healthReason{Class: "SyncCheck", Reason: "syncing", Details: msg})
	}
	status := http.StatusOK
	if !ok {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-cache")
	if r.Method == http.MethodHead {
		if ok {
			status = http.StatusNoContent
		}
		w.WriteHeader(status)
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		doc := map[string]any{"detailed": h.detailed, "reasons": short}
		if len(syncing) > 0 {
			doc["syncing"] = true
		}
		if h.detailed {
			doc["reasons"] = reasons
			doc["now"] = time.Now().UTC().Format(time.RFC3339Nano)
			doc["version"] = buildinfo.Get()
		}
		_ = json.NewEncoder(w).Encode(doc)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(strings.Join(short, "\n")))
}

// notTheAPI answers every other path of a process without the Neutron API (a `midonet
// cluster`): 404 with a Neutron error that says what it serves instead.
type notTheAPI struct{}

func (notTheAPI) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_ = json.NewEncoder(w).Encode(map[string]any{"NeutronError": map[string]any{
		"type": "HTTPNotFound", "detail": "",
		"message": "This is a midonet cluster: it serves /healthcheck and /metrics here, and the MidoNet REST endpoint " +
			"(/midonet-api) on its own listener. The Neutron API is served by midonet serve or midonet api.",
	}})
}

// switchable serves with the handler last set.
type switchable struct{ h atomic.Pointer[http.Handler] }

func (s *switchable) set(h http.Handler) { s.h.Store(&h) }

func (s *switchable) ServeHTTP(w http.ResponseWriter, r *http.Request) { (*s.h.Load()).ServeHTTP(w, r) }

// notReady answers while the server starts or waits as a standby: 503, as a Neutron error
// (and as text on /healthcheck), saying which.
type notReady struct{ phase *atomic.Value }

func (n notReady) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	phase, _ := n.phase.Load().(string)
	if r.URL.Path == "/healthcheck" {
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(phase))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusServiceUnavailable)
	_ = json.NewEncoder(w).Encode(map[string]any{"NeutronError": map[string]any{
		"type": "ServiceUnavailable", "detail": "", "message": "The server is " + phase + "; try again shortly.",
	}})
}
