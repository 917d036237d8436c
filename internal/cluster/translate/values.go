package translate

import (
	"slices"
	"unique"
)

// valueIndex indexes the documents of one collection by the values they hold, so that
// Mentioning finds the few that name a resource without reading the others: a floating IP's
// change looks up its port forwardings, a port's its firewall groups. The world keeps one
// for each collection without a typed form (valueIndexed): the services' resources, which
// name the resources they read by id.
type valueIndex struct {
	ids    map[string]idSet    // value → the documents holding it
	values map[string][]string // document → its values (what set removes)
}

// valueIndexed reports whether the world indexes the values of collection's documents.
func valueIndexed(collection string) bool { return decoders[collection] == nil }

// valuesOf returns collection's value index, made on first use.
func (w *World) valuesOf(collection string) *valueIndex {
	v := w.named[collection]
	if v == nil {
		v = &valueIndex{ids: map[string]idSet{}, values: map[string][]string{}}
		w.named[collection] = v
	}
	return v
}

// set makes values the document id's (nil: it is gone).
func (v *valueIndex) set(id string, values []string) {
	for _, x := range v.values[id] {
		s := v.ids[x]
		s.remove(id)
		if s.len() == 0 {
			delete(v.ids, x)
		} else {
			v.ids[x] = s
		}
	}
	if len(values) == 0 {
		delete(v.values, id)
		return
	}
	v.values[id] = values
	for _, x := range values {
		s := v.ids[x]
		s.add(id)
		v.ids[x] = s
	}
}

// docValues returns the values a document holds, at any depth of its objects and lists,
// each once: its non-empty strings, and "true" for a true. Keys, numbers, false and null
// are left out: nothing looks a resource up by them. Each string is interned: the ids and
// projects many documents name are kept once.
func docValues(d Doc) []string {
	var out []string
	var seen map[string]bool // past a few values (a firewall group's many ports)
	add := func(x string) {
		if seen == nil && len(out) > 16 {
			seen = make(map[string]bool, 2*len(out))
			for _, y := range out {
				seen[y] = true
			}
		}
		if seen != nil {
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		} else if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	var walk func(x any)
	walk = func(x any) {
		switch x := x.(type) {
		case string:
			if x != "" {
				add(unique.Make(x).Value())
			}
		case bool:
			if x {
				add("true")
			}
		case map[string]any:
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(d)
	return slices.Clip(out)
}
