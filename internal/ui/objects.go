package ui

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
)

// objects answers GET /ui/objects?collection=ports&id=… with the MidoNet objects the
// resource was translated to, as the NSDB holds them. MidoNet's objects are the operator's
// view (chains, rules and routes name other projects' addresses), so only admins get them,
// as only admins may use the cluster's REST endpoint.
func (h *Handler) objects(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "only GET here")
		return
	}
	ac, ok := h.caller(w, r)
	if !ok {
		return
	}
	if !ac.IsAdmin {
		writeError(w, http.StatusForbidden, "the MidoNet objects are shown to admins only")
		return
	}
	if h.o.Store == nil {
		writeError(w, http.StatusNotFound, "this process has no NSDB")
		return
	}
	col, id := r.URL.Query().Get("collection"), r.URL.Query().Get("id")
	if col == "" || id == "" || strings.ContainsAny(col+id, "/") {
		writeError(w, http.StatusBadRequest, "collection and id are required")
		return
	}
	ctx := r.Context()
	version, _, err := h.hubPosition(r)
	if err != nil {
		h.o.Log.Warn("ui: objects", "err", err)
		writeError(w, http.StatusServiceUnavailable, "the NSDB is unavailable")
		return
	}
	owned, err := h.o.Store.Owned(ctx, version, col+"/"+id)
	if err != nil {
		h.o.Log.Warn("ui: objects", "owner", col+"/"+id, "err", err)
		writeError(w, http.StatusServiceUnavailable, "the NSDB is unavailable")
		return
	}
	type object struct {
		Kind   string          `json:"kind"`
		ID     string          `json:"id"`
		Object json.RawMessage `json:"object"`
	}
	out := []object{}
	for _, ko := range owned {
		kind, oid, ok := strings.Cut(ko, "/")
		if !ok {
			continue
		}
		kv, err := h.o.Store.Get(ctx, nsdb.TopologyKey(version, topology.Kind(kind), oid))
		if err != nil || kv == nil || !json.Valid(kv.Value) {
			continue
		}
		out = append(out, object{Kind: kind, ID: oid, Object: kv.Value})
	}
	writeJSON(w, http.StatusOK, map[string]any{"owner": col + "/" + id, "version": version, "objects": out})
}

// hubPosition reads the active data version.
func (h *Handler) hubPosition(r *http.Request) (int64, int64, error) {
	return (&hub{store: h.o.Store}).position(r.Context())
}
