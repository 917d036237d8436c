package integration

import (
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/addressscopes"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/subnetpools"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// scopedNetwork is a network as the address-scope extension shows it.
type scopedNetwork struct {
	ID   string  `json:"id"`
	IPv4 *string `json:"ipv4_address_scope"`
	IPv6 *string `json:"ipv6_address_scope"`
}

// TestAddressScopes: address scopes through gophercloud on SQLite and PostgreSQL — CRUD,
// the one-way shared flag, pools in a scope (IP version, prefixes unique in the scope, the
// scope of a network), a scope in use; one project's private scope is another's 404, a
// shared one is usable by every project but only its owner or an admin changes the pools
// in it.
func TestAddressScopes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project, other = "it-scope", "it-scope-other"
		admin, c, o := e.admin(project), e.member(project), e.member(other)

		s, err := addressscopes.Create(ctx(t), c, addressscopes.CreateOpts{Name: "s4", IPVersion: 4}).Extract()
		must(t, err)
		if s.Name != "s4" || s.IPVersion != 4 || s.Shared || s.ProjectID != project || s.TenantID != project {
			t.Fatalf("new scope %+v", s)
		}
		body := get(t, c, "address-scopes/"+s.ID)["address_scope"].(map[string]any)
		if len(body) != 6 {
			t.Errorf("scope document %v, want id, name, tenant_id, project_id, shared, ip_version only", body)
		}
		name := "renamed"
		u, err := addressscopes.Update(ctx(t), c, s.ID, addressscopes.UpdateOpts{Name: &name}).Extract()
		must(t, err)
		if u.Name != name {
			t.Errorf("renamed scope %+v", u)
		}
		all, err := addressscopes.List(c, addressscopes.ListOpts{Name: name}).AllPages(ctx(t))
		must(t, err)
		if list, err := addressscopes.ExtractAddressScopes(all); err != nil || len(list) != 1 || list[0].ID != s.ID {
			t.Errorf("list by name: %+v %v", list, err)
		}

		// A member may neither create a shared scope nor share one; an admin may share, not
		// unshare.
		_, err = addressscopes.Create(ctx(t), c, addressscopes.CreateOpts{Name: "x", IPVersion: 4, Shared: true}).Extract()
		wantError(t, err, 403, "")
		yes, no := true, false
		_, err = addressscopes.Update(ctx(t), c, s.ID, addressscopes.UpdateOpts{Shared: &yes}).Extract()
		wantError(t, err, 403, "")
		_, err = addressscopes.Create(ctx(t), c, addressscopes.CreateOpts{Name: "x", IPVersion: 5}).Extract()
		wantError(t, err, 400, "")
		shared, err := addressscopes.Create(ctx(t), admin, addressscopes.CreateOpts{Name: "shared", IPVersion: 4, Shared: true}).Extract()
		must(t, err)
		_, err = addressscopes.Update(ctx(t), admin, shared.ID, addressscopes.UpdateOpts{Shared: &no}).Extract()
		wantError(t, err, 400, "AddressScopeUpdateError")

		// Another project: the private scope is 404 to show, update, delete and use.
		_, err = addressscopes.Get(ctx(t), o, s.ID).Extract()
		wantError(t, err, 404, "AddressScopeNotFound")
		_, err = addressscopes.Update(ctx(t), o, s.ID, addressscopes.UpdateOpts{Name: &name}).Extract()
		wantError(t, err, 404, "AddressScopeNotFound")
		wantError(t, addressscopes.Delete(ctx(t), o, s.ID).ExtractErr(), 404, "AddressScopeNotFound")
		_, err = subnetpools.Create(ctx(t), o, subnetpools.CreateOpts{Name: "o", Prefixes: []string{"10.90.0.0/16"}, AddressScopeID: s.ID}).Extract()
		wantError(t, err, 404, "AddressScopeNotFound")
		if _, err := addressscopes.Get(ctx(t), o, shared.ID).Extract(); err != nil {
			t.Errorf("a shared scope is not visible to another project: %v", err)
		}

		// Pools in the scope.
		p1, err := subnetpools.Create(ctx(t), c, subnetpools.CreateOpts{Name: "p1", Prefixes: []string{"10.10.0.0/16"}, DefaultPrefixLen: 24, AddressScopeID: s.ID}).Extract()
		must(t, err)
		if p1.AddressScopeID != s.ID || p1.DefaultPrefixLen != 24 || p1.MinPrefixLen != 8 || p1.MaxPrefixLen != 32 {
			t.Fatalf("pool %+v", p1)
		}
		_, err = subnetpools.Create(ctx(t), c, subnetpools.CreateOpts{Name: "p2", Prefixes: []string{"10.10.128.0/17"}, AddressScopeID: s.ID}).Extract()
		wantError(t, err, 409, "AddressScopePrefixConflict")
		_, err = subnetpools.Create(ctx(t), c, subnetpools.CreateOpts{Name: "v6", Prefixes: []string{"2001:db8::/48"}, AddressScopeID: s.ID}).Extract()
		wantError(t, err, 400, "IllegalSubnetPoolIpVersionAssociationToAddressScope")
		_, err = subnetpools.Create(ctx(t), c, subnetpools.CreateOpts{Name: "bad", Prefixes: []string{"10.11.0.0/16"}, AddressScopeID: "not-a-uuid"}).Extract()
		wantError(t, err, 400, "")
		inShared, err := subnetpools.Create(ctx(t), o, subnetpools.CreateOpts{Name: "in-shared", Prefixes: []string{"10.20.0.0/16"}, AddressScopeID: shared.ID}).Extract()
		must(t, err)
		_, err = subnetpools.Update(ctx(t), o, inShared.ID, subnetpools.UpdateOpts{Prefixes: []string{"10.20.0.0/16", "10.21.0.0/16"}}).Extract()
		wantError(t, err, 400, "IllegalSubnetPoolUpdate")

		// A network shows the scope of its subnets' pool.
		n, err := networks.Create(ctx(t), c, networks.CreateOpts{Name: "scoped"}).Extract()
		must(t, err)
		_, err = subnets.Create(ctx(t), c, subnets.CreateOpts{NetworkID: n.ID, IPVersion: 4, SubnetPoolID: p1.ID}).Extract()
		must(t, err)
		var sn scopedNetwork
		must(t, networks.Get(ctx(t), c, n.ID).ExtractInto(&sn))
		if sn.IPv4 == nil || *sn.IPv4 != s.ID || sn.IPv6 != nil {
			t.Errorf("network scopes %v %v, want %s and null", sn.IPv4, sn.IPv6, s.ID)
		}
		_, err = subnets.Create(ctx(t), c, subnets.CreateOpts{NetworkID: n.ID, IPVersion: 4, CIDR: "192.168.50.0/24"}).Extract()
		wantError(t, err, 400, "NetworkSubnetPoolAffinityError")

		wantError(t, addressscopes.Delete(ctx(t), c, s.ID).ExtractErr(), 409, "AddressScopeInUse")
		_, err = subnetpools.Update(ctx(t), c, p1.ID, subnetpools.UpdateOpts{AddressScopeID: new(string)}).Extract()
		if err == nil {
			// "" is not a UUID: gophercloud cannot send null here, raw does below.
			t.Errorf("address_scope_id \"\" accepted")
		}
		_, _, err = raw(t, c, http.MethodPut, "subnetpools/"+p1.ID, doc{"subnetpool": doc{"address_scope_id": nil}}, nil, 200)
		must(t, err)
		must(t, addressscopes.Delete(ctx(t), c, s.ID).ExtractErr())
		_, err = addressscopes.Get(ctx(t), c, s.ID).Extract()
		wantError(t, err, 404, "AddressScopeNotFound")
	})
}

