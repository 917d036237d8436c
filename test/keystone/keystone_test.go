package keystone

import (
	"net/http"
	"slices"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/external"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/portsbinding"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/quotas"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"

	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func ptr[T any](v T) *T { return &v }

// listNetworks lists the networks the user sees (all pages), by name.
func listNetworks(t *testing.T, u *user, opts networks.ListOpts) map[string]networks.Network {
	t.Helper()
	pages, err := networks.List(u.net, opts).AllPages(t.Context())
	if err != nil {
		t.Fatalf("%s: list networks: %v", u.name, err)
	}
	all, err := networks.ExtractNetworks(pages)
	if err != nil {
		t.Fatalf("%s: list networks: %v", u.name, err)
	}
	byName := map[string]networks.Network{}
	for _, n := range all {
		byName[n.Name] = n
	}
	return byName
}

func createNetwork(t *testing.T, u *user, opts networks.CreateOpts) *networks.Network {
	t.Helper()
	n, err := networks.Create(t.Context(), u.net, opts).Extract()
	if err != nil {
		t.Fatalf("%s: create network %q: %v", u.name, opts.Name, err)
	}
	return n
}

// TestAuthorization drives the server as OpenStack users of three projects
// do: password login against Keystone, the networking endpoint from the
// catalog, and gophercloud requests carrying the Keystone token.
func TestAuthorization(t *testing.T) {
	c := setup(t)
	admin := c.login(t, "admin", "admin")
	demo := c.login(t, "demo", "demo")
	alt := c.login(t, "alt_demo", "alt_demo")
	ctx := t.Context()
	t.Logf("projects: admin %s, demo %s, alt_demo %s", admin.projectID, demo.projectID, alt.projectID)

	t.Run("CatalogEndpoint", func(t *testing.T) {
		for _, u := range []*user{admin, demo, alt} {
			if want := c.srv.URL + "/"; u.net.Endpoint != want {
				t.Errorf("%s: catalog network endpoint %q, want %q", u.name, u.net.Endpoint, want)
			}
			if want := c.srv.URL + "/v2.0/"; u.net.ResourceBase != want {
				t.Errorf("%s: resource base %q, want %q", u.name, u.net.ResourceBase, want)
			}
		}
	})

	// demo's private network, demo's shared network (only admin may create
	// shared networks, so admin makes it for project demo), alt_demo's
	// private network.
	private := createNetwork(t, demo, networks.CreateOpts{Name: "demo-private"})
	if private.TenantID != demo.projectID || private.Shared {
		t.Fatalf("demo-private: tenant %q shared %v, want tenant %q (demo) and not shared", private.TenantID, private.Shared, demo.projectID)
	}
	shared := createNetwork(t, admin, networks.CreateOpts{Name: "demo-shared", Shared: ptr(true), TenantID: demo.projectID})
	if shared.TenantID != demo.projectID || !shared.Shared {
		t.Fatalf("demo-shared: tenant %q shared %v, want tenant %q (demo) and shared", shared.TenantID, shared.Shared, demo.projectID)
	}
	altPrivate := createNetwork(t, alt, networks.CreateOpts{Name: "alt-private"})
	if altPrivate.TenantID != alt.projectID {
		t.Fatalf("alt-private: tenant %q, want %q (alt_demo)", altPrivate.TenantID, alt.projectID)
	}

	t.Run("OwnerSeesOwnNetworks", func(t *testing.T) {
		for _, id := range []string{private.ID, shared.ID} {
			n, err := networks.Get(ctx, demo.net, id).Extract()
			if err != nil {
				t.Errorf("demo: GET own network %s: %v", id, err)
				continue
			}
			if n.TenantID != demo.projectID || n.ProjectID != demo.projectID {
				t.Errorf("demo: network %s has tenant_id %q project_id %q, want %q", id, n.TenantID, n.ProjectID, demo.projectID)
			}
		}
		got := listNetworks(t, demo, networks.ListOpts{})
		for _, name := range []string{"demo-private", "demo-shared"} {
			if _, ok := got[name]; !ok {
				t.Errorf("demo: own network %s missing from the list %v", name, keys(got))
			}
		}
		if _, ok := got["alt-private"]; ok {
			t.Errorf("demo: alt_demo's private network is in demo's list")
		}
	})

	t.Run("OtherProjectPrivateNetworkIsHidden", func(t *testing.T) {
		_, err := networks.Get(ctx, alt.net, private.ID).Extract()
		wantNotFound(t, "alt_demo GET demo's private network", err, "NetworkNotFound")

		got := listNetworks(t, alt, networks.ListOpts{})
		if _, ok := got["demo-private"]; ok {
			t.Errorf("alt_demo: demo's private network is in alt_demo's list %v", keys(got))
		}
		if byID := listNetworks(t, alt, networks.ListOpts{ID: private.ID}); len(byID) != 0 {
			t.Errorf("alt_demo: list with id=%s (demo's private) returned %v, want nothing", private.ID, keys(byID))
		}
		if byTenant := listNetworks(t, alt, networks.ListOpts{TenantID: demo.projectID}); len(byTenant) != 1 || byTenant["demo-shared"].ID != shared.ID {
			t.Errorf("alt_demo: list with tenant_id=demo returned %v, want only demo-shared", keys(byTenant))
		}

		_, err = networks.Update(ctx, alt.net, private.ID, networks.UpdateOpts{Name: ptr("stolen")}).Extract()
		wantNotFound(t, "alt_demo PUT demo's private network", err, "NetworkNotFound")
		err = networks.Delete(ctx, alt.net, private.ID).ExtractErr()
		wantNotFound(t, "alt_demo DELETE demo's private network", err, "NetworkNotFound")
		if n, err := networks.Get(ctx, demo.net, private.ID).Extract(); err != nil || n.Name != "demo-private" {
			t.Errorf("demo: own private network after alt_demo's attempts: %+v, %v", n, err)
		}
	})

	t.Run("SharedNetworkVisible", func(t *testing.T) {
		got := listNetworks(t, alt, networks.ListOpts{})
		if n, ok := got["demo-shared"]; !ok || n.ID != shared.ID || !n.Shared {
			t.Errorf("alt_demo: shared network not in the list as shared: %v", keys(got))
		}
		if shared := listNetworks(t, alt, networks.ListOpts{Shared: ptr(true)}); len(shared) != 1 || shared["demo-shared"].ID == "" {
			t.Errorf("alt_demo: list with shared=true returned %v, want only demo-shared", keys(shared))
		}
		n, err := networks.Get(ctx, alt.net, shared.ID).Extract()
		if err != nil {
			t.Fatalf("alt_demo: GET the shared network: %v", err)
		}
		if n.Name != "demo-shared" || !n.Shared || n.TenantID != demo.projectID {
			t.Errorf("alt_demo: shared network is %+v", n)
		}
	})

	t.Run("SharedNetworkNotOwned", func(t *testing.T) {
		// update_network and delete_network are admin_or_owner; alt_demo can
		// see the network, so Neutron answers 403 rather than 404.
		_, err := networks.Update(ctx, alt.net, shared.ID, networks.UpdateOpts{Name: ptr("renamed-by-alt")}).Extract()
		wantStatus(t, "alt_demo PUT {name} on demo's shared network", err, http.StatusForbidden)
		_, err = networks.Update(ctx, alt.net, shared.ID, networks.UpdateOpts{Shared: ptr(false)}).Extract()
		wantStatus(t, "alt_demo PUT {shared: false} on demo's shared network", err, http.StatusForbidden)
		err = networks.Delete(ctx, alt.net, shared.ID).ExtractErr()
		wantStatus(t, "alt_demo DELETE demo's shared network", err, http.StatusForbidden)

		n, err := networks.Get(ctx, demo.net, shared.ID).Extract()
		if err != nil {
			t.Fatalf("demo: GET own shared network after alt_demo's attempts: %v", err)
		}
		if n.Name != "demo-shared" || !n.Shared {
			t.Errorf("shared network changed by alt_demo's refused requests: name %q shared %v", n.Name, n.Shared)
		}
	})

	t.Run("PortOnOtherProjectPrivateNetwork", func(t *testing.T) {
		_, err := ports.Create(ctx, alt.net, ports.CreateOpts{NetworkID: private.ID, Name: "intruder"}).Extract()
		wantNotFound(t, "alt_demo POST port on demo's private network", err, "NetworkNotFound")
		pages, err := ports.List(admin.net, ports.ListOpts{NetworkID: private.ID}).AllPages(ctx)
		if err != nil {
			t.Fatalf("admin: list ports of demo-private: %v", err)
		}
		if ps, _ := ports.ExtractPorts(pages); len(ps) != 0 {
			t.Errorf("admin: demo-private has ports %+v after alt_demo's refused create", ps)
		}
		_, err = subnets.Create(ctx, alt.net, subnets.CreateOpts{NetworkID: private.ID, CIDR: "10.9.0.0/24", IPVersion: 4}).Extract()
		wantNotFound(t, "alt_demo POST subnet on demo's private network", err, "NetworkNotFound")
	})

	t.Run("PortOnVisibleNetworkOfAnotherProject", func(t *testing.T) {
		// An external network is visible to every project but owned by
		// admin's: a member sees it, yet may not put a port on it (403).
		var ext struct {
			networks.Network
			external.NetworkExternalExt
		}
		err := networks.Create(ctx, admin.net, external.CreateOptsExt{
			CreateOptsBuilder: networks.CreateOpts{Name: "public"}, External: ptr(true),
		}).ExtractInto(&ext)
		if err != nil {
			t.Fatalf("admin: POST network {router:external: true}: %v", err)
		}
		if !ext.External || ext.TenantID != admin.projectID {
			t.Fatalf("admin: external network is %+v", ext)
		}
		if _, err := networks.Get(ctx, alt.net, ext.ID).Extract(); err != nil {
			t.Fatalf("alt_demo: GET the external network: %v", err)
		}
		_, err = ports.Create(ctx, alt.net, ports.CreateOpts{NetworkID: ext.ID, Name: "on-public"}).Extract()
		wantStatus(t, "alt_demo POST port on admin's external network", err, http.StatusForbidden)
		_, err = subnets.Create(ctx, alt.net, subnets.CreateOpts{NetworkID: ext.ID, CIDR: "10.8.0.0/24", IPVersion: 4}).Extract()
		wantStatus(t, "alt_demo POST subnet on admin's external network", err, http.StatusForbidden)
		err = networks.Delete(ctx, alt.net, ext.ID).ExtractErr()
		wantStatus(t, "alt_demo DELETE admin's external network", err, http.StatusForbidden)
	})

	t.Run("MemberCannotCreateShared", func(t *testing.T) {
		for _, u := range []*user{demo, alt} {
			_, err := networks.Create(ctx, u.net, networks.CreateOpts{Name: "member-shared", Shared: ptr(true)}).Extract()
			wantStatus(t, u.name+" POST network {shared: true}", err, http.StatusForbidden)
		}
		if got := listNetworks(t, admin, networks.ListOpts{Name: "member-shared"}); len(got) != 0 {
			t.Errorf("admin: a refused shared network exists: %+v", got)
		}
		// shared=false is every member's right.
		n, err := networks.Create(ctx, demo.net, networks.CreateOpts{Name: "member-unshared", Shared: ptr(false)}).Extract()
		if err != nil {
			t.Fatalf("demo: POST network {shared: false}: %v", err)
		}
		if err := networks.Delete(ctx, demo.net, n.ID).ExtractErr(); err != nil {
			t.Errorf("demo: DELETE own network: %v", err)
		}
	})

	t.Run("AdminSeesAll", func(t *testing.T) {
		got := listNetworks(t, admin, networks.ListOpts{})
		want := map[string]string{"demo-private": demo.projectID, "demo-shared": demo.projectID, "alt-private": alt.projectID}
		for name, tenant := range want {
			n, ok := got[name]
			if !ok {
				t.Errorf("admin: %s missing from the list %v", name, keys(got))
				continue
			}
			if n.TenantID != tenant {
				t.Errorf("admin: %s tenant_id %q, want %q", name, n.TenantID, tenant)
			}
		}
		for _, proj := range []*user{demo, alt} {
			byTenant := listNetworks(t, admin, networks.ListOpts{TenantID: proj.projectID})
			for name, tenant := range want {
				if _, ok := byTenant[name]; ok != (tenant == proj.projectID) {
					t.Errorf("admin: list tenant_id=%s (%s): %s present=%v", proj.projectID, proj.name, name, ok)
				}
			}
		}
		for _, id := range []string{private.ID, shared.ID, altPrivate.ID} {
			if _, err := networks.Get(ctx, admin.net, id).Extract(); err != nil {
				t.Errorf("admin: GET network %s: %v", id, err)
			}
		}
	})

	t.Run("BadTokens", func(t *testing.T) {
		url := c.srv.URL + "/v2.0/networks"
		bogus, empty := "bogus", ""
		for _, tc := range []struct {
			name  string
			token *string
			want  int
		}{
			{"no token", nil, http.StatusUnauthorized},
			{"empty token", &empty, http.StatusUnauthorized},
			{"bogus token", &bogus, http.StatusUnauthorized},
			{"fernet-looking bogus token", ptr("gAAAAABbogusbogusbogusbogusbogusbogusbogus"), http.StatusUnauthorized},
			{"demo's token", &demo.token, http.StatusOK},
		} {
			if got, body := rawGet(t, url, tc.token); got != tc.want {
				t.Errorf("GET %s with %s: got HTTP %d, want %d; body: %.300s", url, tc.name, got, tc.want, body)
			}
		}
		for _, path := range []string{"/v2.0/networks/" + private.ID, "/v2.0/ports", "/v2.0/quotas/" + demo.projectID} {
			if got, body := rawGet(t, c.srv.URL+path, &bogus); got != http.StatusUnauthorized {
				t.Errorf("GET %s with a bogus token: got HTTP %d, want 401; body: %.300s", path, got, body)
			}
		}
	})

	var demoPort string // made by BindingHostID
	t.Run("BindingHostID", func(t *testing.T) {
		p, err := ports.Create(ctx, demo.net, ports.CreateOpts{NetworkID: private.ID, Name: "demo-port"}).Extract()
		if err != nil {
			t.Fatalf("demo: POST port on own network: %v", err)
		}
		demoPort = p.ID
		// A member may not set the binding host; admin may.
		_, err = ports.Update(ctx, demo.net, p.ID, portsbinding.UpdateOptsExt{
			UpdateOptsBuilder: ports.UpdateOpts{}, HostID: ptr("compute-by-demo"),
		}).Extract()
		wantStatus(t, "demo PUT {binding:host_id} on own port", err, http.StatusForbidden)
		var bound struct {
			ports.Port
			portsbinding.PortsBindingExt
		}
		err = ports.Update(ctx, admin.net, p.ID, portsbinding.UpdateOptsExt{
			UpdateOptsBuilder: ports.UpdateOpts{}, HostID: ptr("compute-1"),
		}).ExtractInto(&bound)
		if err != nil {
			t.Fatalf("admin: PUT {binding:host_id} on demo's port: %v", err)
		}
		if bound.HostID != "compute-1" {
			t.Errorf("admin: binding:host_id after update %q, want compute-1", bound.HostID)
		}

		// demo: GET and list hide the attribute.
		r := ports.Get(ctx, demo.net, p.ID)
		if r.Err != nil {
			t.Fatalf("demo: GET own port: %v", r.Err)
		}
		if port, _ := r.Body.(map[string]any)["port"].(map[string]any); port == nil {
			t.Errorf("demo: GET own port: no port in %v", r.Body)
		} else if v, ok := port["binding:host_id"]; ok {
			t.Errorf("demo: GET own port shows binding:host_id = %v; the policy get_port:binding:host_id is admin only", v)
		}
		pages, err := ports.List(demo.net, ports.ListOpts{ID: p.ID}).AllPages(ctx)
		if err != nil {
			t.Fatalf("demo: list own ports: %v", err)
		}
		var listed []map[string]any
		if err := ports.ExtractPortsInto(pages, &listed); err != nil {
			t.Fatalf("demo: list own ports: %v", err)
		}
		if len(listed) != 1 {
			t.Errorf("demo: list id=%s returned %d ports", p.ID, len(listed))
		}
		for _, item := range listed {
			if v, ok := item["binding:host_id"]; ok {
				t.Errorf("demo: listed own port shows binding:host_id = %v", v)
			}
		}

		// admin sees it.
		var got struct {
			ports.Port
			portsbinding.PortsBindingExt
		}
		r = ports.Get(ctx, admin.net, p.ID)
		if err := r.ExtractInto(&got); err != nil {
			t.Fatalf("admin: GET demo's port: %v", err)
		}
		if port, _ := r.Body.(map[string]any)["port"].(map[string]any); port == nil || port["binding:host_id"] != "compute-1" {
			t.Errorf("admin: GET demo's port: binding:host_id = %v (present %v), want compute-1", port["binding:host_id"], port != nil && port["binding:host_id"] != nil)
		}
		if got.TenantID != demo.projectID {
			t.Errorf("admin: demo's port has tenant_id %q", got.TenantID)
		}
	})

	t.Run("OtherProjectPortIsHidden", func(t *testing.T) {
		if demoPort == "" {
			t.Fatal("no port to check: BindingHostID failed before creating demo-port")
		}
		_, err := ports.Get(ctx, alt.net, demoPort).Extract()
		wantNotFound(t, "alt_demo GET demo's port", err, "PortNotFound")
		_, err = ports.Update(ctx, alt.net, demoPort, ports.UpdateOpts{Name: ptr("stolen")}).Extract()
		wantNotFound(t, "alt_demo PUT demo's port", err, "PortNotFound")
		err = ports.Delete(ctx, alt.net, demoPort).ExtractErr()
		wantNotFound(t, "alt_demo DELETE demo's port", err, "PortNotFound")
		pages, err := ports.List(alt.net, ports.ListOpts{}).AllPages(ctx)
		if err != nil {
			t.Fatalf("alt_demo: list ports: %v", err)
		}
		all, _ := ports.ExtractPorts(pages)
		for _, p := range all {
			if p.ID == demoPort || p.TenantID != alt.projectID {
				t.Errorf("alt_demo: list shows port %s of project %s", p.ID, p.TenantID)
			}
		}
		if p, err := ports.Get(ctx, demo.net, demoPort).Extract(); err != nil || p.Name != "demo-port" {
			t.Errorf("demo: own port after alt_demo's attempts: %+v, %v", p, err)
		}
	})

	t.Run("Quotas", func(t *testing.T) {
		q, err := quotas.Get(ctx, demo.net, demo.projectID).Extract()
		if err != nil {
			t.Errorf("demo: GET own quota: %v", err)
		} else if q.Network == 0 || q.Port == 0 {
			t.Errorf("demo: own quota %+v has zero network/port limits", q)
		}
		_, err = quotas.Get(ctx, demo.net, alt.projectID).Extract()
		wantStatus(t, "demo GET alt_demo's quota", err, http.StatusForbidden)
		_, err = quotas.Update(ctx, demo.net, demo.projectID, quotas.UpdateOpts{Network: ptr(1000)}).Extract()
		wantStatus(t, "demo PUT own quota", err, http.StatusForbidden)
		_, err = quotas.Update(ctx, demo.net, alt.projectID, quotas.UpdateOpts{Network: ptr(1000)}).Extract()
		wantStatus(t, "demo PUT alt_demo's quota", err, http.StatusForbidden)
		err = quotas.Delete(ctx, demo.net, demo.projectID).ExtractErr()
		wantStatus(t, "demo DELETE own quota", err, http.StatusForbidden)

		// Nothing changed, and admin may read any project's quota.
		after, err := quotas.Get(ctx, admin.net, demo.projectID).Extract()
		if err != nil {
			t.Fatalf("admin: GET demo's quota: %v", err)
		}
		if q != nil && *after != *q {
			t.Errorf("demo's quota changed by refused requests: %+v, was %+v", after, q)
		}
	})
}

func keys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
