// Package datapath moves real frames between the host interfaces that Neutron ports are
// bound to (seed 8.1.8): every frame arriving on a bound interface is decoded, handed to the
// simulator (through its flow cache, so a known flow costs a lookup), and what the
// simulation decides is done — the frame leaves, rewritten (MACs, TTL, NAT), on the
// interfaces of its egress ports, and the packets the topology answers with (ARP and ICMP
// echo replies, ICMP errors, DHCP offers and acks) are built and sent back.
//
// Packet I/O is a plain AF_PACKET socket per interface (see ARCHITECTURE.md, "Datapath"): the
// kernel owns nothing but the interfaces, no library or kernel module is needed, and the
// simulator, not the I/O, bounds the per-packet cost at this stage. Frames whose egress
// port is bound on another host travel in VXLAN tunnels (tunnel.go).
package datapath

import (
	"log/slog"
	"net/netip"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/midonet-go/midonet/internal/sim"
)

// Options configure a datapath.
type Options struct {
	Log *slog.Logger
	// MaxFlows bounds the flow cache (default 65536).
	MaxFlows int
	// TunnelPort is the UDP port of the VXLAN tunnels between hosts (default 4789).
	TunnelPort int
	// IdleTimeout ages flows: connection tracking, NAT bindings and cached flows unused for
	// between one and two periods are dropped (default 60 s).
	IdleTimeout time.Duration
}

// Stats count what the datapath did (since it started; the flow counters since the last
// topology change).
type Stats struct {
	FramesIn      uint64           `json:"frames_in"`
	FramesOut     uint64           `json:"frames_out"`
	Undecodable   uint64           `json:"undecodable"`
	NoEgress      uint64           `json:"no_egress"`
	WriteErrors   uint64           `json:"write_errors"`
	TunnelIn      uint64           `json:"tunnel_in"`
	TunnelOut     uint64           `json:"tunnel_out"`
	TunnelRefused uint64           `json:"tunnel_refused"`
	FlowStateIn   uint64           `json:"flow_state_in"`
	FlowStateOut  uint64           `json:"flow_state_out"`
	Flows         int              `json:"flows"`
	FlowHits      uint64           `json:"flow_hits"`
	FlowMisses    uint64           `json:"flow_misses"` // each one a simulation
	Interfaces    []InterfaceStats `json:"interfaces"`
}

// InterfaceStats count the frames of one attached interface.
type InterfaceStats struct {
	PortID    string `json:"port_id"`
	Interface string `json:"interface"`
	RxPackets uint64 `json:"rx_packets"`
	RxBytes   uint64 `json:"rx_bytes"`
	TxPackets uint64 `json:"tx_packets"`
	TxBytes   uint64 `json:"tx_bytes"`
}

// Datapath owns the interfaces of the ports bound to this host.
type Datapath struct {
	o     Options
	state *sim.State // connection tracking and NAT, kept across topology changes

	mu    sync.Mutex // serialises Sync, SetTopology and Close
	topo  *sim.Topology
	ports map[string]*attached // by port id
	tun   *tunnel

	flows   atomic.Pointer[sim.FlowCache]
	byID    atomic.Pointer[map[string]*attached] // a copy of ports for the readers
	byKey   atomic.Pointer[map[uint32]*attached] // the same by tunnel key
	tunnel  atomic.Pointer[tunnel]
	members atomic.Pointer[map[netip.Addr]bool]
	remote  atomic.Pointer[map[string]netip.Addr]

	framesIn, framesOut, undecodable, noEgress, writeErrors atomic.Uint64
	tunnelIn, tunnelOut, tunnelRefused                      atomic.Uint64
	flowStateIn, flowStateOut                               atomic.Uint64

	stop, stopped chan struct{}
}

// attached is one port's interface and its reader.
type attached struct {
	port, iface string
	l           *link
	done        chan struct{}

	rxPackets, rxBytes, txPackets, txBytes atomic.Uint64
}

// New makes a datapath with no interfaces.
func New(o Options) *Datapath {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.MaxFlows <= 0 {
		o.MaxFlows = 65536
	}
	if o.TunnelPort <= 0 {
		o.TunnelPort = DefaultTunnelPort
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = time.Minute
	}
	d := &Datapath{o: o, state: sim.NewState(), ports: map[string]*attached{}, stop: make(chan struct{}), stopped: make(chan struct{})}
	d.byID.Store(&map[string]*attached{})
	d.byKey.Store(&map[uint32]*attached{})
	d.members.Store(&map[netip.Addr]bool{})
	d.remote.Store(&map[string]netip.Addr{})
	go d.age()
	return d
}

// age sweeps the flow state once per idle period.
func (d *Datapath) age() {
	defer close(d.stopped)
	t := time.NewTicker(d.o.IdleTimeout)
	defer t.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
			d.state.Sweep()
		}
	}
}

// SetTopology makes t the topology new frames are simulated on; the flow cache starts over
// (its entries belong to the old topology), connection tracking and NAT carry on.
func (d *Datapath) SetTopology(t *sim.Topology) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if t == d.topo {
		return
	}
	d.topo = t
	fc := sim.NewFlowCache(t, d.state, d.o.MaxFlows)
	fc.SetRecordFlowState(true)
	d.flows.Store(fc)
}

