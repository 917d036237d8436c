package app

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The in-process transport gives the REST client the answer the handler wrote: status,
// headers and body, and the request the handler sees carries method, path and body.
func TestInProcessTransportAnswers(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/midonet-api/neutron/ports":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(r.Method + " " + string(b)))
		case "/implicit":
			_, _ = w.Write([]byte("ok"))
		default:
			http.Error(w, "no such path "+r.RequestURI, http.StatusNotFound)
		}
	})
	c := &http.Client{Transport: inProcessTransport{handler: func() http.Handler { return h }}}
	tests := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{http.MethodPost, "/midonet-api/neutron/ports", `{"id":"p"}`, http.StatusCreated, `POST {"id":"p"}`},
		{http.MethodGet, "/implicit", "", http.StatusOK, "ok"},
		{http.MethodDelete, "/other?x=1", "", http.StatusNotFound, "no such path /other?x=1\n"},
	}
	for _, tc := range tests {
		req, err := http.NewRequest(tc.method, "http://127.0.0.1:1"+tc.path, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		got, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != tc.status || string(got) != tc.want {
			t.Errorf("%s %s: %d %q, want %d %q", tc.method, tc.path, resp.StatusCode, got, tc.status, tc.want)
		}
	}
}

// A request whose context ends returns at once with the context's error, as over a socket.
func TestInProcessTransportCancelled(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release })
	c := &http.Client{Transport: inProcessTransport{handler: func() http.Handler { return h }}}
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:1/x", nil)
	cancel()
	if _, err := c.Do(req); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
