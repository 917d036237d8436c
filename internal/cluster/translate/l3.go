package translate

import (
	"net/netip"
	"sort"

	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/topology"
)

// Orders inside router chains. Pre-routing: floating IP DNAT first, then the gateway's
// reverse SNAT and drop, then per-interface reverse SNAT. Post-routing: the four jumps,
// then the gateway SNAT set, then per-interface same-subnet SNAT. Skip-SNAT: RETURN rules
// (gateway, then floating-IP ports), the accept-unless-rewritten rule, then ACCEPT rules.
// Float-SNAT: gateway-owned floating IPs before interface-owned ones.
const (
	orderFipDNAT        = 10
	orderGwReverseSNAT  = 100
	orderGwDropWrong    = 101
	orderRIFSNAT        = 200
	orderGwSNAT         = 100
	orderDstRewritten   = 101
	orderDropFragments  = 102
	orderSkipGwOut      = 0
	orderSkipFipOut     = 10
	orderSkipAccept     = 500
	orderSkipGwIn       = 600
	orderSkipFipIn      = 700
	orderFloatSnatGw    = 100
	orderFloatSnatIface = 600
)

// gatewayPort returns a router's gateway port.
func gatewayPort(w *World, r *model.Router) *model.Port {
	if p := w.Port(r.GatewayPortID); p != nil {
		return p
	}
	for _, p := range w.PortsOf(r.ID) {
		if p.DeviceOwner == model.OwnerRouterGateway {
			return p
		}
	}
	return nil
}

// router: chains, port groups, the router, its gateway wiring and SNAT, and extra routes.
func router(w *World, id string) []topology.Object {
	d := w.Router(id)
	if d == nil {
		return nil
	}
	tenant := d.TenantID
	pre, post, fwd := topology.InChainID(id), topology.OutChainID(id), topology.FwdChainID(id)
	nat64, skip := topology.FloatNat64ChainID(id), topology.SkipSnatChainID(id)
	exact, float := topology.FloatSnatExactChainID(id), topology.FloatSnatChainID(id)
	pg := topology.PortGroupID(id)
	objs := []topology.Object{
		chain(pre, "OS_PRE_ROUTING_"+id, tenant), chain(post, "OS_POST_ROUTING_"+id, tenant),
		chain(fwd, "OS_FORWARD_"+id, tenant), chain(nat64, "OS_FLOAT_NAT64_"+id, tenant),
		chain(skip, "OS_SKIP_SNAT_"+id, tenant), chain(exact, "OS_FLOAT_SNAT_EXACT_"+id, tenant),
		chain(float, "OS_FLOAT_SNAT_"+id, tenant),
		&topology.Router{Meta: topology.Meta{ID: id}, TenantID: tenant, Name: d.Name,
			AdminStateUp: d.AdminStateUp, InboundFilterID: pre, OutboundFilterID: post, ForwardChainID: fwd},
		&topology.PortGroup{Meta: topology.Meta{ID: pg}, Name: "OS_PORT_GROUP_" + pg, TenantID: tenant, Stateful: true},
		&topology.PortGroup{Meta: topology.Meta{ID: topology.RouterInterfacePortGroupID(id)}, Name: "OS_PORT_GROUP_ROUTER_INTF_" + id, TenantID: tenant},
		jump(topology.DerivedID(post, "jump", nat64), post, 1, nat64),
		jump(topology.DerivedID(post, "jump", skip), post, 2, skip),
		jump(topology.DerivedID(post, "jump", exact), post, 3, exact),
		jump(topology.DerivedID(post, "jump", float), post, 4, float),
		rule(topology.SkipSnatAcceptRuleID(id), skip, orderSkipAccept, topology.ActionAccept,
			topology.Condition{NwDstRewritten: true, ConjunctionInv: true, FragmentPolicy: topology.FragAny}),
	}
	if g := gatewayPort(w, d); d.Gateway != nil && g != nil {
		objs = append(objs, gateway(w, d, d.Gateway.SNAT(), g)...)
	}
	return append(objs, extraRoutes(w, d)...)
}

