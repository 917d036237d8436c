package datapath

import (
	"encoding/binary"
)

// segmentTCP cuts an IPv4 TCP frame whose payload exceeds mss into frames of at most mss
// bytes of payload each, as the sender's segmentation offload would have: consecutive
// sequence numbers and IP ids, FIN and PSH on the last segment only, CWR on the first, every
// checksum complete. A frame that needs no cutting comes back alone.
func segmentTCP(b []byte, l layout, mss int) [][]byte {
	if l.l4 == 0 || mss <= 0 {
		return [][]byte{b}
	}
	ip := b[l.l3:l.l4]
	tcp := b[l.l4:l.ipEnd]
	if len(tcp) < 20 {
		return [][]byte{b}
	}
	thl := int(tcp[12]>>4) * 4
	if thl < 20 || thl > len(tcp) {
		return [][]byte{b}
	}
	payload := tcp[thl:]
	if len(payload) <= mss {
		return [][]byte{b}
	}
	seq := binary.BigEndian.Uint32(tcp[4:8])
	id := binary.BigEndian.Uint16(ip[4:6])
	flags := tcp[13]
	head := l.l4 + thl // Ethernet + IP + TCP headers
	var out [][]byte
	for off := 0; off < len(payload); off += mss {
		end := min(off+mss, len(payload))
		f := make([]byte, head+end-off)
		copy(f, b[:head])
		copy(f[head:], payload[off:end])
		fip := f[l.l3:l.l4]
		binary.BigEndian.PutUint16(fip[2:4], uint16(len(fip)+thl+end-off))
		binary.BigEndian.PutUint16(fip[4:6], id+uint16(len(out)))
		binary.BigEndian.PutUint16(fip[10:12], 0)
		binary.BigEndian.PutUint16(fip[10:12], checksum(fip, 0))
		ft := f[l.l4:]
		binary.BigEndian.PutUint32(ft[4:8], seq+uint32(off))
		fl := flags
		if end < len(payload) {
			fl &^= 0x01 | 0x08 // FIN, PSH: the last segment's
		}
		if off > 0 {
			fl &^= 0x80 // CWR: the first segment's
		}
		ft[13] = fl
		binary.BigEndian.PutUint16(ft[16:18], 0)
		binary.BigEndian.PutUint16(ft[16:18], l4Checksum(fip, ft))
		out = append(out, f)
	}
	return out
}
