package translate

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"reflect"
	"slices"
	"sort"

	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/topology"
)

// Well-known addresses.
const (
	metadataIP  = "169.254.169.254"
	nat64Pool   = "100.64.0.0/10"
	anyV4       = "0.0.0.0/0"
	anyV6       = "::/0"
	snatPortMin = 1024
	snatPortMax = 65535
	weight      = 100
)

// EtherTypes.
const (
	etherARP  = 0x0806
	etherIPv4 = 0x0800
	etherIPv6 = 0x86dd
)

// Translator is how the cluster translates one collection.
type Translator struct {
	// Owned is every topology object the resource id of the collection owns in w.
	Owned func(w *World, id string) []topology.Object
	// Dependents names, through add, the other resources whose owned objects may change
	// when the resource id changes; d is the document before the change, w the world before
	// it, or both after it (see Translators.Dependents). Nil: none.
	Dependents func(w *World, id string, d Doc, add func(coll string, ids ...string))
	// DependsOn, when set, lists every attribute of the document that Dependents reads, and
	// promises that what it finds in the world is the same before and after the resource's
	// own change (but for the resource itself): an update that keeps these attributes has
	// the same dependents on both sides, and Dependents runs once (a subnet's gateway change
	// on a network of 100,000 ports searched their documents for it four times).
	DependsOn []string
	// Existence names, as Dependents does, the resources whose translations read only
	// whether the resource exists: they are re-translated when it is created or deleted,
	// not when it changes (a VM port reads only whether the subnets of its addresses exist,
	// so a gateway changed on a network of 100,000 ports re-translated them all: 3.5 s).
	Existence func(w *World, id string, d Doc, add func(coll string, ids ...string))
	// Local lists attributes that only the resource's own translation reads: an update that
	// changes none but these re-translates the resource alone, not what Dependents names (a
	// subnet renamed on a network of 100,000 ports re-translated them all: 4.6 s).
	Local []string
	// Follows names, by other collection, the resources of this one a change there may
	// alter: for the changed resource id of that collection (d its document, on each side
	// of the change as Dependents reads it), the function adds this collection's resources
	// that read it. Only those are re-translated: re-translating every resource of the
	// collection on each such change cost a port create 24 ms beside 300 projects' default
	// firewall groups, and a router create 0.4 s beside ten metering labels.
	Follows map[string]Follow
	// Decorates adds to the objects of other collections, by collection: after the resource
	// id of that collection is translated, the decorator may change its objects (a tap flow
	// puts its mirror on its source port's topology port). The decorating collection's
	// Dependents must name the decorated resources, so that they are re-translated when it
	// changes.
	Decorates map[string]Decorator
}

// Follow adds, for the changed resource id of a followed collection (its document d), the
// ids of the following collection's resources whose translations read it.
type Follow func(w *World, id string, d Doc, add func(ids ...string))

// Naming follows a change to the resources of collection whose JSON holds the changed
// resource's id (a firewall group listing a port), searched, not decoded.
func Naming(collection string) Follow {
	return func(w *World, id string, _ Doc, add func(...string)) { add(w.MentioningIDs(collection, id)...) }
}

// NamingRouterOf follows a port's change to the resources of collection whose JSON holds its
// router's id, when it is a router interface or gateway port (a VPN service reads its
// router's gateway port).
func NamingRouterOf(collection string) Follow {
	return func(w *World, _ string, d Doc, add func(...string)) {
		if router := str(d, "device_id"); router != "" && model.IsRouterOwner(str(d, "device_owner")) {
			add(w.MentioningIDs(collection, router)...)
		}
	}
}

