package integration

import (
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/rbacpolicies"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/rules"
)

// addressGroup creates an address group (gophercloud has no package for them) and returns
// its id.
func addressGroup(t *testing.T, e *env, project string, admin bool, addresses ...string) string {
	t.Helper()
	c := e.member(project)
	if admin {
		c = e.admin(project)
	}
	l := []any{}
	for _, a := range addresses {
		l = append(l, a)
	}
	out, _, err := raw(t, c, http.MethodPost, "address-groups", map[string]any{"address_group": map[string]any{"name": "ag", "addresses": l}}, nil, 201)
	must(t, err)
	return out["address_group"].(map[string]any)["id"].(string)
}

// TestRemoteAddressGroups: a rule names an address group as its remote end (shown and
// filtered by gophercloud), one remote end only, the group cannot be deleted while a rule
// names it; another project cannot name a private group (404) but can once an RBAC policy
// shares it, and that policy cannot be withdrawn while its rule exists (409).
func TestRemoteAddressGroups(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project, other = "it-ag", "it-ag-other"
		a := e.member(project)
		ag := addressGroup(t, e, project, false, "10.0.0.0/24")
		sg, err := groups.Create(ctx(t), a, groups.CreateOpts{Name: "web"}).Extract()
		must(t, err)
		r, err := rules.Create(ctx(t), a, rules.CreateOpts{SecGroupID: sg.ID, Direction: rules.DirIngress, EtherType: rules.EtherType4,
			Protocol: rules.ProtocolTCP, PortRangeMin: 22, PortRangeMax: 22, RemoteAddressGroupID: ag}).Extract()
		must(t, err)
		if r.RemoteAddressGroupID != ag || r.RemoteGroupID != "" || r.RemoteIPPrefix != "" {
			t.Fatalf("rule %+v: want remote_address_group_id %s alone", r, ag)
		}
		pages, err := rules.List(a, rules.ListOpts{RemoteAddressGroupID: ag}).AllPages(ctx(t))
		must(t, err)
		if l, err := rules.ExtractRules(pages); err != nil || len(l) != 1 || l[0].ID != r.ID {
			t.Fatalf("rules filtered by remote_address_group_id: %+v %v", l, err)
		}
		// The same rule again is a duplicate; one with another remote end is not.
		_, err = rules.Create(ctx(t), a, rules.CreateOpts{SecGroupID: sg.ID, Direction: rules.DirIngress, EtherType: rules.EtherType4,
			Protocol: rules.ProtocolTCP, PortRangeMin: 22, PortRangeMax: 22, RemoteAddressGroupID: ag}).Extract()
		wantError(t, err, 409, "SecurityGroupRuleExists")
		// One remote end at most.
		_, err = rules.Create(ctx(t), a, rules.CreateOpts{SecGroupID: sg.ID, Direction: rules.DirIngress, EtherType: rules.EtherType4,
			RemoteAddressGroupID: ag, RemoteIPPrefix: "10.1.0.0/16"}).Extract()
		wantError(t, err, 400, "SecurityGroupMultipleRemoteEntites")
		_, err = rules.Create(ctx(t), a, rules.CreateOpts{SecGroupID: sg.ID, Direction: rules.DirIngress, EtherType: rules.EtherType4,
			RemoteAddressGroupID: ag, RemoteGroupID: sg.ID}).Extract()
		wantError(t, err, 400, "SecurityGroupMultipleRemoteEntites")
		_, err = rules.Create(ctx(t), a, rules.CreateOpts{SecGroupID: sg.ID, Direction: rules.DirIngress, EtherType: rules.EtherType4,
			RemoteAddressGroupID: "00000000-0000-4000-8000-000000000000"}).Extract()
		wantError(t, err, 404, "AddressGroupNotFound")
		// In use: no delete.
		_, _, err = raw(t, a, http.MethodDelete, "address-groups/"+ag, nil, nil, 204)
		wantError(t, err, 409, "AddressGroupInUse")

		// Another project: a private group is as missing as an unknown one.
		b := e.member(other)
		bsg, err := groups.Create(ctx(t), b, groups.CreateOpts{Name: "b"}).Extract()
		must(t, err)
		_, err = rules.Create(ctx(t), b, rules.CreateOpts{SecGroupID: bsg.ID, Direction: rules.DirIngress, EtherType: rules.EtherType4, RemoteAddressGroupID: ag}).Extract()
		wantError(t, err, 404, "AddressGroupNotFound")
		_, _, err = raw(t, b, http.MethodGet, "address-groups/"+ag, nil, nil, 200)
		wantError(t, err, 404, "AddressGroupNotFound")

		// Shared by an admin's RBAC policy: B sees it (without `shared` in the document), can
		// name it, cannot change it (404, as Neutron hides what it may not update).
		pol := share(t, e.admin(project), "address_group", ag, rbacpolicies.ActionAccessShared, other)
		got := get(t, b, "address-groups/"+ag)["address_group"].(map[string]any)
		if _, has := got["shared"]; has || got["id"] != ag {
			t.Fatalf("shared group as B sees it: %v", got)
		}
		br, err := rules.Create(ctx(t), b, rules.CreateOpts{SecGroupID: bsg.ID, Direction: rules.DirIngress, EtherType: rules.EtherType4, RemoteAddressGroupID: ag}).Extract()
		must(t, err)
		_, _, err = raw(t, b, http.MethodPut, "address-groups/"+ag, map[string]any{"address_group": map[string]any{"name": "mine"}}, nil, 200)
		wantError(t, err, 404, "")
		_, _, err = raw(t, b, http.MethodPut, "address-groups/"+ag+"/add_addresses", map[string]any{"addresses": []any{"10.9.9.9/32"}}, nil, 200)
		wantError(t, err, 404, "")
		// B's rule depends on the policy.
		wantError(t, rbacpolicies.Delete(ctx(t), e.admin(project), pol.ID).ExtractErr(), 409, "RbacPolicyInUse")
		must(t, rules.Delete(ctx(t), b, br.ID).ExtractErr())
		must(t, rbacpolicies.Delete(ctx(t), e.admin(project), pol.ID).ExtractErr())
		_, _, err = raw(t, b, http.MethodGet, "address-groups/"+ag, nil, nil, 200)
		wantError(t, err, 404, "AddressGroupNotFound")

		// Without rules naming it, the group goes (and its policies with it).
		must(t, rules.Delete(ctx(t), a, r.ID).ExtractErr())
		_, _, err = raw(t, a, http.MethodDelete, "address-groups/"+ag, nil, nil, 204)
		must(t, err)
	})
}
