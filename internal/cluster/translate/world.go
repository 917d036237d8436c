// Package translate turns Neutron resources into MidoNet topology objects. Translation is a
// pure function of the Neutron state (a World of resource copies): Owned(world, ref) returns
// every object the resource ref owns, so create, update, delete and repair are one operation
// — compute what should exist, compare with what does. Dependents names the resources whose
// objects a change can alter.
package translate

import (
	"encoding/json"
	"sort"
)

// Doc is a Neutron resource as the API shows it (plus internal "_" keys).
type Doc = map[string]any

// Ref names a Neutron resource: "<collection>/<id>".
type Ref string

// RefOf builds a Ref.
func RefOf(collection, id string) Ref { return Ref(collection + "/" + id) }

// Split returns a Ref's collection and id.
func (r Ref) Split() (string, string) {
	s := string(r)
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// World holds the Neutron resources the translators read, with the indexes they need.
type World struct {
	docs map[string]map[string]Doc
	idx  map[string]map[string]map[string]bool // index name → key → ids
}

// NewWorld returns an empty world.
func NewWorld() *World {
	return &World{docs: map[string]map[string]Doc{}, idx: map[string]map[string]map[string]bool{}}
}

// indexes lists, per collection, the index names and the attribute each keys on.
var indexes = map[string][][2]string{
	"subnets":              {{"subnets.network", "network_id"}},
	"ports":                {{"ports.network", "network_id"}, {"ports.device", "device_id"}},
	"floatingips":          {{"fips.router", "router_id"}, {"fips.port", "port_id"}, {"fips.network", "floating_network_id"}},
	"security_group_rules": {{"rules.group", "security_group_id"}},
}

func (w *World) index(d Doc, collection string, add bool) {
	id := str(d, "id")
	for _, ix := range indexes[collection] {
		key := str(d, ix[1])
		if key == "" {
			continue
		}
		m := w.idx[ix[0]]
		if m == nil {
			m = map[string]map[string]bool{}
			w.idx[ix[0]] = m
		}
		if add {
			if m[key] == nil {
				m[key] = map[string]bool{}
			}
			m[key][id] = true
		} else if m[key] != nil {
			delete(m[key], id)
		}
	}
}

// Put stores (or replaces) a resource copy.
func (w *World) Put(collection string, d Doc) {
	id := str(d, "id")
	if old := w.Get(collection, id); old != nil {
		w.index(old, collection, false)
	}
	if w.docs[collection] == nil {
		w.docs[collection] = map[string]Doc{}
	}
	w.docs[collection][id] = d
	w.index(d, collection, true)
}

// Delete drops a resource copy.
func (w *World) Delete(collection, id string) {
	if old := w.Get(collection, id); old != nil {
		w.index(old, collection, false)
		delete(w.docs[collection], id)
	}
}

// Get returns a resource copy or nil.
func (w *World) Get(collection, id string) Doc {
	if id == "" {
		return nil
	}
	return w.docs[collection][id]
}

// All returns a collection sorted by id.
func (w *World) All(collection string) []Doc {
	out := make([]Doc, 0, len(w.docs[collection]))
	for _, d := range w.docs[collection] {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return str(out[i], "id") < str(out[j], "id") })
	return out
}

// Collections lists the collections present.
func (w *World) Collections() []string {
	var out []string
	for c := range w.docs {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func (w *World) byIndex(index, collection, key string) []Doc {
	var out []Doc
	for id := range w.idx[index][key] {
		if d := w.Get(collection, id); d != nil {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return str(out[i], "id") < str(out[j], "id") })
	return out
}

// SubnetsOf returns a network's subnets.
func (w *World) SubnetsOf(network string) []Doc {
	return w.byIndex("subnets.network", "subnets", network)
}

// PortsOn returns the ports of a network.
func (w *World) PortsOn(network string) []Doc { return w.byIndex("ports.network", "ports", network) }

// PortsOf returns the ports whose device_id is device.
func (w *World) PortsOf(device string) []Doc { return w.byIndex("ports.device", "ports", device) }

// FIPsOfRouter returns the floating IPs associated through a router.
func (w *World) FIPsOfRouter(router string) []Doc {
	return w.byIndex("fips.router", "floatingips", router)
}

// FIPsOfPort returns the floating IPs associated with a port.
func (w *World) FIPsOfPort(port string) []Doc { return w.byIndex("fips.port", "floatingips", port) }

// FIPsOnNetwork returns the floating IPs of an external network.
func (w *World) FIPsOnNetwork(network string) []Doc {
	return w.byIndex("fips.network", "floatingips", network)
}

// RulesOf returns a security group's rules.
func (w *World) RulesOf(group string) []Doc {
	return w.byIndex("rules.group", "security_group_rules", group)
}

// Clone deep-copies a doc through JSON.
func Clone(d Doc) Doc {
	b, _ := json.Marshal(d)
	var out Doc
	_ = json.Unmarshal(b, &out)
	return out
}

func str(d Doc, k string) string {
	s, _ := d[k].(string)
	return s
}

func boolean(d Doc, k string, def bool) bool {
	if b, ok := d[k].(bool); ok {
		return b
	}
	return def
}

func list(d Doc, k string) []any {
	l, _ := d[k].([]any)
	return l
}

func num(v any) int64 {
	switch t := v.(type) {
	case float64:
		return int64(t)
	case int:
		return int64(t)
	case int64:
		return t
	case json.Number:
		n, _ := t.Int64()
		return n
	}
	return 0
}
