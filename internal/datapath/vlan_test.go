package datapath

import (
	"encoding/binary"
	"testing"

	"github.com/midonet-go/midonet/internal/sim"
)

// TestVLANSurvivesRewrite: a frame tagged on the way in keeps, changes or loses its 802.1Q
// tag as the simulation's packet says, and an untagged one gains it; every header stays
// intact (payload, checksums) and decodes with the tag.
func TestVLANSurvivesRewrite(t *testing.T) {
	untagged := frameOf(sim.ProtoTCP, tcpSegment(40000, 22, "trunk"))
	tagged, _ := retag(untagged, layout{l3: 14}, 7)
	cases := []struct {
		name string
		in   []byte
		want uint16
	}{
		{"push", untagged, 7},
		{"pop", tagged, 0},
		{"keep", tagged, 7},
		{"change", tagged, 9},
		{"none", untagged, 0},
	}
	for _, tc := range cases {
		p, l, err := decode(tc.in)
		if err != nil {
			t.Fatalf("%s: decode: %v", tc.name, err)
		}
		out := p
		out.VLAN = tc.want
		out.IP.TTL = 63
		b, bl := rewriteLayout(tc.in, l, &out)
		q, ql, err := decode(b)
		if err != nil {
			t.Fatalf("%s: decode rewritten: %v", tc.name, err)
		}
		if q.VLAN != tc.want || q.SrcPort != 40000 || q.DstPort != 22 || q.IP.TTL != 63 || q.EthSrc != p.EthSrc {
			t.Errorf("%s: rewritten %+v", tc.name, q)
		}
		if ql != bl || len(b) != len(untagged)+4*map[bool]int{true: 1, false: 0}[tc.want != 0] {
			t.Errorf("%s: layout %+v (decoded %+v), length %d", tc.name, bl, ql, len(b))
		}
		if string(b[ql.ipEnd-5:ql.ipEnd]) != "trunk" {
			t.Errorf("%s: payload lost", tc.name)
		}
		valid(t, b, ql)
	}
	// The priority bits of a tag are kept when its id changes.
	prio := append([]byte(nil), tagged...)
	binary.BigEndian.PutUint16(prio[14:16], 5<<13|7)
	p, l, _ := decode(prio)
	p.VLAN = 9
	b := rewrite(prio, l, &p)
	if tci := binary.BigEndian.Uint16(b[14:16]); tci != 5<<13|9 {
		t.Errorf("TCI %#x; want priority 5, VLAN 9", tci)
	}
}

// TestBuildTagged: a packet the topology generates for a subport (an ARP reply) is built
// with its VLAN tag.
func TestBuildTagged(t *testing.T) {
	p := sim.Packet{EthSrc: macA, EthDst: macB, EtherType: sim.EtherARP, VLAN: 7,
		ARP: sim.ARP{Op: sim.ARPReply, SenderMAC: macA, SenderIP: ipA, TargetMAC: macB, TargetIP: ipB}}
	b := build(&p, nil, layout{})
	q, _, err := decode(b)
	if err != nil || q.VLAN != 7 || q.EtherType != sim.EtherARP || q.ARP.SenderIP != ipA {
		t.Fatalf("built %x: %+v, %v", b, q, err)
	}
}
