// Package sim is MidoNet's packet simulation as a pure function: one packet entering the
// virtual topology through a port is walked through port filters, bridges (MAC learning,
// ARP suppression, flooding), routers (ARP, ICMP, pre-routing, route lookup, TTL,
// post-routing, next-hop resolution) and chains (security groups, anti-spoofing, NAT,
// connection tracking) until it leaves through exterior ports or is dropped, and the
// result carries every rewrite, every generated answer and, on request, a trace of each
// step.
//
// Inputs are a Topology (an immutable compiled snapshot, see NewTopology) and a State (the
// tables simulation reads and writes: learned MACs, ARP tables, conntrack keys, NAT
// bindings). The State owns its locking (sharded RWMutexes), so any number of goroutines
// may simulate on one State at once; flow state ages in two generations (State.Sweep).
// FlowCache memoises results per flow for a (Topology, State) pair, the way a datapath
// installs flows. Tracing is optional (Options.Trace): without it the hot path does no
// formatting and, with SimulateInto, no allocation beyond new state entries.
//
// Entry points: Simulate (with trace), SimulateWith (options), SimulateInto (reuses a
// Result), FlowCache.Simulate (cached, no trace).
//
// Semantics follow the MidoNet agent (see ../../../shared/reference/midonet-backend-facts.md
// §1.2 and §4): a chain's rules run in (Order, ID) order; JUMP skips chains already visited
// in the same evaluation; ACCEPT, DROP and REJECT end every chain; falling off the end is
// ACCEPT. Conntrack keys are the packet's 5-tuple as it entered plus the ingress device;
// a forward packet leaving an exterior port records the reversed final tuple with the
// egress device, so the reply is a "return" flow (only when a rule asked the conntrack
// question during the simulation, as in the agent). Deviations from the agent: ARP misses
// are not postponed (the packet is dropped with Kind "no-arp" and an ARP request
// generated); generated packets leave through the port that emitted them without
// re-routing or the router's outbound filters; ICMP errors carry the headers in
// Packet.Inner but NAT does not translate ICMP error payloads; ICMP errors are not
// connection-tracked (always "forward"); DHCP MTU is the subnet's interface_mtu (no
// underlay-MTU clamp); L2 insertions, load balancers, hardware VTEPs and NAT64 (FIP64
// routes) are not simulated (VTEP routers are: vtep.go). Mirrors (mirror.go) copy at two of
// MidoNet's four tap points, the ones TaaS uses. Routers route IPv4; of IPv6 they answer
// Neighbor Solicitations and echo requests for their own addresses and forward only to and
// from the addresses they proxy NDP for (ndp.go).
package sim

import (
	"fmt"
	"sync"
)

// MaxDevices is the most devices one simulation may traverse (then: drop, Kind "loop").
const MaxDevices = 12

// Options tune one simulation.
type Options struct {
	// Trace fills Result.Trace with every step (costs allocations and formatting).
	Trace bool
	// RecordFlowState fills Result.FlowState with the connection-tracking and NAT state the
	// simulation wrote (flowstate.go), for the hosts of the egress ports.
	RecordFlowState bool
}

// Simulate runs one packet entering the topology through ingressPort, with a trace.
func Simulate(topo *Topology, state *State, in Packet, ingressPort string) Result {
	var res Result
	SimulateInto(&res, topo, state, in, ingressPort, Options{Trace: true})
	return res
}

// SimulateWith is Simulate with options.
func SimulateWith(topo *Topology, state *State, in Packet, ingressPort string, opts Options) Result {
	var res Result
	SimulateInto(&res, topo, state, in, ingressPort, opts)
	return res
}

// SimulateInto simulates into res, reusing its slices (the allocation-free form for
// datapaths and benchmarks). The previous contents of res are overwritten.
func SimulateInto(res *Result, topo *Topology, state *State, in Packet, ingressPort string, opts Options) {
	c := getCtx(topo, state, res, opts)
	c.run(in, ingressPort)
	putCtx(c)
}

// frame is the packet in flight with its per-path context.
type frame struct {
	pkt          Packet
	inPort       *port
	outPort      *port
	dstRewritten bool
	// generated frames are packets the topology produced: always "return" for conntrack,
	// delivered into Result.Generated.
	generated bool
	// encap marks the VXLAN packet a VTEP router made of a frame: the router sends it from
	// its own tunnel IP, so its NAT and filter chains do not apply.
	encap   bool
	from    *port
	devices int
	visited [MaxDevices]*device
}

