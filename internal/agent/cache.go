package agent

import (
	"strings"
	"unique"

	"github.com/midonet-go/midonet/internal/strpack"
	"github.com/midonet-go/midonet/internal/topology"
)

// cache holds the agent's topology objects by kind, then id. Grouping by kind lets each pass
// that looks for one kind (bound ports, BGP peers, VPN services, tunnel members) visit only
// those objects instead of every object of the deployment (about twenty per VM port).
//
// An agent without a datapath (the one `midonet serve` runs) does not keep the kinds a VM
// port has many of (lazyKinds: the port itself, its ARP entry, rules, chains, DHCP host, MAC
// entry and address-group member: all eighteen of its objects). It keeps only their ids, and
// reads them from the NSDB when a caller asks (a trace's simulation, its names), at the
// revision the cache is at (rev), so a reader sees exactly what the listing and the watch
// events applied since gave — as MidoNet's agents load what a simulation reaches instead of
// holding the whole topology. The few objects of a lazy kind its own passes read are kept
// decoded all the same (keep: the ports bound to this host, which it plugs and runs BGP
// speakers on). The other kinds are kept decoded, their id keys sharing the objects' own id
// strings. The cache belongs to the agent's loop, like the rest of its state.
//
// An agent with a datapath keeps every object decoded (newCache(nil)): it hands the whole
// topology to the simulator after every change, which would then read every object from the
// NSDB each time.
type cache struct {
	kinds  map[topology.Kind]map[string]topology.Object
	held   map[topology.Kind]*idSet                     // the objects of lazy kinds: ids only
	kept   map[topology.Kind]map[string]topology.Object // the held objects kept decoded (keep)
	lazy   map[topology.Kind]bool                       // lazyKinds, or none
	owners owners                                       // the bundles the held objects are in
	src    source                                       // where the lazy kinds are read (nil: nowhere, they read as absent)
	rev    int64                                        // the store revision the cache is at (lazy kinds are read there)
	n      int
}

// source reads objects of the kinds the cache does not keep, as the NSDB held them at a
// store revision.
type source interface {
	// each calls f with the JSON value of every object of kind; when it has to start over
	// (the revision was compacted while reading), it calls begin first, again.
	each(kind topology.Kind, rev int64, begin func(), f func(value []byte))
	// get returns the JSON value of one object, or nil; owner is the owner whose bundle
	// holds it, "" for an object under its own key.
	get(kind topology.Kind, id, owner string, rev int64) []byte
}

// lazyKinds are the kinds an agent without a datapath reads from the NSDB when asked.
var lazyKinds = map[topology.Kind]bool{
	topology.KindPort: true, topology.KindArpEntry: true,
	topology.KindRule: true, topology.KindChain: true, topology.KindDhcpHost: true,
	topology.KindMacEntry: true, topology.KindIPAddrMember: true,
}

// idSet is a set of ids, each with the index of the bundle that holds its object (see
// owners; 0: the object has a key of its own): UUIDs as their sixteen bytes (no string to
// keep), any other id as itself.
type idSet struct {
	uuids map[[16]byte]int32
	other map[string]int32
}

func (s *idSet) has(id string) bool {
	_, ok := s.owner(id)
	return ok
}

// owner returns the bundle index recorded with id.
func (s *idSet) owner(id string) (int32, bool) {
	if u, ok := uuidOf(id); ok {
		o, ok := s.uuids[u]
		return o, ok
	}
	o, ok := s.other[id]
	return o, ok
}

// set records id with its bundle index; it returns whether id was new and, if not, the
// index it had.
func (s *idSet) set(id string, owner int32) (bool, int32) {
	if u, ok := uuidOf(id); ok {
		old, had := s.uuids[u]
		if s.uuids == nil {
			s.uuids = map[[16]byte]int32{}
		}
		s.uuids[u] = owner
		return !had, old
	}
	old, had := s.other[id]
	if s.other == nil {
		s.other = map[string]int32{}
	}
	if had {
		s.other[id] = owner
	} else {
		s.other[strings.Clone(id)] = owner
	}
	return !had, old
}

// remove removes id; it returns whether it was there and its bundle index.
func (s *idSet) remove(id string) (bool, int32) {
	if u, ok := uuidOf(id); ok {
		o, had := s.uuids[u]
		if had {
			delete(s.uuids, u)
		}
		return had, o
	}
	o, had := s.other[id]
	if had {
		delete(s.other, id)
	}
	return had, o
}

