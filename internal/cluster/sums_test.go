package cluster

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

func TestOwnerOf(t *testing.T) {
	rule, _ := json.Marshal(&topology.Rule{Meta: topology.Meta{ID: "r1", Owner: "ports/p1", Revision: 3}, ChainID: "c1"})
	host, _ := json.Marshal(&topology.Host{Meta: topology.Meta{ID: "h1"}, Name: "h"})
	for in, want := range map[string]string{
		string(rule): "ports/p1",
		string(host): "",
		`{"x": [1, {"owner": "nested"}], "owner": "routers/r"}`: "routers/r",
		`{"owner": 5}`:                            "",
		`{"id":"a\"b","owner":"ports/q"}`:         "ports/q", // escaped id: decoded
		`{"id":"a","owner":"ports/\u0070"}`:       "ports/p", // escaped owner: decoded
		`{"id":"a","owner":"ports/p"`:             "ports/p", // the fast path reads no further
		`{"id":"a","name":"n","owner":"ports/r"}`: "ports/r",
		`[1,2]`:    "",
		`not json`: "",
		``:         "",
	} {
		if got := ownerOf([]byte(in)); got != want {
			t.Errorf("ownerOf(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestSumOf(t *testing.T) {
	a, b := []byte(`{"id":"x","owner":"ports/p"}`), []byte(`{"id":"x","owner":"ports/q"}`)
	if sumOf(a) != sumOf(append([]byte(nil), a...)) {
		t.Error("equal encodings, different digests")
	}
	if sumOf(a) == sumOf(b) {
		t.Error("different encodings, equal digests")
	}
}

// TestObjectSums: the compact digests give back every key as added, with its last digest,
// whatever the id looks like.
func TestObjectSums(t *testing.T) {
	keys := []string{
		"Rule/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "Chain/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
		"Rule/00000000-0000-4000-8000-000000000001", "Port/0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0",
		"Rule/not-a-uuid", "TunnelZone/default", "Chain/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f", "Rule/x/y",
	}
	var s objectSums
	for i, k := range keys {
		s.add(k, sumOf([]byte{byte(i)}))
	}
	s.add(keys[0], sumOf([]byte("again"))) // the last digest wins
	s = s.sorted()
	if s.len() != len(keys) {
		t.Fatalf("len %d, want %d", s.len(), len(keys))
	}
	for i, k := range keys {
		want := sumOf([]byte{byte(i)})
		if i == 0 {
			want = sumOf([]byte("again"))
		}
		if got, ok := s.get(k); !ok || got != want {
			t.Errorf("get %s: %v %v", k, got, ok)
		}
	}
	for _, k := range []string{"Rule/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f1", "Port/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "Rule/absent", ""} {
		if _, ok := s.get(k); ok {
			t.Errorf("get %q found a digest", k)
		}
	}
	var got []string
	s.each(func(k string) { got = append(got, k) })
	slices.Sort(got)
	want := slices.Sorted(slices.Values(keys))
	if !slices.Equal(got, want) {
		t.Errorf("each gave %v, want %v", got, want)
	}
	var empty objectSums
	if _, ok := empty.get(keys[0]); ok || empty.len() != 0 {
		t.Error("an empty set has digests")
	}
}
