package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/midonet-go/midonet/internal/api"
)

// TestStreamedListIsTheList lists ports with a flush threshold of 2 KB, so that the answer
// goes out in many chunks, and compares it with the same list sorted in memory (two sort
// keys): the same ports, every field, valid JSON to the end.
func TestStreamedListIsTheList(t *testing.T) {
	s := newInProcess(t, nil)
	net := idOf(s.must(http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": "n"}}, 201), "network")
	s.must(http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": map[string]any{"network_id": net, "ip_version": 4, "cidr": "10.0.0.0/24"}}, 201)
	ports := make([]any, 40)
	for i := range ports {
		ports[i] = map[string]any{"network_id": net, "name": fmt.Sprintf("p%d", i)}
	}
	s.must(http.MethodPost, "/v2.0/ports", map[string]any{"ports": ports}, 201)
	defer api.SetStreamFlush(2048)()
	for _, q := range []string{"", "?sort_key=name&sort_dir=desc", "?fields=id&fields=name"} {
		w := s.do(http.MethodGet, "/v2.0/ports"+q, nil)
		if w.Code != http.StatusOK {
			t.Fatalf("list%s: %d %s", q, w.Code, w.Body.String())
		}
		var got map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("list%s is not JSON (%d bytes): %v", q, w.Body.Len(), err)
		}
		sep := "?"
		if q != "" {
			sep = "&"
		}
		want := s.must(http.MethodGet, "/v2.0/ports"+q+sep+"sort_key=id&sort_dir=asc&sort_key=id&sort_dir=asc", nil, 200)
		if q == "?sort_key=name&sort_dir=desc" {
			// Three sort keys are sorted in memory (indexOrder); the third never decides.
			want = s.must(http.MethodGet, "/v2.0/ports?sort_key=name&sort_dir=desc&sort_key=id&sort_dir=asc&sort_key=id&sort_dir=asc", nil, 200)
		}
		g, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		if string(g) != string(wb) {
			t.Errorf("streamed list%s differs from the list sorted in memory:\n%s\nwant\n%s", q, g, wb)
		}
		if n := len(got["ports"].([]any)); n != 40 {
			t.Errorf("streamed list%s has %d ports, want 40", q, n)
		}
	}
}
