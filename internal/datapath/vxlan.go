package datapath

import (
	"encoding/binary"

	"github.com/midonet-go/midonet/internal/sim"
)

// VXLAN frames of VTEP routers (internal/sim/vtep.go): a UDP datagram to port 4789 with the
// VXLAN flag set is decoded with its inner frame (sim.Packet.Inner, VNI), so that a VTEP
// router can take the frame out; an egress copy the simulator encapsulated is built here
// (outer Ethernet, IPv4, UDP, VXLAN, then the frame), and one it decapsulated is the inner
// frame with its rewrites.

const vxlanHeader = 8

// decodeVXLAN fills p.Inner and p.VNI when the UDP datagram at l is a VXLAN packet whose
// frame decodes.
func decodeVXLAN(b []byte, l layout, p *sim.Packet) {
	ip, _, ok := innerPacket(b, l)
	if !ok {
		return
	}
	udp := b[l.l4:]
	p.VNI = uint32(udp[8+4])<<16 | uint32(udp[8+5])<<8 | uint32(udp[8+6])
	p.Inner = &ip
}

// innerFrame is the frame a VXLAN datagram carries, with its layout.
func innerFrame(b []byte, l layout) ([]byte, layout, bool) {
	inner, ok := vxlanPayload(b, l)
	if !ok {
		return nil, layout{}, false
	}
	_, il, err := decodeFrame(inner, false)
	return inner, il, err == nil
}

// innerPacket decodes the frame a VXLAN datagram carries (not looking for VXLAN inside it).
func innerPacket(b []byte, l layout) (sim.Packet, layout, bool) {
	inner, ok := vxlanPayload(b, l)
	if !ok {
		return sim.Packet{}, layout{}, false
	}
	p, il, err := decodeFrame(inner, false)
	return p, il, err == nil
}

// vxlanPayload is the frame bytes of the UDP datagram at l if it is VXLAN.
func vxlanPayload(b []byte, l layout) ([]byte, bool) {
	if l.l4 == 0 || l.ipEnd-l.l4 < 8+vxlanHeader+14 {
		return nil, false
	}
	udp := b[l.l4:l.ipEnd]
	if binary.BigEndian.Uint16(udp[2:4]) != sim.VXLANPort || udp[8]&0x08 == 0 {
		return nil, false
	}
	return udp[8+vxlanHeader:], true
}

// encapsulate builds the VXLAN frame of out (an encapsulated egress copy) around frame.
func encapsulate(frame []byte, out *sim.Packet) []byte {
	b := make([]byte, 14+20+8+vxlanHeader, 14+20+8+vxlanHeader+len(frame))
	copy(b[0:6], out.EthDst[:])
	copy(b[6:12], out.EthSrc[:])
	binary.BigEndian.PutUint16(b[12:14], sim.EtherIPv4)
	ip := b[14:34]
	ip[0] = 0x45
	ip[1] = out.IP.TOS
	binary.BigEndian.PutUint16(ip[2:4], uint16(20+8+vxlanHeader+len(frame)))
	ip[8], ip[9] = out.IP.TTL, sim.ProtoUDP
	put4(ip[12:16], out.IP.Src)
	put4(ip[16:20], out.IP.Dst)
	binary.BigEndian.PutUint16(ip[10:12], checksum(ip, 0))
	udp := b[34:]
	binary.BigEndian.PutUint16(udp[0:2], out.SrcPort)
	binary.BigEndian.PutUint16(udp[2:4], out.DstPort)
	binary.BigEndian.PutUint16(udp[4:6], uint16(8+vxlanHeader+len(frame)))
	udp[8] = 0x08 // VNI present
	udp[12], udp[13], udp[14] = byte(out.VNI>>16), byte(out.VNI>>8), byte(out.VNI)
	b = append(b, frame...)
	c := l4Checksum(b[14:34], b[34:])
	if c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(b[34+6:34+8], c)
	return b
}

// egressFrames are the frames of one egress copy: the ingress frame rewritten, the ingress
// frame (rewritten, cut to mss) inside a VXLAN packet the simulator made, or the inner frame
// of a VXLAN packet the simulator took apart.
func egressFrames(raw []byte, l layout, in, out *sim.Packet, mss int) [][]byte {
	switch {
	case in.Inner == nil && out.Inner != nil && out.VNI != 0:
		frames := segmentTCP(rewrite(raw, l, out.Inner), l, mss)
		for i, f := range frames {
			frames[i] = encapsulate(f, out)
		}
		return frames
	case in.Inner != nil && out.Inner == nil:
		inner, il, ok := innerFrame(raw, l)
		if !ok {
			return nil
		}
		return [][]byte{rewrite(inner, il, out)}
	}
	return segmentTCP(rewrite(raw, l, out), l, mss)
}
