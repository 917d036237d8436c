package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/api"
)

// paddedNetwork is a valid network create body of exactly size bytes (JSON whitespace
// pads it), so that size alone decides whether it is accepted.
func paddedNetwork(size int) []byte {
	head, tail := `{"network": {"name": "padded"`, `}}`
	pad := size - len(head) - len(tail)
	if pad < 0 {
		panic("size too small")
	}
	return []byte(head + strings.Repeat(" ", pad) + tail)
}

// recordedError decodes the NeutronError of a recorded answer.
func recordedError(t *testing.T, w *httptest.ResponseRecorder) (typ, msg string) {
	t.Helper()
	var out struct {
		NeutronError struct{ Type, Message string }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("answer %d is not a NeutronError: %v: %s", w.Code, err, w.Body.String())
	}
	return out.NeutronError.Type, out.NeutronError.Message
}

// readCounter is a body that counts what the server read of it.
type readCounter struct {
	r    io.Reader
	read int
}

func (c *readCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += n
	return n, err
}

func TestBodySizeLimit(t *testing.T) {
	const limit = 64 << 10
	p := newInProcess(t, nil)
	p.srv.Limits = api.Limits{MaxBody: limit}
	for _, c := range []struct {
		name          string
		size          int
		contentLength bool // declare the size; otherwise the body is sent without a length
		want          int
	}{
		{"at the limit, with Content-Length", limit, true, http.StatusCreated},
		{"at the limit, without Content-Length", limit, false, http.StatusCreated},
		{"one byte over, with Content-Length", limit + 1, true, http.StatusRequestEntityTooLarge},
		{"one byte over, without Content-Length", limit + 1, false, http.StatusRequestEntityTooLarge},
		{"16 MB, with Content-Length", 16 << 20, true, http.StatusRequestEntityTooLarge},
		{"16 MB, without Content-Length", 16 << 20, false, http.StatusRequestEntityTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := &readCounter{r: bytes.NewReader(paddedNetwork(c.size))}
			req := httptest.NewRequest(http.MethodPost, "/v2.0/networks", body)
			req.ContentLength = -1
			if c.contentLength {
				req.ContentLength = int64(c.size)
			}
			w := httptest.NewRecorder()
			p.srv.ServeHTTP(w, req)
			if w.Code != c.want {
				t.Fatalf("POST of %d bytes = %d, want %d: %s", c.size, w.Code, c.want, w.Body.String())
			}
			if c.want != http.StatusRequestEntityTooLarge {
				return
			}
			if typ, msg := recordedError(t, w); typ != "HTTPRequestEntityTooLarge" || msg != "Request is too large." {
				t.Errorf("413 answer is %s %q, want HTTPRequestEntityTooLarge \"Request is too large.\"", typ, msg)
			}
			// A declared oversize body is refused unread; an undeclared one is read only up to
			// the limit (plus one read).
			switch {
			case c.contentLength && body.read > 0:
				t.Errorf("the server read %d bytes of a body whose Content-Length is over the limit", body.read)
			case !c.contentLength && body.read > limit+64<<10:
				t.Errorf("the server read %d bytes of an oversize body, want about the limit (%d)", body.read, limit)
			}
		})
	}
	if inUse, _, _ := p.srv.BodyMemory(); inUse != 0 {
		t.Errorf("%d body bytes still held after every request ended", inUse)
	}
	// Updates are bounded alike.
	net := idOf(p.must(http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": "n"}}, 201), "network")
	big := `{"network": {"name": "x"` + strings.Repeat(" ", limit) + `}}`
	w := p.do(http.MethodPut, "/v2.0/networks/"+net, []byte(big))
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("PUT over the limit = %d, want 413: %s", w.Code, w.Body.String())
	}
}

// TestDefaultBodyLimitTakesBulkCreates: the default limit takes a bulk create of 2,000
// ports naming their addresses (larger than oslo.middleware's 114688 bytes).
func TestDefaultBodyLimitTakesBulkCreates(t *testing.T) {
	p := newInProcess(t, unlimited())
	net := benchNetwork(t, p, "10.0.0.0/20")
	sub := subnetOf(t, p, net)
	ports := make([]any, 2000)
	for i := range ports {
		k := i + 2
		ports[i] = map[string]any{"network_id": net, "name": fmt.Sprintf("port-%d", i), "device_owner": "compute:nova",
			"device_id": fmt.Sprintf("vm-%d", i), "fixed_ips": []any{map[string]any{"subnet_id": sub, "ip_address": fmt.Sprintf("10.0.%d.%d", k/256, k%256)}}}
	}
	body, err := json.Marshal(map[string]any{"ports": ports})
	if err != nil {
		t.Fatal(err)
	}
	if len(body) <= 114688 || len(body) > api.DefaultMaxBody {
		t.Fatalf("the bulk body is %d bytes; the test wants one between 114688 and the default limit %d", len(body), api.DefaultMaxBody)
	}
	w := p.do(http.MethodPost, "/v2.0/ports", body)
	if w.Code != http.StatusCreated {
		t.Fatalf("bulk create of 2,000 ports (%d bytes) = %d: %.300s", len(body), w.Code, w.Body.String())
	}
	var out struct{ Ports []json.RawMessage }
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Ports) != 2000 {
		t.Fatalf("bulk create answered %d ports (%v), want 2000", len(out.Ports), err)
	}
}