// gateway wires the tenant side of the gateway port and, with SNAT on, the default SNAT set.
func gateway(w *World, r *model.Router, snat bool, g *model.Port) []topology.Object {
	id := r.ID
	gid := g.ID
	gr := topology.TenantGwPortID(gid)
	rp := &topology.Port{Meta: topology.Meta{ID: gr}, RouterID: id, AdminStateUp: true, PortMAC: g.MACAddress, PeerID: gid}
	var objs []topology.Object
	var gwIP netip.Addr
	for _, f := range fixedIPs(g) {
		sub := w.Subnet(f.subnet)
		pfx := prefixOf(w, f.subnet)
		if sub == nil || !pfx.Contains(f.ip) {
			continue
		}
		rp.PortSubnets = append(rp.PortSubnets, netip.PrefixFrom(f.ip, pfx.Bits()).String())
		if rp.PortAddress == "" {
			rp.PortAddress = f.ip.String()
		}
		ip := f.ip.String()
		objs = append(objs, route(topology.LocalRouteID(gr, ip), id, anyOf(f.ip), hostPrefix(f.ip), topology.NextHopLocal, gr, ""))
		if f.ip.Is4() {
			if !gwIP.IsValid() {
				gwIP = f.ip
			}
			def := route(topology.GatewayRouteID(gr, ip), id, anyV4, anyV4, topology.NextHopPort, gr, sub.GatewayIP)
			def.GatewayDhcpID = f.subnet
			objs = append(objs, def,
				route(topology.RouterInterfaceRouteID(gr, ip), id, anyV4, pfx.Masked().String(), topology.NextHopPort, gr, ""))
		} else {
			objs = append(objs,
				route(topology.RouterInterfaceRouteID(gr, ip), id, anyV4, nat64Pool, topology.NextHopFIP64, gr, ""),
				rule(topology.FloatNat64ChainID(gr), topology.FloatNat64ChainID(id), 10, topology.ActionAccept,
					topology.Condition{OutPortIDs: []string{gr}, NwDstIP: nat64Pool}))
		}
	}
	objs = append([]topology.Object{rp}, objs...)
	if gwIP.IsValid() && snat {
		pre, post, skip := topology.InChainID(id), topology.OutChainID(id), topology.SkipSnatChainID(id)
		ip, host := gwIP.String(), hostPrefix(gwIP)
		notFromGw := topology.Condition{OutPortIDs: []string{gr}, NwSrcIP: host, NwSrcInv: true}
		drop := notFromGw
		drop.FragmentPolicy = topology.FragAny
		objs = append(objs,
			rule(topology.SkipSnatOutGwPortRuleID(id), skip, orderSkipGwOut, topology.ActionReturn, topology.Condition{OutPortIDs: []string{gr}, FragmentPolicy: topology.FragAny}),
			rule(topology.SkipSnatInGwPortRuleID(id), skip, orderSkipGwIn, topology.ActionAccept, topology.Condition{InPortIDs: []string{gr}, FragmentPolicy: topology.FragAny}),
			natRule(topology.OutSnatRuleID(id), post, orderGwSNAT, notFromGw, ip, true, false, false),
			natRule(topology.DstRewrittenSnatRuleID(id), post, orderDstRewritten, topology.Condition{NwDstRewritten: true, FragmentPolicy: topology.FragAny}, ip, true, false, false),
			rule(topology.OutDropUnmatchedFragmentsRuleID(id), post, orderDropFragments, topology.ActionDrop, drop),
			natRule(topology.InReverseSnatRuleID(id), pre, orderGwReverseSNAT, topology.Condition{NwDstIP: host}, "", false, false, true),
			rule(topology.InDropWrongPortTrafficRuleID(id), pre, orderGwDropWrong, topology.ActionDrop, topology.Condition{NwDstIP: host, NwProto: 1, NwProtoInv: true}),
		)
	}
	return objs
}

