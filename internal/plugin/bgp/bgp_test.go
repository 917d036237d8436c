package bgp

import (
	"net/netip"
	"testing"

	"github.com/midonet-go/midonet/internal/model"
)

// TestAdvertised checks networking-midonet's counts: a router with three interfaces and one
// peer advertises 2 routes, 3 with one extra route; two peers (on two of its subnets) give 4,
// and 6 with the extra route.
func TestAdvertised(t *testing.T) {
	subnets := map[string]*model.Subnet{
		"a": {CIDR: "172.24.0.0/24"}, "b": {CIDR: "10.1.0.0/24"}, "c": {CIDR: "10.2.0.0/24"},
	}
	port := func(sub, ip string) model.Port {
		return model.Port{FixedIPs: []model.FixedIP{{SubnetID: sub, IPAddress: ip}}}
	}
	ports := []model.Port{port("a", "172.24.0.1"), port("b", "10.1.0.1"), port("c", "10.2.0.1")}
	subnetOf := func(id string) *model.Subnet { return subnets[id] }
	extra := []model.Route{{Destination: "192.168.0.0/16", NextHop: "10.1.0.9"}}
	one := []netip.Addr{netip.MustParseAddr("172.24.0.254")}
	two := append(one, netip.MustParseAddr("10.2.0.254"))
	for _, c := range []struct {
		name  string
		extra []model.Route
		peers []netip.Addr
		want  int
	}{
		{"one peer", nil, one, 2},
		{"one peer and an extra route", extra, one, 3},
		{"two peers", nil, two, 4},
		{"two peers and an extra route", extra, two, 6},
		{"no peer", extra, nil, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := advertised(ports, subnetOf, c.extra, c.peers)
			if len(got) != c.want {
				t.Fatalf("%d routes %+v, want %d", len(got), got, c.want)
			}
			for _, r := range got {
				if r.NextHop == "172.24.0.1" && r.Destination == "172.24.0.0/24" {
					t.Errorf("the peer's own subnet is advertised through itself: %+v", r)
				}
			}
		})
	}
	if got := advertised(ports, subnetOf, nil, one); got[0] != (Route{Destination: "10.1.0.0/24", NextHop: "172.24.0.1"}) {
		t.Errorf("first route %+v, want 10.1.0.0/24 via 172.24.0.1", got[0])
	}
}
