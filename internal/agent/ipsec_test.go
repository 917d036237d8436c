package agent

import (
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

// TestWantSites: a router's site runs where its container port is bound, with the enabled
// services' connections; a port bound elsewhere or a service without a container gives none.
func TestWantSites(t *testing.T) {
	port := func(id, host string) *topology.Port {
		return &topology.Port{Meta: topology.Meta{ID: id}, RouterID: "r-" + id, HostID: host, InterfaceName: "vpn-" + id, PortSubnets: []string{"169.254.3.1/30"}}
	}
	svc := func(id, router, container string, up bool) *topology.VpnService {
		return &topology.VpnService{Meta: topology.Meta{ID: id}, RouterID: router, ExternalIP: "172.24.0.5", AdminStateUp: up,
			ContainerPortID: container, ContainerIP: "169.254.3.2"}
	}
	conn := func(id, svc string) *topology.IPSecSiteConnection {
		return &topology.IPSecSiteConnection{Meta: topology.Meta{ID: id}, VpnServiceID: svc}
	}
	objs := []topology.Object{
		port("here", "host-1"), port("there", "host-2"),
		svc("s1", "r-here", "here", true), svc("s2", "r-here", "here", false), svc("s3", "r-there", "there", true),
		svc("s4", "r-none", "", true),
		conn("c1", "s1"), conn("c2", "s2"), conn("c3", "s3"),
	}
	a := New(nil, Options{HostID: "h1", HostName: "host-1"})
	src := memSource{}
	s := &state{objects: newCache(src)}
	putObjects(t, a, s, src, objs...)
	sites := a.wantSites(s)
	if len(sites) != 1 {
		t.Fatalf("sites %+v, want the one of r-here", sites)
	}
	st := sites[0]
	if st.RouterID != "r-here" || st.Interface != "vpn-here" || st.Container.String() != "169.254.3.2" || st.RouterSide.String() != "169.254.3.1/30" ||
		st.ExternalIP.String() != "172.24.0.5" || len(st.Conns) != 1 || st.Conns[0].ID != "c1" {
		t.Errorf("site %+v, want r-here with c1 only (s2 is disabled)", st)
	}
}
