package translate

import (
	"net/netip"
	"sort"

	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/topology"
)

// Device owners (Neutron) the translators branch on.
const (
	ownerRIF     = "network:router_interface"
	ownerGateway = "network:router_gateway"
	ownerFIP     = "network:floatingip"
	ownerDHCP    = "network:dhcp"
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
	// Owned is every topology object a document of the collection owns.
	Owned func(w *World, d Doc) []topology.Object
	// Dependents names, through add and addID, the other resources whose owned objects may
	// change when d (the document id before or after a change) changes. Nil: none.
	Dependents func(w *World, id string, d Doc, add func(coll string, docs ...Doc), addID func(coll, id string))
}

// Translators are the translators by collection. The app builds them once (Builtin plus
// those of the services it wires) and hands them to the cluster with the catalogue; they
// are read-only afterwards.
type Translators map[string]Translator

// Builtin are the translators of the core and L3 collections, agent memberships and the
// cluster's configuration.
func Builtin() Translators {
	return Translators{
		"networks": {Owned: network, Dependents: func(w *World, id string, _ Doc, add func(string, ...Doc), _ func(string, string)) {
			add("subnets", w.SubnetsOf(id)...)
		}},
		"subnets": {Owned: subnet, Dependents: func(w *World, _ string, d Doc, add func(string, ...Doc), addID func(string, string)) {
			net := str(d, "network_id")
			add("ports", w.PortsOn(net)...)
			add("floatingips", w.FIPsOnNetwork(net)...)
			for _, p := range w.PortsOn(net) {
				if o := str(p, "device_owner"); o == ownerRIF || o == ownerGateway {
					addID("routers", str(p, "device_id"))
				}
			}
		}},
		"subnetpools": {Owned: func(*World, Doc) []topology.Object { return nil }},
		"ports": {Owned: port, Dependents: func(w *World, id string, d Doc, add func(string, ...Doc), addID func(string, string)) {
			owner := str(d, "device_owner")
			if owner == ownerDHCP {
				add("subnets", w.SubnetsOf(str(d, "network_id"))...)
				for _, p := range w.PortsOn(str(d, "network_id")) {
					if str(p, "device_owner") == ownerRIF {
						add("ports", p)
					}
				}
			}
			if owner == ownerRIF || owner == ownerGateway {
				r := str(d, "device_id")
				addID("routers", r)
				add("floatingips", w.FIPsOfRouter(r)...)
			}
			add("floatingips", w.FIPsOfPort(id)...)
		}},
		"routers": {Owned: router, Dependents: func(w *World, id string, _ Doc, add func(string, ...Doc), _ func(string, string)) {
			add("ports", w.PortsOf(id)...)
			add("floatingips", w.FIPsOfRouter(id)...)
		}},
		"floatingips": {Owned: floatingIP},
		"security_groups": {Owned: func(_ *World, d Doc) []topology.Object { return securityGroup(d) }, Dependents: func(w *World, id string, _ Doc, add func(string, ...Doc), _ func(string, string)) {
			add("security_group_rules", w.RulesOf(id)...)
		}},
		"security_group_rules": {Owned: securityGroupRule},
		"config":               {Owned: func(_ *World, d Doc) []topology.Object { return config(d) }},
		"agent_memberships":    {Owned: func(_ *World, d Doc) []topology.Object { return agentMembership(d) }},
	}
}

// Owned returns every object the resource ref owns in w (nothing when it is absent or its
// collection has no translator).
func (ts Translators) Owned(w *World, ref Ref) []topology.Object {
	coll, id := ref.Split()
	d := w.Get(coll, id)
	t, ok := ts[coll]
	if d == nil || !ok || t.Owned == nil {
		return nil
	}
	objs := t.Owned(w, d)
	rev := num(d["revision_number"])
	for _, o := range objs {
		m := o.Base()
		m.Owner = string(ref)
		m.Revision = rev
	}
	return objs
}

// Dependents lists the resources whose owned objects may change when the resource
// collection/id changes from before to after (either may be nil). The resource itself is
// always first.
func (ts Translators) Dependents(w *World, collection, id string, before, after Doc) []Ref {
	out := []Ref{RefOf(collection, id)}
	seen := map[Ref]bool{out[0]: true}
	add := func(coll string, docs ...Doc) {
		for _, d := range docs {
			if d == nil {
				continue
			}
			r := RefOf(coll, str(d, "id"))
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	addID := func(coll, id string) {
		if id != "" {
			add(coll, Doc{"id": id})
		}
	}
	t := ts[collection]
	if t.Dependents == nil {
		return out
	}
	for _, d := range []Doc{before, after} {
		if d != nil {
			t.Dependents(w, id, d, add, addID)
		}
	}
	return out
}

func prefixOf(w *World, subnetID string) netip.Prefix {
	p, _ := netip.ParsePrefix(str(w.Get("subnets", subnetID), "cidr"))
	return p
}

type fixedIP struct {
	subnet string
	ip     netip.Addr
}

func fixedIPs(d Doc) []fixedIP {
	var out []fixedIP
	for _, x := range list(d, "fixed_ips") {
		m, _ := x.(map[string]any)
		a, err := netip.ParseAddr(str(m, "ip_address"))
		if err == nil {
			out = append(out, fixedIP{str(m, "subnet_id"), a})
		}
	}
	return out
}

func hostPrefix(a netip.Addr) string { return netip.PrefixFrom(a, a.BitLen()).String() }

func isUplink(w *World, networkID string) bool {
	return str(w.Get("networks", networkID), "provider:network_type") == "uplink"
}

// filtered reports whether a port is a tenant endpoint the backend filters: it gets the
// three security chains (inbound, outbound, anti-spoof; their rules only while
// port_security_enabled), address-group membership, DHCP host entries and MAC/ARP seeds
// (what MidoNet gave its VIF ports). That is every
// port Neutron does not trust (neutron-lib is_port_trusted: device_owner "network:…"),
// whatever else its owner says: "", "compute:nova", "baremetal:none", a container's own
// owner. MidoNet filtered only compute (and load-balancer) ports and let every other owner
// pass spoofed traffic; see ARCHITECTURE.md.
func filtered(owner string) bool { return !resource.PortTrusted(owner) }

func protoNumber(v any) int {
	s, _ := v.(string)
	names := map[string]int{"icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "gre": 47, "esp": 50, "ah": 51,
		"ipv6-icmp": 58, "icmpv6": 58, "sctp": 132, "vrrp": 112, "egp": 8, "ipip": 4, "ipv6-encap": 41,
		"ipv6-frag": 44, "ipv6-nonxt": 59, "ipv6-opts": 60, "ipv6-route": 43, "ospf": 89, "pgm": 113,
		"rsvp": 46, "udplite": 136, "dccp": 33, "hopopt": 0, "ip": 0}
	if n, ok := names[s]; ok {
		return n
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func sortedStrings(l []any) []string {
	var out []string
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
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
