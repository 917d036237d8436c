package datapath

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/midonet-go/midonet/internal/sim"
)

// IPv6 frames: the fixed header, TCP/UDP ports, ICMPv6 echo and Neighbor Discovery (NS/NA
// with their link-layer address options), what the simulator's NDP proxy works on
// (internal/sim/ndp.go). Extension headers are not walked: a datagram with one carries no
// transport fields for the simulator.

const ipv6Header = 40

// decodeIPv6 reads an IPv6 datagram starting at l.l3 of b into p.
func decodeIPv6(b []byte, l layout, p *sim.Packet) (layout, error) {
	h := b[l.l3:]
	if len(h) < ipv6Header || h[0]>>4 != 6 {
		return l, errors.New("datapath: bad IPv6 header")
	}
	payload := int(binary.BigEndian.Uint16(h[4:6]))
	if ipv6Header+payload > len(h) {
		return l, errors.New("datapath: bad IPv6 payload length")
	}
	l.ipEnd = l.l3 + ipv6Header + payload
	p.IP.TOS = byte(binary.BigEndian.Uint16(h[0:2]) >> 4)
	p.IP.Proto = h[6]
	p.IP.TTL = h[7]
	p.IP.Src = netip.AddrFrom16([16]byte(h[8:24]))
	p.IP.Dst = netip.AddrFrom16([16]byte(h[24:40]))
	l.l4 = l.l3 + ipv6Header
	t := b[l.l4:l.ipEnd]
	switch p.IP.Proto {
	case sim.ProtoICMPv6:
		if len(t) < 8 {
			return l, errShort
		}
		p.ICMP = sim.ICMP{Type: t[0], Code: t[1]}
		switch p.ICMP.Type {
		case sim.ICMPv6EchoRequest, sim.ICMPv6EchoReply:
			p.ICMP.ID, p.ICMP.Seq = binary.BigEndian.Uint16(t[4:6]), binary.BigEndian.Uint16(t[6:8])
		case sim.NDNeighborSolicit, sim.NDNeighborAdvert:
			if len(t) < 24 {
				return l, errShort
			}
			nd := &sim.ND{Target: netip.AddrFrom16([16]byte(t[8:24]))}
			if p.ICMP.Type == sim.NDNeighborAdvert {
				nd.Router, nd.Solicited, nd.Override = t[4]&0x80 != 0, t[4]&0x40 != 0, t[4]&0x20 != 0
			}
			// The source (1) or target (2) link-layer address option, in 8-byte units.
			for o := t[24:]; len(o) >= 8 && o[1] > 0 && len(o) >= int(o[1])*8; o = o[int(o[1])*8:] {
				if (o[0] == 1 || o[0] == 2) && o[1] == 1 {
					copy(nd.LinkAddr[:], o[2:8])
				}
			}
			p.ND = nd
		}
	case sim.ProtoTCP, sim.ProtoUDP:
		if len(t) < 8 || (p.IP.Proto == sim.ProtoTCP && len(t) < 20) {
			return l, errShort
		}
		p.SrcPort = binary.BigEndian.Uint16(t[0:2])
		p.DstPort = binary.BigEndian.Uint16(t[2:4])
	default:
		l.l4 = 0 // an extension header or another protocol: no transport fields
	}
	return l, nil
}