// TestSubnetPoolBehaviours: prefix lengths rendered as strings, prefix add/remove actions,
// growing (never shrinking) a pool, min/max prefix lengths on allocation, two pools on one
// network refused, and default pools (one per IP version, admin only, used by
// use_default_subnetpool).
func TestSubnetPoolBehaviours(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-pools"
		admin, c := e.admin(project), e.member(project)
		p, err := subnetpools.Create(ctx(t), c, subnetpools.CreateOpts{Name: "p", Prefixes: []string{"10.11.12.0/24"}, MinPrefixLen: 29}).Extract()
		must(t, err)
		d := get(t, c, "subnetpools/"+p.ID)["subnetpool"].(map[string]any)
		if d["min_prefixlen"] != "29" || d["default_prefixlen"] != "29" || d["max_prefixlen"] != "32" {
			t.Errorf("prefix lengths %#v %#v %#v, want the strings Neutron renders", d["min_prefixlen"], d["default_prefixlen"], d["max_prefixlen"])
		}
		out, _, err := raw(t, c, http.MethodPut, "subnetpools/"+p.ID+"/add_prefixes", doc{"prefixes": []string{"192.168.2.0/24", "10.11.0.0/16"}}, nil, 200)
		must(t, err)
		if got := out["prefixes"].([]any); len(got) != 2 || got[0] != "10.11.0.0/16" || got[1] != "192.168.2.0/24" {
			t.Errorf("after add_prefixes: %v", got)
		}
		out, _, err = raw(t, c, http.MethodPut, "subnetpools/"+p.ID+"/remove_prefixes", doc{"prefixes": []string{"192.168.2.0/24"}}, nil, 200)
		must(t, err)
		if got := out["prefixes"].([]any); len(got) != 1 || got[0] != "10.11.0.0/16" {
			t.Errorf("after remove_prefixes: %v", got)
		}
		_, _, err = raw(t, c, http.MethodPut, "subnetpools/"+p.ID+"/add_prefixes", doc{"prefixes": []string{}}, nil, 200)
		wantError(t, err, 400, "")
		_, _, err = raw(t, c, http.MethodPut, "subnetpools/"+p.ID+"/add_prefixes", doc{"prefixes": []string{"2001:db8::/64"}}, nil, 200)
		wantError(t, err, 400, "PrefixVersionMismatch")
		_, err = subnetpools.Update(ctx(t), c, p.ID, subnetpools.UpdateOpts{Prefixes: []string{"10.11.12.0/26"}}).Extract()
		wantError(t, err, 400, "IllegalSubnetPoolPrefixUpdate")
		_, err = subnetpools.Update(ctx(t), c, p.ID, subnetpools.UpdateOpts{MinPrefixLen: 28, MaxPrefixLen: 30}).Extract()
		must(t, err)

		n, err := networks.Create(ctx(t), c, networks.CreateOpts{Name: "n"}).Extract()
		must(t, err)
		_, err = subnets.Create(ctx(t), c, subnets.CreateOpts{NetworkID: n.ID, IPVersion: 4, SubnetPoolID: p.ID, CIDR: "10.11.0.0/27"}).Extract()
		wantError(t, err, 400, "MinPrefixSubnetAllocationError")
		_, err = subnets.Create(ctx(t), c, subnets.CreateOpts{NetworkID: n.ID, IPVersion: 4, SubnetPoolID: p.ID, Prefixlen: 31}).Extract()
		wantError(t, err, 400, "MaxPrefixSubnetAllocationError")
		sub, err := subnets.Create(ctx(t), c, subnets.CreateOpts{NetworkID: n.ID, IPVersion: 4, SubnetPoolID: p.ID}).Extract()
		must(t, err)
		if sub.CIDR != "10.11.0.0/29" {
			t.Errorf("first subnet of the default length: %s", sub.CIDR)
		}
		_, _, err = raw(t, c, http.MethodPut, "subnetpools/"+p.ID+"/remove_prefixes", doc{"prefixes": []string{"10.11.0.0/16"}}, nil, 200)
		wantError(t, err, 400, "IllegalSubnetPoolPrefixUpdate")
		other, err := subnetpools.Create(ctx(t), c, subnetpools.CreateOpts{Name: "other", Prefixes: []string{"10.12.0.0/16"}, DefaultPrefixLen: 24}).Extract()
		must(t, err)
		_, err = subnets.Create(ctx(t), c, subnets.CreateOpts{NetworkID: n.ID, IPVersion: 4, SubnetPoolID: other.ID}).Extract()
		wantError(t, err, 400, "NetworkSubnetPoolAffinityError")
		wantError(t, subnetpools.Delete(ctx(t), c, p.ID).ExtractErr(), 400, "SubnetPoolDeleteError")

		// Default pools.
		_, err = subnetpools.Create(ctx(t), c, subnetpools.CreateOpts{Name: "d", Prefixes: []string{"10.30.0.0/16"}, IsDefault: true}).Extract()
		wantError(t, err, 403, "")
		_, err = subnets.Create(ctx(t), c, doc{"subnet": doc{"network_id": n.ID, "ip_version": 6, "use_default_subnetpool": true}}).Extract()
		wantError(t, err, 400, "BadRequest")
		def, err := subnetpools.Create(ctx(t), admin, subnetpools.CreateOpts{Name: "default", Prefixes: []string{"10.30.0.0/16"}, DefaultPrefixLen: 26, IsDefault: true, Shared: true}).Extract()
		must(t, err)
		if !def.IsDefault {
			t.Errorf("default pool %+v", def)
		}
		_, err = subnetpools.Create(ctx(t), admin, subnetpools.CreateOpts{Name: "default2", Prefixes: []string{"10.31.0.0/16"}, IsDefault: true}).Extract()
		wantError(t, err, 400, "InvalidInput")
		n2, err := networks.Create(ctx(t), c, networks.CreateOpts{Name: "n2"}).Extract()
		must(t, err)
		fromDefault, err := subnets.Create(ctx(t), c, doc{"subnet": doc{"network_id": n2.ID, "ip_version": 4, "use_default_subnetpool": true}}).Extract()
		must(t, err)
		if fromDefault.SubnetPoolID != def.ID || fromDefault.CIDR != "10.30.0.0/26" {
			t.Errorf("subnet from the default pool: pool %s cidr %s", fromDefault.SubnetPoolID, fromDefault.CIDR)
		}
		_, err = subnets.Create(ctx(t), c, doc{"subnet": doc{"network_id": n2.ID, "ip_version": 4, "use_default_subnetpool": true, "subnetpool_id": def.ID}}).Extract()
		wantError(t, err, 400, "BadRequest")
	})
}
