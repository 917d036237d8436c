package plugin

import (
	"context"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

type plainCollection struct{ Collection }

type expandingCollection struct{ Collection }

func (expandingCollection) Expand(_ context.Context, _ *db.Tx, docs []db.Doc) error {
	for _, d := range docs {
		d["mine"] = 1
	}
	return nil
}

type sharingCollection struct{ expandingCollection }

func (sharingCollection) ExpandShared(_ context.Context, _ *db.Tx, docs []db.Doc, set SetFunc) error {
	for i := range docs {
		set(i, "mine", 1)
	}
	return nil
}

type expandingHook struct{ NoHook }

func (expandingHook) Expand(_ context.Context, _ *db.Tx, docs []db.Doc) error {
	for _, d := range docs {
		d["hooked"] = 2
	}
	return nil
}

type sharingHook struct{ expandingHook }

func (sharingHook) ExpandShared(_ context.Context, _ *db.Tx, docs []db.Doc, set SetFunc) error {
	for i := range docs {
		set(i, "hooked", 3) // the later expander's value wins
		set(i, "mine", 3)
	}
	return nil
}

type wrappedHook struct{ Hook }

func (w wrappedHook) UnwrapHook() Hook { return w.Hook }

// TestSharedExpansion: a collection expands shared documents when it and every hook on it
// can (a hook that expands without ExpandShared, or a NoHook that does not say it adds
// nothing, cannot), in Expand's order, looking through wrapped collections and hooks.
func TestSharedExpansion(t *testing.T) {
	tests := []struct {
		name string
		c    Collection
		ok   bool
		want map[string]any // what the expansion sets on a document
	}{
		{"no expander", plainCollection{}, true, map[string]any{}},
		{"an expander without ExpandShared", expandingCollection{}, false, nil},
		{"a sharing expander", sharingCollection{}, true, map[string]any{"mine": 1}},
		{"behind quota enforcement", quotaEnforced{Collection: sharingCollection{}}, true, map[string]any{"mine": 1}},
		{"a hook without ExpandShared", Hooked(sharingCollection{}, expandingHook{}), false, nil},
		{"NoHook", Hooked(plainCollection{}, NoHook{}), false, nil},
		{"a sharing hook after a sharing collection", Hooked(sharingCollection{}, sharingHook{}), true, map[string]any{"mine": 3, "hooked": 3}},
		{"a wrapped sharing hook", Hooked(plainCollection{}, wrappedHook{sharingHook{}}), true, map[string]any{"mine": 3, "hooked": 3}},
		{"a sharing hook on a collection that cannot", Hooked(expandingCollection{}, sharingHook{}), false, nil},
	}
	for _, tt := range tests {
		fn, ok := SharedExpansion(tt.c)
		if ok != tt.ok {
			t.Errorf("%s: SharedExpansion ok = %v, want %v", tt.name, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		got := map[string]any{}
		doc := db.Doc{"id": "x"}
		if fn != nil {
			if err := fn(context.Background(), nil, []db.Doc{doc}, func(i int, attr string, v any) { got[attr] = v }); err != nil {
				t.Fatal(err)
			}
		}
		if len(got) != len(tt.want) || len(doc) != 1 {
			t.Errorf("%s: sets %v (document now %v), want %v", tt.name, got, doc, tt.want)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%s: sets %s = %v, want %v", tt.name, k, got[k], v)
			}
		}
	}
}
