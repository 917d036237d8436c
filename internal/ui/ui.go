// Package ui serves the topology page under /ui/: a static page embedded in the binary (its
// JavaScript library, cytoscape, vendored from npm with its licence) that draws what the
// caller may see through the Neutron API, runs `midonet trace` on the map and shows drift and
// health, plus the few endpoints the page needs besides the Neutron API:
//
//	GET  /ui/config   how to authenticate (noauth or Keystone, and which Keystone), whether
//	                  /trace is served
//	POST /ui/login    user, password and project → a project-scoped token from the configured
//	                  Keystone (the server asks it, so the browser needs no CORS)
//	GET  /ui/events   server-sent events: which networks, subnets, ports, routers and floating
//	                  IPs changed, fed by the NSDB watch of the Neutron copies the cluster
//	                  writes, each one checked against the Neutron API as the caller
//	GET  /ui/objects  the MidoNet objects a Neutron resource was translated to (admins)
//
// Every endpoint but the static files and /ui/config authenticates the caller the same way
// the API does (X-Auth-Token with Keystone, the noauth headers otherwise).
package ui

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/midonet-go/midonet/internal/auth"
	"github.com/midonet-go/midonet/internal/nsdb"
)

//go:embed assets
var assets embed.FS

// Store is what the page's endpoints read from the NSDB; *nsdb.Store implements it.
type Store interface {
	Get(ctx context.Context, key string) (*nsdb.KV, error)
	List(ctx context.Context, prefix string) ([]nsdb.KV, int64, error)
	Watch(ctx context.Context, prefix string, fromRev int64) <-chan nsdb.Event
}

// Options are what the page is served with.
type Options struct {
	// API is the Neutron API server. The event stream asks it, in process and with the
	// caller's own headers, for every changed resource, so the page learns only of what
	// the caller may see.
	API http.Handler
	// Auth authenticates the page's own endpoints, as the API does.
	Auth auth.Authenticator
	// NoAuth: no login form (every caller is whoever its headers say, by default an admin).
	NoAuth bool
	// KeystoneURL is the Keystone the login form's token comes from (auth_url of
	// [keystone_authtoken]); KeystoneHTTP the client that reaches it.
	KeystoneURL  string
	KeystoneHTTP *http.Client
	// Store is the NSDB; nil serves no live updates and no MidoNet objects.
	Store Store
	// Syncing, when set, says why Store cannot be read yet ("" once it can): the event
	// stream and the MidoNet objects answer 503 with it meanwhile (the page retries).
	Syncing func() string
	// Trace says that GET /trace is served (the process runs an agent).
	Trace bool
	Log   *slog.Logger
}

// Handler serves /ui/.
type Handler struct {
	o      Options
	static http.Handler
	hub    *hub

	mu     sync.Mutex
	closed bool
	done   chan struct{} // closed by Close: every event stream ends
}

// New returns the handler of /ui/.
func New(o Options) *Handler {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.KeystoneHTTP == nil {
		o.KeystoneHTTP = http.DefaultClient
	}
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic("ui: embedded assets: " + err.Error()) // the embed directive guarantees the folder
	}
	h := &Handler{o: o, static: http.StripPrefix("/ui/", http.FileServer(http.FS(sub))), done: make(chan struct{})}
	if o.Store != nil {
		h.hub = newHub(o.Store, o.Log)
	}
	return h
}

// Close ends every event stream, so that a graceful shutdown does not wait for them.
func (h *Handler) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

// ServeHTTP routes /ui/ requests.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("Referrer-Policy", "no-referrer")
	switch r.URL.Path {
	case "/ui":
		http.Redirect(w, r, "/ui/", http.StatusMovedPermanently)
	case "/ui/config":
		h.config(w, r)
	case "/ui/login":
		h.login(w, r)
	case "/ui/events":
		h.events(w, r)
	case "/ui/objects":
		h.objects(w, r)
	default:
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeError(w, http.StatusMethodNotAllowed, "only GET here")
			return
		}
		// The page may only talk to this server, and only run its own scripts.
		hdr.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "+
			"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
		if r.URL.Path == "/ui/" || strings.HasSuffix(r.URL.Path, ".html") {
			hdr.Set("Cache-Control", "no-cache")
		}
		h.static.ServeHTTP(w, r)
	}
}

// config tells the page how to log in.
func (h *Handler) config(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "only GET here")
		return
	}
	mode := "keystone"
	if h.o.NoAuth {
		mode = "noauth"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"auth":         mode,
		"keystone_url": h.o.KeystoneURL,
		"trace":        h.o.Trace,
		"events":       h.hub != nil,
		"metrics":      "/metrics",
	})
}

// caller authenticates a request to one of the page's endpoints, answering 401/503 itself.
func (h *Handler) caller(w http.ResponseWriter, r *http.Request) (*auth.Context, bool) {
	ac, err := h.o.Auth.Authenticate(r.Context(), r)
	switch {
	case err == nil:
		return ac, true
	case errors.Is(err, auth.ErrUnauthorized):
		writeError(w, http.StatusUnauthorized, "authentication required: log in again")
	default:
		h.o.Log.Warn("ui: authentication failed", "err", err)
		writeError(w, http.StatusServiceUnavailable, "the identity service is unavailable")
	}
	return nil, false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// syncing answers 503 when the NSDB cannot be read yet, and reports whether it did.
func (h *Handler) syncing(w http.ResponseWriter) bool {
	if h.o.Syncing == nil {
		return false
	}
	msg := h.o.Syncing()
	if msg == "" {
		return false
	}
	w.Header().Set("Retry-After", "2")
	writeError(w, http.StatusServiceUnavailable, msg)
	return true
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": msg})
}
