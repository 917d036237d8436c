// Package translatetest checks translators' dependents against their translations: a change
// must re-translate every resource whose translation it alters. Tests of the services whose
// translators follow other collections (translate.Translator.Follows) use it.
package translatetest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
)

// Change is one change of a resource: After is its document after it, nil for a delete.
type Change struct {
	Name, Collection, ID string
	After                translate.Doc
}

// Reaches applies each change to a world of its own (from world) as the cluster does, asking
// for the dependents on the world before the change and on the world after it. It fails t
// when a resource of owners translates differently afterwards (its objects compared in any
// order, as its bundle holds them) and is not among them. It returns the owners the
// dependents named, by change name, for the test's own expectations.
func Reaches(t *testing.T, ts translate.Translators, world func() *translate.World, owners []translate.Ref, changes []Change) map[string][]translate.Ref {
	t.Helper()
	translations := func(w *translate.World) map[translate.Ref]string {
		out := map[translate.Ref]string{}
		for _, r := range owners {
			var objs []string
			for _, o := range ts.Owned(w, r) {
				b, err := json.Marshal(o)
				if err != nil {
					t.Fatal(err)
				}
				objs = append(objs, string(b))
			}
			slices.Sort(objs)
			out[r] = strings.Join(objs, "\n")
		}
		return out
	}
	named := map[string][]translate.Ref{}
	for _, c := range changes {
		w := world()
		before := w.Get(c.Collection, c.ID)
		was := translations(w)
		deps := ts.Dependents(w, c.Collection, c.ID, before, c.After, translate.Before)
		if c.After == nil {
			w.Delete(c.Collection, c.ID)
		} else {
			w.Put(c.Collection, c.After)
		}
		deps = append(deps, ts.Dependents(w, c.Collection, c.ID, before, c.After, translate.After)...)
		now := translations(w)
		for _, r := range owners {
			if now[r] != was[r] && !slices.Contains(deps, r) {
				t.Errorf("%s: %s translates differently but is not among the dependents %v", c.Name, r, deps)
			}
			if slices.Contains(deps, r) {
				named[c.Name] = append(named[c.Name], r)
			}
		}
	}
	return named
}
