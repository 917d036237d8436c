package sim

import "net/netip"

// bridgeSim is a network's forwarding decision (facts §4.4): MAC learning, ARP suppression,
// unicast by MAC table, flooding to exterior ports.
func (c *ctx) bridgeSim(fr *frame, in *port) {
	b := in.bridge
	if !c.enter(fr, &b.device) {
		return
	}
	pkt := &fr.pkt
	if pkt.EthSrc.IsMulticast() {
		c.dropf(fr, DropProtocol, b.id, in.id, "multicast source MAC %s", pkt.EthSrc)
		return
	}
	if !b.adminUp {
		c.dropf(fr, DropAdminDown, b.id, in.id, "network %s is administratively down", b.id)
		return
	}
	// VLAN-aware bridges (facts 4.4.6): an access port pushes its VLAN into the trunk.
	if in.vlanID != 0 && pkt.VLAN == 0 {
		pkt.VLAN = in.vlanID
		c.note(&b.device, in, "access port %s: VLAN %d pushed", in.id, in.vlanID)
	}
	// MAC learning, except for the MACs of linked router ports and seeded entries.
	if _, isRouter := b.routerMACs[pkt.EthSrc]; !isRouter && b.macs[macVLAN{pkt.EthSrc, pkt.VLAN}] != in {
		k := macKey{dev: b.key, mac: pkt.EthSrc, vlan: pkt.VLAN}
		if c.st.macLearn(&k, in.id) {
			c.wrote = true
			c.recordMAC(&k, in.id)
			c.note(&b.device, in, "learned %s on port %s", pkt.EthSrc, in.id)
		}
	}
	// A frame from the trunk with a VLAN that has an access port goes there.
	if pkt.VLAN != 0 && in.vlanID == 0 {
		if vp := b.vlanPorts[pkt.VLAN]; vp != nil {
			c.note(&b.device, vp, "VLAN %d to access port %s", pkt.VLAN, vp.id)
			c.egressPort(fr, vp)
			return
		}
	}
	if pkt.EtherType == EtherARP && pkt.ARP.Op == ARPRequest && pkt.EthDst.IsMulticast() {
		if len(b.localIPs) > 0 && c.localIPARP(fr, in) {
			return
		}
		c.bridgeARP(fr, in)
		return
	}
	if len(b.localIPs) > 0 {
		c.localIPTranslate(fr, in)
	}
	if pkt.EthDst.IsMulticast() && pkt.VLAN == 0 && pkt.isND() && pkt.ICMP.Type == NDNeighborSolicit && c.bridgeNS(fr, in) {
		return
	}
	if pkt.EthDst.IsMulticast() {
		c.flood(fr, in, "multicast/broadcast")
		return
	}
	out := b.routerMACs[pkt.EthDst]
	if out == nil {
		out = b.macs[macVLAN{pkt.EthDst, pkt.VLAN}]
	}
	if out == nil {
		k := macKey{dev: b.key, mac: pkt.EthDst, vlan: pkt.VLAN}
		if id, ok := c.st.macLookup(&k); ok {
			if p := c.topo.ports[id]; p != nil && p.bridge == b {
				out = p
			}
		}
	}
	if out == nil {
		c.flood(fr, in, "unknown destination MAC")
		return
	}
	if out == in {
		c.dropf(fr, DropHairpin, b.id, in.id, "destination %s is behind the ingress port", pkt.EthDst)
		return
	}
	if c.trace {
		c.note(&b.device, out, "unicast %s to port %s", pkt.EthDst, out.id)
	}
	c.egressPort(fr, out)
}

// bridgeARP handles a broadcast ARP request: suppression from router-port addresses and
// the IP→MAC table (seeded, or learned from gratuitous ARPs), else unicast to the router
// port owning the address, else flood.
func (c *ctx) bridgeARP(fr *frame, in *port) {
	b := in.bridge
	pkt := &fr.pkt
	target := pkt.ARP.TargetIP
	gratuitous := pkt.ARP.SenderIP == target
	if pkt.VLAN == 0 && !gratuitous {
		var mac MAC
		found := false
		if rp := b.routerIPs[target]; rp != nil {
			mac, found = rp.mac, true
		} else if m, ok := b.arps[target]; ok {
			mac, found = m, true
		} else if m, ok := c.st.arpLookup(&arpKey{dev: b.key, ip: target.As16()}); ok {
			mac, found = m, true
		}
		if found {
			if c.trace {
				c.note(&b.device, in, "ARP suppression: %s is-at %s", target, mac)
			}
			reply := Packet{EthSrc: mac, EthDst: pkt.ARP.SenderMAC, EtherType: EtherARP,
				ARP: ARP{Op: ARPReply, SenderMAC: mac, SenderIP: target, TargetMAC: pkt.ARP.SenderMAC, TargetIP: pkt.ARP.SenderIP}}
			c.consumed = true
			c.generate(reply, in)
			return
		}
	}
	if rp := b.routerIPs[target]; rp != nil && rp.peer != nil && rp.peer != in {
		c.egressPort(fr, rp.peer)
		return
	}
	if gratuitous && target.IsValid() {
		k := arpKey{dev: b.key, ip: target.As16()}
		if c.st.arpLearn(&k, pkt.ARP.SenderMAC) {
			c.wrote = true
			c.recordARP(&k, pkt.ARP.SenderMAC)
		}
	}
	c.flood(fr, in, "ARP request")
}

// flood forks the frame to every exterior port of the bridge but the ingress one.
func (c *ctx) flood(fr *frame, in *port, why string) {
	b := in.bridge
	if c.trace {
		c.note(&b.device, in, "flood (%s) to %d exterior ports and %d linked bridges", why, len(b.exterior), len(b.links))
	}
	n := 0
	for _, p := range b.exterior {
		if p == in {
			continue
		}
		f := *fr
		c.egressPort(&f, p)
		n++
	}
	// Ports linked to another bridge are flooded too (an access port only with its VLAN).
	for _, p := range b.links {
		if p == in || p.vlanID != 0 && p.vlanID != fr.pkt.VLAN {
			continue
		}
		f := *fr
		c.egressPort(&f, p)
		n++
	}
	if n == 0 {
		c.dropf(fr, DropNoEgress, b.id, in.id, "flood on network %s reaches no other exterior port", b.id)
	}
}

// arpRequest builds the ARP request a router port sends for an address.
func arpRequest(from *port, target netip.Addr) Packet {
	return Packet{EthSrc: from.mac, EthDst: BroadcastMAC, EtherType: EtherARP,
		ARP: ARP{Op: ARPRequest, SenderMAC: from.mac, SenderIP: from.addr, TargetIP: target}}
}
