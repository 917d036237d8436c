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
	"github.com/midonet-go/midonet/internal/jsonenc"
	"github.com/midonet-go/midonet/internal/nsdb"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := jsonenc.Append(make([]byte, 0, 1024), v)
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
	if f := storageFault(log, err); f != nil {
		writeFault(w, f)
		return
	}
	log.Error("request failed", "err", err)
	writeFault(w, fault.InternalServerError())
}

// storageFault answers a storage that cannot take writes (a full disk, an I/O error, the
// NSDB out of space) with 503 and a clear log line; nil for any other error.
func storageFault(log *slog.Logger, err error) *fault.Fault {
	switch {
	case db.StorageError(err) == "full":
		log.Error("database out of disk space: write refused", "err", err)
		return fault.ServiceUnavailable("The server is out of disk space for its database; the request was not stored. " +
			"Retry once disk space has been freed.")
	case db.StorageError(err) == "io":
		log.Error("database storage I/O error: write refused", "err", err)
		return fault.ServiceUnavailable("The server could not write to its database storage; the request was not stored. Retry later.")
	case nsdb.IsNoSpace(err):
		log.Error("network state database out of space: write refused", "err", err)
		return fault.ServiceUnavailable("The network state database is out of space; the change was not applied. " +
			"Retry once space has been freed.")
	}
	return nil
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
	if m, ok := db.DecodeFast(b); ok { // most bodies: an object of ASCII without escapes
		return m, nil
	}
	return decodeObject(b)
}

// decodeObject decodes a body that is one JSON object, with encoding/json: readBody's answer
// for the bodies the fast decoder declines (FuzzReadBody checks the two agree).
func decodeObject(b []byte) (map[string]any, error) {
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
