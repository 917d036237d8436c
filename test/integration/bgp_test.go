package integration

import (
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/bgp/peers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/bgp/speakers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
)

// bgpSpeaker is a speaker with the bgp-speaker-router-insertion attribute.
type bgpSpeaker struct {
	speakers.BGPSpeaker
	LogicalRouter *string `json:"logical_router"`
}

// TestBGP: speakers, peers and MidoNet's rules (seed 2.10, 8.2.1) through gophercloud on SQLite
// and PostgreSQL: the edge router found through the gateway network, peers only after it and
// on one speaker only, the advertised routes of the router, the router kept while a speaker
// uses it, members refused.
func TestBGP(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-bgp"
		c := e.admin(project)
		// An edge router holding the external subnet's gateway address, with a tenant network.
		ext, extSub := l3ExternalNetwork(t, c, "bgp-ext", "172.24.30.0/24", "172.24.30.10", "172.24.30.99")
		_, tenantSub := newNetwork(t, c, "bgp-tenant", "10.90.1.0/24")
		edge := l3CreateRouter(t, c, routers.CreateOpts{Name: "edge"})
		l3AddInterface(t, c, edge.ID, routers.AddInterfaceOpts{SubnetID: extSub.ID})
		l3AddInterface(t, c, edge.ID, routers.AddInterfaceOpts{SubnetID: tenantSub.ID})

		var sp bgpSpeaker
		must(t, speakers.Create(ctx(t), c, speakers.CreateOpts{Name: "sp", IPVersion: 4, LocalAS: "64512",
			AdvertiseFloatingIPHostRoutes: true, AdvertiseTenantNetworks: true}).ExtractInto(&sp))
		if sp.LocalAS != 64512 || len(sp.Peers) != 0 || len(sp.Networks) != 0 || sp.LogicalRouter != nil {
			t.Fatalf("new speaker %+v", sp)
		}
		peer, err := peers.Create(ctx(t), c, peers.CreateOpts{Name: "upstream", PeerIP: "172.24.30.254", RemoteAS: 64513, AuthType: "none"}).Extract()
		must(t, err)
		wantError(t, peers.Create(ctx(t), c, peers.CreateOpts{Name: "bad", PeerIP: "172.24.30.253", RemoteAS: 64514, AuthType: "md5"}).Err, 400, "InvalidBgpPeerMd5Authentication")

		// MidoNet: the network (and so the router) before the peers.
		err = speakers.AddBGPPeer(ctx(t), c, sp.ID, speakers.AddBGPPeerOpts{BGPPeerID: peer.ID}).Err
		wantError(t, err, 400, "ExternalNetworkUnbound")
		must(t, speakers.AddGatewayNetwork(ctx(t), c, sp.ID, speakers.AddGatewayNetworkOpts{NetworkID: ext.ID}).Err)
		must(t, speakers.Get(ctx(t), c, sp.ID).ExtractInto(&sp))
		if sp.LogicalRouter == nil || *sp.LogicalRouter != edge.ID || len(sp.Networks) != 1 {
			t.Fatalf("speaker after the gateway network %+v, want router %s", sp, edge.ID)
		}
		must(t, speakers.AddBGPPeer(ctx(t), c, sp.ID, speakers.AddBGPPeerOpts{BGPPeerID: peer.ID}).Err)
		wantError(t, speakers.AddBGPPeer(ctx(t), c, sp.ID, speakers.AddBGPPeerOpts{BGPPeerID: peer.ID}).Err, 409, "DuplicateBgpPeerIpException")
		other, err := speakers.Create(ctx(t), c, speakers.CreateOpts{Name: "other", IPVersion: 4, LocalAS: "65000"}).Extract()
		must(t, err)
		wantError(t, speakers.AddBGPPeer(ctx(t), c, other.ID, speakers.AddBGPPeerOpts{BGPPeerID: peer.ID}).Err, 409, "MidonetBgpPeerInUse")
		wantError(t, speakers.AddGatewayNetwork(ctx(t), c, other.ID, speakers.AddGatewayNetworkOpts{NetworkID: ext.ID}).Err, 409, "RouterInUse")

		// Advertised: the tenant subnet through the edge router's address on the peer's subnet.
		pages, err := speakers.GetAdvertisedRoutes(c, sp.ID).AllPages(ctx(t))
		must(t, err)
		routes, err := speakers.ExtractAdvertisedRoutes(pages)
		must(t, err)
		if len(routes) != 1 || routes[0].Destination != "10.90.1.0/24" || routes[0].NextHop != "172.24.30.1" {
			t.Fatalf("advertised routes %+v, want 10.90.1.0/24 via 172.24.30.1", routes)
		}

		// The router stays while the speaker uses it; the network stays while peers do.
		wantError(t, routers.Delete(ctx(t), c, edge.ID).ExtractErr(), 409, "RouterInUse")
		wantError(t, speakers.RemoveGatewayNetwork(ctx(t), c, sp.ID, speakers.RemoveGatewayNetworkOpts{NetworkID: ext.ID}).Err, 409, "BgpSpeakerInUse")
		must(t, speakers.RemoveBGPPeer(ctx(t), c, sp.ID, speakers.RemoveBGPPeerOpts{BGPPeerID: peer.ID}).ExtractErr())
		wantError(t, speakers.RemoveBGPPeer(ctx(t), c, sp.ID, speakers.RemoveBGPPeerOpts{BGPPeerID: peer.ID}).ExtractErr(), 404, "BgpSpeakerPeerNotAssociated")
		must(t, speakers.RemoveGatewayNetwork(ctx(t), c, sp.ID, speakers.RemoveGatewayNetworkOpts{NetworkID: ext.ID}).Err)
		must(t, speakers.Get(ctx(t), c, sp.ID).ExtractInto(&sp))
		if sp.LogicalRouter != nil || len(sp.Networks) != 0 {
			t.Errorf("speaker after removing its network %+v", sp)
		}

		// Members: the BGP API is admin only (a refused create is 403, as Neutron's policy
		// hook answers), and what a member may not see is not found.
		m := e.member(project)
		wantError(t, speakers.Create(ctx(t), m, speakers.CreateOpts{Name: "mine", IPVersion: 4, LocalAS: "64600"}).Err, 403, "PolicyNotAuthorized")
		wantError(t, speakers.Get(ctx(t), m, sp.ID).Err, 404, "BgpSpeakerNotFound")

		must(t, speakers.Delete(ctx(t), c, sp.ID).ExtractErr())
		must(t, speakers.Delete(ctx(t), c, other.ID).ExtractErr())
		must(t, peers.Delete(ctx(t), c, peer.ID).ExtractErr())
		wantError(t, speakers.Get(ctx(t), c, sp.ID).Err, 404, "BgpSpeakerNotFound")
	})
}
