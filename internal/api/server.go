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
	"github.com/midonet-go/midonet/internal/logging"
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
	// Lifetime ends when the server gives up on the requests in flight (the stop's cut, past
	// graceful_shutdown_timeout). What follows a commit — the backend's apply, undoing a
	// create the backend refused — runs until it is done or Lifetime ends, never cut short
	// because the client went away (nil: it runs until it is done).
	Lifetime context.Context
	// Observe, when set, hears of every create, update and delete a request committed, before
	// the answer is written (Neutron's BEFORE_RESPONSE callbacks; the Nova notifier): the
	// collection and the document before (nil for a create) and after (nil for a delete).
	// It must not keep the documents.
	Observe func(ctx context.Context, collection string, before, after db.Doc)
	Log     *slog.Logger
	// Limits bound request bodies (size and the memory all of them hold at once).
	Limits Limits

	budgetOnce  sync.Once
	budget      *bodyBudget                             // from Limits, at the first request
	collections map[string]plugin.Collection            // by URL path under /v2.0/ ("ports", "qos/policies")
	subs        map[string]map[string]plugin.Collection // sub-resources: parent collection → URL segment
	order       []plugin.Collection
	requests    atomic.Int64
}

// New builds a server over the given collections.
func New(s *Server, cols ...plugin.Collection) *Server {
	s.collections = map[string]plugin.Collection{}
	s.subs = map[string]map[string]plugin.Collection{}
	if s.Catalog == nil {
		rs := make([]*resource.Resource, len(cols))
		for i, c := range cols {
			rs[i] = c.Resource()
		}
		s.Catalog = resource.MustCatalog(rs...)
	}
	for _, c := range cols {
		c = plugin.QuotaEnforced(c, s.Quotas)
		res := c.Resource()
		if res.Sub {
			if s.subs[res.Parent.Collection] == nil {
				s.subs[res.Parent.Collection] = map[string]plugin.Collection{}
			}
			s.subs[res.Parent.Collection][res.Path] = c
		} else {
			s.collections[res.Path] = c
		}
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

// serves reports whether the server has a collection among those it was built with (its
// services' loaded by [DEFAULT] service_plugins).
func (s *Server) serves(collection string) bool {
	for _, c := range s.order {
		if c.Resource().Collection == collection {
			return true
		}
	}
	return false
}

// request carries what one request needs.
type request struct {
	parent *parentScope // set for a sub-resource: the parent named in the URL
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
	if lr := logging.RequestFrom(r.Context()); lr != nil {
		lr.ID = rq.id // the access line and every line logged with the request's context
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v) // a streamed answer that failed half-way: net/http drops the connection
			}
			s.Log.ErrorContext(r.Context(), "panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
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
	rq.caller = &plugin.Caller{ProjectID: ac.ProjectID, UserID: ac.UserID, IsAdmin: ac.IsAdmin, RequestID: rq.id, Catalog: s.Catalog, Served: s.serves}
	rq.creds = policy.Credentials{UserID: ac.UserID, ProjectID: ac.ProjectID, Roles: ac.Roles, IsAdmin: ac.IsAdmin}
	if lr := logging.RequestFrom(rq.r.Context()); lr != nil {
		lr.UserID, lr.ProjectID = ac.UserID, ac.ProjectID
	}
	rq.caller.Sees = func(ctx context.Context, tx *db.Tx, collection string, d db.Doc) (bool, error) {
		return s.sees(ctx, tx, rq, collection, d)
	}
	return nil
}

// route finds the collection a path names: its first segment ("ports") or its first two
// ("qos/policies"); rest is what follows.
func (s *Server) route(parts []string) (plugin.Collection, []string, bool) {
	if col, ok := s.collections[parts[0]]; ok {
		return col, parts[1:], true
	}
	// Neutron's router reads "-" and "_" in a collection name alike (clients ask for
	// /v2.0/floatingip-pools as well as /v2.0/floatingip_pools).
	for _, alt := range []string{strings.ReplaceAll(parts[0], "-", "_"), strings.ReplaceAll(parts[0], "_", "-")} {
		if col, ok := s.collections[alt]; ok && alt != parts[0] {
			return col, parts[1:], true
		}
	}
	if len(parts) > 1 {
		if col, ok := s.collections[parts[0]+"/"+parts[1]]; ok {
			return col, parts[2:], true
		}
	}
	// Neutron's tag extension serves every taggable collection under its collection name
	// (/v2.0/policies/{id}/tags for QoS policies at /v2.0/qos/policies).
	if len(parts) >= 3 && parts[2] == "tags" {
		for _, col := range s.collections {
			if r := col.Resource(); r.Tags && r.Collection == parts[0] {
				return col, parts[1:], true
			}
		}
	}
	return nil, nil, false
}

// resource dispatches /v2.0/{collection}[/{id}[/tags[/{tag}] | /{action} | /{sub}[/{id}]]].
func (s *Server) resource(rq *request, parts []string) error {
	col, rest, ok := s.route(parts)
	if !ok {
		return fault.HTTPNotFound()
	}
	if len(rest) >= 2 {
		if sub, ok := s.subs[col.Resource().Collection][rest[1]]; ok {
			rq.parent = &parentScope{col: col, id: rest[0]}
			return s.member(rq, sub, rest[2:])
		}
	}
	return s.member(rq, col, rest)
}

// member dispatches what follows a collection: nothing, an id, tags or an action.
func (s *Server) member(rq *request, col plugin.Collection, rest []string) error {
	m := rq.r.Method
	if k, ok := plugin.As[plugin.Composer](col); ok && rq.parent == nil {
		// A composed member (auto-allocated topology): shown by composing it, deleted by
		// taking it apart; no list, create or update.
		if len(rest) != 1 {
			return fault.HTTPNotFound()
		}
		switch m {
		case http.MethodGet:
			return s.compose(rq, col, k, rest[0])
		case http.MethodDelete:
			return s.decompose(rq, col, k, rest[0])
		}
		return fault.MethodNotAllowed()
	}
	switch len(rest) {
	case 0:
		switch m {
		case http.MethodGet:
			return s.list(rq, col)
		case http.MethodPost:
			return s.create(rq, col)
		case http.MethodDelete:
			return col.Resource().NotFound("None")
		}
		return fault.MethodNotAllowed()
	case 1:
		switch m {
		case http.MethodGet:
			return s.show(rq, col, rest[0])
		case http.MethodPut:
			return s.update(rq, col, rest[0])
		case http.MethodDelete:
			return s.delete(rq, col, rest[0])
		}
		return fault.MethodNotAllowed()
	}
	if rest[1] == "tags" && col.Resource().Tags && len(rest) <= 3 {
		tag := ""
		if len(rest) == 3 {
			tag = rest[2]
		}
		return s.tags(rq, col, rest[0], tag, len(rest) == 3)
	}
	if len(rest) == 2 && rq.parent == nil {
		if a, ok := plugin.As[plugin.Actioner](col); ok {
			return s.action(rq, col, a, rest[0], rest[1])
		}
	}
	return fault.HTTPNotFound()
}

// Backend is the MidoNet side of the API: it is told, after the commit, what a write
// changed, and returns once the topology reflects it.
type Backend interface {
	Commit(ctx context.Context, changes []journal.Change) error
}