// rewriteIPv6 applies the simulation's changes to an IPv6 datagram (addresses, hop limit,
// ports, echo id) and recomputes the transport checksum.
func rewriteIPv6(b []byte, l layout, out *sim.Packet) {
	h := b[l.l3:]
	h[7] = out.IP.TTL
	if out.IP.Src.Is6() {
		a := out.IP.Src.As16()
		copy(h[8:24], a[:])
	}
	if out.IP.Dst.Is6() {
		a := out.IP.Dst.As16()
		copy(h[24:40], a[:])
	}
	if l.l4 == 0 {
		return
	}
	t := b[l.l4:l.ipEnd]
	switch out.IP.Proto {
	case sim.ProtoTCP:
		binary.BigEndian.PutUint16(t[0:2], out.SrcPort)
		binary.BigEndian.PutUint16(t[2:4], out.DstPort)
		binary.BigEndian.PutUint16(t[16:18], 0)
		binary.BigEndian.PutUint16(t[16:18], l4Checksum6(h, t, sim.ProtoTCP))
	case sim.ProtoUDP:
		binary.BigEndian.PutUint16(t[0:2], out.SrcPort)
		binary.BigEndian.PutUint16(t[2:4], out.DstPort)
		binary.BigEndian.PutUint16(t[6:8], 0)
		c := l4Checksum6(h, t, sim.ProtoUDP)
		if c == 0 {
			c = 0xffff
		}
		binary.BigEndian.PutUint16(t[6:8], c)
	case sim.ProtoICMPv6:
		if out.ICMP.Type == sim.ICMPv6EchoRequest || out.ICMP.Type == sim.ICMPv6EchoReply {
			binary.BigEndian.PutUint16(t[4:6], out.ICMP.ID)
		}
		binary.BigEndian.PutUint16(t[2:4], 0)
		binary.BigEndian.PutUint16(t[2:4], l4Checksum6(h, t, sim.ProtoICMPv6))
	}
}

// l4Checksum6 is a TCP, UDP or ICMPv6 checksum over the IPv6 pseudo-header (addresses,
// upper-layer length, next header) and the segment.
func l4Checksum6(ip, seg []byte, proto uint8) uint16 {
	var sum uint32
	for i := 8; i < 40; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	sum += uint32(len(seg)>>16) + uint32(len(seg)&0xffff) + uint32(proto)
	return checksum(seg, sum)
}

// buildIPv6 makes the datagram of a generated IPv6 packet (after the Ethernet header):
// Neighbor Solicitations and Advertisements with their link-layer address option, and
// echo replies carrying the request's data. nil for anything else.
func buildIPv6(p *sim.Packet, in []byte, inL layout) []byte {
	if p.IP.Proto != sim.ProtoICMPv6 || !p.IP.Src.Is6() || !p.IP.Dst.Is6() {
		return nil
	}
	var l4 []byte
	switch {
	case p.ND != nil && (p.ICMP.Type == sim.NDNeighborSolicit || p.ICMP.Type == sim.NDNeighborAdvert):
		l4 = make([]byte, 32)
		l4[0] = p.ICMP.Type
		opt := byte(1) // source link-layer address
		if p.ICMP.Type == sim.NDNeighborAdvert {
			opt = 2 // target link-layer address
			if p.ND.Router {
				l4[4] |= 0x80
			}
			if p.ND.Solicited {
				l4[4] |= 0x40
			}
			if p.ND.Override {
				l4[4] |= 0x20
			}
		}
		t := p.ND.Target.As16()
		copy(l4[8:24], t[:])
		l4[24], l4[25] = opt, 1
		copy(l4[26:32], p.ND.LinkAddr[:])
	case p.ICMP.Type == sim.ICMPv6EchoReply:
		l4 = make([]byte, 8)
		l4[0] = p.ICMP.Type
		binary.BigEndian.PutUint16(l4[4:6], p.ICMP.ID)
		binary.BigEndian.PutUint16(l4[6:8], p.ICMP.Seq)
		if inL.l4 != 0 && inL.ipEnd-inL.l4 > 8 {
			l4 = append(l4, in[inL.l4+8:inL.ipEnd]...)
		}
	default:
		return nil
	}
	ip := make([]byte, ipv6Header)
	ip[0] = 0x60
	binary.BigEndian.PutUint16(ip[4:6], uint16(len(l4)))
	ttl := p.IP.TTL
	if ttl == 0 {
		ttl = 64
	}
	ip[6], ip[7] = sim.ProtoICMPv6, ttl
	s, d := p.IP.Src.As16(), p.IP.Dst.As16()
	copy(ip[8:24], s[:])
	copy(ip[24:40], d[:])
	binary.BigEndian.PutUint16(l4[2:4], l4Checksum6(ip, l4, sim.ProtoICMPv6))
	return append(ip, l4...)
}
