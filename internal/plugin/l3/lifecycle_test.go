package l3_test

import (
	"net/netip"
	"testing"

	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

// edge is an external network and two tenant networks. Every subnet pools .10–.100 of its
// /24, so the addresses the tests give by hand (.200 and up) never meet a random allocation.
type edge struct {
	e                          *plugintest.Env
	ext, extSub                string
	net, sub, net2, sub2, sub3 string
}

func newEdge(t *testing.T) *edge {
	t.Helper()
	e := plugintest.New(t)
	x := &edge{e: e}
	subnet := func(net, cidr, start, end string, extra map[string]any) string {
		body := map[string]any{"network_id": net, "cidr": cidr, "ip_version": 4, "allocation_pools": []any{map[string]any{"start": start, "end": end}}}
		for k, v := range extra {
			body[k] = v
		}
		return e.MustCreate("subnets", body)["id"].(string)
	}
	x.ext = e.MustCreate("networks", map[string]any{"name": "ext", "router:external": true})["id"].(string)
	x.extSub = subnet(x.ext, "172.24.4.0/24", "172.24.4.10", "172.24.4.100", nil)
	x.net = e.MustCreate("networks", map[string]any{"name": "n1"})["id"].(string)
	x.sub = subnet(x.net, "10.0.0.0/24", "10.0.0.10", "10.0.0.100", nil)
	x.net2 = e.MustCreate("networks", map[string]any{"name": "n2"})["id"].(string)
	x.sub2 = subnet(x.net2, "10.0.2.0/24", "10.0.2.10", "10.0.2.100", nil)
	// A subnet without a gateway on the second network.
	x.sub3 = subnet(x.net2, "10.0.3.0/24", "10.0.3.10", "10.0.3.100", map[string]any{"gateway_ip": nil})
	return x
}

func revision(t *testing.T, d map[string]any) int64 {
	t.Helper()
	n, ok := model.Int(d["revision_number"])
	if !ok {
		t.Fatalf("revision_number = %#v", d["revision_number"])
	}
	return n
}

// TestRouterGatewayByUpdate: a router made without a gateway gets one by an update (a gateway
// port on the external network, journaled with the router), changes its SNAT, loses it, and
// its create, updates and delete are ROUTER tasks.
func TestRouterGatewayByUpdate(t *testing.T) {
	x := newEdge(t)
	e := x.e
	r := e.MustCreate("routers", map[string]any{"name": "r"})
	id := r["id"].(string)
	if ch, ok := e.Journaled("ROUTER", id); !ok || ch.Type != "CREATE" || ch.TaskID == 0 {
		t.Fatalf("journal %+v, want the router's CREATE task", e.Changes)
	}
	rev := revision(t, e.Get("routers", id))

	u, err := e.Update("routers", id, map[string]any{"external_gateway_info": map[string]any{"network_id": x.ext}})
	if err != nil {
		t.Fatal(err)
	}
	router := model.MustDecode[model.Router](e.Get("routers", id))
	if router.Gateway == nil || router.Gateway.NetworkID != x.ext || !router.Gateway.SNAT() || len(router.Gateway.ExternalFixedIPs) != 1 {
		t.Fatalf("gateway %+v, want one on the external network with SNAT", router.Gateway)
	}
	gwIP := router.Gateway.ExternalFixedIPs[0]
	if a := gwIP.Addr(); gwIP.SubnetID != x.extSub || a.Compare(netip.MustParseAddr("172.24.4.10")) < 0 || a.Compare(netip.MustParseAddr("172.24.4.100")) > 0 {
		t.Errorf("gateway address %+v, want one of the external pool", gwIP)
	}
	gp := model.MustDecode[model.Port](e.Get("ports", router.GatewayPortID))
	if gp.DeviceOwner != model.OwnerRouterGateway || gp.DeviceID != id || gp.FixedIPs[0] != gwIP {
		t.Fatalf("gateway port %+v", gp)
	}
	if ch, ok := e.Journaled("PORT", gp.ID); !ok || ch.Type != "CREATE" {
		t.Errorf("journal %+v, want the gateway port's CREATE", e.Changes)
	}
	if ch, ok := e.Journaled("ROUTER", id); !ok || ch.Type != "UPDATE" {
		t.Errorf("journal %+v, want the router's UPDATE", e.Changes)
	}
	if _, shown := u["gw_port_id"]; shown && u["gw_port_id"] != router.GatewayPortID {
		t.Errorf("update answered gw_port_id %v", u["gw_port_id"])
	}
	if now := revision(t, e.Get("routers", id)); now <= rev {
		t.Errorf("revision_number %d after setting the gateway, want more than %d", now, rev)
	}

	// SNAT off keeps the port and its address.
	if _, err := e.Update("routers", id, map[string]any{"external_gateway_info": map[string]any{"network_id": x.ext, "enable_snat": false}}); err != nil {
		t.Fatal(err)
	}
	router = model.MustDecode[model.Router](e.Get("routers", id))
	if router.Gateway.SNAT() || router.GatewayPortID != gp.ID || router.Gateway.ExternalFixedIPs[0] != gwIP {
		t.Errorf("after enable_snat false: %+v (port %s)", router.Gateway, router.GatewayPortID)
	}

	// Cleared: the port goes.
	if _, err := e.Update("routers", id, map[string]any{"external_gateway_info": map[string]any{}}); err != nil {
		t.Fatal(err)
	}
	router = model.MustDecode[model.Router](e.Get("routers", id))
	if router.Gateway != nil || router.GatewayPortID != "" || e.Get("ports", gp.ID) != nil {
		t.Errorf("after clearing: gateway %+v, port %q (stored %v)", router.Gateway, router.GatewayPortID, e.Get("ports", gp.ID) != nil)
	}
	if ch, ok := e.Journaled("PORT", gp.ID); !ok || ch.Type != "DELETE" {
		t.Errorf("journal %+v, want the gateway port's DELETE", e.Changes)
	}

	// Refused gateways.
	_, err = e.Update("routers", id, map[string]any{"external_gateway_info": map[string]any{"network_id": x.net}})
	plugintest.WantFault(t, "a gateway on a tenant network", err, 400, "BadRequest")
	_, err = e.Update("routers", id, map[string]any{"external_gateway_info": map[string]any{"network_id": x.ext,
		"external_fixed_ips": []any{map[string]any{"ip_address": "10.99.0.1"}}}})
	plugintest.WantFault(t, "a gateway address off the network", err, 400, "InvalidIpForNetwork")

	if err := e.Delete("routers", id); err != nil {
		t.Fatal(err)
	}
	if ch, ok := e.Journaled("ROUTER", id); !ok || ch.Type != "DELETE" || e.Get("routers", id) != nil {
		t.Errorf("after delete: journal %+v, stored %v", e.Changes, e.Get("routers", id))
	}
}

// TestInterfaceByPort: a port of the user's becomes an interface (owner and device set, the
// router's revision raised) and goes with its removal; the ports and subnets an interface
// cannot be made of are refused.
func TestInterfaceByPort(t *testing.T) {
	x := newEdge(t)
	e := x.e
	r := e.MustCreate("routers", map[string]any{"name": "r"})
	id := r["id"].(string)
	port := e.MustCreate("ports", map[string]any{"network_id": x.net2, "fixed_ips": []any{map[string]any{"subnet_id": x.sub2, "ip_address": "10.0.2.254"}}})
	portID := port["id"].(string)
	rev := revision(t, e.Get("routers", id))
	info, err := e.Action("routers", id, "add_router_interface", map[string]any{"port_id": portID})
	if err != nil {
		t.Fatal(err)
	}
	if m := info.(map[string]any); m["port_id"] != portID || m["subnet_id"] != x.sub2 || m["network_id"] != x.net2 || m["id"] != id {
		t.Errorf("interface info %v", m)
	}
	p := model.MustDecode[model.Port](e.Get("ports", portID))
	if p.DeviceOwner != model.OwnerRouterInterface || p.DeviceID != id || p.FixedIPs[0].IPAddress != "10.0.2.254" {
		t.Errorf("the port after add: %+v", p)
	}
	if ch, ok := e.Journaled("PORT", portID); !ok || ch.Type != "UPDATE" {
		t.Errorf("journal %+v, want the port's UPDATE", e.Changes)
	}
	if now := revision(t, e.Get("routers", id)); now <= rev {
		t.Errorf("revision_number %d after adding an interface, want more than %d", now, rev)
	}

	free := e.MustCreate("ports", map[string]any{"network_id": x.net, "fixed_ips": []any{map[string]any{"subnet_id": x.sub, "ip_address": "10.0.0.250"}}})
	bare := e.MustCreate("ports", map[string]any{"network_id": x.net, "fixed_ips": []any{}})
	vm := e.MustCreate("ports", map[string]any{"network_id": x.net, "device_owner": "compute:nova", "device_id": "vm-1"})
	action := func(name string, body map[string]any) func() error {
		return func() error { _, err := e.Action("routers", id, name, body); return err }
	}
	for _, tc := range []struct {
		name   string
		err    func() error
		status int
		typ    string
	}{
		{"the same port again", action("add_router_interface", map[string]any{"port_id": portID}), 409, "PortInUse"},
		{"a port with a device", action("add_router_interface", map[string]any{"port_id": vm["id"]}), 409, "PortInUse"},
		{"a port without an address", action("add_router_interface", map[string]any{"port_id": bare["id"]}), 400, "BadRequest"},
		{"both a port and a subnet", action("add_router_interface", map[string]any{"port_id": free["id"], "subnet_id": x.sub}), 400, "BadRequest"},
		{"a subnet without a gateway", action("add_router_interface", map[string]any{"subnet_id": x.sub3}), 400, "BadRequest"},
		{"a subnet the router already has by port", action("add_router_interface", map[string]any{"subnet_id": x.sub2}), 400, "BadRequest"},
		{"removing the port with another subnet", action("remove_router_interface", map[string]any{"port_id": portID, "subnet_id": x.sub}), 400, "SubnetMismatchForPort"},
		{"removing a port that is not an interface", action("remove_router_interface", map[string]any{"port_id": free["id"]}), 404, "RouterInterfaceNotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) { plugintest.WantFault(t, tc.name, tc.err(), tc.status, tc.typ) })
	}
	// The refusals changed nothing.
	if p := model.MustDecode[model.Port](e.Get("ports", free["id"].(string))); p.DeviceID != "" || p.DeviceOwner != "" {
		t.Errorf("a refused add changed the port: %+v", p)
	}

	if _, err := e.Action("routers", id, "remove_router_interface", map[string]any{"port_id": portID}); err != nil {
		t.Fatal(err)
	}
	if e.Get("ports", portID) != nil {
		t.Error("the port removed as an interface is still stored (Neutron deletes it)")
	}
	if ch, ok := e.Journaled("PORT", portID); !ok || ch.Type != "DELETE" {
		t.Errorf("journal %+v, want the port's DELETE", e.Changes)
	}
	if err := e.Delete("routers", id); err != nil {
		t.Errorf("the router without interfaces: %v", err)
	}
}

// TestExtraRoutes: routes through an interface's subnet are kept, hold the interface in
// place, and are refused when the next hop is not connected or there are too many.
func TestExtraRoutes(t *testing.T) {
	x := newEdge(t)
	e := x.e
	r := e.MustCreate("routers", map[string]any{"name": "r"})
	id := r["id"].(string)
	if _, err := e.Action("routers", id, "add_router_interface", map[string]any{"subnet_id": x.sub}); err != nil {
		t.Fatal(err)
	}
	route := func(dst, nh string) map[string]any { return map[string]any{"destination": dst, "nexthop": nh} }
	u, err := e.Update("routers", id, map[string]any{"routes": []any{route("192.168.10.0/24", "10.0.0.200")}})
	if err != nil {
		t.Fatal(err)
	}
	got := model.MustDecode[model.Router](u).Routes
	if len(got) != 1 || got[0].Destination != "192.168.10.0/24" || got[0].NextHop != "10.0.0.200" {
		t.Fatalf("routes %+v", got)
	}
	_, err = e.Action("routers", id, "remove_router_interface", map[string]any{"subnet_id": x.sub})
	plugintest.WantFault(t, "removing the interface a route uses", err, 409, "RouterInterfaceInUseByRoute")
	_, err = e.Update("routers", id, map[string]any{"routes": []any{route("192.168.11.0/24", "10.0.9.1")}})
	plugintest.WantFault(t, "a next hop on no interface", err, 400, "InvalidRoutes")
	_, err = e.Update("routers", id, map[string]any{"routes": []any{route("192.168.11.0/24", "10.0.0.1")}})
	plugintest.WantFault(t, "the router's own address as next hop", err, 400, "InvalidRoutes")
	var many []any
	for i := range 31 {
		many = append(many, route(netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, byte(100 + i), 0}), 24).String(), "10.0.0.200"))
	}
	_, err = e.Update("routers", id, map[string]any{"routes": many})
	plugintest.WantFault(t, "31 routes (max_routes 30)", err, 400, "RoutesExhausted")
	// Atomic add keeps what is there.
	if _, err := e.Action("routers", id, "add_extraroutes", map[string]any{"router": map[string]any{"routes": []any{route("192.168.12.0/24", "10.0.0.201")}}}); err != nil {
		t.Fatal(err)
	}
	if rs := model.MustDecode[model.Router](e.Get("routers", id)).Routes; len(rs) != 2 {
		t.Errorf("routes after an atomic add %+v, want two", rs)
	}
	if _, err := e.Update("routers", id, map[string]any{"routes": []any{}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Action("routers", id, "remove_router_interface", map[string]any{"subnet_id": x.sub}); err != nil {
		t.Errorf("removing the interface once no route uses it: %v", err)
	}
}

// TestFloatingIPUpdates: a floating IP made without a port is associated and dissociated by
// updates (FLOATINGIP tasks), picks a fixed address when its port has two, and a network out
// of addresses refuses the next one.
func TestFloatingIPUpdates(t *testing.T) {
	x := newEdge(t)
	e := x.e
	r := e.MustCreate("routers", map[string]any{"name": "r", "external_gateway_info": map[string]any{"network_id": x.ext}})
	if _, err := e.Action("routers", r["id"].(string), "add_router_interface", map[string]any{"subnet_id": x.sub}); err != nil {
		t.Fatal(err)
	}
	fip := model.MustDecode[model.FloatingIP](e.MustCreate("floatingips", map[string]any{"floating_network_id": x.ext}))
	if ch, ok := e.Journaled("FLOATINGIP", fip.ID); !ok || ch.Type != "CREATE" {
		t.Errorf("journal %+v, want the floating IP's CREATE", e.Changes)
	}
	if fip.PortID != "" || fip.RouterID != "" || fip.Status != "DOWN" {
		t.Fatalf("new floating IP %+v", fip)
	}
	fp := model.MustDecode[model.Port](e.Get("ports", fip.FloatingPortID))
	if fp.DeviceOwner != "network:floatingip" || fp.DeviceID != fip.ID || fp.FixedIPs[0].IPAddress != fip.FloatingIPAddress {
		t.Errorf("the floating IP's port %+v", fp)
	}
	two := model.MustDecode[model.Port](e.MustCreate("ports", map[string]any{"network_id": x.net, "device_owner": "compute:nova",
		"fixed_ips": []any{map[string]any{"subnet_id": x.sub, "ip_address": "10.0.0.200"}, map[string]any{"subnet_id": x.sub, "ip_address": "10.0.0.201"}}}))
	_, err := e.Update("floatingips", fip.ID, map[string]any{"port_id": two.ID})
	plugintest.WantFault(t, "a port with two addresses and none chosen", err, 400, "BadRequest")
	_, err = e.Update("floatingips", fip.ID, map[string]any{"port_id": two.ID, "fixed_ip_address": "10.0.0.202"})
	plugintest.WantFault(t, "an address the port does not have", err, 400, "BadRequest")
	u, err := e.Update("floatingips", fip.ID, map[string]any{"port_id": two.ID, "fixed_ip_address": "10.0.0.201"})
	if err != nil {
		t.Fatal(err)
	}
	got := model.MustDecode[model.FloatingIP](u)
	if got.PortID != two.ID || got.FixedIPAddress != "10.0.0.201" || got.RouterID != r["id"] || got.Status != "ACTIVE" {
		t.Errorf("after associating: %+v", got)
	}
	if ch, ok := e.Journaled("FLOATINGIP", fip.ID); !ok || ch.Type != "UPDATE" || ch.Data["port_id"] != two.ID {
		t.Errorf("journal %+v, want the floating IP's UPDATE naming the port", e.Changes)
	}
	u, err = e.Update("floatingips", fip.ID, map[string]any{"port_id": nil})
	if err != nil {
		t.Fatal(err)
	}
	if got := model.MustDecode[model.FloatingIP](u); got.PortID != "" || got.FixedIPAddress != "" || got.RouterID != "" || got.Status != "DOWN" {
		t.Errorf("after dissociating: %+v", got)
	}

	// A network whose only subnet pools one address runs out.
	small := e.MustCreate("networks", map[string]any{"name": "small", "router:external": true})["id"].(string)
	e.MustCreate("subnets", map[string]any{"network_id": small, "cidr": "172.24.9.0/24", "ip_version": 4,
		"allocation_pools": []any{map[string]any{"start": "172.24.9.10", "end": "172.24.9.10"}}})
	e.MustCreate("floatingips", map[string]any{"floating_network_id": small})
	_, err = e.Create("floatingips", map[string]any{"floating_network_id": small})
	plugintest.WantFault(t, "a floating IP on a full network", err, 400, "ExternalIpAddressExhausted")
	_, err = e.Create("floatingips", map[string]any{"floating_network_id": x.net})
	plugintest.WantFault(t, "a floating IP on a tenant network", err, 400, "BadRequest")

	if err := e.Delete("floatingips", fip.ID); err != nil {
		t.Fatal(err)
	}
	if ch, ok := e.Journaled("FLOATINGIP", fip.ID); !ok || ch.Type != "DELETE" || e.Get("ports", fip.FloatingPortID) != nil {
		t.Errorf("after delete: journal %+v, floating port stored %v", e.Changes, e.Get("ports", fip.FloatingPortID) != nil)
	}
}
