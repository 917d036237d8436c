package agent

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/midonet-go/midonet/internal/agent/bgpd"
	"github.com/midonet-go/midonet/internal/topology"
)

// TestWantSpeakers: which BGP speakers a host runs, from the topology it caches.
func TestWantSpeakers(t *testing.T) {
	uplink := func(id, host, subnet string) *topology.Port {
		return &topology.Port{Meta: topology.Meta{ID: id}, RouterID: "r1", HostID: host, InterfaceName: "eth1", PortSubnets: []string{subnet}}
	}
	peer := func(id, addr, password string) *topology.BgpPeer {
		return &topology.BgpPeer{Meta: topology.Meta{ID: id}, RouterID: "r1", LocalAS: 64512, Address: addr, AS: 64513, MD5: password != "", Password: password}
	}
	network := func(prefix, nh string) *topology.BgpNetwork {
		return &topology.BgpNetwork{Meta: topology.Meta{ID: prefix + nh}, RouterID: "r1", Subnet: prefix, NextHop: nh}
	}
	tests := []struct {
		name    string
		objects []topology.Object
		want    string
	}{
		{"no peers, no speaker", []topology.Object{uplink("p1", "h1", "198.51.100.1/24")}, "[]"},
		{"port bound elsewhere", []topology.Object{uplink("p1", "h2", "198.51.100.1/24"), peer("b1", "198.51.100.2", "")}, "[]"},
		{"peer outside the port's subnet", []topology.Object{uplink("p1", "h1", "198.51.100.1/24"), peer("b1", "203.0.113.2", "")}, "[]"},
		{"one speaker with its peers and networks",
			[]topology.Object{uplink("p1", "h1", "198.51.100.1/24"), peer("b2", "198.51.100.3", "k"), peer("b1", "198.51.100.2", ""),
				network("10.0.0.0/24", "198.51.100.1"), network("10.1.0.0/24", ""), network("10.2.0.0/24", "192.0.2.1")},
			"[p1 eth1 198.51.100.1/24 as64512 peers[b1 198.51.100.2 as64513 md5=false b2 198.51.100.3 as64513 md5=true] nets[10.0.0.0/24 10.1.0.0/24]]"},
		{"IPv6 ports are not speakers", []topology.Object{uplink("p1", "h1", "2001:db8::1/64"), peer("b1", "2001:db8::2", "")}, "[]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := New(nil, Options{HostID: "h1", HostName: "host-1"})
			src := memSource{}
			s := &state{objects: newCache(src)}
			putObjects(t, a, s, src, tc.objects...)
			if got := describe(a.wantSpeakers(s)); got != tc.want {
				t.Errorf("speakers = %s\nwant        %s", got, tc.want)
			}
		})
	}
}

func describe(sps []bgpd.Speaker) string {
	out := "["
	for i, sp := range sps {
		if i > 0 {
			out += " "
		}
		out += fmt.Sprintf("%s %s %s as%d peers[", sp.PortID, sp.Interface, sp.Local, sp.LocalAS)
		for j, p := range sp.Peers {
			if j > 0 {
				out += " "
			}
			out += fmt.Sprintf("%s %s as%d md5=%v", p.ID, p.Address, p.AS, p.Password != "")
		}
		out += "] nets" + fmt.Sprint(sp.Networks)
	}
	return out + "]"
}

// TestLearnedRoutes: a learned prefix becomes a PORT route of the router through the
// speaker's port, to the peer's next hop, marked learned.
func TestLearnedRoutes(t *testing.T) {
	rs := learnedRoutes("r1", "p1", []bgpd.Learned{{Prefix: netip.MustParsePrefix("203.0.113.0/24"), NextHop: netip.MustParseAddr("198.51.100.2"), PeerID: "b1"}})
	if len(rs) != 1 {
		t.Fatalf("routes = %+v", rs)
	}
	r := rs[0]
	if r.RouterID != "r1" || r.DstSubnet != "203.0.113.0/24" || r.SrcSubnet != "0.0.0.0/0" || r.NextHop != topology.NextHopPort ||
		r.NextHopPortID != "p1" || r.NextHopGateway != "198.51.100.2" || !r.Learned || r.ID == "" {
		t.Errorf("route = %+v", r)
	}
}
