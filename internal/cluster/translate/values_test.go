package translate

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// TestMentioningLooksValuesUp walks a service collection's value index through puts,
// replacements and deletes, through every way a document enters the world, and checks each
// lookup against what the documents hold: values at any depth, true, and nothing for keys,
// numbers, false or parts of a value.
func TestMentioningLooksValuesUp(t *testing.T) {
	w := NewWorld()
	const coll = "firewall_groups"
	put := func(d Doc) { w.Put(coll, d) }
	putJSON := func(d Doc) {
		raw, _ := json.Marshal(d)
		if err := w.PutJSON(coll, raw); err != nil {
			t.Fatal(err)
		}
	}
	many := make([]any, 40) // past docValues' few values
	for i := range many {
		many[i] = fmt.Sprintf("port-%02d", i)
	}
	steps := []struct {
		name string
		do   func()
		want map[string][]string // text → the ids Mentioning gives
	}{
		{"put", func() {
			put(Doc{"id": "g1", "ports": []any{"port-a", "port-b"}, "shared": true, "project_id": "p1"})
			putJSON(Doc{"id": "g2", "egress": map[string]any{"rules": []any{"rule-1"}}, "shared": false, "port_count": 3, "project_id": "p1"})
		}, map[string][]string{
			"port-a": {"g1"}, "port-b": {"g1"}, "rule-1": {"g2"}, "p1": {"g1", "g2"}, "true": {"g1"},
			"g2": {"g2"}, "false": nil, "3": nil, "ports": nil, "egress": nil, "port": nil, "": nil,
		}},
		{"replace", func() {
			put(Doc{"id": "g1", "ports": []any{"port-b", "port-c"}, "shared": false, "project_id": "p1"})
		}, map[string][]string{"port-a": nil, "port-b": {"g1"}, "port-c": {"g1"}, "true": nil, "p1": {"g1", "g2"}}},
		{"many values", func() {
			w.PutDoc(coll, Doc{"id": "g3", "ports": append(slices.Clone(many), "port-01", "port-c")}, nil)
		}, map[string][]string{"port-00": {"g3"}, "port-39": {"g3"}, "port-c": {"g1", "g3"}}},
		{"delete", func() {
			w.Delete(coll, "g1")
			w.Delete(coll, "absent")
		}, map[string][]string{"port-b": nil, "port-c": {"g3"}, "p1": {"g2"}, "g1": nil}},
		{"delete all", func() {
			w.Delete(coll, "g2")
			w.Delete(coll, "g3")
		}, map[string][]string{"p1": nil, "port-c": nil, "rule-1": nil}},
	}
	for _, s := range steps {
		s.do()
		for text, want := range s.want {
			if got := w.MentioningIDs(coll, text); !slices.Equal(got, want) {
				t.Errorf("%s: MentioningIDs(%q) = %v, want %v", s.name, text, got, want)
			}
		}
	}
	if n := len(w.named[coll].ids) + len(w.named[coll].values); n != 0 {
		t.Errorf("the index keeps %d entries with no document left", n)
	}
}

// TestMentioningSearchesTypedCollections: a collection with a typed form keeps no value
// index; its documents' JSON is searched.
func TestMentioningSearchesTypedCollections(t *testing.T) {
	w := NewWorld()
	w.Put("routers", Doc{"id": "r1", "name": "edge-router"})
	if got := w.MentioningIDs("routers", "edge"); !slices.Equal(got, []string{"r1"}) {
		t.Errorf("MentioningIDs(routers, edge) = %v, want [r1]", got)
	}
	if w.named["routers"] != nil {
		t.Error("routers have a value index")
	}
}
