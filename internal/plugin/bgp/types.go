package bgp

import (
	"net/netip"
	"sort"

	"github.com/midonet-go/midonet/internal/model"
)

// Speaker is a BGP speaker as stored.
type Speaker struct {
	ID            string   `json:"id"`
	TenantID      string   `json:"tenant_id"`
	Name          string   `json:"name"`
	LocalAS       int64    `json:"local_as"`
	IPVersion     int      `json:"ip_version"`
	Peers         []string `json:"peers"`
	Networks      []string `json:"networks"`
	LogicalRouter string   `json:"logical_router,omitempty"`
}

// Peer is a BGP peer as stored (the password never leaves the database in answers).
type Peer struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	PeerIP   string `json:"peer_ip"`
	RemoteAS int64  `json:"remote_as"`
	AuthType string `json:"auth_type"`
	// Password is the MD5 key: never shown, never in a task (the cluster reads it from the
	// database for the agent).
	Password string `json:"password,omitempty"`
}

// Route is one advertised route.
type Route struct {
	Destination string `json:"destination"`
	NextHop     string `json:"next_hop"`
}

// advertised computes what a MidoNet speaker announces (networking-midonet's rule): every port
// of the router contributes its first address and the prefix of that address's subnet; the
// next hops are the port addresses whose prefix holds a peer; the routes are each prefix
// (that does not hold the next hop) and each extra-route destination, through each next hop.
func advertised(ports []model.Port, subnetOf func(id string) *model.Subnet, extra []model.Route, peers []netip.Addr) []Route {
	type portNet struct {
		addr netip.Addr
		pfx  netip.Prefix
	}
	var nets []portNet
	for _, p := range ports {
		if len(p.FixedIPs) == 0 {
			continue
		}
		f := p.FixedIPs[0]
		s := subnetOf(f.SubnetID)
		if s == nil || !f.Addr().IsValid() {
			continue
		}
		nets = append(nets, portNet{f.Addr(), s.Prefix().Masked()})
	}
	var hops []netip.Addr
	for _, n := range nets {
		for _, peer := range peers {
			if n.pfx.Contains(peer) {
				hops = append(hops, n.addr)
				break
			}
		}
	}
	out := []Route{}
	seen := map[Route]bool{}
	add := func(r Route) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, hop := range hops {
		for _, n := range nets {
			if !n.pfx.Contains(hop) {
				add(Route{Destination: n.pfx.String(), NextHop: hop.String()})
			}
		}
		for _, r := range extra {
			add(Route{Destination: r.Destination, NextHop: hop.String()})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Destination+out[i].NextHop < out[j].Destination+out[j].NextHop
	})
	return out
}
