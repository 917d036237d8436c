package translate

import (
	"net/netip"

	"github.com/midonet-go/midonet/internal/topology"
)

// network: a bridge, except for uplink networks (their ports become router ports).
func network(w *World, d Doc) []topology.Object {
	if str(d, "provider:network_type") == "uplink" {
		return nil
	}
	return []topology.Object{&topology.Network{
		Meta: topology.Meta{ID: str(d, "id")}, TenantID: str(d, "tenant_id"), Name: str(d, "name"),
		AdminStateUp: boolean(d, "admin_state_up", true), QosPolicyID: str(d, "qos_policy_id"),
		MTU: int(num(d["mtu"])),
	}}
}

// dhcpPortIP is the address of the network's DHCP port on a subnet, if there is one.
func dhcpPortIP(w *World, sub Doc) string {
	for _, p := range w.PortsOn(str(sub, "network_id")) {
		if str(p, "device_owner") != ownerDHCP {
			continue
		}
		for _, f := range fixedIPs(p) {
			if f.subnet == str(sub, "id") {
				return f.ip.String()
			}
		}
	}
	return ""
}

// subnet: the Dhcp of an IPv4 subnet (MidoNet serves no DHCPv6 from Neutron).
func subnet(w *World, d Doc) []topology.Object {
	net := str(d, "network_id")
	if isUplink(w, net) || num(d["ip_version"]) != 4 {
		return nil
	}
	dh := &topology.Dhcp{
		Meta: topology.Meta{ID: str(d, "id")}, NetworkID: net, SubnetAddress: str(d, "cidr"),
		Enabled: boolean(d, "enable_dhcp", true), DefaultGateway: str(d, "gateway_ip"),
		ServerAddress: str(d, "gateway_ip"), InterfaceMTU: int(num(w.Get("networks", net)["mtu"])),
	}
	for _, x := range list(d, "dns_nameservers") {
		if s, ok := x.(string); ok {
			dh.DNSServers = append(dh.DNSServers, s)
		}
	}
	for _, x := range list(d, "host_routes") {
		m, _ := x.(map[string]any)
		dh.Opt121Routes = append(dh.Opt121Routes, topology.Opt121Route{Dst: str(m, "destination"), Gateway: str(m, "nexthop")})
	}
	if ip := dhcpPortIP(w, d); ip != "" {
		dh.ServerAddress = ip
		dh.Opt121Routes = append(dh.Opt121Routes, topology.Opt121Route{Dst: metadataIP + "/32", Gateway: ip})
	}
	return []topology.Object{dh}
}

