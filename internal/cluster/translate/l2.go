package translate

import (
	"net"
	"net/netip"
	"slices"

	"github.com/midonet-go/midonet/internal/ipam"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/topology"
)

// linkLocal is IPv6's link-local prefix; protoICMPv6 is ICMPv6's IP protocol number.
var linkLocal = netip.MustParsePrefix("fe80::/64")

const protoICMPv6 = 58

// network: a bridge, except for uplink networks (their ports become router ports).
func network(w *World, id string) []topology.Object {
	n := w.Network(id)
	if n == nil || n.IsUplink() {
		return nil
	}
	return []topology.Object{&topology.Network{
		Meta: topology.Meta{ID: n.ID}, TenantID: n.TenantID, Name: n.Name,
		AdminStateUp: n.AdminStateUp, QosPolicyID: n.QosPolicyID, MTU: n.MTU,
	}}
}

// dhcpPortIP is the address of the network's DHCP port on a subnet, if there is one.
func dhcpPortIP(w *World, sub *model.Subnet) string {
	for _, p := range w.TrustedPortsOn(sub.NetworkID) {
		if p.DeviceOwner != model.OwnerDHCP {
			continue
		}
		for _, f := range fixedIPs(p) {
			if f.subnet == sub.ID {
				return f.ip.String()
			}
		}
	}
	return ""
}

// subnet: the Dhcp of an IPv4 subnet (MidoNet serves no DHCPv6 from Neutron).
func subnet(w *World, id string) []topology.Object {
	s := w.Subnet(id)
	if s == nil || isUplink(w, s.NetworkID) || s.IPVersion != 4 {
		return nil
	}
	dh := &topology.Dhcp{
		Meta: topology.Meta{ID: s.ID}, NetworkID: s.NetworkID, SubnetAddress: s.CIDR,
		Enabled: s.EnableDHCP, DefaultGateway: s.GatewayIP, ServerAddress: s.GatewayIP,
	}
	if n := w.Network(s.NetworkID); n != nil {
		dh.InterfaceMTU = n.MTU
	}
	dh.DNSServers = append(dh.DNSServers, s.DNSNameservers...)
	for _, r := range s.HostRoutes {
		dh.Opt121Routes = append(dh.Opt121Routes, topology.Opt121Route{Dst: r.Destination, Gateway: r.NextHop})
	}
	if ip := dhcpPortIP(w, s); ip != "" {
		dh.ServerAddress = ip
		dh.Opt121Routes = append(dh.Opt121Routes, topology.Opt121Route{Dst: metadataIP + "/32", Gateway: ip})
	}
	return []topology.Object{dh}
}

