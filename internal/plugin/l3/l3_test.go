package l3_test

import (
	"testing"

	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

// world is an external network and a tenant network (pools leave .200 and up free).
type world struct {
	e                            *plugintest.Env
	extNet, extSub, netID, subID string
}

func newWorld(t *testing.T) *world {
	e := plugintest.New(t)
	w := &world{e: e}
	w.extNet = e.MustCreate("networks", map[string]any{"name": "ext", "router:external": true})["id"].(string)
	w.extSub = e.MustCreate("subnets", map[string]any{"network_id": w.extNet, "cidr": "172.24.4.0/24", "ip_version": 4,
		"allocation_pools": []any{map[string]any{"start": "172.24.4.10", "end": "172.24.4.100"}}})["id"].(string)
	w.netID = e.MustCreate("networks", map[string]any{"name": "tenant"})["id"].(string)
	w.subID = e.MustCreate("subnets", map[string]any{"network_id": w.netID, "cidr": "10.0.0.0/24", "ip_version": 4,
		"allocation_pools": []any{map[string]any{"start": "10.0.0.10", "end": "10.0.0.100"}}})["id"].(string)
	return w
}

func TestRouterGatewayAndInterfaces(t *testing.T) {
	w := newWorld(t)
	e := w.e
	r := model.MustDecode[model.Router](e.MustCreate("routers", map[string]any{"name": "r",
		"external_gateway_info": map[string]any{"network_id": w.extNet}}))
	if r.Gateway == nil || len(r.Gateway.ExternalFixedIPs) != 1 || r.Gateway.ExternalFixedIPs[0].SubnetID != w.extSub || !r.Gateway.SNAT() {
		t.Fatalf("gateway %+v, want an address on the external subnet with SNAT", r.Gateway)
	}
	gw := model.MustDecode[model.Port](e.Get("ports", r.GatewayPortID))
	if gw.DeviceOwner != model.OwnerRouterGateway || gw.DeviceID != r.ID || gw.NetworkID != w.extNet {
		t.Fatalf("gateway port %+v (gw_port_id %q)", gw, r.GatewayPortID)
	}
	info, err := e.Action("routers", r.ID, "add_router_interface", map[string]any{"subnet_id": w.subID})
	if err != nil {
		t.Fatal(err)
	}
	portID := info.(map[string]any)["port_id"].(string)
	rif := model.MustDecode[model.Port](e.Get("ports", portID))
	if rif.DeviceOwner != model.OwnerRouterInterface || rif.DeviceID != r.ID || rif.FixedIPs[0].IPAddress != "10.0.0.1" {
		t.Fatalf("interface port %+v, want the router's at the gateway 10.0.0.1", rif)
	}
	cases := []struct {
		name   string
		err    func() error
		status int
		typ    string
	}{
		{"the same subnet again", func() error {
			_, err := e.Action("routers", r.ID, "add_router_interface", map[string]any{"subnet_id": w.subID})
			return err
		}, 400, "BadRequest"},
		{"neither port nor subnet", func() error {
			_, err := e.Action("routers", r.ID, "add_router_interface", map[string]any{})
			return err
		}, 400, "BadRequest"},
		{"a router with interfaces", func() error { return e.Delete("routers", r.ID) }, 409, "RouterInUse"},
		{"the interface port by hand", func() error { return e.Delete("ports", portID) }, 409, "ServicePortInUse"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, ok := fault.As(c.err())
			if !ok || f.Status != c.status || f.Type != c.typ {
				t.Fatalf("got %v, want %d %s", f, c.status, c.typ)
			}
		})
	}
	if _, err := e.Action("routers", r.ID, "remove_router_interface", map[string]any{"subnet_id": w.subID}); err != nil {
		t.Fatal(err)
	}
	if e.Get("ports", portID) != nil {
		t.Error("the interface port outlived its removal")
	}
	if err := e.Delete("routers", r.ID); err != nil {
		t.Fatal(err)
	}
	if e.Get("ports", r.GatewayPortID) != nil {
		t.Error("the gateway port outlived its router")
	}
}

