package api_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/resource"
)

// TestTagLimits: a resource holds at most resource.MaxTags tags of at most
// resource.MaxTagLen characters, whichever way they are set, and a refused change leaves
// the tags as they were.
func TestTagLimits(t *testing.T) {
	s := newInProcess(t, nil)
	net := idOf(s.must(http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": "tagged"}}, 201), "network")
	tagsURL := "/v2.0/networks/" + net + "/tags"
	list := func(n int, length int) []string {
		out := make([]string, n)
		for i := range out {
			p := fmt.Sprintf("t%03d-", i)
			out[i] = p + strings.Repeat("x", max(0, length-len(p)))
		}
		return out
	}
	current := func() []any {
		got := s.must(http.MethodGet, tagsURL, nil, 200)["tags"].([]any)
		return got
	}
	full := list(resource.MaxTags, resource.MaxTagLen)
	cases := []struct {
		name       string
		method     string
		path       string
		body       any
		wantStatus int
	}{
		{"replace with the most tags of the longest length", http.MethodPut, tagsURL, map[string]any{"tags": full}, 200},
		{"add one more tag to a full list", http.MethodPut, tagsURL + "/one-more", nil, 400},
		{"re-add a tag already there", http.MethodPut, tagsURL + "/" + full[0], nil, 201},
		{"replace with one tag too many", http.MethodPut, tagsURL, map[string]any{"tags": list(resource.MaxTags+1, 10)}, 400},
		{"replace with a thousand tags", http.MethodPut, tagsURL, map[string]any{"tags": list(1000, 10)}, 400},
		{"replace with one tag one character too long", http.MethodPut, tagsURL, map[string]any{"tags": []string{strings.Repeat("y", resource.MaxTagLen+1)}}, 400},
		{"add one tag one character too long", http.MethodPut, tagsURL + "/" + strings.Repeat("y", resource.MaxTagLen+1), nil, 400},
		{"remove one tag", http.MethodDelete, tagsURL + "/" + full[1], nil, 204},
		{"add one to a list with room", http.MethodPut, tagsURL + "/one-more", nil, 201},
	}
	for _, tc := range cases {
		before := current()
		var body []byte
		if tc.body != nil {
			body = mustJSON(t, tc.body)
		}
		w := s.do(tc.method, tc.path, body)
		if w.Code != tc.wantStatus {
			t.Fatalf("%s: %s %s = %d %s, want %d", tc.name, tc.method, tc.path, w.Code, w.Body.String(), tc.wantStatus)
		}
		after := current()
		if len(after) > resource.MaxTags {
			t.Fatalf("%s: the network holds %d tags", tc.name, len(after))
		}
		if tc.wantStatus == 400 {
			if typ, _ := recordedError(t, w); typ != "InvalidInput" {
				t.Errorf("%s: error type %q, want InvalidInput", tc.name, typ)
			}
			if !reflect.DeepEqual(before, after) {
				t.Errorf("%s: a refused change altered the tags", tc.name)
			}
		}
	}
}