// port: the bridge port and what hangs off it (security chains, address-group membership,
// DHCP hosts, MAC/ARP seeds), or the router side of a router interface.
func port(w *World, id string) []topology.Object {
	d := w.Port(id)
	if d == nil {
		return nil
	}
	owner, net := d.DeviceOwner, d.NetworkID
	if owner == model.OwnerFloatingIP {
		return nil
	}
	if isUplink(w, net) {
		if owner == model.OwnerRouterInterface {
			return routerInterface(w, d, true)
		}
		return nil
	}
	var out []topology.Object
	ips := fixedIPs(d)
	mac := d.MACAddress
	// MAC and ARP seeds for endpoint (filtered) and router ports with an IPv4 first address,
	// as MidoNet seeded its VIF ports: the bridge delivers to a known port instead of flooding.
	if (filtered(d) || d.IsRouterPort()) && len(ips) > 0 && ips[0].ip.Is4() {
		out = append(out, &topology.MacEntry{Meta: topology.Meta{ID: topology.DerivedID("mac", net, mac)}, NetworkID: net, MAC: mac, PortID: id})
		for _, f := range ips {
			if f.ip.Is4() {
				out = append(out, &topology.ArpEntry{Meta: topology.Meta{ID: topology.DerivedID("arp", net, f.ip.String())}, NetworkID: net, IP: f.ip.String(), MAC: mac})
			}
		}
	}
	bp := &topology.Port{
		Meta: topology.Meta{ID: id}, NetworkID: net, AdminStateUp: d.AdminStateUp,
		QosPolicyID: d.QosPolicyID, MAC: mac, DeviceOwner: owner,
	}
	for _, f := range ips {
		bp.FixedIPs = append(bp.FixedIPs, f.ip.String())
	}
	// A VM (or other exterior) port is bound to its host interface; router interface and
	// gateway ports are linked to the router instead, never both.
	if name := d.InterfaceName(); name != "" && !d.IsRouterPort() {
		bp.HostID, bp.InterfaceName = d.HostID, name
	}
	switch owner {
	case model.OwnerRouterInterface:
		if w.Router(d.DeviceID) != nil {
			bp.PeerID = topology.RouterInterfacePortPeerID(id)
			out = append(out, routerInterface(w, d, false)...)
		}
	case model.OwnerRouterGateway:
		if w.Router(d.DeviceID) != nil {
			bp.PeerID = topology.TenantGwPortID(id)
		}
	}
	if filtered(d) {
		bp.InboundFilterID, bp.OutboundFilterID = topology.InChainID(id), topology.OutChainID(id)
		out = append(out, portSecurity(d, ips, stateless(w, d))...)
		// Address-group membership follows the security groups even with port security off.
		for _, sg := range sortedStrings(d.SecurityGroups) {
			for _, f := range ips {
				out = append(out, &topology.IPAddrMember{Meta: topology.Meta{ID: topology.DerivedID("ipaddr", sg, f.ip.String(), id)}, GroupID: sg, IP: f.ip.String(), PortID: id})
			}
		}
		for _, f := range ips {
			if !f.ip.Is4() || w.Subnet(f.subnet) == nil {
				continue
			}
			h := &topology.DhcpHost{Meta: topology.Meta{ID: topology.DerivedID("dhcphost", f.subnet, mac, f.ip.String())}, DhcpID: f.subnet, MAC: mac, IP: f.ip.String(), Name: "host-" + dashes(f.ip)}
			for _, o := range d.ExtraDHCPOpts {
				if o.IPVersion == 0 || o.IPVersion == 4 {
					h.ExtraDhcpOpts = append(h.ExtraDhcpOpts, topology.DhcpOpt{Name: o.Name, Value: o.Value})
				}
			}
			out = append(out, h)
		}
	}
	return append([]topology.Object{bp}, out...)
}

func dashes(a netip.Addr) string {
	b := []byte(a.String())
	for i, c := range b {
		if c == '.' || c == ':' {
			b[i] = '-'
		}
	}
	return string(b)
}

// stateless reports whether every security group of the port is stateless
// (stateful-security-group): its filters then accept no traffic for being a reply.
func stateless(w *World, d *model.Port) bool {
	if len(d.SecurityGroups) == 0 {
		return false
	}
	for _, id := range d.SecurityGroups {
		sg := w.SecurityGroup(id)
		if sg == nil || sg.Stateful == nil || *sg.Stateful {
			return false
		}
	}
	return true
}

