package integration

import (
	"slices"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/attributestags"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/quotas"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// TestRestart checks that what a user made survives a server restart, and
// that address and MAC allocation continue where they were.
func TestRestart(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-restart"
		c := e.admin(project)
		net, sub := newNetwork(t, c, "durable", "10.80.0.0/24")
		p1 := createPort(t, c, ports.CreateOpts{NetworkID: net.ID, Name: "p1"})
		_, err := attributestags.ReplaceAll(ctx(t), c, "networks", net.ID, attributestags.ReplaceAllOpts{Tags: []string{"keep"}}).Extract()
		must(t, err)
		_, err = quotas.Update(ctx(t), c, project, quotas.UpdateOpts{Network: ptr(7)}).Extract()
		must(t, err)
		before := showNetwork(t, c, net.ID)

		e.srv.Stop()
		e.srv.Start(t)

		after := showNetwork(t, c, net.ID)
		if after.Name != before.Name || after.RevisionNumber != before.RevisionNumber || !slices.Equal(after.Tags, []string{"keep"}) ||
			!slices.Equal(after.Subnets, []string{sub.ID}) || after.MTU != before.MTU || !after.CreatedAt.Equal(before.CreatedAt) {
			t.Errorf("network after restart = %+v, before = %+v", after, before)
		}
		s, err := subnets.Get(ctx(t), c, sub.ID).Extract()
		must(t, err)
		if s.CIDR != sub.CIDR || !slices.Equal(s.AllocationPools, sub.AllocationPools) {
			t.Errorf("subnet after restart = %+v", s)
		}
		p := showPort(t, c, p1.ID)
		if p.MACAddress != p1.MACAddress || !slices.Equal(p.FixedIPs, p1.FixedIPs) || !sameSet(p.SecurityGroups, p1.SecurityGroups) {
			t.Errorf("port after restart = %+v, before = %+v", p.Port, p1.Port)
		}
		q, err := quotas.Get(ctx(t), c, project).Extract()
		must(t, err)
		if q.Network != 7 {
			t.Errorf("network quota after restart = %d, want 7", q.Network)
		}
		p2 := createPort(t, c, ports.CreateOpts{NetworkID: net.ID, Name: "p2"})
		if p2.MACAddress == p1.MACAddress || len(p2.FixedIPs) != 1 || p2.FixedIPs[0].IPAddress == p1.FixedIPs[0].IPAddress {
			t.Errorf("new port after restart reuses p1's MAC or address: %v %v", p2.MACAddress, p2.FixedIPs)
		}
		if gs := listGroups(t, c, groups.ListOpts{TenantID: project}); len(gs) != 1 {
			t.Errorf("project has %d security groups after restart, want its one default group", len(gs))
		}
	})
}