func (s *idSet) len() int { return len(s.uuids) + len(s.other) }

// owners is the table of the bundles (their owners, "<collection>/<id>") that hold objects
// of lazy kinds, by index, each with how many such objects refer to it; index 0 is "" (an
// object under its own key). A freed index is reused.
type owners struct {
	names []string
	refs  []int32
	index map[string]int32
	free  []int32
}

// ref returns owner's index, counting one more reference.
func (t *owners) ref(owner string) int32 {
	if owner == "" {
		return 0
	}
	if i, ok := t.index[owner]; ok {
		t.refs[i]++
		return i
	}
	if t.index == nil {
		t.index = map[string]int32{}
		t.names, t.refs = []string{""}, []int32{0}
	}
	owner = unique.Make(owner).Value() // the decoded objects' Owner (objectStrings) shares it
	var i int32
	if n := len(t.free); n > 0 {
		i, t.free = t.free[n-1], t.free[:n-1]
		t.names[i], t.refs[i] = owner, 1
	} else {
		i = int32(len(t.names))
		t.names, t.refs = append(t.names, owner), append(t.refs, 1)
	}
	t.index[owner] = i
	return i
}

// unref drops one reference to index i.
func (t *owners) unref(i int32) {
	if i == 0 {
		return
	}
	if t.refs[i]--; t.refs[i] == 0 {
		delete(t.index, t.names[i])
		t.names[i] = ""
		t.free = append(t.free, i)
	}
}

// name is the owner of index i ("" for 0).
func (t *owners) name(i int32) string {
	if int(i) >= len(t.names) {
		return ""
	}
	return t.names[i]
}

func uuidOf(id string) ([16]byte, bool) {
	if len(id) != 36 {
		return [16]byte{}, false
	}
	return topology.UUIDBytes(id)
}

// newCache returns an empty cache; with a source, the lazyKinds are read from it when asked
// instead of kept.
func newCache(src source) cache {
	c := cache{kinds: map[topology.Kind]map[string]topology.Object{}, held: map[topology.Kind]*idSet{}, src: src}
	if src != nil {
		c.lazy = lazyKinds
	}
	return c
}

// splitKey splits a cache key "<Kind>/<id>".
func splitKey(key string) (topology.Kind, string, bool) {
	kind, id, ok := strings.Cut(key, "/")
	return topology.Kind(kind), id, ok && kind != "" && id != ""
}

// set stores an object under its kind and id (for a lazy kind: its id, as one under its own
// key).
func (c *cache) set(o topology.Object) {
	if c.lazy[o.Kind()] {
		c.hold(o.Kind(), o.Base().ID, "")
		return
	}
	c.setAs(o.Kind(), o.Base().ID, o)
}

// setAs stores a decoded object of a kind that is not lazy under kind and id; when o's own id
// is id, the map key shares its string.
func (c *cache) setAs(kind topology.Kind, id string, o topology.Object) {
	if putIn(c.kinds, kind, id, o) {
		c.n++
	}
}

// putIn stores o in byKind under kind and id, the map key sharing o's own id string when it
// is id; it reports whether the key is new.
func putIn(byKind map[topology.Kind]map[string]topology.Object, kind topology.Kind, id string, o topology.Object) bool {
	if b := o.Base(); b.ID == id {
		id = b.ID
	} else {
		id = strings.Clone(id)
	}
	m := byKind[kind]
	if m == nil {
		m = map[string]topology.Object{}
		byKind[kind] = m
	}
	_, had := m[id]
	m[id] = o
	return !had
}

// hold records that an object of a lazy kind exists (its value was not decoded), in
// owner's bundle ("": under its own key).
func (c *cache) hold(kind topology.Kind, id, owner string) {
	s := c.held[kind]
	if s == nil {
		s = &idSet{}
		c.held[kind] = s
	}
	o := c.owners.ref(owner)
	added, old := s.set(id, o)
	if added {
		c.n++
	} else {
		c.owners.unref(old)
	}
}

// keep keeps a held object of a lazy kind decoded (o), or stops keeping it (nil).
func (c *cache) keep(kind topology.Kind, id string, o topology.Object) {
	if o == nil {
		delete(c.kept[kind], id)
		return
	}
	if c.kept == nil {
		c.kept = map[topology.Kind]map[string]topology.Object{}
	}
	putIn(c.kept, kind, id, o)
}

