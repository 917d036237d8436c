package integration

import (
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/quotas"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
)

// TestL3Quotas covers the router and floatingip quotas.
func TestL3Quotas(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-l3-quota"
		admin := e.admin("it-l3-quota-admin")
		c := e.admin(project)
		ext, _ := l3ExternalNetwork(t, admin, "q-ext", "172.24.60.0/24", "", "")

		q, err := quotas.Get(ctx(t), admin, project).Extract()
		must(t, err)
		if q.Router != 10 || q.FloatingIP != 50 {
			t.Errorf("default quotas: router %d floatingip %d; want Neutron's 10 and 50", q.Router, q.FloatingIP)
		}
		q, err = quotas.Update(ctx(t), admin, project, quotas.UpdateOpts{Router: ptr(1), FloatingIP: ptr(1)}).Extract()
		must(t, err)
		if q.Router != 1 || q.FloatingIP != 1 {
			t.Errorf("after update: router %d floatingip %d", q.Router, q.FloatingIP)
		}

		r := l3CreateRouter(t, c, routers.CreateOpts{Name: "q-r1"})
		err = routers.Create(ctx(t), c, routers.CreateOpts{Name: "q-r2"}).Err
		wantErrorMentions(t, err, 409, "OverQuota", "router")
		err = routers.Create(ctx(t), c, routers.CreateOpts{Name: "q-r2", GatewayInfo: &routers.GatewayInfo{NetworkID: ext.ID}}).Err
		wantError(t, err, 409, "OverQuota")

		f := l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: ext.ID})
		err = floatingips.Create(ctx(t), c, floatingips.CreateOpts{FloatingNetworkID: ext.ID}).Err
		wantErrorMentions(t, err, 409, "OverQuota", "floatingip")
		// A refused floating IP takes no address of the external network.
		if got := listPorts(t, admin, ports.ListOpts{NetworkID: ext.ID}); len(got) != 1 {
			t.Errorf("external network has %d ports, want only the floating IP's", len(got))
		}

		d, err := quotas.GetDetail(ctx(t), admin, project).Extract()
		must(t, err)
		if d.Router != (quotas.QuotaDetail{Limit: 1, Used: 1}) || d.FloatingIP != (quotas.QuotaDetail{Limit: 1, Used: 1}) {
			t.Errorf("details: router %+v floatingip %+v; want 1 of 1 used each", d.Router, d.FloatingIP)
		}

		// Deleting frees the quota.
		must(t, routers.Delete(ctx(t), c, r.ID).ExtractErr())
		must(t, floatingips.Delete(ctx(t), c, f.ID).ExtractErr())
		l3CreateRouter(t, c, routers.CreateOpts{Name: "q-r3"})
		l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: ext.ID})
	})
}

