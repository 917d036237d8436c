package translate

import (
	"encoding/json"
	"slices"
	"sort"
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

const (
	tenant = "t1"
	netA   = "11111111-1111-4111-8111-111111111111"
	subA   = "22222222-2222-4222-8222-222222222222"
	extNet = "33333333-3333-4333-8333-333333333333"
	extSub = "44444444-4444-4444-8444-444444444444"
	vmPort = "55555555-5555-4555-8555-555555555555"
	sgWeb  = "66666666-6666-4666-8666-666666666666"
	rtr    = "77777777-7777-4777-8777-777777777777"
	gwPort = "88888888-8888-4888-8888-888888888888"
	rifA   = "99999999-9999-4999-8999-999999999999"
	fipID  = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
	sgRule = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
	upNet  = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
	upSub  = "dddddddd-dddd-4ddd-8ddd-dddddddddddd"
	upPort = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"
)

func ip(subnet, addr string) map[string]any {
	return map[string]any{"subnet_id": subnet, "ip_address": addr}
}

// world builds a tenant network behind a router with a gateway on an external network, a VM
// port in a security group and a floating IP.
func world() *World {
	w := NewWorld()
	w.Put("networks", Doc{"id": netA, "tenant_id": tenant, "name": "a", "admin_state_up": true, "provider:network_type": "midonet", "mtu": 1450})
	w.Put("networks", Doc{"id": extNet, "tenant_id": tenant, "admin_state_up": true, "provider:network_type": "midonet", "router:external": true})
	w.Put("subnets", Doc{"id": subA, "network_id": netA, "cidr": "10.0.0.0/24", "ip_version": 4, "gateway_ip": "10.0.0.1", "enable_dhcp": true,
		"dns_nameservers": []any{"8.8.8.8"}, "host_routes": []any{map[string]any{"destination": "192.168.0.0/16", "nexthop": "10.0.0.254"}}})
	w.Put("subnets", Doc{"id": extSub, "network_id": extNet, "cidr": "172.24.4.0/24", "ip_version": 4, "gateway_ip": "172.24.4.1"})
	w.Put("security_groups", Doc{"id": sgWeb, "tenant_id": tenant, "name": "web"})
	w.Put("ports", Doc{"id": vmPort, "network_id": netA, "tenant_id": tenant, "device_owner": "compute:nova", "mac_address": "fa:16:3e:00:00:01",
		"fixed_ips": []any{ip(subA, "10.0.0.5")}, "security_groups": []any{sgWeb}, "port_security_enabled": true, "admin_state_up": true,
		"allowed_address_pairs": []any{map[string]any{"ip_address": "10.0.0.100", "mac_address": "fa:16:3e:00:00:01"}},
		"extra_dhcp_opts":       []any{map[string]any{"opt_name": "bootfile-name", "opt_value": "pxe", "ip_version": 4}},
		"binding:host_id":       "compute-1", "binding:profile": map[string]any{"interface_name": "tap55555555-55"}})
	w.Put("routers", Doc{"id": rtr, "tenant_id": tenant, "name": "r", "admin_state_up": true, "gw_port_id": gwPort,
		"external_gateway_info": map[string]any{"network_id": extNet, "enable_snat": true},
		"routes":                []any{map[string]any{"destination": "192.168.0.0/16", "nexthop": "10.0.0.254", "source": "10.0.0.0/25"}}})
	w.Put("ports", Doc{"id": gwPort, "network_id": extNet, "device_owner": "network:router_gateway", "device_id": rtr, "mac_address": "fa:16:3e:00:00:02",
		"fixed_ips": []any{ip(extSub, "172.24.4.10")}})
	w.Put("ports", Doc{"id": rifA, "network_id": netA, "device_owner": "network:router_interface", "device_id": rtr, "mac_address": "fa:16:3e:00:00:03",
		"fixed_ips": []any{ip(subA, "10.0.0.1")}, "tenant_id": tenant})
	w.Put("floatingips", Doc{"id": fipID, "floating_network_id": extNet, "floating_ip_address": "172.24.4.20", "port_id": vmPort,
		"fixed_ip_address": "10.0.0.5", "router_id": rtr, "revision_number": 3})
	return w
}

func find[T topology.Object](t *testing.T, objs []topology.Object, id string) T {
	t.Helper()
	for _, o := range objs {
		if o.Base().ID == id {
			if v, ok := o.(T); ok {
				return v
			}
		}
	}
	var zero T
	t.Fatalf("object %s not found among %d objects", id, len(objs))
	return zero
}

// chainRules returns the rules of a chain in evaluation order.
func chainRules(objs []topology.Object, chain string) []*topology.Rule {
	var out []*topology.Rule
	for _, o := range objs {
		if r, ok := o.(*topology.Rule); ok && r.ChainID == chain {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Order != out[j].Order {
			return out[i].Order < out[j].Order
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func TestVMPortSecurityLayout(t *testing.T) {
	objs := Builtin().Owned(world(), RefOf("ports", vmPort))
	p := find[*topology.Port](t, objs, vmPort)
	if p.InboundFilterID != topology.InChainID(vmPort) || p.OutboundFilterID != topology.OutChainID(vmPort) {
		t.Fatalf("filters = %s/%s", p.InboundFilterID, p.OutboundFilterID)
	}
	if p.HostID != "compute-1" || p.InterfaceName != "tap55555555-55" {
		t.Errorf("binding = %s %s", p.HostID, p.InterfaceName)
	}
	names := map[string]string{
		topology.InChainID(vmPort): "OS_PORT_" + vmPort + "_INBOUND", topology.OutChainID(vmPort): "OS_PORT_" + vmPort + "_OUTBOUND",
		topology.AntiSpoofChainID(vmPort): "OS_PORT_" + vmPort + "_ANTI_SPOOF",
	}
	for id, name := range names {
		if c := find[*topology.Chain](t, objs, id); c.Name != name {
			t.Errorf("chain %s name %q, want %q", id, c.Name, name)
		}
	}
	in := chainRules(objs, topology.InChainID(vmPort))
	want := []struct {
		typ, action, target string
	}{
		{topology.RuleJump, topology.ActionJump, topology.AntiSpoofChainID(vmPort)},
		{topology.RuleLiteral, topology.ActionAccept, ""},
		{topology.RuleJump, topology.ActionJump, topology.InChainID(sgWeb)},
		{topology.RuleLiteral, topology.ActionDrop, ""},
	}
	if len(in) != len(want) {
		t.Fatalf("inbound chain has %d rules, want %d", len(in), len(want))
	}
	for i, w := range want {
		if in[i].Type != w.typ || in[i].Action != w.action || in[i].JumpChainID != w.target {
			t.Errorf("inbound rule %d = %s %s %s, want %+v", i, in[i].Type, in[i].Action, in[i].JumpChainID, w)
		}
	}
	if !in[1].Condition.MatchReturnFlow || in[3].Condition.DlType != etherARP || !in[3].Condition.InvDlType {
		t.Errorf("return-flow accept or non-ARP drop malformed: %+v %+v", in[1].Condition, in[3].Condition)
	}
	spoof := chainRules(objs, topology.AntiSpoofChainID(vmPort))
	// DHCP, (ARP, IP) for the fixed IP, (ARP, IP) for the address pair, the MAC's IPv6
	// link-local address and ICMPv6 from :: (duplicate address detection), drop.
	if len(spoof) != 8 {
		t.Fatalf("anti-spoof has %d rules, want 8", len(spoof))
	}
	if spoof[0].Condition.TpSrc.Start != 68 || spoof[0].Condition.TpDst.Start != 67 {
		t.Errorf("first anti-spoof rule should let DHCP out: %+v", spoof[0].Condition)
	}
	if spoof[2].Condition.NwSrcIP != "10.0.0.5/32" || spoof[2].Condition.DlSrc != "fa:16:3e:00:00:01" || spoof[2].Action != topology.ActionReturn {
		t.Errorf("fixed IP rule = %+v", spoof[2])
	}
	if spoof[3].Condition.NwSrcIP != "10.0.0.100/32" || spoof[3].Condition.DlType != etherARP {
		t.Errorf("address pair ARP rule = %+v", spoof[3].Condition)
	}
	if r := spoof[5]; r.Condition.NwSrcIP != "fe80::f816:3eff:fe00:1/128" || r.Condition.DlSrc != "fa:16:3e:00:00:01" || r.Action != topology.ActionReturn {
		t.Errorf("link-local rule = %s %+v", r.Action, r.Condition)
	}
	if r := spoof[6]; r.Condition.NwSrcIP != "::/128" || r.Condition.NwProto != 58 || r.Condition.DlType != etherIPv6 || r.Action != topology.ActionReturn {
		t.Errorf("duplicate address detection rule = %s %+v", r.Action, r.Condition)
	}
	if last := spoof[7]; last.Action != topology.ActionDrop {
		t.Errorf("anti-spoof must end with DROP, got %s", last.Action)
	}
	member := find[*topology.IPAddrMember](t, objs, topology.DerivedID("ipaddr", sgWeb, "10.0.0.5", vmPort))
	if member.GroupID != sgWeb || member.IP != "10.0.0.5" {
		t.Errorf("member = %+v", member)
	}
	host := find[*topology.DhcpHost](t, objs, topology.DerivedID("dhcphost", subA, "fa:16:3e:00:00:01", "10.0.0.5"))
	if host.DhcpID != subA || len(host.ExtraDhcpOpts) != 1 || host.ExtraDhcpOpts[0].Value != "pxe" {
		t.Errorf("dhcp host = %+v", host)
	}
	for _, o := range objs {
		if o.Base().Owner != "ports/"+vmPort {
			t.Fatalf("object %s owner %q", topology.Key(o), o.Base().Owner)
		}
	}
}

func TestPortSecurityDisabledKeepsEmptyChains(t *testing.T) {
	w := world()
	p := w.Get("ports", vmPort)
	p["port_security_enabled"] = false
	w.Put("ports", p)
	objs := Builtin().Owned(w, RefOf("ports", vmPort))
	if n := len(chainRules(objs, topology.InChainID(vmPort))); n != 0 {
		t.Errorf("inbound chain has %d rules with port security off", n)
	}
	find[*topology.Chain](t, objs, topology.AntiSpoofChainID(vmPort))
	find[*topology.IPAddrMember](t, objs, topology.DerivedID("ipaddr", sgWeb, "10.0.0.5", vmPort))
}

func TestSecurityGroupRules(t *testing.T) {
	cases := []struct {
		name  string
		rule  Doc
		rules int
		chain string
		check func(t *testing.T, rs []*topology.Rule)
	}{
		{"tcp 22 ingress from a prefix", Doc{"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "10.1.2.3/8"},
			2, topology.OutChainID(sgWeb), func(t *testing.T, rs []*topology.Rule) {
				if rs[0].Condition.FragmentPolicy != topology.FragHeader || rs[0].Condition.TpDst.Start != 22 || rs[0].Condition.NwProto != 6 || rs[0].Condition.NwSrcIP != "10.0.0.0/8" {
					t.Errorf("header rule = %+v", rs[0].Condition)
				}
				if rs[1].ID != topology.NonHeaderRuleID(sgRule) || rs[1].Condition.FragmentPolicy != topology.FragNonHeader || rs[1].Condition.TpDst != nil {
					t.Errorf("non-header rule = %+v", rs[1])
				}
			}},
		{"any egress to a group", Doc{"direction": "egress", "ethertype": "IPv6", "remote_group_id": sgWeb},
			1, topology.InChainID(sgWeb), func(t *testing.T, rs []*topology.Rule) {
				c := rs[0].Condition
				if c.FragmentPolicy != topology.FragAny || c.IPAddrGroupDst != sgWeb || c.DlType != etherIPv6 || rs[0].Action != topology.ActionAccept {
					t.Errorf("rule = %+v", c)
				}
			}},
		{"icmp echo", Doc{"direction": "ingress", "ethertype": "IPv4", "protocol": "icmp", "port_range_min": 8, "port_range_max": 0},
			2, topology.OutChainID(sgWeb), func(t *testing.T, rs []*topology.Rule) {
				if c := rs[0].Condition; c.TpSrc.Start != 8 || c.TpDst.Start != 0 || c.NwProto != 1 {
					t.Errorf("icmp rule = %+v", c)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := world()
			d := Doc{"id": sgRule, "security_group_id": sgWeb}
			for k, v := range tc.rule {
				d[k] = v
			}
			w.Put("security_group_rules", d)
			objs := Builtin().Owned(w, RefOf("security_group_rules", sgRule))
			rs := chainRules(objs, tc.chain)
			if len(rs) != tc.rules {
				t.Fatalf("%d rules in %s, want %d", len(rs), tc.chain, tc.rules)
			}
			tc.check(t, rs)
		})
	}
}

func TestRouterWithGatewaySNAT(t *testing.T) {
	objs := Builtin().Owned(world(), RefOf("routers", rtr))
	r := find[*topology.Router](t, objs, rtr)
	if r.InboundFilterID != topology.InChainID(rtr) || r.OutboundFilterID != topology.OutChainID(rtr) {
		t.Errorf("router chains = %+v", r)
	}
	for id, name := range map[string]string{
		topology.InChainID(rtr): "OS_PRE_ROUTING_" + rtr, topology.OutChainID(rtr): "OS_POST_ROUTING_" + rtr,
		topology.SkipSnatChainID(rtr): "OS_SKIP_SNAT_" + rtr, topology.FloatSnatChainID(rtr): "OS_FLOAT_SNAT_" + rtr,
		topology.FloatSnatExactChainID(rtr): "OS_FLOAT_SNAT_EXACT_" + rtr, topology.FloatNat64ChainID(rtr): "OS_FLOAT_NAT64_" + rtr,
	} {
		if c := find[*topology.Chain](t, objs, id); c.Name != name {
			t.Errorf("chain name %q want %q", c.Name, name)
		}
	}
	post := chainRules(objs, topology.OutChainID(rtr))
	wantJumps := []string{topology.FloatNat64ChainID(rtr), topology.SkipSnatChainID(rtr), topology.FloatSnatExactChainID(rtr), topology.FloatSnatChainID(rtr)}
	for i, j := range wantJumps {
		if post[i].JumpChainID != j {
			t.Errorf("post-routing rule %d jumps to %s, want %s", i, post[i].JumpChainID, j)
		}
	}
	gr := topology.TenantGwPortID(gwPort)
	snat := find[*topology.Rule](t, objs, topology.OutSnatRuleID(rtr))
	if snat.NAT == nil || snat.NAT.Targets[0].NwStart != "172.24.4.10" || snat.NAT.Targets[0].TpStart != 1024 || snat.NAT.Targets[0].TpEnd != 65535 {
		t.Errorf("gateway SNAT = %+v", snat.NAT)
	}
	if snat.Condition.OutPortIDs[0] != gr || snat.Condition.NwSrcIP != "172.24.4.10/32" || !snat.Condition.NwSrcInv {
		t.Errorf("gateway SNAT condition = %+v", snat.Condition)
	}
	rev := find[*topology.Rule](t, objs, topology.InReverseSnatRuleID(rtr))
	if !rev.NAT.Reverse || rev.Condition.NwDstIP != "172.24.4.10/32" {
		t.Errorf("reverse SNAT = %+v", rev)
	}
	def := find[*topology.Route](t, objs, topology.GatewayRouteID(gr, "172.24.4.10"))
	if def.DstSubnet != "0.0.0.0/0" || def.NextHopGateway != "172.24.4.1" || def.NextHopPortID != gr {
		t.Errorf("default route = %+v", def)
	}
	port := find[*topology.Port](t, objs, gr)
	if port.PeerID != gwPort || port.PortAddress != "172.24.4.10" || port.PortSubnets[0] != "172.24.4.10/24" {
		t.Errorf("gateway router port = %+v", port)
	}
	// The extra route with a source leaves through the interface on 10.0.0.0/24.
	var extra *topology.Route
	for _, o := range objs {
		if r, ok := o.(*topology.Route); ok && r.DstSubnet == "192.168.0.0/16" {
			extra = r
		}
	}
	if extra == nil || extra.SrcSubnet != "10.0.0.0/25" || extra.NextHopPortID != topology.RouterInterfacePortPeerID(rifA) || extra.NextHopGateway != "10.0.0.254" {
		t.Errorf("extra route = %+v", extra)
	}
}

func TestRouterWithoutSNAT(t *testing.T) {
	w := world()
	r := w.Get("routers", rtr)
	r["external_gateway_info"] = map[string]any{"network_id": extNet, "enable_snat": false}
	w.Put("routers", r)
	for _, o := range Builtin().Owned(w, RefOf("routers", rtr)) {
		if o.Base().ID == topology.OutSnatRuleID(rtr) {
			t.Fatal("SNAT rule present with enable_snat false")
		}
	}
}

func TestRouterInterface(t *testing.T) {
	objs := Builtin().Owned(world(), RefOf("ports", rifA))
	rp := find[*topology.Port](t, objs, topology.RouterInterfacePortPeerID(rifA))
	if rp.RouterID != rtr || rp.PeerID != rifA || rp.DhcpID != subA || rp.PortSubnets[0] != "10.0.0.1/24" {
		t.Errorf("router port = %+v", rp)
	}
	if bp := find[*topology.Port](t, objs, rifA); bp.PeerID != rp.ID {
		t.Errorf("bridge side peer = %s", bp.PeerID)
	}
	snat := find[*topology.Rule](t, objs, topology.SameSubnetSnatRuleID(topology.OutChainID(rtr), rp.ID))
	if snat.NAT.Targets[0].NwStart != "10.0.0.1" || !snat.Condition.MatchForwardFlow || snat.Condition.NwDstIP != "169.254.169.254/32" || !snat.Condition.NwDstInv {
		t.Errorf("same-subnet SNAT = %+v", snat)
	}
	rt := find[*topology.Route](t, objs, topology.RouterInterfaceRouteID(rp.ID, "10.0.0.1"))
	if rt.DstSubnet != "10.0.0.0/24" || rt.NextHop != topology.NextHopPort {
		t.Errorf("interface route = %+v", rt)
	}
	local := find[*topology.Route](t, objs, topology.LocalRouteID(rp.ID, "10.0.0.1"))
	if local.NextHop != topology.NextHopLocal || local.DstSubnet != "10.0.0.1/32" {
		t.Errorf("local route = %+v", local)
	}
}

func TestUplinkInterfaceIsBoundEdgePort(t *testing.T) {
	w := world()
	w.Put("networks", Doc{"id": upNet, "provider:network_type": "uplink", "admin_state_up": true})
	w.Put("subnets", Doc{"id": upSub, "network_id": upNet, "cidr": "198.51.100.0/30", "ip_version": 4, "gateway_ip": "198.51.100.1"})
	w.Put("ports", Doc{"id": upPort, "network_id": upNet, "device_owner": "network:router_interface", "device_id": rtr,
		"fixed_ips": []any{ip(upSub, "198.51.100.2")}, "binding:host_id": "edge-1", "binding:profile": map[string]any{"interface_name": "eth1"}})
	if objs := Builtin().Owned(w, RefOf("networks", upNet)); len(objs) != 0 {
		t.Errorf("uplink network made %d objects", len(objs))
	}
	objs := Builtin().Owned(w, RefOf("ports", upPort))
	rp := find[*topology.Port](t, objs, topology.RouterInterfacePortPeerID(upPort))
	if rp.HostID != "edge-1" || rp.InterfaceName != "eth1" || rp.PeerID != "" || rp.PortGroupIDs[0] != topology.PortGroupID(rtr) {
		t.Errorf("edge port = %+v", rp)
	}
	for _, o := range objs {
		if r, ok := o.(*topology.Rule); ok {
			t.Errorf("uplink interface made rule %+v", r)
		}
		if p, ok := o.(*topology.Port); ok && p.NetworkID != "" {
			t.Errorf("uplink interface made bridge port %+v", p)
		}
	}
}

func TestFloatingIPViaGateway(t *testing.T) {
	objs := Builtin().Owned(world(), RefOf("floatingips", fipID))
	dnat := find[*topology.Rule](t, objs, topology.FipDnatRuleID(fipID))
	if dnat.ChainID != topology.InChainID(rtr) || !dnat.NAT.DNAT || dnat.NAT.Targets[0].NwStart != "10.0.0.5" || dnat.Condition.NwDstIP != "172.24.4.20/32" || dnat.FipPortID != vmPort {
		t.Errorf("DNAT = %+v", dnat)
	}
	snat := find[*topology.Rule](t, objs, topology.FipSnatRuleID(fipID))
	if snat.ChainID != topology.FloatSnatChainID(rtr) || snat.Order != orderFloatSnatGw || snat.NAT.Targets[0].NwStart != "172.24.4.20" {
		t.Errorf("SNAT = %+v", snat)
	}
	exact := find[*topology.Rule](t, objs, topology.FipSnatExactRuleID(fipID))
	if exact.Condition.OutPortIDs[0] != topology.TenantGwPortID(gwPort) {
		t.Errorf("exact SNAT out port = %v", exact.Condition.OutPortIDs)
	}
	arp := find[*topology.ArpEntry](t, objs, topology.DerivedID("fiparp", fipID))
	if arp.NetworkID != extNet || arp.IP != "172.24.4.20" || arp.MAC != "fa:16:3e:00:00:02" {
		t.Errorf("ARP seed = %+v", arp)
	}
	if dnat.Revision != 3 || dnat.Owner != "floatingips/"+fipID {
		t.Errorf("provenance = %s rev %d", dnat.Owner, dnat.Revision)
	}
}

func TestFloatingIPViaInterfaceIsLowerPriority(t *testing.T) {
	w := world()
	// A second external network attached by an ordinary interface (router-interface-fip).
	w.Put("networks", Doc{"id": upNet, "provider:network_type": "midonet", "router:external": true})
	w.Put("subnets", Doc{"id": upSub, "network_id": upNet, "cidr": "203.0.113.0/24", "ip_version": 4, "gateway_ip": "203.0.113.1"})
	w.Put("ports", Doc{"id": upPort, "network_id": upNet, "device_owner": "network:router_interface", "device_id": rtr,
		"mac_address": "fa:16:3e:00:00:09", "fixed_ips": []any{ip(upSub, "203.0.113.1")}})
	fb := "abababab-abab-4bab-8bab-abababababab"
	w.Put("floatingips", Doc{"id": fb, "floating_network_id": upNet, "floating_ip_address": "203.0.113.50", "port_id": vmPort, "fixed_ip_address": "10.0.0.5", "router_id": rtr})
	objs := Builtin().Owned(w, RefOf("floatingips", fb))
	snat := find[*topology.Rule](t, objs, topology.FipSnatRuleID(fb))
	if snat.Order <= orderFloatSnatGw {
		t.Errorf("interface FIP SNAT order %d must come after gateway FIPs (%d)", snat.Order, orderFloatSnatGw)
	}
	exact := find[*topology.Rule](t, objs, topology.FipSnatExactRuleID(fb))
	if exact.Condition.OutPortIDs[0] != topology.RouterInterfacePortPeerID(upPort) {
		t.Errorf("exact SNAT must match the interface port, got %v", exact.Condition.OutPortIDs)
	}
	if arp := find[*topology.ArpEntry](t, objs, topology.DerivedID("fiparp", fb)); arp.MAC != "fa:16:3e:00:00:09" {
		t.Errorf("ARP seed MAC = %s", arp.MAC)
	}
}

func TestSubnetDhcp(t *testing.T) {
	w := world()
	d := find[*topology.Dhcp](t, Builtin().Owned(w, RefOf("subnets", subA)), subA)
	if d.ServerAddress != "10.0.0.1" || d.DefaultGateway != "10.0.0.1" || d.DNSServers[0] != "8.8.8.8" || len(d.Opt121Routes) != 1 || d.InterfaceMTU != 1450 {
		t.Errorf("dhcp = %+v", d)
	}
	w.Put("ports", Doc{"id": "f0f0f0f0-f0f0-40f0-80f0-f0f0f0f0f0f0", "network_id": netA, "device_owner": "network:dhcp", "fixed_ips": []any{ip(subA, "10.0.0.2")}})
	d = find[*topology.Dhcp](t, Builtin().Owned(w, RefOf("subnets", subA)), subA)
	if d.ServerAddress != "10.0.0.2" || d.Opt121Routes[len(d.Opt121Routes)-1].Dst != "169.254.169.254/32" {
		t.Errorf("dhcp with a DHCP port = %+v", d)
	}
}

func TestDependents(t *testing.T) {
	w := world()
	deps := bothSides(Builtin(), w, "routers", rtr, w.Get("routers", rtr), w.Get("routers", rtr))
	want := map[Ref]bool{RefOf("routers", rtr): true, RefOf("ports", gwPort): true, RefOf("ports", rifA): true, RefOf("floatingips", fipID): true}
	for _, d := range deps {
		delete(want, d)
	}
	if len(want) != 0 {
		t.Errorf("router dependents miss %v (got %v)", want, deps)
	}
	if deps[0] != RefOf("routers", rtr) {
		t.Errorf("the resource itself must come first: %v", deps)
	}
}

// TestSubnetUpdateDependents: an update of a subnet that changes only attributes its own
// translation reads (a rename, its DHCP options) re-translates the subnet alone; one that
// changes what its router ports and routers read (cidr, gateway) re-translates them too; a
// create and a delete re-translate every port with an address on it (a VM port reads only
// whether it exists). Numbers compare by value whatever their decoded type.
func TestSubnetUpdateDependents(t *testing.T) {
	w := world()
	before := w.Get("subnets", subA)
	with := func(changes Doc) Doc {
		d := w.Get("subnets", subA)
		for k, v := range changes {
			d[k] = v
		}
		return d
	}
	const alone, owned, every = "the subnet alone", "its router port and router", "every port on it"
	for _, tc := range []struct {
		name          string
		before, after Doc
		want          string
	}{
		{"renamed", before, with(Doc{"name": "renamed", "description": "d", "updated_at": "2026-12-07T12:00:00Z", "revision_number": 9.0}), alone},
		{"DHCP options", before, with(Doc{"dns_nameservers": []any{"8.8.8.8"}, "host_routes": []any{map[string]any{"destination": "10.9.0.0/16", "nexthop": "10.0.0.1"}},
			"allocation_pools": []any{map[string]any{"start": "10.0.0.10", "end": "10.0.0.20"}}, "tags": []any{"t"}}), alone},
		{"ip_version as another number type", before, with(Doc{"ip_version": 4.0, "name": "x"}), alone},
		{"gateway", before, with(Doc{"gateway_ip": "10.0.0.254"}), owned},
		{"cidr", before, with(Doc{"cidr": "10.0.0.0/23"}), owned},
		{"an attribute added", before, with(Doc{"segment_id": "seg-1"}), owned},
		{"created", nil, before, every},
		{"deleted", before, nil, every},
	} {
		t.Run(tc.name, func(t *testing.T) {
			deps := bothSides(Builtin(), w, "subnets", subA, tc.before, tc.after)
			has := func(coll, id string) bool { return slices.Contains(deps, RefOf(coll, id)) }
			var ok bool
			switch tc.want {
			case alone:
				ok = slices.Equal(deps, []Ref{RefOf("subnets", subA)})
			case owned:
				ok = has("ports", rifA) && has("routers", rtr) && !has("ports", vmPort)
			case every:
				ok = has("ports", rifA) && has("routers", rtr) && has("ports", vmPort)
			}
			if !ok {
				t.Errorf("dependents %v, want %s", deps, tc.want)
			}
		})
	}
}

// TestSubnetDependentsAreThePortsOnIt: a subnet's delete re-translates the ports with an
// address on it, and its change only its router port: the network's other ports (on another
// subnet, or with no address), and a VM port on it when the subnet changes, translate the
// same; a new subnet re-translates no port.
func TestSubnetDependentsAreThePortsOnIt(t *testing.T) {
	w := world()
	const subB, subC, onB, bare = "sub-b", "sub-c", "port-on-b", "port-bare"
	w.Put("subnets", Doc{"id": subB, "network_id": netA, "cidr": "10.1.0.0/24", "ip_version": 4, "gateway_ip": "10.1.0.1", "enable_dhcp": true})
	w.Put("ports", Doc{"id": onB, "network_id": netA, "tenant_id": tenant, "device_owner": "compute:nova", "mac_address": "fa:16:3e:00:00:0b",
		"fixed_ips": []any{ip(subB, "10.1.0.5")}, "security_groups": []any{sgWeb}, "port_security_enabled": true, "admin_state_up": true})
	w.Put("ports", Doc{"id": bare, "network_id": netA, "tenant_id": tenant, "device_owner": "compute:nova", "mac_address": "fa:16:3e:00:00:0c",
		"port_security_enabled": true, "admin_state_up": true})
	ts := Builtin()
	portsIn := func(deps []Ref) []string {
		var out []string
		for _, r := range deps {
			if c, id := r.Split(); c == "ports" {
				out = append(out, id)
			}
		}
		return out
	}
	a := w.Get("subnets", subA)
	moved := w.Get("subnets", subA)
	moved["cidr"], moved["gateway_ip"], moved["enable_dhcp"] = "10.0.0.0/23", "10.0.1.254", false
	if got := portsIn(bothSides(ts, w, "subnets", subA, a, moved)); !slices.Equal(got, []string{rifA}) {
		t.Errorf("ports re-translated for subA's cidr: %v, want its router port %s alone", got, rifA)
	}
	if got := portsIn(bothSides(ts, w, "subnets", subA, a, nil)); !slices.Contains(got, vmPort) || !slices.Contains(got, rifA) || slices.Contains(got, onB) || slices.Contains(got, bare) {
		t.Errorf("ports re-translated for subA's delete: %v, want %s and %s, not %s or %s", got, vmPort, rifA, onB, bare)
	}
	c := Doc{"id": subC, "network_id": netA, "cidr": "10.2.0.0/24", "ip_version": 4}
	if got := portsIn(ts.Dependents(w, "subnets", subC, nil, c, After)); len(got) != 0 {
		t.Errorf("a new subnet re-translates ports %v, want none", got)
	}
	encode := func(id string) string {
		b, err := json.Marshal(ts.Owned(w, RefOf("ports", id)))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	was := map[string]string{onB: encode(onB), bare: encode(bare), vmPort: encode(vmPort)}
	w.Put("subnets", moved)
	w.Put("subnets", c)
	for id, b := range was {
		if now := encode(id); now != b {
			t.Errorf("%s translates differently after subA moved and subC came:\n was %s\n now %s", id, b, now)
		}
	}
	delete(was, vmPort) // its DHCP host goes with subA
	w.Delete("subnets", subA)
	for id, b := range was {
		if now := encode(id); now != b {
			t.Errorf("%s translates differently after subA went:\n was %s\n now %s", id, b, now)
		}
	}
}

// TestSubnetLocalAttributesStayLocal: what the subnet's dependents (its network's ports,
// floating IPs and routers) translate to does not change when only subnetLocal attributes
// change, so leaving them out of such an update loses nothing.
func TestSubnetLocalAttributesStayLocal(t *testing.T) {
	w := world()
	ts := Builtin()
	deps := ts.Dependents(w, "subnets", subA, nil, w.Get("subnets", subA), After)[1:]
	if len(deps) < 3 {
		t.Fatalf("the fixture's subnet has dependents %v, want its ports and router", deps)
	}
	encode := func() map[Ref]string {
		out := map[Ref]string{}
		for _, r := range deps {
			b, err := json.Marshal(ts.Owned(w, r))
			if err != nil {
				t.Fatal(err)
			}
			out[r] = string(b)
		}
		return out
	}
	was := encode()
	d := w.Get("subnets", subA)
	d["name"], d["description"], d["updated_at"], d["tags"] = "changed", "changed", "2027-01-01T00:00:00Z", []any{"changed"}
	d["revision_number"] = json.Number("99")
	d["dns_nameservers"] = []any{"9.9.9.9"}
	d["host_routes"] = []any{map[string]any{"destination": "10.8.0.0/16", "nexthop": "10.0.0.1"}}
	d["allocation_pools"] = []any{map[string]any{"start": "10.0.0.50", "end": "10.0.0.60"}}
	w.Put("subnets", d)
	for r, after := range encode() {
		if after != was[r] {
			t.Errorf("%s translates differently after a change of the subnet's local attributes:\n was %s\n now %s", r, was[r], after)
		}
	}
}

func TestIDsAreDeterministicAndDistinct(t *testing.T) {
	a, b := topology.InChainID(vmPort), topology.OutChainID(vmPort)
	if a == b || a != topology.InChainID(vmPort) || a == vmPort {
		t.Fatalf("derived ids not distinct/deterministic: %s %s", a, b)
	}
	// The version nibble and variant bits of the parent survive.
	if a[14] != vmPort[14] {
		t.Errorf("version nibble changed: %s vs %s", a, vmPort)
	}
}

// bothSides is the cluster's two calls of Dependents, both on the world w.
func bothSides(ts Translators, w *World, coll, id string, before, after Doc) []Ref {
	out := ts.Dependents(w, coll, id, before, after, Before)
	for _, r := range ts.Dependents(w, coll, id, before, after, After)[1:] {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// TestDependentsReadEachDocumentOnItsSide: the cluster asks for a change's dependents on the
// world before it and on the world after it; the translator's Dependents reads the before
// document on the first side and the after document on the second, once each, and only
// once in all when the update kept the attributes DependsOn names. Existence reads the
// document of a create on the After side and that of a delete on the Before side, and never
// runs for an update.
func TestDependentsReadEachDocumentOnItsSide(t *testing.T) {
	w := NewWorld()
	old, renamed, moved := Doc{"id": "x", "up": "a", "name": "n"}, Doc{"id": "x", "up": "a", "name": "m"}, Doc{"id": "x", "up": "b", "name": "n"}
	for _, tc := range []struct {
		name          string
		dependsOn     []string
		before, after Doc
		want          [2][]string // what Dependents (and Existence: E) read on the Before and the After side
	}{
		{"created", nil, nil, old, [2][]string{nil, {"a", "E a"}}},
		{"deleted", nil, old, nil, [2][]string{{"a", "E a"}, nil}},
		{"updated", nil, old, renamed, [2][]string{{"a"}, {"a"}}},
		{"updated, DependsOn kept", []string{"up"}, old, renamed, [2][]string{{"a"}, nil}},
		{"updated, DependsOn changed", []string{"up"}, old, moved, [2][]string{{"a"}, {"b"}}},
		{"created, with DependsOn", []string{"up"}, nil, old, [2][]string{nil, {"a", "E a"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var read []string
			ts := Translators{"things": {DependsOn: tc.dependsOn,
				Dependents: func(_ *World, _ string, d Doc, add func(string, ...string)) {
					read = append(read, str(d, "up"))
					add("others", str(d, "up"))
				},
				Existence: func(_ *World, _ string, d Doc, add func(string, ...string)) {
					read = append(read, "E "+str(d, "up"))
					add("users", str(d, "up"))
				}}}
			for i, side := range []Side{Before, After} {
				read = nil
				deps := ts.Dependents(w, "things", "x", tc.before, tc.after, side)
				if !slices.Equal(read, tc.want[i]) {
					t.Errorf("side %d read %v, want %v", i, read, tc.want[i])
				}
				if deps[0] != RefOf("things", "x") || len(deps) != 1+len(tc.want[i]) {
					t.Errorf("side %d dependents %v", i, deps)
				}
			}
		})
	}
}
