package conformance

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeNeutron is a tiny stand-in server: one network collection, the
// extension list, a request id on every answer, and a record of requests.
type fakeNeutron struct {
	requests []string
	names    map[string]string
}

func (f *fakeNeutron) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("If-Match")+" "+string(body))
	w.Header().Set("X-Openstack-Request-Id", "req-11111111-2222-4333-8444-555555555555")
	w.Header().Set("Content-Type", "application/json")
	const id = "0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3"
	switch {
	case r.URL.Path == "/v2.0/extensions":
		io.WriteString(w, `{"extensions": [{"alias": "standard-attr-timestamp"}]}`)
	case r.Method == http.MethodPost && r.URL.Path == "/v2.0/networks":
		var req struct {
			Network struct {
				Name string `json:"name"`
			} `json:"network"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"NeutronError": {"type": "HTTPBadRequest", "message": "Body contains invalid data", "detail": ""}}`)
			return
		}
		f.names[id] = req.Network.Name
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"network": {"id": "`+id+`", "name": "`+req.Network.Name+`", "created_at": "2024-01-01T00:00:00Z"}}`)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v2.0/networks/"):
		nid := strings.TrimPrefix(r.URL.Path, "/v2.0/networks/")
		name, ok := f.names[nid]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"NeutronError": {"type": "NetworkNotFound", "message": "Network `+nid+` could not be found.", "detail": ""}}`)
			return
		}
		io.WriteString(w, `{"network": {"id": "`+nid+`", "name": "`+name+`"}}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"NeutronError": {"type": "HTTPNotFound", "message": "", "detail": ""}}`)
	}
}

func TestRunner(t *testing.T) {
	f := &fakeNeutron{names: map[string]string{}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	raw := `{"network": {"name": `
	s := &Scenario{Name: "fake", Steps: []Step{
		{Name: "create", Method: "POST", Path: "/v2.0/networks", Body: mustJSON(t, `{"network": {"name": "n1"}}`),
			Capture: CaptureSpec{{"net", "network.id"}}},
		{Name: "show", Method: "GET", Path: "/v2.0/networks/{{net}}", Headers: map[string]string{"If-Match": "revision_number={{net}}"}},
		{Name: "malformed", Method: "POST", Path: "/v2.0/networks", RawBody: &raw},
		{Name: "missing", Method: "GET", Path: "/v2.0/networks/00000000-0000-0000-0000-000000000000"},
		{Name: "deployment", Method: "GET", Path: "/v2.0/networks/x", Deployment: "mtu"},
		{Name: "unresolved", Method: "GET", Path: "/v2.0/networks/{{gone}}"},
	}}
	hdr := map[string]string{"content-type": "application/json", "x-openstack-request-id": "<reqid>"}
	g := &Golden{Scenario: "fake", Steps: []GoldenStep{
		{Name: "create", Status: 201, Headers: hdr, Captures: CaptureSpec{{"net", "network.id"}},
			Body: mustJSON(t, `{"network": {"id": "{{net}}", "name": "n1", "created_at": "<timestamp>", "mtu": 1450}}`),
			Keys: map[string][]string{"$": {"network"}, "network": {"created_at", "id", "name"}}},
		{Name: "show", Status: 200, Headers: hdr, Body: mustJSON(t, `{"network": {"id": "{{net}}", "name": "n2"}}`)},
		{Name: "malformed", Status: 400, ErrorType: "HTTPBadRequest", Headers: hdr,
			Body: mustJSON(t, `{"NeutronError": {"type": "HTTPBadRequest", "message": "Body contains invalid data", "detail": ""}}`)},
		{Name: "missing", Status: 404, ErrorType: "NetworkNotFound", Headers: hdr,
			Body: mustJSON(t, `{"NeutronError": {"type": "NetworkNotFound", "message": "x", "detail": ""}}`)},
		{Name: "deployment", Status: 200, Deployment: "mtu"},
		{Name: "unresolved", Status: 200},
	}}
	r := &Runner{BaseURL: srv.URL, Profile: MidonetProfile}
	results, err := r.Run(context.Background(), s, g)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		step      int
		wantPath  string
		wantDiffs []string
	}{
		{0, "/v2.0/networks", nil}, // mtu: net-mtu is not advertised
		{1, "/v2.0/networks/0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3", []string{`network.name: want "n2", got "n1"`}},
		{2, "/v2.0/networks", nil},
		{3, "/v2.0/networks/00000000-0000-0000-0000-000000000000", nil}, // message not compared
		{4, "/v2.0/networks/x", nil},                                    // sent, not compared
		{5, "/v2.0/networks/{{gone}}", []string{"status: want 200, got 404 NetworkNotFound"}},
	}
	for _, tc := range tests {
		res := results[tc.step]
		if res.Path != tc.wantPath {
			t.Errorf("step %d: path %q, want %q", tc.step, res.Path, tc.wantPath)
		}
		if len(res.Diffs) != len(tc.wantDiffs) {
			t.Errorf("step %d: diffs:\n%s want %v", tc.step, joinDiffs(res.Diffs), tc.wantDiffs)
			continue
		}
		for i, w := range tc.wantDiffs {
			if !strings.Contains(res.Diffs[i].String(), w) {
				t.Errorf("step %d: diff %q, want %q", tc.step, res.Diffs[i], w)
			}
		}
	}
	if len(results[5].Unresolved) != 1 || results[5].Unresolved[0] != "gone" {
		t.Errorf("unresolved = %v, want [gone]", results[5].Unresolved)
	}
	if !strings.Contains(f.requests[2], "revision_number=0b1c2d3e-") {
		t.Errorf("If-Match header not resolved: %q", f.requests[2])
	}
	if !strings.HasSuffix(f.requests[3], " "+raw) {
		t.Errorf("raw body not sent as is: %q", f.requests[3])
	}
	if results[0].Ignored["net-mtu"] != 1 || len(results[1].Ignored) != 0 {
		t.Errorf("ignored counts: %v / %v", results[0].Ignored, results[1].Ignored)
	}
}
