package sim

import (
	"encoding/binary"
	"net/netip"
	"sync"
	"sync/atomic"
)

// State holds the tables a simulation reads and writes: learned MACs of bridges, ARP
// tables of routers (and IP→MAC learned by bridges from gratuitous ARPs), connection
// tracking keys and NAT bindings. It is safe for concurrent simulations: every table is
// split into shards, each behind its own RWMutex, chosen by a hash of the key, so parallel
// simulations of different flows rarely touch the same lock and lookups only take read
// locks.
//
// Flow state (conntrack keys, NAT bindings and their SNAT ports) is kept in two
// generations per shard. Call Sweep periodically (MidoNet keeps unused flow state for
// 60 s): the current generation becomes the old one and the old one is dropped whole, so a
// sweep costs O(shards), not O(entries). Using an entry of the old generation moves it
// (for a NAT binding: all its keys) back to the current one; an entry not used between two
// sweeps is gone after the second. A cached flow (FlowCache) counts as using the state it
// depends on. Learned MACs and ARP entries are not swept.
type State struct {
	shards [nShards]shard
	// gen counts sweeps; a binding records the generation it was last promoted in.
	gen atomic.Uint32
	// version counts changes to the learned MAC and ARP tables (flow-cache validation).
	version atomic.Uint64
	// meters are the QoS token buckets of the ports.
	meters meters
	// expects are the conntrack helpers' expected connections (helper.go).
	expects expectations
}

const nShards = 256

type shard struct {
	mu            sync.RWMutex
	ct, ctOld     map[ctKey]struct{}
	nat, natOld   map[natKey]*binding
	used, usedOld map[usedKey]*binding
	mac           map[macKey]string
	arp           map[arpKey]MAC
	_             [16]byte // 128-byte stride: no false sharing between shards
}

// flowTuple is an IPv4 5-tuple (ICMP echo: the identifier in both port fields) plus a
// kind byte used by NAT keys.
type flowTuple struct {
	src, dst     [4]byte
	sport, dport uint16
	proto        uint8
	kind         uint8
	_            [2]byte
}

type ctKey struct {
	dev devKey
	t   flowTuple
}

// NAT key kinds.
const (
	natSNAT uint8 = iota + 1
	natDNAT
	natRevSNAT // reply to a SNATed flow: restores the destination
	natRevDNAT // reply to a DNATed flow: restores the source
)

type natKey struct {
	dev devKey
	t   flowTuple
}

// usedKey records an allocated SNAT port: unique per (device, target ip, dst ip, dst port).
type usedKey struct {
	dev   devKey
	tip   [4]byte
	dip   [4]byte
	dport uint16
	tport uint16
}

// binding is one dynamic NAT translation, reachable from its forward and reverse keys.
type binding struct {
	fwd, rev natKey
	used     usedKey
	hasUsed  bool
	// ip/port is the translated address (the new source for SNAT, the new destination for
	// DNAT); origIP/origPort the address it replaced.
	ip, origIP     [4]byte
	port, origPort uint16
	gen            atomic.Uint32
}

type macKey struct {
	dev  devKey
	mac  MAC
	vlan uint16
}

type arpKey struct {
	dev devKey
	ip  [16]byte
}

// NewState returns empty tables.
func NewState() *State {
	s := &State{}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.ct, sh.ctOld = map[ctKey]struct{}{}, map[ctKey]struct{}{}
		sh.nat, sh.natOld = map[natKey]*binding{}, map[natKey]*binding{}
		sh.used, sh.usedOld = map[usedKey]*binding{}, map[usedKey]*binding{}
		sh.mac = map[macKey]string{}
		sh.arp = map[arpKey]MAC{}
	}
	s.gen.Store(2)
	return s
}

func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

func (d *devKey) hash() uint64 {
	return binary.LittleEndian.Uint64(d[:8]) ^ binary.LittleEndian.Uint64(d[8:])*0x9e3779b97f4a7c15
}

func (t *flowTuple) hash() uint64 {
	a := uint64(binary.LittleEndian.Uint32(t.src[:]))<<32 | uint64(binary.LittleEndian.Uint32(t.dst[:]))
	b := uint64(t.sport)<<32 | uint64(t.dport)<<16 | uint64(t.proto)<<8 | uint64(t.kind)
	return a*0x9e3779b97f4a7c15 ^ b
}

func (s *State) shardOf(h uint64) *shard { return &s.shards[mix(h)%nShards] }

func (k *ctKey) hash() uint64  { return k.dev.hash() ^ k.t.hash() }
func (k *natKey) hash() uint64 { return k.dev.hash() ^ k.t.hash()*31 }

