package app

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// inProcessTransport carries the API's calls to the cluster's REST endpoint when the
// cluster runs in this process: each request goes straight to the handler the REST
// listener serves (same authentication, access log, in-flight count and answers), with no
// loopback connection, HTTP framing or extra goroutines on the server side. The request
// and its answer are still the REST API's JSON, so what the cluster receives is exactly
// what it would over the socket.
type inProcessTransport struct {
	handler func() http.Handler // the REST listener's handler, read at each call
	workers *workers            // run the calls (nil: a new goroutine each)
}

// RoundTrip serves req in process. It returns when the handler has answered or req's
// context ends (as a socket client would: the handler finishes on its own).
func (t inProcessTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	sr := req.Clone(ctx)
	sr.RequestURI = req.URL.RequestURI()
	sr.RemoteAddr = "127.0.0.1:0"
	sr.Proto, sr.ProtoMajor, sr.ProtoMinor = "HTTP/1.1", 1, 1
	if sr.Host == "" {
		sr.Host = req.URL.Host
	}
	if sr.Body == nil {
		sr.Body = http.NoBody
	}
	w := &memResponse{header: http.Header{}}
	done := make(chan struct{})
	serve := func() {
		defer close(done)
		t.handler().ServeHTTP(w, sr)
	}
	if t.workers != nil {
		t.workers.run(serve)
	} else {
		go serve()
	}
	select {
	case <-done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	body := w.body.Bytes()
	return &http.Response{
		Status: strconv.Itoa(w.status) + " " + http.StatusText(w.status), StatusCode: w.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: w.header, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)),
		Request: req,
	}, nil
}

// memResponse is the http.ResponseWriter of an in-process call.
type memResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *memResponse) Header() http.Header { return w.header }

func (w *memResponse) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *memResponse) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(p)
}

// restHandler is what the cluster's REST listener serves (answering 503 until it serves).
func (s *Server) restHandler() http.Handler {
	if s.restHTTP == nil {
		return notReady{&s.phase}
	}
	return s.restHTTP.Handler
}

// workers runs the in-process calls on goroutines kept from earlier calls. A call's handler
// runs deep (the translation, and S2's compressor with a 64 KiB table on its stack): a new
// goroutine for each call grew its stack to that depth every time, copying it on the way,
// about 2 % of the server's CPU during port creates (BENCHMARKS.md, session 18). A call
// never waits for a worker: with none idle it gets a new one. The last worker to finish is
// the first to serve again, and one idle longer than idleFor ends, so there are about as
// many as the calls lately in flight.
type workers struct {
	idleFor time.Duration
	mu      sync.Mutex
	ready   []*worker    // idle workers, the latest last
	started atomic.Int64 // workers started, ever
	ended   atomic.Int64 // workers that ended, ever
}

// worker is one goroutine of workers; a call is handed to it on calls.
type worker struct {
	calls chan func() // buffered: the call is handed over without waiting
}

func newWorkers(idleFor time.Duration) *workers {
	return &workers{idleFor: idleFor}
}

// run calls f on an idle worker, or on a new one.
func (ws *workers) run(f func()) {
	ws.mu.Lock()
	var w *worker
	if n := len(ws.ready); n > 0 {
		w = ws.ready[n-1]
		ws.ready[n-1] = nil
		ws.ready = ws.ready[:n-1]
	}
	ws.mu.Unlock()
	if w != nil {
		w.calls <- f
		return
	}
	ws.started.Add(1)
	go ws.work(&worker{calls: make(chan func(), 1)}, f)
}

// idle is how many workers wait for a call.
func (ws *workers) idle() int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return len(ws.ready)
}

func (ws *workers) work(w *worker, f func()) {
	t := time.NewTimer(ws.idleFor)
	defer t.Stop()
	for {
		f()
		t.Reset(ws.idleFor)
		ws.mu.Lock()
		ws.ready = append(ws.ready, w)
		ws.mu.Unlock()
		select {
		case f = <-w.calls:
		case <-t.C:
			if !ws.leave(w) {
				f = <-w.calls // run took it first: its call is on the way
				continue
			}
			ws.ended.Add(1)
			return
		}
	}
}

// leave takes w out of the idle workers; false if a call has taken it meanwhile.
func (ws *workers) leave(w *worker) bool {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for i, r := range ws.ready {
		if r == w {
			ws.ready = append(ws.ready[:i], ws.ready[i+1:]...)
			return true
		}
	}
	return false
}
