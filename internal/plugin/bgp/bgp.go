// Package bgp is the BGP dynamic-routing service (seed 2.10 and 8.2.1;
// neutron-dynamic-routing's bgp with networking-midonet's bgp-speaker-router-insertion):
// speakers bound to one router, peers that belong to one speaker, the advertised routes of
// the router, and their translation into MidoNet's BgpPeer and BgpNetwork objects. See
// README.md.
package bgp

import (
	"net/netip"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/topology"
)

// Service is the BGP service as internal/app wires it.
func Service() plugin.Service {
	return plugin.Service{
		Name: "bgp",
		// Seed 2.10: service_plugins = midonet_bgp. neutron-dynamic-routing's own plugin
		// names are accepted too and load this one: MidoNet has one BGP implementation.
		ServicePlugins: []string{"midonet_bgp", "midonet.neutron.services.bgp.plugin.MidonetBgpPlugin",
			"bgp", "neutron_dynamic_routing.services.bgp.bgp_plugin.BgpPlugin"},
		Resources:  []*resource.Resource{Peers, Speakers},
		Extensions: Extensions,
		Translators: translate.Translators{
			// Peers are kept for the speakers' translation; they own nothing themselves.
			Peers.Collection: {Owned: func(*translate.World, string) []topology.Object { return nil }},
			// A speaker reads its router, the ports of the router (whatever their owner),
			// their subnets and its peers.
			Speakers.Collection: {Owned: speakerObjects, Follows: map[string]translate.Follow{
				"routers": translate.Naming(Speakers.Collection), Peers.Collection: translate.Naming(Speakers.Collection),
				"ports": namingDevice, "subnets": translate.NamingRoutersOn(Speakers.Collection)}},
		},
		Collections: func(plugin.Deps) []plugin.Collection {
			return []plugin.Collection{NewSpeakerCollection(), PeerCollection()}
		},
		Hooks: map[string]plugin.Hook{"routers": routerHook{}},
	}
}

// namingDevice follows a port's change to the speakers of the router its device_id names.
func namingDevice(w *translate.World, _ string, d translate.Doc, add func(...string)) {
	if device, _ := d["device_id"].(string); device != "" {
		add(w.MentioningIDs(Speakers.Collection, device)...)
	}
}

// speakerObjects translates a speaker with a router: a BgpPeer per bound peer and a
// BgpNetwork per advertised route, on the router.
func speakerObjects(w *translate.World, id string) []topology.Object {
	sp, err := model.Decode[Speaker](w.Get(Speakers.Collection, id))
	if err != nil || sp.LogicalRouter == "" {
		return nil
	}
	r := w.Router(sp.LogicalRouter)
	if r == nil {
		return nil
	}
	var objs []topology.Object
	var addrs []netip.Addr
	for _, pid := range sp.Peers {
		pd := w.Get(Peers.Collection, pid)
		p, err := model.Decode[Peer](pd)
		if err != nil || pd == nil {
			continue
		}
		if a, err := netip.ParseAddr(p.PeerIP); err == nil {
			addrs = append(addrs, a)
		}
		objs = append(objs, &topology.BgpPeer{Meta: topology.Meta{ID: p.ID}, RouterID: r.ID, LocalAS: sp.LocalAS,
			Address: p.PeerIP, AS: p.RemoteAS, MD5: p.AuthType == "md5", Password: p.Password})
	}
	var ports []model.Port
	for _, p := range w.PortsOf(r.ID) {
		ports = append(ports, *p)
	}
	for _, rt := range advertised(ports, w.Subnet, r.Routes, addrs) {
		objs = append(objs, &topology.BgpNetwork{Meta: topology.Meta{ID: topology.DerivedID("bgpnet", sp.ID, rt.Destination, rt.NextHop)},
			RouterID: r.ID, Subnet: rt.Destination, NextHop: rt.NextHop})
	}
	return objs
}
