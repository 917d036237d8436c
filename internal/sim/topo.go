package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/midonet-go/midonet/internal/topology"
)

// Topology is an immutable, indexed snapshot of the virtual topology, compiled for
// simulation: ports resolved to their devices and peers, chains with their rules in
// (Order, ID) order and conditions parsed, per-router routing tables sorted by prefix
// length, per-bridge MAC/ARP seeds, router-port MACs and addresses, DHCP subnets and hosts.
// Build a new one when the topology changes; it is safe for concurrent use.
type Topology struct {
	ports   map[string]*port
	bridges map[string]*bridge
	routers map[string]*router
	chains  map[string]*chain
	groups  map[string]*ipGroup
	mirrors map[string]*mirror
	qos     map[string]*topology.QosPolicy // QoS policies by id
	meters  map[string][]*meterLabel       // metering labels by the router port they count on
	// byIndex maps a port index (flow-cache key) back to the port.
	byIndex  []*port
	warnings []string
	build    uint64
	loggers  bool // some chain has a rule logger (log.go)
}

var builds atomic.Uint64

// devKey is a device id as 16 bytes (UUIDs as parsed, other ids hashed), used in state keys.
type devKey [16]byte

func keyOf(id string) devKey {
	u, err := uuid.Parse(id)
	if err != nil {
		u = uuid.NewSHA1(uuid.NameSpaceOID, []byte(id))
	}
	return devKey(u)
}

// Device kinds.
const (
	kindBridge uint8 = iota + 1
	kindRouter
)

type device struct {
	id   string
	key  devKey
	kind uint8
}

func (d *device) typeName() string {
	if d.kind == kindBridge {
		return "bridge"
	}
	return "router"
}

type port struct {
	id       string
	obj      *topology.Port
	idx      uint32
	dev      *device
	bridge   *bridge
	router   *router
	peer     *port
	in, out  *chain
	adminUp  bool
	exterior bool
	metered  bool // its QoS policy limits bandwidth (its flows are not cached)
	mac      MAC
	// Router ports: the first address, all addresses with their subnets.
	addr    netip.Addr
	subnets []netip.Prefix
	groups  []string
	// Trunks: a parent port's subports by VLAN id; a subport's parent and VLAN id.
	subports    map[uint16]*port
	trunkParent *port
	vlan        uint16
	// VTEP router ports: the connection's VNI and the tunnel IP it sends from.
	vni      uint32
	tunnelIP netip.Addr
	// vlanID: an access port of a VLAN-aware bridge (a network_vlan connection's port).
	vlanID uint16
	// Mirrors at the port's tap points: after its inbound filter, before its outbound one.
	postIn, preOut []*mirror
}

func (p *port) hasAddr(a netip.Addr) bool {
	for _, s := range p.subnets {
		if s.Addr() == a {
			return true
		}
	}
	return false
}

func (p *port) onLink(a netip.Addr) (netip.Prefix, bool) {
	for _, s := range p.subnets {
		if s.Contains(a) {
			return s, true
		}
	}
	return netip.Prefix{}, false
}

type macVLAN struct {
	mac  MAC
	vlan uint16
}

type bridge struct {
	device
	obj      *topology.Network
	adminUp  bool
	ports    []*port
	exterior []*port
	// routerMACs: MAC of a linked router port → the bridge port linked to it.
	routerMACs map[MAC]*port
	// routerIPs: address of a linked router port → that router port.
	routerIPs map[netip.Addr]*port
	macs      map[macVLAN]*port
	arps      map[netip.Addr]MAC
	dhcps     []*dhcpSubnet
	fip64     []*topology.Fip64Entry
	// vlanPorts are the access ports of a VLAN-aware bridge by VLAN; links are its interior
	// ports linked to another bridge (flooded like exterior ports).
	vlanPorts map[uint16]*port
	links     []*port
	localIPs  []*localIP // Local IP associations (localip.go)
	// ndpTargets: an address a router proxies NDP for → its gateway port linked here (ndp.go).
	ndpTargets map[netip.Addr]*port
}

