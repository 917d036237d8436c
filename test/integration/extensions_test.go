package integration

import (
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/attributestags"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// TestExtensionsAndTags checks the extension list clients probe before
// using a feature, and tags on the collections other than networks.
func TestExtensionsAndTags(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-ext"
		c := e.admin(project)

		t.Run("extension list", func(t *testing.T) {
			page, err := extensions.List(c).AllPages(ctx(t))
			must(t, err)
			all, err := extensions.ExtractExtensions(page)
			must(t, err)
			have := map[string]bool{}
			for _, x := range all {
				if x.Name == "" || x.Description == "" {
					t.Errorf("extension %q has no name or description", x.Alias)
				}
				have[x.Alias] = true
			}
			for _, alias := range []string{
				"binding", "security-group", "quotas", "quota_details", "provider", "external-net", "port-security",
				"allowed-address-pairs", "extra_dhcp_opt", "standard-attr-tag", "standard-attr-revisions",
				"standard-attr-description", "standard-attr-timestamp", "net-mtu", "net-mtu-writable",
				"pagination", "sorting", "revision-if-match", "project-id", "filter-validation",
				"tag", "empty-string-filtering", "dns-integration-domain-keywords",
			} {
				if !have[alias] {
					t.Errorf("extension %s is not listed", alias)
				}
			}
			x, err := extensions.Get(ctx(t), c, "provider").Extract()
			must(t, err)
			if x.Alias != "provider" || x.Name == "" {
				t.Errorf("provider extension = %+v", x)
			}
			wantError(t, extensions.Get(ctx(t), c, "no-such-extension").Err, 404, "")
		})

		t.Run("tags on other collections", func(t *testing.T) {
			net, sub := newNetwork(t, c, "tagnet", "10.90.0.0/24")
			p := createPort(t, c, ports.CreateOpts{NetworkID: net.ID})
			sg, err := groups.Create(ctx(t), c, groups.CreateOpts{Name: "tagged"}).Extract()
			must(t, err)
			for _, r := range []struct{ collection, id string }{
				{"subnets", sub.ID}, {"ports", p.ID}, {"security-groups", sg.ID},
			} {
				t.Run(r.collection, func(t *testing.T) {
					got, err := attributestags.ReplaceAll(ctx(t), c, r.collection, r.id,
						attributestags.ReplaceAllOpts{Tags: []string{"x", "y"}}).Extract()
					must(t, err)
					if !sameSet(got, []string{"x", "y"}) {
						t.Errorf("tags = %v", got)
					}
					must(t, attributestags.Add(ctx(t), c, r.collection, r.id, "z").ExtractErr())
					must(t, attributestags.Delete(ctx(t), c, r.collection, r.id, "x").ExtractErr())
					got, err = attributestags.List(ctx(t), c, r.collection, r.id).Extract()
					must(t, err)
					if !sameSet(got, []string{"y", "z"}) {
						t.Errorf("tags after add z, remove x = %v", got)
					}
					wantError(t, attributestags.List(ctx(t), c, r.collection, missingID).Err, 404, "TagResourceNotFound")
				})
			}
			if got := listPorts(t, c, ports.ListOpts{NetworkID: net.ID, Tags: "y,z"}); len(got) != 1 || got[0].ID != p.ID {
				t.Errorf("ports?tags=y,z gave %d ports", len(got))
			}
			page, err := subnets.List(c, subnets.ListOpts{NetworkID: net.ID, NotTags: "z"}).AllPages(ctx(t))
			must(t, err)
			if ss, _ := subnets.ExtractSubnets(page); len(ss) != 0 {
				t.Errorf("subnets?not-tags=z gave %d subnets", len(ss))
			}
			if got := listGroups(t, c, groups.ListOpts{TenantID: project, TagsAny: "z,nope"}); len(got) != 1 || got[0].ID != sg.ID {
				t.Errorf("security-groups?tags-any=z,nope gave %d groups", len(got))
			}
		})
	})
}
