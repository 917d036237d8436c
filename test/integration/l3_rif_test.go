package integration

import (
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// TestL3RouterInterfaceFIP builds the topology of the router-interface-fip
// spec (seed 8.2.5) at API level:
//
//	network4 (external) ── gateway port ── router ── interface ── network3 (external)
//	                                         │  │                      │
//	                         network1 ───────┘  └─────── network2     VM-Z
//	                          VM-X                        VM-Y
//
// floating-ip-A is on network4 (reached through the gateway), floating-ip-B
// on network3 (reached through an ordinary interface); both go to fixed-ip-X.
func TestL3RouterInterfaceFIP(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-l3-rif"
		c := e.admin(project)
		net4, sub4 := l3ExternalNetwork(t, c, "network4", "172.24.40.0/24", "172.24.40.10", "172.24.40.99")
		net3, sub3 := l3ExternalNetwork(t, c, "network3", "172.24.30.0/24", "172.24.30.10", "172.24.30.99")
		net1, sub1 := newNetwork(t, c, "network1", "10.60.1.0/24")
		net2, sub2 := newNetwork(t, c, "network2", "10.60.2.0/24")
		r := l3CreateRouter(t, c, routers.CreateOpts{Name: "rif-r", GatewayInfo: &routers.GatewayInfo{NetworkID: net4.ID}})
		rif3 := l3AddInterface(t, c, r.ID, routers.AddInterfaceOpts{SubnetID: sub3.ID})
		if rif3.NetworkID != net3.ID {
			t.Fatalf("interface on network3: %+v", rif3)
		}
		l3AddInterface(t, c, r.ID, routers.AddInterfaceOpts{SubnetID: sub1.ID})
		l3AddInterface(t, c, r.ID, routers.AddInterfaceOpts{SubnetID: sub2.ID})
		x := createPort(t, c, ports.CreateOpts{NetworkID: net1.ID, Name: "vm-x", DeviceOwner: "compute:nova", DeviceID: "vm-x"})
		y := createPort(t, c, ports.CreateOpts{NetworkID: net2.ID, Name: "vm-y", DeviceOwner: "compute:nova", DeviceID: "vm-y"})
		z := createPort(t, c, ports.CreateOpts{NetworkID: net3.ID, Name: "vm-z", DeviceOwner: "compute:nova", DeviceID: "vm-z"})
		fixedX := x.FixedIPs[0].IPAddress

		var fipA, fipB floatingips.FloatingIP
		t.Run("floating-ip-B through the interface", func(t *testing.T) {
			fipB = l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: net3.ID, Description: "floating-ip-B"})
			if !inRange(fipB.FloatingIP, "172.24.30.10", "172.24.30.99") || fipB.Status != "DOWN" {
				t.Errorf("floating-ip-B %+v; want an address of network3, DOWN", fipB)
			}
			fipB = l3UpdateFIP(t, c, fipB.ID, floatingips.UpdateOpts{PortID: &x.ID})
			if fipB.PortID != x.ID || fipB.FixedIP != fixedX || fipB.RouterID != r.ID || fipB.Status != "ACTIVE" {
				t.Errorf("floating-ip-B associated: port %q fixed %q router %q status %q; want %s, %s, %s, ACTIVE",
					fipB.PortID, fipB.FixedIP, fipB.RouterID, fipB.Status, x.ID, fixedX, r.ID)
			}
		})

		t.Run("floating-ip-A through the gateway, on the same fixed IP", func(t *testing.T) {
			fipA = l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: net4.ID, PortID: x.ID, Description: "floating-ip-A"})
			if !l3InCIDR(fipA.FloatingIP, sub4.CIDR) || fipA.PortID != x.ID || fipA.FixedIP != fixedX || fipA.RouterID != r.ID || fipA.Status != "ACTIVE" {
				t.Errorf("floating-ip-A %+v; want an address of network4 on %s via %s, ACTIVE", fipA, fixedX, r.ID)
			}
			got := l3ListFIPs(t, c, floatingips.ListOpts{PortID: x.ID})
			if len(got) != 2 {
				t.Fatalf("fixed-ip-X has %d floating IPs, want A and B", len(got))
			}
			for _, f := range got {
				if f.FixedIP != fixedX || f.RouterID != r.ID {
					t.Errorf("floating IP %s: fixed %q router %q", f.FloatingIP, f.FixedIP, f.RouterID)
				}
			}
			// One floating IP per fixed IP and floating network.
			err := floatingips.Create(ctx(t), c, floatingips.CreateOpts{FloatingNetworkID: net3.ID, PortID: x.ID}).Err
			wantError(t, err, 409, "FloatingIPPortAlreadyAssociated")
			err = floatingips.Create(ctx(t), c, floatingips.CreateOpts{FloatingNetworkID: net4.ID, PortID: x.ID}).Err
			wantError(t, err, 409, "FloatingIPPortAlreadyAssociated")
			for _, p := range []string{y.ID, z.ID} {
				if got := l3ListFIPs(t, c, floatingips.ListOpts{PortID: p}); len(got) != 0 {
					t.Errorf("port %s has %d floating IPs, want none", p, len(got))
				}
			}
			// VM-Y (network2, behind the same router) could have one from either network.
			fy := l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: net3.ID, PortID: y.ID})
			if fy.RouterID != r.ID || fy.Status != "ACTIVE" {
				t.Errorf("floating IP of network3 for VM-Y: %+v", fy)
			}
			must(t, floatingips.Delete(ctx(t), c, fy.ID).ExtractErr())
		})

		t.Run("the interface holds floating-ip-B", func(t *testing.T) {
			err := routers.RemoveInterface(ctx(t), c, r.ID, routers.RemoveInterfaceOpts{SubnetID: sub3.ID}).Err
			wantErrorMentions(t, err, 409, "RouterInterfaceInUseAsGatewayByFloatingIP", sub3.ID, r.ID)
			err = routers.RemoveInterface(ctx(t), c, r.ID, routers.RemoveInterfaceOpts{PortID: rif3.PortID}).Err
			wantError(t, err, 409, "RouterInterfaceInUseAsGatewayByFloatingIP")
			// X's own interface is held by both floating IPs (the upstream rule).
			err = routers.RemoveInterface(ctx(t), c, r.ID, routers.RemoveInterfaceOpts{SubnetID: sub1.ID}).Err
			wantError(t, err, 409, "RouterInterfaceInUseByFloatingIP")
			// network2's interface holds nothing: it can go and come back.
			l3RemoveInterface(t, c, r.ID, routers.RemoveInterfaceOpts{SubnetID: sub2.ID})
			l3AddInterface(t, c, r.ID, routers.AddInterfaceOpts{SubnetID: sub2.ID})
			wantError(t, networks.Delete(ctx(t), c, net3.ID).ExtractErr(), 409, "NetworkInUse")
		})

		t.Run("only floating-ip-A holds the gateway", func(t *testing.T) {
			err := routers.Update(ctx(t), c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{}}).Err
			wantErrorMentions(t, err, 409, "RouterExternalGatewayInUseByFloatingIp", r.ID, net4.ID)
			a := l3UpdateFIP(t, c, fipA.ID, floatingips.UpdateOpts{PortID: new(string)})
			if a.PortID != "" || a.RouterID != "" || a.Status != "DOWN" {
				t.Errorf("floating-ip-A dissociated: %+v", a)
			}
			u := l3UpdateRouter(t, c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{}})
			if u.GatewayInfo.NetworkID != "" {
				t.Errorf("gateway not cleared: %+v", u.GatewayInfo)
			}
			if got := l3DevicePorts(t, c, r.ID, "network:router_gateway"); len(got) != 0 {
				t.Errorf("%d gateway ports left", len(got))
			}
			b := l3GetFIP(t, c, fipB.ID)
			if b.PortID != x.ID || b.FixedIP != fixedX || b.RouterID != r.ID || b.Status != "ACTIVE" {
				t.Errorf("floating-ip-B after the gateway went: %+v; want it still on %s via %s", b, fixedX, r.ID)
			}
			// Without the gateway, network4 is out of reach; network3 still is.
			err = floatingips.Update(ctx(t), c, fipA.ID, floatingips.UpdateOpts{PortID: &x.ID}).Err
			wantError(t, err, 404, "ExternalGatewayForFloatingIPNotFound")
			fy := l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: net3.ID, PortID: y.ID})
			if fy.RouterID != r.ID {
				t.Errorf("network3 floating IP for VM-Y without a gateway: %+v", fy)
			}
			must(t, floatingips.Delete(ctx(t), c, fy.ID).ExtractErr())
		})

		t.Run("another router's gateway on network3 is not held by floating-ip-B", func(t *testing.T) {
			// A second router with its gateway on network3 does not carry B (B went
			// through the interface of the first router), so its gateway can go.
			r2 := l3CreateRouter(t, c, routers.CreateOpts{Name: "rif-r2", GatewayInfo: &routers.GatewayInfo{NetworkID: net3.ID}})
			l3UpdateRouter(t, c, r2.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{}})
			must(t, routers.Delete(ctx(t), c, r2.ID).ExtractErr())
		})

		t.Run("dissociated, the interface can go", func(t *testing.T) {
			l3UpdateFIP(t, c, fipB.ID, floatingips.UpdateOpts{PortID: new(string)})
			info := l3RemoveInterface(t, c, r.ID, routers.RemoveInterfaceOpts{SubnetID: sub3.ID})
			if info.PortID != rif3.PortID || info.NetworkID != net3.ID {
				t.Errorf("removed %+v, want the network3 interface %s", info, rif3.PortID)
			}
			err := floatingips.Update(ctx(t), c, fipB.ID, floatingips.UpdateOpts{PortID: &x.ID}).Err
			wantError(t, err, 404, "ExternalGatewayForFloatingIPNotFound")
		})

		t.Run("the router whose interface is the subnet's gateway wins", func(t *testing.T) {
			// Two routers reach network3 from network1: r (interface on the gateway
			// address 10.60.1.1) and r3 (an interface on another address: allocated, since
			// a fixed one could collide with an address an earlier port drew at random).
			l3AddInterface(t, c, r.ID, routers.AddInterfaceOpts{SubnetID: sub3.ID})
			r3 := l3CreateRouter(t, c, routers.CreateOpts{Name: "rif-r3"})
			other := createPort(t, c, ports.CreateOpts{NetworkID: net1.ID, FixedIPs: []ports.IP{{SubnetID: sub1.ID}}})
			l3AddInterface(t, c, r3.ID, routers.AddInterfaceOpts{PortID: other.ID})
			sub3b := createSubnet(t, c, subnets.CreateOpts{NetworkID: net3.ID, CIDR: "172.24.31.0/24", IPVersion: gophercloud.IPv4})
			l3AddInterface(t, c, r3.ID, routers.AddInterfaceOpts{SubnetID: sub3b.ID})
			f := l3UpdateFIP(t, c, fipB.ID, floatingips.UpdateOpts{PortID: &x.ID})
			if f.RouterID != r.ID {
				t.Errorf("router_id %s, want %s (its interface holds 10.60.1.1, the subnet's gateway)", f.RouterID, r.ID)
			}
		})
	})
}
