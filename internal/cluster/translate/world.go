// Package translate turns Neutron resources into MidoNet topology objects. Translation is a
// pure function of the Neutron state (a World of resource copies): Owned(world, ref) returns
// every object the resource ref owns, so create, update, delete and repair are one operation
// — compute what should exist, compare with what does. Dependents names the resources whose
// objects a change can alter.
package translate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/strpack"
)

// Doc is a Neutron resource as stored (what the API shows, plus its hidden attributes).
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

// World holds the Neutron resources the translators read: each document as its JSON
// (json.Marshal's form, keys sorted; packed, see packed.go, and decoded afresh by Get), its
// typed form (internal/model) for the collections the built-in translators read, and the
// indexes they need. A VM port costs its packed JSON (about 0.2 KB) and index entries only:
// its typed form is decoded when a translator asks for it (Port), because a deployment's
// ports are nearly all VM ports and their typed forms were most of what the garbage
// collector marked in a large world (two thirds of the world's mark work at 100,000 ports;
// BENCHMARKS.md, "VM ports decoded on demand"). The ports the network owns (router
// interfaces and gateways, DHCP, floating IP: model.PortTrusted), which translators of other
// resources look through, keep their typed form.
// Put, PutJSON, Add and Delete are the only writers; everything else reads.
type World struct {
	docs  map[string]map[string]*entry
	typed map[string]map[string]any   // collection → id → *model.X
	idx   map[string]map[string]idSet // index name → key → ids
	named map[string]*valueIndex      // collection without a typed form → its values (Mentioning)
}

// idSet is the ids under one index key: one string while there is one (most keys: a port's
// device), a slice while there are few, a map past maxFew. Held by value in its index's map,
// so a key with one id costs no allocation of its own.
type idSet struct {
	one  string
	few  []string
	many map[string]struct{}
}

const maxFew = 16

func (s *idSet) add(id string) {
	switch {
	case s.many != nil:
		s.many[id] = struct{}{}
	case s.one == id || slices.Contains(s.few, id):
	case s.one == "" && len(s.few) == 0:
		s.one = id
	case len(s.few) < maxFew:
		if s.one != "" {
			s.few = append(s.few, s.one)
			s.one = ""
		}
		s.few = append(s.few, id)
	default:
		s.many = make(map[string]struct{}, 2*maxFew)
		for _, x := range s.few {
			s.many[x] = struct{}{}
		}
		s.many[id] = struct{}{}
		s.few = nil
	}
}

func (s *idSet) remove(id string) {
	switch {
	case s.many != nil:
		delete(s.many, id)
	case s.one == id:
		s.one = ""
	default:
		if i := slices.Index(s.few, id); i >= 0 {
			last := len(s.few) - 1
			s.few[i] = s.few[last]
			s.few[last] = ""
			s.few = s.few[:last]
		}
	}
}

func (s idSet) len() int {
	n := len(s.few) + len(s.many)
	if s.one != "" {
		n++
	}
	return n
}

// each calls f with every id, in no order.
func (s idSet) each(f func(id string)) {
	if s.one != "" {
		f(s.one)
	}
	for _, id := range s.few {
		f(id)
	}
	for id := range s.many {
		f(id)
	}
}

