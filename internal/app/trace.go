package app

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/midonet-go/midonet/internal/auth"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/trace"
)

// traceHandler serves GET /trace?from_port=&dst=&proto=&dport=&sport= for `midonet trace`,
// to admins (by the same authentication as the Neutron API).
func (s *Server) traceHandler(authn auth.Authenticator) http.Handler {
	t := &trace.Tracer{DB: s.DB, Agent: s.Agent}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail := func(f *fault.Fault) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(f.Status)
			_ = json.NewEncoder(w).Encode(map[string]any{"NeutronError": map[string]any{"type": f.Type, "message": f.Message, "detail": ""}})
		}
		ac, err := authn.Authenticate(r.Context(), r)
		switch {
		case errors.Is(err, auth.ErrUnauthorized):
			fail(fault.Unauthorized())
			return
		case err != nil:
			fail(fault.ServiceUnavailable("authentication failed: %v", err))
			return
		case !ac.IsAdmin:
			fail(fault.TraceForbidden())
			return
		}
		if s.Agent != nil && !isClosed(s.Agent.Ready()) {
			// The agent's loop serves a trace only once it has loaded the topology.
			fail(fault.ServiceUnavailable("The agent is still loading the topology (syncing); try again shortly."))
			return
		}
		res, err := t.Run(r.Context(), trace.RequestFromQuery(r.URL.Query()))
		if err != nil {
			if f, ok := fault.As(err); ok {
				fail(f)
				return
			}
			fail(fault.TraceFailed(err))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(res)
	})
}
