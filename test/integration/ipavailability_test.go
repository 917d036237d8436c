package integration

import (
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/networkipavailabilities"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// TestNetworkIPAvailability drives network-ip-availability through gophercloud: the totals
// are the sizes of the allocation pools, the used addresses follow port creates and
// deletes (per subnet and per network), the list filters by network, project and IP
// version, and an unknown network is 404. SQLite and PostgreSQL.
func TestNetworkIPAvailability(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-ipavail"
		admin := e.admin(project)
		n := createNetwork(t, admin, networks.CreateOpts{Name: "ipavail"})
		v4 := createSubnet(t, admin, subnets.CreateOpts{NetworkID: n.ID, CIDR: "10.77.0.0/24", IPVersion: gophercloud.IPv4, Name: "v4",
			AllocationPools: []subnets.AllocationPool{{Start: "10.77.0.10", End: "10.77.0.59"}, {Start: "10.77.0.100", End: "10.77.0.109"}}})
		v6 := createSubnet(t, admin, subnets.CreateOpts{NetworkID: n.ID, CIDR: "2001:db8:77::/120", IPVersion: gophercloud.IPv6, Name: "v6"})
		other := createNetwork(t, admin, networks.CreateOpts{Name: "ipavail-other"})

		show := func(t *testing.T) *networkipavailabilities.NetworkIPAvailability {
			t.Helper()
			a, err := networkipavailabilities.Get(ctx(t), admin, n.ID).Extract()
			must(t, err)
			return a
		}
		subnetUsed := func(a *networkipavailabilities.NetworkIPAvailability) map[string][2]string {
			out := map[string][2]string{}
			for _, s := range a.SubnetIPAvailabilities {
				out[s.SubnetID] = [2]string{s.TotalIPs, s.UsedIPs}
			}
			return out
		}

		// 60 addresses in the IPv4 pools; the /120's pool is ::1-::ff (255: as in Neutron 21,
		// the gateway of an IPv6 subnet is its subnet-router anycast address ::).
		a := show(t)
		if a.NetworkID != n.ID || a.NetworkName != "ipavail" || a.ProjectID != project || a.TotalIPs != "315" || a.UsedIPs != "0" {
			t.Fatalf("new network: %+v; want 315 total, 0 used", a)
		}
		want := map[string][2]string{v4.ID: {"60", "0"}, v6.ID: {"255", "0"}}
		if got := subnetUsed(a); len(got) != 2 || got[v4.ID] != want[v4.ID] || got[v6.ID] != want[v6.ID] {
			t.Fatalf("subnets %v, want %v", got, want)
		}

		// Each port takes one address of each subnet (SLAAC is not on: both are allocated).
		var made []string
		for range 3 {
			p := createPort(t, admin, ports.CreateOpts{NetworkID: n.ID})
			made = append(made, p.ID)
		}
		a = show(t)
		if a.TotalIPs != "315" || a.UsedIPs != "6" {
			t.Fatalf("after 3 ports: total %s used %s; want 315 and 6", a.TotalIPs, a.UsedIPs)
		}
		if got := subnetUsed(a); got[v4.ID] != [2]string{"60", "3"} || got[v6.ID] != [2]string{"255", "3"} {
			t.Fatalf("after 3 ports: subnets %v", got)
		}
		must(t, ports.Delete(ctx(t), admin, made[0]).ExtractErr())
		if a = show(t); a.UsedIPs != "4" {
			t.Fatalf("after a delete: used %s, want 4", a.UsedIPs)
		}

		list := func(t *testing.T, opts networkipavailabilities.ListOpts) map[string]bool {
			t.Helper()
			pages, err := networkipavailabilities.List(admin, opts).AllPages(ctx(t))
			must(t, err)
			all, err := networkipavailabilities.ExtractNetworkIPAvailabilities(pages)
			must(t, err)
			ids := map[string]bool{}
			for _, x := range all {
				ids[x.NetworkID] = true
			}
			return ids
		}
		if got := list(t, networkipavailabilities.ListOpts{NetworkID: n.ID}); len(got) != 1 || !got[n.ID] {
			t.Errorf("filter by network_id: %v", got)
		}
		if got := list(t, networkipavailabilities.ListOpts{ProjectID: project}); len(got) != 2 || !got[n.ID] || !got[other.ID] {
			t.Errorf("filter by project_id: %v, want both networks of the project", got)
		}
		if got := list(t, networkipavailabilities.ListOpts{ProjectID: project, IPVersion: "6"}); len(got) != 1 || !got[n.ID] {
			t.Errorf("filter by ip_version 6: %v, want only the network with an IPv6 subnet", got)
		}

		_, err := networkipavailabilities.Get(ctx(t), admin, "00000000-0000-4000-8000-00000000beef").Extract()
		wantError(t, err, 404, "NetworkNotFound")
	})
}
