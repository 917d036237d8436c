package sim

import (
	"sync"
	"sync/atomic"
)

// FlowCache memoises simulation results per flow for one (Topology, State) pair, the way
// the agent installs a datapath flow after simulating a flow's first packet.
//
//   - Key: every packet field the simulation can read (Ethernet, VLAN, ARP, IP header with
//     TTL/TOS/fragment bits, ICMP type/code/id, L4 ports, DHCP message type) plus the
//     ingress port. ICMP sequence numbers are not part of the key: they are copied from the
//     packet into the cached egress copies.
//   - Invalidation: a new Topology needs a new FlowCache (the topology is immutable, so a
//     cache can never see a stale one). Against State changes an entry records what it
//     depended on and is re-validated on every hit: the learned MAC/ARP tables' version (any
//     learning invalidates every entry, an over-approximation like MidoNet's tags), the
//     conntrack and reverse-NAT keys it found absent (still absent?), and the sweep
//     generation (entries not used since the previous State.Sweep are dropped with the
//     state they used). A hit marks the conntrack keys and NAT bindings it used as used, as
//     a datapath flow's reference would.
//   - Bypass: a packet whose simulation wrote state (new conntrack key, NAT binding, learned
//     MAC or ARP entry) is not cached; the next packet of the flow, which only reads that
//     state, is. Results that generated packets (ARP, ICMP, DHCP answers) and traced
//     simulations are never cached: each such packet is answered on its own, as the agent
//     does for its userspace-only results.
//
// Results returned by a cache hit share their slices with the cache: treat them as
// read-only. FlowCache is safe for concurrent use.
type FlowCache struct {
	topo        *Topology
	st          *State
	max         int
	recordState bool
	shards      [cacheShards]cacheShard
}

// SetRecordFlowState makes the cache's simulations record the flow state they write
// (Result.FlowState); call it before the cache is used.
func (fc *FlowCache) SetRecordFlowState(on bool) { fc.recordState = on }

const cacheShards = 64

type cacheShard struct {
	mu           sync.RWMutex
	m            map[flowKey]*cacheEntry
	hits, misses atomic.Uint64 // per shard: no cache line shared by all cores
	_            [80]byte      // 128-byte stride: no false sharing between shards
}

type cacheEntry struct {
	res     Result
	seq     uint16
	version uint64
	gen     atomic.Uint32
	ctMiss  bool
	ctKey   ctKey
	natMiss []natKey
	ctDeps  []ctKey
	natDeps []*binding
}

// flowKey is laid out without padding so the map hashes it as one block of memory.
type flowKey struct {
	port      uint32
	etherType uint16
	vlan      uint16
	ethSrc    MAC
	ethDst    MAC
	arpSHA    MAC
	arpTHA    MAC
	nwSrc     [16]byte
	nwDst     [16]byte
	sport     uint16
	dport     uint16
	icmpID    uint16
	arpOp     uint16
	fragOff   uint16
	proto     uint8
	ttl       uint8
	tos       uint8
	flags     uint8
	icmpType  uint8
	icmpCode  uint8
	dhcpType  uint8
	_         [3]byte
}

// NewFlowCache returns a cache for simulations of topo on st holding at most maxEntries
// flows (0: 1<<20). When a shard is full an arbitrary entry of it is evicted.
func NewFlowCache(topo *Topology, st *State, maxEntries int) *FlowCache {
	if maxEntries <= 0 {
		maxEntries = 1 << 20
	}
	fc := &FlowCache{topo: topo, st: st, max: (maxEntries + cacheShards - 1) / cacheShards}
	for i := range fc.shards {
		fc.shards[i].m = map[flowKey]*cacheEntry{}
	}
	return fc
}

// Topology returns the snapshot the cache simulates on.
func (fc *FlowCache) Topology() *Topology { return fc.topo }

// Stats returns the number of hits and misses so far.
func (fc *FlowCache) Stats() (hits, misses uint64) {
	for i := range fc.shards {
		hits += fc.shards[i].hits.Load()
		misses += fc.shards[i].misses.Load()
	}
	return hits, misses
}

