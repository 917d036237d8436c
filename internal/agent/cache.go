package agent

import (
	"encoding/json"
	"strings"
	"unique"

	"github.com/midonet-go/midonet/internal/topology"
)

// cache holds the agent's topology objects by kind, then id. Grouping by kind lets each pass
// that looks for one kind (bound ports, BGP peers, VPN services, tunnel members) visit only
// those objects instead of every object of the deployment (about twenty per VM port).
//
// The kinds a VM port has many of and no pass reads (packedKinds: its rules, chains, DHCP
// host, MAC entry and address-group member) are kept in their compact form (compact.go) and
// decoded when read; the others are kept decoded, their id keys sharing the objects' own id
// strings. The cache belongs to the agent's loop, like the rest of its state: reading a
// packed object uses a scratch buffer of the cache.
//
// An agent with a datapath keeps every object decoded (newCache(false)): it hands the whole
// topology to the simulator after every change, and decoding the packed objects each time
// (about 5 µs an object) would cost more than the memory saved while the simulator's
// topology, which holds the decoded objects, is alive anyway.
type cache struct {
	kinds  map[topology.Kind]map[string]topology.Object
	packed map[topology.Kind]map[idKey]string
	pack   map[topology.Kind]bool // the kinds kept packed: packedKinds, or none
	names  names
	n      int
	buf    []byte // scratch for expanding a compact form
}

// packedKinds are the kinds kept in compact form by an agent without a datapath.
var packedKinds = map[topology.Kind]bool{
	topology.KindRule: true, topology.KindChain: true, topology.KindDhcpHost: true,
	topology.KindMacEntry: true, topology.KindIPAddrMember: true,
}

// idKey is the key of a packed object: a UUID id as its sixteen bytes (no string to
// allocate), any other id as itself.
type idKey struct {
	u [16]byte
	s string
}

func keyOf(id string) idKey {
	if len(id) == 36 {
		if u, ok := parseUUID([]byte(id)); ok {
			return idKey{u: u}
		}
	}
	return idKey{s: strings.Clone(id)}
}

// newCache returns an empty cache; pack keeps the packedKinds in compact form.
func newCache(pack bool) cache {
	c := cache{kinds: map[topology.Kind]map[string]topology.Object{}, packed: map[topology.Kind]map[idKey]string{}}
	if pack {
		c.pack = packedKinds
	}
	return c
}

// splitKey splits a cache key "<Kind>/<id>".
func splitKey(key string) (topology.Kind, string, bool) {
	kind, id, ok := strings.Cut(key, "/")
	return topology.Kind(kind), id, ok && kind != "" && id != ""
}

// set stores an object under its kind and id.
func (c *cache) set(o topology.Object) {
	if c.pack[o.Kind()] {
		if b, err := json.Marshal(o); err == nil {
			c.setValue(o.Kind(), o.Base().ID, b)
		}
		return
	}
	c.setAs(o.Kind(), o.Base().ID, o)
}

// setAs stores a decoded object of a kind that is not packed under kind and id; when o's
// own id is id, the map key shares its string.
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

// setValue stores the JSON value of an object of a packed kind (valid: the caller decoded
// it) in compact form.
func (c *cache) setValue(kind topology.Kind, id string, value []byte) {
	m := c.packed[kind]
	if m == nil {
		m = map[idKey]string{}
		c.packed[kind] = m
	}
	k := keyOf(id)
	if _, ok := m[k]; !ok {
		c.n++
	}
	m[k] = string(compactJSON(&c.names, value))
}

// del removes an object.
func (c *cache) del(kind topology.Kind, id string) {
	if c.pack[kind] {
		if m := c.packed[kind]; m != nil {
			k := keyOf(id)
			if _, ok := m[k]; ok {
				delete(m, k)
				c.n--
			}
		}
		return
	}
	if m := c.kinds[kind]; m != nil {
		if _, ok := m[id]; ok {
			delete(m, id)
			c.n--
		}
	}
}

// decode expands and decodes a compact form (nil if it does not decode, which a form the
// cache made always does).
func (c *cache) decode(kind topology.Kind, form string) topology.Object {
	b, ok := expandJSON(&c.names, c.buf[:0], []byte(form))
	c.buf = b
	if !ok {
		return nil
	}
	o, err := topology.Decode(kind, b)
	if err != nil {
		return nil
	}
	return o
}

// get returns an object or nil.
func (c *cache) get(kind topology.Kind, id string) topology.Object {
	if c.pack[kind] {
		form, ok := c.packed[kind][keyOf(id)]
		if !ok {
			return nil
		}
		return c.decode(kind, form)
	}
	return c.kinds[kind][id]
}

// each calls f with every object of a kind, in no particular order (a packed kind's
// objects are decoded for the call).
func (c *cache) each(kind topology.Kind, f func(topology.Object)) {
	if c.pack[kind] {
		for _, form := range c.packed[kind] {
			if o := c.decode(kind, form); o != nil {
				f(o)
			}
		}
		return
	}
	for _, o := range c.kinds[kind] {
		f(o)
	}
}

// of returns the objects of a kind that is not packed (the caller must not change the map).
func (c *cache) of(kind topology.Kind) map[string]topology.Object { return c.kinds[kind] }

// count is the number of objects of a kind.
func (c *cache) count(kind topology.Kind) int {
	if c.pack[kind] {
		return len(c.packed[kind])
	}
	return len(c.kinds[kind])
}

// all calls f with every object, in no particular order.
func (c *cache) all(f func(topology.Object)) {
	for _, m := range c.kinds {
		for _, o := range m {
			f(o)
		}
	}
	for kind := range c.packed {
		c.each(kind, f)
	}
}

// find calls f with the objects whose id is in ids, decoding only those.
func (c *cache) find(ids map[string]bool, f func(topology.Object)) {
	for _, m := range c.kinds {
		for id, o := range m {
			if ids[id] {
				f(o)
			}
		}
	}
	if len(c.packed) == 0 {
		return
	}
	want := make(map[idKey]bool, len(ids))
	for id := range ids {
		want[keyOf(id)] = true
	}
	for kind, m := range c.packed {
		for k, form := range m {
			if want[k] {
				if o := c.decode(kind, form); o != nil {
					f(o)
				}
			}
		}
	}
}

// len is the number of objects.
func (c *cache) len() int { return c.n }

// kindsOf returns the objects of the given kinds, in no particular order.
func kindsOf(c *cache, kinds ...topology.Kind) []topology.Object {
	n := 0
	for _, k := range kinds {
		n += c.count(k)
	}
	out := make([]topology.Object, 0, n)
	for _, k := range kinds {
		c.each(k, func(o topology.Object) { out = append(out, o) })
	}
	return out
}

// intern makes the strings that many decoded objects repeat share one copy: the owner (the
// same for the objects of a VM port), a port's network, router, DHCP, QoS policy, host and
// device owner (the same for the ports of a network, a host, a kind of device), and an ARP
// entry's network.
func intern(o topology.Object) {
	m := o.Base()
	m.Owner = internStr(m.Owner)
	switch v := o.(type) {
	case *topology.Port:
		v.NetworkID, v.RouterID, v.DhcpID = internStr(v.NetworkID), internStr(v.RouterID), internStr(v.DhcpID)
		v.QosPolicyID, v.HostID, v.DeviceOwner = internStr(v.QosPolicyID), internStr(v.HostID), internStr(v.DeviceOwner)
	case *topology.ArpEntry:
		v.NetworkID = internStr(v.NetworkID)
	}
}

func internStr(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}
