package integration

import (
	"net/http"
	"sort"
	"sync"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/quotas"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/subnetpools"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// gophercloud has no auto-allocated-topology package: these helpers use its ServiceClient
// with raw JSON, as openstacksdk's AutoAllocatedTopology resource does.

// aaPath is the topology URL of project ("None": the caller's own, as tempest asks).
func aaPath(project string) string { return "auto-allocated-topology/" + project }

// aaGet asks for a project's topology and returns its network id.
func aaGet(t *testing.T, c *gophercloud.ServiceClient, project string) (string, error) {
	t.Helper()
	out, _, err := raw(t, c, http.MethodGet, aaPath(project), nil, nil, 200)
	if err != nil {
		return "", err
	}
	top, _ := out["auto_allocated_topology"].(map[string]any)
	id, _ := top["id"].(string)
	if id == "" {
		t.Fatalf("GET %s answered %v: no id", aaPath(project), out)
	}
	return id, nil
}

// aaDelete deletes a project's topology.
func aaDelete(t *testing.T, c *gophercloud.ServiceClient, project string) error {
	t.Helper()
	_, _, err := raw(t, c, http.MethodDelete, aaPath(project), nil, nil, 204)
	return err
}

// aaPrerequisites makes what auto-allocation needs: a default external network (with a
// subnet) and default IPv4 and IPv6 pools, shared. It returns the external network.
func aaPrerequisites(t *testing.T, admin *gophercloud.ServiceClient) network {
	t.Helper()
	ext := createNetwork(t, admin, doc{"network": doc{"name": "public", "router:external": true, "is_default": true}})
	createSubnet(t, admin, subnets.CreateOpts{NetworkID: ext.ID, CIDR: "172.24.4.0/24", IPVersion: gophercloud.IPv4, Name: "public-v4"})
	for _, p := range []subnetpools.CreateOpts{
		{Name: "default-v4", Prefixes: []string{"10.250.0.0/16"}, DefaultPrefixLen: 26, IsDefault: true, Shared: true},
		{Name: "default-v6", Prefixes: []string{"2001:db8:250::/48"}, DefaultPrefixLen: 64, IsDefault: true, Shared: true},
	} {
		_, err := subnetpools.Create(ctx(t), admin, p).Extract()
		must(t, err)
	}
	return ext
}

// aaCount is what a project has of each kind whose name begins with auto_allocated_
// (tempest's _count_topology_resources), and its ports.
type aaCount struct{ networks, subnets, routers, ports int }

func aaCountOf(t *testing.T, admin *gophercloud.ServiceClient, project string) aaCount {
	t.Helper()
	var n aaCount
	np, err := networks.List(admin, networks.ListOpts{TenantID: project}).AllPages(ctx(t))
	must(t, err)
	nets, err := networks.ExtractNetworks(np)
	must(t, err)
	n.networks = len(nets)
	sp, err := subnets.List(admin, subnets.ListOpts{TenantID: project}).AllPages(ctx(t))
	must(t, err)
	subs, err := subnets.ExtractSubnets(sp)
	must(t, err)
	n.subnets = len(subs)
	rp, err := routers.List(admin, routers.ListOpts{TenantID: project}).AllPages(ctx(t))
	must(t, err)
	rs, err := routers.ExtractRouters(rp)
	must(t, err)
	n.routers = len(rs)
	pp, err := ports.List(admin, ports.ListOpts{TenantID: project}).AllPages(ctx(t))
	must(t, err)
	ps, err := ports.ExtractPorts(pp)
	must(t, err)
	n.ports = len(ps)
	return n
}

// TestAutoAllocatedTopology: GET /v2.0/auto-allocated-topology/{project} gives a project a
// network with a subnet from each default pool and a router on the default external network,
// the same one on every later GET; dry-run checks the prerequisites (Neutron's 409
// AutoAllocationFailure without them) and makes nothing; DELETE takes it all apart. Another
// project gets 403 NotAuthorized for it; an admin may build and delete it for the project.
// is_default: one default external network at most, its wildcard RBAC policy stays. SQLite,
// PostgreSQL and MariaDB.
func TestAutoAllocatedTopology(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const pa, pb = "it-aa-a", "it-aa-b"
		admin, a, b := e.admin("it-aa-admin"), e.member(pa), e.member(pb)

		// Without a default external network, and then without default pools: 409.
		_, _, err := raw(t, a, http.MethodGet, aaPath("None")+"?fields=dry-run", nil, nil, 200)
		wantErrorMentions(t, err, 409, "AutoAllocationFailure", "No default router:external network")
		_, err = aaGet(t, a, "None")
		wantErrorMentions(t, err, 409, "AutoAllocationFailure", "No default router:external network")
		ext := createNetwork(t, admin, doc{"network": doc{"name": "public", "router:external": true, "is_default": true}})
		_, _, err = raw(t, a, http.MethodGet, aaPath("None")+"?fields=dry-run", nil, nil, 200)
		wantErrorMentions(t, err, 409, "AutoAllocationFailure", "No default subnetpools defined")
		must(t, networks.Delete(ctx(t), admin, ext.ID).ExtractErr())
		aaPrerequisites(t, admin)
		if got := aaCountOf(t, admin, pa); got != (aaCount{}) {
			t.Fatalf("the failed requests left %+v", got)
		}

		t.Run("dry run", func(t *testing.T) {
			out := get(t, a, aaPath("None")+"?fields=dry-run")
			top, _ := out["auto_allocated_topology"].(map[string]any)
			if top["id"] != "dry-run=pass" || top["tenant_id"] != pa || top["project_id"] != pa {
				t.Errorf("dry run answered %v", out)
			}
			if got := aaCountOf(t, admin, pa); got != (aaCount{}) {
				t.Errorf("a dry run made %+v", got)
			}
			_, _, err := raw(t, a, http.MethodGet, aaPath("None")+"?fields=id", nil, nil, 200)
			wantError(t, err, 400, "BadRequest")
		})

		t.Run("create, idempotent, delete", func(t *testing.T) {
			netID, err := aaGet(t, a, "None")
			must(t, err)
			net := showNetwork(t, a, netID)
			if net.Name != "auto_allocated_network" || !net.AdminStateUp || net.TenantID != pa || net.Shared {
				t.Errorf("network %+v", net)
			}
			sp, err := subnets.List(a, subnets.ListOpts{NetworkID: netID}).AllPages(ctx(t))
			must(t, err)
			subs, err := subnets.ExtractSubnets(sp)
			must(t, err)
			var names []string
			for _, s := range subs {
				names = append(names, s.Name+" "+s.CIDR)
			}
			sort.Strings(names)
			if len(names) != 2 || names[0] != "auto_allocated_subnet_v4 10.250.0.0/26" || names[1] != "auto_allocated_subnet_v6 2001:db8:250::/64" {
				t.Errorf("subnets %v", names)
			}
			rp, err := routers.List(a, routers.ListOpts{Name: "auto_allocated_router"}).AllPages(ctx(t))
			must(t, err)
			rs, err := routers.ExtractRouters(rp)
			must(t, err)
			if len(rs) != 1 || rs[0].GatewayInfo.NetworkID == "" || rs[0].TenantID != pa {
				t.Fatalf("routers %+v", rs)
			}
			ifaces, err := ports.List(a, ports.ListOpts{DeviceID: rs[0].ID, DeviceOwner: "network:router_interface"}).AllPages(ctx(t))
			must(t, err)
			ips, err := ports.ExtractPorts(ifaces)
			must(t, err)
			if len(ips) != 2 {
				t.Errorf("router interfaces %d, want 2 (one per subnet)", len(ips))
			}
			before := aaCountOf(t, admin, pa)
			if before.networks != 1 || before.subnets != 2 || before.routers != 1 {
				t.Errorf("after the first GET: %+v", before)
			}

			// Idempotent: the same network, nothing more made; by the project's id too.
			again, err := aaGet(t, a, pa)
			must(t, err)
			if again != netID || aaCountOf(t, admin, pa) != before {
				t.Errorf("second GET: %s (first %s), %+v (first %+v)", again, netID, aaCountOf(t, admin, pa), before)
			}

			// Project B neither sees nor deletes A's topology (Neutron's 403 NotAuthorized).
			_, err = aaGet(t, b, pa)
			wantError(t, err, 403, "NotAuthorized")
			wantError(t, aaDelete(t, b, pa), 403, "NotAuthorized")
			if aaCountOf(t, admin, pa) != before || aaCountOf(t, admin, pb) != (aaCount{}) {
				t.Errorf("B's requests changed something: A %+v, B %+v", aaCountOf(t, admin, pa), aaCountOf(t, admin, pb))
			}

			must(t, aaDelete(t, a, "None"))
			if got := aaCountOf(t, admin, pa); got != (aaCount{}) {
				t.Errorf("after DELETE the project has %+v", got)
			}
			// Deleting what is not there is no error; the next GET builds afresh.
			must(t, aaDelete(t, a, "None"))
			fresh, err := aaGet(t, a, "None")
			must(t, err)
			if fresh == netID {
				t.Errorf("GET after DELETE answered the deleted network %s", netID)
			}
			must(t, aaDelete(t, a, pa))
		})

		t.Run("admin for a project", func(t *testing.T) {
			netID, err := aaGet(t, admin, pb)
			must(t, err)
			if n := showNetwork(t, b, netID); n.TenantID != pb {
				t.Errorf("the admin's topology for B: network of %s", n.TenantID)
			}
			mine, err := aaGet(t, b, "None")
			must(t, err)
			if mine != netID {
				t.Errorf("B finds %s, the admin made %s", mine, netID)
			}
			must(t, aaDelete(t, admin, pb))
			if got := aaCountOf(t, admin, pb); got != (aaCount{}) {
				t.Errorf("after the admin's DELETE B has %+v", got)
			}
		})

		t.Run("a network of the project's own keeps the topology", func(t *testing.T) {
			netID, err := aaGet(t, a, "None")
			must(t, err)
			createPort(t, a, ports.CreateOpts{NetworkID: netID, Name: "vm"})
			before := aaCountOf(t, admin, pa)
			wantError(t, aaDelete(t, a, "None"), 409, "NetworkInUse")
			if got := aaCountOf(t, admin, pa); got != before {
				t.Errorf("a refused DELETE changed %+v into %+v", before, got)
			}
			again, err := aaGet(t, a, "None")
			must(t, err)
			if again != netID {
				t.Errorf("after the refused DELETE: %s, want %s", again, netID)
			}
		})

		t.Run("is_default", func(t *testing.T) {
			other := createNetwork(t, admin, doc{"network": doc{"name": "public2", "router:external": true}})
			_, err := networks.Update(ctx(t), admin, other.ID, update{doc{"network": doc{"is_default": true}}}).Extract()
			wantError(t, err, 409, "DefaultExternalNetworkExists")
			_, err = networks.Create(ctx(t), admin, doc{"network": doc{"name": "public3", "router:external": true, "is_default": true}}).Extract()
			wantError(t, err, 409, "DefaultExternalNetworkExists")
			_, err = networks.Update(ctx(t), a, showNetwork(t, a, mustAA(t, a)).ID, update{doc{"network": doc{"is_default": true}}}).Extract()
			wantError(t, err, 403, "PolicyNotAuthorized")
			out := get(t, admin, "networks?is_default=true")
			if l, _ := out["networks"].([]any); len(l) != 1 {
				t.Errorf("is_default=true lists %d networks, want 1", len(l))
			}
			// A network that is not external is never the default.
			internal := createNetwork(t, admin, doc{"network": doc{"name": "private", "is_default": true}})
			if d := get(t, admin, "networks/"+internal.ID)["network"].(map[string]any); d["is_default"] != false {
				t.Errorf("an internal network shows is_default %v", d["is_default"])
			}
			// The default network's wildcard access_as_external policy cannot go.
			ps := get(t, admin, "rbac-policies?action=access_as_external&target_tenant=*")
			for _, x := range ps["rbac_policies"].([]any) {
				p := x.(map[string]any)
				n := get(t, admin, "networks/"+p["object_id"].(string))["network"].(map[string]any)
				if n["is_default"] != true {
					continue
				}
				_, _, err := raw(t, admin, http.MethodDelete, "rbac-policies/"+p["id"].(string), nil, nil, 204)
				wantErrorMentions(t, err, 409, "RbacPolicyInUse", "Default external networks must be shared to everyone")
			}
		})
	})
}

