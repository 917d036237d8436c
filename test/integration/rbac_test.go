package integration

import (
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/qos/policies"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/rbacpolicies"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/subnetpools"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// share creates an RBAC policy and fails the test on an error.
func share(t *testing.T, c *gophercloud.ServiceClient, typ, id string, action rbacpolicies.PolicyAction, target string) *rbacpolicies.RBACPolicy {
	t.Helper()
	p, err := rbacpolicies.Create(ctx(t), c, rbacpolicies.CreateOpts{ObjectType: typ, ObjectID: id, Action: action, TargetTenant: target}).Extract()
	if err != nil {
		t.Fatalf("share %s %s with %s (%s): %v", typ, id, target, action, err)
	}
	return p
}

// rbacIDs lists the ids of the RBAC policies a client sees.
func rbacIDs(t *testing.T, c *gophercloud.ServiceClient, opts rbacpolicies.ListOpts) map[string]bool {
	t.Helper()
	pages, err := rbacpolicies.List(c, opts).AllPages(ctx(t))
	must(t, err)
	list, err := rbacpolicies.ExtractRBACPolicies(pages)
	must(t, err)
	out := map[string]bool{}
	for _, p := range list {
		out[p.ID] = true
	}
	return out
}

// networkIDs lists the ids of the networks a client sees.
func networkIDs(t *testing.T, c *gophercloud.ServiceClient) map[string]bool {
	t.Helper()
	pages, err := networks.List(c, networks.ListOpts{}).AllPages(ctx(t))
	must(t, err)
	list, err := networks.ExtractNetworks(pages)
	must(t, err)
	out := map[string]bool{}
	for _, n := range list {
		out[n.ID] = true
	}
	return out
}

// TestRBACNetworks: a network project A shares with project B through an RBAC policy is
// listed, shown and usable for ports by B and stays invisible to C; the policy cannot go
// while B has ports on it; only admins share with everyone; shared=True is a wildcard
// policy. SQLite and PostgreSQL.
func TestRBACNetworks(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const pa, pb, pc = "it-rbac-a", "it-rbac-b", "it-rbac-c"
		a, b, c, admin := e.member(pa), e.member(pb), e.member(pc), e.admin("it-rbac-admin")
		net, sub := newNetwork(t, a, "rbac-net", "10.60.1.0/24")
		_, err := networks.Get(ctx(t), b, net.ID).Extract()
		wantError(t, err, 404, "NetworkNotFound")

		pol := share(t, a, "network", net.ID, rbacpolicies.ActionAccessShared, pb)
		if pol.TenantID != pa || pol.ProjectID != pa || pol.TargetTenant != pb || pol.ObjectType != "network" || pol.Action != "access_as_shared" {
			t.Fatalf("policy %+v", pol)
		}
		// B lists, shows and uses it; it is shared as B sees it, not as A does.
		if got := showNetwork(t, b, net.ID); !got.Shared {
			t.Errorf("B sees shared=%v, want true", got.Shared)
		}
		if got := showNetwork(t, a, net.ID); got.Shared {
			t.Errorf("A sees shared=%v, want false (shared with B only)", got.Shared)
		}
		if !networkIDs(t, b)[net.ID] || networkIDs(t, c)[net.ID] {
			t.Errorf("B lists the network: %v; C lists it: %v; want true, false", networkIDs(t, b)[net.ID], networkIDs(t, c)[net.ID])
		}
		if _, err := subnets.Get(ctx(t), b, sub.ID).Extract(); err != nil {
			t.Errorf("B shows the subnet: %v", err)
		}
		_, err = subnets.Get(ctx(t), c, sub.ID).Extract()
		wantError(t, err, 404, "SubnetNotFound")
		_, err = networks.Get(ctx(t), c, net.ID).Extract()
		wantError(t, err, 404, "NetworkNotFound")
		bp := createPort(t, b, ports.CreateOpts{NetworkID: net.ID, Name: "b-port"})
		_, err = ports.Create(ctx(t), c, ports.CreateOpts{NetworkID: net.ID}).Extract()
		wantError(t, err, 404, "NetworkNotFound")

		// The policy is A's: B does not see it, and cannot share A's network on.
		if !rbacIDs(t, a, rbacpolicies.ListOpts{})[pol.ID] || rbacIDs(t, b, rbacpolicies.ListOpts{})[pol.ID] {
			t.Errorf("A sees its policy and B does not: got %v, %v", rbacIDs(t, a, rbacpolicies.ListOpts{})[pol.ID], rbacIDs(t, b, rbacpolicies.ListOpts{})[pol.ID])
		}
		_, err = rbacpolicies.Create(ctx(t), b, rbacpolicies.CreateOpts{ObjectType: "network", ObjectID: net.ID, Action: rbacpolicies.ActionAccessShared, TargetTenant: pc}).Extract()
		wantError(t, err, 400, "InvalidInput")
		// Bad input is a 4xx.
		for _, bad := range []struct {
			body   doc
			status int
			typ    string
		}{
			{doc{"object_type": "network", "object_id": net.ID, "action": "access_as_shared", "target_tenant": "*"}, 403, "PolicyNotAuthorized"},
			{doc{"object_type": "network", "object_id": net.ID, "action": "access_as_shared", "target_tenant": pb}, 409, "DuplicateRbacPolicy"},
			{doc{"object_type": "network", "object_id": net.ID, "action": "access_as_owner", "target_tenant": pc}, 400, "InvalidActionForType"},
			{doc{"object_type": "router", "object_id": net.ID, "action": "access_as_shared", "target_tenant": pc}, 400, "InvalidInput"},
			{doc{"object_type": "network", "object_id": net.ID, "action": "access_as_shared", "target_tenant": nil}, 400, "HTTPBadRequest"},
			{doc{"object_type": "network", "object_id": "not-a-uuid", "action": "access_as_shared", "target_tenant": pc}, 400, "HTTPBadRequest"},
			{doc{"object_type": 7, "object_id": net.ID, "action": "access_as_shared", "target_tenant": pc}, 400, "InvalidInput"},
		} {
			_, _, err := raw(t, a, "POST", "rbac-policies", doc{"rbac_policy": bad.body}, nil, 201)
			wantError(t, err, bad.status, bad.typ)
		}

		// Removing the policy while B has a port is refused; retargeting it too.
		wantError(t, rbacpolicies.Delete(ctx(t), a, pol.ID).ExtractErr(), 409, "RbacPolicyInUse")
		_, err = rbacpolicies.Update(ctx(t), a, pol.ID, rbacpolicies.UpdateOpts{TargetTenant: pc}).Extract()
		wantError(t, err, 409, "RbacPolicyInUse")
		must(t, ports.Delete(ctx(t), b, bp.ID).ExtractErr())
		moved, err := rbacpolicies.Update(ctx(t), a, pol.ID, rbacpolicies.UpdateOpts{TargetTenant: pc}).Extract()
		must(t, err)
		if moved.TargetTenant != pc || moved.ID != pol.ID {
			t.Errorf("updated policy %+v", moved)
		}
		if _, err := networks.Get(ctx(t), c, net.ID).Extract(); err != nil {
			t.Errorf("C shows the network once it is the target: %v", err)
		}
		must(t, rbacpolicies.Delete(ctx(t), a, pol.ID).ExtractErr())
		_, err = networks.Get(ctx(t), c, net.ID).Extract()
		wantError(t, err, 404, "NetworkNotFound")
		_, err = rbacpolicies.Get(ctx(t), a, pol.ID).Extract()
		wantError(t, err, 404, "RbacPolicyNotFound")

		// shared=True is a wildcard policy of the owner; unsharing with others' ports is 409.
		wide := createNetwork(t, admin, doc{"network": doc{"name": "rbac-wide", "shared": true}})
		createSubnet(t, admin, subnets.CreateOpts{NetworkID: wide.ID, CIDR: "10.60.2.0/24", IPVersion: gophercloud.IPv4})
		wild := rbacIDs(t, admin, rbacpolicies.ListOpts{ObjectID: wide.ID, TargetTenant: "*"})
		if len(wild) != 1 {
			t.Fatalf("wildcard policies of a shared network: %v, want one", wild)
		}
		cp := createPort(t, c, ports.CreateOpts{NetworkID: wide.ID})
		_, err = networks.Update(ctx(t), admin, wide.ID, networks.UpdateOpts{Shared: ptr(false)}).Extract()
		wantError(t, err, 409, "InvalidSharedSetting")
		for id := range wild {
			wantError(t, rbacpolicies.Delete(ctx(t), admin, id).ExtractErr(), 409, "RbacPolicyInUse")
		}
		share(t, admin, "network", wide.ID, rbacpolicies.ActionAccessShared, pc)
		got, err := networks.Update(ctx(t), admin, wide.ID, networks.UpdateOpts{Shared: ptr(false)}).Extract()
		must(t, err)
		if got.Shared {
			t.Errorf("shared after unsharing: %v", got.Shared)
		}
		if !showNetwork(t, c, wide.ID).Shared {
			t.Errorf("C's own policy keeps the network shared with C")
		}
		if len(rbacIDs(t, admin, rbacpolicies.ListOpts{ObjectID: wide.ID, TargetTenant: "*"})) != 0 {
			t.Errorf("the wildcard policy survived shared=false")
		}
		must(t, ports.Delete(ctx(t), c, cp.ID).ExtractErr())
	})
}

