package cluster

import (
	"encoding/json"
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