func (fr *frame) traversed(id string) bool {
	for i := 0; i < fr.devices; i++ {
		if fr.visited[i].id == id {
			return true
		}
	}
	return false
}

// conntrack status of the simulated flow.
const (
	ctUnknown uint8 = iota
	ctForward
	ctReturn
	ctUntracked // not IPv4 TCP/UDP/ICMP echo: always forward, never recorded
)

const (
	maxDeps   = 8
	maxChains = 16
	maxSGs    = 8
)

type ctx struct {
	topo        *Topology
	st          *State
	res         *Result
	trace       bool
	recordState bool

	orig     Packet
	ingress  *port
	flowHash uint64
	ct       uint8
	ctk      ctKey
	consumed bool

	// chain evaluation scratch
	chains   [maxChains]*chain
	nChains  int
	sgs      [maxSGs]string
	nSGs     int
	decRule  *rule
	decChain *chain
	natFail  bool
	// packet logging (log.go): decisions in logged chains; ctKnown: the forward packet's
	// connection was tracked already
	logs    []logEvent // kept across pool uses: no allocation once grown
	ctKnown bool
	// portFilter: a port's own filter runs (in-port and out-port read as unknown)
	portFilter bool
	filterPort *port
	view       view

	// what the result depends on (flow cache)
	wrote       bool
	uncacheable bool
	ctMiss      bool
	natMiss     [maxDeps]natKey
	nNatMiss    int
	ctDeps      [maxDeps]ctKey
	nCtDeps     int
	natDeps     [maxDeps]*binding
	nNatDeps    int
	stateVer    uint64
	stateGen    uint32
}

var ctxPool = sync.Pool{New: func() any { return new(ctx) }}

func getCtx(topo *Topology, st *State, res *Result, opts Options) *ctx {
	c := ctxPool.Get().(*ctx)
	logs := c.logs[:0]
	*c = ctx{topo: topo, st: st, res: res, trace: opts.Trace, recordState: opts.RecordFlowState, logs: logs}
	res.Verdict, res.Drop, res.FlowState, res.FlowStateShared = "", nil, res.FlowState[:0], false
	res.Egress, res.Generated, res.Trace, res.Mirrored, res.Logs, res.Meters = res.Egress[:0], res.Generated[:0], res.Trace[:0], res.Mirrored[:0], res.Logs[:0], res.Meters[:0]
	return c
}

func putCtx(c *ctx) {
	c.topo, c.st, c.res, c.ingress, c.decRule, c.decChain = nil, nil, nil, nil, nil, nil
	for i := range c.logs {
		c.logs[i] = logEvent{}
	}
	for i := range c.natDeps {
		c.natDeps[i] = nil
	}
	for i := range c.chains {
		c.chains[i] = nil
	}
	ctxPool.Put(c)
}

func (c *ctx) run(in Packet, portID string) {
	c.stateVer = c.st.version.Load()
	c.stateGen = c.st.gen.Load()
	c.orig = in
	if t, ok := tupleOf(&in); ok {
		c.flowHash = mix(t.hash())
	} else {
		c.flowHash = mix(uint64(in.EthSrc[5])<<8 | uint64(in.EthDst[5]))
	}
	p := c.topo.ports[portID]
	fr := frame{pkt: in}
	if p == nil || p.dev == nil {
		c.dropf(&fr, DropNoPort, "", portID, "ingress port %s is not in the topology", portID)
	} else if p.subports != nil && in.VLAN != 0 {
		c.trunkIngress(&fr, p)
	} else {
		c.ingress = p
		c.ingressPort(&fr, p)
	}
	if len(c.logs) > 0 {
		c.finishLogs()
	}
	r := c.res
	switch {
	case len(r.Egress) > 0:
		r.Verdict, r.Drop = Forwarded, nil
	case r.Drop != nil:
		r.Verdict = Dropped
	case c.consumed:
		r.Verdict = Consumed
	default:
		r.Verdict = Dropped
		r.Drop = &Drop{Kind: DropNoEgress, Reason: "the packet reached no exterior port"}
	}
}

// tupleOf is the conntrack/NAT tuple of an IPv4 TCP, UDP or ICMP echo packet.
func tupleOf(p *Packet) (flowTuple, bool) {
	if !p.isIPv4() || p.fragment() == fragLater {
		return flowTuple{}, false
	}
	t := flowTuple{src: p.IP.Src.As4(), dst: p.IP.Dst.As4(), proto: p.IP.Proto}
	switch p.IP.Proto {
	case ProtoTCP, ProtoUDP:
		t.sport, t.dport = p.SrcPort, p.DstPort
	case ProtoICMP:
		if p.ICMP.Type != ICMPEchoRequest && p.ICMP.Type != ICMPEchoReply {
			return flowTuple{}, false
		}
		t.sport, t.dport = p.ICMP.ID, p.ICMP.ID
	default:
		return flowTuple{}, false
	}
	return t, true
}

