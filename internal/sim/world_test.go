package sim

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/topology"
)

// Ids of the base world: two tenant networks (A, B) behind router rtr, whose gateway is on
// an external network with an upstream router port; VMs in security group "web"; a
// floating IP for vmB.
const (
	tenant   = "t1"
	netA     = "0a000000-0000-4000-8000-00000000000a"
	subA     = "0a000000-0000-4000-8000-0000000000aa"
	netB     = "0b000000-0000-4000-8000-00000000000b"
	subB     = "0b000000-0000-4000-8000-0000000000bb"
	extNet   = "0e000000-0000-4000-8000-00000000000e"
	extSub   = "0e000000-0000-4000-8000-0000000000ee"
	sgWeb    = "5e000000-0000-4000-8000-000000000001"
	rtr      = "70000000-0000-4000-8000-000000000001"
	gwPort   = "60000000-0000-4000-8000-000000000001"
	rifA     = "60000000-0000-4000-8000-00000000000a"
	rifB     = "60000000-0000-4000-8000-00000000000b"
	vmA      = "a0000000-0000-4000-8000-000000000001"
	vmA2     = "a0000000-0000-4000-8000-000000000002"
	vmC      = "a0000000-0000-4000-8000-000000000003"
	applPort = "a0000000-0000-4000-8000-0000000000fe"
	vmB      = "b0000000-0000-4000-8000-000000000001"
	upstream = "e0000000-0000-4000-8000-000000000001"
	fipB     = "f0000000-0000-4000-8000-000000000001"
)

var (
	macA     = MustMAC("fa:16:3e:00:00:01")
	macA2    = MustMAC("fa:16:3e:00:00:02")
	macC     = MustMAC("fa:16:3e:00:00:03")
	macAppl  = MustMAC("fa:16:3e:00:00:fe")
	macB     = MustMAC("fa:16:3e:00:01:01")
	macGw    = MustMAC("fa:16:3e:00:0e:01")
	macRifA  = MustMAC("fa:16:3e:00:0a:01")
	macRifB  = MustMAC("fa:16:3e:00:0b:01")
	macUp    = MustMAC("fa:16:3e:00:ff:01")
	internet = ip("8.8.8.8")
)

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

func fixed(subnet, addr string) map[string]any {
	return map[string]any{"subnet_id": subnet, "ip_address": addr}
}

func vmPort(id, net, sub, addr string, mac MAC, sgs ...any) translate.Doc {
	return translate.Doc{"id": id, "network_id": net, "tenant_id": tenant, "device_owner": "compute:nova", "device_id": "vm-" + id[:8],
		"mac_address": mac.String(), "fixed_ips": []any{fixed(sub, addr)}, "security_groups": sgs, "admin_state_up": true,
		"binding:host_id": "compute-1"}
}

func sgRule(id, sg string, order int, kv ...any) translate.Doc {
	d := translate.Doc{"id": id, "security_group_id": sg, "ethertype": "IPv4", "standard_attr_id": order}
	for i := 0; i+1 < len(kv); i += 2 {
		d[kv[i].(string)] = kv[i+1]
	}
	return d
}

