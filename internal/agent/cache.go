package agent

import (
	"strings"
	"unique"

	"github.com/midonet-go/midonet/internal/topology"
)

// cache holds the agent's topology objects by kind, then id. Grouping by kind lets each pass
// that looks for one kind (bound ports, BGP peers, VPN services, tunnel members) visit only
// those objects instead of every object of the deployment (about twenty per VM port), and
// the id keys share the objects' own id strings.
type cache struct {
	kinds map[topology.Kind]map[string]topology.Object
	n     int
}

func newCache() cache { return cache{kinds: map[topology.Kind]map[string]topology.Object{}} }

// splitKey splits a cache key "<Kind>/<id>".
func splitKey(key string) (topology.Kind, string, bool) {
	kind, id, ok := strings.Cut(key, "/")
	return topology.Kind(kind), id, ok && kind != "" && id != ""
}

// set stores an object under its kind and id.
func (c *cache) set(o topology.Object) {
	c.setAs(o.Kind(), o.Base().ID, o)
}

// setAs stores o under kind and id; when o's own id is id, the map key shares its string.
func (c *cache) setAs(kind topology.Kind, id string, o topology.Object) {
	if b := o.Base(); b.ID == id {
		id = b.ID
	} else {
		id = strings.Clone(id)
	}
	m := c.kinds[kind]
	if m == nil {
		m = map[string]topology.Object{}
		c.kinds[kind] = m
	}
	if _, ok := m[id]; !ok {
		c.n++
	}
	m[id] = o
}

// del removes an object.
func (c *cache) del(kind topology.Kind, id string) {
	if m := c.kinds[kind]; m != nil {
		if _, ok := m[id]; ok {
			delete(m, id)
			c.n--
		}
	}
}

// get returns an object or nil.
func (c *cache) get(kind topology.Kind, id string) topology.Object { return c.kinds[kind][id] }

// of returns the objects of one kind (the caller must not change the map).
func (c *cache) of(kind topology.Kind) map[string]topology.Object { return c.kinds[kind] }

// len is the number of objects.
func (c *cache) len() int { return c.n }

// kindsOf returns the objects of the given kinds, in no particular order.
func kindsOf(c *cache, kinds ...topology.Kind) []topology.Object {
	n := 0
	for _, k := range kinds {
		n += len(c.kinds[k])
	}
	out := make([]topology.Object, 0, n)
	for _, k := range kinds {
		for _, o := range c.kinds[k] {
			out = append(out, o)
		}
	}
	return out
}

// intern makes the strings that many cached objects repeat share one copy: the owner (the
// same for the twenty objects of a VM port) and a rule's chain, type and action (ten rules
// a port).
func intern(o topology.Object) {
	m := o.Base()
	m.Owner = internStr(m.Owner)
	if r, ok := o.(*topology.Rule); ok {
		r.ChainID, r.Type, r.Action = internStr(r.ChainID), internStr(r.Type), internStr(r.Action)
	}
}

func internStr(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}
