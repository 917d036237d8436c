// Package api is the Neutron v2.0 HTTP front end: routing per collection, request parsing,
// fields/filters/sorting/pagination, NeutronError bodies, authentication and policy. It reads
// the declarative resource descriptions (package resource) and drives one plugin Collection
// per resource, each request's writes inside one database transaction.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/midonet-go/midonet/internal/auth"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
)

// Server serves the API.
type Server struct {
	DB         *db.DB
	Auth       auth.Authenticator
	Policy     *policy.Enforcer
	Extensions *resource.Registry
	// Catalog describes every collection (policy parents among them); New builds one from
	// the collections when it is nil.
	Catalog *resource.Catalog
	// Quotas answers /v2.0/quotas and checks every create against the project's limit.
	Quotas plugin.Quotas
	// NoAuth marks auth_strategy = noauth: new resources without an owner go to
	// fake_project_id.
	NoAuth bool
	// Writes, when set, runs every write transaction instead of DB: the app gives a
	// plugin.GatedWriter (read-only mode, the disk reserve). Reads always use DB.
	Writes plugin.Writer
	// Backend hears of every committed write's changes and returns once the topology
	// reflects them (nil: no backend).
	Backend Backend
	// WriteTasks makes every write append its changes to midonet_tasks (the task client).
	WriteTasks bool
	Log        *slog.Logger
	// Limits bound request bodies (size and the memory all of them hold at once).
	Limits Limits

	budgetOnce  sync.Once
	budget      *bodyBudget                  // from Limits, at the first request
	collections map[string]plugin.Collection // by URL segment
	order       []plugin.Collection
	requests    atomic.Int64
}

// New builds a server over the given collections.
func New(s *Server, cols ...plugin.Collection) *Server {
	s.collections = map[string]plugin.Collection{}
	if s.Catalog == nil {
		rs := make([]*resource.Resource, len(cols))
		for i, c := range cols {
			rs[i] = c.Resource()
		}
		s.Catalog = resource.MustCatalog(rs...)
	}
	for _, c := range cols {
		c = plugin.QuotaEnforced(c, s.Quotas)
		s.collections[c.Resource().Path] = c
		s.order = append(s.order, c)
	}
	if s.Writes == nil {
		s.Writes = s.DB
	}
	if s.Log == nil {
		s.Log = slog.Default()
	}
	return s
}

// request carries what one request needs.
type request struct {
	w      http.ResponseWriter
	r      *http.Request
	id     string
	caller *plugin.Caller
	creds  policy.Credentials
	base   string
}

// ServeHTTP routes a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	rq := &request{w: w, r: r, id: "req-" + uuid.NewString()}
	w.Header().Set("X-Openstack-Request-Id", rq.id)
	defer func() {
		if v := recover(); v != nil {
			s.Log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
			writeFault(w, fault.InternalServerError())
		}
	}()
	release, err := s.limitBody(w, r)
	defer release()
	if err != nil {
		writeError(w, s.Log, err)
		return
	}
	rq.base = baseURL(r)
	path := strings.TrimSuffix(r.URL.Path, ".json")
	if path == "/" || path == "" {
		s.versions(rq)
		return
	}
	if !strings.HasPrefix(path, "/v2.0/") {
		writeFault(w, fault.HTTPNotFound())
		return
	}
	if err := s.authenticate(rq); err != nil {
		writeError(w, s.Log, err)
		return
	}
	parts := strings.Split(strings.Trim(strings.TrimPrefix(path, "/v2.0/"), "/"), "/")
	if parts[0] == "" {
		s.v2Root(rq)
		return
	}
	switch parts[0] {
	case "extensions":
		err = s.extensions(rq, parts[1:])
	case "quotas":
		err = s.quotas(rq, parts[1:])
	default:
		err = s.resource(rq, parts)
	}
	if err != nil {
		writeError(w, s.Log, err)
	}
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		scheme = p
	}
	return scheme + "://" + r.Host
}

func (s *Server) authenticate(rq *request) error {
	ac, err := s.Auth.Authenticate(rq.r.Context(), rq.r)
	if err != nil {
		switch {
		case errors.Is(err, auth.ErrUnauthorized):
			return fault.Unauthorized()
		case errors.Is(err, auth.ErrUnavailable):
			return fault.ServiceUnavailable("The identity service is unavailable.")
		}
		return err
	}
	rq.caller = &plugin.Caller{ProjectID: ac.ProjectID, UserID: ac.UserID, IsAdmin: ac.IsAdmin, RequestID: rq.id, Catalog: s.Catalog}
	rq.creds = policy.Credentials{UserID: ac.UserID, ProjectID: ac.ProjectID, Roles: ac.Roles, IsAdmin: ac.IsAdmin}
	rq.caller.Sees = func(ctx context.Context, tx *db.Tx, collection string, d db.Doc) (bool, error) {
		return s.sees(ctx, tx, rq, collection, d)
	}
	return nil
}

// resource dispatches /v2.0/{collection}[/{id}[/tags[/{tag}] | /{action}]].
func (s *Server) resource(rq *request, parts []string) error {
	col, ok := s.collections[parts[0]]
	if !ok {
		return fault.HTTPNotFound()
	}
	m := rq.r.Method
	switch len(parts) {
	case 1:
		switch m {
		case http.MethodGet:
			return s.list(rq, col)
		case http.MethodPost:
			return s.create(rq, col)
		case http.MethodDelete:
			return col.Resource().NotFound("None")
		}
		return fault.MethodNotAllowed()
	case 2:
		switch m {
		case http.MethodGet:
			return s.show(rq, col, parts[1])
		case http.MethodPut:
			return s.update(rq, col, parts[1])
		case http.MethodDelete:
			return s.delete(rq, col, parts[1])
		}
		return fault.MethodNotAllowed()
	}
	if parts[2] == "tags" && col.Resource().Tags && len(parts) <= 4 {
		tag := ""
		if len(parts) == 4 {
			tag = parts[3]
		}
		return s.tags(rq, col, parts[1], tag, len(parts) == 4)
	}
	if len(parts) == 3 {
		if a, ok := plugin.As[plugin.Actioner](col); ok {
			return s.action(rq, col, a, parts[1], parts[2])
		}
	}
	return fault.HTTPNotFound()
}

// Backend is the MidoNet side of the API: it is told, after the commit, what a write
// changed, and returns once the topology reflects it.
type Backend interface {
	Commit(ctx context.Context, changes []journal.Change) error
}