// TestRBACExternal: access_as_external makes a network usable as a router gateway and
// floating IP network for its target project only; router:external=True is a wildcard
// policy; the policy cannot go while the project's router has its gateway there.
func TestRBACExternal(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const pb, pc = "it-rbacx-b", "it-rbacx-c"
		admin, b, c := e.admin("it-rbacx-admin"), e.member(pb), e.member(pc)
		ext, _ := l3ExternalNetwork(t, admin, "rbacx-ext", "172.24.60.0/24", "", "")
		wild := rbacIDs(t, admin, rbacpolicies.ListOpts{ObjectID: ext.ID, Action: rbacpolicies.ActionAccessExternal})
		if len(wild) != 1 {
			t.Fatalf("access_as_external policies of an external network: %v, want the wildcard", wild)
		}
		toB := share(t, admin, "network", ext.ID, rbacpolicies.ActionAccessExternal, pb)
		for id := range wild {
			must(t, rbacpolicies.Delete(ctx(t), admin, id).ExtractErr())
		}
		if got := showNetwork(t, admin, ext.ID); !got.External {
			t.Fatalf("router:external false while B's policy remains")
		}
		if got := showNetwork(t, b, ext.ID); !got.External {
			t.Errorf("B sees router:external=false")
		}
		_, err := networks.Get(ctx(t), c, ext.ID).Extract()
		wantError(t, err, 404, "NetworkNotFound")

		r := l3CreateRouter(t, b, routers.CreateOpts{Name: "b-r", GatewayInfo: &routers.GatewayInfo{NetworkID: ext.ID}})
		if _, err := floatingips.Create(ctx(t), b, floatingips.CreateOpts{FloatingNetworkID: ext.ID}).Extract(); err != nil {
			t.Errorf("B allocates a floating IP: %v", err)
		}
		_, err = routers.Create(ctx(t), c, routers.CreateOpts{Name: "c-r", GatewayInfo: &routers.GatewayInfo{NetworkID: ext.ID}}).Extract()
		wantError(t, err, 404, "NetworkNotFound")
		_, err = floatingips.Create(ctx(t), c, floatingips.CreateOpts{FloatingNetworkID: ext.ID}).Extract()
		wantError(t, err, 404, "NetworkNotFound")

		wantError(t, rbacpolicies.Delete(ctx(t), admin, toB.ID).ExtractErr(), 409, "RbacPolicyInUse")
		_, err = routers.Update(ctx(t), b, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{}}).Extract()
		must(t, err)
		// The last access_as_external policy going makes the network internal again.
		must(t, rbacpolicies.Delete(ctx(t), admin, toB.ID).ExtractErr())
		if got := showNetwork(t, admin, ext.ID); got.External {
			t.Errorf("router:external true without access_as_external policies")
		}
	})
}

