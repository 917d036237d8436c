package app

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
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
	c := &http.Client{Transport: inProcessTransport{handler: func() http.Handler { return h }, workers: newWorkers(time.Minute)}}
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
	c := &http.Client{Transport: inProcessTransport{handler: func() http.Handler { return h }, workers: newWorkers(time.Minute)}}
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:1/x", nil)
	cancel()
	if _, err := c.Do(req); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// Calls one after another run on one worker; calls side by side each get one, without
// waiting for another to finish; a worker idle longer than its time ends.
func TestWorkers(t *testing.T) {
	t.Run("sequential calls reuse the idle worker", func(t *testing.T) {
		ws := newWorkers(time.Minute)
		ran := 0
		for i := 0; i < 50; i++ {
			done := make(chan struct{})
			ws.run(func() { ran++; close(done) })
			<-done
			waitFor(t, "the worker idle again", func() bool { return ws.idle() == 1 })
		}
		if ran != 50 || ws.started.Load() != 1 {
			t.Fatalf("%d calls ran on %d workers, want 50 on 1", ran, ws.started.Load())
		}
	})
	t.Run("calls side by side get a worker each", func(t *testing.T) {
		ws := newWorkers(time.Minute)
		release := make(chan struct{})
		var wg sync.WaitGroup
		for i := 0; i < 3; i++ {
			wg.Add(1)
			ws.run(func() { <-release; wg.Done() })
		}
		if n := ws.started.Load(); n != 3 {
			t.Fatalf("3 blocked calls on %d workers", n)
		}
		close(release)
		wg.Wait()
		waitFor(t, "three idle workers", func() bool { return ws.idle() == 3 })
	})
	t.Run("an idle worker ends", func(t *testing.T) {
		ws := newWorkers(time.Millisecond)
		done := make(chan struct{})
		ws.run(func() { close(done) })
		<-done
		waitFor(t, "the idle worker gone", func() bool { return ws.ended.Load() == 1 })
		done = make(chan struct{})
		ws.run(func() { close(done) })
		<-done
		if n := ws.started.Load(); n != 2 {
			t.Fatalf("%d workers started, want a new one after the first ended", n)
		}
	})
}
