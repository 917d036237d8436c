package datapath

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/midonet-go/midonet/internal/sim"
)

var (
	ip6A = netip.MustParseAddr("2001:db8:e::2")
	ip6B = netip.MustParseAddr("2001:db8:a::5")
)

// frame6Of builds an Ethernet/IPv6 frame by hand.
func frame6Of(proto, hops uint8, src, dst netip.Addr, l4 []byte) []byte {
	b := make([]byte, 14+ipv6Header)
	copy(b[0:6], macB[:])
	copy(b[6:12], macA[:])
	binary.BigEndian.PutUint16(b[12:14], sim.EtherIPv6)
	ip := b[14:]
	ip[0] = 0x60
	binary.BigEndian.PutUint16(ip[4:6], uint16(len(l4)))
	ip[6], ip[7] = proto, hops
	s, d := src.As16(), dst.As16()
	copy(ip[8:24], s[:])
	copy(ip[24:40], d[:])
	if proto == sim.ProtoICMPv6 {
		binary.BigEndian.PutUint16(l4[2:4], 0)
		binary.BigEndian.PutUint16(l4[2:4], l4Checksum6(ip, l4, proto))
	}
	return append(b, l4...)
}

// valid6 checks a frame's ICMPv6/TCP/UDP checksum over the IPv6 pseudo-header.
func valid6(t *testing.T, b []byte, l layout) {
	t.Helper()
	ip := b[l.l3 : l.l3+ipv6Header]
	if c := l4Checksum6(ip, b[l.l4:l.ipEnd], ip[6]); c != 0 {
		t.Errorf("transport checksum does not verify (%#04x)", c)
	}
}

// TestDecodeNS: a Neighbor Solicitation with a source link-layer address option is read
// with its target and option; the simulator's own NS, built, reads back the same.
func TestDecodeNS(t *testing.T) {
	ns := make([]byte, 32)
	ns[0] = sim.NDNeighborSolicit
	tg := ip6B.As16()
	copy(ns[8:24], tg[:])
	ns[24], ns[25] = 1, 1
	copy(ns[26:32], macA[:])
	group, _ := sim.SolicitedNode(ip6B)
	p, l, err := decode(frame6Of(sim.ProtoICMPv6, 255, ip6A, group, ns))
	if err != nil {
		t.Fatal(err)
	}
	if p.EtherType != sim.EtherIPv6 || p.IP.Proto != sim.ProtoICMPv6 || p.IP.TTL != 255 || p.IP.Src != ip6A || p.IP.Dst != group ||
		p.ICMP.Type != sim.NDNeighborSolicit || p.ND == nil || p.ND.Target != ip6B || p.ND.LinkAddr != macA || l.l4 != 14+ipv6Header {
		t.Fatalf("decoded %s %+v", p, p.ND)
	}
	built := build(&p, nil, layout{})
	q, _, err := decode(built)
	if err != nil || q.ND == nil || *q.ND != *p.ND || q.IP != p.IP {
		t.Fatalf("built NS reads back as %s %+v (%v)", q, q.ND, err)
	}
}

// TestBuildNA: the advertisement the router generates is a valid ICMPv6 datagram with its
// flags and target link-layer address option, and reads back the same.
func TestBuildNA(t *testing.T) {
	na := sim.Packet{EthSrc: macB, EthDst: macA, EtherType: sim.EtherIPv6,
		IP:   sim.IPv4{Src: netip.MustParseAddr("2001:db8:e::10"), Dst: ip6A, Proto: sim.ProtoICMPv6, TTL: 255},
		ICMP: sim.ICMP{Type: sim.NDNeighborAdvert}, ND: &sim.ND{Target: ip6B, LinkAddr: macB, Router: true, Solicited: true}}
	b := build(&na, nil, layout{})
	if b == nil {
		t.Fatal("NA not built")
	}
	p, l, err := decode(b)
	if err != nil {
		t.Fatal(err)
	}
	valid6(t, b, l)
	if p.ND == nil || *p.ND != *na.ND || p.IP != na.IP || p.EthSrc != macB || p.EthDst != macA || b[l.l4+4] != 0xc0 {
		t.Fatalf("NA reads back as %s %+v", p, p.ND)
	}
}