// TestL3MemberPolicy acts as an ordinary member next to an admin's routers
// and floating IPs.
func TestL3MemberPolicy(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const projectA, projectB = "it-l3-pol-a", "it-l3-pol-b"
		a := e.member(projectA)
		b := e.admin(projectB)
		ext, extSub := l3ExternalNetwork(t, b, "pol-ext", "172.24.70.0/24", "172.24.70.10", "172.24.70.99")
		bNet, bSub := newNetwork(t, b, "pol-b-net", "10.80.2.0/24")
		bRouter := l3CreateRouter(t, b, routers.CreateOpts{Name: "pol-b-r", GatewayInfo: &routers.GatewayInfo{NetworkID: ext.ID}})
		l3AddInterface(t, b, bRouter.ID, routers.AddInterfaceOpts{SubnetID: bSub.ID})
		bPort := createPort(t, b, ports.CreateOpts{NetworkID: bNet.ID, Name: "b-vm"})
		bFIP := l3CreateFIP(t, b, floatingips.CreateOpts{FloatingNetworkID: ext.ID, PortID: bPort.ID})
		aNet, aSub := newNetwork(t, a, "pol-a-net", "10.80.1.0/24")

		var aRouter routers.Router
		t.Run("a member's own router and gateway", func(t *testing.T) {
			aRouter = l3CreateRouter(t, a, routers.CreateOpts{Name: "pol-a-r", GatewayInfo: &routers.GatewayInfo{NetworkID: ext.ID}})
			if aRouter.ProjectID != projectA || aRouter.GatewayInfo.NetworkID != ext.ID || aRouter.GatewayInfo.EnableSNAT == nil || !*aRouter.GatewayInfo.EnableSNAT {
				t.Errorf("member's router: %+v", aRouter)
			}
			l3AddInterface(t, a, aRouter.ID, routers.AddInterfaceOpts{SubnetID: aSub.ID})
			_, err := l3SetRoutes(t, a, aRouter.ID, l3RouteOf("192.168.0.0/24", "10.80.1.20"))
			must(t, err)
		})

		t.Run("admin-only gateway attributes", func(t *testing.T) {
			cases := []struct {
				name string
				gw   routers.GatewayInfo
			}{
				{"enable_snat", routers.GatewayInfo{NetworkID: ext.ID, EnableSNAT: ptr(false)}},
				{"enable_snat true", routers.GatewayInfo{NetworkID: ext.ID, EnableSNAT: ptr(true)}},
				{"external_fixed_ips", routers.GatewayInfo{NetworkID: ext.ID, ExternalFixedIPs: []routers.ExternalFixedIP{{IPAddress: "172.24.70.200"}}}},
				{"external_fixed_ips by subnet", routers.GatewayInfo{NetworkID: ext.ID, ExternalFixedIPs: []routers.ExternalFixedIP{{SubnetID: extSub.ID}}}},
			}
			for _, tc := range cases {
				t.Run("create with "+tc.name, func(t *testing.T) {
					err := routers.Create(ctx(t), a, routers.CreateOpts{Name: "pol-refused", GatewayInfo: &tc.gw}).Err
					wantError(t, err, 403, "PolicyNotAuthorized")
				})
			}
			if got := l3ListRouters(t, a, routers.ListOpts{Name: "pol-refused"}); len(got) != 0 {
				t.Errorf("refused creates made %d routers", len(got))
			}
			err := routers.Update(ctx(t), a, aRouter.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{NetworkID: ext.ID, EnableSNAT: ptr(false)}}).Err
			wantError(t, err, 403, "PolicyNotAuthorized")
			err = routers.Update(ctx(t), a, aRouter.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{
				NetworkID: ext.ID, ExternalFixedIPs: []routers.ExternalFixedIP{{IPAddress: "172.24.70.201"}}}}).Err
			wantError(t, err, 403, "PolicyNotAuthorized")
			if g := l3GetRouter(t, a, aRouter.ID).GatewayInfo; g.EnableSNAT == nil || !*g.EnableSNAT {
				t.Errorf("refused updates changed the gateway to %+v", g)
			}
			err = floatingips.Create(ctx(t), a, floatingips.CreateOpts{FloatingNetworkID: ext.ID, FloatingIP: "172.24.70.150"}).Err
			wantError(t, err, 403, "PolicyNotAuthorized")
		})

		t.Run("another project's router is invisible", func(t *testing.T) {
			wantErrorMentions(t, routers.Get(ctx(t), a, bRouter.ID).Err, 404, "RouterNotFound", bRouter.ID)
			for _, r := range l3ListRouters(t, a, routers.ListOpts{}) {
				if r.ID == bRouter.ID || r.ProjectID != projectA {
					t.Errorf("member lists router %s of project %s", r.ID, r.ProjectID)
				}
			}
			wantError(t, routers.Update(ctx(t), a, bRouter.ID, routers.UpdateOpts{Name: "stolen"}).Err, 404, "RouterNotFound")
			wantError(t, routers.Delete(ctx(t), a, bRouter.ID).ExtractErr(), 404, "RouterNotFound")
			wantError(t, routers.AddInterface(ctx(t), a, bRouter.ID, routers.AddInterfaceOpts{SubnetID: aSub.ID}).Err, 404, "RouterNotFound")
			wantError(t, routers.RemoveInterface(ctx(t), a, bRouter.ID, routers.RemoveInterfaceOpts{SubnetID: bSub.ID}).Err, 404, "RouterNotFound")
			_, _, err := l3Put(t, a, "routers/"+bRouter.ID+"/add_extraroutes",
				map[string]any{"router": map[string]any{"routes": []any{l3RouteOf("192.168.9.0/24", "10.80.2.20")}}}, 200)
			wantError(t, err, 404, "RouterNotFound")
			if g := l3GetRouter(t, b, bRouter.ID); g.Name != "pol-b-r" || len(g.Routes) != 0 {
				t.Errorf("B's router after A's attempts: name %q routes %v", g.Name, g.Routes)
			}
			if got := l3DevicePorts(t, b, bRouter.ID, "network:router_interface"); len(got) != 1 {
				t.Errorf("B's router has %d interfaces after A's attempts, want 1", len(got))
			}
		})

		t.Run("floating IPs", func(t *testing.T) {
			aPort := createPort(t, a, ports.CreateOpts{NetworkID: aNet.ID, Name: "a-vm"})
			f := l3CreateFIP(t, a, floatingips.CreateOpts{FloatingNetworkID: ext.ID, PortID: aPort.ID})
			if f.ProjectID != projectA || f.RouterID != aRouter.ID || f.Status != "ACTIVE" {
				t.Errorf("member's floating IP: %+v", f)
			}
			wantError(t, floatingips.Get(ctx(t), a, bFIP.ID).Err, 404, "FloatingIPNotFound")
			for _, x := range l3ListFIPs(t, a, floatingips.ListOpts{}) {
				if x.ProjectID != projectA {
					t.Errorf("member lists floating IP %s of project %s", x.ID, x.ProjectID)
				}
			}
			wantError(t, floatingips.Update(ctx(t), a, bFIP.ID, floatingips.UpdateOpts{PortID: new(string)}).Err, 404, "FloatingIPNotFound")
			wantError(t, floatingips.Delete(ctx(t), a, bFIP.ID).ExtractErr(), 404, "FloatingIPNotFound")
			if g := l3GetFIP(t, b, bFIP.ID); g.PortID != bPort.ID {
				t.Errorf("B's floating IP after A's attempts: %+v", g)
			}
			// A's floating IP cannot be pointed at B's port.
			spare := l3CreateFIP(t, a, floatingips.CreateOpts{FloatingNetworkID: ext.ID})
			other := createPort(t, b, ports.CreateOpts{NetworkID: bNet.ID, Name: "b-vm2"})
			err := floatingips.Update(ctx(t), a, spare.ID, floatingips.UpdateOpts{PortID: &other.ID}).Err
			if err == nil {
				t.Errorf("a member associated its floating IP with another project's port")
			} else if st, ne, _ := parseNeutronError(err); st != 404 && st != 400 {
				t.Errorf("associating with another project's port: %d %s, want 404 PortNotFound (or 400)", st, ne.Type)
			}
			if g := l3GetFIP(t, a, spare.ID); g.PortID != "" {
				t.Errorf("A's floating IP went to B's port %s", g.PortID)
			}
		})
	})
}
