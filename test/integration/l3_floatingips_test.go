package integration

import (
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
)

// TestL3FloatingIPs covers floating IPs: allocation, association through a
// router, the refusals, dissociation, and what an association holds in place.
// networking-midonet makes an associated floating IP ACTIVE (§2.2 of the
// facts: the status follows port_id inside the transaction).
func TestL3FloatingIPs(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-l3-fip"
		c := e.admin(project)
		ext, extSub := l3ExternalNetwork(t, c, "fip-ext", "172.24.20.0/24", "172.24.20.10", "172.24.20.99")
		n1, s1 := newNetwork(t, c, "fip-n1", "10.50.1.0/24")
		n9, s9 := newNetwork(t, c, "fip-iso", "10.50.9.0/24")
		r := l3CreateRouter(t, c, routers.CreateOpts{Name: "fip-r", GatewayInfo: &routers.GatewayInfo{NetworkID: ext.ID}})
		l3AddInterface(t, c, r.ID, routers.AddInterfaceOpts{SubnetID: s1.ID})
		p1 := createPort(t, c, ports.CreateOpts{NetworkID: n1.ID, Name: "vm1", FixedIPs: []ports.IP{{IPAddress: "10.50.1.10"}}})
		p2 := createPort(t, c, ports.CreateOpts{NetworkID: n1.ID, Name: "vm2", FixedIPs: []ports.IP{{IPAddress: "10.50.1.11"}}})
		p9 := createPort(t, c, ports.CreateOpts{NetworkID: n9.ID, Name: "iso", FixedIPs: []ports.IP{{IPAddress: "10.50.9.10"}}})

		var f1, f2, f3 floatingips.FloatingIP
		t.Run("create without a port", func(t *testing.T) {
			f1 = l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, Description: "spare"})
			if !uuidRE.MatchString(f1.ID) || f1.FloatingNetworkID != ext.ID || f1.Description != "spare" ||
				!inRange(f1.FloatingIP, "172.24.20.10", "172.24.20.99") {
				t.Errorf("floating IP %+v; want an address from the pool of %s", f1, ext.ID)
			}
			if f1.Status != "DOWN" || f1.PortID != "" || f1.FixedIP != "" || f1.RouterID != "" || f1.ProjectID != project || f1.TenantID != project {
				t.Errorf("status %q port %q fixed %q router %q project %q; want DOWN, nothing associated, project %s",
					f1.Status, f1.PortID, f1.FixedIP, f1.RouterID, f1.ProjectID, project)
			}
			raw, _ := get(t, c, "floatingips/"+f1.ID)["floatingip"].(map[string]any)
			for _, k := range []string{"port_id", "fixed_ip_address", "router_id"} {
				if v, ok := raw[k]; !ok || v != nil {
					t.Errorf("%s = %#v (present %v), want null", k, v, ok)
				}
			}
			if _, ok := raw["subnet_id"]; ok {
				t.Errorf("subnet_id is shown; it is a create-only input")
			}
			// The address lives on a port the floating IP owns.
			fp := l3DevicePorts(t, c, f1.ID, "network:floatingip")
			if len(fp) != 1 || fp[0].NetworkID != ext.ID || len(fp[0].FixedIPs) != 1 ||
				fp[0].FixedIPs[0] != (ports.IP{SubnetID: extSub.ID, IPAddress: f1.FloatingIP}) {
				t.Fatalf("floating IP ports %+v; want one on %s holding %s", fp, ext.ID, f1.FloatingIP)
			}
			wantError(t, ports.Delete(ctx(t), c, fp[0].ID).ExtractErr(), 409, "ServicePortInUse")
		})

		t.Run("create with a port", func(t *testing.T) {
			f2 = l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, PortID: p1.ID, Description: "vm1"})
			if f2.PortID != p1.ID || f2.FixedIP != "10.50.1.10" || f2.RouterID != r.ID || f2.Status != "ACTIVE" {
				t.Errorf("port %q fixed %q router %q status %q; want %s, 10.50.1.10, %s, ACTIVE", f2.PortID, f2.FixedIP, f2.RouterID, f2.Status, p1.ID, r.ID)
			}
			if g := l3GetFIP(t, c, f2.ID); g.PortID != p1.ID || g.FixedIP != "10.50.1.10" || g.RouterID != r.ID || g.Status != "ACTIVE" {
				t.Errorf("show: %+v", g)
			}
			got := l3ListFIPs(t, c, floatingips.ListOpts{PortID: p1.ID})
			if len(got) != 1 || got[0].ID != f2.ID || got[0].RouterID != r.ID {
				t.Errorf("list port_id=%s gave %+v", p1.ID, got)
			}
			got = l3ListFIPs(t, c, floatingips.ListOpts{RouterID: r.ID})
			if len(got) != 1 || got[0].ID != f2.ID {
				t.Errorf("list router_id=%s gave %+v", r.ID, got)
			}
		})

		t.Run("create with an address", func(t *testing.T) {
			f3 = l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, FloatingIP: "172.24.20.150"})
			if f3.FloatingIP != "172.24.20.150" || f3.Status != "DOWN" || f3.PortID != "" {
				t.Errorf("floating IP %+v; want 172.24.20.150, DOWN, not associated", f3)
			}
			err := floatingips.Create(ctx(t), c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, FloatingIP: "172.24.20.150"}).Err
			wantErrorMentions(t, err, 409, "IpAddressAlreadyAllocated", "172.24.20.150")
			err = floatingips.Create(ctx(t), c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, FloatingIP: r.GatewayInfo.ExternalFixedIPs[0].IPAddress}).Err
			wantError(t, err, 409, "IpAddressAlreadyAllocated")
			err = floatingips.Create(ctx(t), c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, FloatingIP: "10.99.0.1"}).Err
			wantErrorMentions(t, err, 400, "InvalidIpForNetwork", "10.99.0.1")
			err = floatingips.Create(ctx(t), c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, SubnetID: extSub.ID, FloatingIP: "172.24.20.151"}).Err
			must(t, err)
		})

		t.Run("refused creates", func(t *testing.T) {
			before := len(l3ListFIPs(t, c, floatingips.ListOpts{}))
			dhcp := createPort(t, c, ports.CreateOpts{NetworkID: n1.ID, Name: "dhcp", DeviceOwner: "network:dhcp", DeviceID: "dhcp-agent"})
			cases := []struct {
				name   string
				opts   floatingips.CreateOptsBuilder
				status int
				typ    string
			}{
				{"on a non-external network", floatingips.CreateOpts{FloatingNetworkID: n1.ID}, 400, "BadRequest"},
				{"on a missing network", floatingips.CreateOpts{FloatingNetworkID: missingID}, 404, "NetworkNotFound"},
				{"for a port the network cannot reach", floatingips.CreateOpts{FloatingNetworkID: ext.ID, PortID: p9.ID}, 404, "ExternalGatewayForFloatingIPNotFound"},
				{"with a fixed address the port does not have", floatingips.CreateOpts{FloatingNetworkID: ext.ID, PortID: p2.ID, FixedIP: "10.50.1.99"}, 400, "BadRequest"},
				{"for a missing port", floatingips.CreateOpts{FloatingNetworkID: ext.ID, PortID: missingID}, 404, "PortNotFound"},
				{"for a fixed IP that has one", floatingips.CreateOpts{FloatingNetworkID: ext.ID, PortID: p1.ID}, 409, "FloatingIPPortAlreadyAssociated"},
				// neutron-lib's is_fip_serviced: a DHCP port "is unable to be assigned a floating IP".
				{"for a DHCP port", floatingips.CreateOpts{FloatingNetworkID: ext.ID, PortID: dhcp.ID}, 400, "BadRequest"},
				{"without floating_network_id", l3body{"floatingip": map[string]any{"port_id": p2.ID}}, 400, "HTTPBadRequest"},
				{"with a read-only attribute", l3body{"floatingip": map[string]any{"floating_network_id": ext.ID, "router_id": r.ID}}, 400, "HTTPBadRequest"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					wantError(t, floatingips.Create(ctx(t), c, tc.opts).Err, tc.status, tc.typ)
				})
			}
			// Undo what a wrongly accepted case made, so later steps stay independent of it.
			for _, f := range l3ListFIPs(t, c, floatingips.ListOpts{PortID: dhcp.ID}) {
				must(t, floatingips.Delete(ctx(t), c, f.ID).ExtractErr())
			}
			err := floatingips.Create(ctx(t), c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, PortID: p9.ID}).Err
			wantErrorMentions(t, err, 404, "ExternalGatewayForFloatingIPNotFound", ext.ID, s9.ID, p9.ID)
			if after := len(l3ListFIPs(t, c, floatingips.ListOpts{})); after != before {
				t.Errorf("refused creates changed the number of floating IPs from %d to %d", before, after)
			}
			if got := listPorts(t, c, ports.ListOpts{NetworkID: ext.ID, DeviceOwner: "network:floatingip"}); len(got) != before {
				t.Errorf("%d floating IP ports for %d floating IPs after refused creates", len(got), before)
			}
		})

		t.Run("associate and dissociate", func(t *testing.T) {
			u := l3UpdateFIP(t, c, f1.ID, floatingips.UpdateOpts{PortID: &p2.ID})
			if u.PortID != p2.ID || u.FixedIP != "10.50.1.11" || u.RouterID != r.ID || u.Status != "ACTIVE" || u.FloatingIP != f1.FloatingIP {
				t.Errorf("after associating: %+v; want port %s, 10.50.1.11, router %s, ACTIVE, the same address", u, p2.ID, r.ID)
			}
			err := floatingips.Update(ctx(t), c, f3.ID, floatingips.UpdateOpts{PortID: &p1.ID}).Err
			wantErrorMentions(t, err, 409, "FloatingIPPortAlreadyAssociated", f3.FloatingIP, p1.ID, "10.50.1.10")
			err = floatingips.Update(ctx(t), c, f3.ID, floatingips.UpdateOpts{PortID: &p9.ID}).Err
			wantError(t, err, 404, "ExternalGatewayForFloatingIPNotFound")
			err = floatingips.Update(ctx(t), c, f3.ID, floatingips.UpdateOpts{PortID: &p2.ID, FixedIP: "10.50.1.99"}).Err
			wantError(t, err, 400, "BadRequest")
			if g := l3GetFIP(t, c, f3.ID); g.PortID != "" || g.Status != "DOWN" {
				t.Errorf("refused associations changed f3 to %+v", g)
			}

			u = l3UpdateFIP(t, c, f1.ID, floatingips.UpdateOpts{PortID: new(string)})
			if u.PortID != "" || u.FixedIP != "" || u.RouterID != "" || u.Status != "DOWN" {
				t.Errorf("after dissociating: port %q fixed %q router %q status %q; want none, DOWN", u.PortID, u.FixedIP, u.RouterID, u.Status)
			}
			raw, _ := get(t, c, "floatingips/"+f1.ID)["floatingip"].(map[string]any)
			for _, k := range []string{"port_id", "fixed_ip_address", "router_id"} {
				if v, ok := raw[k]; !ok || v != nil {
					t.Errorf("after dissociating %s = %#v, want null", k, v)
				}
			}
			// Another floating IP can now take p2's fixed IP; a description update keeps the association.
			u = l3UpdateFIP(t, c, f3.ID, floatingips.UpdateOpts{PortID: &p2.ID, FixedIP: "10.50.1.11"})
			if u.PortID != p2.ID || u.FixedIP != "10.50.1.11" || u.RouterID != r.ID || u.Status != "ACTIVE" {
				t.Errorf("f3 after associating with p2: %+v", u)
			}
			u = l3UpdateFIP(t, c, f3.ID, floatingips.UpdateOpts{Description: ptr("now vm2")})
			if u.Description != "now vm2" || u.PortID != p2.ID || u.Status != "ACTIVE" {
				t.Errorf("f3 after a description update: %+v", u)
			}
			u = l3UpdateFIP(t, c, f3.ID, l3update{l3body{"floatingip": map[string]any{"port_id": nil}}})
			if u.PortID != "" || u.RouterID != "" || u.Status != "DOWN" {
				t.Errorf("f3 after port_id null: %+v", u)
			}
			wantError(t, floatingips.Update(ctx(t), c, f3.ID, l3update{l3body{"floatingip": map[string]any{"floating_ip_address": "172.24.20.160"}}}).Err, 400, "HTTPBadRequest")
			wantError(t, floatingips.Update(ctx(t), c, missingID, floatingips.UpdateOpts{Description: ptr("x")}).Err, 404, "FloatingIPNotFound")
		})

		t.Run("a port with two fixed IPs", func(t *testing.T) {
			two := createPort(t, c, ports.CreateOpts{NetworkID: n1.ID, Name: "two", FixedIPs: []ports.IP{{IPAddress: "10.50.1.20"}, {IPAddress: "10.50.1.21"}}})
			err := floatingips.Create(ctx(t), c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, PortID: two.ID}).Err
			wantError(t, err, 400, "BadRequest")
			f := l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, PortID: two.ID, FixedIP: "10.50.1.21"})
			if f.FixedIP != "10.50.1.21" || f.RouterID != r.ID || f.Status != "ACTIVE" {
				t.Errorf("with fixed_ip_address 10.50.1.21: %+v", f)
			}
			// The other fixed IP of the same port may have its own.
			g := l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, PortID: two.ID, FixedIP: "10.50.1.20"})
			if g.FixedIP != "10.50.1.20" {
				t.Errorf("second fixed IP: %+v", g)
			}
			must(t, ports.Delete(ctx(t), c, two.ID).ExtractErr())
			for _, id := range []string{f.ID, g.ID} {
				if h := l3GetFIP(t, c, id); h.PortID != "" || h.FixedIP != "" || h.RouterID != "" || h.Status != "DOWN" {
					t.Errorf("after deleting its port, floating IP %s: %+v", id, h)
				}
				must(t, floatingips.Delete(ctx(t), c, id).ExtractErr())
			}
		})

		t.Run("an association holds interface and gateway", func(t *testing.T) {
			err := routers.RemoveInterface(ctx(t), c, r.ID, routers.RemoveInterfaceOpts{SubnetID: s1.ID}).Err
			wantErrorMentions(t, err, 409, "RouterInterfaceInUseByFloatingIP", s1.ID, r.ID)
			err = routers.Update(ctx(t), c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{}}).Err
			wantErrorMentions(t, err, 409, "RouterExternalGatewayInUseByFloatingIp", r.ID, ext.ID)
			n2, _ := l3ExternalNetwork(t, c, "fip-ext-other", "172.24.21.0/24", "", "")
			err = routers.Update(ctx(t), c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{NetworkID: n2.ID}}).Err
			wantError(t, err, 409, "RouterExternalGatewayInUseByFloatingIp")
			if g := l3GetRouter(t, c, r.ID).GatewayInfo; g.NetworkID != ext.ID {
				t.Errorf("refused gateway changes left %+v", g)
			}
			wantError(t, routers.Delete(ctx(t), c, r.ID).ExtractErr(), 409, "RouterInUse")
		})

		t.Run("deleting the port dissociates", func(t *testing.T) {
			must(t, ports.Delete(ctx(t), c, p1.ID).ExtractErr())
			g := l3GetFIP(t, c, f2.ID)
			if g.PortID != "" || g.FixedIP != "" || g.RouterID != "" || g.Status != "DOWN" {
				t.Errorf("after deleting its port: port %q fixed %q router %q status %q; want none, DOWN", g.PortID, g.FixedIP, g.RouterID, g.Status)
			}
			if got := l3ListFIPs(t, c, floatingips.ListOpts{PortID: p1.ID}); len(got) != 0 {
				t.Errorf("list port_id of the deleted port gave %d", len(got))
			}
			// Nothing is associated now: the interface and the gateway can go.
			l3RemoveInterface(t, c, r.ID, routers.RemoveInterfaceOpts{SubnetID: s1.ID})
			l3UpdateRouter(t, c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{}})
			// Without a router in between, association fails.
			err := floatingips.Update(ctx(t), c, f2.ID, floatingips.UpdateOpts{PortID: &p2.ID}).Err
			wantError(t, err, 404, "ExternalGatewayForFloatingIPNotFound")
		})

		t.Run("delete", func(t *testing.T) {
			fp := l3DevicePorts(t, c, f3.ID, "network:floatingip")
			must(t, floatingips.Delete(ctx(t), c, f3.ID).ExtractErr())
			wantErrorMentions(t, floatingips.Get(ctx(t), c, f3.ID).Err, 404, "FloatingIPNotFound", f3.ID)
			wantError(t, floatingips.Delete(ctx(t), c, f3.ID).ExtractErr(), 404, "FloatingIPNotFound")
			if len(fp) == 1 {
				wantError(t, ports.Get(ctx(t), c, fp[0].ID).Err, 404, "PortNotFound")
			}
			// Its address is free again.
			again := l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, FloatingIP: "172.24.20.150"})
			for _, f := range []string{again.ID, f1.ID, f2.ID} {
				must(t, floatingips.Delete(ctx(t), c, f).ExtractErr())
			}
			rest := l3ListFIPs(t, c, floatingips.ListOpts{FloatingNetworkID: ext.ID})
			for _, f := range rest {
				must(t, floatingips.Delete(ctx(t), c, f.ID).ExtractErr())
			}
			must(t, routers.Delete(ctx(t), c, r.ID).ExtractErr())
			if got := listPorts(t, c, ports.ListOpts{NetworkID: ext.ID}); len(got) != 0 {
				t.Errorf("the external network still has %d ports", len(got))
			}
		})
	})
}