func (t flowTuple) reversed() flowTuple {
	t.src, t.dst = t.dst, t.src
	t.sport, t.dport = t.dport, t.sport
	return t
}

// isReturn answers the conntrack question for the flow, looking the key up the first time.
func (c *ctx) isReturn(fr *frame) bool {
	if fr.generated {
		return true
	}
	if c.ct == ctUnknown {
		t, ok := tupleOf(&c.orig)
		if !ok || c.ingress == nil {
			c.ct = ctUntracked
			return false
		}
		c.ctk = ctKey{dev: c.ingress.dev.key, t: t}
		if c.st.ctLookup(&c.ctk) {
			c.ct = ctReturn
			c.addCtDep(c.ctk)
		} else {
			c.ct = ctForward
			c.ctMiss = true
		}
	}
	return c.ct == ctReturn
}

func (c *ctx) addCtDep(k ctKey) {
	if c.nCtDeps == maxDeps {
		c.uncacheable = true
		return
	}
	c.ctDeps[c.nCtDeps] = k
	c.nCtDeps++
}

func (c *ctx) addNatDep(b *binding) {
	if c.nNatDeps == maxDeps {
		c.uncacheable = true
		return
	}
	c.natDeps[c.nNatDeps] = b
	c.nNatDeps++
}

func (c *ctx) addNatMiss(k natKey) {
	if c.nNatMiss == maxDeps {
		c.uncacheable = true
		return
	}
	c.natMiss[c.nNatMiss] = k
	c.nNatMiss++
}

// enter counts a device on the frame's path; past MaxDevices the packet is dropped.
func (c *ctx) enter(fr *frame, d *device) bool {
	if fr.devices >= MaxDevices {
		c.dropf(fr, DropLoop, d.id, "", "more than %d devices traversed", MaxDevices)
		return false
	}
	fr.visited[fr.devices] = d
	fr.devices++
	if c.trace {
		c.hop(Hop{Device: d.id, DeviceType: d.typeName(), Port: portID(fr.inPort), Note: "in " + fr.pkt.String()})
	}
	return true
}

func portID(p *port) string {
	if p == nil {
		return ""
	}
	return p.id
}

func (c *ctx) hop(h Hop) { c.res.Trace = append(c.res.Trace, h) }

func (c *ctx) note(d *device, p *port, format string, args ...any) {
	if c.trace {
		h := Hop{Port: portID(p), Note: fmt.Sprintf(format, args...)}
		if d != nil {
			h.Device, h.DeviceType = d.id, d.typeName()
		}
		c.hop(h)
	}
}

// ingressPort: a packet enters port p (from outside, or from p's peer).
func (c *ctx) ingressPort(fr *frame, p *port) {
	fr.inPort, fr.outPort, fr.dstRewritten = p, nil, false
	if c.trace {
		c.hop(Hop{Device: p.id, DeviceType: "port", Port: p.id, Direction: "ingress"})
	}
	if !p.adminUp {
		if p.router != nil {
			c.icmpError(fr, p, ICMPUnreachable, ICMPCodeProhibit)
		}
		c.dropf(fr, DropAdminDown, p.dev.id, p.id, "port %s is administratively down", p.id)
		return
	}
	if p.bridge != nil && p.exterior && !fr.generated && isDHCPRequest(&fr.pkt) && c.dhcp(fr, p) {
		return
	}
	if p.exterior && !c.applyQoS(fr, p) {
		return
	}
	if p.in != nil {
		if a := c.runFilter(fr, p.in, p.dev, p, true); a != actAccept {
			c.filterDrop(fr, p.dev, p, a)
			return
		}
	}
	if len(p.postIn) > 0 {
		c.mirror(fr, p, p.postIn)
	}
	if p.bridge != nil {
		c.bridgeSim(fr, p)
	} else {
		c.routerSim(fr, p)
	}
}