// portSecurity builds the three chains of a filtered port; with port security off they stay
// empty. A stateless port's chains have no return-flow accept.
func portSecurity(d *model.Port, ips []fixedIP, stateless bool) []topology.Object {
	id := d.ID
	in, outc, spoof := topology.InChainID(id), topology.OutChainID(id), topology.AntiSpoofChainID(id)
	objs := []topology.Object{
		chain(in, "OS_PORT_"+id+"_INBOUND", d.TenantID),
		chain(outc, "OS_PORT_"+id+"_OUTBOUND", d.TenantID),
		chain(spoof, "OS_PORT_"+id+"_ANTI_SPOOF", d.TenantID),
	}
	if !d.PortSecurityEnabled {
		return objs
	}
	notARP := topology.Condition{DlType: etherARP, InvDlType: true, FragmentPolicy: topology.FragAny}
	groups := sortedStrings(d.SecurityGroups)
	objs = append(objs,
		jump(topology.AntiSpoofJumpRuleID(id), in, 10, spoof),
		rule(topology.DerivedID(in, "drop"), in, 1000, topology.ActionDrop, notARP),
		rule(topology.DerivedID(outc, "drop"), outc, 1000, topology.ActionDrop, notARP),
	)
	if !stateless {
		objs = append(objs,
			rule(topology.DerivedID(in, "return"), in, 20, topology.ActionAccept, topology.Condition{MatchReturnFlow: true}),
			rule(topology.DerivedID(outc, "return"), outc, 10, topology.ActionAccept, topology.Condition{MatchReturnFlow: true}))
	}
	for i, sg := range groups {
		objs = append(objs,
			jump(topology.DerivedID(in, "sg", sg), in, 30+i, topology.InChainID(sg)),
			jump(topology.DerivedID(outc, "sg", sg), outc, 20+i, topology.OutChainID(sg)))
	}
	// Anti-spoofing: DHCP requests, then each fixed IP and allowed address pair.
	order := 10
	next := func() int { order += 10; return order }
	objs = append(objs, rule(topology.DerivedID(spoof, "dhcp"), spoof, order, topology.ActionReturn,
		// Only DHCP (UDP over IPv4) may leave before the address checks: MidoNet matched the
		// ports alone, which let any protocol on 68→67 through with a spoofed address.
		topology.Condition{DlType: etherIPv4, NwProto: 17, TpSrc: &topology.Range{Start: 68, End: 68}, TpDst: &topology.Range{Start: 67, End: 67}, FragmentPolicy: topology.FragAny}))
	allow := func(prefix, mac string) {
		objs = append(objs,
			rule(topology.DerivedID(spoof, "arp", prefix), spoof, next(), topology.ActionReturn,
				topology.Condition{DlType: etherARP, NwSrcIP: prefix, FragmentPolicy: topology.FragAny}),
			rule(topology.DerivedID(spoof, "ip", prefix, mac), spoof, next(), topology.ActionReturn,
				topology.Condition{NwSrcIP: prefix, DlSrc: mac, FragmentPolicy: topology.FragAny}))
	}
	for _, f := range ips {
		allow(hostPrefix(f.ip), d.MACAddress)
	}
	macs := []string{d.MACAddress}
	for _, pair := range d.AllowedAddressPairs {
		ip := pair.IPAddress
		if p, ok := pair.Prefix(); ok {
			ip = p.String()
		}
		mac := pair.MACAddress
		if mac == "" {
			mac = d.MACAddress
		}
		allow(ip, mac)
		if !slices.Contains(macs, mac) {
			macs = append(macs, mac)
		}
	}
	// IPv6 hosts speak from their link-local address (neighbor and router discovery,
	// DHCPv6) and detect duplicate addresses with ICMPv6 from ::; Neutron's firewall lets
	// both out for the port's MAC and those of its address pairs.
	for _, mac := range macs {
		if hw, err := net.ParseMAC(mac); err == nil && len(hw) == 6 {
			lla := hostPrefix(ipam.EUI64(linkLocal, [6]byte(hw)))
			objs = append(objs, rule(topology.DerivedID(spoof, "ip", lla, mac), spoof, next(), topology.ActionReturn,
				topology.Condition{NwSrcIP: lla, DlSrc: mac, FragmentPolicy: topology.FragAny}))
		}
		objs = append(objs, rule(topology.DerivedID(spoof, "dad", mac), spoof, next(), topology.ActionReturn,
			topology.Condition{DlType: etherIPv6, NwSrcIP: "::/128", NwProto: protoICMPv6, DlSrc: mac, FragmentPolicy: topology.FragAny}))
	}
	objs = append(objs, rule(topology.DerivedID(spoof, "drop"), spoof, 10000, topology.ActionDrop, topology.Condition{FragmentPolicy: topology.FragAny}))
	return objs
}

