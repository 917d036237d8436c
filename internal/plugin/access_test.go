package plugin_test

import (
	"reflect"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// TestSharedOfIsWhatViewSets: SharedOf answers the `shared` View sets in a copy of a
// document, for each caller, without changing the document it reads; for a collection
// without RBAC policies it says View leaves the document as it is.
func TestSharedOfIsWhatViewSets(t *testing.T) {
	net := func() db.Doc {
		return db.Doc{"id": "n1", "tenant_id": "owner", "shared": false, resource.RBACShared: []any{"p2"}}
	}
	for _, c := range []struct {
		name       string
		caller     *plugin.Caller
		collection string
		doc        db.Doc
		shared     bool
		set        bool
	}{
		{"shared with the caller's project", &plugin.Caller{ProjectID: "p2"}, "networks", net(), true, true},
		{"not shared with the caller's", &plugin.Caller{ProjectID: "p3"}, "networks", net(), false, true},
		{"the owner", &plugin.Caller{ProjectID: "owner"}, "networks", net(), false, true},
		{"shared with everyone", &plugin.Caller{ProjectID: "p3"}, "networks", db.Doc{"id": "n2", resource.RBACShared: []any{"*"}}, true, true},
		{"a collection without RBAC", &plugin.Caller{ProjectID: "p2"}, "ports", db.Doc{"id": "p", "shared": "as stored"}, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := db.Doc{}
			for k, v := range c.doc {
				before[k] = v
			}
			shared, set := c.caller.SharedOf(c.collection, c.doc)
			if shared != c.shared || set != c.set {
				t.Fatalf("SharedOf = %v, %v; want %v, %v", shared, set, c.shared, c.set)
			}
			if !reflect.DeepEqual(c.doc, before) {
				t.Fatalf("SharedOf changed the document: %v, was %v", c.doc, before)
			}
			viewed := db.Doc{}
			for k, v := range c.doc {
				viewed[k] = v
			}
			c.caller.View(c.collection, viewed)
			if set && viewed["shared"] != shared {
				t.Errorf("View set shared %v, SharedOf %v", viewed["shared"], shared)
			}
			if !set && !reflect.DeepEqual(viewed, before) {
				t.Errorf("View changed %v to %v where SharedOf says it leaves it", before, viewed)
			}
		})
	}
}