// egressPort: a packet leaves its device through port p.
func (c *ctx) egressPort(fr *frame, p *port) {
	fr.outPort = p
	if p.vlanID != 0 && fr.pkt.VLAN == p.vlanID {
		fr.pkt.VLAN = 0 // an access port pops its VLAN on the way out of the trunk
	}
	if c.trace {
		c.hop(Hop{Device: p.id, DeviceType: "port", Port: p.id, Direction: "egress"})
	}
	if !p.adminUp {
		c.dropf(fr, DropAdminDown, p.dev.id, p.id, "port %s is administratively down", p.id)
		return
	}
	if len(p.preOut) > 0 {
		c.mirror(fr, p, p.preOut)
	}
	if p.out != nil {
		if a := c.runFilter(fr, p.out, p.dev, p, true); a != actAccept {
			c.filterDrop(fr, p.dev, p, a)
			return
		}
	}
	switch {
	case p.exterior:
		c.emit(fr, p)
	case p.peer != nil:
		c.ingressPort(fr, p.peer)
	default:
		c.dropf(fr, DropNoEgress, p.dev.id, p.id, "port %s is neither exterior nor linked", p.id)
	}
}

// trunkIngress: a tagged frame entered a trunk's parent port. It belongs to the subport of
// its VLAN and enters there untagged; a VLAN no subport carries is dropped.
func (c *ctx) trunkIngress(fr *frame, parent *port) {
	sub := parent.subports[fr.pkt.VLAN]
	if sub == nil {
		c.ingress = parent
		c.dropf(fr, DropProtocol, parent.dev.id, parent.id, "trunk port %s carries no subport on VLAN %d", parent.id, fr.pkt.VLAN)
		return
	}
	if !parent.adminUp {
		c.ingress = parent
		c.dropf(fr, DropAdminDown, parent.dev.id, parent.id, "trunk port %s is administratively down", parent.id)
		return
	}
	if c.trace {
		c.note(parent.dev, parent, "trunk: VLAN %d is subport %s (tag removed)", fr.pkt.VLAN, sub.id)
	}
	fr.pkt.VLAN = 0
	c.ingress = sub
	c.ingressPort(fr, sub)
}

// emit delivers a frame out of an exterior port and records the conntrack return key. What
// a trunk's subport sends leaves through the trunk's parent port, tagged with its VLAN.
func (c *ctx) emit(fr *frame, p *port) {
	out := p
	if p.trunkParent != nil {
		if !p.trunkParent.adminUp {
			c.dropf(fr, DropAdminDown, p.dev.id, p.trunkParent.id, "trunk port %s is administratively down", p.trunkParent.id)
			return
		}
		out = p.trunkParent
		fr.pkt.VLAN = p.vlan
		if c.trace {
			c.note(p.dev, p, "trunk: out through %s with VLAN %d", out.id, p.vlan)
		}
	}
	if fr.generated {
		c.res.Generated = append(c.res.Generated, Emit{PortID: out.id, Packet: fr.pkt, From: portID(fr.from)})
		return
	}
	c.res.Egress = append(c.res.Egress, Emit{PortID: out.id, Packet: fr.pkt})
	if c.ct == ctForward {
		if t, ok := tupleOf(&fr.pkt); ok {
			k := ctKey{dev: p.dev.key, t: t.reversed()}
			if c.st.ctStore(&k) {
				c.wrote = true
				c.recordCT(&k)
			} else {
				c.addCtDep(k)
				c.ctKnown = true
			}
			if c.trace {
				c.note(p.dev, p, "conntrack: reply %s recorded as return flow", fr.pkt.String())
			}
		}
	}
}

// generate sends a packet the topology produced out of port from (egress of that port, then
// wherever it leads); what reaches exterior ports lands in Result.Generated.
func (c *ctx) generate(pkt Packet, from *port) {
	fr := frame{pkt: pkt, generated: true, from: from}
	if c.trace {
		c.note(from.dev, from, "generated %s", pkt.String())
	}
	c.egressPort(&fr, from)
}

// dropf records a drop. Drops of generated packets only show in the trace.
func (c *ctx) dropf(fr *frame, kind, dev, port, format string, args ...any) {
	if fr.generated {
		if c.trace {
			c.hop(Hop{Device: dev, Port: port, Note: "generated packet dropped: " + fmt.Sprintf(format, args...)})
		}
		return
	}
	if c.res.Drop == nil {
		c.res.Drop = &Drop{Kind: kind, DeviceID: dev, PortID: port, Reason: fmt.Sprintf(format, args...)}
	}
	if c.trace {
		c.hop(Hop{Device: dev, Port: port, Note: "drop (" + kind + "): " + c.res.Drop.Reason})
	}
}

// isDHCPRequest: UDP 68 → 67 carrying a DHCP message.
func isDHCPRequest(p *Packet) bool {
	return p.EtherType == EtherIPv4 && p.IP.Proto == ProtoUDP && p.SrcPort == 68 && p.DstPort == 67 && p.DHCP != nil
}
