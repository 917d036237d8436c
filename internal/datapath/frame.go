package datapath

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/midonet-go/midonet/internal/sim"
)

// Offsets of the headers in one frame.
type layout struct {
	l3    int // start of the ARP or IPv4 header
	l4    int // start of the TCP, UDP or ICMP header (0 when there is none)
	ipEnd int // end of the IPv4 datagram (total length), within the frame
}

var errShort = errors.New("datapath: frame too short")

// decode reads the headers the simulator works on from an Ethernet frame (and the frame
// inside a VXLAN datagram, one level deep).
func decode(b []byte) (sim.Packet, layout, error) { return decodeFrame(b, true) }

func decodeFrame(b []byte, vxlan bool) (sim.Packet, layout, error) {
	var p sim.Packet
	var l layout
	if len(b) < 14 {
		return p, l, errShort
	}
	copy(p.EthDst[:], b[0:6])
	copy(p.EthSrc[:], b[6:12])
	p.EtherType = binary.BigEndian.Uint16(b[12:14])
	p.Size = len(b)
	l.l3 = 14
	if p.EtherType == 0x8100 {
		if len(b) < 18 {
			return p, l, errShort
		}
		p.VLAN = binary.BigEndian.Uint16(b[14:16]) & 0x0fff
		p.EtherType = binary.BigEndian.Uint16(b[16:18])
		l.l3 = 18
	}
	h := b[l.l3:]
	switch p.EtherType {
	case sim.EtherARP:
		if len(h) < 28 || binary.BigEndian.Uint16(h[2:4]) != sim.EtherIPv4 || h[4] != 6 || h[5] != 4 {
			return p, l, errors.New("datapath: not an IPv4-over-Ethernet ARP message")
		}
		p.ARP.Op = binary.BigEndian.Uint16(h[6:8])
		copy(p.ARP.SenderMAC[:], h[8:14])
		p.ARP.SenderIP = netip.AddrFrom4([4]byte(h[14:18]))
		copy(p.ARP.TargetMAC[:], h[18:24])
		p.ARP.TargetIP = netip.AddrFrom4([4]byte(h[24:28]))
		return p, l, nil
	case sim.EtherIPv4:
	case sim.EtherIPv6:
		l, err := decodeIPv6(b, l, &p)
		return p, l, err
	default:
		return p, l, nil // other ethertypes: the simulator decides
	}
	if len(h) < 20 || h[0]>>4 != 4 {
		return p, l, errors.New("datapath: bad IPv4 header")
	}
	ihl := int(h[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(h[2:4]))
	if ihl < 20 || total < ihl || total > len(h) {
		return p, l, errors.New("datapath: bad IPv4 lengths")
	}
	l.ipEnd = l.l3 + total
	p.IP.TOS = h[1]
	frag := binary.BigEndian.Uint16(h[6:8])
	p.IP.DontFragment = frag&0x4000 != 0
	p.IP.MoreFragments = frag&0x2000 != 0
	p.IP.FragOffset = frag & 0x1fff
	p.IP.TTL = h[8]
	p.IP.Proto = h[9]
	p.IP.Src = netip.AddrFrom4([4]byte(h[12:16]))
	p.IP.Dst = netip.AddrFrom4([4]byte(h[16:20]))
	if p.IP.FragOffset != 0 {
		return p, l, nil // no transport header in a later fragment
	}
	l.l4 = l.l3 + ihl
	t := b[l.l4:l.ipEnd]
	switch p.IP.Proto {
	case sim.ProtoICMP:
		if len(t) < 8 {
			return p, l, errShort
		}
		p.ICMP = sim.ICMP{Type: t[0], Code: t[1], ID: binary.BigEndian.Uint16(t[4:6]), Seq: binary.BigEndian.Uint16(t[6:8])}
	case sim.ProtoTCP, sim.ProtoUDP:
		if len(t) < 8 || (p.IP.Proto == sim.ProtoTCP && len(t) < 20) {
			return p, l, errShort
		}
		p.SrcPort = binary.BigEndian.Uint16(t[0:2])
		p.DstPort = binary.BigEndian.Uint16(t[2:4])
		if p.IP.Proto == sim.ProtoUDP && p.SrcPort == 68 && p.DstPort == 67 {
			p.DHCP = decodeDHCP(t[8:])
		}
		if vxlan && p.IP.Proto == sim.ProtoUDP && p.DstPort == sim.VXLANPort {
			decodeVXLAN(b, l, &p)
		}
	}
	return p, l, nil
}

// decodeDHCP reads the request fields of a BOOTP message (nil when it is not DHCP).
func decodeDHCP(b []byte) *sim.DHCP {
	if len(b) < 240 || b[0] != 1 || binary.BigEndian.Uint32(b[236:240]) != dhcpMagic {
		return nil
	}
	d := &sim.DHCP{XID: binary.BigEndian.Uint32(b[4:8])}
	copy(d.ClientMAC[:], b[28:34])
	for o := b[240:]; len(o) > 0; {
		code := o[0]
		if code == 255 {
			break
		}
		if code == 0 {
			o = o[1:]
			continue
		}
		if len(o) < 2 || len(o) < 2+int(o[1]) {
			break
		}
		if code == 53 && o[1] == 1 {
			d.MsgType = o[2]
		}
		o = o[2+int(o[1]):]
	}
	if d.MsgType == 0 {
		return nil
	}
	return d
}

const dhcpMagic = 0x63825363

// rewrite applies what the simulation changed (MACs, VLAN tag, addresses, TTL, TOS, ports,
// ICMP id) to a copy of the frame and recomputes the checksums. TCP and UDP checksums are
// always recomputed: a frame read from a veth may carry only a partial one (checksum
// offload).
func rewrite(raw []byte, l layout, out *sim.Packet) []byte {
	b, _ := rewriteLayout(raw, l, out)
	return b
}

// rewriteLayout is rewrite that also returns the layout of the new frame (a VLAN tag pushed
// or popped moves every header by four bytes).
func rewriteLayout(raw []byte, l layout, out *sim.Packet) ([]byte, layout) {
	b, l := retag(raw, l, out.VLAN)
	return rewriteIn(b, l, out), l
}

// retag copies a frame with its 802.1Q tag set to vlan: pushed after the MACs, popped
// (vlan 0), or its id changed (the priority bits are kept).
func retag(raw []byte, l layout, vlan uint16) ([]byte, layout) {
	tagged := l.l3 == 18
	switch {
	case tagged && vlan == 0:
		b := make([]byte, 0, len(raw)-4)
		b = append(append(b, raw[:12]...), raw[16:]...)
		return b, shift(l, -4)
	case !tagged && vlan != 0:
		b := make([]byte, 0, len(raw)+4)
		b = append(b, raw[:12]...)
		b = binary.BigEndian.AppendUint16(b, 0x8100)
		b = binary.BigEndian.AppendUint16(b, vlan&0x0fff)
		return append(b, raw[12:]...), shift(l, 4)
	}
	b := append([]byte(nil), raw...)
	if tagged {
		tci := binary.BigEndian.Uint16(b[14:16])
		binary.BigEndian.PutUint16(b[14:16], tci&0xf000|vlan&0x0fff)
	}
	return b, l
}

// shift moves a layout's offsets by d bytes.
func shift(l layout, d int) layout {
	l.l3 += d
	if l.l4 != 0 {
		l.l4 += d
	}
	if l.ipEnd != 0 {
		l.ipEnd += d
	}
	return l
}

// pushVLAN inserts an 802.1Q tag into a built frame (vlan 0: the frame as it is).
func pushVLAN(b []byte, vlan uint16) []byte {
	if vlan == 0 || len(b) < 14 {
		return b
	}
	out, _ := retag(b, layout{l3: 14}, vlan)
	return out
}

// rewriteIn applies the simulation's changes to b (a copy already tagged as out says).
func rewriteIn(b []byte, l layout, out *sim.Packet) []byte {
	copy(b[0:6], out.EthDst[:])
	copy(b[6:12], out.EthSrc[:])
	if out.EtherType == sim.EtherIPv6 && l.ipEnd != 0 {
		rewriteIPv6(b, l, out)
		return b
	}
	if out.EtherType != sim.EtherIPv4 || l.ipEnd == 0 {
		return b
	}
	h := b[l.l3:]
	h[1] = out.IP.TOS
	h[8] = out.IP.TTL
	if out.IP.Src.Is4() {
		a := out.IP.Src.As4()
		copy(h[12:16], a[:])
	}
	if out.IP.Dst.Is4() {
		a := out.IP.Dst.As4()
		copy(h[16:20], a[:])
	}
	ihl := int(h[0]&0x0f) * 4
	binary.BigEndian.PutUint16(h[10:12], 0)
	binary.BigEndian.PutUint16(h[10:12], checksum(h[:ihl], 0))
	if l.l4 == 0 {
		return b
	}
	t := b[l.l4:l.ipEnd]
	switch out.IP.Proto {
	case sim.ProtoTCP:
		binary.BigEndian.PutUint16(t[0:2], out.SrcPort)
		binary.BigEndian.PutUint16(t[2:4], out.DstPort)
		binary.BigEndian.PutUint16(t[16:18], 0)
		binary.BigEndian.PutUint16(t[16:18], l4Checksum(h, t))
	case sim.ProtoUDP:
		binary.BigEndian.PutUint16(t[0:2], out.SrcPort)
		binary.BigEndian.PutUint16(t[2:4], out.DstPort)
		binary.BigEndian.PutUint16(t[6:8], 0)
		c := l4Checksum(h, t)
		if c == 0 {
			c = 0xffff
		}
		binary.BigEndian.PutUint16(t[6:8], c)
	case sim.ProtoICMP:
		if out.ICMP.Type == sim.ICMPEchoRequest || out.ICMP.Type == sim.ICMPEchoReply {
			binary.BigEndian.PutUint16(t[4:6], out.ICMP.ID)
		}
		binary.BigEndian.PutUint16(t[2:4], 0)
		binary.BigEndian.PutUint16(t[2:4], checksum(t, 0))
	}
	return b
}

// checksum is the Internet checksum of b, starting from sum.
func checksum(b []byte, sum uint32) uint16 {
	for len(b) >= 2 {
		sum += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// l4Checksum is a TCP or UDP checksum over the IPv4 pseudo-header and the segment.
func l4Checksum(ip, seg []byte) uint16 {
	var sum uint32
	for i := 12; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(ip[i:]))
	}
	sum += uint32(ip[9]) + uint32(len(seg))
	return checksum(seg, sum)
}
