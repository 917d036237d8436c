package integration

import (
	"net/netip"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// l3Is6 reports whether s is an IPv6 address.
func l3Is6(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6() && !a.Is4In6()
}

// TestL3FIP64 covers fip64: an IPv6 floating IP (from an IPv6 subnet of the
// external network) associated with a port's IPv4 fixed IP.
func TestL3FIP64(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-l3-fip64"
		c := e.admin(project)
		ext, ext4 := l3ExternalNetwork(t, c, "f64-ext", "172.24.50.0/24", "", "")
		ext6 := createSubnet(t, c, subnets.CreateOpts{NetworkID: ext.ID, CIDR: "2001:db8:50::/64", IPVersion: gophercloud.IPv6, Name: "f64-ext-v6"})
		n1, s1 := newNetwork(t, c, "f64-n1", "10.70.1.0/24")
		r := l3CreateRouter(t, c, routers.CreateOpts{Name: "f64-r", GatewayInfo: &routers.GatewayInfo{NetworkID: ext.ID}})
		l3AddInterface(t, c, r.ID, routers.AddInterfaceOpts{SubnetID: s1.ID})
		x := createPort(t, c, ports.CreateOpts{NetworkID: n1.ID, Name: "x", FixedIPs: []ports.IP{{IPAddress: "10.70.1.10"}}})
		x2 := createPort(t, c, ports.CreateOpts{NetworkID: n1.ID, Name: "x2", FixedIPs: []ports.IP{{IPAddress: "10.70.1.11"}}})

		t.Run("the default is IPv4", func(t *testing.T) {
			f := l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: ext.ID})
			if !l3InCIDR(f.FloatingIP, ext4.CIDR) {
				t.Errorf("floating_ip_address %q, want an IPv4 address of %s when the network has both", f.FloatingIP, ext4.CIDR)
			}
			must(t, floatingips.Delete(ctx(t), c, f.ID).ExtractErr())
		})

		t.Run("IPv6 subnet_id with a port", func(t *testing.T) {
			f := l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, SubnetID: ext6.ID, PortID: x.ID})
			if !l3Is6(f.FloatingIP) || !l3InCIDR(f.FloatingIP, ext6.CIDR) {
				t.Errorf("floating_ip_address %q, want an IPv6 address of %s", f.FloatingIP, ext6.CIDR)
			}
			if f.PortID != x.ID || f.FixedIP != "10.70.1.10" || f.RouterID != r.ID || f.Status != "ACTIVE" {
				t.Errorf("port %q fixed %q router %q status %q; want %s, 10.70.1.10, %s, ACTIVE", f.PortID, f.FixedIP, f.RouterID, f.Status, x.ID, r.ID)
			}
			fp := l3DevicePorts(t, c, f.ID, "network:floatingip")
			if len(fp) != 1 || len(fp[0].FixedIPs) != 1 || fp[0].FixedIPs[0] != (ports.IP{SubnetID: ext6.ID, IPAddress: f.FloatingIP}) {
				t.Errorf("floating IP port %+v; want one address %s on %s", fp, f.FloatingIP, ext6.ID)
			}
			if g := l3GetFIP(t, c, f.ID); g.FloatingIP != f.FloatingIP || g.FixedIP != "10.70.1.10" {
				t.Errorf("show: %+v", g)
			}
			// One floating IP per fixed IP and floating network, whatever its IP version.
			err := floatingips.Create(ctx(t), c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, PortID: x.ID}).Err
			wantError(t, err, 409, "FloatingIPPortAlreadyAssociated")
		})

		t.Run("IPv6 floating_ip_address, then associate", func(t *testing.T) {
			f := l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, FloatingIP: "2001:db8:50::99"})
			if !sameIP(f.FloatingIP, "2001:db8:50::99") || f.Status != "DOWN" || f.PortID != "" {
				t.Errorf("floating IP %+v; want 2001:db8:50::99, DOWN, not associated", f)
			}
			u := l3UpdateFIP(t, c, f.ID, floatingips.UpdateOpts{PortID: &x2.ID})
			if !sameIP(u.FloatingIP, "2001:db8:50::99") || u.FixedIP != "10.70.1.11" || u.RouterID != r.ID || u.Status != "ACTIVE" {
				t.Errorf("after associating: %+v; want 2001:db8:50::99 on 10.70.1.11 via %s, ACTIVE", u, r.ID)
			}
			err := floatingips.Create(ctx(t), c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, FloatingIP: "2001:db8:50::99"}).Err
			wantError(t, err, 409, "IpAddressAlreadyAllocated")
			err = floatingips.Create(ctx(t), c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, FloatingIP: "2001:db8:99::1"}).Err
			wantError(t, err, 400, "InvalidIpForNetwork")
		})

		t.Run("the fixed IP must be IPv4", func(t *testing.T) {
			dual := createSubnet(t, c, subnets.CreateOpts{NetworkID: n1.ID, CIDR: "2001:db8:71::/64", IPVersion: gophercloud.IPv6, Name: "f64-n1-v6"})
			p := createPort(t, c, ports.CreateOpts{NetworkID: n1.ID, Name: "dual", FixedIPs: []ports.IP{{SubnetID: s1.ID}, {SubnetID: dual.ID}}})
			var v6 string
			for _, ip := range p.FixedIPs {
				if l3Is6(ip.IPAddress) {
					v6 = ip.IPAddress
				}
			}
			if v6 == "" {
				t.Fatalf("dual-stack port has no IPv6 address: %v", p.FixedIPs)
			}
			err := floatingips.Create(ctx(t), c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, SubnetID: ext6.ID, PortID: p.ID, FixedIP: v6}).Err
			wantError(t, err, 400, "BadRequest")
			// Without fixed_ip_address the port's one IPv4 address is taken.
			f := l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, SubnetID: ext6.ID, PortID: p.ID})
			if !l3Is6(f.FloatingIP) || f.FixedIP == v6 || !l3InCIDR(f.FixedIP, s1.CIDR) {
				t.Errorf("floating IP %s on fixed IP %s; want an IPv6 floating IP on the port's IPv4 address", f.FloatingIP, f.FixedIP)
			}

			n6 := createNetwork(t, c, networks.CreateOpts{Name: "f64-v6only"})
			s6 := createSubnet(t, c, subnets.CreateOpts{NetworkID: n6.ID, CIDR: "2001:db8:72::/64", IPVersion: gophercloud.IPv6})
			l3AddInterface(t, c, r.ID, routers.AddInterfaceOpts{SubnetID: s6.ID})
			only6 := createPort(t, c, ports.CreateOpts{NetworkID: n6.ID, Name: "v6only"})
			err = floatingips.Create(ctx(t), c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, SubnetID: ext6.ID, PortID: only6.ID}).Err
			wantError(t, err, 400, "BadRequest")
		})

		t.Run("subnet_id must be on the floating network", func(t *testing.T) {
			// Neutron's port allocation (ipam _get_subnet_for_fixed_ip) answers InvalidInput.
			err := floatingips.Create(ctx(t), c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, SubnetID: s1.ID}).Err
			wantError(t, err, 400, "InvalidInput")
			err = floatingips.Create(ctx(t), c, floatingips.CreateOpts{FloatingNetworkID: ext.ID, SubnetID: missingID}).Err
			if err == nil {
				t.Errorf("a floating IP on a missing subnet was created")
			} else if st, _, _ := parseNeutronError(err); st != 400 && st != 404 {
				t.Errorf("missing subnet_id: status %d, want 400 or 404: %v", st, err)
			}
		})

		t.Run("an external network with only IPv6", func(t *testing.T) {
			only := createNetwork(t, c, doc{"network": doc{"name": "f64-ext6", "router:external": true}})
			s := createSubnet(t, c, subnets.CreateOpts{NetworkID: only.ID, CIDR: "2001:db8:60::/64", IPVersion: gophercloud.IPv6})
			f := l3CreateFIP(t, c, floatingips.CreateOpts{FloatingNetworkID: only.ID})
			if !l3Is6(f.FloatingIP) || !l3InCIDR(f.FloatingIP, s.CIDR) {
				t.Errorf("floating_ip_address %q, want an IPv6 address of %s (networking-midonet accepts a network with any subnet)", f.FloatingIP, s.CIDR)
			}
		})
	})
}
