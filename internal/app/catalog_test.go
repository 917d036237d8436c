package app

import (
	"testing"

	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/core"
)

// TestEveryCollectionAnswersNotFound: a show, update or delete of a missing id answers the
// collection's 404 — never a 500 from a description without one.
func TestEveryCollectionAnswersNotFound(t *testing.T) {
	cat, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cat.All() {
		if r.Path == "" {
			continue // not served (the cluster's configuration)
		}
		if r.NotFound == nil {
			t.Errorf("%s has no NotFound", r.Collection)
			continue
		}
		if f := r.NotFound("x"); f == nil || f.Status != 404 {
			t.Errorf("%s: NotFound gives %+v", r.Collection, f)
		}
	}
}

// TestPortListsRenderShared: with every service loaded, the hooks on ports can all expand a
// port without changing it (plugin.SharedExpander), so that a full list of ports renders
// straight from the stored documents. A hook on ports that adds attributes must say how in
// ExpandShared, or lists of ports fall back to copying every document.
func TestPortListsRenderShared(t *testing.T) {
	corePlugin := core.New(core.DefaultSettings())
	cols := serviceCollections(plugin.Deps{Ports: corePlugin}, corePlugin.Collections(), services)
	for _, c := range cols {
		if c.Resource().Collection != "ports" {
			continue
		}
		if _, ok := plugin.SharedExpansion(c); !ok {
			t.Errorf("a hook on ports cannot expand shared documents (no ExpandShared)")
		}
		return
	}
	t.Fatal("no ports collection")
}