type dhcpSubnet struct {
	obj    *topology.Dhcp
	subnet netip.Prefix
	hosts  map[MAC]*topology.DhcpHost
}

type router struct {
	device
	obj            *topology.Router
	adminUp        bool
	ports          []*port
	routes         []*route
	pre, post, fwd *chain
	helpers        []ctHelper // conntrack helpers (helper.go)
	vtep           *vtep      // nil: not a VTEP router
	// vpn hands IKE, NAT-T and ESP addressed to an external address to the IPsec container
	// behind a port (MidoNet's VPN redirect rules, evaluated before pre-routing).
	vpn []vpnRedirect
	// ndp are the addresses the router proxies NDP for (ndp.go).
	ndp map[netip.Addr]*ndpProxy
}

// vpnRedirect is one VPN service's hand-off: traffic for addr goes out of port to gw.
type vpnRedirect struct {
	addr, gw netip.Addr
	port     *port
}

type route struct {
	obj     *topology.Route
	src     netip.Prefix
	dst     netip.Prefix
	nextHop string
	port    *port
	gw      netip.Addr
	weight  int
}

type chain struct {
	id, name  string
	rules     []rule
	sg        string // security group whose chain this is
	fw        string // firewall (v1) or firewall group (v2) whose chain this is (metadata)
	tenant    string
	antiSpoof bool
	loggers   []*topology.RuleLogger // what logs the decisions taken here (log.go)
}

// Rule types and actions, compiled.
const (
	typLiteral uint8 = iota
	typJump
	typNAT
)

type action uint8

const (
	actNone action = iota // fell off the end of a chain
	actAccept
	actContinue
	actDrop
	actJump
	actReject
	actReturn
)

func (a action) String() string {
	return [...]string{"", "ACCEPT", "CONTINUE", "DROP", "JUMP", "REJECT", "RETURN"}[a]
}

type rule struct {
	id     string
	obj    *topology.Rule
	typ    uint8
	action action
	cond   cond
	jump   *chain
	nat    *natSpec
}

type natSpec struct {
	dnat, reverse, static bool
	targets               []natTarget
}

type natTarget struct {
	lo, hi     uint32 // IPv4 range
	tpLo, tpHi uint16
}

type ipGroup struct {
	id       string
	members  map[netip.Addr]struct{}
	prefixes []netip.Prefix // an address group's CIDRs
}

