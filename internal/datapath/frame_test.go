package datapath

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/midonet-go/midonet/internal/sim"
)

var (
	macA = sim.MustMAC("fa:16:3e:00:00:0a")
	macB = sim.MustMAC("fa:16:3e:00:00:0b")
	ipA  = netip.MustParseAddr("10.0.0.10")
	ipB  = netip.MustParseAddr("10.0.1.20")
)

// frameOf builds an Ethernet/IPv4 frame by hand: proto, transport header and payload.
func frameOf(proto uint8, l4 []byte) []byte {
	b := make([]byte, 14+20)
	copy(b[0:6], macB[:])
	copy(b[6:12], macA[:])
	binary.BigEndian.PutUint16(b[12:14], sim.EtherIPv4)
	ip := b[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:4], uint16(20+len(l4)))
	binary.BigEndian.PutUint16(ip[6:8], 0x4000)
	ip[8], ip[9] = 64, proto
	put4(ip[12:16], ipA)
	put4(ip[16:20], ipB)
	binary.BigEndian.PutUint16(ip[10:12], checksum(ip[:20], 0))
	return append(b, l4...)
}

func tcpSegment(sport, dport uint16, payload string) []byte {
	t := make([]byte, 20)
	binary.BigEndian.PutUint16(t[0:2], sport)
	binary.BigEndian.PutUint16(t[2:4], dport)
	t[12] = 5 << 4
	t[13] = 0x02                                 // SYN
	binary.BigEndian.PutUint16(t[16:18], 0xbeef) // a partial (offloaded) checksum
	return append(t, payload...)
}

// valid reports whether a frame's IPv4 and transport checksums verify.
func valid(t *testing.T, b []byte, l layout) {
	t.Helper()
	ip := b[l.l3 : l.l3+20]
	if checksum(ip, 0) != 0 {
		t.Errorf("IPv4 checksum does not verify")
	}
	if l.l4 == 0 {
		return
	}
	seg := b[l.l4:l.ipEnd]
	switch ip[9] {
	case sim.ProtoTCP, sim.ProtoUDP:
		var sum uint32
		for i := 12; i < 20; i += 2 {
			sum += uint32(binary.BigEndian.Uint16(ip[i:]))
		}
		sum += uint32(ip[9]) + uint32(len(seg))
		if checksum(seg, sum) != 0 {
			t.Errorf("transport checksum does not verify")
		}
	case sim.ProtoICMP:
		if checksum(seg, 0) != 0 {
			t.Errorf("ICMP checksum does not verify")
		}
	}
}

func TestDecodeAndRewriteTCP(t *testing.T) {
	raw := frameOf(sim.ProtoTCP, tcpSegment(40000, 80, "hello"))
	p, l, err := decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if p.EthSrc != macA || p.EthDst != macB || p.IP.Src != ipA || p.IP.Dst != ipB || p.IP.Proto != sim.ProtoTCP ||
		p.SrcPort != 40000 || p.DstPort != 80 || p.IP.TTL != 64 || !p.IP.DontFragment || p.Size != len(raw) {
		t.Fatalf("decoded %+v", p)
	}
	// What a router with SNAT does: new MACs, TTL-1, source address and port rewritten.
	out := p
	out.EthSrc, out.EthDst = macB, macA
	out.IP.TTL = 63
	out.IP.Src = netip.MustParseAddr("172.24.4.10")
	out.SrcPort = 61000
	b := rewrite(raw, l, &out)
	q, l2, err := decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if q.IP.Src != out.IP.Src || q.SrcPort != 61000 || q.IP.TTL != 63 || q.EthSrc != macB || q.EthDst != macA {
		t.Fatalf("rewritten %+v", q)
	}
	if string(b[l2.ipEnd-5:l2.ipEnd]) != "hello" {
		t.Errorf("payload lost: %q", b[l2.l4:])
	}
	valid(t, b, l2)
	if raw[26] != byte(ipA.As4()[0]) {
		t.Error("rewrite changed the original frame")
	}
}

