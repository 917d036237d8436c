package integration

import (
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// TestL3RouterInterfaces covers add_router_interface and
// remove_router_interface, by subnet and by port, their answers, their
// refusals, and what an interface holds in place (router, subnet, network,
// port).
func TestL3RouterInterfaces(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-l3-if"
		c := e.admin(project)
		n1, s1 := newNetwork(t, c, "if-n1", "10.40.1.0/24")
		n2, s2 := newNetwork(t, c, "if-n2", "10.40.2.0/24")
		s3 := createSubnet(t, c, subnets.CreateOpts{NetworkID: n2.ID, CIDR: "10.40.3.0/24", IPVersion: gophercloud.IPv4,
			Name: "if-nogw", GatewayIP: ptr("")})
		if s3.GatewayIP != "" {
			t.Fatalf("subnet created with gateway_ip null has gateway_ip %q", s3.GatewayIP)
		}
		_, s4 := newNetwork(t, c, "if-n4", "10.40.1.0/25") // overlaps s1
		r1 := l3CreateRouter(t, c, routers.CreateOpts{Name: "if-r1"})
		r2 := l3CreateRouter(t, c, routers.CreateOpts{Name: "if-r2"})
		rp := createPort(t, c, ports.CreateOpts{NetworkID: n2.ID, Name: "rport", FixedIPs: []ports.IP{{SubnetID: s2.ID, IPAddress: "10.40.2.50"}}})

		var bySubnet l3IfaceInfo
		t.Run("add by subnet", func(t *testing.T) {
			out, status, err := l3Put(t, c, "routers/"+r1.ID+"/add_router_interface", map[string]any{"subnet_id": s1.ID}, 200)
			must(t, err)
			if status != 200 {
				t.Errorf("status %d, want 200", status)
			}
			want := []string{"id", "network_id", "port_id", "subnet_id", "subnet_ids", "tenant_id"}
			if got := l3Keys(out); !sameSet(got, want) || len(got) != len(want) {
				t.Errorf("answer keys %v, want exactly %v", got, want)
			}
			bySubnet = l3IfaceInfo{ID: l3Str(out["id"]), TenantID: l3Str(out["tenant_id"]), PortID: l3Str(out["port_id"]),
				SubnetID: l3Str(out["subnet_id"]), NetworkID: l3Str(out["network_id"])}
			if ids, ok := out["subnet_ids"].([]any); ok && len(ids) == 1 {
				bySubnet.SubnetIDs = []string{l3Str(ids[0])}
			}
			if bySubnet.ID != r1.ID || bySubnet.TenantID != project || bySubnet.SubnetID != s1.ID || bySubnet.NetworkID != n1.ID ||
				len(bySubnet.SubnetIDs) != 1 || bySubnet.SubnetIDs[0] != s1.ID || !uuidRE.MatchString(bySubnet.PortID) {
				t.Fatalf("answer %+v; want router %s, tenant %s, subnet %s, network %s, a new port", bySubnet, r1.ID, project, s1.ID, n1.ID)
			}
			p := showPort(t, c, bySubnet.PortID)
			if p.DeviceOwner != "network:router_interface" || p.DeviceID != r1.ID || p.NetworkID != n1.ID ||
				len(p.FixedIPs) != 1 || p.FixedIPs[0] != (ports.IP{SubnetID: s1.ID, IPAddress: "10.40.1.1"}) {
				t.Errorf("interface port: owner %q device %q network %s fixed_ips %v; want the router's, on the subnet's gateway 10.40.1.1",
					p.DeviceOwner, p.DeviceID, p.NetworkID, p.FixedIPs)
			}
			if p.ProjectID != project {
				t.Errorf("interface port project %q, want the router's %q", p.ProjectID, project)
			}
		})
		if bySubnet.PortID == "" {
			t.Fatal("no interface to continue with")
		}

		t.Run("add by port", func(t *testing.T) {
			info := l3AddInterface(t, c, r1.ID, routers.AddInterfaceOpts{PortID: rp.ID})
			want := l3IfaceInfo{ID: r1.ID, TenantID: project, PortID: rp.ID, SubnetID: s2.ID, SubnetIDs: []string{s2.ID}, NetworkID: n2.ID}
			if info.ID != want.ID || info.TenantID != want.TenantID || info.PortID != want.PortID || info.SubnetID != want.SubnetID ||
				info.NetworkID != want.NetworkID || len(info.SubnetIDs) != 1 || info.SubnetIDs[0] != s2.ID {
				t.Errorf("answer %+v, want %+v", info, want)
			}
			p := showPort(t, c, rp.ID)
			if p.DeviceOwner != "network:router_interface" || p.DeviceID != r1.ID ||
				len(p.FixedIPs) != 1 || p.FixedIPs[0].IPAddress != "10.40.2.50" {
				t.Errorf("attached port: owner %q device %q fixed_ips %v; want the router's, keeping 10.40.2.50", p.DeviceOwner, p.DeviceID, p.FixedIPs)
			}
			got := l3DevicePorts(t, c, r1.ID, "network:router_interface")
			if len(got) != 2 {
				t.Errorf("router has %d interface ports, want 2", len(got))
			}
		})

		t.Run("refused additions", func(t *testing.T) {
			bound := createPort(t, c, ports.CreateOpts{NetworkID: n2.ID, Name: "vm", DeviceID: "vm-1", DeviceOwner: "compute:nova"})
			noIP := createPort(t, c, ports.CreateOpts{NetworkID: n2.ID, Name: "no-ip", FixedIPs: []ports.IP{}})
			cases := []struct {
				name   string
				router string
				body   l3body
				status int
				typ    string
			}{
				{"the same subnet again", r1.ID, l3body{"subnet_id": s1.ID}, 400, "BadRequest"},
				{"a subnet without gateway_ip", r1.ID, l3body{"subnet_id": s3.ID}, 400, "BadRequest"},
				{"a subnet overlapping an attached one", r1.ID, l3body{"subnet_id": s4.ID}, 400, "BadRequest"},
				{"a port of another router", r2.ID, l3body{"port_id": rp.ID}, 409, "PortInUse"},
				{"a port bound to a VM", r2.ID, l3body{"port_id": bound.ID}, 409, "PortInUse"},
				{"a port without an address", r2.ID, l3body{"port_id": noIP.ID}, 400, "BadRequest"},
				{"both subnet_id and port_id", r2.ID, l3body{"subnet_id": s2.ID, "port_id": rp.ID}, 400, "BadRequest"},
				{"neither subnet_id nor port_id", r2.ID, l3body{}, 400, "BadRequest"},
				{"a missing subnet", r2.ID, l3body{"subnet_id": missingID}, 404, "SubnetNotFound"},
				{"a missing port", r2.ID, l3body{"port_id": missingID}, 404, "PortNotFound"},
				{"a malformed subnet_id", r2.ID, l3body{"subnet_id": "not-a-uuid"}, 400, ""},
				{"a missing router", missingID, l3body{"subnet_id": s2.ID}, 404, "RouterNotFound"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					wantError(t, routers.AddInterface(ctx(t), c, tc.router, tc.body).Err, tc.status, tc.typ)
				})
			}
			if got := l3DevicePorts(t, c, r2.ID, ""); len(got) != 0 {
				t.Errorf("refused additions gave r2 %d ports", len(got))
			}
			if got := l3DevicePorts(t, c, r1.ID, "network:router_interface"); len(got) != 2 {
				t.Errorf("refused additions left r1 with %d interface ports, want 2", len(got))
			}
			if p := showPort(t, c, bound.ID); p.DeviceID != "vm-1" || p.DeviceOwner != "compute:nova" {
				t.Errorf("the VM's port became %q/%q", p.DeviceOwner, p.DeviceID)
			}
		})

		t.Run("an interface holds router, subnet, network and port", func(t *testing.T) {
			wantErrorMentions(t, routers.Delete(ctx(t), c, r1.ID).ExtractErr(), 409, "RouterInUse", r1.ID)
			wantErrorMentions(t, subnets.Delete(ctx(t), c, s1.ID).ExtractErr(), 409, "SubnetInUse", s1.ID)
			wantErrorMentions(t, networks.Delete(ctx(t), c, n1.ID).ExtractErr(), 409, "NetworkInUse", n1.ID)
			wantErrorMentions(t, ports.Delete(ctx(t), c, bySubnet.PortID).ExtractErr(), 409, "ServicePortInUse", bySubnet.PortID)
			wantError(t, ports.Delete(ctx(t), c, rp.ID).ExtractErr(), 409, "ServicePortInUse")
			l3GetRouter(t, c, r1.ID)
			showPort(t, c, bySubnet.PortID)
		})

		t.Run("refused removals", func(t *testing.T) {
			cases := []struct {
				name   string
				router string
				body   l3body
				status int
				typ    string
			}{
				{"a subnet the router is not on", r2.ID, l3body{"subnet_id": s1.ID}, 404, "RouterInterfaceNotFoundForSubnet"},
				{"a port that is not the router's", r2.ID, l3body{"port_id": rp.ID}, 404, "RouterInterfaceNotFound"},
				{"neither subnet_id nor port_id", r1.ID, l3body{}, 400, "BadRequest"},
				{"a missing router", missingID, l3body{"subnet_id": s1.ID}, 404, "RouterNotFound"},
				{"a port with a subnet it does not have", r1.ID, l3body{"port_id": rp.ID, "subnet_id": s1.ID}, 400, "SubnetMismatchForPort"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					wantError(t, routers.RemoveInterface(ctx(t), c, tc.router, tc.body).Err, tc.status, tc.typ)
				})
			}
			if got := l3DevicePorts(t, c, r1.ID, "network:router_interface"); len(got) != 2 {
				t.Errorf("refused removals left r1 with %d interface ports, want 2", len(got))
			}
		})

		t.Run("remove by subnet", func(t *testing.T) {
			out, _, err := l3Put(t, c, "routers/"+r1.ID+"/remove_router_interface", map[string]any{"subnet_id": s1.ID}, 200)
			must(t, err)
			want := []string{"id", "network_id", "port_id", "subnet_id", "subnet_ids", "tenant_id"}
			if got := l3Keys(out); !sameSet(got, want) || len(got) != len(want) {
				t.Errorf("answer keys %v, want exactly %v", got, want)
			}
			if l3Str(out["id"]) != r1.ID || l3Str(out["port_id"]) != bySubnet.PortID || l3Str(out["subnet_id"]) != s1.ID ||
				l3Str(out["network_id"]) != n1.ID || l3Str(out["tenant_id"]) != project {
				t.Errorf("answer %v; want router %s, port %s, subnet %s, network %s", out, r1.ID, bySubnet.PortID, s1.ID, n1.ID)
			}
			wantError(t, ports.Get(ctx(t), c, bySubnet.PortID).Err, 404, "PortNotFound")
			err = routers.RemoveInterface(ctx(t), c, r1.ID, routers.RemoveInterfaceOpts{SubnetID: s1.ID}).Err
			wantErrorMentions(t, err, 404, "RouterInterfaceNotFoundForSubnet", s1.ID)
			// The gateway address is free: the subnet can be attached again, and removed by port.
			again := l3AddInterface(t, c, r1.ID, routers.AddInterfaceOpts{SubnetID: s1.ID})
			info := l3RemoveInterface(t, c, r1.ID, routers.RemoveInterfaceOpts{PortID: again.PortID, SubnetID: s1.ID})
			if info.PortID != again.PortID || info.SubnetID != s1.ID {
				t.Errorf("remove by port and subnet answered %+v", info)
			}
		})

		t.Run("remove by port", func(t *testing.T) {
			info := l3RemoveInterface(t, c, r1.ID, routers.RemoveInterfaceOpts{PortID: rp.ID})
			if info.ID != r1.ID || info.PortID != rp.ID || info.SubnetID != s2.ID || info.NetworkID != n2.ID ||
				len(info.SubnetIDs) != 1 || info.SubnetIDs[0] != s2.ID || info.TenantID != project {
				t.Errorf("answer %+v", info)
			}
			// Neutron deletes the port, even one the user made and attached.
			wantError(t, ports.Get(ctx(t), c, rp.ID).Err, 404, "PortNotFound")
			err := routers.RemoveInterface(ctx(t), c, r1.ID, routers.RemoveInterfaceOpts{PortID: rp.ID}).Err
			wantErrorMentions(t, err, 404, "RouterInterfaceNotFound", rp.ID)
			createPort(t, c, ports.CreateOpts{NetworkID: n2.ID, FixedIPs: []ports.IP{{IPAddress: "10.40.2.50"}}})
		})

		t.Run("released", func(t *testing.T) {
			if got := l3DevicePorts(t, c, r1.ID, ""); len(got) != 0 {
				t.Errorf("r1 still has %d ports", len(got))
			}
			must(t, subnets.Delete(ctx(t), c, s1.ID).ExtractErr())
			must(t, networks.Delete(ctx(t), c, n1.ID).ExtractErr())
			must(t, routers.Delete(ctx(t), c, r1.ID).ExtractErr())
		})
	})
}
