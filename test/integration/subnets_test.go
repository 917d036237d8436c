package integration

import (
	"net/http"
	"slices"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

func TestSubnetsIPv4(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-sub4"
		c := e.admin(project)
		net := createNetwork(t, c, networks.CreateOpts{Name: "n4"})
		v4 := func(cidr string) subnets.CreateOpts {
			return subnets.CreateOpts{NetworkID: net.ID, CIDR: cidr, IPVersion: gophercloud.IPv4}
		}

		var s1 subnets.Subnet
		t.Run("defaults", func(t *testing.T) {
			o := v4("10.10.0.0/25")
			o.Name = "s1"
			s1 = createSubnet(t, c, o)
			if !uuidRE.MatchString(s1.ID) || s1.NetworkID != net.ID || s1.Name != "s1" || s1.IPVersion != 4 || s1.CIDR != "10.10.0.0/25" {
				t.Errorf("subnet = %+v", s1)
			}
			if s1.GatewayIP != "10.10.0.1" {
				t.Errorf("gateway_ip = %q, want the first host 10.10.0.1", s1.GatewayIP)
			}
			if want := []subnets.AllocationPool{{Start: "10.10.0.2", End: "10.10.0.126"}}; !slices.Equal(s1.AllocationPools, want) {
				t.Errorf("allocation_pools = %v, want %v", s1.AllocationPools, want)
			}
			if !s1.EnableDHCP || len(s1.DNSNameservers) != 0 || len(s1.HostRoutes) != 0 || s1.ProjectID != project {
				t.Errorf("enable_dhcp %v dns %v routes %v project %q", s1.EnableDHCP, s1.DNSNameservers, s1.HostRoutes, s1.ProjectID)
			}
			if n := showNetwork(t, c, net.ID); !slices.Equal(n.Subnets, []string{s1.ID}) {
				t.Errorf("network lists subnets %v, want [%s]", n.Subnets, s1.ID)
			}
			got, err := subnets.Get(ctx(t), c, s1.ID).Extract()
			must(t, err)
			if got.CIDR != s1.CIDR || got.GatewayIP != s1.GatewayIP || !slices.Equal(got.AllocationPools, s1.AllocationPools) {
				t.Errorf("show = %+v, want what create returned", got)
			}
		})

		t.Run("overlapping cidr", func(t *testing.T) {
			err := subnets.Create(ctx(t), c, v4("10.10.0.64/26")).Err
			wantErrorMentions(t, err, 400, "InvalidInput", "overlaps")
		})

		t.Run("gateway null", func(t *testing.T) {
			o := v4("10.11.0.0/24")
			o.GatewayIP = ptr("") // gophercloud sends null
			s := createSubnet(t, c, o)
			if s.GatewayIP != "" {
				t.Errorf("gateway_ip = %q, want null", s.GatewayIP)
			}
			if want := []subnets.AllocationPool{{Start: "10.11.0.1", End: "10.11.0.254"}}; !slices.Equal(s.AllocationPools, want) {
				t.Errorf("allocation_pools = %v, want %v", s.AllocationPools, want)
			}
			out := get(t, c, "subnets/"+s.ID+"?fields=gateway_ip")
			if gw, ok := out["subnet"].(map[string]any)["gateway_ip"]; !ok || gw != nil {
				t.Errorf("gateway_ip in the JSON = %v (present %v), want null", gw, ok)
			}
		})

		var s3 subnets.Subnet
		t.Run("custom pools and gateway", func(t *testing.T) {
			o := v4("10.12.0.0/24")
			o.GatewayIP = ptr("10.12.0.254")
			o.AllocationPools = []subnets.AllocationPool{{Start: "10.12.0.10", End: "10.12.0.20"}, {Start: "10.12.0.100", End: "10.12.0.200"}}
			s3 = createSubnet(t, c, o)
			if s3.GatewayIP != "10.12.0.254" || !slices.Equal(s3.AllocationPools, o.AllocationPools) {
				t.Errorf("gateway %q pools %v, want %q %v", s3.GatewayIP, s3.AllocationPools, *o.GatewayIP, o.AllocationPools)
			}
		})

		t.Run("invalid pools", func(t *testing.T) {
			cases := []struct {
				name   string
				gw     string
				pools  []subnets.AllocationPool
				status int
				typ    string
			}{
				{"outside the cidr", "", []subnets.AllocationPool{{Start: "10.99.0.10", End: "10.99.0.20"}}, 400, "OutOfBoundsAllocationPool"},
				{"overlapping", "", []subnets.AllocationPool{{Start: "10.13.0.10", End: "10.13.0.20"}, {Start: "10.13.0.15", End: "10.13.0.30"}}, 409, "OverlappingAllocationPools"},
				{"holding the gateway", "10.13.0.15", []subnets.AllocationPool{{Start: "10.13.0.10", End: "10.13.0.20"}}, 409, "GatewayConflictWithAllocationPools"},
				{"start after end", "", []subnets.AllocationPool{{Start: "10.13.0.20", End: "10.13.0.10"}}, 400, "InvalidAllocationPool"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					o := v4("10.13.0.0/24")
					o.AllocationPools = tc.pools
					if tc.gw != "" {
						o.GatewayIP = ptr(tc.gw)
					}
					wantError(t, subnets.Create(ctx(t), c, o).Err, tc.status, tc.typ)
				})
			}
		})

		var s4 subnets.Subnet
		t.Run("dns and host routes", func(t *testing.T) {
			o := v4("10.14.0.0/24")
			o.DNSNameservers = []string{"8.8.8.8", "1.1.1.1"}
			o.HostRoutes = []subnets.HostRoute{{DestinationCIDR: "10.50.0.0/16", NextHop: "10.14.0.5"}}
			o.EnableDHCP = ptr(false)
			s4 = createSubnet(t, c, o)
			if !slices.Equal(s4.DNSNameservers, o.DNSNameservers) || !slices.Equal(s4.HostRoutes, o.HostRoutes) || s4.EnableDHCP {
				t.Errorf("dns %v routes %v dhcp %v", s4.DNSNameservers, s4.HostRoutes, s4.EnableDHCP)
			}
			routes := []subnets.HostRoute{{DestinationCIDR: "192.168.0.0/24", NextHop: "10.14.0.6"}}
			u, err := subnets.Update(ctx(t), c, s4.ID, subnets.UpdateOpts{
				DNSNameservers: &[]string{"9.9.9.9"}, HostRoutes: &routes, EnableDHCP: ptr(true), Name: ptr("s4"),
			}).Extract()
			must(t, err)
			if !slices.Equal(u.DNSNameservers, []string{"9.9.9.9"}) || !slices.Equal(u.HostRoutes, routes) || !u.EnableDHCP || u.Name != "s4" {
				t.Errorf("after update: %+v", u)
			}
			bad := v4("10.15.0.0/24")
			bad.DNSNameservers = []string{"not-an-ip"}
			wantError(t, subnets.Create(ctx(t), c, bad).Err, 400, "HTTPBadRequest")
			bad.DNSNameservers = []string{"8.8.8.8", "8.8.8.8"}
			wantError(t, subnets.Create(ctx(t), c, bad).Err, 400, "HTTPBadRequest")
		})

		t.Run("update gateway and pools", func(t *testing.T) {
			pools := []subnets.AllocationPool{{Start: "10.12.0.100", End: "10.12.0.200"}}
			u, err := subnets.Update(ctx(t), c, s3.ID, subnets.UpdateOpts{AllocationPools: pools}).Extract()
			must(t, err)
			if !slices.Equal(u.AllocationPools, pools) {
				t.Errorf("pools after update = %v", u.AllocationPools)
			}
			u, err = subnets.Update(ctx(t), c, s3.ID, subnets.UpdateOpts{GatewayIP: ptr("10.12.0.1")}).Extract()
			must(t, err)
			if u.GatewayIP != "10.12.0.1" {
				t.Errorf("gateway after update = %q", u.GatewayIP)
			}
			err = subnets.Update(ctx(t), c, s3.ID, subnets.UpdateOpts{GatewayIP: ptr("10.12.0.150")}).Err
			wantError(t, err, 409, "GatewayConflictWithAllocationPools")
			u, err = subnets.Update(ctx(t), c, s1.ID, subnets.UpdateOpts{GatewayIP: ptr("")}).Extract()
			must(t, err)
			if u.GatewayIP != "" {
				t.Errorf("gateway = %q after setting it to null", u.GatewayIP)
			}
			err = subnets.Update(ctx(t), c, s1.ID, update{doc{"subnet": doc{"cidr": "10.10.0.0/24"}}}).Err
			wantErrorMentions(t, err, 400, "HTTPBadRequest", "cidr")
		})

		t.Run("unusual but valid", func(t *testing.T) {
			o := v4("10.16.0.0/24")
			o.GatewayIP = ptr("10.99.99.1")
			s := createSubnet(t, c, o)
			if s.GatewayIP != "10.99.99.1" || !slices.Equal(s.AllocationPools, []subnets.AllocationPool{{Start: "10.16.0.1", End: "10.16.0.254"}}) {
				t.Errorf("gateway outside the cidr: gateway %q pools %v", s.GatewayIP, s.AllocationPools)
			}
			s = createSubnet(t, c, v4("10.18.0.5/24"))
			if s.CIDR != "10.18.0.0/24" || s.GatewayIP != "10.18.0.1" {
				t.Errorf("cidr with host bits: cidr %q gateway %q, want 10.18.0.0/24 and 10.18.0.1", s.CIDR, s.GatewayIP)
			}
			must(t, subnets.Delete(ctx(t), c, s.ID).ExtractErr())
		})

		t.Run("other errors", func(t *testing.T) {
			wantError(t, subnets.Create(ctx(t), c, subnets.CreateOpts{NetworkID: missingID, CIDR: "10.16.0.0/24", IPVersion: 4}).Err, 404, "NetworkNotFound")
			wantError(t, subnets.Create(ctx(t), c, v4("10.17.0.0/33")).Err, 400, "InvalidInput")
			wantError(t, subnets.Create(ctx(t), c, subnets.CreateOpts{NetworkID: net.ID, CIDR: "10.19.0.0/24", IPVersion: gophercloud.IPv6}).Err, 400, "InvalidInput")
			wantError(t, subnets.Get(ctx(t), c, missingID).Err, 404, "SubnetNotFound")
		})

		t.Run("list", func(t *testing.T) {
			page, err := subnets.List(c, subnets.ListOpts{NetworkID: net.ID, SortKey: "cidr", SortDir: "asc"}).AllPages(ctx(t))
			must(t, err)
			all, err := subnets.ExtractSubnets(page)
			must(t, err)
			var cidrs []string
			for _, s := range all {
				cidrs = append(cidrs, s.CIDR)
			}
			if want := []string{"10.10.0.0/25", "10.11.0.0/24", "10.12.0.0/24", "10.14.0.0/24", "10.16.0.0/24"}; !slices.Equal(cidrs, want) {
				t.Errorf("subnets sorted by cidr = %v, want %v", cidrs, want)
			}
		})

		t.Run("delete in use", func(t *testing.T) {
			p := createPort(t, c, ports.CreateOpts{NetworkID: net.ID, FixedIPs: []ports.IP{{SubnetID: s4.ID}}})
			wantErrorMentions(t, subnets.Delete(ctx(t), c, s4.ID).ExtractErr(), 409, "SubnetInUse", s4.ID)
			must(t, ports.Delete(ctx(t), c, p.ID).ExtractErr())
			must(t, subnets.Delete(ctx(t), c, s4.ID).ExtractErr())
			wantError(t, subnets.Get(ctx(t), c, s4.ID).Err, 404, "SubnetNotFound")
			wantError(t, subnets.Delete(ctx(t), c, s4.ID).ExtractErr(), 404, "SubnetNotFound")
		})

		t.Run("network delete takes its subnets", func(t *testing.T) {
			must(t, networks.Delete(ctx(t), c, net.ID).ExtractErr())
			wantError(t, subnets.Get(ctx(t), c, s1.ID).Err, 404, "SubnetNotFound")
			_, _, err := raw(t, c, http.MethodGet, "subnets/"+s3.ID, nil, nil, 200)
			wantError(t, err, 404, "SubnetNotFound")
		})
	})
}