// TestBodyMemoryBudget: many concurrent uploads that stall part way never hold more body
// bytes than the budget; the ones that would pass it are answered 503 at once instead of
// being buffered, and once the stalled uploads end, the budget is free again.
func TestBodyMemoryBudget(t *testing.T) {
	const (
		maxBody = 256 << 10
		budget  = 320 << 10
		sent    = 96 << 10 // what each upload sends before it stalls
		uploads = 12
	)
	p := newInProcess(t, nil)
	p.srv.Limits = api.Limits{MaxBody: maxBody, BodyMemory: budget}
	type upload struct {
		pw      *io.PipeWriter
		rest    []byte
		done    chan *httptest.ResponseRecorder
		waiting chan struct{}
	}
	var stalled, refused []*upload
	for i := range uploads {
		body := paddedNetwork(maxBody)
		pr, pw := io.Pipe()
		u := &upload{pw: pw, rest: body[sent:], done: make(chan *httptest.ResponseRecorder, 1), waiting: make(chan struct{})}
		req := httptest.NewRequest(http.MethodPost, "/v2.0/networks", &stallWatch{PipeReader: pr, after: sent, waiting: u.waiting})
		req.ContentLength = -1
		if i%2 == 0 {
			req.ContentLength = int64(len(body)) // declared sizes reserve nothing up front
		}
		go func() {
			w := httptest.NewRecorder()
			p.srv.ServeHTTP(w, req)
			pr.Close() // unblock a writer the server stopped reading
			u.done <- w
		}()
		// The server reserves budget before each read: an upload is stalled once the server,
		// having read all it was sent, asks for more (the reservation was granted); it is
		// refused once it is answered. Exactly one of the two happens while the writer waits.
		pw.Write(body[:sent])
		var w *httptest.ResponseRecorder
		select {
		case w = <-u.done:
		case <-u.waiting:
		case <-time.After(time.Minute):
			t.Fatalf("upload %d: the server neither answered nor asked for more than the %d bytes sent", i, sent)
		}
		if w != nil {
			if w.Code != http.StatusServiceUnavailable {
				t.Fatalf("upload %d refused with %d, want 503: %s", i, w.Code, w.Body.String())
			}
			if typ, msg := recordedError(t, w); typ != "ServiceUnavailable" || !strings.Contains(msg, "too many request bodies") {
				t.Errorf("upload %d refused with %s %q, want ServiceUnavailable naming the body budget", i, typ, msg)
			}
			refused = append(refused, u)
			continue
		}
		stalled = append(stalled, u)
		inUse, peak, _ := p.srv.BodyMemory()
		if inUse > budget || peak > budget {
			t.Fatalf("after %d stalled uploads the server holds %d body bytes (peak %d), over the budget %d", len(stalled), inUse, peak, budget)
		}
	}
	t.Logf("%d uploads stalled holding their bytes, %d refused", len(stalled), len(refused))
	if max := budget / sent; len(stalled) > max || len(stalled) == 0 {
		t.Errorf("%d uploads hold %d bytes each at once, want 1..%d within a budget of %d", len(stalled), sent, max, budget)
	}
	if len(refused) != uploads-len(stalled) {
		t.Errorf("%d uploads refused, want %d", len(refused), uploads-len(stalled))
	}
	// The stalled uploads finish: each may need more budget than is left, so each one is
	// either created or refused, and everything is given back.
	for i, u := range stalled {
		_, err := u.pw.Write(u.rest)
		u.pw.Close()
		w := <-u.done
		if err == nil && w.Code != http.StatusCreated || err != nil && w.Code != http.StatusServiceUnavailable {
			t.Errorf("stalled upload %d finished with %d (write error %v): %s", i, w.Code, err, w.Body.String())
		}
	}
	inUse, peak, refusals := p.srv.BodyMemory()
	if inUse != 0 {
		t.Errorf("%d body bytes still held after every upload ended", inUse)
	}
	if peak > budget || refusals == 0 {
		t.Errorf("peak %d bytes with %d refusals; want a peak within the budget %d and refusals", peak, refusals, budget)
	}
	// With the budget free again, a full-size body is accepted.
	if w := p.do(http.MethodPost, "/v2.0/networks", paddedNetwork(maxBody)); w.Code != http.StatusCreated {
		t.Errorf("a full-size body after the uploads ended = %d, want 201: %s", w.Code, w.Body.String())
	}
}

// stallWatch is an upload's body that closes waiting when the server asks for more than
// the after bytes it was sent: its budget for the next read was granted.
type stallWatch struct {
	*io.PipeReader
	after, read int64
	waiting     chan struct{}
	closed      bool
}

func (r *stallWatch) Read(p []byte) (int, error) {
	if r.read >= r.after && !r.closed {
		r.closed = true
		close(r.waiting)
	}
	n, err := r.PipeReader.Read(p)
	r.read += int64(n)
	return n, err
}
