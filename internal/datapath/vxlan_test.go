package datapath

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/midonet-go/midonet/internal/sim"
)

var (
	macGw    = sim.MustMAC("fa:16:3e:00:0e:01")
	macUp    = sim.MustMAC("fa:16:3e:00:ff:01")
	tunnelIP = netip.MustParseAddr("172.24.4.100")
	vtepIP   = netip.MustParseAddr("203.0.113.7")
	vniTest  = uint32(5000)
)

// encapOut is the egress copy the simulator makes of in at a VTEP router: VXLAN from the
// tunnel IP to the VTEP, the frame inside.
func encapOut(in sim.Packet) sim.Packet {
	inner := in
	out := sim.NewUDP(macGw, macUp, tunnelIP, vtepIP, 50123, sim.VXLANPort)
	out.IP.TTL = 63
	out.VNI = vniTest
	out.Inner = &inner
	return out
}

// TestVXLANEncapsulationAndDecapsulation: a VM's frame the simulator sends to a VTEP leaves
// as a VXLAN packet (valid checksums, VNI, the frame unchanged inside); that packet decodes
// back to the same VNI and frame; and the frame taken out of it is the VM's frame again.
func TestVXLANEncapsulationAndDecapsulation(t *testing.T) {
	raw := frameOf(sim.ProtoTCP, tcpSegment(40000, 22, "hello"))
	in, l, err := decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	out := encapOut(in)
	frames := egressFrames(raw, l, &in, &out, 0)
	if len(frames) != 1 {
		t.Fatalf("%d frames", len(frames))
	}
	vx := frames[0]
	p, vl, err := decode(vx)
	if err != nil {
		t.Fatal(err)
	}
	valid(t, vx, vl)
	if p.EthSrc != macGw || p.EthDst != macUp || p.IP.Src != tunnelIP || p.IP.Dst != vtepIP || p.IP.Proto != sim.ProtoUDP ||
		p.DstPort != sim.VXLANPort || p.SrcPort != 50123 || p.IP.TTL != 63 || p.VNI != vniTest {
		t.Fatalf("outer headers %s", p)
	}
	if p.Inner == nil || p.Inner.EthSrc != macA || p.Inner.EthDst != macB || p.Inner.IP.Src != ipA || p.Inner.IP.Dst != ipB || p.Inner.DstPort != 22 {
		t.Fatalf("inner frame %v", p.Inner)
	}
	inner, il, ok := innerFrame(vx, vl)
	if !ok {
		t.Fatal("no inner frame")
	}
	valid(t, inner, il)
	if !bytes.Contains(inner, []byte("hello")) || len(vx) != len(raw)+50 {
		t.Errorf("inner frame %d bytes in a %d-byte packet (frame %d bytes)", len(inner), len(vx), len(raw))
	}

	// Decapsulation: the simulator delivers the inner packet; the datapath writes its frame.
	got := egressFrames(vx, vl, &p, p.Inner, 0)
	if len(got) != 1 {
		t.Fatalf("decapsulated %d frames", len(got))
	}
	q, ql, err := decode(got[0])
	if err != nil {
		t.Fatal(err)
	}
	valid(t, got[0], ql)
	if q.Inner != nil || q.EthSrc != macA || q.EthDst != macB || q.IP.Src != ipA || q.IP.Dst != ipB || len(got[0]) != len(raw) {
		t.Errorf("decapsulated frame %s (%d bytes, want %d)", q, len(got[0]), len(raw))
	}

	// A VXLAN packet forwarded as it is (not to a VTEP router) keeps its payload.
	fwd := p
	fwd.IP.TTL--
	same := egressFrames(vx, vl, &p, &fwd, 0)
	if len(same) != 1 || !bytes.Equal(same[0][14+20+8:], vx[14+20+8:]) {
		t.Errorf("a forwarded VXLAN packet lost its payload")
	}
}

// TestVXLANEncapsulatesEachSegment: an offloaded TCP segment is cut to the MSS before each
// piece is encapsulated.
func TestVXLANEncapsulatesEachSegment(t *testing.T) {
	payload := bytes.Repeat([]byte("x"), 3000)
	raw := frameOf(sim.ProtoTCP, tcpSegment(40000, 22, string(payload)))
	in, l, err := decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	out := encapOut(in)
	frames := egressFrames(raw, l, &in, &out, 1400)
	if len(frames) != 3 {
		t.Fatalf("%d frames, want 3", len(frames))
	}
	for _, f := range frames {
		p, fl, err := decode(f)
		if err != nil || p.VNI != vniTest || p.Inner == nil {
			t.Fatalf("frame %v %v", p, err)
		}
		valid(t, f, fl)
	}
}

// TestNotVXLAN: a datagram to port 4789 without the VNI flag, or too short for a frame, is
// plain UDP.
func TestNotVXLAN(t *testing.T) {
	udp := make([]byte, 8+8+20)
	udp[2], udp[3] = 0x12, 0xb5 // 4789
	udp[5] = byte(len(udp))
	p, _, err := decode(frameOf(sim.ProtoUDP, udp))
	if err != nil || p.Inner != nil || p.VNI != 0 {
		t.Errorf("flagless datagram: %v %v", p, err)
	}
	short := make([]byte, 8+8)
	short[2], short[3] = 0x12, 0xb5
	short[8] = 0x08
	if p, _, err := decode(frameOf(sim.ProtoUDP, short)); err != nil || p.Inner != nil {
		t.Errorf("short datagram: %v %v", p, err)
	}
}
