package metrics

import (
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// randomToken is a valid HTTP token (method or path segment) of 1–12 letters.
func randomToken(r *rand.Rand) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
	b := make([]byte, 1+r.IntN(12))
	for i := range b {
		b[i] = letters[r.IntN(len(letters))]
	}
	return string(b)
}

// TestRequestLabelsBounded sends thousands of requests with random methods, paths and
// status codes through the middleware and checks that the exported series and the size of
// /metrics stay within what the fixed label sets allow (before the labels were bounded,
// 20,000 random methods made /metrics 104 MB).
func TestRequestLabelsBounded(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 18))
	m := New(testPaths, nil)
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.WriteHeader(100 + r.IntN(900)) // any status a handler could write
	}))
	scrape := func() (int, string) {
		w := httptest.NewRecorder()
		m.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if w.Code != http.StatusOK {
			t.Fatalf("GET /metrics = %d", w.Code)
		}
		b, _ := io.ReadAll(w.Body)
		return len(b), string(b)
	}
	send := func(n int) {
		for range n {
			method := randomToken(r)
			if r.IntN(4) == 0 {
				method = []string{"GET", "POST", "PUT", "DELETE"}[r.IntN(4)]
			}
			path := "/v2.0/" + randomToken(r) + "/" + randomToken(r)
			switch r.IntN(4) {
			case 0:
				path = "/v2.0/networks/" + randomToken(r)
			case 1:
				path = "/" + randomToken(r)
			}
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, path, nil))
		}
	}

	send(5000)
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	allowedMethods := map[string]bool{"other": true}
	for k := range methods {
		allowedMethods[k] = true
	}
	collections := len(m.known) + 2  // + "root", "other"
	codeLabels := len(codes) + 5 + 1 // + "1xx".."5xx", "other"
	series := map[string]int{}
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), "midonet_api_") {
			continue
		}
		series[f.GetName()] = len(f.GetMetric())
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				switch l.GetName() {
				case "method":
					if !allowedMethods[l.GetValue()] {
						t.Errorf("%s has method label %q, outside the fixed set", f.GetName(), l.GetValue())
					}
				case "collection":
					if v := l.GetValue(); !m.known[v] && v != "root" && v != "other" {
						t.Errorf("%s has collection label %q, outside the fixed set", f.GetName(), v)
					}
				case "code":
					if v := l.GetValue(); len(v) != 3 && v != "other" {
						t.Errorf("%s has code label %q, outside the fixed set", f.GetName(), v)
					}
				}
			}
		}
	}
	if got, limit := series["midonet_api_requests_total"], collections*len(allowedMethods)*codeLabels; got == 0 || got > limit {
		t.Errorf("midonet_api_requests_total has %d series, want 1..%d", got, limit)
	}
	if got, limit := series["midonet_api_request_duration_seconds"], collections*len(allowedMethods); got == 0 || got > limit {
		t.Errorf("midonet_api_request_duration_seconds has %d series, want 1..%d", got, limit)
	}
	size, _ := scrape()
	t.Logf("/metrics is %d bytes after 5,000 random requests", size)
	// Every possible series at about 150 bytes per exported line, plus the Go and process
	// collectors: far below what 5,000 distinct methods produced before (megabytes).
	const maxSize = 512 << 10
	if size > maxSize {
		t.Errorf("/metrics is %d bytes after 5,000 random requests, want at most %d", size, maxSize)
	}

	// Thousands more random requests add no new label values of their own: the output stays
	// under the same bound.
	send(5000)
	if size2, body := scrape(); size2 > maxSize {
		t.Errorf("/metrics is %d bytes after 10,000 random requests, want at most %d", size2, maxSize)
	} else if !strings.Contains(body, `method="other"`) || !strings.Contains(body, `collection="networks"`) {
		t.Errorf("/metrics lacks the expected bounded labels:\n%.2000s", body)
	}
}

func TestLabelValues(t *testing.T) {
	m := New(testPaths, nil)
	for _, c := range []struct {
		method, path string
		code         int
		want         [3]string
	}{
		{"GET", "/v2.0/networks", 200, [3]string{"networks", "GET", "200"}},
		{"POST", "/v2.0/ports.json", 201, [3]string{"ports", "POST", "201"}},
		{"DELETE", "/v2.0/security-group-rules/x", 204, [3]string{"security-group-rules", "DELETE", "204"}},
		{"PUT", "/v2.0/routers/x/add_router_interface", 409, [3]string{"routers", "PUT", "409"}},
		{"PROPFIND", "/v2.0/networks", 405, [3]string{"networks", "other", "405"}},
		{"GET", "/v2.0/no-such-thing/x", 404, [3]string{"other", "GET", "404"}},
		{"GET", "/", 200, [3]string{"root", "GET", "200"}},
		{"GET", "/v2.0/networks", 418, [3]string{"networks", "GET", "4xx"}},
		{"GET", "/v2.0/networks", 799, [3]string{"networks", "GET", "other"}},
	} {
		got := [3]string{m.collectionOf(c.path), methodOf(c.method), codeOf(c.code)}
		if got != c.want {
			t.Errorf("%s %s → %d: labels %v, want %v", c.method, c.path, c.code, got, c.want)
		}
	}
}

// testPaths are the URL segments of the built-in collections.
var testPaths = []string{"networks", "subnets", "subnetpools", "ports", "routers", "floatingips",
	"security-groups", "security-group-rules", "quotas", "extensions", "agents", "agent_memberships"}