// allocHash is the shard of every candidate port of one (device, target ip, dst ip, dst
// port), so a probe runs under one lock.
func (k *usedKey) allocHash() uint64 {
	return k.dev.hash() ^ (uint64(binary.LittleEndian.Uint32(k.tip[:]))<<32|uint64(binary.LittleEndian.Uint32(k.dip[:])))*0x9e3779b97f4a7c15 ^ uint64(k.dport)*7
}

func (k *macKey) hash() uint64 {
	return k.dev.hash() ^ uint64(binary.LittleEndian.Uint32(k.mac[:4]))<<16 ^ uint64(k.mac[4])<<8 ^ uint64(k.mac[5]) ^ uint64(k.vlan)<<48
}

func (k *arpKey) hash() uint64 {
	return k.dev.hash() ^ binary.LittleEndian.Uint64(k.ip[8:])*0x9e3779b97f4a7c15
}

// conntrack

// ctLookup reports whether a return key exists, promoting it out of the old generation.
func (s *State) ctLookup(k *ctKey) bool {
	sh := s.shardOf(k.hash())
	sh.mu.RLock()
	_, cur := sh.ct[*k]
	old := false
	if !cur {
		_, old = sh.ctOld[*k]
	}
	sh.mu.RUnlock()
	if old {
		sh.mu.Lock()
		sh.ct[*k] = struct{}{}
		sh.mu.Unlock()
	}
	return cur || old
}

// ctStore records a return key; it reports whether the key is new. (One probe under the
// write lock: the key is usually new when this runs without a flow cache.)
func (s *State) ctStore(k *ctKey) bool {
	sh := s.shardOf(k.hash())
	sh.mu.Lock()
	_, cur := sh.ct[*k]
	created := false
	if !cur {
		_, old := sh.ctOld[*k]
		created = !old
		sh.ct[*k] = struct{}{}
	}
	sh.mu.Unlock()
	return created
}

// NAT

func (s *State) natLookup(k *natKey) *binding {
	sh := s.shardOf(k.hash())
	sh.mu.RLock()
	b := sh.nat[*k]
	if b == nil {
		b = sh.natOld[*k]
	}
	sh.mu.RUnlock()
	if b != nil {
		s.touch(b)
	}
	return b
}

// touch keeps a binding in the current generation: the first use in a generation puts all
// of its keys (forward, reverse, SNAT port) into the current maps.
func (s *State) touch(b *binding) {
	cur := s.gen.Load()
	old := b.gen.Load()
	if old == cur || !b.gen.CompareAndSwap(old, cur) {
		return
	}
	for _, k := range [2]*natKey{&b.fwd, &b.rev} {
		sh := s.shardOf(k.hash())
		sh.mu.Lock()
		if sh.nat[*k] != b {
			sh.nat[*k] = b
		}
		sh.mu.Unlock()
	}
	if b.hasUsed {
		sh := s.shardOf(b.used.allocHash())
		sh.mu.Lock()
		if sh.used[b.used] != b {
			sh.used[b.used] = b
		}
		sh.mu.Unlock()
	}
}

// natInsert publishes a new binding under its forward and reverse keys. If another
// simulation published the same forward key first, that binding is returned and the new
// one (and its port) is released.
func (s *State) natInsert(b *binding) *binding {
	b.gen.Store(s.gen.Load())
	sh := s.shardOf(b.fwd.hash())
	sh.mu.Lock()
	old := sh.nat[b.fwd]
	if old == nil {
		old = sh.natOld[b.fwd]
	}
	if old != nil {
		sh.mu.Unlock()
		s.releasePort(b)
		s.touch(old)
		return old
	}
	sh.nat[b.fwd] = b
	sh.mu.Unlock()
	sh = s.shardOf(b.rev.hash())
	sh.mu.Lock()
	sh.nat[b.rev] = b
	sh.mu.Unlock()
	return b
}

// allocPort reserves a SNAT port in [lo, hi] for (dev, tip, dip, dport), starting the probe
// at a flow-dependent offset. It returns false when every port is taken.
func (s *State) allocPort(b *binding, lo, hi uint16, seed uint64) bool {
	k := b.used
	sh := s.shardOf(k.allocHash())
	n := uint32(hi) - uint32(lo) + 1
	start := uint32(mix(seed) % uint64(n))
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for i := uint32(0); i < n; i++ {
		k.tport = lo + uint16((start+i)%n)
		if _, taken := sh.used[k]; taken {
			continue
		}
		if _, taken := sh.usedOld[k]; taken {
			continue
		}
		sh.used[k] = b
		b.used, b.hasUsed = k, true
		return true
	}
	return false
}

