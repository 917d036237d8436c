package agent

import (
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"strings"

	"github.com/midonet-go/midonet/internal/agent/ipsec"
	"github.com/midonet-go/midonet/internal/hosts"
	"github.com/midonet-go/midonet/internal/topology"
)

// wantSites is the IPsec configuration this host must run: for every router whose VPN
// container port is bound here (the host binding the router's gateway port), its site with
// the enabled connections of its VPN services.
func (a *Agent) wantSites(s *state) []ipsec.Site {
	conns := map[string][]topology.IPSecSiteConnection{}
	var services []*topology.VpnService
	for _, o := range kindsOf(&s.objects, topology.KindIPSecConn, topology.KindVpnService) {
		switch v := o.(type) {
		case *topology.IPSecSiteConnection:
			conns[v.VpnServiceID] = append(conns[v.VpnServiceID], *v)
		case *topology.VpnService:
			services = append(services, v)
		}
	}
	slices.SortFunc(services, func(x, y *topology.VpnService) int { return strings.Compare(x.ID, y.ID) })
	sites := map[string]*ipsec.Site{}
	var order []string
	for _, vs := range services {
		if vs.ContainerPortID == "" {
			continue
		}
		p, ok := s.objects.get(topology.KindPort, vs.ContainerPortID).(*topology.Port)
		if !ok || !a.bound(p) || len(p.PortSubnets) == 0 {
			continue
		}
		site := sites[vs.RouterID]
		if site == nil {
			side, err1 := netip.ParsePrefix(p.PortSubnets[0])
			ctr, err2 := netip.ParseAddr(vs.ContainerIP)
			ext, err3 := netip.ParseAddr(vs.ExternalIP)
			if err1 != nil || err2 != nil || err3 != nil {
				continue
			}
			site = &ipsec.Site{RouterID: vs.RouterID, Interface: p.InterfaceName, RouterSide: side, Container: ctr, ExternalIP: ext}
			sites[vs.RouterID] = site
			order = append(order, vs.RouterID)
		}
		if vs.AdminStateUp {
			site.Conns = append(site.Conns, conns[vs.ID]...)
		}
	}
	out := make([]ipsec.Site, 0, len(order))
	for _, r := range order {
		site := sites[r]
		slices.SortFunc(site.Conns, func(x, y topology.IPSecSiteConnection) int { return strings.Compare(x.ID, y.ID) })
		out = append(out, *site)
	}
	return out
}

// syncIPsec hands the wanted sites to the IPsec manager (when the datapath runs: without it
// the container link would carry nothing).
func (a *Agent) syncIPsec(s *state) {
	if a.ipsec != nil {
		a.ipsec.Sync(a.wantSites(s))
	}
}

// setIPsecStatus records the connection states of a router's site and writes the difference.
func (a *Agent) setIPsecStatus(ctx context.Context, s *state, router string, st map[string]string) {
	if len(st) == 0 {
		delete(s.ipsecStatus, router)
	} else {
		s.ipsecStatus[router] = st
	}
	a.writeIPsecStatus(ctx, s)
}

func (a *Agent) writeIPsecStatus(ctx context.Context, s *state) {
	want := map[string][]byte{}
	for router, sts := range s.ipsecStatus {
		for conn, st := range sts {
			b, err := json.Marshal(hosts.IPsecStatus{HostID: a.o.HostID, ConnectionID: conn, RouterID: router, Status: st})
			if err == nil {
				want[hosts.IPsecStatusKey(conn)] = b
			}
		}
	}
	s.ipsecWritten = a.writeDiff(ctx, s, "ipsec connection status", want, s.ipsecWritten)
}

// adoptIPsecState takes what an earlier session of this host reported as "there, not ours".
func (a *Agent) adoptIPsecState(ctx context.Context, s *state) error {
	s.ipsecWritten = map[string][]byte{}
	sts, err := hosts.IPsecConnections(ctx, a.store)
	if err != nil {
		return err
	}
	for _, st := range sts {
		if st.HostID == a.o.HostID {
			s.ipsecWritten[hosts.IPsecStatusKey(st.ConnectionID)] = nil
		}
	}
	a.writeIPsecStatus(ctx, s)
	return nil
}