// has reports whether an address is in the group: a member's address or inside a prefix.
func (g *ipGroup) has(a netip.Addr) bool {
	if _, ok := g.members[a]; ok {
		return true
	}
	for _, p := range g.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// NewTopology compiles a set of objects (as the translators produce them). Objects of kinds
// the simulator does not use are ignored; dangling references (a rule jumping to a missing
// chain, a route through a missing port) are dropped and reported by Warnings.
func NewTopology(objs []topology.Object) *Topology {
	t := &Topology{ports: map[string]*port{}, bridges: map[string]*bridge{}, routers: map[string]*router{},
		chains: map[string]*chain{}, groups: map[string]*ipGroup{}, mirrors: map[string]*mirror{}, qos: map[string]*topology.QosPolicy{}, build: builds.Add(1)}
	var (
		ports   []*topology.Port
		routes  []*topology.Route
		rules   []*topology.Rule
		members []*topology.IPAddrMember
		dhcps   []*topology.Dhcp
		hosts   []*topology.DhcpHost
		macs    []*topology.MacEntry
		arps    []*topology.ArpEntry
		fip64s  []*topology.Fip64Entry
		vpns    []*topology.VpnService
		sgs     []*topology.IPAddrGroup
		trunks  []*topology.TrunkSubport
		gwdevs  []*topology.GatewayDevice
		remotes []*topology.RemoteMacEntry
		mirrors []*topology.Mirror
		loggers []*topology.RuleLogger
		labels  []*topology.MeteringLabel
		helpers []*topology.ConntrackHelper
		lips    []*topology.LocalIPEntry
		ndps    []*topology.NdpProxy
	)
	// The same object given twice: the last copy wins.
	seen := make(map[string]int, len(objs))
	uniq := make([]topology.Object, 0, len(objs))
	for _, o := range objs {
		k := topology.Key(o)
		if i, ok := seen[k]; ok {
			uniq[i] = o
			continue
		}
		seen[k] = len(uniq)
		uniq = append(uniq, o)
	}
	for _, o := range uniq {
		switch v := o.(type) {
		case *topology.Network:
			t.bridges[v.ID] = &bridge{device: device{id: v.ID, key: keyOf(v.ID), kind: kindBridge}, obj: v, adminUp: v.AdminStateUp,
				routerMACs: map[MAC]*port{}, routerIPs: map[netip.Addr]*port{}, macs: map[macVLAN]*port{}, arps: map[netip.Addr]MAC{}}
		case *topology.QosPolicy:
			t.qos[v.ID] = v
		case *topology.Router:
			t.routers[v.ID] = &router{device: device{id: v.ID, key: keyOf(v.ID), kind: kindRouter}, obj: v, adminUp: v.AdminStateUp}
		case *topology.Chain:
			t.chains[v.ID] = &chain{id: v.ID, name: v.Name, antiSpoof: strings.HasSuffix(v.Name, "_ANTI_SPOOF"),
				fw: v.Metadata[topology.MetaFirewallID], tenant: v.TenantID}
		case *topology.Port:
			ports = append(ports, v)
		case *topology.Route:
			routes = append(routes, v)
		case *topology.Rule:
			rules = append(rules, v)
		case *topology.IPAddrGroup:
			sgs = append(sgs, v)
			g := &ipGroup{id: v.ID, members: map[netip.Addr]struct{}{}}
			for _, s := range v.Prefixes {
				if p, err := netip.ParsePrefix(s); err == nil {
					g.prefixes = append(g.prefixes, p.Masked())
				} else {
					t.warn("address group %s: bad prefix %q (ignored)", v.ID, s)
				}
			}
			t.groups[v.ID] = g
		case *topology.IPAddrMember:
			members = append(members, v)
		case *topology.Dhcp:
			dhcps = append(dhcps, v)
		case *topology.DhcpHost:
			hosts = append(hosts, v)
		case *topology.MacEntry:
			macs = append(macs, v)
		case *topology.ArpEntry:
			arps = append(arps, v)
		case *topology.Fip64Entry:
			fip64s = append(fip64s, v)
		case *topology.TrunkSubport:
			trunks = append(trunks, v)
		case *topology.VpnService:
			vpns = append(vpns, v)
		case *topology.GatewayDevice:
			gwdevs = append(gwdevs, v)
		case *topology.RemoteMacEntry:
			remotes = append(remotes, v)
		case *topology.Mirror:
			mirrors = append(mirrors, v)
		case *topology.RuleLogger:
			loggers = append(loggers, v)
		case *topology.MeteringLabel:
			labels = append(labels, v)
		case *topology.ConntrackHelper:
			helpers = append(helpers, v)
		case *topology.LocalIPEntry:
			lips = append(lips, v)
		case *topology.NdpProxy:
			ndps = append(ndps, v)
		}
	}
	// Security-group chains: by derived id, else by name "OS_SG_<id>_...".
	for _, g := range sgs {
		for _, id := range []string{topology.InChainID(g.ID), topology.OutChainID(g.ID), g.InboundChainID, g.OutboundChainID} {
			if c := t.chains[id]; c != nil {
				c.sg = g.ID
			}
		}
	}
	for _, c := range t.chains {
		if c.sg == "" && strings.HasPrefix(c.name, "OS_SG_") {
			rest := strings.TrimPrefix(c.name, "OS_SG_")
			if i := strings.LastIndexByte(rest, '_'); i > 0 {
				c.sg = rest[:i]
			}
		}
	}
	sort.Slice(ports, func(i, j int) bool { return ports[i].ID < ports[j].ID })
	for _, v := range ports {
		p := &port{id: v.ID, obj: v, idx: uint32(len(t.byIndex)), adminUp: v.AdminStateUp, groups: v.PortGroupIDs}
		t.byIndex = append(t.byIndex, p)
		t.ports[v.ID] = p
		switch {
		case v.NetworkID != "":
			b := t.bridges[v.NetworkID]
			if b == nil {
				t.warn("port %s: network %s missing", v.ID, v.NetworkID)
				continue
			}
			p.bridge, p.dev = b, &b.device
			p.mac = t.mac(v.MAC, "port "+v.ID+" mac")
			b.ports = append(b.ports, p)
		case v.RouterID != "":
			r := t.routers[v.RouterID]
			if r == nil {
				t.warn("port %s: router %s missing", v.ID, v.RouterID)
				continue
			}
			p.router, p.dev = r, &r.device
			p.mac = t.mac(v.PortMAC, "router port "+v.ID+" port_mac")
			for _, s := range v.PortSubnets {
				pfx, err := netip.ParsePrefix(s)
				if err != nil {
					t.warn("router port %s: bad port subnet %q", v.ID, s)
					continue
				}
				p.subnets = append(p.subnets, pfx)
			}
			p.addr, _ = netip.ParseAddr(v.PortAddress)
			if !p.addr.IsValid() && len(p.subnets) > 0 {
				p.addr = p.subnets[0].Addr()
			}
			r.ports = append(r.ports, p)
		default:
			t.warn("port %s has neither network nor router", v.ID)
		}
	}
	for _, p := range t.ports {
		if p.dev == nil {
			continue
		}
		if p.obj.PeerID != "" {
			p.peer = t.ports[p.obj.PeerID]
			if p.peer == nil {
				t.warn("port %s: peer %s missing", p.id, p.obj.PeerID)
			} else if p.peer.obj.PeerID != p.id {
				t.warn("port %s: peer %s does not link back (its peer is %q)", p.id, p.peer.id, p.peer.obj.PeerID)
			}
		}
		bound := p.obj.HostID != "" || p.obj.InterfaceName != ""
		if p.bridge != nil {
			// A linked port carries traffic to its peer even if a binding is recorded.
			p.exterior = p.peer == nil
			if bound && p.peer != nil {
				t.warn("port %s is bound to %s but linked to %s; treated as interior", p.id, p.obj.HostID, p.peer.id)
			}
		} else {
			p.exterior = bound && p.peer == nil
		}
		p.in = t.chainRef(p.obj.InboundFilterID, "port "+p.id+" inbound filter")
		if p.in != nil {
			if c := t.chains[topology.AntiSpoofChainID(p.id)]; c != nil {
				c.antiSpoof = true
			}
		}
		p.out = t.chainRef(p.obj.OutboundFilterID, "port "+p.id+" outbound filter")
	}
	for _, b := range t.bridges {
		for _, p := range b.ports {
			if p.exterior {
				b.exterior = append(b.exterior, p)
			}
			if p.peer != nil && p.peer.bridge != nil {
				b.links = append(b.links, p)
			}
			if v := p.obj.VlanID; v > 0 && v < 4096 && p.peer != nil {
				p.vlanID = uint16(v)
				if b.vlanPorts == nil {
					b.vlanPorts = map[uint16]*port{}
				}
				b.vlanPorts[p.vlanID] = p
			}
			if rp := p.peer; rp != nil && rp.router != nil {
				b.routerMACs[rp.mac] = p
				for _, s := range rp.subnets {
					b.routerIPs[s.Addr()] = rp
				}
			}
		}
	}
	t.compileTrunks(trunks)
	for _, r := range t.routers {
		r.pre = t.chainRef(r.obj.InboundFilterID, "router "+r.id+" pre-routing")
		r.post = t.chainRef(r.obj.OutboundFilterID, "router "+r.id+" post-routing")
		r.fwd = t.chainRef(r.obj.ForwardChainID, "router "+r.id+" forward")
	}
	for _, v := range vpns {
		r, p := t.routers[v.RouterID], t.ports[v.ContainerPortID]
		addr, err1 := netip.ParseAddr(v.ExternalIP)
		gw, err2 := netip.ParseAddr(v.ContainerIP)
		if v.ContainerPortID == "" || !v.AdminStateUp {
			continue
		}
		if r == nil || p == nil || p.router != r || err1 != nil || err2 != nil {
			t.warn("vpn service %s: router %q, container port %q or addresses unusable", v.ID, v.RouterID, v.ContainerPortID)
			continue
		}
		if !slices.ContainsFunc(r.vpn, func(x vpnRedirect) bool { return x.addr == addr }) {
			r.vpn = append(r.vpn, vpnRedirect{addr: addr, gw: gw, port: p})
		}
	}
	t.compileMirrors(mirrors)
	t.compileRoutes(routes)
	t.compileRules(rules)
	t.compileVteps(gwdevs, remotes)
	t.compileLoggers(loggers)
	t.compileMeters(labels)
	t.compileHelpers(helpers)
	t.compileLocalIPs(lips)
	t.compileNdpProxies(ndps)
	for _, m := range members {
		g := t.groups[m.GroupID]
		a, err := netip.ParseAddr(m.IP)
		if g == nil || err != nil {
			t.warn("address-group member %s: group %q or ip %q unusable", m.ID, m.GroupID, m.IP)
			continue
		}
		g.members[a] = struct{}{}
	}
	dhcpByID := map[string]*dhcpSubnet{}
	sort.Slice(dhcps, func(i, j int) bool { return dhcps[i].ID < dhcps[j].ID })
	for _, d := range dhcps {
		b := t.bridges[d.NetworkID]
		pfx, err := netip.ParsePrefix(d.SubnetAddress)
		if b == nil || err != nil {
			t.warn("dhcp %s: network %q or subnet %q unusable", d.ID, d.NetworkID, d.SubnetAddress)
			continue
		}
		ds := &dhcpSubnet{obj: d, subnet: pfx, hosts: map[MAC]*topology.DhcpHost{}}
		dhcpByID[d.ID] = ds
		b.dhcps = append(b.dhcps, ds)
	}
	for _, h := range hosts {
		ds := dhcpByID[h.DhcpID]
		m, err := ParseMAC(h.MAC)
		if ds == nil || err != nil {
			t.warn("dhcp host %s: subnet %q or mac %q unusable", h.ID, h.DhcpID, h.MAC)
			continue
		}
		ds.hosts[m] = h
	}
	for _, e := range macs {
		b, p := t.bridges[e.NetworkID], t.ports[e.PortID]
		m, err := ParseMAC(e.MAC)
		if b == nil || p == nil || err != nil {
			t.warn("mac entry %s: network %q, port %q or mac %q unusable", e.ID, e.NetworkID, e.PortID, e.MAC)
			continue
		}
		b.macs[macVLAN{m, uint16(e.VLAN)}] = p
	}
	for _, e := range arps {
		b := t.bridges[e.NetworkID]
		m, err1 := ParseMAC(e.MAC)
		a, err2 := netip.ParseAddr(e.IP)
		if b == nil || err1 != nil || err2 != nil {
			t.warn("arp entry %s: network %q, mac %q or ip %q unusable", e.ID, e.NetworkID, e.MAC, e.IP)
			continue
		}
		b.arps[a] = m
	}
	for _, f := range fip64s {
		if b := t.bridges[f.NetworkID]; b != nil {
			b.fip64 = append(b.fip64, f)
		}
	}
	sort.Strings(t.warnings)
	for _, p := range t.byIndex {
		if q := t.qosOf(p); q != nil && len(q.BandwidthLimit) > 0 {
			p.metered = true
		}
	}
	return t
}

func (t *Topology) warn(format string, args ...any) {
	t.warnings = append(t.warnings, fmt.Sprintf(format, args...))
}

// Warnings lists what NewTopology could not use (dangling references, unparsable values).
func (t *Topology) Warnings() []string { return t.warnings }

func (t *Topology) mac(s, what string) MAC {
	if s == "" {
		return MAC{}
	}
	m, err := ParseMAC(s)
	if err != nil {
		t.warn("%s: bad MAC %q", what, s)
	}
	return m
}

func (t *Topology) chainRef(id, what string) *chain {
	if id == "" {
		return nil
	}
	c := t.chains[id]
	if c == nil {
		t.warn("%s: chain %s missing", what, id)
	}
	return c
}

func (t *Topology) compileRoutes(routes []*topology.Route) {
	for _, v := range routes {
		r := t.routers[v.RouterID]
		if r == nil {
			t.warn("route %s: router %s missing", v.ID, v.RouterID)
			continue
		}
		rt := &route{obj: v, nextHop: v.NextHop, weight: v.Weight}
		var err1, err2 error
		rt.src, err1 = netip.ParsePrefix(orAny(v.SrcSubnet))
		rt.dst, err2 = netip.ParsePrefix(orAny(v.DstSubnet))
		if err1 != nil || err2 != nil {
			t.warn("route %s: bad subnets %q → %q", v.ID, v.SrcSubnet, v.DstSubnet)
			continue
		}
		rt.src, rt.dst = rt.src.Masked(), rt.dst.Masked()
		if !rt.dst.Addr().Is4() {
			continue // routers simulate IPv4 only
		}
		if v.NextHopGateway != "" {
			rt.gw, _ = netip.ParseAddr(v.NextHopGateway)
		}
		if v.NextHopPortID != "" {
			rt.port = t.ports[v.NextHopPortID]
			if rt.port == nil || rt.port.router != r {
				t.warn("route %s: next-hop port %s missing or not on router %s", v.ID, v.NextHopPortID, r.id)
				continue
			}
		}
		if v.NextHop == topology.NextHopPort {
			if rt.port == nil {
				t.warn("route %s: PORT route without a port", v.ID)
				continue
			}
			// Only interior ports and exterior (bound) ports carry routes.
			if rt.port.peer == nil && !rt.port.exterior {
				continue
			}
		}
		r.routes = append(r.routes, rt)
	}
	for _, r := range t.routers {
		sort.Slice(r.routes, func(i, j int) bool {
			a, b := r.routes[i], r.routes[j]
			if a.dst.Bits() != b.dst.Bits() {
				return a.dst.Bits() > b.dst.Bits()
			}
			if a.weight != b.weight {
				return a.weight < b.weight
			}
			return a.obj.ID < b.obj.ID
		})
	}
}

func orAny(s string) string {
	if s == "" {
		return "0.0.0.0/0"
	}
	return s
}

func (t *Topology) compileRules(rules []*topology.Rule) {
	sort.Slice(rules, func(i, j int) bool {
		if rules[i].ChainID != rules[j].ChainID {
			return rules[i].ChainID < rules[j].ChainID
		}
		if rules[i].Order != rules[j].Order {
			return rules[i].Order < rules[j].Order
		}
		return rules[i].ID < rules[j].ID
	})
	for _, v := range rules {
		c := t.chains[v.ChainID]
		if c == nil {
			t.warn("rule %s: chain %s missing", v.ID, v.ChainID)
			continue
		}
		r := &rule{id: v.ID, obj: v, action: parseAction(v.Action)}
		r.cond = t.compileCond(&v.Condition, "rule "+v.ID)
		switch v.Type {
		case topology.RuleJump:
			r.typ, r.action = typJump, actJump
			r.jump = t.chains[v.JumpChainID]
			if r.jump == nil {
				t.warn("rule %s: jump target %s missing", v.ID, v.JumpChainID)
			}
		case topology.RuleNAT:
			r.typ = typNAT
			if v.NAT == nil {
				t.warn("rule %s: NAT rule without NAT", v.ID)
				continue
			}
			r.nat = t.compileNAT(v)
		default:
			if r.action == actJump {
				r.typ = typJump
				r.jump = t.chains[v.JumpChainID]
			}
		}
		c.rules = append(c.rules, *r)
	}
}

func parseAction(s string) action {
	switch s {
	case topology.ActionAccept:
		return actAccept
	case topology.ActionContinue:
		return actContinue
	case topology.ActionDrop:
		return actDrop
	case topology.ActionJump:
		return actJump
	case topology.ActionReject:
		return actReject
	case topology.ActionReturn:
		return actReturn
	}
	return actContinue
}

func (t *Topology) compileNAT(v *topology.Rule) *natSpec {
	n := &natSpec{dnat: v.NAT.DNAT, reverse: v.NAT.Reverse, static: true}
	for _, x := range v.NAT.Targets {
		lo, err1 := netip.ParseAddr(x.NwStart)
		hi, err2 := netip.ParseAddr(x.NwEnd)
		if err2 != nil {
			hi, err2 = lo, err1
		}
		if err1 != nil || err2 != nil || !lo.Is4() || !hi.Is4() {
			t.warn("rule %s: bad NAT target %s-%s", v.ID, x.NwStart, x.NwEnd)
			continue
		}
		nt := natTarget{lo: v4(lo), hi: v4(hi), tpLo: uint16(x.TpStart), tpHi: uint16(x.TpEnd)}
		if nt.hi < nt.lo {
			nt.lo, nt.hi = nt.hi, nt.lo
		}
		if nt.tpLo != 0 || nt.tpHi != 0 {
			n.static = false
			if nt.tpLo == 0 {
				nt.tpLo = 1
			}
			if nt.tpHi < nt.tpLo {
				nt.tpHi = nt.tpLo
			}
		}
		n.targets = append(n.targets, nt)
	}
	if !n.reverse && len(n.targets) == 0 {
		t.warn("rule %s: forward NAT without usable targets", v.ID)
	}
	return n
}

func v4(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func addr4(x uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
}

// Port returns the stored port object, or nil.
func (t *Topology) Port(id string) *topology.Port {
	if p := t.ports[id]; p != nil {
		return p.obj
	}
	return nil
}

// ChainRules returns the rule ids of a chain in evaluation order.
func (t *Topology) ChainRules(chainID string) []string {
	c := t.chains[chainID]
	if c == nil {
		return nil
	}
	out := make([]string, len(c.rules))
	for i, r := range c.rules {
		out[i] = r.id
	}
	return out
}

// ExteriorPorts returns the ids of a bridge's exterior ports (where floods go).
func (t *Topology) ExteriorPorts(networkID string) []string {
	b := t.bridges[networkID]
	if b == nil {
		return nil
	}
	var out []string
	for _, p := range b.exterior {
		out = append(out, p.id)
	}
	return out
}

// compileTrunks links each subport to its trunk's parent port by VLAN id. Both must be
// exterior ports of networks; a VLAN id taken twice on one parent keeps the lowest port id.
func (t *Topology) compileTrunks(subs []*topology.TrunkSubport) {
	sort.Slice(subs, func(i, j int) bool { return subs[i].PortID < subs[j].PortID })
	for _, s := range subs {
		parent, sub := t.ports[s.ParentPortID], t.ports[s.PortID]
		switch {
		case parent == nil || sub == nil || parent.bridge == nil || sub.bridge == nil:
			t.warn("trunk subport %s: parent %q or port %q is not a network port", s.ID, s.ParentPortID, s.PortID)
			continue
		case s.VLAN < 1 || s.VLAN > 4094:
			t.warn("trunk subport %s: VLAN %d out of range", s.ID, s.VLAN)
			continue
		case parent == sub || sub.subports != nil || parent.trunkParent != nil || sub.trunkParent != nil:
			t.warn("trunk subport %s: port %s cannot be a subport of %s", s.ID, s.PortID, s.ParentPortID)
			continue
		case parent.subports[uint16(s.VLAN)] != nil:
			t.warn("trunk subport %s: VLAN %d of %s is taken", s.ID, s.VLAN, s.ParentPortID)
			continue
		}
		if parent.subports == nil {
			parent.subports = map[uint16]*port{}
		}
		parent.subports[uint16(s.VLAN)] = sub
		sub.trunkParent, sub.vlan = parent, uint16(s.VLAN)
	}
}

// Subport returns the subport a parent port carries on a VLAN ("" when none).
func (t *Topology) Subport(parentID string, vlan uint16) string {
	if p := t.ports[parentID]; p != nil {
		if s := p.subports[vlan]; s != nil {
			return s.id
		}
	}
	return ""
}
