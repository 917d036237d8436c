package integration

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/mtu"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

const missingID = "00000000-0000-0000-0000-000000000000"

func TestNetworks(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-net"
		c := e.admin(project)

		var created network
		t.Run("create with defaults", func(t *testing.T) {
			created = createNetwork(t, c, networks.CreateOpts{Name: "net1"})
			n := created
			if !uuidRE.MatchString(n.ID) {
				t.Errorf("id = %q, want a UUID", n.ID)
			}
			if n.Name != "net1" || n.Description != "" {
				t.Errorf("name, description = %q, %q", n.Name, n.Description)
			}
			if !n.AdminStateUp || n.Shared || n.Status != "ACTIVE" {
				t.Errorf("admin_state_up, shared, status = %v, %v, %q; want true, false, ACTIVE", n.AdminStateUp, n.Shared, n.Status)
			}
			if n.MTU <= 0 {
				t.Errorf("mtu = %d, want > 0", n.MTU)
			}
			if n.NetworkType != "midonet" || n.PhysicalNetwork != "" || n.SegmentationID != "" {
				t.Errorf("provider = %q/%q/%q, want midonet with no physical network or segment", n.NetworkType, n.PhysicalNetwork, n.SegmentationID)
			}
			if !n.PortSecurityEnabled {
				t.Errorf("port_security_enabled = %v, want true", n.PortSecurityEnabled)
			}
			if n.External {
				t.Errorf("router:external = true, want false")
			}
			if n.ProjectID != project || n.TenantID != project {
				t.Errorf("project_id, tenant_id = %q, %q; want %q", n.ProjectID, n.TenantID, project)
			}
			if len(n.Subnets) != 0 || len(n.Tags) != 0 {
				t.Errorf("subnets, tags = %v, %v; want empty", n.Subnets, n.Tags)
			}
			if n.RevisionNumber < 1 || n.CreatedAt.IsZero() || n.UpdatedAt.IsZero() {
				t.Errorf("revision_number, created_at, updated_at = %d, %v, %v", n.RevisionNumber, n.CreatedAt, n.UpdatedAt)
			}
		})
		if created.ID == "" {
			t.Fatal("no network to continue with")
		}

		t.Run("show", func(t *testing.T) {
			n := showNetwork(t, c, created.ID)
			if n.ID != created.ID || n.Name != "net1" || n.MTU != created.MTU || n.NetworkType != "midonet" ||
				n.RevisionNumber != created.RevisionNumber || !n.CreatedAt.Equal(created.CreatedAt) {
				t.Errorf("show = %+v, want what create returned %+v", n, created)
			}
		})

		t.Run("update", func(t *testing.T) {
			n := into[network](t, networks.Update(ctx(t), c, created.ID, networks.UpdateOpts{
				Name: ptr("net1-renamed"), Description: ptr("a description"), AdminStateUp: ptr(false),
			}))
			if n.Name != "net1-renamed" || n.Description != "a description" || n.AdminStateUp {
				t.Errorf("after update: name %q description %q admin_state_up %v", n.Name, n.Description, n.AdminStateUp)
			}
			if n.RevisionNumber <= created.RevisionNumber {
				t.Errorf("revision_number %d did not grow from %d", n.RevisionNumber, created.RevisionNumber)
			}
			lower := created.MTU - 100
			n = into[network](t, networks.Update(ctx(t), c, created.ID, mtu.UpdateOptsExt{
				UpdateOptsBuilder: networks.UpdateOpts{}, MTU: lower,
			}))
			if n.MTU != lower {
				t.Errorf("mtu = %d after lowering it to %d", n.MTU, lower)
			}
			n = into[network](t, networks.Update(ctx(t), c, created.ID, networks.UpdateOpts{Shared: ptr(true)}))
			if !n.Shared {
				t.Errorf("shared = false after setting it")
			}
			n = showNetwork(t, c, created.ID)
			if n.Name != "net1-renamed" || n.AdminStateUp || n.MTU != lower || !n.Shared {
				t.Errorf("show after updates = %+v", n)
			}
		})

		t.Run("update mtu above the maximum", func(t *testing.T) {
			err := networks.Update(ctx(t), c, created.ID, update{doc{"network": doc{"mtu": 65000}}}).Err
			wantErrorMentions(t, err, 400, "InvalidInput", "MTU")
		})

		t.Run("update read-only attribute", func(t *testing.T) {
			for _, attr := range []string{"status", "id", "tenant_id", "project_id", "subnets"} {
				t.Run(attr, func(t *testing.T) {
					value := any("x")
					if attr == "subnets" {
						value = []string{}
					}
					err := networks.Update(ctx(t), c, created.ID, update{doc{"network": doc{attr: value}}}).Err
					wantErrorMentions(t, err, 400, "HTTPBadRequest", "Cannot update read-only attribute "+attr)
				})
			}
		})

		t.Run("provider attributes", func(t *testing.T) {
			up := createNetwork(t, c, doc{"network": doc{"name": "uplink", "provider:network_type": "uplink"}})
			if up.NetworkType != "uplink" || up.Status != "ACTIVE" {
				t.Errorf("uplink network: type %q status %q", up.NetworkType, up.Status)
			}
			if s := showNetwork(t, c, up.ID); s.NetworkType != "uplink" {
				t.Errorf("show uplink network: type %q", s.NetworkType)
			}

			err := networks.Create(ctx(t), c, doc{"network": doc{
				"name": "physnet", "provider:network_type": "midonet", "provider:physical_network": "physnet1",
			}}).Err
			wantErrorMentions(t, err, 400, "InvalidInput", "physical_network")

			err = networks.Create(ctx(t), c, doc{"network": doc{"name": "gre", "provider:network_type": "gre"}}).Err
			wantErrorMentions(t, err, 400, "InvalidInput", "gre")

			err = networks.Update(ctx(t), c, created.ID, update{doc{"network": doc{"provider:network_type": "uplink"}}}).Err
			wantErrorMentions(t, err, 400, "InvalidInput", "provider:network_type")

			n := into[network](t, networks.Update(ctx(t), c, created.ID, update{doc{"network": doc{"provider:network_type": "midonet"}}}))
			if n.NetworkType != "midonet" {
				t.Errorf("type after a same-value update = %q", n.NetworkType)
			}
			must(t, networks.Delete(ctx(t), c, up.ID).ExtractErr())
		})

		t.Run("bad input", func(t *testing.T) {
			cases := []struct {
				name string
				body doc
				typ  string
			}{
				{"unknown attribute", doc{"network": doc{"name": "x", "bogus_attr": 1}}, "HTTPBadRequest"},
				{"admin_state_up not a boolean", doc{"network": doc{"admin_state_up": "notabool"}}, "InvalidInput"},
				{"mtu not a number", doc{"network": doc{"mtu": "big"}}, "InvalidInput"},
				{"no resource wrapper", doc{"name": "x"}, "HTTPBadRequest"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					wantError(t, networks.Create(ctx(t), c, tc.body).Err, 400, tc.typ)
				})
			}
		})

		t.Run("bulk create", func(t *testing.T) {
			body := doc{"networks": []doc{
				{"name": "bulk-a"},
				{"name": "bulk-b", "admin_state_up": false},
			}}
			out, status, err := raw(t, c, http.MethodPost, "networks", body, nil, 201)
			must(t, err)
			if status != 201 {
				t.Errorf("status %d, want 201", status)
			}
			got, _ := out["networks"].([]any)
			if len(got) != 2 {
				t.Fatalf("bulk create returned %d networks, want 2: %v", len(got), out)
			}
			for i, want := range []string{"bulk-a", "bulk-b"} {
				m := got[i].(map[string]any)
				id, _ := m["id"].(string)
				if m["name"] != want || !uuidRE.MatchString(id) {
					t.Errorf("network %d = %v, want name %s with a UUID", i, m, want)
					continue
				}
				if n := showNetwork(t, c, id); n.Name != want || n.ProjectID != project {
					t.Errorf("show %s = %q in %q", id, n.Name, n.ProjectID)
				}
			}
			if m := got[1].(map[string]any); m["admin_state_up"] != false {
				t.Errorf("bulk-b admin_state_up = %v, want false", m["admin_state_up"])
			}

			// A bulk request is all or nothing.
			bad := doc{"networks": []doc{{"name": "bulk-ok"}, {"name": "bulk-bad", "mtu": "big"}}}
			_, _, err = raw(t, c, http.MethodPost, "networks", bad, nil, 201)
			wantError(t, err, 400, "InvalidInput")
			if got := listNetworks(t, c, networks.ListOpts{ProjectID: project, Name: "bulk-ok"}); len(got) != 0 {
				t.Errorf("a failed bulk request left %d of its networks behind", len(got))
			}
		})

		t.Run("If-Match", func(t *testing.T) {
			n := createNetwork(t, c, networks.CreateOpts{Name: "revisions"})
			rev := n.RevisionNumber
			n2 := into[network](t, networks.Update(ctx(t), c, n.ID, networks.UpdateOpts{Name: ptr("rev2"), RevisionNumber: &rev}))
			if n2.Name != "rev2" || n2.RevisionNumber <= rev {
				t.Errorf("update with the current revision: name %q revision %d", n2.Name, n2.RevisionNumber)
			}
			err := networks.Update(ctx(t), c, n.ID, networks.UpdateOpts{Name: ptr("rev3"), RevisionNumber: &rev}).Err
			wantError(t, err, 412, "RevisionNumberConstraintFailed")
			if s := showNetwork(t, c, n.ID); s.Name != "rev2" {
				t.Errorf("name = %q after a refused update, want rev2", s.Name)
			}
			_, _, err = raw(t, c, http.MethodPut, "networks/"+n.ID, doc{"network": doc{"name": "x"}},
				map[string]string{"If-Match": "revision_number=abc"}, 200)
			wantError(t, err, 400, "BadRequest")
			_, _, err = raw(t, c, http.MethodDelete, "networks/"+n.ID, nil,
				map[string]string{"If-Match": "revision_number=1"}, 204)
			wantError(t, err, 412, "RevisionNumberConstraintFailed")
			cur := showNetwork(t, c, n.ID).RevisionNumber
			_, _, err = raw(t, c, http.MethodDelete, "networks/"+n.ID, nil,
				map[string]string{"If-Match": fmt.Sprintf("revision_number=%d", cur)}, 204)
			must(t, err)
			wantError(t, networks.Get(ctx(t), c, n.ID).Err, 404, "NetworkNotFound")
		})

		t.Run("delete and not found", func(t *testing.T) {
			must(t, networks.Delete(ctx(t), c, created.ID).ExtractErr())
			wantErrorMentions(t, networks.Get(ctx(t), c, created.ID).Err, 404, "NetworkNotFound", created.ID)
			wantError(t, networks.Delete(ctx(t), c, created.ID).ExtractErr(), 404, "NetworkNotFound")
			wantError(t, networks.Update(ctx(t), c, missingID, networks.UpdateOpts{Name: ptr("x")}).Err, 404, "NetworkNotFound")
			wantError(t, networks.Get(ctx(t), c, "not-a-uuid").Err, 404, "NetworkNotFound")
			for _, n := range listNetworks(t, c, networks.ListOpts{ProjectID: project}) {
				if n.ID == created.ID {
					t.Errorf("deleted network %s is still listed", n.ID)
				}
			}
		})
	})
}
