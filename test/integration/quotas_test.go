package integration

import (
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/quotas"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
)

// neutronDefaults are neutron-server's default quotas ([quotas] options
// left unset) for the resources this server has.
var neutronDefaults = map[string]int{
	"network": 100, "subnet": 100, "port": 500,
	"security_group": 10, "security_group_rule": 100,
}

// checkDefaults fails the test when q differs from Neutron's defaults.
func checkDefaults(t *testing.T, q *quotas.Quota) {
	t.Helper()
	got := map[string]int{
		"network": q.Network, "subnet": q.Subnet, "port": q.Port,
		"security_group": q.SecurityGroup, "security_group_rule": q.SecurityGroupRule,
	}
	for k, want := range neutronDefaults {
		if got[k] != want {
			t.Errorf("quota %s = %d, want Neutron's default %d", k, got[k], want)
		}
	}
}

func TestQuotas(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-quota"
		admin := e.admin("it-quota-admin")
		c := e.admin(project)

		t.Run("defaults", func(t *testing.T) {
			q, err := quotas.Get(ctx(t), admin, project).Extract()
			must(t, err)
			checkDefaults(t, q)
		})

		t.Run("update and enforce", func(t *testing.T) {
			q, err := quotas.Update(ctx(t), admin, project, quotas.UpdateOpts{Network: ptr(2), Port: ptr(1)}).Extract()
			must(t, err)
			if q.Network != 2 || q.Port != 1 || q.Subnet != neutronDefaults["subnet"] {
				t.Errorf("after update: %+v", *q)
			}
			q, err = quotas.Get(ctx(t), admin, project).Extract()
			must(t, err)
			if q.Network != 2 || q.Port != 1 {
				t.Errorf("show after update: %+v", *q)
			}

			n1 := createNetwork(t, c, networks.CreateOpts{Name: "q1"})
			createNetwork(t, c, networks.CreateOpts{Name: "q2"})
			wantErrorMentions(t, networks.Create(ctx(t), c, networks.CreateOpts{Name: "q3"}).Err, 409, "OverQuota", "network")
			createPort(t, c, ports.CreateOpts{NetworkID: n1.ID})
			wantErrorMentions(t, ports.Create(ctx(t), c, ports.CreateOpts{NetworkID: n1.ID}).Err, 409, "OverQuota", "port")

			d, err := quotas.GetDetail(ctx(t), admin, project).Extract()
			must(t, err)
			if d.Network != (quotas.QuotaDetail{Limit: 2, Used: 2}) || d.Port != (quotas.QuotaDetail{Limit: 1, Used: 1}) {
				t.Errorf("details: network %+v port %+v; want 2 of 2 and 1 of 1 used", d.Network, d.Port)
			}
			if d.SecurityGroup.Used != 1 || d.SecurityGroupRule.Used != 4 {
				t.Errorf("details: security groups %+v rules %+v; want the default group and its 4 rules counted", d.SecurityGroup, d.SecurityGroupRule)
			}

			// quota-check-limit: a limit below the 2 networks in use is refused and changes
			// nothing; force and a limit that covers the usage are accepted.
			wantErrorMentions(t, quotas.Update(ctx(t), admin, project, doc{"quota": doc{"network": 1, "port": 5, "check_limit": true}}).Err,
				400, "HTTPBadRequest", "Quota limit 1 for network must be greater than or equal to already used 2")
			if q, err := quotas.Get(ctx(t), admin, project).Extract(); err != nil || q.Network != 2 || q.Port != 1 {
				t.Errorf("a refused check_limit update changed the quotas: %+v %v", q, err)
			}
			wantError(t, quotas.Update(ctx(t), admin, project, doc{"quota": doc{"network": 2, "check_limit": "maybe"}}).Err, 400, "HTTPBadRequest")
			must(t, quotas.Update(ctx(t), admin, project, doc{"quota": doc{"network": 2, "check_limit": true}}).Err)
			must(t, quotas.Update(ctx(t), admin, project, doc{"quota": doc{"network": 1, "force": true}}).Err)

			_, err = quotas.Update(ctx(t), admin, project, quotas.UpdateOpts{Network: ptr(-1)}).Extract()
			must(t, err)
			createNetwork(t, c, networks.CreateOpts{Name: "q3"})
		})

		t.Run("invalid updates", func(t *testing.T) {
			cases := []struct {
				name string
				body doc
				typ  string
			}{
				{"below -1", doc{"network": -2}, "HTTPBadRequest"},
				{"above a 32-bit integer", doc{"network": 2147483648}, "HTTPBadRequest"},
				{"not a number", doc{"network": "many"}, "InvalidInput"},
				{"unknown resource", doc{"widgets": 5}, "HTTPBadRequest"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					wantError(t, quotas.Update(ctx(t), admin, project, doc{"quota": tc.body}).Err, 400, tc.typ)
				})
			}
			// A project id is at most 255 characters, on every engine (MySQL's column is
			// VARCHAR(255): a longer one must be refused before it reaches the database).
			long := strings.Repeat("p", 256)
			wantErrorMentions(t, quotas.Update(ctx(t), admin, long, doc{"quota": doc{"network": 5}}).Err, 400, "InvalidInput", "exceeds maximum length of 255")
			q, err := quotas.Update(ctx(t), admin, strings.Repeat("p", 255), doc{"quota": doc{"network": 5}}).Extract()
			must(t, err)
			if q.Network != 5 {
				t.Errorf("quota of a 255-character project: network %d, want 5", q.Network)
			}
		})

		t.Run("reset", func(t *testing.T) {
			must(t, quotas.Delete(ctx(t), admin, project).ExtractErr())
			q, err := quotas.Get(ctx(t), admin, project).Extract()
			must(t, err)
			checkDefaults(t, q)
			createPort(t, c, ports.CreateOpts{NetworkID: listNetworks(t, c, networks.ListOpts{ProjectID: project, Name: "q1"})[0].ID})
		})

		t.Run("members may not change quotas", func(t *testing.T) {
			m := e.member(project)
			q, err := quotas.Get(ctx(t), m, project).Extract()
			must(t, err)
			if q.Network != neutronDefaults["network"] {
				t.Errorf("member sees network quota %d", q.Network)
			}
			wantError(t, quotas.Update(ctx(t), m, project, quotas.UpdateOpts{Network: ptr(1000)}).Err, 403, "PolicyNotAuthorized")
		})
	})
}