// routerPortsOf lists a router's router-side ports (gateway and interfaces) as (id, subnets).
func routerPortsOf(w *World, r *model.Router) []*topology.Port {
	var out []*topology.Port
	if g := gatewayPort(w, r); g != nil {
		for _, o := range gateway(w, r, false, g) {
			if p, ok := o.(*topology.Port); ok {
				out = append(out, p)
			}
		}
	}
	for _, p := range w.PortsOf(r.ID) {
		if p.DeviceOwner != model.OwnerRouterInterface {
			continue
		}
		for _, o := range routerInterface(w, p, isUplink(w, p.NetworkID)) {
			if rp, ok := o.(*topology.Port); ok {
				out = append(out, rp)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// extraRoutes: each route goes out of the first router port whose subnet holds the nexthop.
func extraRoutes(w *World, r *model.Router) []topology.Object {
	id := r.ID
	ports := routerPortsOf(w, r)
	var objs []topology.Object
	for _, rt := range r.Routes {
		nh, err := netip.ParseAddr(rt.NextHop)
		if err != nil {
			continue
		}
		dst, src := rt.Destination, rt.Source
		if src == "" {
			src = anyOf(nh)
		}
		via := ""
		for _, p := range ports {
			for _, s := range p.PortSubnets {
				pfx, err := netip.ParsePrefix(s)
				if err == nil && pfx.Contains(nh) && pfx.Addr() != nh && via == "" {
					via = p.ID
				}
			}
		}
		if via == "" {
			continue
		}
		key := dst + "|" + rt.NextHop
		if s := rt.Source; s != "" {
			key += "|" + s
		}
		objs = append(objs, route(topology.XorStr(id, key), id, src, dst, topology.NextHopPort, via, nh.String()))
	}
	return objs
}

// routerInterface: the router-side port of an interface, its routes and (on tenant
// networks) the same-subnet SNAT pair; on uplink networks the port is bound to the host
// interface and joins the router's stateful edge port group.
func routerInterface(w *World, p *model.Port, uplink bool) []topology.Object {
	rid := p.DeviceID
	if w.Router(rid) == nil {
		return nil
	}
	pid := p.ID
	rpid := topology.RouterInterfacePortPeerID(pid)
	rp := &topology.Port{Meta: topology.Meta{ID: rpid}, RouterID: rid, AdminStateUp: true, PortMAC: p.MACAddress}
	if uplink {
		rp.PortGroupIDs = []string{topology.PortGroupID(rid)}
		if name := p.InterfaceName(); name != "" {
			rp.HostID, rp.InterfaceName = p.HostID, name
		}
	} else {
		rp.PortGroupIDs = []string{topology.RouterInterfacePortGroupID(rid)}
		rp.PeerID = pid
	}
	var objs []topology.Object
	for _, f := range fixedIPs(p) {
		sub := w.Subnet(f.subnet)
		pfx := prefixOf(w, f.subnet)
		if sub == nil {
			continue
		}
		ip := f.ip.String()
		rp.PortSubnets = append(rp.PortSubnets, netip.PrefixFrom(f.ip, pfx.Bits()).String())
		if rp.PortAddress == "" {
			rp.PortAddress = ip
		}
		if ip == sub.GatewayIP && !uplink && rp.DhcpID == "" && f.ip.Is4() {
			rp.DhcpID = f.subnet
		}
		objs = append(objs, route(topology.LocalRouteID(rpid, ip), rid, anyOf(f.ip), hostPrefix(f.ip), topology.NextHopLocal, rpid, ""))
		if !f.ip.Is4() {
			if !uplink {
				objs = append(objs,
					route(topology.RouterInterfaceRouteID(rpid, ip), rid, anyV4, nat64Pool, topology.NextHopFIP64, rpid, ""),
					rule(topology.FloatNat64ChainID(rpid), topology.FloatNat64ChainID(rid), 10, topology.ActionAccept,
						topology.Condition{OutPortIDs: []string{rpid}, NwDstIP: nat64Pool}))
			}
			continue
		}
		objs = append(objs, route(topology.RouterInterfaceRouteID(rpid, ip), rid, anyV4, pfx.Masked().String(), topology.NextHopPort, rpid, ""))
		if uplink {
			continue
		}
		if dhcp := dhcpPortIP(w, sub); dhcp != "" && ip == sub.GatewayIP {
			objs = append(objs, route(topology.MetadataRouteID(rpid, ip), rid, pfx.Masked().String(), metadataIP+"/32", topology.NextHopPort, rpid, dhcp))
		}
		pre, post := topology.InChainID(rid), topology.OutChainID(rid)
		objs = append(objs,
			natRule(topology.SameSubnetSnatRuleID(post, rpid), post, orderRIFSNAT, topology.Condition{
				InPortIDs: []string{rpid}, OutPortIDs: []string{rpid}, NwDstIP: metadataIP + "/32", NwDstInv: true, MatchForwardFlow: true,
			}, ip, true, false, false),
			natRule(topology.SameSubnetSnatRuleID(pre, rpid), pre, orderRIFSNAT, topology.Condition{
				InPortIDs: []string{rpid}, NwDstIP: hostPrefix(f.ip), MatchReturnFlow: true,
			}, "", false, false, true),
		)
	}
	return append([]topology.Object{rp}, objs...)
}

// floatingIP: the NAT rules of an associated IPv4 floating IP on its router (and the ARP
// seed on the floating network), or the fip64 entry of an IPv6 one.
func floatingIP(w *World, id string) []topology.Object {
	d := w.FloatingIP(id)
	if d == nil {
		return nil
	}
	rid, vm := d.RouterID, d.PortID
	r := w.Router(rid)
	fip, err1 := netip.ParseAddr(d.FloatingIPAddress)
	fixed, err2 := netip.ParseAddr(d.FixedIPAddress)
	if r == nil || vm == "" || err1 != nil || err2 != nil {
		return nil
	}
	floatingNet := d.FloatingNetworkID
	if !fip.Is4() {
		g := gatewayPort(w, r)
		if g == nil || !fixed.Is4() {
			return nil
		}
		return []topology.Object{&topology.Fip64Entry{Meta: topology.Meta{ID: id}, NetworkID: floatingNet,
			FixedIP: fixed.String(), FloatingIP: fip.String(), NAT64Pool: nat64Pool,
			PortID: topology.TenantGwPortID(g.ID), RouterID: rid}}
	}
	// The router port that owns the floating IP: the gateway when its subnet holds the
	// address, else the interface on the floating network whose subnet holds it.
	owning, netPort, onGateway := "", (*model.Port)(nil), false
	if g := gatewayPort(w, r); g != nil && g.NetworkID == floatingNet {
		for _, f := range fixedIPs(g) {
			if prefixOf(w, f.subnet).Contains(fip) {
				owning, netPort, onGateway = topology.TenantGwPortID(g.ID), g, true
			}
		}
	}
	if owning == "" {
		for _, p := range w.PortsOf(rid) {
			if p.DeviceOwner != model.OwnerRouterInterface || p.NetworkID != floatingNet {
				continue
			}
			if ips := fixedIPs(p); len(ips) > 0 && prefixOf(w, ips[0].subnet).Contains(fip) {
				owning, netPort = topology.RouterInterfacePortPeerID(p.ID), p
				break
			}
		}
	}
	if owning == "" {
		return nil
	}
	pre, exact, float, skip := topology.InChainID(rid), topology.FloatSnatExactChainID(rid), topology.FloatSnatChainID(rid), topology.SkipSnatChainID(rid)
	floatOrder := orderFloatSnatIface
	if onGateway {
		floatOrder = orderFloatSnatGw
	}
	fromFixed := topology.Condition{NwSrcIP: hostPrefix(fixed), FragmentPolicy: topology.FragAny}
	exactCond := fromFixed
	exactCond.OutPortIDs = []string{owning}
	objs := []topology.Object{
		&topology.ArpEntry{Meta: topology.Meta{ID: topology.DerivedID("fiparp", id)}, NetworkID: floatingNet, IP: fip.String(), MAC: netPort.MACAddress},
		natRule(topology.FipDnatRuleID(id), pre, orderFipDNAT, topology.Condition{NwDstIP: hostPrefix(fip), FragmentPolicy: topology.FragAny}, fixed.String(), false, true, false),
		natRule(topology.FipSnatExactRuleID(id), exact, 10, exactCond, fip.String(), false, false, false),
		natRule(topology.FipSnatRuleID(id), float, floatOrder, fromFixed, fip.String(), false, false, false),
		rule(topology.FipSkipSnatOutRuleID(id), skip, orderSkipFipOut, topology.ActionReturn, topology.Condition{OutPortIDs: []string{owning}, FragmentPolicy: topology.FragAny}),
		rule(topology.FipSkipSnatInRuleID(id), skip, orderSkipFipIn, topology.ActionAccept, topology.Condition{InPortIDs: []string{owning}, FragmentPolicy: topology.FragAny}),
	}
	for _, o := range objs {
		if rl, ok := o.(*topology.Rule); ok {
			rl.FipPortID = vm
		}
	}
	return objs
}

// RouterGatewayPort is the router-side id of a router's gateway port ("" without a gateway),
// for services whose objects act on a router's external traffic (metering labels).
func RouterGatewayPort(w *World, routerID string) string {
	r := w.Router(routerID)
	if r == nil || r.Gateway == nil {
		return ""
	}
	if g := gatewayPort(w, r); g != nil {
		return topology.TenantGwPortID(g.ID)
	}
	return ""
}