// mustAA is the caller's topology network, made if needed.
func mustAA(t *testing.T, c *gophercloud.ServiceClient) string {
	t.Helper()
	id, err := aaGet(t, c, "None")
	must(t, err)
	return id
}

// TestAutoAllocatedTopologyRaceAndQuota: concurrent first GETs of one project make one
// topology and all answer its network; a project whose router quota is used up gets 409
// OverQuota and nothing of the topology is left (network, subnets, ports, pool prefixes);
// with quota again, it gets its topology. SQLite, PostgreSQL and MariaDB.
func TestAutoAllocatedTopologyRaceAndQuota(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const pr, pq = "it-aa-race", "it-aa-quota"
		admin := e.admin("it-aa-admin")
		aaPrerequisites(t, admin)

		t.Run("concurrent GETs", func(t *testing.T) {
			c := e.member(pr)
			const n = 6
			ids := make([]string, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ids[i], errs[i] = aaGet(t, c, "None")
				}()
			}
			wg.Wait()
			for i := range n {
				must(t, errs[i])
				if ids[i] != ids[0] {
					t.Errorf("GET %d answered %s, GET 0 %s", i, ids[i], ids[0])
				}
			}
			if got := aaCountOf(t, admin, pr); got.networks != 1 || got.subnets != 2 || got.routers != 1 {
				t.Errorf("after %d concurrent GETs: %+v, want one topology", n, got)
			}
		})

		t.Run("quota exceeded leaves nothing", func(t *testing.T) {
			c := e.member(pq)
			_, err := quotas.Update(ctx(t), admin, pq, quotas.UpdateOpts{Router: ptr(0)}).Extract()
			must(t, err)
			_, err = aaGet(t, c, "None")
			wantErrorMentions(t, err, 409, "OverQuota", "router")
			if got := aaCountOf(t, admin, pq); got != (aaCount{}) {
				t.Errorf("a refused topology left %+v", got)
			}
			_, err = quotas.Update(ctx(t), admin, pq, quotas.UpdateOpts{Router: ptr(10)}).Extract()
			must(t, err)
			netID, err := aaGet(t, c, "None")
			must(t, err)
			if got := aaCountOf(t, admin, pq); got.networks != 1 || got.subnets != 2 || got.routers != 1 {
				t.Errorf("with quota again: %+v", got)
			}
			// The refused attempt took no prefix of the pool: the race project has the first
			// /26, this one the second.
			sp, err := subnets.List(c, subnets.ListOpts{NetworkID: netID, IPVersion: 4}).AllPages(ctx(t))
			must(t, err)
			subs, err := subnets.ExtractSubnets(sp)
			must(t, err)
			if len(subs) != 1 || subs[0].CIDR != "10.250.0.64/26" {
				t.Errorf("IPv4 subnet %+v, want 10.250.0.64/26", subs)
			}
		})
	})
}
