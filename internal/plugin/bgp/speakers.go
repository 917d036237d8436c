package bgp

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"slices"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
)

// SpeakerCollection is /v2.0/bgp-speakers with its actions: a speaker's router, if given,
// must exist and have no speaker yet; its name or advertise flags change (MidoNet ignores
// the flags); a deleted speaker's peers stay, unbound.
type SpeakerCollection struct{ stored.Collection }

// NewSpeakerCollection returns the speakers' collection.
func NewSpeakerCollection() SpeakerCollection {
	return SpeakerCollection{stored.Collection{Res: Speakers, Unscoped: true, Prepare: prepareSpeaker}}
}

// speakerOfRouter is the speaker associated with a router ("" when none), found through the
// key index (Speakers.Lookups).
func speakerOfRouter(ctx context.Context, tx *db.Tx, routerID string) (string, error) {
	id, err := tx.FirstBy(ctx, Speakers.Collection, "logical_router", routerID)
	if err != nil {
		return "", fmt.Errorf("bgp: the speaker of router %s: %w", routerID, err)
	}
	return id, nil
}

func prepareSpeaker(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error {
	d["peers"], d["networks"] = []any{}, []any{}
	r := plugin.Str(d, "logical_router")
	if r == "" {
		return nil
	}
	if _, err := plugin.Fetch(ctx, tx, c, "routers", r); err != nil {
		return err
	}
	if other, err := speakerOfRouter(ctx, tx, r); err != nil {
		return err
	} else if other != "" {
		return fault.RouterInUseByBgpSpeaker(r, other)
	}
	return nil
}

// ActionMethod names the speaker actions and their methods.
func (SpeakerCollection) ActionMethod(action string) string {
	switch action {
	case "add_bgp_peer", "remove_bgp_peer", "add_gateway_network", "remove_gateway_network":
		return http.MethodPut
	case "get_advertised_routes", "bgp-dragents":
		return http.MethodGet
	}
	return ""
}

// Action runs a speaker action.
func (s SpeakerCollection) Action(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc, action string, body map[string]any) (any, error) {
	sp := model.MustDecode[Speaker](cur)
	switch action {
	case "add_bgp_peer":
		return s.addPeer(ctx, tx, c, cur, sp, body)
	case "remove_bgp_peer":
		id, _ := body["bgp_peer_id"].(string)
		if id == "" {
			return nil, fault.BgpSpeakerBadRequest("bgp_peer_id must be specified.")
		}
		if !slices.Contains(sp.Peers, id) {
			return nil, fault.BgpSpeakerPeerNotAssociated(id, sp.ID)
		}
		cur["peers"] = without(sp.Peers, id)
		return nil, plugin.SaveAsIs(ctx, tx, c, Speakers.Collection, cur)
	case "add_gateway_network":
		return s.addNetwork(ctx, tx, c, cur, sp, body)
	case "remove_gateway_network":
		id, _ := body["network_id"].(string)
		if id == "" {
			return nil, fault.BgpSpeakerBadRequest("network_id must be specified.")
		}
		if !slices.Contains(sp.Networks, id) {
			return nil, fault.BgpSpeakerNetworkNotAssociated(id, sp.ID)
		}
		if len(sp.Peers) > 0 {
			return nil, fault.BgpSpeakerInUse(sp.ID, "still associated with bgp peers")
		}
		cur["networks"] = without(sp.Networks, id)
		cur["logical_router"] = nil
		return map[string]any{"network_id": id}, plugin.SaveAsIs(ctx, tx, c, Speakers.Collection, cur)
	case "get_advertised_routes":
		routes, err := advertisedRoutes(ctx, tx, sp)
		if err != nil {
			return nil, err
		}
		return map[string]any{"advertised_routes": routes}, nil
	case "bgp-dragents":
		// MidoNet's agents speak BGP themselves: there are no dynamic-routing agents.
		return map[string]any{"agents": []any{}}, nil
	}
	return nil, fault.HTTPNotFound()
}

func without(ids []string, id string) []any {
	out := []any{}
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

// addPeer binds a peer: MidoNet needs the speaker's router first, and a peer belongs to one
// speaker only.
func (SpeakerCollection) addPeer(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc, sp Speaker, body map[string]any) (any, error) {
	id, _ := body["bgp_peer_id"].(string)
	if id == "" {
		return nil, fault.BgpSpeakerBadRequest("bgp_peer_id must be specified.")
	}
	pd, err := plugin.Fetch(ctx, tx, c, Peers.Collection, id)
	if err != nil {
		return nil, err
	}
	peer := model.MustDecode[Peer](pd)
	others, err := tx.ListBy(ctx, Speakers.Collection, "peers", id)
	if err != nil {
		return nil, fmt.Errorf("bgp: the speakers of peer %s: %w", id, err)
	}
	for _, o := range others {
		osp := model.MustDecode[Speaker](o)
		if !slices.Contains(osp.Peers, id) {
			continue
		}
		if osp.ID == sp.ID {
			return nil, fault.DuplicateBgpPeerIP(sp.ID, peer.PeerIP, id)
		}
		return nil, fault.MidonetBgpPeerInUse(id, osp.ID)
	}
	if sp.LogicalRouter == "" {
		return nil, fault.ExternalNetworkUnbound(sp.ID)
	}
	peers := make([]any, 0, len(sp.Peers)+1)
	for _, p := range sp.Peers {
		peers = append(peers, p)
	}
	cur["peers"] = append(peers, id)
	return map[string]any{"bgp_peer_id": id}, plugin.SaveAsIs(ctx, tx, c, Speakers.Collection, cur)
}

// addNetwork binds the speaker's one network and, through it, its router: the router whose
// port holds the gateway address of the network's first subnet (networking-midonet's rule).
func (SpeakerCollection) addNetwork(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc, sp Speaker, body map[string]any) (any, error) {
	id, _ := body["network_id"].(string)
	if id == "" {
		return nil, fault.BgpSpeakerBadRequest("network_id must be specified.")
	}
	nd, err := plugin.Fetch(ctx, tx, c, "networks", id)
	if err != nil {
		return nil, err
	}
	if sp.LogicalRouter != "" || len(sp.Networks) > 0 {
		return nil, fault.BgpSpeakerInUse(sp.ID, "already associated with router "+sp.LogicalRouter)
	}
	if n := model.MustDecode[model.Network](nd); !n.IsExternal() {
		return nil, fault.BgpNetworkInvalid("NetworkTypeInvalid", "Network %s is not an external network.", id)
	}
	subs, err := tx.List(ctx, "subnets", db.Filter{ParentID: id})
	if err != nil {
		return nil, err
	}
	if len(subs) == 0 {
		return nil, fault.BgpNetworkInvalid("NoSubnetInNetwork", "Network %s has no subnet.", id)
	}
	first := subs[0]
	for _, s := range subs[1:] {
		if plugin.Str(s, "created_at")+plugin.Str(s, "id") < plugin.Str(first, "created_at")+plugin.Str(first, "id") {
			first = s
		}
	}
	sub := model.MustDecode[model.Subnet](first)
	if sub.GatewayIP == "" {
		return nil, fault.BgpNetworkInvalid("NoGatewayIpOnSubnet", "Subnet %s has no gateway IP.", sub.ID)
	}
	ports, err := tx.List(ctx, "ports", db.Filter{ParentID: id})
	if err != nil {
		return nil, err
	}
	router := ""
	for _, pd := range ports {
		p := model.MustDecode[model.Port](pd)
		for _, f := range p.FixedIPs {
			if f.SubnetID == sub.ID && f.IPAddress == sub.GatewayIP && p.DeviceID != "" {
				router = p.DeviceID
			}
		}
	}
	if router == "" {
		return nil, fault.BgpNetworkInvalid("NoGatewayIpPortOnSubnet", "No router port holds the gateway IP %s of subnet %s.", sub.GatewayIP, sub.ID)
	}
	if other, err := speakerOfRouter(ctx, tx, router); err != nil {
		return nil, err
	} else if other != "" && other != sp.ID {
		return nil, fault.RouterInUseByBgpSpeaker(router, other)
	}
	cur["networks"] = []any{id}
	cur["logical_router"] = router
	return map[string]any{"network_id": id}, plugin.SaveAsIs(ctx, tx, c, Speakers.Collection, cur)
}

// advertisedRoutes computes the speaker's routes from the database.
func advertisedRoutes(ctx context.Context, tx *db.Tx, sp Speaker) ([]Route, error) {
	if sp.LogicalRouter == "" {
		return []Route{}, nil
	}
	rd, err := tx.Get(ctx, "routers", sp.LogicalRouter)
	if err != nil || rd == nil {
		return []Route{}, err
	}
	var peers []netip.Addr
	for _, id := range sp.Peers {
		pd, err := tx.Get(ctx, Peers.Collection, id)
		if err != nil {
			return nil, err
		}
		if a, err := netip.ParseAddr(plugin.Str(pd, "peer_ip")); err == nil {
			peers = append(peers, a)
		}
	}
	docs, err := tx.ListBy(ctx, "ports", "device_id", sp.LogicalRouter)
	if err != nil {
		return nil, err
	}
	var ports []model.Port
	for _, d := range docs {
		ports = append(ports, model.MustDecode[model.Port](d))
	}
	subnets := map[string]*model.Subnet{}
	subnetOf := func(id string) *model.Subnet {
		if s, ok := subnets[id]; ok {
			return s
		}
		d, err := tx.Get(ctx, "subnets", id)
		if err != nil || d == nil {
			subnets[id] = nil
			return nil
		}
		s := model.MustDecode[model.Subnet](d)
		subnets[id] = &s
		return &s
	}
	return advertised(ports, subnetOf, model.MustDecode[model.Router](rd).Routes, peers), nil
}
