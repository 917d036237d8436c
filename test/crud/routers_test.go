package crud_test

import (
	"context"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

func TestRouterActions(t *testing.T) {
	each(t, func(t *testing.T, c *gophercloud.ServiceClient) { routerActions(t, c, newFixture(t, c)) })
}

// revision is a router's revision_number as shown.
func revision(t *testing.T, c *gophercloud.ServiceClient, id string) float64 {
	t.Helper()
	d, err := show(t.Context(), c, "routers", "router", id)
	fatal(t, err)
	return d["revision_number"].(float64)
}

// gatewayPorts lists the ports a router has on its gateway.
func gatewayPorts(t *testing.T, c *gophercloud.ServiceClient, routerID string) []ports.Port {
	t.Helper()
	pages, err := ports.List(c, ports.ListOpts{DeviceID: routerID, DeviceOwner: "network:router_gateway"}).AllPages(t.Context())
	fatal(t, err)
	out, err := ports.ExtractPorts(pages)
	fatal(t, err)
	return out
}

// routerActions: a gateway set by an update, an interface by subnet and one by port, a
// floating IP associated through the router, the requests Neutron refuses on the way, and
// every one undone; each action raises the router's revision_number.
func routerActions(t *testing.T, c *gophercloud.ServiceClient, fx *fixture) {
	ctx := t.Context()
	r, err := routers.Create(ctx, c, routers.CreateOpts{Name: "edge"}).Extract()
	fatal(t, err)
	rev := revision(t, c, r.ID)
	raised := func(what string) {
		t.Helper()
		if now := revision(t, c, r.ID); now <= rev {
			t.Errorf("revision_number %v after %s, want more than %v", now, what, rev)
		} else {
			rev = now
		}
	}

	// The gateway, set by an update.
	r, err = routers.Update(ctx, c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{NetworkID: fx.extNet}}).Extract()
	fatal(t, err)
	if r.GatewayInfo.NetworkID != fx.extNet || len(r.GatewayInfo.ExternalFixedIPs) != 1 || r.GatewayInfo.ExternalFixedIPs[0].SubnetID != fx.extSubnet ||
		r.GatewayInfo.EnableSNAT == nil || !*r.GatewayInfo.EnableSNAT {
		t.Fatalf("gateway %+v, want an address on the external subnet with SNAT", r.GatewayInfo)
	}
	if gw := gatewayPorts(t, c, r.ID); len(gw) != 1 || gw[0].NetworkID != fx.extNet || gw[0].FixedIPs[0].IPAddress != r.GatewayInfo.ExternalFixedIPs[0].IPAddress {
		t.Errorf("gateway ports %+v, want one on the external network at %s", gw, r.GatewayInfo.ExternalFixedIPs[0].IPAddress)
	}
	raised("setting the gateway")

	// An interface by subnet takes the subnet's gateway address.
	bySubnet, err := routers.AddInterface(ctx, c, r.ID, routers.AddInterfaceOpts{SubnetID: fx.subnet}).Extract()
	fatal(t, err)
	if bySubnet.SubnetID != fx.subnet || bySubnet.PortID == "" || bySubnet.ID != r.ID || bySubnet.TenantID != project {
		t.Fatalf("interface by subnet %+v", bySubnet)
	}
	rif, err := ports.Get(ctx, c, bySubnet.PortID).Extract()
	fatal(t, err)
	if rif.DeviceOwner != "network:router_interface" || rif.DeviceID != r.ID || rif.FixedIPs[0].IPAddress != "10.40.0.1" {
		t.Errorf("interface port %s/%s at %v, want the router's at the subnet gateway 10.40.0.1", rif.DeviceOwner, rif.DeviceID, rif.FixedIPs)
	}
	raised("adding an interface")

	// A second network joined by a port of its own (an address outside the pool).
	net2, err := networks.Create(ctx, c, networks.CreateOpts{Name: "second"}).Extract()
	fatal(t, err)
	sub2, err := subnets.Create(ctx, c, subnets.CreateOpts{NetworkID: net2.ID, CIDR: "10.41.0.0/24", IPVersion: 4,
		AllocationPools: []subnets.AllocationPool{{Start: "10.41.0.10", End: "10.41.0.200"}}}).Extract()
	fatal(t, err)
	own, err := ports.Create(ctx, c, ports.CreateOpts{NetworkID: net2.ID, FixedIPs: []ports.IP{{SubnetID: sub2.ID, IPAddress: "10.41.0.254"}}}).Extract()
	fatal(t, err)
	byPort, err := routers.AddInterface(ctx, c, r.ID, routers.AddInterfaceOpts{PortID: own.ID}).Extract()
	fatal(t, err)
	if byPort.PortID != own.ID || byPort.SubnetID != sub2.ID {
		t.Fatalf("interface by port %+v", byPort)
	}
	if p, err := ports.Get(ctx, c, own.ID).Extract(); err != nil || p.DeviceOwner != "network:router_interface" || p.DeviceID != r.ID {
		t.Errorf("the port made an interface: %+v, %v", p, err)
	}

	// What Neutron refuses while the router is wired.
	refusals := []struct {
		name   string
		err    func() error
		status int
		typ    string
	}{
		{"the same subnet again", func() error {
			return routers.AddInterface(ctx, c, r.ID, routers.AddInterfaceOpts{SubnetID: fx.subnet}).Err
		}, 400, "BadRequest"},
		{"neither subnet nor port", func() error {
			_, err := c.Put(ctx, c.ServiceURL("routers", r.ID, "add_router_interface"), map[string]any{}, nil, &gophercloud.RequestOpts{OkCodes: []int{200}})
			return err
		}, 400, "BadRequest"},
		{"a subnet that does not exist", func() error {
			return routers.AddInterface(ctx, c, r.ID, routers.AddInterfaceOpts{SubnetID: missing}).Err
		}, 404, "SubnetNotFound"},
		{"a router that does not exist", func() error {
			return routers.AddInterface(ctx, c, missing, routers.AddInterfaceOpts{SubnetID: fx.subnet}).Err
		}, 404, "RouterNotFound"},
		{"removing a subnet that is not attached", func() error {
			return routers.RemoveInterface(ctx, c, r.ID, routers.RemoveInterfaceOpts{SubnetID: fx.extSubnet}).Err
		}, 404, "RouterInterfaceNotFoundForSubnet"},
		{"removing a port that is not an interface", func() error {
			return routers.RemoveInterface(ctx, c, r.ID, routers.RemoveInterfaceOpts{PortID: missing}).Err
		}, 404, "RouterInterfaceNotFound"},
		{"deleting the router", func() error { return routers.Delete(ctx, c, r.ID).ExtractErr() }, 409, "RouterInUse"},
		{"deleting the interface's subnet", func() error { return subnets.Delete(ctx, c, fx.subnet).ExtractErr() }, 409, "SubnetInUse"},
		{"deleting the interface port", func() error { return ports.Delete(ctx, c, bySubnet.PortID).ExtractErr() }, 409, "ServicePortInUse"},
		{"a gateway on a network that is not external", func() error {
			return routers.Update(ctx, c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{NetworkID: fx.net}}).Err
		}, 400, "BadRequest"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) { wantError(t, tc.name, tc.err(), tc.status, tc.typ) })
	}

	// A VM port behind the router gets a floating IP.
	vm, err := ports.Create(ctx, c, ports.CreateOpts{NetworkID: fx.net, DeviceOwner: "compute:nova"}).Extract()
	fatal(t, err)
	fip, err := floatingips.Create(ctx, c, floatingips.CreateOpts{FloatingNetworkID: fx.extNet, PortID: vm.ID}).Extract()
	fatal(t, err)
	if fip.RouterID != r.ID || fip.FixedIP != vm.FixedIPs[0].IPAddress || fip.PortID != vm.ID {
		t.Fatalf("floating IP %+v, want it through router %s to %s", fip, r.ID, vm.FixedIPs[0].IPAddress)
	}
	// The interface and the gateway the floating IP depends on cannot go.
	err = routers.RemoveInterface(ctx, c, r.ID, routers.RemoveInterfaceOpts{SubnetID: fx.subnet}).Err
	wantError(t, "removing the interface a floating IP uses", err, 409, "RouterInterfaceInUseByFloatingIP")
	err = routers.Update(ctx, c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{}}).Err
	wantError(t, "clearing the gateway a floating IP uses", err, 409, "RouterExternalGatewayInUseByFloatingIp")
	// Dissociated, then associated again by an update, then dissociated.
	null := ""
	fip, err = floatingips.Update(ctx, c, fip.ID, floatingips.UpdateOpts{PortID: &null}).Extract()
	fatal(t, err)
	if fip.PortID != "" || fip.RouterID != "" || fip.FixedIP != "" {
		t.Errorf("after port_id null: %+v", fip)
	}
	fip, err = floatingips.Update(ctx, c, fip.ID, floatingips.UpdateOpts{PortID: &vm.ID}).Extract()
	fatal(t, err)
	if fip.PortID != vm.ID || fip.RouterID != r.ID || fip.FixedIP != vm.FixedIPs[0].IPAddress {
		t.Errorf("after associating by update: %+v", fip)
	}
	_, err = floatingips.Update(ctx, c, fip.ID, floatingips.UpdateOpts{PortID: &null}).Extract()
	fatal(t, err)

	// Undo: interfaces, floating IP, gateway, router.
	_, err = routers.RemoveInterface(ctx, c, r.ID, routers.RemoveInterfaceOpts{SubnetID: fx.subnet}).Extract()
	fatal(t, err)
	if _, err := show(ctx, c, "ports", "port", bySubnet.PortID); !gophercloud.ResponseCodeIs(err, 404) {
		t.Errorf("the interface port made for the subnet is still there (%v)", err)
	}
	raised("removing an interface")
	_, err = routers.RemoveInterface(ctx, c, r.ID, routers.RemoveInterfaceOpts{PortID: own.ID}).Extract()
	fatal(t, err)
	// Neutron deletes the port of an interface removed by port, as one removed by subnet.
	if _, err := show(ctx, c, "ports", "port", own.ID); !gophercloud.ResponseCodeIs(err, 404) {
		t.Errorf("the port removed as an interface is still there (%v)", err)
	}
	if err := floatingips.Delete(ctx, c, fip.ID).ExtractErr(); err != nil {
		t.Fatal(err)
	}
	gwAddr := r.GatewayInfo.ExternalFixedIPs[0].IPAddress
	r, err = routers.Update(ctx, c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{}}).Extract()
	fatal(t, err)
	if r.GatewayInfo.NetworkID != "" {
		t.Errorf("gateway %+v after clearing it", r.GatewayInfo)
	}
	if gw := gatewayPorts(t, c, r.ID); len(gw) != 0 {
		t.Errorf("gateway ports %+v after clearing the gateway", gw)
	}
	raised("clearing the gateway")
	// The gateway's address is free again.
	if err := checkFree(ctx, c, fx, gwAddr); err != nil {
		t.Errorf("the cleared gateway's address %s: %v", gwAddr, err)
	}
	if err := routers.Delete(ctx, c, r.ID).ExtractErr(); err != nil {
		t.Fatal(err)
	}
	if _, err := show(ctx, c, "routers", "router", r.ID); !gophercloud.ResponseCodeIs(err, 404) {
		t.Errorf("show of the deleted router: %v", err)
	}
}

// checkFree takes addr on the external network with a port and gives it back.
func checkFree(ctx context.Context, c *gophercloud.ServiceClient, fx *fixture, addr string) error {
	p, err := ports.Create(ctx, c, ports.CreateOpts{NetworkID: fx.extNet, FixedIPs: []ports.IP{{SubnetID: fx.extSubnet, IPAddress: addr}}}).Extract()
	if err != nil {
		return err
	}
	return ports.Delete(ctx, c, p.ID).ExtractErr()
}
