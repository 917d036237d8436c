package integration

import (
	"net/http"
	"net/netip"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"

	"github.com/midonet-go/midonet/test/testenv"
)

// This file holds what the L3 tests (l3_*_test.go) share: request bodies
// gophercloud's typed options cannot express, a per-backend runner that takes
// server options, and shortcuts for routers, interfaces and floating IPs.

// l3body is a whole L3 request body (router or floating IP create,
// add/remove_router_interface, add/remove_extraroutes) for requests the
// typed options cannot express: the extraroute `source`, explicit nulls,
// both or neither of subnet_id and port_id.
type l3body map[string]any

func (b l3body) ToRouterCreateMap() (map[string]any, error)          { return b, nil }
func (b l3body) ToFloatingIPCreateMap() (map[string]any, error)      { return b, nil }
func (b l3body) ToRouterAddInterfaceMap() (map[string]any, error)    { return b, nil }
func (b l3body) ToRouterRemoveInterfaceMap() (map[string]any, error) { return b, nil }
func (b l3body) ToExtraRoutesUpdateMap() (map[string]any, error)     { return b, nil }

// l3update is a whole router or floating IP update body (a struct, since
// gophercloud's Update reads headers from the options' struct tags).
type l3update struct{ body l3body }

func (u l3update) ToRouterUpdateMap() (map[string]any, error)     { return u.body, nil }
func (u l3update) ToFloatingIPUpdateMap() (map[string]any, error) { return u.body, nil }

// l3ForEachBackend is forEachBackend with server options (a Config text):
// body runs once per backend, in parallel, each on a fresh noauth server.
func l3ForEachBackend(t *testing.T, o testenv.Options, body func(t *testing.T, e *env)) {
	t.Helper()
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			body(t, &env{srv: testenv.StartServer(t, b.options(o))})
		})
	}
}

// l3IfaceInfo is the whole answer of add/remove_router_interface.
type l3IfaceInfo struct {
	ID        string   `json:"id"`
	TenantID  string   `json:"tenant_id"`
	PortID    string   `json:"port_id"`
	SubnetID  string   `json:"subnet_id"`
	SubnetIDs []string `json:"subnet_ids"`
	NetworkID string   `json:"network_id"`
}

// l3ExternalNetwork creates an external network (router:external, so the
// client must be an admin) with one subnet on cidr whose allocation pool is
// [start, end]; empty start and end leave the default pool.
func l3ExternalNetwork(t *testing.T, c *gophercloud.ServiceClient, name, cidr, start, end string) (network, subnets.Subnet) {
	t.Helper()
	n := createNetwork(t, c, doc{"network": doc{"name": name, "router:external": true}})
	if !n.External {
		t.Fatalf("network %s: router:external = false after creating it external", name)
	}
	opts := subnets.CreateOpts{NetworkID: n.ID, CIDR: cidr, IPVersion: gophercloud.IPv4, Name: name + "-subnet"}
	if start != "" {
		opts.AllocationPools = []subnets.AllocationPool{{Start: start, End: end}}
	}
	return n, createSubnet(t, c, opts)
}

func l3CreateRouter(t *testing.T, c *gophercloud.ServiceClient, opts routers.CreateOptsBuilder) routers.Router {
	t.Helper()
	r, err := routers.Create(ctx(t), c, opts).Extract()
	if err != nil {
		t.Fatalf("create router: %v", err)
	}
	return *r
}

func l3GetRouter(t *testing.T, c *gophercloud.ServiceClient, id string) routers.Router {
	t.Helper()
	r, err := routers.Get(ctx(t), c, id).Extract()
	if err != nil {
		t.Fatalf("show router %s: %v", id, err)
	}
	return *r
}

func l3UpdateRouter(t *testing.T, c *gophercloud.ServiceClient, id string, opts routers.UpdateOptsBuilder) routers.Router {
	t.Helper()
	r, err := routers.Update(ctx(t), c, id, opts).Extract()
	if err != nil {
		t.Fatalf("update router %s: %v", id, err)
	}
	return *r
}

