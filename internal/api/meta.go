package api

import (
	"fmt"
	"html"
	"net/http"

	"github.com/midonet-go/midonet/internal/fault"
)

// versions serves GET / (the version list).
func (s *Server) versions(rq *request) {
	if rq.r.Method != http.MethodGet {
		writeFault(rq.w, fault.MethodNotAllowed())
		return
	}
	writeJSON(rq.w, http.StatusOK, map[string]any{"versions": []any{map[string]any{
		"id": "v2.0", "status": "CURRENT",
		"links": []any{map[string]any{"href": rq.base + "/v2.0/", "rel": "self"}},
	}}})
}

// v2Root serves GET /v2.0/: the core collections.
func (s *Server) v2Root(rq *request) {
	if rq.r.URL.Path == "/v2.0" {
		writeFault(rq.w, fault.HTTPNotFound())
		return
	}
	var out []any
	for _, c := range []struct{ coll, name string }{{"networks", "network"}, {"ports", "port"}, {"subnetpools", "subnetpool"}, {"subnets", "subnet"}} {
		out = append(out, map[string]any{"collection": c.coll, "name": c.name,
			"links": []any{map[string]any{"href": rq.base + "/v2.0/" + c.coll, "rel": "self"}}})
	}
	writeJSON(rq.w, http.StatusOK, map[string]any{"resources": out})
}

// extensions serves /v2.0/extensions[/{alias}].
func (s *Server) extensions(rq *request, parts []string) error {
	if rq.r.Method != http.MethodGet {
		return fault.MethodNotAllowed()
	}
	render := func(alias, name, desc, updated string) map[string]any {
		return map[string]any{"alias": alias, "name": name, "description": desc, "updated": updated, "links": []any{}}
	}
	if len(parts) == 0 {
		var out []any
		for _, e := range s.Extensions.All() {
			out = append(out, render(e.Alias, e.Name, e.Description, e.Updated))
		}
		writeJSON(rq.w, http.StatusOK, map[string]any{"extensions": out})
		return nil
	}
	e, ok := s.Extensions.Get(parts[0])
	if !ok {
		rq.w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		rq.w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(rq.w, "<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n  The resource could not be found.<br /><br />\nExtension with alias %s does not exist\n\n\n </body>\n</html>", html.EscapeString(parts[0]))
		return nil
	}
	writeJSON(rq.w, http.StatusOK, map[string]any{"extension": render(e.Alias, e.Name, e.Description, e.Updated)})
	return nil
}