// NamingRoutersOn follows a subnet's change to the resources of collection whose JSON holds
// the id of a router with an interface or gateway on it (a BGP speaker advertises its
// router's subnets).
func NamingRoutersOn(collection string) Follow {
	return func(w *World, id string, d Doc, add func(...string)) {
		seen := map[string]bool{}
		for _, p := range trustedPortsOnSubnet(w, id, d) {
			if !p.IsRouterPort() || seen[p.DeviceID] {
				continue
			}
			seen[p.DeviceID] = true
			add(w.MentioningIDs(collection, p.DeviceID)...)
		}
	}
}

// trustedPortsOnSubnet are the ports the network of subnet id (its document d) owns that
// have an address on it: the router, DHCP and floating IP ports that read it.
func trustedPortsOnSubnet(w *World, id string, d Doc) []*model.Port {
	return slices.DeleteFunc(w.TrustedPortsOn(str(d, "network_id")), func(p *model.Port) bool {
		return !slices.ContainsFunc(p.FixedIPs, func(f model.FixedIP) bool { return f.SubnetID == id })
	})
}

// FollowAll follows what each of fs does.
func FollowAll(fs ...Follow) Follow {
	return func(w *World, id string, d Doc, add func(...string)) {
		for _, f := range fs {
			f(w, id, d, add)
		}
	}
}

// Decorator changes the objects objs that the resource id owns in w.
type Decorator func(w *World, id string, objs []topology.Object)

// Translators are the translators by collection. The app builds them once (Builtin plus
// those of the services it wires) and hands them to the cluster with the catalogue; they
// are read-only afterwards.
type Translators map[string]Translator

// Builtin are the translators of the core and L3 collections and the cluster's
// configuration; services bring their own (plugin.Service.Translators).
func Builtin() Translators {
	return Translators{
		"networks": {Owned: network, Dependents: func(w *World, id string, _ Doc, add func(string, ...string)) {
			add("subnets", ids(w.SubnetsOf(id))...)
		}},
		"subnets": {Owned: subnet, Local: subnetLocal, DependsOn: []string{"network_id"},
			// A port's translation reads the subnets of its addresses only: the network's
			// other ports (on its other subnets, or with no address) stay as they are. Of
			// those, the ports the network owns (router ports, DHCP) read the cidr and the
			// gateway; VM ports only whether the subnet exists. A router and its floating
			// IPs read the subnets of the router's ports' addresses only, so a subnet added
			// to an external network leaves the routers with a gateway there alone.
			Dependents: func(w *World, id string, d Doc, add func(string, ...string)) {
				for _, p := range trustedPortsOnSubnet(w, id, d) {
					add("ports", p.ID)
					if p.IsRouterPort() {
						add("routers", p.DeviceID)
						add("floatingips", ids(w.FIPsOfRouter(p.DeviceID))...)
					}
				}
			},
			Existence: func(w *World, id string, d Doc, add func(string, ...string)) {
				add("ports", w.PortIDsMentioning(str(d, "network_id"), id)...)
			}},
		"subnetpools": {Owned: func(*World, string) []topology.Object { return nil }},
		"ports": {Owned: port, DependsOn: []string{"device_owner", "device_id", "network_id"}, Dependents: func(w *World, id string, d Doc, add func(string, ...string)) {
			p := model.MustDecode[model.Port](d)
			if p.DeviceOwner == model.OwnerDHCP {
				add("subnets", ids(w.SubnetsOf(p.NetworkID))...)
				for _, q := range w.TrustedPortsOn(p.NetworkID) {
					if q.DeviceOwner == model.OwnerRouterInterface {
						add("ports", q.ID)
					}
				}
			}
			if p.IsRouterPort() {
				add("routers", p.DeviceID)
				add("floatingips", ids(w.FIPsOfRouter(p.DeviceID))...)
			}
			add("floatingips", ids(w.FIPsOfPort(id))...)
		}},
		"routers": {Owned: router, Dependents: func(w *World, id string, _ Doc, add func(string, ...string)) {
			add("ports", ids(w.PortsOf(id))...)
			add("floatingips", ids(w.FIPsOfRouter(id))...)
		}},
		"floatingips": {Owned: floatingIP},
		"security_groups": {Owned: securityGroup, Dependents: func(w *World, id string, _ Doc, add func(string, ...string)) {
			add("security_group_rules", ids(w.RulesOf(id))...)
		}},
		"security_group_rules": {Owned: securityGroupRule},
		"config":               {Owned: config},
	}
}