// TestRBACQoSAndGroups: a QoS policy and a security group shared with project B are shown to
// B (shared=true) and usable on its networks and ports, invisible to C; their policies cannot
// go while B uses them.
func TestRBACQoSAndGroups(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const pb, pc = "it-rbacq-b", "it-rbacq-c"
		admin, b, c := e.admin("it-rbacq-admin"), e.member(pb), e.member(pc)
		qp, err := policies.Create(ctx(t), admin, policies.CreateOpts{Name: "gold"}).Extract()
		must(t, err)
		_, err = policies.Get(ctx(t), b, qp.ID).Extract()
		wantError(t, err, 404, "QosPolicyNotFound")
		qpol := share(t, admin, "qos_policy", qp.ID, rbacpolicies.ActionAccessShared, pb)
		got, err := policies.Get(ctx(t), b, qp.ID).Extract()
		must(t, err)
		if !got.Shared {
			t.Errorf("B sees the QoS policy shared=%v", got.Shared)
		}
		_, err = policies.Get(ctx(t), c, qp.ID).Extract()
		wantError(t, err, 404, "QosPolicyNotFound")
		bn, err := networks.Create(ctx(t), b, policies.NetworkCreateOptsExt{CreateOptsBuilder: networks.CreateOpts{Name: "bq"}, QoSPolicyID: qp.ID}).Extract()
		must(t, err)
		_, err = networks.Create(ctx(t), c, policies.NetworkCreateOptsExt{CreateOptsBuilder: networks.CreateOpts{Name: "cq"}, QoSPolicyID: qp.ID}).Extract()
		wantError(t, err, 404, "QosPolicyNotFound")
		wantError(t, rbacpolicies.Delete(ctx(t), admin, qpol.ID).ExtractErr(), 409, "RbacPolicyInUse")
		must(t, networks.Delete(ctx(t), b, bn.ID).ExtractErr())
		must(t, rbacpolicies.Delete(ctx(t), admin, qpol.ID).ExtractErr())

		sg, err := groups.Create(ctx(t), admin, groups.CreateOpts{Name: "web"}).Extract()
		must(t, err)
		_, err = groups.Get(ctx(t), b, sg.ID).Extract()
		wantError(t, err, 404, "SecurityGroupNotFound")
		spol := share(t, admin, "security_group", sg.ID, rbacpolicies.ActionAccessShared, pb)
		shown := get(t, b, "security-groups/"+sg.ID)["security_group"].(map[string]any)
		if shown["shared"] != true {
			t.Errorf("B sees the group shared=%v", shown["shared"])
		}
		if own := get(t, admin, "security-groups/"+sg.ID)["security_group"].(map[string]any); own["shared"] != false {
			t.Errorf("the owner sees the group shared=%v, want false", own["shared"])
		}
		bnet := createNetwork(t, b, networks.CreateOpts{Name: "bs"})
		bp := createPort(t, b, ports.CreateOpts{NetworkID: bnet.ID, SecurityGroups: &[]string{sg.ID}})
		cnet := createNetwork(t, c, networks.CreateOpts{Name: "cs"})
		_, err = ports.Create(ctx(t), c, ports.CreateOpts{NetworkID: cnet.ID, SecurityGroups: &[]string{sg.ID}}).Extract()
		wantError(t, err, 404, "SecurityGroupNotFound")
		wantError(t, rbacpolicies.Delete(ctx(t), admin, spol.ID).ExtractErr(), 409, "RbacPolicyInUse")
		must(t, ports.Delete(ctx(t), b, bp.ID).ExtractErr())
		must(t, rbacpolicies.Delete(ctx(t), admin, spol.ID).ExtractErr())
		// Deleting an object deletes its policies.
		share(t, admin, "security_group", sg.ID, rbacpolicies.ActionAccessShared, pc)
		must(t, groups.Delete(ctx(t), admin, sg.ID).ExtractErr())
		if left := rbacIDs(t, admin, rbacpolicies.ListOpts{ObjectID: sg.ID}); len(left) != 0 {
			t.Errorf("policies of a deleted group: %v", left)
		}
	})
}