// l3RawRouter is GET /v2.0/routers/{id} as a generic map (to tell null from
// absent, and to see attributes gophercloud does not decode).
func l3RawRouter(t *testing.T, c *gophercloud.ServiceClient, id string) map[string]any {
	t.Helper()
	r, _ := get(t, c, "routers/"+id)["router"].(map[string]any)
	return r
}

func l3AddInterface(t *testing.T, c *gophercloud.ServiceClient, routerID string, opts routers.AddInterfaceOptsBuilder) l3IfaceInfo {
	t.Helper()
	return into[l3IfaceInfo](t, routers.AddInterface(ctx(t), c, routerID, opts))
}

func l3RemoveInterface(t *testing.T, c *gophercloud.ServiceClient, routerID string, opts routers.RemoveInterfaceOptsBuilder) l3IfaceInfo {
	t.Helper()
	return into[l3IfaceInfo](t, routers.RemoveInterface(ctx(t), c, routerID, opts))
}

func l3CreateFIP(t *testing.T, c *gophercloud.ServiceClient, opts floatingips.CreateOptsBuilder) floatingips.FloatingIP {
	t.Helper()
	f, err := floatingips.Create(ctx(t), c, opts).Extract()
	if err != nil {
		t.Fatalf("create floating IP: %v", err)
	}
	return *f
}

func l3GetFIP(t *testing.T, c *gophercloud.ServiceClient, id string) floatingips.FloatingIP {
	t.Helper()
	f, err := floatingips.Get(ctx(t), c, id).Extract()
	if err != nil {
		t.Fatalf("show floating IP %s: %v", id, err)
	}
	return *f
}

func l3UpdateFIP(t *testing.T, c *gophercloud.ServiceClient, id string, opts floatingips.UpdateOptsBuilder) floatingips.FloatingIP {
	t.Helper()
	f, err := floatingips.Update(ctx(t), c, id, opts).Extract()
	if err != nil {
		t.Fatalf("update floating IP %s: %v", id, err)
	}
	return *f
}

func l3ListFIPs(t *testing.T, c *gophercloud.ServiceClient, opts floatingips.ListOpts) []floatingips.FloatingIP {
	t.Helper()
	page, err := floatingips.List(c, opts).AllPages(ctx(t))
	if err != nil {
		t.Fatalf("list floating IPs: %v", err)
	}
	out, err := floatingips.ExtractFloatingIPs(page)
	if err != nil {
		t.Fatalf("extract floating IPs: %v", err)
	}
	return out
}

func l3ListRouters(t *testing.T, c *gophercloud.ServiceClient, opts routers.ListOpts) []routers.Router {
	t.Helper()
	page, err := routers.List(c, opts).AllPages(ctx(t))
	if err != nil {
		t.Fatalf("list routers: %v", err)
	}
	out, err := routers.ExtractRouters(page)
	if err != nil {
		t.Fatalf("extract routers: %v", err)
	}
	return out
}

// l3DevicePorts lists the ports whose device_id is id (with an owner, those
// of that owner only).
func l3DevicePorts(t *testing.T, c *gophercloud.ServiceClient, id, owner string) []port {
	t.Helper()
	return listPorts(t, c, ports.ListOpts{DeviceID: id, DeviceOwner: owner})
}

// l3InCIDR reports whether ip lies in cidr.
func l3InCIDR(ip, cidr string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	p, err := netip.ParsePrefix(cidr)
	return err == nil && p.Contains(a)
}

// l3Put sends PUT path with body as the given client and returns the answer.
func l3Put(t *testing.T, c *gophercloud.ServiceClient, path string, body any, ok ...int) (map[string]any, int, error) {
	t.Helper()
	return raw(t, c, http.MethodPut, path, body, nil, ok...)
}

// l3Keys returns the sorted keys of m.
func l3Keys(m map[string]any) []string { return sortedKeys(m) }

// l3Str is a JSON string value, or "" for anything else.
func l3Str(v any) string {
	s, _ := v.(string)
	return s
}