// Owned returns every object the resource ref owns in w (nothing when it is absent or its
// collection has no translator).
func (ts Translators) Owned(w *World, ref Ref) []topology.Object {
	coll, id := ref.Split()
	t, ok := ts[coll]
	if !w.Has(coll, id) || !ok || t.Owned == nil {
		return nil
	}
	objs := t.Owned(w, id)
	for _, name := range ts.decorators(coll) {
		ts[name].Decorates[coll](w, id, objs)
	}
	rev := w.Revision(coll, id)
	for _, o := range objs {
		m := o.Base()
		m.Owner = string(ref)
		m.Revision = rev
	}
	return objs
}

// decorators are the collections whose translators decorate coll's objects, sorted (the
// same order every time).
func (ts Translators) decorators(coll string) []string {
	var out []string
	for name, t := range ts {
		if t.Decorates[coll] != nil {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Side is which side of a change the world shows.
type Side bool

// The sides of a change.
const (
	Before Side = false // the world before the change: the before document's relations
	After  Side = true  // the world holding the change: the after document's relations
)

// Dependents lists the resources whose owned objects may change when the resource
// collection/id changes from before to after (either may be nil), as w shows them from
// side: the translator's Dependents reads the before document in the world before the
// change, and the after document in the world after it. Call it on both sides and take
// the union. The resource itself is always first.
func (ts Translators) Dependents(w *World, collection, id string, before, after Doc, side Side) []Ref {
	out := []Ref{RefOf(collection, id)}
	seen := map[Ref]bool{out[0]: true}
	add := func(coll string, ids ...string) {
		for _, id := range ids {
			if id == "" {
				continue
			}
			r := RefOf(coll, id)
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	t, d := ts[collection], before
	if side == After {
		d = after
	}
	// An update keeping DependsOn has the same dependents on the After side as on the
	// Before side.
	same := side == After && kept(before, after, t.DependsOn)
	if t.Dependents != nil && d != nil && !same && !onlyLocalChanged(before, after, t.Local) {
		t.Dependents(w, id, d, add)
	}
	// A create shows on the After side, a delete on the Before side.
	if t.Existence != nil && d != nil && (before == nil) != (after == nil) {
		t.Existence(w, id, d, add)
	}
	for coll, t := range ts {
		if follow := t.Follows[collection]; follow != nil && d != nil {
			follow(w, id, d, func(ids ...string) { add(coll, ids...) })
		}
	}
	return out
}

// subnetLocal are the subnet attributes no other resource's translation reads: the
// DHCP options (the subnet's own Dhcp object) and what no translator reads at all. The cidr,
// gateway and ip_version are read by its ports' and routers' translations.
var subnetLocal = []string{"name", "description", "tags", "updated_at", "revision_number",
	"dns_nameservers", "host_routes", "allocation_pools"}

// onlyLocalChanged reports whether an update (both documents present) changed no attribute
// but those of local.
func onlyLocalChanged(before, after Doc, local []string) bool {
	if before == nil || after == nil || len(local) == 0 {
		return false
	}
	for _, d := range []Doc{before, after} {
		for k := range d {
			if !slices.Contains(local, k) && !sameValue(before, after, k) {
				return false
			}
		}
	}
	return true
}

// kept reports whether an update (both documents present) kept every attribute of keys.
func kept(before, after Doc, keys []string) bool {
	if before == nil || after == nil || len(keys) == 0 {
		return false
	}
	return !slices.ContainsFunc(keys, func(k string) bool { return !sameValue(before, after, k) })
}

// sameValue reports whether attribute k is the same in both documents (absent in both
// counts). Values compare as JSON, so that a number decoded as json.Number on one side and
// float64 on the other is the same number.
func sameValue(before, after Doc, k string) bool {
	a, aok := before[k]
	b, bok := after[k]
	if aok != bok {
		return false
	}
	if reflect.DeepEqual(a, b) {
		return true
	}
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// ids are the ids of typed resources, in order.
func ids[T interface{ GetID() string }](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.GetID()
	}
	return out
}

// prefixOf is the prefix of a subnet of the world (invalid when it is absent).
func prefixOf(w *World, subnetID string) netip.Prefix {
	if s := w.Subnet(subnetID); s != nil {
		return s.Prefix()
	}
	return netip.Prefix{}
}

// fixedIP is one parsed address of a port.
type fixedIP struct {
	subnet string
	ip     netip.Addr
}

func fixedIPs(p *model.Port) []fixedIP {
	var out []fixedIP
	for _, f := range p.FixedIPs {
		if a := f.Addr(); a.IsValid() {
			out = append(out, fixedIP{f.SubnetID, a})
		}
	}
	return out
}

func hostPrefix(a netip.Addr) string { return netip.PrefixFrom(a, a.BitLen()).String() }

func isUplink(w *World, networkID string) bool {
	n := w.Network(networkID)
	return n != nil && n.IsUplink()
}

// filtered reports whether a port is a tenant endpoint the backend filters: it gets the
// three security chains (inbound, outbound, anti-spoof; their rules only while
// port_security_enabled), address-group membership, DHCP host entries and MAC/ARP seeds
// (what MidoNet gave its VIF ports). That is every
// port Neutron does not trust (neutron-lib is_port_trusted: device_owner "network:…"),
// whatever else its owner says: "", "compute:nova", "baremetal:none", a container's own
// owner. MidoNet filtered only compute (and load-balancer) ports and let every other owner
// pass spoofed traffic; see ARCHITECTURE.md.
func filtered(p *model.Port) bool { return !p.Trusted() }

func sortedStrings(l []string) []string {
	out := slices.Clone(l)
	sort.Strings(out)
	return out
}

// rule builds a rule with the fields every rule has.
func rule(id, chain string, order int, action string, c topology.Condition) *topology.Rule {
	return &topology.Rule{Meta: topology.Meta{ID: id}, ChainID: chain, Order: order, Type: topology.RuleLiteral, Action: action, Condition: c}
}

func jump(id, chain string, order int, target string) *topology.Rule {
	r := rule(id, chain, order, topology.ActionJump, topology.Condition{})
	r.Type, r.JumpChainID = topology.RuleJump, target
	return r
}

func natRule(id, chain string, order int, c topology.Condition, target string, ports bool, dnat, reverse bool) *topology.Rule {
	r := rule(id, chain, order, topology.ActionAccept, c)
	r.Type = topology.RuleNAT
	r.NAT = &topology.NAT{DNAT: dnat, Reverse: reverse}
	if !reverse {
		t := topology.NatTarget{NwStart: target, NwEnd: target}
		if ports {
			t.TpStart, t.TpEnd = snatPortMin, snatPortMax
		}
		r.NAT.Targets = []topology.NatTarget{t}
	}
	return r
}

func chain(id, name, tenant string) *topology.Chain {
	return &topology.Chain{Meta: topology.Meta{ID: id}, Name: name, TenantID: tenant}
}

func route(id, router, src, dst, nextHop, port, gateway string) *topology.Route {
	return &topology.Route{Meta: topology.Meta{ID: id}, RouterID: router, SrcSubnet: src, DstSubnet: dst,
		NextHop: nextHop, NextHopPortID: port, NextHopGateway: gateway, Weight: weight}
}

func anyOf(a netip.Addr) string {
	if a.Is4() {
		return anyV4
	}
	return anyV6
}