// TestRewriteIPv6: forwarding an ICMPv6 echo request (MACs and hop limit changed) keeps a
// valid checksum; an echo reply built from it carries the request's data; TCP over IPv6
// keeps its ports and gets a valid checksum.
func TestRewriteIPv6(t *testing.T) {
	echo := []byte{sim.ICMPv6EchoRequest, 0, 0, 0, 0, 7, 0, 1, 'h', 'e', 'l', 'l', 'o'}
	raw := frame6Of(sim.ProtoICMPv6, 64, ip6A, ip6B, echo)
	p, l, err := decode(raw)
	if err != nil || p.ICMP.ID != 7 || p.ICMP.Seq != 1 {
		t.Fatalf("decoded %s (%v)", p, err)
	}
	out := p
	out.IP.TTL = 63
	out.EthSrc, out.EthDst = macB, macA
	b := rewrite(raw, l, &out)
	q, lq, err := decode(b)
	if err != nil || q.IP.TTL != 63 || q.EthSrc != macB {
		t.Fatalf("rewritten %s (%v)", q, err)
	}
	valid6(t, b, lq)
	reply := sim.Packet{EthSrc: macB, EthDst: macA, EtherType: sim.EtherIPv6, IP: sim.IPv4{Src: ip6B, Dst: ip6A, Proto: sim.ProtoICMPv6, TTL: 64},
		ICMP: sim.ICMP{Type: sim.ICMPv6EchoReply, ID: 7, Seq: 1}}
	rb := build(&reply, raw, l)
	_, rl, err := decode(rb)
	if err != nil || string(rb[rl.l4+8:rl.ipEnd]) != "hello" {
		t.Fatalf("echo reply %x (%v)", rb, err)
	}
	valid6(t, rb, rl)

	seg := tcpSegment(40000, 22, "x")
	traw := frame6Of(sim.ProtoTCP, 64, ip6A, ip6B, seg)
	tp, tl, err := decode(traw)
	if err != nil || tp.SrcPort != 40000 || tp.DstPort != 22 {
		t.Fatalf("TCP over IPv6 decoded %s (%v)", tp, err)
	}
	tb := rewrite(traw, tl, &tp)
	valid6(t, tb, tl)
}

// TestDecodeIPv6Bad: truncated or inconsistent IPv6 datagrams are refused, never a panic.
func TestDecodeIPv6Bad(t *testing.T) {
	good := frame6Of(sim.ProtoICMPv6, 64, ip6A, ip6B, []byte{sim.ICMPv6EchoRequest, 0, 0, 0, 0, 1, 0, 1})
	for name, b := range map[string][]byte{
		"short header":   good[:14+20],
		"long payload":   good[:len(good)-2],
		"short ICMPv6":   frame6Of(sim.ProtoICMPv6, 64, ip6A, ip6B, []byte{sim.NDNeighborSolicit, 0, 0, 0, 0, 0, 0, 0, 1, 2}),
		"version 4 in 6": append(append([]byte{}, good[:14]...), append([]byte{0x45}, good[15:]...)...),
	} {
		if _, _, err := decode(b); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

// FuzzDecodeIPv6: any bytes after an IPv6 Ethernet header decode without a panic, and a
// decoded ND message rebuilds into a frame that decodes again.
func FuzzDecodeIPv6(f *testing.F) {
	ns := make([]byte, 32)
	ns[0], ns[24], ns[25] = sim.NDNeighborSolicit, 1, 1
	f.Add(frame6Of(sim.ProtoICMPv6, 255, ip6A, ip6B, ns)[14:])
	f.Add(frame6Of(sim.ProtoTCP, 64, ip6A, ip6B, tcpSegment(1, 2, "x"))[14:])
	f.Fuzz(func(t *testing.T, body []byte) {
		b := append(append([]byte{}, frame6Of(sim.ProtoUDP, 1, ip6A, ip6B, nil)[:14]...), body...)
		p, l, err := decode(b)
		if err != nil {
			return
		}
		_ = rewrite(b, l, &p)
		if p.ND != nil && p.IP.Src.Is6() && p.IP.Dst.Is6() {
			if _, _, err := decode(build(&p, b, l)); err != nil {
				t.Fatalf("rebuilt %s does not decode: %v", p, err)
			}
		}
	})
}