// heldIn reports whether the cache has the object, as one of owner's bundle for a lazy kind.
func (c *cache) heldIn(kind topology.Kind, id, owner string) bool {
	if !c.lazy[kind] {
		_, ok := c.kinds[kind][id]
		return ok
	}
	s := c.held[kind]
	if s == nil {
		return false
	}
	o, ok := s.owner(id)
	return ok && c.owners.name(o) == owner
}

// del removes an object.
func (c *cache) del(kind topology.Kind, id string) {
	if c.lazy[kind] {
		if s := c.held[kind]; s != nil {
			if had, o := s.remove(id); had {
				c.owners.unref(o)
				c.n--
			}
		}
		delete(c.kept[kind], id)
		return
	}
	if m := c.kinds[kind]; m != nil {
		if _, ok := m[id]; ok {
			delete(m, id)
			c.n--
		}
	}
}

// fetch reads one object of a lazy kind from the source (nil when absent or undecodable: an
// object the cache holds was not decoded when it came in).
func (c *cache) fetch(kind topology.Kind, id string) topology.Object {
	if c.src == nil {
		return nil
	}
	s := c.held[kind]
	if s == nil {
		return nil
	}
	oi, ok := s.owner(id)
	if !ok {
		return nil
	}
	v := c.src.get(kind, id, c.owners.name(oi), c.rev)
	if v == nil {
		return nil
	}
	o, err := topology.Decode(kind, v)
	if err != nil {
		return nil
	}
	return o
}

// get returns an object or nil.
func (c *cache) get(kind topology.Kind, id string) topology.Object {
	if c.lazy[kind] {
		if o := c.kept[kind][id]; o != nil {
			return o
		}
		if s := c.held[kind]; s == nil || !s.has(id) {
			return nil
		}
		return c.fetch(kind, id)
	}
	return c.kinds[kind][id]
}

// decoded returns an object the cache holds decoded, or nil (for a lazy kind: one it keeps;
// the source is not read).
func (c *cache) decoded(kind topology.Kind, id string) topology.Object {
	if c.lazy[kind] {
		return c.kept[kind][id]
	}
	return c.kinds[kind][id]
}

// each calls f with every object of a kind, in no particular order (a lazy kind's objects
// are read from the source and decoded for the call).
func (c *cache) each(kind topology.Kind, f func(topology.Object)) {
	if !c.lazy[kind] {
		for _, o := range c.kinds[kind] {
			f(o)
		}
		return
	}
	if c.src == nil || c.held[kind] == nil || c.held[kind].len() == 0 {
		return
	}
	var objs []topology.Object
	c.src.each(kind, c.rev, func() { objs = objs[:0] }, func(v []byte) {
		if o, err := topology.Decode(kind, v); err == nil {
			objs = append(objs, o)
		}
	})
	for _, o := range objs {
		f(o)
	}
}

// of returns the objects of a kind the cache holds decoded: every one of a kind that is not
// lazy, the ones kept of a lazy kind (the caller must not change the map).
func (c *cache) of(kind topology.Kind) map[string]topology.Object {
	if c.lazy[kind] {
		return c.kept[kind]
	}
	return c.kinds[kind]
}

// count is the number of objects of a kind.
func (c *cache) count(kind topology.Kind) int {
	if c.lazy[kind] {
		if s := c.held[kind]; s != nil {
			return s.len()
		}
		return 0
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
	for kind := range c.held {
		c.each(kind, f)
	}
}

// find calls f with the objects whose id is in ids, reading only those.
func (c *cache) find(ids map[string]bool, f func(topology.Object)) {
	for _, m := range c.kinds {
		for id, o := range m {
			if ids[id] {
				f(o)
			}
		}
	}
	for kind, s := range c.held {
		for id := range ids {
			if s.has(id) {
				if o := c.get(kind, id); o != nil {
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

// objectStrings packs the strings of a decoded object (package strpack). Those many objects
// repeat are interned: the owner (the same for the objects of a VM port), a port's network,
// router, DHCP, QoS policy, host, device owner and port groups (the same for the ports of a
// network, a host, a kind of device, a security group), an ARP entry's network. The rest of
// an object's strings share one allocation.
var objectStrings = strpack.New("Owner", "NetworkID", "RouterID", "DhcpID", "QosPolicyID", "HostID",
	"DeviceOwner", "TenantID", "PortGroupIDs")