// Len counts cached flows.
func (fc *FlowCache) Len() int {
	n := 0
	for i := range fc.shards {
		sh := &fc.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}

func keyOfPacket(p *port, in *Packet) (flowKey, bool) {
	if in.Inner != nil || in.ND != nil || p.metered {
		return flowKey{}, false // a metered port's packets each take tokens: never cached
	}
	k := flowKey{port: p.idx, etherType: in.EtherType, vlan: in.VLAN, ethSrc: in.EthSrc, ethDst: in.EthDst}
	switch in.EtherType {
	case EtherARP:
		k.arpOp, k.arpSHA, k.arpTHA = in.ARP.Op, in.ARP.SenderMAC, in.ARP.TargetMAC
		k.nwSrc, k.nwDst = in.ARP.SenderIP.As16(), in.ARP.TargetIP.As16()
	case EtherIPv4, EtherIPv6:
		k.nwSrc, k.nwDst = in.IP.Src.As16(), in.IP.Dst.As16()
		if in.IP.Src.Is4() {
			k.nwSrc[0] = 4 // distinguish 0.0.0.0 from an unset address
		}
		if in.IP.Dst.Is4() {
			k.nwDst[0] = 4
		}
		k.proto, k.ttl, k.tos, k.fragOff = in.IP.Proto, in.IP.TTL, in.IP.TOS, in.IP.FragOffset
		if in.IP.DontFragment {
			k.flags |= 1
		}
		if in.IP.MoreFragments {
			k.flags |= 2
		}
		k.sport, k.dport = in.SrcPort, in.DstPort
		k.icmpType, k.icmpCode, k.icmpID = in.ICMP.Type, in.ICMP.Code, in.ICMP.ID
		if in.DHCP != nil {
			k.dhcpType = in.DHCP.MsgType
			k.arpSHA = in.DHCP.ClientMAC
			k.flags |= 4
		}
	}
	return k, true
}

func (k *flowKey) shard() int {
	h := uint64(k.port)<<32 ^ uint64(k.sport)<<16 ^ uint64(k.dport) ^ uint64(k.nwSrc[15])<<40 ^ uint64(k.nwDst[15])<<48 ^
		uint64(k.nwSrc[14])<<56 ^ uint64(k.ethSrc[5])<<24 ^ uint64(k.icmpID)<<8
	return int(mix(h) % cacheShards)
}

// Simulate returns the cached result of the packet's flow, or simulates it (without a
// trace) and caches the result when allowed.
func (fc *FlowCache) Simulate(in Packet, ingressPort string) Result {
	p := fc.topo.ports[ingressPort]
	if p == nil {
		return SimulateWith(fc.topo, fc.st, in, ingressPort, Options{RecordFlowState: fc.recordState})
	}
	k, ok := keyOfPacket(p, &in)
	if !ok {
		fc.shards[0].misses.Add(1)
		return SimulateWith(fc.topo, fc.st, in, ingressPort, Options{RecordFlowState: fc.recordState})
	}
	sh := &fc.shards[k.shard()]
	sh.mu.RLock()
	e := sh.m[k]
	sh.mu.RUnlock()
	if e != nil && fc.valid(e) {
		sh.hits.Add(1)
		if e.seq != in.ICMP.Seq && in.IP.Proto == ProtoICMP {
			return withSeq(e.res, in.ICMP.Seq)
		}
		return e.res
	}
	sh.misses.Add(1)
	var res Result
	c := getCtx(fc.topo, fc.st, &res, Options{RecordFlowState: fc.recordState})
	c.run(in, ingressPort)
	if !c.wrote && !c.uncacheable && len(res.Generated) == 0 && in.DHCP == nil {
		ne := &cacheEntry{res: res, seq: in.ICMP.Seq, version: c.stateVer, ctMiss: c.ctMiss, ctKey: c.ctk}
		ne.res.Logs = nil // a hit is the same flow again: its lines were written once
		ne.gen.Store(c.stateGen)
		if c.nNatMiss > 0 {
			ne.natMiss = append([]natKey(nil), c.natMiss[:c.nNatMiss]...)
		}
		if c.nCtDeps > 0 {
			ne.ctDeps = append([]ctKey(nil), c.ctDeps[:c.nCtDeps]...)
		}
		if c.nNatDeps > 0 {
			ne.natDeps = append([]*binding(nil), c.natDeps[:c.nNatDeps]...)
		}
		sh.mu.Lock()
		if len(sh.m) >= fc.max {
			for old := range sh.m {
				delete(sh.m, old)
				break
			}
		}
		sh.m[k] = ne
		sh.mu.Unlock()
	}
	putCtx(c)
	return res
}

// valid re-checks what a cached result depended on. The first hit in a new State
// generation also marks the entry's conntrack keys and NAT bindings as used (the
// reference a datapath flow holds), so they survive the next Sweep.
func (fc *FlowCache) valid(e *cacheEntry) bool {
	st := fc.st
	if e.version != st.version.Load() {
		return false
	}
	cur, g := st.gen.Load(), e.gen.Load()
	if cur-g > 1 {
		return false // unused for a whole generation: its state may be gone
	}
	if e.ctMiss && st.ctLookup(&e.ctKey) {
		return false
	}
	for i := range e.natMiss {
		if st.natLookup(&e.natMiss[i]) != nil {
			return false
		}
	}
	if g != cur {
		for i := range e.ctDeps {
			if !st.ctLookup(&e.ctDeps[i]) {
				return false
			}
		}
		for _, b := range e.natDeps {
			st.touch(b)
		}
		e.gen.Store(cur)
	}
	return true
}

func withSeq(r Result, seq uint16) Result {
	eg := make([]Emit, len(r.Egress))
	copy(eg, r.Egress)
	for i := range eg {
		eg[i].Packet.ICMP.Seq = seq
	}
	r.Egress = eg
	if len(r.Mirrored) > 0 {
		m := make([]Emit, len(r.Mirrored))
		copy(m, r.Mirrored)
		for i := range m {
			m[i].Packet.ICMP.Seq = seq
		}
		r.Mirrored = m
	}
	return r
}