func TestEchoReplyCarriesTheRequestData(t *testing.T) {
	req := make([]byte, 8)
	req[0] = sim.ICMPEchoRequest
	binary.BigEndian.PutUint16(req[4:6], 7)
	binary.BigEndian.PutUint16(req[6:8], 3)
	req = append(req, "0123456789abcdef"...)
	binary.BigEndian.PutUint16(req[2:4], checksum(req, 0))
	raw := frameOf(sim.ProtoICMP, req)
	_, l, err := decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	reply := sim.Packet{EthSrc: macB, EthDst: macA, EtherType: sim.EtherIPv4,
		IP: sim.IPv4{Src: ipB, Dst: ipA, Proto: sim.ProtoICMP, TTL: 64}, ICMP: sim.ICMP{Type: sim.ICMPEchoReply, ID: 7, Seq: 3}}
	b := build(&reply, raw, l)
	p, l2, err := decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if p.ICMP.Type != sim.ICMPEchoReply || p.ICMP.ID != 7 || p.ICMP.Seq != 3 || string(b[l2.l4+8:l2.ipEnd]) != "0123456789abcdef" {
		t.Fatalf("echo reply %+v data %q", p, b[l2.l4+8:])
	}
	valid(t, b, l2)
}

func TestDHCPRoundTrip(t *testing.T) {
	// A DISCOVER as a client sends it.
	bootp := make([]byte, 240)
	bootp[0], bootp[1], bootp[2] = 1, 1, 6
	binary.BigEndian.PutUint32(bootp[4:8], 0x11223344)
	copy(bootp[28:34], macA[:])
	binary.BigEndian.PutUint32(bootp[236:240], dhcpMagic)
	bootp = append(bootp, 53, 1, sim.DHCPDiscover, 55, 2, 1, 3, 255)
	udp := make([]byte, 8)
	binary.BigEndian.PutUint16(udp[0:2], 68)
	binary.BigEndian.PutUint16(udp[2:4], 67)
	binary.BigEndian.PutUint16(udp[4:6], uint16(8+len(bootp)))
	raw := frameOf(sim.ProtoUDP, append(udp, bootp...))
	p, _, err := decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if p.DHCP == nil || p.DHCP.MsgType != sim.DHCPDiscover || p.DHCP.XID != 0x11223344 || p.DHCP.ClientMAC != macA {
		t.Fatalf("DHCP request %+v", p.DHCP)
	}
	// The OFFER the topology answers with, as a frame.
	offer := sim.NewUDP(sim.DHCPServerMAC, macA, netip.MustParseAddr("10.0.0.2"), ipA, 67, 68)
	offer.DHCP = &sim.DHCP{MsgType: sim.DHCPOffer, XID: 0x11223344, ClientMAC: macA, YourIP: ipA,
		ServerID: netip.MustParseAddr("10.0.0.2"), Mask: netip.MustParseAddr("255.255.255.0"), Router: netip.MustParseAddr("10.0.0.1"),
		DNS: []netip.Addr{netip.MustParseAddr("10.0.0.3")}, MTU: 1450, LeaseSeconds: 86400,
		Routes:  []sim.DHCPRoute{{Dst: netip.MustParsePrefix("169.254.169.254/32"), Gateway: netip.MustParseAddr("10.0.0.2")}},
		Options: []sim.DHCPOption{{Name: "ntp-server", Value: "10.0.0.5,10.0.0.6"}, {Name: "domain-name", Value: "example.org"}, {Name: "150", Value: "x"}, {Name: "no-such", Value: "y"}}}
	b := build(&offer, raw, layout{})
	_, l, err := decode(b)
	if err != nil {
		t.Fatal(err)
	}
	valid(t, b, l)
	msg := b[l.l4+8 : l.ipEnd]
	if msg[0] != 2 || binary.BigEndian.Uint32(msg[4:8]) != 0x11223344 || netip.AddrFrom4([4]byte(msg[16:20])) != ipA {
		t.Fatalf("BOOTP reply header %x", msg[:34])
	}
	opts := map[byte][]byte{}
	for o := msg[240:]; len(o) > 1 && o[0] != 255; o = o[2+int(o[1]):] {
		opts[o[0]] = o[2 : 2+int(o[1])]
	}
	want := map[byte]string{53: "\x02", 1: "\xff\xff\xff\x00", 3: "\x0a\x00\x00\x01", 6: "\x0a\x00\x00\x03", 26: "\x05\xaa",
		51: "\x00\x01\x51\x80", 121: "\x20\xa9\xfe\xa9\xfe\x0a\x00\x00\x02\x00\x0a\x00\x00\x01",
		42: "\x0a\x00\x00\x05\x0a\x00\x00\x06", 15: "example.org", 150: "x"}
	for code, v := range want {
		if string(opts[code]) != v {
			t.Errorf("option %d = %x, want %x", code, opts[code], v)
		}
	}
}