func (s *State) releasePort(b *binding) {
	if !b.hasUsed {
		return
	}
	sh := s.shardOf(b.used.allocHash())
	sh.mu.Lock()
	if sh.used[b.used] == b {
		delete(sh.used, b.used)
	}
	if sh.usedOld[b.used] == b {
		delete(sh.usedOld, b.used)
	}
	sh.mu.Unlock()
}

// learned MACs and ARP tables

func (s *State) macLookup(k *macKey) (string, bool) {
	sh := s.shardOf(k.hash())
	sh.mu.RLock()
	p, ok := sh.mac[*k]
	sh.mu.RUnlock()
	return p, ok
}

// macLearn records mac → port; it reports whether the table changed.
func (s *State) macLearn(k *macKey, portID string) bool {
	if p, ok := s.macLookup(k); ok && p == portID {
		return false
	}
	sh := s.shardOf(k.hash())
	sh.mu.Lock()
	changed := sh.mac[*k] != portID
	if changed {
		sh.mac[*k] = portID
		s.version.Add(1)
	}
	sh.mu.Unlock()
	return changed
}

func (s *State) arpLookup(k *arpKey) (MAC, bool) {
	sh := s.shardOf(k.hash())
	sh.mu.RLock()
	m, ok := sh.arp[*k]
	sh.mu.RUnlock()
	return m, ok
}

func (s *State) arpLearn(k *arpKey, m MAC) bool {
	if old, ok := s.arpLookup(k); ok && old == m {
		return false
	}
	sh := s.shardOf(k.hash())
	sh.mu.Lock()
	old, ok := sh.arp[*k]
	changed := !ok || old != m
	if changed {
		sh.arp[*k] = m
		s.version.Add(1)
	}
	sh.mu.Unlock()
	return changed
}

// SetARP records ip → mac in the ARP table of a router (or the learned IP→MAC table of a
// bridge), as a received ARP reply would.
func (s *State) SetARP(deviceID string, ip netip.Addr, mac MAC) {
	s.arpLearn(&arpKey{dev: keyOf(deviceID), ip: ip.As16()}, mac)
}

// ARP returns what a router (or bridge) learned for ip.
func (s *State) ARP(deviceID string, ip netip.Addr) (MAC, bool) {
	return s.arpLookup(&arpKey{dev: keyOf(deviceID), ip: ip.As16()})
}

// LearnMAC records that mac (on vlan, 0 = none) lives behind portID on a bridge.
func (s *State) LearnMAC(bridgeID string, mac MAC, vlan uint16, portID string) {
	s.macLearn(&macKey{dev: keyOf(bridgeID), mac: mac, vlan: vlan}, portID)
}

// LearnedMAC returns the port a bridge learned for mac.
func (s *State) LearnedMAC(bridgeID string, mac MAC, vlan uint16) (string, bool) {
	return s.macLookup(&macKey{dev: keyOf(bridgeID), mac: mac, vlan: vlan})
}

// Stats counts the entries of each table.
type Stats struct {
	Conntrack, NATBindings, LearnedMACs, ARPEntries int
}

// Stats counts the current entries (both generations).
func (s *State) Stats() Stats {
	var st Stats
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		st.Conntrack += len(sh.ct)
		for k := range sh.ctOld {
			if _, dup := sh.ct[k]; !dup {
				st.Conntrack++
			}
		}
		for k, b := range sh.nat {
			if k == b.fwd {
				st.NATBindings++
			}
		}
		for k, b := range sh.natOld {
			if k == b.fwd && sh.nat[k] == nil {
				st.NATBindings++
			}
		}
		st.LearnedMACs += len(sh.mac)
		st.ARPEntries += len(sh.arp)
		sh.mu.RUnlock()
	}
	return st
}

// Sweep ages flow state by one generation: what was not used since the previous Sweep is
// dropped (conntrack keys, NAT bindings and their SNAT ports). Learned MACs and ARP entries
// are kept.
func (s *State) Sweep() {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		sh.ctOld, sh.ct = sh.ct, make(map[ctKey]struct{}, len(sh.ct)/2)
		sh.natOld, sh.nat = sh.nat, make(map[natKey]*binding, len(sh.nat)/2)
		sh.usedOld, sh.used = sh.used, make(map[usedKey]*binding, len(sh.used)/2)
		sh.mu.Unlock()
	}
	s.expects.sweep()
	// Only now may uses promote into the new maps (see touch): a binding promoted while
	// shards were being rotated is promoted again in the new generation.
	s.gen.Add(1)
}
