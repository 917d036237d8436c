package integration

import (
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
)

// TestStatelessSecurityGroups drives stateful-security-group through gophercloud: a group
// made with stateful=false says so and is found by the stateful filter; a project's default
// group is stateful; statefulness changes while no port uses the group and is refused with
// 409 SecurityGroupInUse once one does; another project sees none of it (404). SQLite and
// PostgreSQL.
func TestStatelessSecurityGroups(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		a, b := e.member("it-stateless-a"), e.member("it-stateless-b")
		no, yes := false, true
		g, err := groups.Create(ctx(t), a, groups.CreateOpts{Name: "untracked", Stateful: &no}).Extract()
		must(t, err)
		if g.Stateful {
			t.Fatalf("created with stateful=false: %+v", g)
		}
		list := func(t *testing.T, stateful bool) map[string]bool {
			t.Helper()
			pages, err := groups.List(a, groups.ListOpts{Stateful: &stateful}).AllPages(ctx(t))
			must(t, err)
			all, err := groups.ExtractGroups(pages)
			must(t, err)
			out := map[string]bool{}
			for _, x := range all {
				out[x.Name] = x.Stateful
			}
			return out
		}
		if got := list(t, false); len(got) != 1 || got["untracked"] {
			t.Errorf("stateful=false lists %v, want only the new group", got)
		}
		if got := list(t, true); !got["default"] || len(got) != 1 {
			t.Errorf("stateful=true lists %v, want the project's default group", got)
		}

		// Unused, the group changes both ways.
		g, err = groups.Update(ctx(t), a, g.ID, groups.UpdateOpts{Stateful: &yes}).Extract()
		must(t, err)
		if !g.Stateful {
			t.Fatalf("after stateful=true: %+v", g)
		}
		g, err = groups.Update(ctx(t), a, g.ID, groups.UpdateOpts{Stateful: &no}).Extract()
		must(t, err)

		// In use by a port, it keeps its statefulness; other changes still go through.
		net, _ := newNetwork(t, a, "stateless-net", "10.78.0.0/24")
		createPort(t, a, ports.CreateOpts{NetworkID: net.ID, SecurityGroups: &[]string{g.ID}})
		_, err = groups.Update(ctx(t), a, g.ID, groups.UpdateOpts{Stateful: &yes}).Extract()
		wantError(t, err, 409, "SecurityGroupInUse")
		name := "still-untracked"
		g, err = groups.Update(ctx(t), a, g.ID, groups.UpdateOpts{Name: name}).Extract()
		must(t, err)
		if g.Name != name || g.Stateful {
			t.Errorf("after a rename in use: %+v", g)
		}

		// Another project can neither see nor change it.
		_, err = groups.Get(ctx(t), b, g.ID).Extract()
		wantError(t, err, 404, "SecurityGroupNotFound")
		_, err = groups.Update(ctx(t), b, g.ID, groups.UpdateOpts{Stateful: &yes}).Extract()
		wantError(t, err, 404, "SecurityGroupNotFound")
	})
}
