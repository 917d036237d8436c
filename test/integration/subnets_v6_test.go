package integration

import (
	"net"
	"net/netip"
	"slices"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

func TestSubnetsIPv6(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-sub6"
		c := e.admin(project)
		net6 := createNetwork(t, c, networks.CreateOpts{Name: "n6"})
		v6 := func(cidr, ra, addr string) subnets.CreateOpts {
			return subnets.CreateOpts{NetworkID: net6.ID, CIDR: cidr, IPVersion: gophercloud.IPv6, IPv6RAMode: ra, IPv6AddressMode: addr}
		}

		t.Run("defaults", func(t *testing.T) {
			s := createSubnet(t, c, v6("2001:db8:1::/64", "", ""))
			if s.IPVersion != 6 || s.GatewayIP != "2001:db8:1::" {
				t.Errorf("ip_version %d gateway %q, want 6 and the network address 2001:db8:1::", s.IPVersion, s.GatewayIP)
			}
			want := []subnets.AllocationPool{{Start: "2001:db8:1::1", End: "2001:db8:1:0:ffff:ffff:ffff:ffff"}}
			if !slices.Equal(s.AllocationPools, want) {
				t.Errorf("allocation_pools = %v, want %v", s.AllocationPools, want)
			}
			if s.IPv6RAMode != "" || s.IPv6AddressMode != "" {
				t.Errorf("modes %q/%q, want null", s.IPv6RAMode, s.IPv6AddressMode)
			}
		})

		var slaac subnets.Subnet
		t.Run("modes", func(t *testing.T) {
			slaac = createSubnet(t, c, v6("2001:db8:2::/64", "slaac", "slaac"))
			if slaac.IPv6RAMode != "slaac" || slaac.IPv6AddressMode != "slaac" || slaac.GatewayIP != "2001:db8:2::" {
				t.Errorf("slaac subnet = %+v", slaac)
			}
			s := createSubnet(t, c, v6("2001:db8:3::/64", "dhcpv6-stateful", "dhcpv6-stateful"))
			if s.IPv6RAMode != "dhcpv6-stateful" || s.IPv6AddressMode != "dhcpv6-stateful" {
				t.Errorf("stateful subnet modes %q/%q", s.IPv6RAMode, s.IPv6AddressMode)
			}
			wantError(t, subnets.Create(ctx(t), c, v6("2001:db8:6::/64", "slaac", "dhcpv6-stateful")).Err, 400, "InvalidInput")
			wantError(t, subnets.Create(ctx(t), c, v6("2001:db8:7::/64", "bogus", "")).Err, 400, "HTTPBadRequest")
			wantError(t, subnets.Create(ctx(t), c, v6("2001:db8:8::/80", "", "slaac")).Err, 400, "InvalidInput")
			v4 := subnets.CreateOpts{NetworkID: net6.ID, CIDR: "10.30.0.0/24", IPVersion: gophercloud.IPv4, IPv6RAMode: "slaac"}
			wantError(t, subnets.Create(ctx(t), c, v4).Err, 400, "InvalidInput")
			wantError(t, subnets.Create(ctx(t), c, v6("2001:db8:1::/96", "", "")).Err, 400, "InvalidInput")
			err := subnets.Update(ctx(t), c, slaac.ID, update{doc{"subnet": doc{"ipv6_address_mode": "dhcpv6-stateful"}}}).Err
			wantError(t, err, 400, "HTTPBadRequest")
		})

		t.Run("slaac port gets its EUI-64 address", func(t *testing.T) {
			p := createPort(t, c, ports.CreateOpts{NetworkID: net6.ID, FixedIPs: []ports.IP{{SubnetID: slaac.ID}}})
			want := eui64(t, "2001:db8:2::/64", p.MACAddress)
			var got []string
			for _, ip := range p.FixedIPs {
				if ip.SubnetID == slaac.ID {
					got = append(got, ip.IPAddress)
				}
			}
			if len(got) != 1 || !sameIP(got[0], want) {
				t.Errorf("address on the slaac subnet = %v, want the EUI-64 address %s of %s", got, want, p.MACAddress)
			}
			err := ports.Create(ctx(t), c, ports.CreateOpts{NetworkID: net6.ID, FixedIPs: []ports.IP{{SubnetID: slaac.ID, IPAddress: "2001:db8:2::5"}}}).Err
			wantError(t, err, 400, "AllocationOnAutoAddressSubnet")
		})

		t.Run("fixed v6 address", func(t *testing.T) {
			s := createSubnet(t, c, v6("2001:db8:9::/64", "", ""))
			p := createPort(t, c, ports.CreateOpts{NetworkID: net6.ID, FixedIPs: []ports.IP{{SubnetID: s.ID, IPAddress: "2001:db8:9::15"}}})
			found := false
			for _, ip := range p.FixedIPs {
				if ip.SubnetID == s.ID {
					found = sameIP(ip.IPAddress, "2001:db8:9::15")
				}
			}
			if !found {
				t.Errorf("fixed_ips = %v, want 2001:db8:9::15 on %s", p.FixedIPs, s.ID)
			}
		})
	})
}

// eui64 returns the SLAAC address of mac in prefix.
func eui64(t *testing.T, prefix, mac string) string {
	t.Helper()
	hw, err := net.ParseMAC(mac)
	if err != nil || len(hw) != 6 {
		t.Fatalf("mac %q: %v", mac, err)
	}
	p := netip.MustParsePrefix(prefix)
	b := p.Addr().As16()
	iid := []byte{hw[0] ^ 0x02, hw[1], hw[2], 0xff, 0xfe, hw[3], hw[4], hw[5]}
	copy(b[8:], iid)
	return netip.AddrFrom16(b).String()
}

func sameIP(a, b string) bool {
	x, err1 := netip.ParseAddr(a)
	y, err2 := netip.ParseAddr(b)
	return err1 == nil && err2 == nil && x == y
}
