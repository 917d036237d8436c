package integration

import (
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
)

// TestL3Routers covers routers and their external gateways (router,
// ext-gw-mode): the gateway port, enable_snat, external_fixed_ips and the
// refusals of a gateway Neutron cannot make.
func TestL3Routers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-l3-rt"
		c := e.admin(project)
		ext, extSub := l3ExternalNetwork(t, c, "rt-ext", "172.24.10.0/24", "172.24.10.10", "172.24.10.99")
		ext2, ext2Sub := l3ExternalNetwork(t, c, "rt-ext2", "172.24.11.0/24", "", "")
		bare := createNetwork(t, c, doc{"network": doc{"name": "rt-ext-bare", "router:external": true}})
		internal, _ := newNetwork(t, c, "rt-int", "10.40.1.0/24")

		// gatewayPort checks that router id has exactly one gateway port, on
		// network net with one address from subnet, and returns it.
		gatewayPort := func(t *testing.T, id, net, subnet string) port {
			t.Helper()
			ps := l3DevicePorts(t, c, id, "network:router_gateway")
			if len(ps) != 1 {
				t.Fatalf("router %s has %d gateway ports, want 1", id, len(ps))
			}
			p := ps[0]
			if p.NetworkID != net || p.DeviceID != id || len(p.FixedIPs) != 1 || p.FixedIPs[0].SubnetID != subnet {
				t.Errorf("gateway port: network %s device %s fixed_ips %v; want network %s, device %s, one address on %s",
					p.NetworkID, p.DeviceID, p.FixedIPs, net, id, subnet)
			}
			return p
		}

		t.Run("create without a gateway", func(t *testing.T) {
			r := l3CreateRouter(t, c, routers.CreateOpts{Name: "r0", Description: "no gateway"})
			if !uuidRE.MatchString(r.ID) || r.Name != "r0" || r.Description != "no gateway" || !r.AdminStateUp || r.Status != "ACTIVE" {
				t.Errorf("router = %+v; want ACTIVE, admin up, the given name and description", r)
			}
			if r.ProjectID != project || r.TenantID != project || r.Distributed || len(r.Routes) != 0 {
				t.Errorf("project %q tenant %q distributed %v routes %v", r.ProjectID, r.TenantID, r.Distributed, r.Routes)
			}
			raw := l3RawRouter(t, c, r.ID)
			if v, ok := raw["external_gateway_info"]; !ok || v != nil {
				t.Errorf("external_gateway_info = %#v (present %v), want null", v, ok)
			}
			if v, ok := raw["routes"].([]any); !ok || len(v) != 0 {
				t.Errorf("routes = %#v, want []", raw["routes"])
			}
			if ps := l3DevicePorts(t, c, r.ID, ""); len(ps) != 0 {
				t.Errorf("a router without a gateway has %d ports", len(ps))
			}
		})

		t.Run("create with a gateway", func(t *testing.T) {
			r := l3CreateRouter(t, c, routers.CreateOpts{Name: "r1", GatewayInfo: &routers.GatewayInfo{NetworkID: ext.ID}})
			gw := r.GatewayInfo
			if gw.NetworkID != ext.ID || gw.EnableSNAT == nil || !*gw.EnableSNAT {
				t.Errorf("external_gateway_info = %+v; want network %s with enable_snat true (the default)", gw, ext.ID)
			}
			if len(gw.ExternalFixedIPs) != 1 || gw.ExternalFixedIPs[0].SubnetID != extSub.ID ||
				!inRange(gw.ExternalFixedIPs[0].IPAddress, "172.24.10.10", "172.24.10.99") {
				t.Fatalf("external_fixed_ips = %+v; want one address from the pool of %s", gw.ExternalFixedIPs, extSub.ID)
			}
			p := gatewayPort(t, r.ID, ext.ID, extSub.ID)
			if p.FixedIPs[0].IPAddress != gw.ExternalFixedIPs[0].IPAddress {
				t.Errorf("gateway port address %s, router shows %s", p.FixedIPs[0].IPAddress, gw.ExternalFixedIPs[0].IPAddress)
			}
			if got := l3GetRouter(t, c, r.ID); got.GatewayInfo.NetworkID != ext.ID || len(got.GatewayInfo.ExternalFixedIPs) != 1 ||
				got.GatewayInfo.ExternalFixedIPs[0] != gw.ExternalFixedIPs[0] {
				t.Errorf("show: external_gateway_info %+v, create said %+v", got.GatewayInfo, gw)
			}
			// The gateway port is the router's: it cannot be deleted through the port API.
			wantError(t, ports.Delete(ctx(t), c, p.ID).ExtractErr(), 409, "ServicePortInUse")
		})

		t.Run("create with a fixed gateway address and SNAT off", func(t *testing.T) {
			r := l3CreateRouter(t, c, routers.CreateOpts{Name: "r2", GatewayInfo: &routers.GatewayInfo{
				NetworkID: ext.ID, EnableSNAT: ptr(false),
				ExternalFixedIPs: []routers.ExternalFixedIP{{IPAddress: "172.24.10.150"}},
			}})
			gw := r.GatewayInfo
			if gw.EnableSNAT == nil || *gw.EnableSNAT || len(gw.ExternalFixedIPs) != 1 ||
				gw.ExternalFixedIPs[0] != (routers.ExternalFixedIP{IPAddress: "172.24.10.150", SubnetID: extSub.ID}) {
				t.Errorf("external_gateway_info = %+v; want enable_snat false and 172.24.10.150 on %s", gw, extSub.ID)
			}
			if p := gatewayPort(t, r.ID, ext.ID, extSub.ID); p.FixedIPs[0].IPAddress != "172.24.10.150" {
				t.Errorf("gateway port address %s, want 172.24.10.150", p.FixedIPs[0].IPAddress)
			}
			err := routers.Create(ctx(t), c, routers.CreateOpts{Name: "bad-ip", GatewayInfo: &routers.GatewayInfo{
				NetworkID: ext.ID, ExternalFixedIPs: []routers.ExternalFixedIP{{IPAddress: "172.24.10.150"}},
			}}).Err
			wantErrorMentions(t, err, 409, "IpAddressAlreadyAllocated", "172.24.10.150")
			if got := l3ListRouters(t, c, routers.ListOpts{Name: "bad-ip"}); len(got) != 0 {
				t.Errorf("a refused create left %d routers behind", len(got))
			}
		})

		t.Run("refused gateways on create", func(t *testing.T) {
			cases := []struct {
				name   string
				gw     routers.GatewayInfo
				status int
				typ    string
			}{
				{"non-external network", routers.GatewayInfo{NetworkID: internal.ID}, 400, "BadRequest"},
				{"missing network", routers.GatewayInfo{NetworkID: missingID}, 404, "NetworkNotFound"},
				{"address outside the network", routers.GatewayInfo{NetworkID: ext.ID, ExternalFixedIPs: []routers.ExternalFixedIP{{IPAddress: "10.99.0.1"}}}, 400, "InvalidIpForNetwork"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					err := routers.Create(ctx(t), c, routers.CreateOpts{Name: "refused", GatewayInfo: &tc.gw}).Err
					wantError(t, err, tc.status, tc.typ)
				})
			}
			if got := l3ListRouters(t, c, routers.ListOpts{Name: "refused"}); len(got) != 0 {
				t.Errorf("refused creates left %d routers behind", len(got))
			}
			// An external network without a subnet gives an address-less gateway port, as
			// Neutron's _create_router_gw_port does.
			bareRouter := l3CreateRouter(t, c, routers.CreateOpts{Name: "bare-gw", GatewayInfo: &routers.GatewayInfo{NetworkID: bare.ID}})
			if g := bareRouter.GatewayInfo; g.NetworkID != bare.ID || len(g.ExternalFixedIPs) != 0 {
				t.Errorf("gateway on the subnet-less network: %+v; want it with no addresses", g)
			}
			if got := listPorts(t, c, ports.ListOpts{NetworkID: bare.ID}); len(got) != 1 || len(got[0].FixedIPs) != 0 || got[0].DeviceID != bareRouter.ID {
				t.Errorf("ports on the subnet-less network: %+v; want the router's address-less gateway port", got)
			}
			must(t, routers.Delete(ctx(t), c, bareRouter.ID).ExtractErr())
			if got := listPorts(t, c, ports.ListOpts{NetworkID: bare.ID}); len(got) != 0 {
				t.Errorf("deleting the router left %d ports on the subnet-less network", len(got))
			}
			err := routers.Create(ctx(t), c, l3body{"router": map[string]any{"name": "refused",
				"external_gateway_info": map[string]any{"enable_snat": false}}}).Err
			wantError(t, err, 400, "HTTPBadRequest")
			err = routers.Create(ctx(t), c, l3body{"router": map[string]any{"name": "refused",
				"external_gateway_info": map[string]any{"network_id": ext.ID, "bogus": 1}}}).Err
			wantError(t, err, 400, "HTTPBadRequest")
		})

		t.Run("set, toggle SNAT, move and clear the gateway", func(t *testing.T) {
			r := l3CreateRouter(t, c, routers.CreateOpts{Name: "r3"})
			rev := r.RevisionNumber

			err := routers.Update(ctx(t), c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{NetworkID: internal.ID}}).Err
			wantError(t, err, 400, "BadRequest")
			err = routers.Update(ctx(t), c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{NetworkID: missingID}}).Err
			wantError(t, err, 404, "NetworkNotFound")
			if raw := l3RawRouter(t, c, r.ID); raw["external_gateway_info"] != nil {
				t.Errorf("refused updates set external_gateway_info to %v", raw["external_gateway_info"])
			}

			u := l3UpdateRouter(t, c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{NetworkID: ext.ID}})
			if u.GatewayInfo.NetworkID != ext.ID || u.GatewayInfo.EnableSNAT == nil || !*u.GatewayInfo.EnableSNAT || len(u.GatewayInfo.ExternalFixedIPs) != 1 {
				t.Fatalf("after setting the gateway: %+v", u.GatewayInfo)
			}
			if u.RevisionNumber <= rev {
				t.Errorf("revision_number %d did not grow from %d", u.RevisionNumber, rev)
			}
			addr := u.GatewayInfo.ExternalFixedIPs[0]
			gp := gatewayPort(t, r.ID, ext.ID, extSub.ID)

			// enable_snat toggles; the gateway port and its address stay.
			u = l3UpdateRouter(t, c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{NetworkID: ext.ID, EnableSNAT: ptr(false)}})
			if u.GatewayInfo.EnableSNAT == nil || *u.GatewayInfo.EnableSNAT || len(u.GatewayInfo.ExternalFixedIPs) != 1 || u.GatewayInfo.ExternalFixedIPs[0] != addr {
				t.Errorf("after enable_snat=false: %+v; want SNAT off and the address %+v kept", u.GatewayInfo, addr)
			}
			if g := l3GetRouter(t, c, r.ID).GatewayInfo; g.EnableSNAT == nil || *g.EnableSNAT {
				t.Errorf("show after enable_snat=false: %+v", g)
			}
			u = l3UpdateRouter(t, c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{NetworkID: ext.ID, EnableSNAT: ptr(true)}})
			if u.GatewayInfo.EnableSNAT == nil || !*u.GatewayInfo.EnableSNAT {
				t.Errorf("after enable_snat=true: %+v", u.GatewayInfo)
			}
			if p := gatewayPort(t, r.ID, ext.ID, extSub.ID); p.ID != gp.ID || p.FixedIPs[0] != gp.FixedIPs[0] {
				t.Errorf("toggling SNAT replaced the gateway port %s (%v) by %s (%v)", gp.ID, gp.FixedIPs, p.ID, p.FixedIPs)
			}

			// A set gateway's addresses cannot change (gateway ports cannot change IPs).
			err = routers.Update(ctx(t), c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{
				NetworkID: ext.ID, ExternalFixedIPs: []routers.ExternalFixedIP{{IPAddress: "172.24.10.151"}},
			}}).Err
			wantError(t, err, 409, "UnsupportedPortDeviceOwner")
			if g := l3GetRouter(t, c, r.ID).GatewayInfo; len(g.ExternalFixedIPs) != 1 || g.ExternalFixedIPs[0] != addr {
				t.Errorf("a refused external_fixed_ips change left %+v, want %+v", g.ExternalFixedIPs, addr)
			}
			// Restating the same address is not a change.
			u = l3UpdateRouter(t, c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{
				NetworkID: ext.ID, ExternalFixedIPs: []routers.ExternalFixedIP{addr},
			}})
			if len(u.GatewayInfo.ExternalFixedIPs) != 1 || u.GatewayInfo.ExternalFixedIPs[0] != addr {
				t.Errorf("restating the gateway address gave %+v", u.GatewayInfo.ExternalFixedIPs)
			}

			// Moving to another external network replaces the gateway port.
			u = l3UpdateRouter(t, c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{NetworkID: ext2.ID}})
			if u.GatewayInfo.NetworkID != ext2.ID || len(u.GatewayInfo.ExternalFixedIPs) != 1 || u.GatewayInfo.ExternalFixedIPs[0].SubnetID != ext2Sub.ID {
				t.Errorf("after moving the gateway: %+v; want an address on %s", u.GatewayInfo, ext2Sub.ID)
			}
			gatewayPort(t, r.ID, ext2.ID, ext2Sub.ID)
			wantError(t, ports.Get(ctx(t), c, gp.ID).Err, 404, "PortNotFound")
			// The old gateway address is free again.
			createPort(t, c, ports.CreateOpts{NetworkID: ext.ID, FixedIPs: []ports.IP{{IPAddress: addr.IPAddress}}})

			// external_gateway_info {} clears the gateway and removes the port.
			moved := l3DevicePorts(t, c, r.ID, "network:router_gateway")[0]
			u = l3UpdateRouter(t, c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{}})
			if u.GatewayInfo.NetworkID != "" {
				t.Errorf("after clearing: external_gateway_info %+v", u.GatewayInfo)
			}
			if raw := l3RawRouter(t, c, r.ID); raw["external_gateway_info"] != nil {
				t.Errorf("show after clearing: external_gateway_info = %v, want null", raw["external_gateway_info"])
			}
			if ps := l3DevicePorts(t, c, r.ID, ""); len(ps) != 0 {
				t.Errorf("after clearing the gateway the router still has %d ports", len(ps))
			}
			wantError(t, ports.Get(ctx(t), c, moved.ID).Err, 404, "PortNotFound")
			// Clearing again is harmless; so is null.
			l3UpdateRouter(t, c, r.ID, l3update{l3body{"router": map[string]any{"external_gateway_info": nil}}})
			l3UpdateRouter(t, c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{}})
		})

		t.Run("external network in use by a gateway", func(t *testing.T) {
			n, _ := l3ExternalNetwork(t, c, "rt-ext-held", "172.24.12.0/24", "", "")
			r := l3CreateRouter(t, c, routers.CreateOpts{Name: "r-held", GatewayInfo: &routers.GatewayInfo{NetworkID: n.ID}})
			wantErrorMentions(t, networks.Delete(ctx(t), c, n.ID).ExtractErr(), 409, "NetworkInUse", n.ID)
			must(t, routers.Delete(ctx(t), c, r.ID).ExtractErr())
			must(t, networks.Delete(ctx(t), c, n.ID).ExtractErr())
		})

		t.Run("show, list, update, delete", func(t *testing.T) {
			r := l3CreateRouter(t, c, routers.CreateOpts{Name: "r4", GatewayInfo: &routers.GatewayInfo{NetworkID: ext.ID}})
			gp := l3DevicePorts(t, c, r.ID, "network:router_gateway")
			got := l3ListRouters(t, c, routers.ListOpts{Name: "r4"})
			if len(got) != 1 || got[0].ID != r.ID || got[0].GatewayInfo.NetworkID != ext.ID {
				t.Errorf("list name=r4 gave %+v", got)
			}
			u := l3UpdateRouter(t, c, r.ID, routers.UpdateOpts{Name: "r4-renamed", AdminStateUp: ptr(false), Description: ptr("d")})
			if u.Name != "r4-renamed" || u.AdminStateUp || u.Description != "d" || u.GatewayInfo.NetworkID != ext.ID {
				t.Errorf("after update: %+v", u)
			}
			wantError(t, routers.Update(ctx(t), c, r.ID, l3update{l3body{"router": map[string]any{"status": "DOWN"}}}).Err, 400, "HTTPBadRequest")
			wantError(t, routers.Create(ctx(t), c, l3body{"router": map[string]any{"name": "x", "routes": []any{}}}).Err, 400, "HTTPBadRequest")

			must(t, routers.Delete(ctx(t), c, r.ID).ExtractErr())
			wantErrorMentions(t, routers.Get(ctx(t), c, r.ID).Err, 404, "RouterNotFound", r.ID)
			wantError(t, routers.Delete(ctx(t), c, r.ID).ExtractErr(), 404, "RouterNotFound")
			wantError(t, routers.Update(ctx(t), c, missingID, routers.UpdateOpts{Name: "x"}).Err, 404, "RouterNotFound")
			if len(gp) == 1 {
				wantError(t, ports.Get(ctx(t), c, gp[0].ID).Err, 404, "PortNotFound")
			}
			if ps := l3DevicePorts(t, c, r.ID, ""); len(ps) != 0 {
				t.Errorf("the deleted router left %d ports", len(ps))
			}
		})
	})
}
