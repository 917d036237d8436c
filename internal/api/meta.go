package api

import (
	"fmt"
	"html"
	"net/http"
	"sort"

	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/resource"
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

// rootCollections are the collections the catalogue lists in /v2.0/, by name (Neutron's
// order).
func (s *Server) rootCollections() []*resource.Resource {
	var out []*resource.Resource
	for _, c := range s.order {
		if r := c.Resource(); r.Root {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Collection < out[j].Collection })
	return out
}

// v2Root serves GET /v2.0/: the core collections.
func (s *Server) v2Root(rq *request) {
	if rq.r.URL.Path == "/v2.0" {
		writeFault(rq.w, fault.HTTPNotFound())
		return
	}
	var out []any
	for _, r := range s.rootCollections() {
		out = append(out, map[string]any{"collection": r.Collection, "name": r.Member,
			"links": []any{map[string]any{"href": rq.base + "/v2.0/" + r.Path, "rel": "self"}}})
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
