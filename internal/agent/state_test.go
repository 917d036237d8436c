package agent

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

func testState() *state { return &state{objects: newCache(memSource{})} }

// putObjects hands objects to a's cache as the watch does: each encoded, stored in src (the
// NSDB the cache reads lazy kinds from; nil: the values are not kept) and put by putObject.
func putObjects(t testing.TB, a *Agent, s *state, src memSource, objs ...topology.Object) {
	t.Helper()
	for _, o := range objs {
		v, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		if src != nil {
			src[topology.Key(o)] = v
		}
		a.putObject(s, o.Kind(), o.Base().ID, "", v)
	}
}

// memSource stands for the NSDB in the cache's tests: "<Kind>/<id>" → JSON value, read at
// any revision.
type memSource map[string][]byte

func (m memSource) each(kind topology.Kind, _ int64, begin func(), f func([]byte)) {
	begin()
	for k, v := range m {
		if strings.HasPrefix(k, string(kind)+"/") {
			f(v)
		}
	}
}

func (m memSource) get(kind topology.Kind, id, _ string, _ int64) []byte {
	return m[string(kind)+"/"+id]
}
