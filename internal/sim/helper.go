package sim

import (
	"net/netip"
	"sort"
	"sync"

	"github.com/midonet-go/midonet/internal/topology"
)

// Conntrack helpers (Neutron's l3-conntrack-helper on a router). A helper watches the new
// connections of its protocol to its port through the router and expects the related
// connection the application protocol will open; a packet of that related connection is
// accepted as part of the original one: return traffic for the security groups, and
// translated back through the original connection's SNAT (and its replies forward through
// it), as the kernel's CT target with a helper does in a Neutron router namespace.
//
// Only what the headers decide is simulated: the tftp helper (a transfer answered from a
// new server port to the client's port, nf_conntrack_tftp's expectation). Helpers that read
// the payload for the related connection's address (ftp's PORT and PASV, sip's SDP, …)
// are accepted and translated but expect nothing here: the simulator does not parse
// application payloads. Expectations travel with the other flow state to the host of the
// request's egress port, where the related connection enters (flowstate.go).

// expectedBy names, for each helper the simulator follows, how its expectation is made.
var expectedBy = map[string]bool{"tftp": true}

// ctHelper is a router's helper compiled for matching.
type ctHelper struct {
	id     string
	proto  uint8
	port   uint16
	helper string
}

// expectation is a related connection a helper expects: from the server (any port) to the
// address and port the client's connection left the router with; orig is the client's
// own address and port (before SNAT).
type expectation struct {
	helper   string
	origIP   [4]byte
	origPort uint16
}

// expectations are the helpers' expected connections by router, two generations as the
// other flow state (swept with it).
type expectations struct {
	mu       sync.Mutex
	cur, old map[ctKey]expectation
}

func (e *expectations) put(k ctKey, x expectation) {
	e.mu.Lock()
	if e.cur == nil {
		e.cur, e.old = map[ctKey]expectation{}, map[ctKey]expectation{}
	}
	e.cur[k] = x
	e.mu.Unlock()
}

// take removes and returns an expectation (one connection per expectation, as the kernel's).
func (e *expectations) take(k ctKey) (expectation, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if x, ok := e.cur[k]; ok {
		delete(e.cur, k)
		return x, true
	}
	if x, ok := e.old[k]; ok {
		delete(e.old, k)
		return x, true
	}
	return expectation{}, false
}

func (e *expectations) sweep() {
	e.mu.Lock()
	e.old, e.cur = e.cur, map[ctKey]expectation{}
	e.mu.Unlock()
}

// Len is the number of pending expectations.
func (e *expectations) len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.cur) + len(e.old)
}

// compileHelpers attaches the helpers to their routers.
func (t *Topology) compileHelpers(hs []*topology.ConntrackHelper) {
	sort.Slice(hs, func(i, j int) bool { return hs[i].ID < hs[j].ID })
	for _, h := range hs {
		r := t.routers[h.RouterID]
		if r == nil {
			t.warn("conntrack helper %s: router %s missing", h.ID, h.RouterID)
			continue
		}
		r.helpers = append(r.helpers, ctHelper{id: h.ID, proto: uint8(h.Protocol), port: uint16(h.Port), helper: h.Helper})
	}
}

// expectKey is the key of a related connection at a router: server to translated client
// address and port, any server port.
func expectKey(r *router, proto uint8, server, client netip.Addr, clientPort uint16) ctKey {
	return ctKey{dev: r.key, t: flowTuple{src: server.As4(), dst: client.As4(), dport: clientPort, proto: proto}}
}

// helperExpect records what a helper of the router expects from a new connection it
// forwarded; pre is the packet before post-routing (its client address and port).
func (c *ctx) helperExpect(r *router, fr *frame, pre *Packet) {
	pkt := &fr.pkt
	if len(r.helpers) == 0 || !pkt.isIPv4() || (pkt.IP.Proto != ProtoUDP && pkt.IP.Proto != ProtoTCP) || c.isReturn(fr) {
		return
	}
	for _, h := range r.helpers {
		if h.proto != pkt.IP.Proto || h.port != pkt.DstPort || !expectedBy[h.helper] {
			continue
		}
		k := expectKey(r, pkt.IP.Proto, pkt.IP.Dst, pkt.IP.Src, pkt.SrcPort)
		x := expectation{helper: h.helper, origIP: pre.IP.Src.As4(), origPort: pre.SrcPort}
		c.st.expects.put(k, x)
		c.recordExpect(&k, x)
		c.wrote = true
		if c.trace {
			c.note(&r.device, fr.outPort, "conntrack helper %s (%s): expects %s from %s to %s:%d", h.id, h.helper, l4Name(pkt.IP.Proto), pkt.IP.Dst, pkt.IP.Src, pkt.SrcPort)
		}
	}
}

// helperRelated accepts a packet a helper expected at the router: the flow becomes return
// traffic (for the packet and, by a conntrack key at its ingress, the rest of its flow),
// and when the original connection was SNATed to the expected address, a NAT binding of
// the related flow sends it to the client and the client's replies out the same way.
func (c *ctx) helperRelated(r *router, fr *frame, in *port) {
	pkt := &fr.pkt
	if len(r.helpers) == 0 || !pkt.isIPv4() || (pkt.IP.Proto != ProtoUDP && pkt.IP.Proto != ProtoTCP) || c.isReturn(fr) {
		return
	}
	k := expectKey(r, pkt.IP.Proto, pkt.IP.Src, pkt.IP.Dst, pkt.DstPort)
	x, ok := c.st.expects.take(k)
	if !ok {
		return
	}
	c.wrote, c.uncacheable = true, true
	c.ct = ctReturn
	if t, ok := tupleOf(&c.orig); ok && c.ingress != nil {
		ck := ctKey{dev: c.ingress.dev.key, t: t}
		c.st.ctStore(&ck)
		c.recordCT(&ck)
	}
	orig := netip.AddrFrom4(x.origIP)
	if orig != pkt.IP.Dst || x.origPort != pkt.DstPort {
		t := flowTuple{src: x.origIP, dst: pkt.IP.Src.As4(), sport: x.origPort, dport: pkt.SrcPort, proto: pkt.IP.Proto, kind: natSNAT}
		b := &binding{fwd: natKey{dev: r.key, t: t}, ip: pkt.IP.Dst.As4(), port: pkt.DstPort, origIP: x.origIP, origPort: x.origPort}
		b.rev = natKey{dev: r.key, t: flowTuple{src: pkt.IP.Src.As4(), dst: pkt.IP.Dst.As4(), sport: pkt.SrcPort, dport: pkt.DstPort, proto: pkt.IP.Proto, kind: natRevSNAT}}
		b = c.st.natInsert(b)
		c.recordNAT(b)
	}
	if c.trace {
		c.note(&r.device, in, "conntrack helper %s: related connection of %s:%d, accepted", x.helper, orig, x.origPort)
	}
}

func l4Name(p uint8) string {
	switch p {
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	}
	return "ip"
}
