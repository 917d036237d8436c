package ui

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
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
	if h.syncing(w) {
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
	// The objects a resource's translation made are in its bundle; objects of the layout
	// before bundles (a data dir not yet converted) are under their own keys, each naming
	// its owner, so one listing of the version's topology, filtered on that field, finds
	// those (an admin's click, not a hot path).
	owner := col + "/" + id
	type object struct {
		Kind   string          `json:"kind"`
		ID     string          `json:"id"`
		Object json.RawMessage `json:"object"`
	}
	out := []object{}
	bkv, err := h.o.Store.Get(ctx, nsdb.OwnedKey(version, owner))
	if err != nil {
		h.o.Log.Warn("ui: objects", "owner", owner, "err", err)
		writeError(w, http.StatusServiceUnavailable, "the NSDB is unavailable")
		return
	}
	if bkv != nil {
		bos, err := nsdb.DecodeBundle(bkv.Value)
		if err != nil {
			h.o.Log.Warn("ui: objects: undecodable bundle", "owner", owner, "err", err)
		}
		for _, bo := range bos {
			out = append(out, object{Kind: string(bo.Kind), ID: bo.ID, Object: bo.JSON})
		}
	}
	prefix := nsdb.DataPrefix(version) + "topology/"
	kvs, _, err := h.o.Store.List(ctx, prefix)
	if err != nil {
		h.o.Log.Warn("ui: objects", "owner", owner, "err", err)
		writeError(w, http.StatusServiceUnavailable, "the NSDB is unavailable")
		return
	}
	mark := []byte(`"owner":"` + owner + `"`)
	for _, kv := range kvs {
		if !bytes.Contains(kv.Value, mark) || !json.Valid(kv.Value) {
			continue
		}
		var m topology.Meta
		if err := json.Unmarshal(kv.Value, &m); err != nil || m.Owner != owner {
			continue
		}
		kind, oid, _ := strings.Cut(strings.TrimPrefix(kv.Key, prefix), "/")
		out = append(out, object{Kind: kind, ID: oid, Object: kv.Value})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].ID < out[j].ID
	})
	writeJSON(w, http.StatusOK, map[string]any{"owner": owner, "version": version, "objects": out})
}

// hubPosition reads the active data version.
func (h *Handler) hubPosition(r *http.Request) (int64, int64, error) {
	return (&hub{store: h.o.Store}).position(r.Context())
}
