package app

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
)

// inProcessTransport carries the API's calls to the cluster's REST endpoint when the
// cluster runs in this process: each request goes straight to the handler the REST
// listener serves (same authentication, access log, in-flight count and answers), with no
// loopback connection, HTTP framing or extra goroutines on the server side. The request
// and its answer are still the REST API's JSON, so what the cluster receives is exactly
// what it would over the socket.
type inProcessTransport struct {
	handler func() http.Handler // the REST listener's handler, read at each call
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
	go func() {
		defer close(done)
		t.handler().ServeHTTP(w, sr)
	}()
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
