package sim

import (
	"net/netip"

	"github.com/midonet-go/midonet/internal/topology"
)

// Fragment policies, compiled.
const (
	policyUnfragmented uint8 = iota // the default when unset
	policyAny
	policyHeader
	policyNonHeader
)

// Field bits of a compiled condition (set = the field is matched).
const (
	fInPorts uint32 = 1 << iota
	fOutPorts
	fPortGroup
	fGroupSrc
	fGroupDst
	fDlType
	fDlSrc
	fDlDst
	fNwProto
	fNwSrc
	fNwDst
	fTpSrc
	fTpDst
	fTraversed
	fVLAN
)

// cond is a compiled topology.Condition. Each field XORs with its own inversion bit; a
// failing field returns conjInv, all passing returns !conjInv. The fragment policy is
// tested first and ignores conjInv. The packet fields form a side-effect-free AND, so they
// are tested cheapest first.
type cond struct {
	set, inv uint32
	conjInv  bool
	frag     uint8
	fragMask uint8 // bit (1 << fragment kind) set when the policy accepts that kind
	// quick: no conjunction inversion and no conntrack match, so a failing field means
	// "no match" and the rule loop may reject on the cheap fields without calling match.
	quick        bool
	fwd, ret     bool
	dstRewritten bool
	nwProto      uint8
	dlType       uint16
	tpSrc, tpDst [2]uint16
	vlan         [2]uint16
	nwSrc, nwDst subnet
	dlSrc, dlDst MAC
	inPorts      []*port
	outPorts     []*port
	portGroup    string
	grpSrc       *ipGroup
	grpDst       *ipGroup
	traversed    string
}

// subnet is a prefix compiled for fast IPv4 tests.
type subnet struct {
	is4        bool
	addr, mask uint32
	pfx        netip.Prefix
}

func newSubnet(p netip.Prefix) subnet {
	s := subnet{pfx: p}
	if p.Addr().Is4() {
		s.is4 = true
		s.mask = ^uint32(0) << (32 - p.Bits())
		if p.Bits() == 0 {
			s.mask = 0
		}
		s.addr = v4(p.Addr()) & s.mask
	}
	return s
}

func (s *subnet) contains(v *view, src bool) bool {
	if s.is4 {
		if src {
			return v.src4ok && v.src4&s.mask == s.addr
		}
		return v.dst4ok && v.dst4&s.mask == s.addr
	}
	if src {
		return s.pfx.Contains(v.src)
	}
	return s.pfx.Contains(v.dst)
}

// view is what conditions read of a packet, computed once per filter run (and again after
// a NAT rule rewrote the packet).
type view struct {
	frag           uint8
	hasProto       bool
	proto          uint8
	src4ok, dst4ok bool
	src4, dst4     uint32
	tpSrc, tpDst   uint16
	src, dst       netip.Addr
}

func (v *view) load(p *Packet) {
	v.frag = p.fragment()
	v.proto, v.hasProto = p.nwProto()
	v.src, v.dst = p.nwSrc(), p.nwDst()
	v.src4ok, v.dst4ok = v.src.Is4(), v.dst.Is4()
	if v.src4ok {
		v.src4 = v4(v.src)
	}
	if v.dst4ok {
		v.dst4 = v4(v.dst)
	}
	v.tpSrc, v.tpDst = p.tpSrc(), p.tpDst()
}

