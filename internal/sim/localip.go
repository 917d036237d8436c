package sim

import (
	"net/netip"
	"sort"

	"github.com/midonet-go/midonet/internal/topology"
)

// Local IPs (Neutron's node-local virtual IPs): on a network, a Local IP associated with a
// port answers, for the VMs on the same host as that port, with the port's MAC (ARP), and
// traffic to it reaches the port: its destination becomes the port's fixed IP (translate
// mode; passthrough keeps the Local IP) and the answers come back from the Local IP — as the
// OVS agent's local-IP flows do per host. A VM on another host, or the port itself (no NAT
// to itself), is not translated.

// localIP is one association compiled for a bridge.
type localIP struct {
	entry  *topology.LocalIPEntry
	ip     netip.Addr
	fixed  netip.Addr
	mac    MAC
	portID string
}

// compileLocalIPs attaches the entries to their bridges.
func (t *Topology) compileLocalIPs(es []*topology.LocalIPEntry) {
	sort.Slice(es, func(i, j int) bool { return es[i].ID < es[j].ID })
	for _, e := range es {
		b := t.bridges[e.NetworkID]
		ip, err1 := netip.ParseAddr(e.LocalIP)
		fixed, err2 := netip.ParseAddr(e.FixedIP)
		mac, err3 := ParseMAC(e.MAC)
		if b == nil || err1 != nil || err2 != nil || err3 != nil || !ip.Is4() || !fixed.Is4() {
			t.warn("local IP entry %s: network %q, addresses %q %q or MAC %q unusable", e.ID, e.NetworkID, e.LocalIP, e.FixedIP, e.MAC)
			continue
		}
		b.localIPs = append(b.localIPs, &localIP{entry: e, ip: ip, fixed: fixed, mac: mac, portID: e.PortID})
	}
}

// hostOf is the host a port is bound to ("" when unbound).
func hostOf(p *port) string {
	if p == nil || p.obj == nil {
		return ""
	}
	return p.obj.HostID
}

// localIPFor is the association that serves a Local IP to a port of the bridge: one of the
// same host, not the port itself.
func (b *bridge) localIPFor(ip netip.Addr, in *port) *localIP {
	host := hostOf(in)
	for _, l := range b.localIPs {
		if l.ip == ip && l.portID != in.id && host != "" && hostOf(l.port(b)) == host {
			return l
		}
	}
	return nil
}

// port is the bridge port of the association.
func (l *localIP) port(b *bridge) *port {
	for _, p := range b.ports {
		if p.id == l.portID {
			return p
		}
	}
	return nil
}

// localIPARP answers an ARP request for a Local IP with the serving port's MAC.
func (c *ctx) localIPARP(fr *frame, in *port) bool {
	b := in.bridge
	pkt := &fr.pkt
	l := b.localIPFor(pkt.ARP.TargetIP, in)
	if l == nil {
		return false
	}
	if c.trace {
		c.note(&b.device, in, "local IP %s is-at %s (port %s on this host)", l.ip, l.mac, l.portID)
	}
	reply := Packet{EthSrc: l.mac, EthDst: pkt.ARP.SenderMAC, EtherType: EtherARP,
		ARP: ARP{Op: ARPReply, SenderMAC: l.mac, SenderIP: l.ip, TargetMAC: pkt.ARP.SenderMAC, TargetIP: pkt.ARP.SenderIP}}
	c.consumed = true
	c.generate(reply, in)
	return true
}

// localIPTranslate rewrites a packet of the bridge to or from a Local IP: to it, towards the
// serving port (and its fixed IP in translate mode, remembered as a NAT binding of the
// bridge); from the serving port, an answer of such a flow gets the Local IP back.
func (c *ctx) localIPTranslate(fr *frame, in *port) {
	b := in.bridge
	pkt := &fr.pkt
	if len(b.localIPs) == 0 || !pkt.isIPv4() {
		return
	}
	t, ok := tupleOf(pkt)
	if !ok {
		return
	}
	for _, l := range b.localIPs {
		if l.portID != in.id || pkt.IP.Src != l.fixed {
			continue
		}
		t.kind = natRevDNAT
		k := natKey{dev: b.key, t: t}
		bd := c.st.natLookup(&k)
		if bd == nil {
			c.addNatMiss(k)
			return
		}
		c.addNatDep(bd)
		pkt.IP.Src = netip.AddrFrom4(bd.origIP)
		if c.trace {
			c.note(&b.device, in, "local IP: answer from %s leaves as %s", l.fixed, pkt.IP.Src)
		}
		return
	}
	l := b.localIPFor(pkt.IP.Dst, in)
	if l == nil || pkt.IP.Src == l.fixed {
		return
	}
	pkt.EthDst = l.mac
	if l.entry.Passthrough {
		if c.trace {
			c.note(&b.device, in, "local IP %s passed through to port %s", l.ip, l.portID)
		}
		return
	}
	t.kind = natDNAT
	k := natKey{dev: b.key, t: t}
	bd := c.st.natLookup(&k)
	if bd == nil {
		bd = &binding{fwd: k, ip: l.fixed.As4(), port: t.dport, origIP: l.ip.As4(), origPort: t.dport}
		bd.rev = natKey{dev: b.key, t: flowTuple{src: l.fixed.As4(), dst: t.src, sport: t.dport, dport: t.sport, proto: t.proto, kind: natRevDNAT}}
		bd = c.st.natInsert(bd)
		c.wrote = true
		c.recordNAT(bd)
	} else {
		c.addNatDep(bd)
	}
	pkt.IP.Dst = l.fixed
	fr.dstRewritten = true
	if c.trace {
		c.note(&b.device, in, "local IP %s translated to port %s's %s", l.ip, l.portID, l.fixed)
	}
}
