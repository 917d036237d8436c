package crud_test

import (
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
)

func TestFloatingIPPortDetailsAndPools(t *testing.T) {
	each(t, func(t *testing.T, c *gophercloud.ServiceClient) { fipDetailsAndPools(t, c, newFixture(t, c)) })
}

// fipDetailsAndPools: port_details follows the association (fip-port-details), and every
// subnet of an external network is a floating IP pool (floatingip-pools).
func fipDetailsAndPools(t *testing.T, c *gophercloud.ServiceClient, fx *fixture) {
	ctx := t.Context()
	r, err := routers.Create(ctx, c, routers.CreateOpts{Name: "r", GatewayInfo: &routers.GatewayInfo{NetworkID: fx.extNet}}).Extract()
	fatal(t, err)
	_, err = routers.AddInterface(ctx, c, r.ID, routers.AddInterfaceOpts{SubnetID: fx.subnet}).Extract()
	fatal(t, err)
	up := true
	vm, err := ports.Create(ctx, c, ports.CreateOpts{NetworkID: fx.net, Name: "vm", AdminStateUp: &up, DeviceOwner: "compute:nova", DeviceID: "server-1"}).Extract()
	fatal(t, err)

	fip, err := floatingips.Create(ctx, c, floatingips.CreateOpts{FloatingNetworkID: fx.extNet}).Extract()
	fatal(t, err)
	d, err := show(ctx, c, "floatingips", "floatingip", fip.ID)
	fatal(t, err)
	if v, ok := d["port_details"]; !ok || v != nil {
		t.Errorf("port_details of an unassociated floating IP = %v (present %v), want null", v, ok)
	}
	_, err = floatingips.Update(ctx, c, fip.ID, floatingips.UpdateOpts{PortID: &vm.ID}).Extract()
	fatal(t, err)
	d, err = show(ctx, c, "floatingips", "floatingip", fip.ID)
	fatal(t, err)
	expect(t, d["port_details"].(map[string]any), map[string]any{"name": "vm", "network_id": fx.net, "mac_address": vm.MACAddress,
		"admin_state_up": true, "device_id": "server-1", "device_owner": "compute:nova", "status": vm.Status})

	var pools struct {
		Pools []map[string]any `json:"floatingip_pools"`
	}
	_, err = c.Get(ctx, c.ServiceURL("floatingip_pools"), &pools, nil)
	fatal(t, err)
	found := false
	for _, p := range pools.Pools {
		if p["subnet_id"] == fx.extSubnet {
			found = true
			expect(t, p, map[string]any{"network_id": fx.extNet, "cidr": "172.24.8.0/24", "subnet_name": ""})
		}
		if p["network_id"] == fx.net {
			t.Errorf("a tenant network's subnet is listed as a floating IP pool: %v", p)
		}
	}
	if !found {
		t.Errorf("the external subnet is not a pool: %v", pools.Pools)
	}
	// Neutron reads "-" and "_" in collection names alike (tempest asks for this spelling).
	var hyphen struct {
		Pools []map[string]any `json:"floatingip_pools"`
	}
	_, err = c.Get(ctx, c.ServiceURL("floatingip-pools"), &hyphen, nil)
	fatal(t, err)
	if len(hyphen.Pools) != len(pools.Pools) {
		t.Errorf("/floatingip-pools lists %d pools, /floatingip_pools %d", len(hyphen.Pools), len(pools.Pools))
	}
}