func (t *Topology) compileCond(c *topology.Condition, what string) cond {
	var k cond
	k.conjInv = c.ConjunctionInv
	k.fwd, k.ret, k.dstRewritten = c.MatchForwardFlow, c.MatchReturnFlow, c.NwDstRewritten
	switch c.FragmentPolicy {
	case "", topology.FragUnfragmented:
		k.frag = policyUnfragmented
	case topology.FragAny:
		k.frag = policyAny
	case topology.FragHeader:
		k.frag = policyHeader
	case topology.FragNonHeader:
		k.frag = policyNonHeader
	default:
		t.warn("%s: unknown fragment policy %q (UNFRAGMENTED used)", what, c.FragmentPolicy)
	}
	for f := fragNone; f <= fragLater; f++ {
		if policyAccepts(k.frag, f) {
			k.fragMask |= 1 << f
		}
	}
	flag := func(bit uint32, inv bool) {
		k.set |= bit
		if inv {
			k.inv |= bit
		}
	}
	if len(c.InPortIDs) > 0 {
		flag(fInPorts, c.InPortInv)
		k.inPorts = t.portList(c.InPortIDs)
	}
	if len(c.OutPortIDs) > 0 {
		flag(fOutPorts, c.OutPortInv)
		k.outPorts = t.portList(c.OutPortIDs)
	}
	if c.PortGroupID != "" {
		flag(fPortGroup, c.InvPortGroup)
		k.portGroup = c.PortGroupID
	}
	if c.IPAddrGroupSrc != "" {
		flag(fGroupSrc, c.InvIPAddrSrc)
		k.grpSrc = t.group(c.IPAddrGroupSrc, what)
	}
	if c.IPAddrGroupDst != "" {
		flag(fGroupDst, c.InvIPAddrDst)
		k.grpDst = t.group(c.IPAddrGroupDst, what)
	}
	if c.DlType != 0 {
		flag(fDlType, c.InvDlType)
		k.dlType = uint16(c.DlType)
	}
	if c.DlSrc != "" {
		if m, err := ParseMAC(c.DlSrc); err == nil {
			flag(fDlSrc, c.InvDlSrc)
			k.dlSrc = m
		} else {
			t.warn("%s: bad dl_src %q (ignored)", what, c.DlSrc)
		}
	}
	if c.DlDst != "" {
		if m, err := ParseMAC(c.DlDst); err == nil {
			flag(fDlDst, c.InvDlDst)
			k.dlDst = m
		} else {
			t.warn("%s: bad dl_dst %q (ignored)", what, c.DlDst)
		}
	}
	if c.NwProto != 0 {
		flag(fNwProto, c.NwProtoInv)
		k.nwProto = uint8(c.NwProto)
	}
	if c.NwSrcIP != "" {
		if p, ok := parseSubnet(c.NwSrcIP); ok {
			flag(fNwSrc, c.NwSrcInv)
			k.nwSrc = newSubnet(p)
		} else {
			t.warn("%s: bad nw_src %q (ignored)", what, c.NwSrcIP)
		}
	}
	if c.NwDstIP != "" {
		if p, ok := parseSubnet(c.NwDstIP); ok {
			flag(fNwDst, c.NwDstInv)
			k.nwDst = newSubnet(p)
		} else {
			t.warn("%s: bad nw_dst %q (ignored)", what, c.NwDstIP)
		}
	}
	if c.TpSrc != nil {
		flag(fTpSrc, c.TpSrcInv)
		k.tpSrc = [2]uint16{uint16(c.TpSrc.Start), uint16(c.TpSrc.End)}
	}
	if c.TpDst != nil {
		flag(fTpDst, c.TpDstInv)
		k.tpDst = [2]uint16{uint16(c.TpDst.Start), uint16(c.TpDst.End)}
	}
	if c.VLAN != nil {
		flag(fVLAN, false)
		k.vlan = [2]uint16{uint16(max(c.VLAN.Start, 1)), uint16(min(c.VLAN.End, 4095))}
	}
	if c.TraversedDevice != "" {
		flag(fTraversed, false)
		k.traversed = c.TraversedDevice
	}
	k.quick = !k.conjInv && !k.fwd && !k.ret
	return k
}

