package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := appendJSON(make([]byte, 0, 1024), v)
	if err != nil {
		b = []byte(`{"NeutronError": {"type": "HTTPInternalServerError", "message": "Request Failed: internal server error while processing your request.", "detail": ""}}`)
		status = http.StatusInternalServerError
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeFault(w http.ResponseWriter, f *fault.Fault) {
	writeJSON(w, f.Status, map[string]any{"NeutronError": map[string]any{"type": f.Type, "message": f.Message, "detail": ""}})
}

// writeError maps any error to a Neutron fault; unexpected ones are logged and answered 500
// (or 503 when the database stayed busy).
func writeError(w http.ResponseWriter, log *slog.Logger, err error) {
	if f, ok := fault.As(err); ok {
		writeFault(w, f)
		return
	}
	var busy db.ErrBusy
	if errors.As(err, &busy) {
		writeFault(w, fault.ServiceUnavailable("The database is busy; retry the request."))
		return
	}
	log.Error("request failed", "err", err)
	writeFault(w, fault.New(500, "HTTPInternalServerError", "Request Failed: internal server error while processing your request."))
}

// readBody decodes a JSON object body, keeping numbers exact. The body was bounded by
// Server.limitBody: its size, read time and share of the in-flight budget answer 413, 408
// and 503.
func readBody(r *http.Request) (map[string]any, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		if f, ok := fault.As(err); ok {
			return nil, f
		}
		return nil, fault.BadRequest("Body contains invalid data")
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, fault.BadRequest("Body contains invalid data")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fault.BadRequest("Body contains invalid data")
	}
	if dec.More() {
		return nil, fault.BadRequest("Body contains invalid data")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fault.BadRequest("Body contains invalid data")
	}
	return m, nil
}