// Sync attaches the interfaces of bound (port id → interface name) and detaches the rest.
// It is level-triggered: an interface that could not be opened is tried again next time.
func (d *Datapath) Sync(bound map[string]string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	changed := false
	for id, a := range d.ports {
		if bound[id] != a.iface {
			d.detach(a)
			delete(d.ports, id)
			changed = true
		}
	}
	for id, iface := range bound {
		if _, ok := d.ports[id]; ok {
			continue
		}
		if err := setUp(iface); err != nil {
			d.o.Log.Debug("datapath: interface not ready", "port", id, "interface", iface, "err", err)
			continue
		}
		l, err := openLink(iface)
		if err != nil {
			d.o.Log.Warn("datapath: attach failed", "port", id, "interface", iface, "err", err)
			continue
		}
		a := &attached{port: id, iface: iface, l: l, done: make(chan struct{})}
		d.ports[id] = a
		changed = true
		go d.read(a)
		d.o.Log.Info("datapath: port attached", "port", id, "interface", iface)
	}
	if changed {
		m := make(map[string]*attached, len(d.ports))
		keys := make(map[uint32]*attached, len(d.ports))
		for k, v := range d.ports {
			m[k] = v
			key := tunnelKey(k)
			if other := keys[key]; other != nil {
				d.o.Log.Warn("datapath: two attached ports share a tunnel key; frames tunnelled to the second go to the first",
					"key", key, "port", k, "other", other.port)
				continue
			}
			keys[key] = v
		}
		d.byID.Store(&m)
		d.byKey.Store(&keys)
	}
}

func (d *Datapath) detach(a *attached) {
	_ = a.l.close()
	<-a.done
	d.o.Log.Info("datapath: port detached", "port", a.port, "interface", a.iface)
}

// Close closes the tunnel and detaches every interface.
func (d *Datapath) Close() {
	close(d.stop)
	<-d.stopped
	d.SetTunnels(Tunnels{})
	d.Sync(nil)
}

// Stats returns the counters.
func (d *Datapath) Stats() Stats {
	st := Stats{FramesIn: d.framesIn.Load(), FramesOut: d.framesOut.Load(), Undecodable: d.undecodable.Load(),
		NoEgress: d.noEgress.Load(), WriteErrors: d.writeErrors.Load(),
		TunnelIn: d.tunnelIn.Load(), TunnelOut: d.tunnelOut.Load(), TunnelRefused: d.tunnelRefused.Load(),
		FlowStateIn: d.flowStateIn.Load(), FlowStateOut: d.flowStateOut.Load()}
	if fc := d.flows.Load(); fc != nil {
		st.FlowHits, st.FlowMisses = fc.Stats()
		st.Flows = fc.Len()
	}
	st.Interfaces = []InterfaceStats{}
	for _, a := range *d.byID.Load() {
		st.Interfaces = append(st.Interfaces, InterfaceStats{PortID: a.port, Interface: a.iface,
			RxPackets: a.rxPackets.Load(), RxBytes: a.rxBytes.Load(), TxPackets: a.txPackets.Load(), TxBytes: a.txBytes.Load()})
	}
	sort.Slice(st.Interfaces, func(i, j int) bool { return st.Interfaces[i].PortID < st.Interfaces[j].PortID })
	return st
}

// read feeds one interface's frames to the simulation until the link closes.
func (d *Datapath) read(a *attached) {
	defer close(a.done)
	buf := make([]byte, vnetHdrLen+1<<16)
	for {
		frame, h, err := a.l.read(buf)
		if err != nil {
			return
		}
		d.framesIn.Add(1)
		a.rxPackets.Add(1)
		a.rxBytes.Add(uint64(len(frame)))
		mss := 0
		if h.gsoType == gsoTCPv4 {
			mss = int(h.gsoSize)
		}
		d.process(a.port, frame, mss)
	}
}

// process simulates one frame that entered port and carries out the result. mss > 0 marks
// an offloaded TCP segment to cut into segments of that size on the way out.
func (d *Datapath) process(port string, raw []byte, mss int) {
	pkt, l, err := decode(raw)
	if err != nil {
		d.undecodable.Add(1)
		return
	}
	fc := d.flows.Load()
	if fc == nil {
		return
	}
	res := fc.Simulate(pkt, port)
	ports := *d.byID.Load()
	if len(res.FlowState) > 0 {
		var remote [8]string
		n := 0
		for i := range res.Egress {
			if ports[res.Egress[i].PortID] == nil && n < len(remote) {
				remote[n] = res.Egress[i].PortID
				n++
			}
		}
		d.sendFlowState(res.FlowState, res.FlowStateShared, remote[:n])
	}
	for i := range res.Egress {
		e := &res.Egress[i]
		out := ports[e.PortID]
		for _, f := range egressFrames(raw, l, &pkt, &e.Packet, mss) {
			if out != nil {
				d.send(out, f)
			} else if !d.sendRemote(e.PortID, f) {
				d.noEgress.Add(1) // not bound, or on a host outside the tunnel zone
				break
			}
		}
	}
	// Mirrored copies (TaaS) leave their tap port like any other copy: rewritten from the
	// frame that came in, or built when they copy a packet the topology produced.
	for i := range res.Mirrored {
		m := &res.Mirrored[i]
		var f []byte
		if m.Generated {
			f = build(&m.Packet, raw, l)
		} else {
			f = rewrite(raw, l, &m.Packet)
		}
		if f == nil {
			continue
		}
		if out := ports[m.PortID]; out != nil {
			d.send(out, f)
		} else if !d.sendRemote(m.PortID, f) {
			d.noEgress.Add(1)
		}
	}
	for i := range res.Generated {
		g := &res.Generated[i]
		f := build(&g.Packet, raw, l)
		if f == nil {
			continue
		}
		if out := ports[g.PortID]; out != nil {
			d.send(out, f)
		} else if !d.sendRemote(g.PortID, f) {
			d.noEgress.Add(1)
		}
	}
}

func (d *Datapath) send(a *attached, frame []byte) {
	if err := a.l.write(frame); err != nil {
		d.writeErrors.Add(1)
		return
	}
	d.framesOut.Add(1)
	a.txPackets.Add(1)
	a.txBytes.Add(uint64(len(frame)))
}
