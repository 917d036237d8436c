package logging

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// RequestIDHeader is the header the API answers every request's id in.
const RequestIDHeader = "X-Openstack-Request-Id"

// Request is who made the HTTP request being served: lines logged with its context carry
// them. The API fills it in, in the request's goroutine, as it learns them.
type Request struct {
	ID        string // the X-Openstack-Request-Id the client is sent
	UserID    string
	ProjectID string
}

type requestKey struct{}

// WithRequest returns ctx carrying rq.
func WithRequest(ctx context.Context, rq *Request) context.Context {
	return context.WithValue(ctx, requestKey{}, rq)
}

// RequestFrom returns the request ctx carries, or nil.
func RequestFrom(ctx context.Context) *Request {
	if ctx == nil {
		return nil
	}
	rq, _ := ctx.Value(requestKey{}).(*Request)
	return rq
}

// HTTPRequest is one served request, the structured form of an access line (JSON "extra").
type HTTPRequest struct {
	Method     string
	Path       string // with the query
	Proto      string
	Status     int
	Length     int64 // bytes of the answer's body
	Duration   time.Duration
	RemoteAddr string // the client's address, without the port
}

// LogValue implements slog.LogValuer.
func (h HTTPRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("method", h.Method), slog.String("path", h.Path),
		slog.Int("status", h.Status), slog.Int64("length", h.Length), slog.Float64("duration", h.Duration.Seconds()),
		slog.String("remote_addr", h.RemoteAddr))
}

// Line is the request as Neutron's WSGI server logs it.
func (h HTTPRequest) Line() string {
	return fmt.Sprintf("%s \"%s %s %s\" status: %d  len: %d time: %.7f", h.RemoteAddr, h.Method, h.Path, h.Proto,
		h.Status, h.Length, h.Duration.Seconds())
}

// AccessLog logs one line per request once it is answered: INFO, or DEBUG for the paths quiet
// names (probes and scrapes, which would otherwise fill the log). The request's context
// carries a Request the handler fills in; its id is the X-Openstack-Request-Id the answer
// carries when the handler did not set it.
func AccessLog(log *slog.Logger, quiet func(path string) bool, next http.Handler) http.Handler {
	log = Named(log, "midonet.wsgi")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rq := &Request{}
		ctx := WithRequest(r.Context(), rq)
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(ctx))
		if rq.ID == "" {
			rq.ID = rec.Header().Get(RequestIDHeader)
		}
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		h := HTTPRequest{Method: r.Method, Path: r.URL.RequestURI(), Proto: r.Proto, Status: status, Length: rec.n,
			Duration: time.Since(start), RemoteAddr: host}
		level := slog.LevelInfo
		if quiet != nil && quiet(r.URL.Path) {
			level = slog.LevelDebug
		}
		log.LogAttrs(ctx, level, h.Line(), slog.Any("http", h))
	})
}

// recorder notes the status and body size of an answer.
type recorder struct {
	http.ResponseWriter
	status int
	n      int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.n += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (flushes, deadlines).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
