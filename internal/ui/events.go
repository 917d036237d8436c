package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// keepalive is how often an idle stream sends a comment, so that proxies keep it open.
const keepalive = 15 * time.Second

// events is the page's live feed (server-sent events):
//
//	event: ready    the stream is watching; the page loads the topology now
//	event: change   {"collection", "id", "doc"} a resource the caller sees was created or
//	                changed (doc is what GET /v2.0/<collection>/<id> answers the caller), or
//	                {"collection", "id", "deleted": true} one it saw is gone or hidden now
//	event: agents   a host registered, came up or went down: read /v2.0/agents again
//	event: resync   changes were lost: load the topology again
//
// Which resources a caller sees is the Neutron API's answer, asked in process with the
// caller's own headers: for every change, GET the resource as the caller. A stream
// remembers the ids its caller saw, so that a delete (whose document is gone) reaches only
// callers who saw the resource, and a resource that becomes hidden is removed.
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "only GET here")
		return
	}
	if _, ok := h.caller(w, r); !ok {
		return
	}
	if h.hub == nil {
		writeError(w, http.StatusNotFound, "this process serves no live updates (no NSDB)")
		return
	}
	if h.syncing(w) {
		return
	}
	// Through the wrappers of the access log and metrics (they unwrap to the connection).
	rc := http.NewResponseController(w)
	ctx := r.Context()
	sub, err := h.hub.subscribe(ctx)
	if err != nil {
		h.o.Log.Warn("ui: event stream", "err", err)
		writeError(w, http.StatusServiceUnavailable, "the NSDB is unavailable")
		return
	}
	defer h.hub.unsubscribe(sub)

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	st := &stream{h: h, r: r, w: w, rc: rc}
	if err := st.resync(ctx); err != nil {
		return
	}
	if err := st.send("ready", map[string]any{}); err != nil {
		return
	}
	tick := time.NewTicker(keepalive)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.done:
			return
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keepalive\n\n"); err != nil {
				return
			}
			if rc.Flush() != nil {
				return
			}
		case <-sub.kick:
			if sub.takeLost() {
				// Drop what is queued: the resync reads everything again.
				for len(sub.ch) > 0 {
					<-sub.ch
				}
				if err := st.lost(ctx); err != nil {
					return
				}
			}
		case c := <-sub.ch:
			// A burst (a thousand ports created) is read in one go and each resource
			// asked for once.
			batch := []change{c}
		drain:
			for len(batch) < 1024 {
				select {
				case c := <-sub.ch:
					batch = append(batch, c)
				default:
					break drain
				}
			}
			if err := st.apply(ctx, batch); err != nil {
				return
			}
		}
	}
}

// stream is one caller's event stream.
type stream struct {
	h    *Handler
	r    *http.Request
	w    http.ResponseWriter
	rc   *http.ResponseController
	seen map[string]bool // "collection/id" the caller was shown
}

// send writes one event.
func (st *stream) send(event string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("ui: event %s: %w", event, err)
	}
	if _, err := fmt.Fprintf(st.w, "event: %s\ndata: %s\n\n", event, b); err != nil {
		return fmt.Errorf("ui: event %s: %w", event, err)
	}
	if err := st.rc.Flush(); err != nil {
		return fmt.Errorf("ui: event %s: flush: %w", event, err)
	}
	return nil
}

// errAuth ends a stream whose caller the API no longer accepts (an expired token).
var errAuth = fmt.Errorf("ui: the caller's credentials were refused")

// resync reads the ids the caller sees in every drawn collection.
func (st *stream) resync(ctx context.Context) error {
	st.seen = map[string]bool{}
	for col, c := range collections {
		status, body := st.h.apiGet(ctx, st.r, c.path+"?fields=id")
		if status == http.StatusUnauthorized {
			_ = st.send("unauthorized", map[string]any{})
			return errAuth
		}
		if status != http.StatusOK {
			continue
		}
		var list map[string][]struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(body, &list); err != nil {
			continue
		}
		for _, d := range list[col] {
			st.seen[col+"/"+d.ID] = true
		}
	}
	return nil
}

// lost tells the page to load everything again.
func (st *stream) lost(ctx context.Context) error {
	if err := st.resync(ctx); err != nil {
		return err
	}
	return st.send("resync", map[string]any{})
}

// apply turns a batch of changes into events for this caller.
func (st *stream) apply(ctx context.Context, batch []change) error {
	done := map[change]bool{}
	agents := false
	for _, c := range batch {
		switch c.Collection {
		case "agents":
			agents = true
			continue
		case "resync":
			if err := st.lost(ctx); err != nil {
				return err
			}
			continue
		}
		key := c.Collection + "/" + c.ID
		if done[change{Collection: c.Collection, ID: c.ID}] {
			continue
		}
		done[change{Collection: c.Collection, ID: c.ID}] = true
		// Whatever the event said, the API's answer now is what counts (a create followed
		// by a delete in one batch is one 404).
		col := collections[c.Collection]
		status, body := st.h.apiGet(ctx, st.r, col.path+"/"+c.ID)
		switch status {
		case http.StatusOK:
			var one map[string]json.RawMessage
			if err := json.Unmarshal(body, &one); err != nil || one[col.member] == nil {
				continue
			}
			st.seen[key] = true
			if err := st.send("change", map[string]any{"collection": c.Collection, "id": c.ID, "doc": one[col.member]}); err != nil {
				return err
			}
		case http.StatusUnauthorized:
			_ = st.send("unauthorized", map[string]any{})
			return errAuth
		case http.StatusNotFound, http.StatusForbidden:
			if st.seen[key] {
				delete(st.seen, key)
				if err := st.send("change", map[string]any{"collection": c.Collection, "id": c.ID, "deleted": true}); err != nil {
					return err
				}
			}
		}
	}
	if agents {
		return st.send("agents", map[string]any{})
	}
	return nil
}

// apiGet asks the Neutron API, in process, for path under /v2.0/ with the headers of the
// caller's request (its token, or its noauth identity).
func (h *Handler) apiGet(ctx context.Context, caller *http.Request, path string) (int, []byte) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "/v2.0/"+path, nil)
	if err != nil {
		return http.StatusInternalServerError, nil
	}
	req.Header = caller.Header.Clone()
	req.Header.Del("Accept-Encoding")
	req.Header.Set("Accept", "application/json")
	req.Host, req.RemoteAddr = caller.Host, caller.RemoteAddr
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	h.o.API.ServeHTTP(rec, req)
	return rec.status, rec.body.Bytes()
}

// recorder is the response of an in-process API call.
type recorder struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = status, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wroteHeader = true
	return r.body.Write(b)
}
