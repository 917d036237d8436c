package agent

import (
	"strings"

	"github.com/midonet-go/midonet/internal/topology"
)

func testState() *state { return &state{objects: newCache(memSource{})} }

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
