package sim

import "net/netip"

// applyNAT applies a NAT rule; false means the rule does not apply (acts as CONTINUE).
func (c *ctx) applyNAT(fr *frame, r *rule, dev *device, ch *chain) bool {
	n := r.nat
	pkt := &fr.pkt
	if !pkt.isIPv4() {
		return false
	}
	var before string
	if c.trace {
		before = pkt.endpoint(true) + " > " + pkt.endpoint(false)
	}
	applied := false
	switch {
	case n.reverse:
		applied = c.reverseNAT(fr, n, dev)
	case len(n.targets) == 0:
		return false
	case n.static:
		t := n.targets[0]
		ip := t.lo
		if t.hi > t.lo {
			ip += uint32(c.flowHash % uint64(t.hi-t.lo+1))
		}
		if n.dnat {
			pkt.IP.Dst = addr4(ip)
			fr.dstRewritten = true
		} else {
			pkt.IP.Src = addr4(ip)
		}
		applied = true
	default:
		applied = c.dynamicNAT(fr, n, dev)
	}
	if applied && c.trace {
		kind := "SNAT"
		switch {
		case n.reverse && n.dnat:
			kind = "reverse DNAT"
		case n.reverse:
			kind = "reverse SNAT"
		case n.dnat:
			kind = "DNAT"
		}
		if n.static && !n.reverse {
			kind = "static " + kind
		}
		c.hop(Hop{Device: dev.id, DeviceType: dev.typeName(), Port: portID(c.filterPort), Chain: ch.id, ChainName: ch.name, Rule: r.id,
			RuleAction: r.action.String(), NAT: before + " → " + pkt.endpoint(true) + " > " + pkt.endpoint(false), Note: kind})
	}
	return applied
}

func (c *ctx) reverseNAT(fr *frame, n *natSpec, dev *device) bool {
	pkt := &fr.pkt
	t, ok := tupleOf(pkt)
	if !ok {
		return false
	}
	t.kind = natRevSNAT
	if n.dnat {
		t.kind = natRevDNAT
	}
	k := natKey{dev: dev.key, t: t}
	b := c.st.natLookup(&k)
	if b == nil {
		c.addNatMiss(k)
		return false
	}
	c.addNatDep(b)
	if n.dnat {
		pkt.IP.Src = netip.AddrFrom4(b.origIP)
		setSrcPort(pkt, b.origPort)
	} else {
		pkt.IP.Dst = netip.AddrFrom4(b.origIP)
		setDstPort(pkt, b.origPort)
		fr.dstRewritten = true
	}
	return true
}

func setSrcPort(p *Packet, v uint16) {
	if p.IP.Proto == ProtoTCP || p.IP.Proto == ProtoUDP {
		p.SrcPort = v
	}
}

func setDstPort(p *Packet, v uint16) {
	if p.IP.Proto == ProtoTCP || p.IP.Proto == ProtoUDP {
		p.DstPort = v
	}
}

func (c *ctx) dynamicNAT(fr *frame, n *natSpec, dev *device) bool {
	pkt := &fr.pkt
	t, ok := tupleOf(pkt)
	if !ok {
		return false
	}
	t.kind = natSNAT
	if n.dnat {
		t.kind = natDNAT
	}
	k := natKey{dev: dev.key, t: t}
	b := c.st.natLookup(&k)
	if b == nil {
		b = c.newBinding(k, n)
		if b == nil {
			c.natFail = true
			return false
		}
		c.wrote = true
		c.recordNAT(b)
	} else {
		c.addNatDep(b)
	}
	if n.dnat {
		pkt.IP.Dst = netip.AddrFrom4(b.ip)
		setDstPort(pkt, b.port)
		fr.dstRewritten = true
	} else {
		pkt.IP.Src = netip.AddrFrom4(b.ip)
		setSrcPort(pkt, b.port)
	}
	return true
}

// newBinding allocates a translation for a new flow: SNAT ports are unique per (device,
// target ip, dst ip, dst port); DNAT picks a target by flow hash; ICMP keeps its id.
func (c *ctx) newBinding(k natKey, n *natSpec) *binding {
	t := k.t
	h := mix(c.flowHash ^ t.hash())
	tg := n.targets[h%uint64(len(n.targets))]
	ip := tg.lo
	if tg.hi > tg.lo {
		ip += uint32((h >> 16) % uint64(tg.hi-tg.lo+1))
	}
	tip := addr4(ip).As4()
	b := &binding{fwd: k}
	b.ip = tip
	if n.dnat {
		b.origIP, b.origPort = t.dst, t.dport
		b.port = t.dport
		if t.proto != ProtoICMP {
			b.port = tg.tpLo + uint16((h>>32)%uint64(tg.tpHi-tg.tpLo+1))
		}
		b.rev = natKey{dev: k.dev, t: flowTuple{src: tip, dst: t.src, sport: b.port, dport: t.sport, proto: t.proto, kind: natRevDNAT}}
		return c.st.natInsert(b)
	}
	b.origIP, b.origPort = t.src, t.sport
	b.port = t.sport
	if t.proto != ProtoICMP {
		b.used = usedKey{dev: k.dev, tip: tip, dip: t.dst, dport: t.dport}
		if !c.st.allocPort(b, tg.tpLo, tg.tpHi, h) {
			return nil
		}
		b.port = b.used.tport
	}
	b.rev = natKey{dev: k.dev, t: flowTuple{src: t.dst, dst: tip, sport: t.dport, dport: b.port, proto: t.proto, kind: natRevSNAT}}
	return c.st.natInsert(b)
}
