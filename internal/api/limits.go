package api

import (
	"errors"
	"io"
	"net/http"
	"os"
	"sync"

	"github.com/midonet-go/midonet/internal/fault"
)

// Defaults of Limits (and of the configuration options that set them).
const (
	// DefaultMaxBody is [oslo_middleware] max_request_body_size: 1 MiB holds a bulk create
	// of about 4,000 ports.
	DefaultMaxBody = 1 << 20
	// DefaultBodyMemory is [DEFAULT] max_request_body_memory.
	DefaultBodyMemory = 64 << 20
)

// bodyChunk is the most one read of a body reserves from the budget at a time, so that a
// slow upload holds only what it has sent (plus one chunk).
const bodyChunk = 32 << 10

// Limits bound what request bodies can make the server hold.
type Limits struct {
	// MaxBody is the largest request body in bytes (0 = DefaultMaxBody); a larger one is
	// answered 413, before any of it is read when Content-Length says so.
	MaxBody int64
	// BodyMemory is the number of body bytes all requests together may hold at once
	// (0 = DefaultBodyMemory); a read past it answers 503 instead of buffering.
	BodyMemory int64
}

func (l Limits) maxBody() int64 {
	if l.MaxBody > 0 {
		return l.MaxBody
	}
	return DefaultMaxBody
}

// bodyBudget counts the request-body bytes held by all requests.
type bodyBudget struct {
	mu         sync.Mutex
	limit      int64
	used, peak int64
	refused    int64
}

func newBodyBudget(limit int64) *bodyBudget {
	if limit <= 0 {
		limit = DefaultBodyMemory
	}
	return &bodyBudget{limit: limit}
}

// take reserves n bytes, or reports false (reserving nothing) when that would pass the limit.
func (b *bodyBudget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.limit {
		b.refused++
		return false
	}
	b.used += n
	b.peak = max(b.peak, b.used)
	return true
}

func (b *bodyBudget) give(n int64) {
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
}

func (s *Server) bodyBudget() *bodyBudget {
	s.budgetOnce.Do(func() { s.budget = newBodyBudget(s.Limits.BodyMemory) })
	return s.budget
}

// BodyMemory reports the request-body bytes held now, the most held at once since start,
// and how many reads were refused because the budget was spent.
func (s *Server) BodyMemory() (inUse, peak, refused int64) {
	b := s.bodyBudget()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used, b.peak, b.refused
}

// errBodyMemory answers a body that would pass the in-flight body budget.
var errBodyMemory = fault.ServiceUnavailable("The server is receiving too many request bodies at once; retry the request later.")

// errTooLarge is oslo.middleware's sizelimit answer.
var errTooLarge = fault.RequestTooLarge()

// errReadTimeout answers a body that did not arrive within the read timeout.
var errReadTimeout = fault.RequestTimeout()

// budgetedBody is a request body that reserves budget before each read and holds what it
// read until the request ends (release).
type budgetedBody struct {
	io.ReadCloser
	budget *bodyBudget
	held   int64
}

func (b *budgetedBody) Read(p []byte) (int, error) {
	if len(p) > bodyChunk {
		p = p[:bodyChunk]
	}
	if !b.budget.take(int64(len(p))) {
		return 0, errBodyMemory
	}
	n, err := b.ReadCloser.Read(p)
	b.budget.give(int64(len(p) - n))
	b.held += int64(n)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		err = errTooLarge
	case errors.Is(err, os.ErrDeadlineExceeded):
		err = errReadTimeout
	}
	return n, err
}

// release gives back what the body held.
func (b *budgetedBody) release() {
	b.budget.give(b.held)
	b.held = 0
}

// limitBody bounds r's body: 413 at once when Content-Length is over the limit, else a body
// that stops at the limit and reads only within the in-flight budget. The returned release
// gives the budget back once the request is done.
func (s *Server) limitBody(w http.ResponseWriter, r *http.Request) (release func(), err error) {
	maxBody := s.Limits.maxBody()
	if r.ContentLength > maxBody {
		return func() {}, errTooLarge
	}
	if r.Body == nil || r.Body == http.NoBody {
		return func() {}, nil
	}
	b := &budgetedBody{ReadCloser: http.MaxBytesReader(w, r.Body, maxBody), budget: s.bodyBudget()}
	r.Body = b
	return b.release, nil
}