// TestRBACSubnetPoolsAndScopes: a subnet pool an admin shares with project B is shown to B
// and allocates B's subnets, stays invisible to C, and its policy cannot go while B's subnet
// uses it; an address scope shared with A lets A put its pool in it, but A cannot share
// that pool with B, whom the scope does not reach (RbacPolicyInitError). SQLite and
// PostgreSQL.
func TestRBACSubnetPoolsAndScopes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const pa, pb, pc = "it-rbacp-a", "it-rbacp-b", "it-rbacp-c"
		admin, a, b, c := e.admin("it-rbacp-admin"), e.member(pa), e.member(pb), e.member(pc)
		pool, err := subnetpools.Create(ctx(t), admin, subnetpools.CreateOpts{Name: "pool", Prefixes: []string{"10.90.0.0/16"}, DefaultPrefixLen: 24}).Extract()
		must(t, err)
		_, err = subnetpools.Get(ctx(t), b, pool.ID).Extract()
		wantError(t, err, 404, "SubnetPoolNotFound")
		pol := share(t, admin, "subnetpool", pool.ID, rbacpolicies.ActionAccessShared, pb)
		got, err := subnetpools.Get(ctx(t), b, pool.ID).Extract()
		must(t, err)
		if !got.Shared {
			t.Errorf("B sees the pool shared=%v", got.Shared)
		}
		_, err = subnetpools.Get(ctx(t), c, pool.ID).Extract()
		wantError(t, err, 404, "SubnetPoolNotFound")
		bnet := createNetwork(t, b, networks.CreateOpts{Name: "bp"})
		sn, err := subnets.Create(ctx(t), b, subnets.CreateOpts{NetworkID: bnet.ID, IPVersion: 4, SubnetPoolID: pool.ID}).Extract()
		must(t, err)
		if sn.CIDR == "" || sn.SubnetPoolID != pool.ID {
			t.Errorf("B's subnet from the shared pool: cidr %q pool %q", sn.CIDR, sn.SubnetPoolID)
		}
		cnet := createNetwork(t, c, networks.CreateOpts{Name: "cp"})
		_, err = subnets.Create(ctx(t), c, subnets.CreateOpts{NetworkID: cnet.ID, IPVersion: 4, SubnetPoolID: pool.ID}).Extract()
		wantError(t, err, 404, "SubnetPoolNotFound")
		wantError(t, rbacpolicies.Delete(ctx(t), admin, pol.ID).ExtractErr(), 409, "RbacPolicyInUse")
		must(t, subnets.Delete(ctx(t), b, sn.ID).ExtractErr())
		must(t, rbacpolicies.Delete(ctx(t), admin, pol.ID).ExtractErr())

		var scope struct {
			AddressScope struct {
				ID string `json:"id"`
			} `json:"address_scope"`
		}
		_, err = admin.Post(ctx(t), admin.ServiceURL("address-scopes"), map[string]any{"address_scope": map[string]any{"name": "s", "ip_version": 4}}, &scope, nil)
		must(t, err)
		sid := scope.AddressScope.ID
		_, err = subnetpools.Create(ctx(t), a, subnetpools.CreateOpts{Name: "ap", Prefixes: []string{"10.91.0.0/16"}, AddressScopeID: sid}).Extract()
		wantError(t, err, 404, "AddressScopeNotFound")
		share(t, admin, "address_scope", sid, rbacpolicies.ActionAccessShared, pa)
		apool, err := subnetpools.Create(ctx(t), a, subnetpools.CreateOpts{Name: "ap", Prefixes: []string{"10.91.0.0/16"}, AddressScopeID: sid}).Extract()
		must(t, err)
		_, err = rbacpolicies.Create(ctx(t), a, rbacpolicies.CreateOpts{ObjectType: "subnetpool", ObjectID: apool.ID, Action: rbacpolicies.ActionAccessShared, TargetTenant: pb}).Extract()
		wantError(t, err, 400, "RbacPolicyInitError")
		_, err = subnetpools.Get(ctx(t), b, apool.ID).Extract()
		wantError(t, err, 404, "SubnetPoolNotFound")
	})
}
