package vpnaas

import (
	"crypto/sha256"
	"fmt"
	"net/netip"
	"slices"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/topology"
)

// The translation follows MidoNet's VPN translators (reference 2.13): a router with VPN
// services gets, once it has a connection, an IPsec container port on a link-local /30
// (router side .1) with a route to the /30, and one route per (local CIDR, peer CIDR) of
// each enabled connection through the container's address; the router hands IKE (UDP 500),
// NAT-T (UDP 4500) and ESP addressed to its gateway address to the container (VpnService,
// which internal/sim reads instead of MidoNet's three REDIRECT rules). The container port
// is bound to the host that binds the router's gateway port (binding:host_id): that agent
// runs the tunnels. The router's first VPN service (lowest id) owns the container; each
// service owns its connections.

func ownsNothing(*translate.World, string) []topology.Object { return nil }

// worldServices lists a router's VPN services in the world, by id.
func worldServices(w *translate.World, router string) []VPNService {
	var out []VPNService
	for _, d := range w.Mentioning(Services.Collection, router) {
		s, err := model.Decode[VPNService](d)
		if err == nil && s.RouterID == router {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b VPNService) int {
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	return out
}

func worldConnections(w *translate.World, services ...string) []Connection {
	var out []Connection
	for _, svc := range services {
		for _, d := range w.Mentioning(Connections.Collection, svc) {
			c, err := model.Decode[Connection](d)
			if err == nil && c.VPNServiceID == svc {
				out = append(out, c)
			}
		}
	}
	slices.SortFunc(out, func(a, b Connection) int {
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	return out
}

// serviceDependents: a service change may move the container to another service of the router.
func serviceDependents(w *translate.World, id string, d translate.Doc, add func(string, ...string)) {
	s, err := model.Decode[VPNService](d)
	if err != nil {
		return
	}
	for _, o := range worldServices(w, s.RouterID) {
		if o.ID != id {
			add(Services.Collection, o.ID)
		}
	}
}

// connectionDependents: a connection belongs to its service, and the first connection of a
// router makes the container of its first service.
func connectionDependents(w *translate.World, _ string, d translate.Doc, add func(string, ...string)) {
	c, err := model.Decode[Connection](d)
	if err != nil {
		return
	}
	add(Services.Collection, c.VPNServiceID)
	if sd := w.Get(Services.Collection, c.VPNServiceID); sd != nil {
		if s, err := model.Decode[VPNService](sd); err == nil {
			for _, o := range worldServices(w, s.RouterID) {
				add(Services.Collection, o.ID)
			}
		}
	}
}

// servicesUsing names the services whose connections name the changed policy by attr.
func servicesUsing(attr string) func(*translate.World, string, translate.Doc, func(string, ...string)) {
	return func(w *translate.World, id string, _ translate.Doc, add func(string, ...string)) {
		for _, d := range w.Mentioning(Connections.Collection, id) {
			if s, _ := d[attr].(string); s == id {
				add(Services.Collection, fmt.Sprint(d["vpnservice_id"]))
			}
		}
	}
}

func servicesUsingGroup(w *translate.World, id string, _ translate.Doc, add func(string, ...string)) {
	for _, d := range w.Mentioning(Connections.Collection, id) {
		if d["local_ep_group_id"] == id || d["peer_ep_group_id"] == id {
			add(Services.Collection, fmt.Sprint(d["vpnservice_id"]))
		}
	}
}

// servicesOfGroupsWith follows a subnet's change to the services whose connections have an
// endpoint group listing it.
func servicesOfGroupsWith(w *translate.World, id string, _ translate.Doc, add func(...string)) {
	for _, g := range w.MentioningIDs(EndpointGroups.Collection, id) {
		servicesUsingGroup(w, g, nil, func(_ string, ids ...string) { add(ids...) })
	}
}

// ContainerPortID is the id of a router's IPsec container port.
func ContainerPortID(router string) string { return topology.DerivedID("vpn-container-port", router) }

// containerLink is the router's link-local /30 to its container: the router side (.1) and
// the container side (.2), chosen from the router id (169.254.169.0/24, the metadata
// range, is avoided).
func containerLink(router string) (netip.Prefix, netip.Addr) {
	h := sha256.Sum256([]byte(router))
	third := 1 + int(h[0])%253 // 1..253
	if third == 169 {
		third = 170
	}
	fourth := int(h[1]) % 64 * 4
	base := netip.AddrFrom4([4]byte{169, 254, byte(third), byte(fourth)})
	routerSide := base.Next()
	return netip.PrefixFrom(routerSide, 30), routerSide.Next()
}

// containerMAC is the container port's MAC (locally administered, from the router id).
func containerMAC(router string) string {
	h := sha256.Sum256([]byte("mac" + router))
	return fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", h[0], h[1], h[2])
}

// ContainerInterface is the host interface of a router's container port (15 characters at
// most, as Linux allows).
func ContainerInterface(router string) string { return "vpn-" + router[:min(8, len(router))] }

// gatewayHost is the host binding the router's gateway port ("" when unbound).
func gatewayHost(w *translate.World, r *model.Router) string {
	if p := w.Port(r.GatewayPortID); p != nil {
		return p.HostID
	}
	return ""
}

// serviceObjects translates one VPN service.
func serviceObjects(w *translate.World, id string) []topology.Object {
	svc, err := model.Decode[VPNService](w.Get(Services.Collection, id))
	if err != nil || svc.ID == "" {
		return nil
	}
	r := w.Router(svc.RouterID)
	if r == nil {
		return nil
	}
	all := worldServices(w, svc.RouterID)
	var ids []string
	for _, s := range all {
		ids = append(ids, s.ID)
	}
	routerConns := worldConnections(w, ids...)
	vs := &topology.VpnService{Meta: topology.Meta{ID: svc.ID}, RouterID: svc.RouterID, ExternalIP: svc.ExternalV4IP, AdminStateUp: svc.AdminStateUp}
	objs := []topology.Object{vs}
	if len(routerConns) == 0 {
		return objs
	}
	link, containerIP := containerLink(svc.RouterID)
	portID := ContainerPortID(svc.RouterID)
	vs.ContainerPortID, vs.ContainerIP = portID, containerIP.String()
	if all[0].ID == svc.ID {
		objs = append(objs,
			&topology.Port{Meta: topology.Meta{ID: portID}, RouterID: svc.RouterID, AdminStateUp: true,
				PortSubnets: []string{link.String()}, PortAddress: link.Addr().String(), PortMAC: containerMAC(svc.RouterID),
				HostID: gatewayHost(w, r), InterfaceName: ContainerInterface(svc.RouterID), DeviceOwner: "network:vpn_container"},
			&topology.Route{Meta: topology.Meta{ID: topology.DerivedID("vpn-container-route", svc.RouterID)}, RouterID: svc.RouterID,
				SrcSubnet: "0.0.0.0/0", DstSubnet: link.Masked().String(), NextHop: topology.NextHopPort, NextHopPortID: portID, Weight: 100},
			&topology.Route{Meta: topology.Meta{ID: topology.DerivedID("vpn-container-local", svc.RouterID)}, RouterID: svc.RouterID,
				SrcSubnet: "0.0.0.0/0", DstSubnet: link.Addr().String() + "/32", NextHop: topology.NextHopLocal, NextHopPortID: portID, Weight: 0},
		)
	}
	if !svc.AdminStateUp {
		return objs
	}
	for _, c := range worldConnections(w, svc.ID) {
		if !c.AdminStateUp {
			continue
		}
		conn := connectionObject(w, svc, c)
		if conn == nil {
			continue
		}
		objs = append(objs, conn)
		for _, l := range conn.LocalCIDRs {
			for _, p := range conn.PeerCIDRs {
				objs = append(objs, &topology.Route{Meta: topology.Meta{ID: topology.DerivedID("vpn-route", c.ID, l, p)}, RouterID: svc.RouterID,
					SrcSubnet: l, DstSubnet: p, NextHop: topology.NextHopPort, NextHopPortID: portID, NextHopGateway: containerIP.String(), Weight: 100})
			}
		}
	}
	return objs
}

// connectionObject is a connection with its policies and traffic selectors resolved (nil
// when something it names is gone).
func connectionObject(w *translate.World, svc VPNService, c Connection) *topology.IPSecSiteConnection {
	ike, err1 := model.Decode[IKEPolicy](w.Get(IKEPolicies.Collection, c.IKEPolicyID))
	ipsec, err2 := model.Decode[IPsecPolicy](w.Get(IPsecPolicies.Collection, c.IPsecPolicyID))
	if err1 != nil || err2 != nil || ike.ID == "" || ipsec.ID == "" {
		return nil
	}
	var local, peer []string
	if svc.SubnetID != "" {
		if s := w.Subnet(svc.SubnetID); s != nil {
			local = append(local, s.Prefix().Masked().String())
		}
		for _, p := range c.PeerCIDRs {
			if pf, ok := parseCIDR(p); ok {
				peer = append(peer, pf.Masked().String())
			}
		}
	} else {
		lg, _ := model.Decode[EndpointGroup](w.Get(EndpointGroups.Collection, c.LocalEPGroupID))
		pg, _ := model.Decode[EndpointGroup](w.Get(EndpointGroups.Collection, c.PeerEPGroupID))
		for _, id := range lg.Endpoints {
			if s := w.Subnet(id); s != nil {
				local = append(local, s.Prefix().Masked().String())
			}
		}
		for _, p := range pg.Endpoints {
			if pf, ok := parseCIDR(p); ok {
				peer = append(peer, pf.Masked().String())
			}
		}
	}
	if len(local) == 0 || len(peer) == 0 {
		return nil
	}
	return &topology.IPSecSiteConnection{Meta: topology.Meta{ID: c.ID}, VpnServiceID: svc.ID, RouterID: svc.RouterID,
		PeerAddress: c.PeerAddress, PeerID: c.PeerID, LocalID: c.LocalID, LocalCIDRs: local, PeerCIDRs: peer,
		MTU: c.MTU, Initiator: c.Initiator, DPDAction: c.DPD.Action, DPDInterval: c.DPD.Interval, DPDTimeout: c.DPD.Timeout,
		PSK: c.PSK,
		IKE: topology.IPSecProposal{Version: ike.IKEVersion, AuthAlgorithm: ike.AuthAlgorithm, Encryption: ike.EncryptionAlgorithm,
			PFS: ike.PFS, Lifetime: ike.Lifetime.Value, Phase1Mode: ike.Phase1NegotiationMode},
		IPSec: topology.IPSecProposal{AuthAlgorithm: ipsec.AuthAlgorithm, Encryption: ipsec.EncryptionAlgorithm, PFS: ipsec.PFS,
			Lifetime: ipsec.Lifetime.Value, TransformProtocol: ipsec.TransformProtocol, EncapsulationMode: ipsec.EncapsulationMode},
	}
}