// baseWorld is the Neutron state of the main test topology.
func baseWorld() *translate.World {
	w := translate.NewWorld()
	w.Put("networks", translate.Doc{"id": netA, "tenant_id": tenant, "name": "a", "admin_state_up": true, "mtu": 1450})
	w.Put("networks", translate.Doc{"id": netB, "tenant_id": tenant, "name": "b", "admin_state_up": true, "mtu": 1450})
	w.Put("networks", translate.Doc{"id": extNet, "tenant_id": "admin", "name": "public", "admin_state_up": true, "router:external": true})
	w.Put("subnets", translate.Doc{"id": subA, "network_id": netA, "cidr": "10.0.0.0/24", "ip_version": 4, "gateway_ip": "10.0.0.1", "enable_dhcp": true,
		"dns_nameservers": []any{"8.8.8.8"}, "host_routes": []any{map[string]any{"destination": "192.168.0.0/16", "nexthop": "10.0.0.254"}}})
	w.Put("subnets", translate.Doc{"id": subB, "network_id": netB, "cidr": "10.0.1.0/24", "ip_version": 4, "gateway_ip": "10.0.1.1", "enable_dhcp": true})
	w.Put("subnets", translate.Doc{"id": extSub, "network_id": extNet, "cidr": "172.24.4.0/24", "ip_version": 4, "gateway_ip": "172.24.4.1", "enable_dhcp": false})
	w.Put("security_groups", translate.Doc{"id": sgWeb, "tenant_id": tenant, "name": "web"})
	w.Put("security_group_rules", sgRule("5e000000-0000-4000-8000-0000000000e1", sgWeb, 1, "direction", "egress"))
	w.Put("security_group_rules", sgRule("5e000000-0000-4000-8000-0000000000e2", sgWeb, 2, "direction", "ingress", "protocol", "tcp",
		"port_range_min", 22, "port_range_max", 22, "remote_ip_prefix", "0.0.0.0/0"))
	a := vmPort(vmA, netA, subA, "10.0.0.5", macA, sgWeb)
	a["allowed_address_pairs"] = []any{map[string]any{"ip_address": "10.0.0.100"}}
	a["extra_dhcp_opts"] = []any{map[string]any{"opt_name": "bootfile-name", "opt_value": "pxelinux.0", "ip_version": 4}}
	w.Put("ports", a)
	w.Put("ports", vmPort(vmA2, netA, subA, "10.0.0.6", macA2, sgWeb))
	w.Put("ports", vmPort(vmC, netA, subA, "10.0.0.200", macC, sgWeb))
	appl := vmPort(applPort, netA, subA, "10.0.0.254", macAppl)
	appl["port_security_enabled"] = false
	w.Put("ports", appl)
	w.Put("ports", vmPort(vmB, netB, subB, "10.0.1.5", macB, sgWeb))
	w.Put("routers", translate.Doc{"id": rtr, "tenant_id": tenant, "name": "r1", "admin_state_up": true, "gw_port_id": gwPort,
		"external_gateway_info": map[string]any{"network_id": extNet, "enable_snat": true},
		"routes":                []any{map[string]any{"destination": "192.168.0.0/16", "nexthop": "10.0.0.254", "source": "10.0.0.0/25"}}})
	w.Put("ports", translate.Doc{"id": gwPort, "network_id": extNet, "device_owner": "network:router_gateway", "device_id": rtr,
		"mac_address": macGw.String(), "fixed_ips": []any{fixed(extSub, "172.24.4.10")}})
	w.Put("ports", translate.Doc{"id": rifA, "network_id": netA, "tenant_id": tenant, "device_owner": "network:router_interface", "device_id": rtr,
		"mac_address": macRifA.String(), "fixed_ips": []any{fixed(subA, "10.0.0.1")}})
	w.Put("ports", translate.Doc{"id": rifB, "network_id": netB, "tenant_id": tenant, "device_owner": "network:router_interface", "device_id": rtr,
		"mac_address": macRifB.String(), "fixed_ips": []any{fixed(subB, "10.0.1.1")}})
	// The physical upstream router (172.24.4.1) on the external network: a plain exterior
	// port. Port security is off on it (every port Neutron does not trust is filtered), and
	// Neutron holds no address for it, so nothing seeds its MAC: it is learned by ARP.
	w.Put("ports", translate.Doc{"id": upstream, "network_id": extNet, "device_owner": "", "mac_address": macUp.String(),
		"binding:host_id": "gw-1", "binding:profile": map[string]any{"interface_name": "eth1"}, "port_security_enabled": false})
	w.Put("floatingips", translate.Doc{"id": fipB, "floating_network_id": extNet, "floating_ip_address": "172.24.4.20", "port_id": vmB,
		"fixed_ip_address": "10.0.1.5", "router_id": rtr})
	return w
}

// translateAll runs every resource of w through the translators.
func translateAll(w *translate.World) []topology.Object {
	var objs []topology.Object
	for _, coll := range w.Collections() {
		for _, d := range w.All(coll) {
			objs = append(objs, translate.Builtin().Owned(w, translate.RefOf(coll, d["id"].(string)))...)
		}
	}
	return objs
}

type env struct {
	t    testing.TB
	topo *Topology
	st   *State
}

func newEnv(t testing.TB, w *translate.World) *env {
	t.Helper()
	topo := NewTopology(translateAll(w))
	for _, warn := range topo.Warnings() {
		t.Logf("topology warning: %s", warn)
	}
	return &env{t: t, topo: topo, st: NewState()}
}

// baseEnv is the base world with the upstream router's MAC known to the router and the
// external bridge (as after one ARP exchange).
func baseEnv(t testing.TB) *env {
	e := newEnv(t, baseWorld())
	e.st.SetARP(rtr, ip("172.24.4.1"), macUp)
	e.st.LearnMAC(extNet, macUp, 0, upstream)
	return e
}

func (e *env) sim(p Packet, port string) Result {
	return Simulate(e.topo, e.st, p, port)
}

func dump(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "verdict %s\n", r.Verdict)
	if r.Drop != nil {
		fmt.Fprintf(&b, "drop %+v\n", *r.Drop)
	}
	for _, x := range r.Egress {
		fmt.Fprintf(&b, "egress %s: %s\n", x.PortID, x.Packet)
	}
	for _, x := range r.Generated {
		fmt.Fprintf(&b, "generated %s (from %s): %s\n", x.PortID, x.From, x.Packet)
	}
	for i, h := range r.Trace {
		fmt.Fprintf(&b, "  %2d %-6s %s port=%s %s chain=%s rule=%s %s nat=%q %s\n", i, h.DeviceType, short(h.Device), short(h.Port), h.Direction, h.ChainName, short(h.Rule), h.RuleAction, h.NAT, h.Note)
	}
	return b.String()
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// expectForward asserts one egress copy on port and returns its packet.
func expectForward(t *testing.T, r Result, port string) Packet {
	t.Helper()
	if r.Verdict != Forwarded || len(r.Egress) != 1 || r.Egress[0].PortID != port {
		t.Fatalf("want forwarded to %s, got:\n%s", short(port), dump(r))
	}
	return r.Egress[0].Packet
}

func expectDrop(t *testing.T, r Result, kind string) *Drop {
	t.Helper()
	if r.Verdict != Dropped || r.Drop == nil || r.Drop.Kind != kind {
		t.Fatalf("want dropped (%s), got:\n%s", kind, dump(r))
	}
	return r.Drop
}