// port: the bridge port and what hangs off it (security chains, address-group membership,
// DHCP hosts, MAC/ARP seeds), or the router side of a router interface.
func port(w *World, d Doc) []topology.Object {
	owner := str(d, "device_owner")
	id, net := str(d, "id"), str(d, "network_id")
	if owner == ownerFIP {
		return nil
	}
	if isUplink(w, net) {
		if owner == ownerRIF {
			return routerInterface(w, d, true)
		}
		return nil
	}
	var out []topology.Object
	ips := fixedIPs(d)
	mac := str(d, "mac_address")
	// MAC and ARP seeds for endpoint (filtered) and router ports with an IPv4 first address,
	// as MidoNet seeded its VIF ports: the bridge delivers to a known port instead of flooding.
	if (filtered(owner) || owner == ownerRIF || owner == ownerGateway) && len(ips) > 0 && ips[0].ip.Is4() {
		out = append(out, &topology.MacEntry{Meta: topology.Meta{ID: topology.DerivedID("mac", net, mac)}, NetworkID: net, MAC: mac, PortID: id})
		for _, f := range ips {
			if f.ip.Is4() {
				out = append(out, &topology.ArpEntry{Meta: topology.Meta{ID: topology.DerivedID("arp", net, f.ip.String())}, NetworkID: net, IP: f.ip.String(), MAC: mac})
			}
		}
	}
	bp := &topology.Port{
		Meta: topology.Meta{ID: id}, NetworkID: net, AdminStateUp: boolean(d, "admin_state_up", true),
		QosPolicyID: str(d, "qos_policy_id"), MAC: mac, DeviceOwner: owner,
	}
	for _, f := range ips {
		bp.FixedIPs = append(bp.FixedIPs, f.ip.String())
	}
	// A VM (or other exterior) port is bound to its host interface; router interface and
	// gateway ports are linked to the router instead, never both.
	if host := str(d, "binding:host_id"); host != "" && str(d, "_interface_name") != "" && owner != ownerRIF && owner != ownerGateway {
		bp.HostID, bp.InterfaceName = host, str(d, "_interface_name")
	}
	switch owner {
	case ownerRIF:
		if w.Get("routers", str(d, "device_id")) != nil {
			bp.PeerID = topology.RouterInterfacePortPeerID(id)
			out = append(out, routerInterface(w, d, false)...)
		}
	case ownerGateway:
		if w.Get("routers", str(d, "device_id")) != nil {
			bp.PeerID = topology.TenantGwPortID(id)
		}
	}
	if filtered(owner) {
		bp.InboundFilterID, bp.OutboundFilterID = topology.InChainID(id), topology.OutChainID(id)
		out = append(out, portSecurity(d, ips)...)
		// Address-group membership follows the security groups even with port security off.
		for _, sg := range sortedStrings(list(d, "security_groups")) {
			for _, f := range ips {
				out = append(out, &topology.IPAddrMember{Meta: topology.Meta{ID: topology.DerivedID("ipaddr", sg, f.ip.String(), id)}, GroupID: sg, IP: f.ip.String(), PortID: id})
			}
		}
		for _, f := range ips {
			if !f.ip.Is4() || w.Get("subnets", f.subnet) == nil {
				continue
			}
			h := &topology.DhcpHost{Meta: topology.Meta{ID: topology.DerivedID("dhcphost", f.subnet, mac, f.ip.String())}, DhcpID: f.subnet, MAC: mac, IP: f.ip.String(), Name: "host-" + dashes(f.ip)}
			for _, x := range list(d, "extra_dhcp_opts") {
				m, _ := x.(map[string]any)
				if v := num(m["ip_version"]); v == 0 || v == 4 {
					h.ExtraDhcpOpts = append(h.ExtraDhcpOpts, topology.DhcpOpt{Name: str(m, "opt_name"), Value: str(m, "opt_value")})
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

// portSecurity builds the three chains of a filtered port; with port security off they stay empty.
func portSecurity(d Doc, ips []fixedIP) []topology.Object {
	id := str(d, "id")
	in, outc, spoof := topology.InChainID(id), topology.OutChainID(id), topology.AntiSpoofChainID(id)
	objs := []topology.Object{
		chain(in, "OS_PORT_"+id+"_INBOUND", str(d, "tenant_id")),
		chain(outc, "OS_PORT_"+id+"_OUTBOUND", str(d, "tenant_id")),
		chain(spoof, "OS_PORT_"+id+"_ANTI_SPOOF", str(d, "tenant_id")),
	}
	if !boolean(d, "port_security_enabled", true) {
		return objs
	}
	notARP := topology.Condition{DlType: etherARP, InvDlType: true, FragmentPolicy: topology.FragAny}
	groups := sortedStrings(list(d, "security_groups"))
	objs = append(objs,
		jump(topology.AntiSpoofJumpRuleID(id), in, 10, spoof),
		rule(topology.DerivedID(in, "return"), in, 20, topology.ActionAccept, topology.Condition{MatchReturnFlow: true}),
		rule(topology.DerivedID(in, "drop"), in, 1000, topology.ActionDrop, notARP),
		rule(topology.DerivedID(outc, "return"), outc, 10, topology.ActionAccept, topology.Condition{MatchReturnFlow: true}),
		rule(topology.DerivedID(outc, "drop"), outc, 1000, topology.ActionDrop, notARP),
	)
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
		allow(hostPrefix(f.ip), str(d, "mac_address"))
	}
	for _, x := range list(d, "allowed_address_pairs") {
		m, _ := x.(map[string]any)
		ip := str(m, "ip_address")
		if p, err := netip.ParsePrefix(ip); err == nil {
			ip = p.String()
		} else if a, err := netip.ParseAddr(ip); err == nil {
			ip = hostPrefix(a)
		}
		mac := str(m, "mac_address")
		if mac == "" {
			mac = str(d, "mac_address")
		}
		allow(ip, mac)
	}
	objs = append(objs, rule(topology.DerivedID(spoof, "drop"), spoof, 10000, topology.ActionDrop, topology.Condition{FragmentPolicy: topology.FragAny}))
	return objs
}

// securityGroup: two chains (egress rules, used on traffic leaving VMs; ingress rules) and
// the address group of its members.
func securityGroup(d Doc) []topology.Object {
	id := str(d, "id")
	return []topology.Object{
		chain(topology.InChainID(id), "OS_SG_"+id+"_EGRESS", str(d, "tenant_id")),
		chain(topology.OutChainID(id), "OS_SG_"+id+"_INGRESS", str(d, "tenant_id")),
		&topology.IPAddrGroup{Meta: topology.Meta{ID: id}, Name: str(d, "name"),
			InboundChainID: topology.InChainID(id), OutboundChainID: topology.OutChainID(id)},
	}
}

// securityGroupRule: one ACCEPT rule, or two when a port range splits first fragments (with
// the L4 match) from later ones (without).
func securityGroupRule(w *World, d Doc) []topology.Object {
	sg := str(d, "security_group_id")
	if w.Get("security_groups", sg) == nil {
		return nil
	}
	id := str(d, "id")
	c := topology.Condition{NwProto: protoNumber(d["protocol"])}
	if str(d, "ethertype") == "IPv6" {
		c.DlType = etherIPv6
	} else {
		c.DlType = etherIPv4
	}
	chainID := topology.OutChainID(sg)
	prefix := str(d, "remote_ip_prefix")
	if p, err := netip.ParsePrefix(prefix); err == nil {
		prefix = p.Masked().String()
	} else if a, err := netip.ParseAddr(prefix); err == nil {
		prefix = hostPrefix(a)
	}
	if str(d, "direction") == "egress" {
		chainID = topology.InChainID(sg)
		c.NwDstIP, c.IPAddrGroupDst = prefix, str(d, "remote_group_id")
	} else {
		c.NwSrcIP, c.IPAddrGroupSrc = prefix, str(d, "remote_group_id")
	}
	min, hasMin := d["port_range_min"], d["port_range_min"] != nil
	max, hasMax := d["port_range_max"], d["port_range_max"] != nil
	order := int(num(d["_standard_attr_id"])) * 2
	if !hasMin && !hasMax {
		c.FragmentPolicy = topology.FragAny
		return []topology.Object{rule(id, chainID, order, topology.ActionAccept, c)}
	}
	l4 := c
	l4.FragmentPolicy = topology.FragHeader
	if c.NwProto == 1 || c.NwProto == 58 {
		if hasMin {
			t := int(num(min))
			l4.TpSrc = &topology.Range{Start: t, End: t}
		}
		if hasMax {
			code := int(num(max))
			l4.TpDst = &topology.Range{Start: code, End: code}
		}
	} else {
		lo, hi := int(num(min)), int(num(max))
		if !hasMin {
			lo = 1
		}
		if !hasMax {
			hi = 65535
		}
		l4.TpDst = &topology.Range{Start: lo, End: hi}
	}
	rest := c
	rest.FragmentPolicy = topology.FragNonHeader
	return []topology.Object{
		rule(id, chainID, order, topology.ActionAccept, l4),
		rule(topology.NonHeaderRuleID(id), chainID, order+1, topology.ActionAccept, rest),
	}
}

// config: the DEFAULT tunnel zone.
func config(d Doc) []topology.Object {
	typ := str(d, "tunnel_protocol")
	if typ == "" {
		typ = "vxlan"
	}
	return []topology.Object{&topology.TunnelZone{Meta: topology.Meta{ID: str(d, "id")}, Name: "DEFAULT", Type: typ}}
}

// DefaultTunnelZone is the id of the singleton tunnel zone (networking-midonet's CONFIG id).
const DefaultTunnelZone = "00000000-0000-0000-0000-000000000001"

// agentMembership: a host in the DEFAULT tunnel zone (id = host id).
func agentMembership(d Doc) []topology.Object {
	return []topology.Object{&topology.TunnelZoneMember{Meta: topology.Meta{ID: str(d, "id")}, ZoneID: DefaultTunnelZone, HostID: str(d, "id"), IP: str(d, "ip_address")}}
}
