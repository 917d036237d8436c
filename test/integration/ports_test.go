package integration

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

func TestPorts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-ports"
		c := e.admin(project)
		net := createNetwork(t, c, networks.CreateOpts{Name: "pnet"})
		noSubnet := createPort(t, c, ports.CreateOpts{NetworkID: net.ID, Name: "no-subnet"})
		sub := createSubnet(t, c, subnets.CreateOpts{NetworkID: net.ID, CIDR: "10.20.0.0/24", IPVersion: gophercloud.IPv4,
			AllocationPools: []subnets.AllocationPool{{Start: "10.20.0.2", End: "10.20.0.99"}}})

		var auto port
		t.Run("defaults", func(t *testing.T) {
			if len(noSubnet.FixedIPs) != 0 || len(showPort(t, c, noSubnet.ID).FixedIPs) != 0 {
				t.Errorf("a port made before any subnet has addresses %v", showPort(t, c, noSubnet.ID).FixedIPs)
			}
			auto = createPort(t, c, ports.CreateOpts{NetworkID: net.ID, Name: "auto"})
			p := auto
			if !uuidRE.MatchString(p.ID) || p.NetworkID != net.ID || p.Name != "auto" || p.ProjectID != project {
				t.Errorf("port = %+v", p.Port)
			}
			if !p.AdminStateUp || p.Status != "DOWN" || p.DeviceOwner != "" || p.DeviceID != "" {
				t.Errorf("admin_state_up %v status %q device %q/%q; want true, DOWN, empty", p.AdminStateUp, p.Status, p.DeviceOwner, p.DeviceID)
			}
			if len(p.FixedIPs) != 1 || p.FixedIPs[0].SubnetID != sub.ID || !inRange(p.FixedIPs[0].IPAddress, "10.20.0.2", "10.20.0.99") {
				t.Errorf("fixed_ips = %v, want one address from the pool of %s", p.FixedIPs, sub.ID)
			}
			if !strings.HasPrefix(p.MACAddress, "fa:16:3e:") || len(p.MACAddress) != 17 {
				t.Errorf("mac_address = %q, want fa:16:3e:xx:xx:xx", p.MACAddress)
			}
			if !p.PortSecurityEnabled || len(p.AllowedAddressPairs) != 0 || len(p.ExtraDHCPOpts) != 0 {
				t.Errorf("port_security %v pairs %v dhcp opts %v", p.PortSecurityEnabled, p.AllowedAddressPairs, p.ExtraDHCPOpts)
			}
			if p.VIFType != "unbound" || p.HostID != "" || p.VNICType != "normal" {
				t.Errorf("binding: vif_type %q host %q vnic %q; want unbound, empty, normal", p.VIFType, p.HostID, p.VNICType)
			}
		})

		sub2 := createSubnet(t, c, subnets.CreateOpts{NetworkID: net.ID, CIDR: "10.21.0.0/24", IPVersion: gophercloud.IPv4,
			AllocationPools: []subnets.AllocationPool{{Start: "10.21.0.2", End: "10.21.0.99"}}})

		t.Run("fixed_ips", func(t *testing.T) {
			cases := []struct {
				name    string
				fixed   []ports.IP
				want    ports.IP // IPAddress empty: any address of the subnet
				inRange [2]string
			}{
				{"by subnet", []ports.IP{{SubnetID: sub2.ID}}, ports.IP{SubnetID: sub2.ID}, [2]string{"10.21.0.2", "10.21.0.254"}},
				{"by address outside the pool", []ports.IP{{IPAddress: "10.20.0.150"}}, ports.IP{SubnetID: sub.ID, IPAddress: "10.20.0.150"}, [2]string{}},
				{"by subnet and address", []ports.IP{{SubnetID: sub.ID, IPAddress: "10.20.0.151"}}, ports.IP{SubnetID: sub.ID, IPAddress: "10.20.0.151"}, [2]string{}},
				{"the gateway address", []ports.IP{{IPAddress: "10.20.0.1"}}, ports.IP{SubnetID: sub.ID, IPAddress: "10.20.0.1"}, [2]string{}},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					p := createPort(t, c, ports.CreateOpts{NetworkID: net.ID, Name: tc.name, FixedIPs: tc.fixed})
					if len(p.FixedIPs) != 1 || p.FixedIPs[0].SubnetID != tc.want.SubnetID {
						t.Fatalf("fixed_ips = %v, want one on %s", p.FixedIPs, tc.want.SubnetID)
					}
					got := p.FixedIPs[0].IPAddress
					if tc.want.IPAddress != "" && got != tc.want.IPAddress {
						t.Errorf("address %s, want %s", got, tc.want.IPAddress)
					}
					if tc.want.IPAddress == "" && !inRange(got, tc.inRange[0], tc.inRange[1]) {
						t.Errorf("address %s outside %v", got, tc.inRange)
					}
				})
			}
		})

		t.Run("invalid fixed_ips", func(t *testing.T) {
			cases := []struct {
				name   string
				fixed  []ports.IP
				status int
				typ    string
			}{
				{"address in use", []ports.IP{{IPAddress: "10.20.0.150"}}, 409, "IpAddressAlreadyAllocated"},
				{"generated address in use", []ports.IP{{SubnetID: sub.ID, IPAddress: auto.FixedIPs[0].IPAddress}}, 409, "IpAddressAlreadyAllocated"},
				{"outside every subnet", []ports.IP{{IPAddress: "10.99.0.5"}}, 400, "InvalidIpForNetwork"},
				{"outside the given subnet", []ports.IP{{SubnetID: sub.ID, IPAddress: "10.21.0.50"}}, 400, "InvalidIpForSubnet"},
				{"the network address", []ports.IP{{IPAddress: "10.20.0.0"}}, 400, "InvalidIpForNetwork"},
				{"malformed address", []ports.IP{{IPAddress: "10.20.0.300"}}, 400, "HTTPBadRequest"},
				{"missing subnet", []ports.IP{{SubnetID: missingID}}, 404, "SubnetNotFound"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					err := ports.Create(ctx(t), c, ports.CreateOpts{NetworkID: net.ID, FixedIPs: tc.fixed}).Err
					wantError(t, err, tc.status, tc.typ)
				})
			}
		})

		t.Run("mac addresses", func(t *testing.T) {
			seen := map[string]bool{auto.MACAddress: true}
			for i := 0; i < 5; i++ {
				p := createPort(t, c, ports.CreateOpts{NetworkID: net.ID, FixedIPs: []ports.IP{}})
				if !strings.HasPrefix(p.MACAddress, "fa:16:3e:") || seen[p.MACAddress] {
					t.Errorf("generated mac %q is not a fresh fa:16:3e address", p.MACAddress)
				}
				seen[p.MACAddress] = true
			}
			p := createPort(t, c, ports.CreateOpts{NetworkID: net.ID, MACAddress: "fa:16:3e:00:00:aa", FixedIPs: []ports.IP{}})
			if p.MACAddress != "fa:16:3e:00:00:aa" || len(p.FixedIPs) != 0 {
				t.Errorf("mac %q fixed_ips %v, want the given mac and no address", p.MACAddress, p.FixedIPs)
			}
			err := ports.Create(ctx(t), c, ports.CreateOpts{NetworkID: net.ID, MACAddress: "fa:16:3e:00:00:aa"}).Err
			wantErrorMentions(t, err, 409, "MacAddressInUse", "fa:16:3e:00:00:aa")
			err = ports.Create(ctx(t), c, ports.CreateOpts{NetworkID: net.ID, MACAddress: auto.MACAddress}).Err
			wantError(t, err, 409, "MacAddressInUse")
			err = ports.Create(ctx(t), c, ports.CreateOpts{NetworkID: net.ID, MACAddress: "zz:16:3e:00:00:aa"}).Err
			wantError(t, err, 400, "HTTPBadRequest")
			// The same MAC is fine on another network.
			other := createNetwork(t, c, networks.CreateOpts{Name: "other"})
			createPort(t, c, ports.CreateOpts{NetworkID: other.ID, MACAddress: "fa:16:3e:00:00:aa"})
		})

		t.Run("other create errors", func(t *testing.T) {
			wantError(t, ports.Create(ctx(t), c, ports.CreateOpts{NetworkID: missingID}).Err, 404, "NetworkNotFound")
			wantError(t, ports.Create(ctx(t), c, doc{"port": doc{"name": "x"}}).Err, 400, "HTTPBadRequest")
			wantError(t, ports.Create(ctx(t), c, doc{"port": doc{"network_id": net.ID, "bogus": true}}).Err, 400, "HTTPBadRequest")
			wantError(t, ports.Get(ctx(t), c, missingID).Err, 404, "PortNotFound")
		})

		t.Run("update", func(t *testing.T) {
			p := createPort(t, c, ports.CreateOpts{NetworkID: net.ID, Name: "upd", FixedIPs: []ports.IP{{IPAddress: "10.20.0.170"}}})
			u := into[port](t, ports.Update(ctx(t), c, p.ID, ports.UpdateOpts{
				Name: ptr("upd-2"), AdminStateUp: ptr(false), DeviceOwner: ptr("compute:nova"), DeviceID: ptr("vm-1"),
			}))
			if u.Name != "upd-2" || u.AdminStateUp || u.DeviceOwner != "compute:nova" || u.DeviceID != "vm-1" {
				t.Errorf("after update: %+v", u.Port)
			}
			u = into[port](t, ports.Update(ctx(t), c, p.ID, ports.UpdateOpts{FixedIPs: []ports.IP{{IPAddress: "10.20.0.160"}}}))
			if len(u.FixedIPs) != 1 || u.FixedIPs[0] != (ports.IP{SubnetID: sub.ID, IPAddress: "10.20.0.160"}) {
				t.Errorf("fixed_ips = %v, want 10.20.0.160 only", u.FixedIPs)
			}
			two := []ports.IP{{IPAddress: "10.20.0.160"}, {SubnetID: sub2.ID, IPAddress: "10.21.0.160"}}
			u = into[port](t, ports.Update(ctx(t), c, p.ID, ports.UpdateOpts{FixedIPs: two}))
			if len(u.FixedIPs) != 2 {
				t.Errorf("fixed_ips = %v, want two", u.FixedIPs)
			}
			// The old address is free again.
			createPort(t, c, ports.CreateOpts{NetworkID: net.ID, FixedIPs: []ports.IP{{IPAddress: "10.20.0.170"}}})
			err := ports.Update(ctx(t), c, p.ID, ports.UpdateOpts{FixedIPs: []ports.IP{{IPAddress: "10.20.0.151"}}}).Err
			wantError(t, err, 409, "IpAddressAlreadyAllocated")
			if s := showPort(t, c, p.ID); len(s.FixedIPs) != 2 {
				t.Errorf("a refused update changed fixed_ips to %v", s.FixedIPs)
			}
			u = into[port](t, ports.Update(ctx(t), c, p.ID, ports.UpdateOpts{MACAddress: ptr("fa:16:3e:00:00:ab")}))
			if u.MACAddress != "fa:16:3e:00:00:ab" {
				t.Errorf("mac after update = %q", u.MACAddress)
			}
			err = ports.Update(ctx(t), c, p.ID, update{doc{"port": doc{"network_id": net.ID}}}).Err
			wantErrorMentions(t, err, 400, "HTTPBadRequest", "network_id")
		})

		t.Run("filters", func(t *testing.T) {
			got := listPorts(t, c, ports.ListOpts{NetworkID: net.ID, FixedIPs: []ports.FixedIPOpts{{IPAddress: "10.20.0.151"}}})
			if len(got) != 1 || got[0].Name != "by subnet and address" {
				t.Errorf("fixed_ips ip_address=10.20.0.151 gave %d ports", len(got))
			}
			got = listPorts(t, c, ports.ListOpts{NetworkID: net.ID, MACAddress: "fa:16:3e:00:00:ab"})
			if len(got) != 1 || got[0].Name != "upd-2" {
				t.Errorf("mac_address filter gave %d ports", len(got))
			}
			got = listPorts(t, c, ports.ListOpts{NetworkID: net.ID, FixedIPs: []ports.FixedIPOpts{{SubnetID: sub2.ID}}})
			for _, p := range got {
				ok := false
				for _, ip := range p.FixedIPs {
					ok = ok || ip.SubnetID == sub2.ID
				}
				if !ok {
					t.Errorf("port %s has no address on %s but matched the subnet filter", p.ID, sub2.ID)
				}
			}
			if len(got) < 2 {
				t.Errorf("subnet filter gave %d ports, want at least 2", len(got))
			}
		})

		t.Run("delete", func(t *testing.T) {
			wantErrorMentions(t, networks.Delete(ctx(t), c, net.ID).ExtractErr(), 409, "NetworkInUse", net.ID)
			must(t, ports.Delete(ctx(t), c, auto.ID).ExtractErr())
			wantError(t, ports.Get(ctx(t), c, auto.ID).Err, 404, "PortNotFound")
			wantError(t, ports.Delete(ctx(t), c, auto.ID).ExtractErr(), 404, "PortNotFound")
			// Its address can be taken again.
			createPort(t, c, ports.CreateOpts{NetworkID: net.ID, FixedIPs: []ports.IP{{IPAddress: auto.FixedIPs[0].IPAddress}}})
		})
	})
}

// inRange reports whether ip lies in [first, last].
func inRange(ip, first, last string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	return netip.MustParseAddr(first).Compare(a) <= 0 && a.Compare(netip.MustParseAddr(last)) <= 0
}