func parseSubnet(s string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

func (t *Topology) portList(ids []string) []*port {
	out := make([]*port, 0, len(ids))
	for _, id := range ids {
		if p := t.ports[id]; p != nil {
			out = append(out, p)
		}
	}
	return out
}

// group returns a referenced address group; a missing group matches as an empty one.
func (t *Topology) group(id, what string) *ipGroup {
	if g := t.groups[id]; g != nil {
		return g
	}
	t.warn("%s: address group %s missing (treated as empty)", what, id)
	g := &ipGroup{id: id, members: map[netip.Addr]struct{}{}}
	t.groups[id] = g
	return g
}

func policyAccepts(policy, frag uint8) bool {
	switch policy {
	case policyAny:
		return true
	case policyHeader:
		return frag != fragLater
	case policyNonHeader:
		return frag == fragLater
	}
	return frag == fragNone
}

func containsPort(ps []*port, p *port) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

// match evaluates a condition against a frame. portFilter is true while a port's own
// filter runs: MidoNet then treats the in-port and out-port as unknown.
func (c *ctx) match(fr *frame, k *cond, portFilter bool) bool {
	if k.fragMask&(1<<c.view.frag) == 0 {
		return false
	}
	// Conntrack first, as the agent does: the lookup (and so the recording of the reply
	// key at egress) happens whenever a rule asks, whatever its other fields say.
	if k.fwd && c.isReturn(fr) {
		return k.conjInv
	}
	if k.ret && !c.isReturn(fr) {
		return k.conjInv
	}
	if k.set != 0 && !c.matchFields(fr, k, portFilter) {
		return k.conjInv
	}
	if k.dstRewritten && !fr.dstRewritten {
		return k.conjInv
	}
	return !k.conjInv
}

func (c *ctx) matchFields(fr *frame, k *cond, portFilter bool) bool {
	v := &c.view
	pkt := &fr.pkt
	set, inv := k.set, k.inv
	// Cheap integer fields first.
	if set&fTpDst != 0 && (v.tpDst >= k.tpDst[0] && v.tpDst <= k.tpDst[1]) == (inv&fTpDst != 0) {
		return false
	}
	if set&fNwProto != 0 && (v.hasProto && v.proto == k.nwProto) == (inv&fNwProto != 0) {
		return false
	}
	if set&fDlType != 0 && (pkt.EtherType == k.dlType) == (inv&fDlType != 0) {
		return false
	}
	if set&fVLAN != 0 && !(pkt.VLAN >= k.vlan[0] && pkt.VLAN <= k.vlan[1]) {
		return false
	}
	if set&fTpSrc != 0 && (v.tpSrc >= k.tpSrc[0] && v.tpSrc <= k.tpSrc[1]) == (inv&fTpSrc != 0) {
		return false
	}
	if set&fNwSrc != 0 && k.nwSrc.contains(v, true) == (inv&fNwSrc != 0) {
		return false
	}
	if set&fNwDst != 0 && k.nwDst.contains(v, false) == (inv&fNwDst != 0) {
		return false
	}
	if set&(fDlSrc|fDlDst|fInPorts|fOutPorts|fPortGroup|fGroupSrc|fGroupDst|fTraversed) == 0 {
		return true
	}
	if set&fDlSrc != 0 && (pkt.EthSrc == k.dlSrc) == (inv&fDlSrc != 0) {
		return false
	}
	if set&fDlDst != 0 && (pkt.EthDst == k.dlDst) == (inv&fDlDst != 0) {
		return false
	}
	if set&fInPorts != 0 {
		in := !portFilter && fr.inPort != nil && containsPort(k.inPorts, fr.inPort)
		if in == (inv&fInPorts != 0) {
			return false
		}
	}
	if set&fOutPorts != 0 {
		out := !portFilter && fr.outPort != nil && containsPort(k.outPorts, fr.outPort)
		if out == (inv&fOutPorts != 0) {
			return false
		}
	}
	if set&fPortGroup != 0 {
		in := false
		if fr.inPort != nil {
			for _, g := range fr.inPort.groups {
				if g == k.portGroup {
					in = true
					break
				}
			}
		}
		if in == (inv&fPortGroup != 0) {
			return false
		}
	}
	if set&fGroupSrc != 0 {
		_, in := k.grpSrc.members[v.src]
		if in == (inv&fGroupSrc != 0) {
			return false
		}
	}
	if set&fGroupDst != 0 {
		_, in := k.grpDst.members[v.dst]
		if in == (inv&fGroupDst != 0) {
			return false
		}
	}
	if set&fTraversed != 0 && !fr.traversed(k.traversed) {
		return false
	}
	return true
}