func TestFloatingIPAssociation(t *testing.T) {
	w := newWorld(t)
	e := w.e
	vm := model.MustDecode[model.Port](e.MustCreate("ports", map[string]any{"network_id": w.netID, "device_owner": "compute:nova"}))
	// No router joins the VM's subnet to the external network yet.
	_, err := e.Create("floatingips", map[string]any{"floating_network_id": w.extNet, "port_id": vm.ID})
	if f, ok := fault.As(err); !ok || f.Status != 404 || f.Type != "ExternalGatewayForFloatingIPNotFound" {
		t.Fatalf("association without a router = %v, want 404 ExternalGatewayForFloatingIPNotFound", err)
	}
	r := e.MustCreate("routers", map[string]any{"name": "r", "external_gateway_info": map[string]any{"network_id": w.extNet}})
	if _, err := e.Action("routers", r["id"].(string), "add_router_interface", map[string]any{"subnet_id": w.subID}); err != nil {
		t.Fatal(err)
	}
	fip := model.MustDecode[model.FloatingIP](e.MustCreate("floatingips", map[string]any{"floating_network_id": w.extNet, "port_id": vm.ID}))
	if fip.RouterID != r["id"] || fip.FixedIPAddress != vm.FixedIPs[0].IPAddress || fip.Status != "ACTIVE" || fip.FloatingPortID == "" {
		t.Fatalf("floating IP %+v, want it through the router to %s", fip, vm.FixedIPs[0].IPAddress)
	}
	// An empty update clears the association (Neutron keeps that old meaning); a new one
	// associates it again.
	blank, err := e.Update("floatingips", fip.ID, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if b := model.MustDecode[model.FloatingIP](blank); b.PortID != "" || b.RouterID != "" || b.Status != "DOWN" {
		t.Fatalf("after an empty update: %+v", b)
	}
	if _, err := e.Update("floatingips", fip.ID, map[string]any{"port_id": vm.ID}); err != nil {
		t.Fatal(err)
	}
	// Deleting the VM's port dissociates the floating IP; deleting the floating IP frees its port.
	if err := e.Delete("ports", vm.ID); err != nil {
		t.Fatal(err)
	}
	after := model.MustDecode[model.FloatingIP](e.Get("floatingips", fip.ID))
	if after.PortID != "" || after.RouterID != "" || after.Status != "DOWN" {
		t.Errorf("after the port went: %+v", after)
	}
	if err := e.Delete("floatingips", fip.ID); err != nil {
		t.Fatal(err)
	}
	if e.Get("ports", fip.FloatingPortID) != nil {
		t.Error("the floating IP's own port outlived it")
	}
}

// TestDeletingAnExternalNetworkTakesIdleFloatingIPs: the floating IPs nothing uses go with
// their network; an associated one keeps the network in use.
func TestDeletingAnExternalNetworkTakesIdleFloatingIPs(t *testing.T) {
	w := newWorld(t)
	e := w.e
	idle := model.MustDecode[model.FloatingIP](e.MustCreate("floatingips", map[string]any{"floating_network_id": w.extNet}))
	r := e.MustCreate("routers", map[string]any{"name": "r", "external_gateway_info": map[string]any{"network_id": w.extNet}})
	if _, err := e.Action("routers", r["id"].(string), "add_router_interface", map[string]any{"subnet_id": w.subID}); err != nil {
		t.Fatal(err)
	}
	vm := model.MustDecode[model.Port](e.MustCreate("ports", map[string]any{"network_id": w.netID, "device_owner": "compute:nova"}))
	used := model.MustDecode[model.FloatingIP](e.MustCreate("floatingips", map[string]any{"floating_network_id": w.extNet, "port_id": vm.ID}))
	if f, ok := fault.As(e.Delete("networks", w.extNet)); !ok || f.Type != "NetworkInUse" {
		t.Fatalf("deleting the network with an associated floating IP (and a gateway) = %v, want NetworkInUse", f)
	}
	if e.Get("floatingips", used.ID) == nil {
		t.Error("the associated floating IP went")
	}
	// The refused delete rolled back: the idle one is still there too.
	if e.Get("floatingips", idle.ID) == nil {
		t.Error("a refused network delete left the idle floating IP deleted")
	}
	if err := e.Delete("floatingips", used.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Update("routers", r["id"].(string), map[string]any{"external_gateway_info": nil}); err != nil {
		t.Fatal(err)
	}
	if err := e.Delete("networks", w.extNet); err != nil {
		t.Fatalf("deleting the network with an idle floating IP: %v", err)
	}
	if e.Get("floatingips", idle.ID) != nil || e.Get("ports", idle.FloatingPortID) != nil {
		t.Error("the idle floating IP or its port outlived the network")
	}
}
