package integration

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/test/testenv"
)

// trickle sends head, then one piece at a time with a pause between pieces, until the server
// answers or closes the connection or every piece is sent. It returns how many pieces went
// out and the answer (nil when the server closed without one).
func trickle(t *testing.T, addr, head string, pieces []string) (int, *http.Response) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	answered := make(chan *http.Response, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			resp = nil // closed without an answer
		} else {
			b, _ := io.ReadAll(resp.Body)
			resp.Body = io.NopCloser(strings.NewReader(string(b)))
		}
		answered <- resp
	}()
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatalf("sending the request head: %v", err)
	}
	for i, p := range pieces {
		select {
		case resp := <-answered:
			return i, resp
		case <-time.After(100 * time.Millisecond):
		}
		if _, err := io.WriteString(conn, p); err != nil {
			return i, <-answered
		}
	}
	return len(pieces), nil
}

// TestSlowAndLargeRequestsAreCutOff runs the real server with short read timeouts and a
// small body limit: a client that sends its body or its headers a few bytes at a time is cut
// off, a declared oversize body is refused with 413, and the server keeps serving.
func TestSlowAndLargeRequestsAreCutOff(t *testing.T) {
	t.Parallel()
	srv := testenv.StartServer(t, testenv.Options{Config: "[DEFAULT]\nauth_strategy = noauth\n" +
		"request_header_timeout = 1\nrequest_read_timeout = 2\n[oslo_middleware]\nmax_request_body_size = 4096\n"})
	addr := strings.TrimPrefix(srv.URL, "http://")

	t.Run("slow body", func(t *testing.T) {
		// 4,000 bytes at 10 bytes per piece would take 40 s; the read timeout is 2 s.
		body := `{"network": {"name": "slow"` + strings.Repeat(" ", 4000-29) + `}}`
		var pieces []string
		for i := 0; i < len(body); i += 10 {
			pieces = append(pieces, body[i:min(i+10, len(body))])
		}
		head := fmt.Sprintf("POST /v2.0/networks HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", addr, len(body))
		sent, resp := trickle(t, addr, head, pieces)
		if sent == len(pieces) {
			t.Fatalf("the server read a %d-byte body sent 10 bytes at a time to the end; want it cut off by request_read_timeout", len(body))
		}
		t.Logf("slow body cut off after %d of %d pieces (answer: %v)", sent, len(pieces), resp != nil)
		if resp != nil {
			b, _ := io.ReadAll(resp.Body)
			var ne struct{ NeutronError struct{ Type string } }
			if resp.StatusCode != http.StatusRequestTimeout || json.Unmarshal(b, &ne) != nil || ne.NeutronError.Type != "HTTPRequestTimeout" {
				t.Errorf("slow upload answered %d %s, want 408 HTTPRequestTimeout (or a closed connection)", resp.StatusCode, b)
			}
		}
	})

	t.Run("slow headers", func(t *testing.T) {
		pieces := make([]string, 200) // 20 s of headers; the header timeout is 1 s
		for i := range pieces {
			pieces[i] = fmt.Sprintf("X-Slow-%d: a\r\n", i)
		}
		sent, resp := trickle(t, addr, "GET /v2.0/networks HTTP/1.1\r\nHost: "+addr+"\r\n", append(pieces, "\r\n"))
		if sent == len(pieces)+1 {
			t.Fatalf("the server read headers sent one line at a time to the end; want them cut off by request_header_timeout")
		}
		if resp != nil && resp.StatusCode < 400 {
			t.Errorf("slow headers answered %d, want the connection closed or an error", resp.StatusCode)
		}
	})

	t.Run("oversize body", func(t *testing.T) {
		body := `{"network": {"name": "big"` + strings.Repeat(" ", 5000) + `}}`
		resp, err := http.Post(srv.URL+"/v2.0/networks", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var ne struct {
			NeutronError struct{ Type, Message string }
		}
		if resp.StatusCode != http.StatusRequestEntityTooLarge || json.Unmarshal(b, &ne) != nil ||
			ne.NeutronError.Type != "HTTPRequestEntityTooLarge" || ne.NeutronError.Message != "Request is too large." {
			t.Errorf("a %d-byte body over max_request_body_size = 4096 answered %d %s, want 413 HTTPRequestEntityTooLarge", len(body), resp.StatusCode, b)
		}
	})

	// The server still serves after all of it.
	resp, err := http.Post(srv.URL+"/v2.0/networks", "application/json", strings.NewReader(`{"network": {"name": "after"}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("a normal create after the cut-off requests = %d, want 201", resp.StatusCode)
	}
}

// TestMetricsBoundedUnderRandomMethods: requests with made-up method names, before any
// authentication, add no series of their own to /metrics.
func TestMetricsBoundedUnderRandomMethods(t *testing.T) {
	t.Parallel()
	srv := testenv.StartServer(t, testenv.Options{})
	for i := range 300 {
		req, err := http.NewRequest(fmt.Sprintf("RANDOM%dMETHOD", i), srv.URL+fmt.Sprintf("/v2.0/thing%d/x", i), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(b), "RANDOM") || strings.Contains(string(b), "thing1") {
		t.Errorf("/metrics carries a caller's method or path as a label")
	}
	if !strings.Contains(string(b), `method="other"`) {
		t.Errorf("/metrics does not count the made-up methods as method=\"other\"")
	}
}