// sorted returns the ids in order.
func (s idSet) sorted() []string {
	out := make([]string, 0, s.len())
	if s.one != "" {
		out = append(out, s.one)
	}
	out = append(out, s.few...)
	for id := range s.many {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// entry is one stored document.
type entry struct {
	z    []byte             // the document's JSON, packed
	rev  int64              // its revision_number
	keys [maxIndexes]string // its values of the collection's indexes, in the order of indexes[collection]
}

// NewWorld returns an empty world.
func NewWorld() *World {
	return &World{docs: map[string]map[string]*entry{}, typed: map[string]map[string]any{},
		idx: map[string]map[string]idSet{}, named: map[string]*valueIndex{}}
}

// decoders give the typed form of each collection the built-in translators read. A
// document of the wrong shape decodes as far as it goes (the API validated it on the way in).
var decoders = map[string]func(Doc) any{
	"networks":             decodeAs[model.Network],
	"subnets":              decodeAs[model.Subnet],
	"ports":                decodeAs[model.Port],
	"routers":              decodeAs[model.Router],
	"floatingips":          decodeAs[model.FloatingIP],
	"security_groups":      decodeAs[model.SecurityGroup],
	"security_group_rules": decodeAs[model.Rule],
	"config":               decodeAs[model.Config],
}

func decodeAs[T any](d Doc) any {
	v := model.MustDecode[T](d)
	return &v
}

// maxIndexes is the most indexes a collection has.
const maxIndexes = 3

// indexes lists, per collection, the index names and the attribute each keys on (at most
// maxIndexes).
var indexes = map[string][][2]string{
	"subnets":              {{"subnets.network", "network_id"}},
	"ports":                {{"ports.network", "network_id"}, {"ports.device", "device_id"}, {"ports.trusted", "network_id"}},
	"floatingips":          {{"fips.router", "router_id"}, {"fips.port", "port_id"}, {"fips.network", "floating_network_id"}},
	"security_group_rules": {{"rules.group", "security_group_id"}},
}

// indexedIf names the indexes that hold only some documents of their collection: those
// the function accepts. ports.trusted keys the ports the network owns by network, so that
// a network's router, DHCP and gateway ports are found without visiting its VM ports.
var indexedIf = map[string]func(Doc) bool{
	"ports.trusted": trustedPort,
}

// typedIf names the collections whose typed form the world keeps for some documents only:
// the others are decoded on demand (Port).
var typedIf = map[string]func(Doc) bool{
	"ports": trustedPort,
}

func trustedPort(d Doc) bool { return model.PortTrusted(str(d, "device_owner")) }

func (w *World) index(collection, id string, keys *[maxIndexes]string, add bool) {
	for i, ix := range indexes[collection] {
		key := keys[i]
		if key == "" {
			continue
		}
		m := w.idx[ix[0]]
		if m == nil {
			m = map[string]idSet{}
			w.idx[ix[0]] = m
		}
		set := m[key]
		if add {
			set.add(id)
		} else {
			set.remove(id)
		}
		if set.len() == 0 {
			delete(m, key)
		} else {
			m[key] = set
		}
	}
}

// Put stores (or replaces) a resource: its JSON, typed form and index entries. The world
// keeps no reference to d.
func (w *World) Put(collection string, d Doc) {
	raw, err := json.Marshal(d)
	if err != nil {
		return // a document the API accepted always encodes
	}
	w.put(collection, d, raw)
}

// PutJSON stores (or replaces) a resource given as json.Marshal's encoding of its document
// (what the cluster writes to the NSDB); the world keeps raw packed, not raw itself.
func (w *World) PutJSON(collection string, raw []byte) error {
	p, err := w.PrepareJSON(collection, raw)
	if err != nil {
		return err
	}
	w.Add(p)
	return nil
}

// PutDoc stores a document as PutJSON(collection, raw) would, d being raw decoded with
// numbers as json.Number (as PutJSON decodes it). The world keeps d: the caller hands it over
// and changes nothing of it afterwards.
func (w *World) PutDoc(collection string, d Doc, raw []byte) {
	w.Add(w.prepare(collection, d, raw))
}

// Prepared is a document made ready for a world by its PrepareJSON: decoded, in its typed
// form and packed. Preparing is most of the cost of PutJSON and changes no world, so that a
// caller taking many documents at once (the cluster's Load) prepares them on every core and
// only Adds them one at a time.
type Prepared struct {
	collection, id string
	e              *entry
	typed          any      // nil for a collection without a typed form
	values         []string // its values, for a collection without a typed form (valueIndex)
}

// PrepareJSON prepares json.Marshal's encoding of a document of collection for w's Add. It
// keeps no reference to raw and only reads w: it is safe to call from many goroutines at
// once, also while another one Adds.
func (w *World) PrepareJSON(collection string, raw []byte) (Prepared, error) {
	d, err := decodeDoc(raw)
	if err != nil {
		return Prepared{}, fmt.Errorf("translate: %s document: %w", collection, err)
	}
	return w.prepare(collection, d, raw), nil
}

func (w *World) prepare(collection string, d Doc, raw []byte) Prepared {
	p := &Prepared{collection: collection, id: str(d, "id"), e: &entry{z: pack(raw)}}
	p.e.rev, _ = model.Int(d["revision_number"])
	also := make([]*string, 1, 4)
	also[0] = &p.id
	if ix := indexes[collection]; len(ix) > 0 {
		for i, x := range ix {
			if only := indexedIf[x[0]]; only != nil && !only(d) {
				continue
			}
			p.e.keys[i] = str(d, x[1])
			also = append(also, &p.e.keys[i])
		}
	}
	if valueIndexed(collection) {
		p.values = docValues(d)
	}
	if dec := decoders[collection]; dec != nil && (typedIf[collection] == nil || typedIf[collection](d)) {
		p.typed = dec(d)
		if port, ok := p.typed.(*model.Port); ok && len(port.Profile) == 0 {
			port.Profile = nil // most ports' {}: one object fewer a port
		}
	}
	worldStrings.Pack(p.typed, also...)
	return *p
}

// worldStrings packs what the world keeps of a document (its typed form, id and index keys)
// into one string, interning the attributes many documents share.
var worldStrings = strpack.New("TenantID", "ProjectID", "NetworkID", "DeviceOwner", "Status", "HostID",
	"VNICType", "SubnetID", "SecurityGroups", "QosPolicyID", "NetworkType", "PhysicalNetwork", "SubnetPoolID",
	"FloatingNetworkID", "RouterID", "SecurityGroupID", "RemoteGroupID", "RemoteAddressGroupID", "Direction",
	"EtherType", "Protocol", "TunnelProtocol", "IPv6RAMode", "IPv6AddressMode")

// Add stores (or replaces) a document w.PrepareJSON prepared, as PutJSON would have. A
// Prepared is added once, to the world that prepared it.
func (w *World) Add(p Prepared) {
	collection, id := p.collection, p.id
	if old := w.docs[collection][id]; old != nil {
		w.index(collection, id, &old.keys, false)
	}
	if valueIndexed(collection) {
		w.valuesOf(collection).set(id, p.values)
	}
	if w.docs[collection] == nil {
		w.docs[collection] = map[string]*entry{}
	}
	w.docs[collection][id] = p.e
	if p.typed != nil {
		if w.typed[collection] == nil {
			w.typed[collection] = map[string]any{}
		}
		w.typed[collection][id] = p.typed
	} else {
		delete(w.typed[collection], id) // a port the network owned that is a VM's now
	}
	w.index(collection, id, &p.e.keys, true)
}

func (w *World) put(collection string, d Doc, raw []byte) { w.Add(w.prepare(collection, d, raw)) }

// Delete drops a resource.
func (w *World) Delete(collection, id string) {
	if old := w.docs[collection][id]; old != nil {
		w.index(collection, id, &old.keys, false)
		delete(w.docs[collection], id)
		delete(w.typed[collection], id)
		if v := w.named[collection]; v != nil {
			v.set(id, nil)
		}
	}
}

// Has reports whether a resource is present.
func (w *World) Has(collection, id string) bool {
	return id != "" && w.docs[collection][id] != nil
}

// Revision is a present resource's revision_number (0 when absent or unset).
func (w *World) Revision(collection, id string) int64 {
	if e := w.docs[collection][id]; e != nil {
		return e.rev
	}
	return 0
}

// Get returns a resource's document, decoded afresh (the caller may keep or change it), or
// nil.
func (w *World) Get(collection, id string) Doc {
	if id == "" {
		return nil
	}
	e := w.docs[collection][id]
	if e == nil {
		return nil
	}
	d, _ := decodeDoc(unpack(e.z))
	return d
}

// GetJSON returns a resource's JSON as stored (a copy of its own), or nil.
func (w *World) GetJSON(collection, id string) []byte {
	if e := w.docs[collection][id]; e != nil {
		return unpack(e.z)
	}
	return nil
}

// IDs returns the ids of a collection, sorted.
func (w *World) IDs(collection string) []string {
	out := make([]string, 0, len(w.docs[collection]))
	for id := range w.docs[collection] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Len is the number of resources of a collection.
func (w *World) Len(collection string) int { return len(w.docs[collection]) }

// All returns a collection's documents sorted by id, each decoded afresh.
func (w *World) All(collection string) []Doc { return w.getEach(collection, w.IDs(collection)) }

// getEach returns the documents of ids, in their order, each decoded afresh.
func (w *World) getEach(collection string, ids []string) []Doc {
	out := make([]Doc, 0, len(ids))
	for _, id := range ids {
		if d := w.Get(collection, id); d != nil {
			out = append(out, d)
		}
	}
	return out
}

// Mentioning returns the documents of a collection that hold text as a value, sorted by id,
// each decoded afresh: the few that name a resource (a port's tap flows) are looked up, and
// only those are decoded. See MentioningIDs.
func (w *World) Mentioning(collection, text string) []Doc {
	return w.getEach(collection, w.MentioningIDs(collection, text))
}

// MentioningIDs returns the ids of the documents of a collection that hold text as a value,
// sorted. A collection without a typed form (the services' resources) has its documents'
// values indexed (valueIndex): text is looked up, at any depth of the documents, among their
// strings and their true (as "true"), whatever the collection's size. A collection with a
// typed form is searched: the ids of those whose stored JSON holds text.
func (w *World) MentioningIDs(collection, text string) []string {
	if valueIndexed(collection) {
		v := w.named[collection]
		if v == nil {
			return nil
		}
		return v.ids[text].sorted()
	}
	docs := w.docs[collection]
	return mentioning(docs, func(f func(string)) {
		for id := range docs {
			f(id)
		}
	}, text)
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

// decodeDoc decodes a stored document, numbers as json.Number.
func decodeDoc(raw []byte) (Doc, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var d Doc
	if err := dec.Decode(&d); err != nil {
		return nil, err
	}
	return d, nil
}

// typedGet is the typed form of one resource, or nil.
func typedGet[T any](w *World, collection, id string) *T {
	v, _ := w.typed[collection][id].(*T)
	return v
}

// byIndex returns the typed resources of an index key, sorted by id.
func byIndex[T any](w *World, index, collection, key string) []*T {
	return byIndexWith(w, index, key, func(id string) *T { return typedGet[T](w, collection, id) })
}

// byIndexWith returns what get gives for each id of an index key (nil left out), sorted by
// id.
func byIndexWith[T any](w *World, index, key string, get func(id string) *T) []*T {
	ids := w.idx[index][key].sorted()
	out := make([]*T, 0, len(ids))
	for _, id := range ids {
		if v := get(id); v != nil {
			out = append(out, v)
		}
	}
	return out
}

// Network returns a network, or nil.
func (w *World) Network(id string) *model.Network { return typedGet[model.Network](w, "networks", id) }

// Subnet returns a subnet, or nil.
func (w *World) Subnet(id string) *model.Subnet { return typedGet[model.Subnet](w, "subnets", id) }

// Port returns a port, or nil. A VM port is decoded from its JSON at each call (the caller
// gets a copy of its own); a port the network owns is the world's typed form.
func (w *World) Port(id string) *model.Port {
	if p := typedGet[model.Port](w, "ports", id); p != nil {
		return p
	}
	e := w.docs["ports"][id]
	if e == nil {
		return nil
	}
	return decodePort(unpack(e.z))
}

// Router returns a router, or nil.
func (w *World) Router(id string) *model.Router { return typedGet[model.Router](w, "routers", id) }

// RoutersWhere returns the routers keep accepts, sorted by id: every router's typed form is
// visited, in no order, and only those kept are sorted (a metering label reads its project's
// routers among all).
func (w *World) RoutersWhere(keep func(*model.Router) bool) []*model.Router {
	var out []*model.Router
	for id := range w.docs["routers"] {
		if r := w.Router(id); r != nil && keep(r) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// FloatingIP returns a floating IP, or nil.
func (w *World) FloatingIP(id string) *model.FloatingIP {
	return typedGet[model.FloatingIP](w, "floatingips", id)
}

// SecurityGroup returns a security group, or nil.
func (w *World) SecurityGroup(id string) *model.SecurityGroup {
	return typedGet[model.SecurityGroup](w, "security_groups", id)
}

// Rule returns a security group rule, or nil.
func (w *World) Rule(id string) *model.Rule {
	return typedGet[model.Rule](w, "security_group_rules", id)
}

// SubnetsOf returns a network's subnets.
func (w *World) SubnetsOf(network string) []*model.Subnet {
	return byIndex[model.Subnet](w, "subnets.network", "subnets", network)
}

// PortIDsMentioning returns the ids of a network's ports whose stored JSON holds text,
// sorted: given a subnet's id, every port with an address on that subnet (and at worst a few
// more, whose name or other text holds it). The ports' JSON is unpacked into one buffer and
// searched, never decoded: about 0.15 s for a network of 100,000 ports.
func (w *World) PortIDsMentioning(network, text string) []string {
	return mentioning(w.docs["ports"], w.idx["ports.network"][network].each, text)
}

// mentioning returns, sorted, the ids each gives whose documents' JSON holds text, each
// document unpacked into one buffer and searched.
func mentioning(docs map[string]*entry, each func(func(id string)), text string) []string {
	needle := []byte(text)
	var buf []byte
	var out []string
	each(func(id string) {
		e := docs[id]
		if e == nil {
			return
		}
		buf = unpackInto(buf, e.z)
		if bytes.Contains(buf, needle) {
			out = append(out, id)
		}
	})
	sort.Strings(out)
	return out
}

// TrustedPortsOn returns the ports of a network that the network owns (model.PortTrusted:
// router interfaces and gateways, DHCP, floating IP), sorted by id; its VM ports are not
// visited.
func (w *World) TrustedPortsOn(network string) []*model.Port {
	return byIndex[model.Port](w, "ports.trusted", "ports", network)
}

// PortsOf returns the ports whose device_id is device (a router's are the ones the
// translators ask for; a VM's are decoded).
func (w *World) PortsOf(device string) []*model.Port {
	return byIndexWith(w, "ports.device", device, w.Port)
}

// FIPsOfRouter returns the floating IPs associated through a router.
func (w *World) FIPsOfRouter(router string) []*model.FloatingIP {
	return byIndex[model.FloatingIP](w, "fips.router", "floatingips", router)
}

// FIPsOfPort returns the floating IPs associated with a port.
func (w *World) FIPsOfPort(port string) []*model.FloatingIP {
	return byIndex[model.FloatingIP](w, "fips.port", "floatingips", port)
}

// FIPsOnNetwork returns the floating IPs of an external network.
func (w *World) FIPsOnNetwork(network string) []*model.FloatingIP {
	return byIndex[model.FloatingIP](w, "fips.network", "floatingips", network)
}

// RulesOf returns a security group's rules.
func (w *World) RulesOf(group string) []*model.Rule {
	return byIndex[model.Rule](w, "rules.group", "security_group_rules", group)
}

func str(d Doc, k string) string {
	s, _ := d[k].(string)
	return s
}