// securityGroup: two chains (egress rules, used on traffic leaving VMs; ingress rules) and
// the address group of its members.
func securityGroup(w *World, id string) []topology.Object {
	d := w.SecurityGroup(id)
	if d == nil {
		return nil
	}
	return []topology.Object{
		chain(topology.InChainID(id), "OS_SG_"+id+"_EGRESS", d.TenantID),
		chain(topology.OutChainID(id), "OS_SG_"+id+"_INGRESS", d.TenantID),
		&topology.IPAddrGroup{Meta: topology.Meta{ID: id}, Name: d.Name,
			InboundChainID: topology.InChainID(id), OutboundChainID: topology.OutChainID(id)},
	}
}

// securityGroupRule: one ACCEPT rule, or two when a port range splits first fragments (with
// the L4 match) from later ones (without).
func securityGroupRule(w *World, id string) []topology.Object {
	d := w.Rule(id)
	if d == nil || w.SecurityGroup(d.SecurityGroupID) == nil {
		return nil
	}
	sg := d.SecurityGroupID
	c := topology.Condition{NwProto: max(d.ProtocolNumber(), 0)}
	if d.EtherType == model.EtherTypeIPv6 {
		c.DlType = etherIPv6
	} else {
		c.DlType = etherIPv4
	}
	chainID := topology.OutChainID(sg)
	prefix := d.RemoteIPPrefix
	if p, err := netip.ParsePrefix(prefix); err == nil {
		prefix = p.Masked().String()
	} else if a, err := netip.ParseAddr(prefix); err == nil {
		prefix = hostPrefix(a)
	}
	// The remote end is a prefix, a security group's members or an address group's
	// prefixes; both kinds of group are IP address groups (the address group's id).
	group := d.RemoteGroupID
	if d.RemoteAddressGroupID != "" {
		group = d.RemoteAddressGroupID
	}
	if d.Direction == model.DirectionEgress {
		chainID = topology.InChainID(sg)
		c.NwDstIP, c.IPAddrGroupDst = prefix, group
	} else {
		c.NwSrcIP, c.IPAddrGroupSrc = prefix, group
	}
	lo, hi := d.PortRangeMin, d.PortRangeMax
	order := int(d.StandardAttrID) * 2
	if lo == nil && hi == nil {
		c.FragmentPolicy = topology.FragAny
		return []topology.Object{rule(id, chainID, order, topology.ActionAccept, c)}
	}
	l4 := c
	l4.FragmentPolicy = topology.FragHeader
	if c.NwProto == 1 || c.NwProto == 58 {
		if lo != nil {
			l4.TpSrc = &topology.Range{Start: *lo, End: *lo}
		}
		if hi != nil {
			l4.TpDst = &topology.Range{Start: *hi, End: *hi}
		}
	} else {
		r := topology.Range{Start: 1, End: 65535}
		if lo != nil {
			r.Start = *lo
		}
		if hi != nil {
			r.End = *hi
		}
		l4.TpDst = &r
	}
	rest := c
	rest.FragmentPolicy = topology.FragNonHeader
	return []topology.Object{
		rule(id, chainID, order, topology.ActionAccept, l4),
		rule(topology.NonHeaderRuleID(id), chainID, order+1, topology.ActionAccept, rest),
	}
}

// config: the DEFAULT tunnel zone.
func config(w *World, id string) []topology.Object {
	d := typedGet[model.Config](w, "config", id)
	if d == nil {
		return nil
	}
	typ := d.TunnelProtocol
	if typ == "" {
		typ = "vxlan"
	}
	return []topology.Object{&topology.TunnelZone{Meta: topology.Meta{ID: d.ID}, Name: "DEFAULT", Type: typ}}
}

// DefaultTunnelZone is the id of the singleton tunnel zone (networking-midonet's CONFIG id).
const DefaultTunnelZone = "00000000-0000-0000-0000-000000000001"