func TestDecodeRejectsShortAndBadFrames(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":         {},
		"short eth":     make([]byte, 10),
		"short ipv4":    append(frameOf(sim.ProtoTCP, nil)[:14], 0x45, 0),
		"bad total len": func() []byte { f := frameOf(sim.ProtoUDP, make([]byte, 8)); f[16] = 0xff; return f }(),
	} {
		if _, _, err := decode(b); err == nil {
			t.Errorf("%s: decoded without an error", name)
		}
	}
}

// FuzzDecode: no frame makes decode, rewrite or build panic.
func FuzzDecode(f *testing.F) {
	f.Add(frameOf(sim.ProtoTCP, tcpSegment(1, 2, "x")))
	f.Add(frameOf(sim.ProtoICMP, make([]byte, 8)))
	in := frameOf(sim.ProtoTCP, tcpSegment(1, 2, "x"))
	ip, il, _ := decode(in)
	out := encapOut(ip)
	f.Add(egressFrames(in, il, &ip, &out, 0)[0])
	f.Fuzz(func(t *testing.T, b []byte) {
		p, l, err := decode(b)
		if err != nil {
			return
		}
		if p.Inner != nil {
			_ = egressFrames(b, l, &p, p.Inner, 0) // decapsulated
			q := *p.Inner
			vx := encapOut(q)
			_ = egressFrames(b, l, &q, &vx, 0) // encapsulated
		}
		_ = rewrite(b, l, &p)
		p.ICMP.Type = sim.ICMPUnreachable
		p.IP.Proto = sim.ProtoICMP
		_ = build(&p, b, l)
	})
}

func TestSegmentTCP(t *testing.T) {
	payload := make([]byte, 2500)
	for i := range payload {
		payload[i] = byte(i)
	}
	seg := tcpSegment(40000, 80, string(payload))
	binary.BigEndian.PutUint32(seg[4:8], 1000) // sequence number
	seg[13] = 0x19                             // FIN, PSH, ACK
	raw := frameOf(sim.ProtoTCP, seg)
	_, l, err := decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	out := segmentTCP(raw, l, 1000)
	if len(out) != 3 {
		t.Fatalf("%d segments, want 3", len(out))
	}
	var joined []byte
	for i, f := range out {
		_, fl, err := decode(f)
		if err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
		valid(t, f, fl)
		tcp := f[fl.l4:fl.ipEnd]
		if got, want := binary.BigEndian.Uint32(tcp[4:8]), uint32(1000+1000*i); got != want {
			t.Errorf("segment %d: seq %d, want %d", i, got, want)
		}
		if fin := tcp[13]&0x01 != 0; fin != (i == 2) {
			t.Errorf("segment %d: FIN %v", i, fin)
		}
		joined = append(joined, tcp[20:]...)
	}
	if string(joined) != string(payload) {
		t.Error("the segments do not carry the payload in order")
	}
	if small := segmentTCP(raw, l, 4000); len(small) != 1 {
		t.Errorf("a frame within the MSS was cut in %d", len(small))
	}
}
