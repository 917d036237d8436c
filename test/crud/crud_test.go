// Package crud_test runs one table of create / show / update / list / delete cases for every
// core and L3 collection the API serves, and the router actions, through gophercloud — the same test bodies
// twice, as etcd's tests/common does: against the API in process (app.InProcessAPI: the
// serve wiring on SQLite without a backend) and against the real `midonet serve` binary.
package crud_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/rules"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/subnetpools"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"

	"github.com/midonet-go/midonet/internal/app"
	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const project = "crud-project"

func client(url string, transport http.RoundTripper) *gophercloud.ServiceClient {
	pc := &gophercloud.ProviderClient{HTTPClient: http.Client{Transport: transport, Timeout: 60 * time.Second}}
	return &gophercloud.ServiceClient{ProviderClient: pc, Endpoint: url + "/", ResourceBase: url + "/v2.0/", Type: "network",
		// noauth: no X-Roles makes the caller an admin of this project (external networks).
		MoreHeaders: map[string]string{"X-Project-Id": project, "X-User-Id": "crud-user"}}
}

// targets are the two ways the same bodies run.
func targets(t *testing.T) map[string]func(t *testing.T) *gophercloud.ServiceClient {
	return map[string]func(t *testing.T) *gophercloud.ServiceClient{
		"in-process": func(t *testing.T) *gophercloud.ServiceClient {
			srv, done, err := app.InProcessAPI(t.Context(), app.Options{DataDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(done)
			return client("http://crud.test", testenv.HandlerTransport{Handler: srv})
		},
		"binary": func(t *testing.T) *gophercloud.ServiceClient {
			srv := testenv.StartServer(t, testenv.Options{})
			return client(srv.URL, http.DefaultTransport)
		},
	}
}

func TestCRUD(t *testing.T) {
	for name, start := range targets(t) {
		t.Run(name, func(t *testing.T) {
			c := start(t)
			fx := newFixture(t, c)
			for _, tc := range cases(fx) {
				t.Run(tc.path, func(t *testing.T) { runCase(t, c, tc) })
			}
		})
	}
}

func TestRouterActions(t *testing.T) {
	for name, start := range targets(t) {
		t.Run(name, func(t *testing.T) {
			c := start(t)
			routerActions(t, c, newFixture(t, c))
		})
	}
}

// fixture is what the cases build on: a tenant network with a subnet and an external
// network with a subnet.
type fixture struct {
	net, subnet, extNet, extSubnet string
}

func fatal(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newFixture(t *testing.T, c *gophercloud.ServiceClient) *fixture {
	ctx := t.Context()
	ext := true
	fx := &fixture{}
	n, err := networks.Create(ctx, c, networks.CreateOpts{Name: "fixture"}).Extract()
	fatal(t, err)
	fx.net = n.ID
	s, err := subnets.Create(ctx, c, subnets.CreateOpts{NetworkID: fx.net, CIDR: "10.40.0.0/24", IPVersion: 4}).Extract()
	fatal(t, err)
	fx.subnet = s.ID
	n, err = networks.Create(ctx, c, externalNet{networks.CreateOpts{Name: "ext"}, &ext}).Extract()
	fatal(t, err)
	fx.extNet = n.ID
	s, err = subnets.Create(ctx, c, subnets.CreateOpts{NetworkID: fx.extNet, CIDR: "172.24.8.0/24", IPVersion: 4}).Extract()
	fatal(t, err)
	fx.extSubnet = s.ID
	return fx
}

// externalNet adds router:external to a network create.
type externalNet struct {
	networks.CreateOpts
	External *bool `json:"router:external,omitempty"`
}

func (e externalNet) ToNetworkCreateMap() (map[string]any, error) {
	m, err := e.CreateOpts.ToNetworkCreateMap()
	if err == nil {
		m["network"].(map[string]any)["router:external"] = *e.External
	}
	return m, err
}

// crudCase is one collection: how to create one (typed gophercloud call), how to change it
// (nil: the collection has no update), and what a user checks in the created document.
type crudCase struct {
	path, member string
	create       func(ctx context.Context, c *gophercloud.ServiceClient) (string, error)
	update       func(ctx context.Context, c *gophercloud.ServiceClient, id string) (field string, value any, err error)
	check        func(t *testing.T, d map[string]any)
}

func cases(fx *fixture) []crudCase {
	name := func(s string) *string { return &s }
	return []crudCase{
		{path: "networks", member: "network",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				n, err := networks.Create(ctx, c, networks.CreateOpts{Name: "n1"}).Extract()
				return id(n, err, func() string { return n.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := networks.Update(ctx, c, id, networks.UpdateOpts{Name: name("n1-renamed")}).Extract()
				return "name", "n1-renamed", err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"name": "n1", "admin_state_up": true, "status": "ACTIVE", "shared": false, "router:external": false, "subnets": []any{}, "tenant_id": project})
			}},
		{path: "subnets", member: "subnet",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				s, err := subnets.Create(ctx, c, subnets.CreateOpts{NetworkID: fx.net, CIDR: "10.40.1.0/24", IPVersion: 4, Name: "s1"}).Extract()
				return id(s, err, func() string { return s.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := subnets.Update(ctx, c, id, subnets.UpdateOpts{Name: name("s1-renamed")}).Extract()
				return "name", "s1-renamed", err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"cidr": "10.40.1.0/24", "gateway_ip": "10.40.1.1", "enable_dhcp": true, "ip_version": float64(4),
					"allocation_pools": []any{map[string]any{"start": "10.40.1.2", "end": "10.40.1.254"}}, "network_id": fx.net})
			}},
		{path: "subnetpools", member: "subnetpool",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				p, err := subnetpools.Create(ctx, c, subnetpools.CreateOpts{Name: "pool", Prefixes: []string{"10.80.0.0/16"}, DefaultPrefixLen: 26}).Extract()
				return id(p, err, func() string { return p.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := subnetpools.Update(ctx, c, id, subnetpools.UpdateOpts{Name: "pool-renamed"}).Extract()
				return "name", "pool-renamed", err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"prefixes": []any{"10.80.0.0/16"}, "default_prefixlen": float64(26), "ip_version": float64(4), "shared": false})
			}},
		{path: "ports", member: "port",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				p, err := ports.Create(ctx, c, ports.CreateOpts{NetworkID: fx.net, Name: "p1"}).Extract()
				return id(p, err, func() string { return p.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := ports.Update(ctx, c, id, ports.UpdateOpts{Name: name("p1-renamed")}).Extract()
				return "name", "p1-renamed", err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"network_id": fx.net, "admin_state_up": true, "status": "DOWN", "device_owner": "", "port_security_enabled": true})
				ips, _ := d["fixed_ips"].([]any)
				if len(ips) != 1 {
					t.Fatalf("fixed_ips %v, want one address", d["fixed_ips"])
				}
				ip := netip.MustParseAddr(ips[0].(map[string]any)["ip_address"].(string))
				if !netip.MustParsePrefix("10.40.0.0/24").Contains(ip) || ips[0].(map[string]any)["subnet_id"] != fx.subnet {
					t.Errorf("fixed_ips %v, want an address of the fixture subnet", ips)
				}
				if mac, _ := d["mac_address"].(string); len(mac) != 17 {
					t.Errorf("mac_address %q", mac)
				}
				if sg, _ := d["security_groups"].([]any); len(sg) != 1 {
					t.Errorf("security_groups %v, want the project's default group", d["security_groups"])
				}
			}},
		{path: "security-groups", member: "security_group",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				g, err := groups.Create(ctx, c, groups.CreateOpts{Name: "web"}).Extract()
				return id(g, err, func() string { return g.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := groups.Update(ctx, c, id, groups.UpdateOpts{Name: "web-renamed"}).Extract()
				return "name", "web-renamed", err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"name": "web"})
				if rs, _ := d["security_group_rules"].([]any); len(rs) != 2 {
					t.Errorf("a new group has %d rules, want the two default egress rules", len(rs))
				}
			}},
		{path: "security-group-rules", member: "security_group_rule",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				g, err := groups.Create(ctx, c, groups.CreateOpts{Name: "for-rules"}).Extract()
				if err != nil {
					return "", err
				}
				r, err := rules.Create(ctx, c, rules.CreateOpts{SecGroupID: g.ID, Direction: rules.DirIngress, EtherType: rules.EtherType4,
					Protocol: rules.ProtocolTCP, PortRangeMin: 22, PortRangeMax: 22, RemoteIPPrefix: "192.0.2.0/24"}).Extract()
				return id(r, err, func() string { return r.ID })
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": float64(22),
					"port_range_max": float64(22), "remote_ip_prefix": "192.0.2.0/24", "remote_group_id": nil})
				if _, shown := d["standard_attr_id"]; shown {
					t.Error("standard_attr_id shown on a rule (Neutron shows it only inside a group)")
				}
			}},
		{path: "routers", member: "router",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				r, err := routers.Create(ctx, c, routers.CreateOpts{Name: "r1"}).Extract()
				return id(r, err, func() string { return r.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := routers.Update(ctx, c, id, routers.UpdateOpts{Name: "r1-renamed"}).Extract()
				return "name", "r1-renamed", err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"name": "r1", "admin_state_up": true, "status": "ACTIVE", "external_gateway_info": nil, "routes": []any{}})
				if _, shown := d["gw_port_id"]; shown {
					t.Error("gw_port_id shown on a router")
				}
			}},
		{path: "floatingips", member: "floatingip",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				f, err := floatingips.Create(ctx, c, floatingips.CreateOpts{FloatingNetworkID: fx.extNet}).Extract()
				return id(f, err, func() string { return f.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := floatingips.Update(ctx, c, id, floatingips.UpdateOpts{Description: name("spare")}).Extract()
				return "description", "spare", err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"floating_network_id": fx.extNet, "status": "DOWN", "port_id": nil, "router_id": nil, "fixed_ip_address": nil})
				ip := netip.MustParseAddr(d["floating_ip_address"].(string))
				if !netip.MustParsePrefix("172.24.8.0/24").Contains(ip) {
					t.Errorf("floating_ip_address %s, want one of the external subnet", ip)
				}
				if _, shown := d["floating_port_id"]; shown {
					t.Error("floating_port_id shown on a floating IP")
				}
			}},
	}
}

func id[T any](v *T, err error, get func() string) (string, error) {
	if err != nil {
		return "", err
	}
	return get(), nil
}

// expect compares attributes of a document with what Neutron answers.
func expect(t *testing.T, d map[string]any, want map[string]any) {
	t.Helper()
	for k, w := range want {
		if got, ok := d[k]; !ok || !equal(got, w) {
			t.Errorf("%s = %#v (present %v), want %#v", k, got, ok, w)
		}
	}
}

func equal(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k := range x {
			if !equal(x[k], y[k]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// show reads one document as the API renders it.
func show(ctx context.Context, c *gophercloud.ServiceClient, path, member, id string) (map[string]any, int, error) {
	var body map[string]map[string]any
	resp, err := c.Get(ctx, c.ServiceURL(path, id), &body, &gophercloud.RequestOpts{OkCodes: []int{200, 404}})
	if err != nil {
		return nil, 0, err
	}
	// gophercloud keeps numbers as json.Number; compare them as encoding/json gives them.
	b, _ := json.Marshal(body[member])
	var d map[string]any
	err = json.Unmarshal(b, &d)
	return d, resp.StatusCode, err
}

// listed reports whether the collection's list holds id.
func listed(ctx context.Context, c *gophercloud.ServiceClient, path, id string) (bool, error) {
	var body map[string]any
	if _, err := c.Get(ctx, c.ServiceURL(path)+"?fields=id", &body, nil); err != nil {
		return false, err
	}
	for _, v := range body {
		if l, ok := v.([]any); ok {
			for _, x := range l {
				if m, ok := x.(map[string]any); ok && m["id"] == id {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

func runCase(t *testing.T, c *gophercloud.ServiceClient, tc crudCase) {
	ctx := t.Context()
	id, err := tc.create(ctx, c)
	fatal(t, err)
	d, code := show2(t, c, tc, id)
	if code != 200 {
		t.Fatalf("show after create = %d", code)
	}
	tc.check(t, d)
	expect(t, d, map[string]any{"id": id, "project_id": project})
	rev := d["revision_number"].(float64)
	in, err := listed(ctx, c, tc.path, id)
	fatal(t, err)
	if !in {
		t.Errorf("the list does not show the new %s", tc.member)
	}
	if tc.update != nil {
		field, value, err := tc.update(ctx, c, id)
		if err != nil {
			t.Fatalf("update: %v", err)
		}
		d, _ = show2(t, c, tc, id)
		expect(t, d, map[string]any{field: value})
		if got := d["revision_number"].(float64); got <= rev {
			t.Errorf("revision_number %v after an update, want more than %v", got, rev)
		}
	}
	// An attribute the collection does not have is Neutron's 400.
	var bad map[string]any
	_, err = c.Post(ctx, c.ServiceURL(tc.path), map[string]any{tc.member: map[string]any{"no_such_attribute": 1}}, &bad, nil)
	if !gophercloud.ResponseCodeIs(err, http.StatusBadRequest) {
		t.Errorf("create with an unknown attribute = %v, want 400", err)
	}
	if _, err := c.Delete(ctx, c.ServiceURL(tc.path, id), nil); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, code = show2(t, c, tc, id); code != 404 {
		t.Errorf("show after delete = %d, want 404", code)
	}
	in, err = listed(ctx, c, tc.path, id)
	fatal(t, err)
	if in {
		t.Errorf("the list still shows the deleted %s", tc.member)
	}
}

func show2(t *testing.T, c *gophercloud.ServiceClient, tc crudCase, id string) (map[string]any, int) {
	t.Helper()
	d, code, err := show(t.Context(), c, tc.path, tc.member, id)
	if err != nil {
		t.Fatal(err)
	}
	return d, code
}

// routerActions: a gateway on the external network, an interface by subnet and one by port,
// a floating IP associated through the router, and every one undone.
func routerActions(t *testing.T, c *gophercloud.ServiceClient, fx *fixture) {
	ctx := t.Context()
	r, err := routers.Create(ctx, c, routers.CreateOpts{Name: "edge", GatewayInfo: &routers.GatewayInfo{NetworkID: fx.extNet}}).Extract()
	fatal(t, err)
	if r.GatewayInfo.NetworkID != fx.extNet || len(r.GatewayInfo.ExternalFixedIPs) != 1 || r.GatewayInfo.ExternalFixedIPs[0].SubnetID != fx.extSubnet {
		t.Fatalf("gateway %+v, want an address on the external subnet", r.GatewayInfo)
	}
	bySubnet, err := routers.AddInterface(ctx, c, r.ID, routers.AddInterfaceOpts{SubnetID: fx.subnet}).Extract()
	fatal(t, err)
	if bySubnet.SubnetID != fx.subnet || bySubnet.PortID == "" {
		t.Fatalf("interface by subnet %+v", bySubnet)
	}
	rif, err := ports.Get(ctx, c, bySubnet.PortID).Extract()
	fatal(t, err)
	if rif.DeviceOwner != "network:router_interface" || rif.DeviceID != r.ID || rif.FixedIPs[0].IPAddress != "10.40.0.1" {
		t.Errorf("interface port %s/%s at %v, want the router's at the subnet gateway 10.40.0.1", rif.DeviceOwner, rif.DeviceID, rif.FixedIPs)
	}
	// A second network joined by a port of its own (an address outside the pool).
	net2, err := networks.Create(ctx, c, networks.CreateOpts{Name: "second"}).Extract()
	fatal(t, err)
	sub2, err := subnets.Create(ctx, c, subnets.CreateOpts{NetworkID: net2.ID, CIDR: "10.41.0.0/24", IPVersion: 4,
		AllocationPools: []subnets.AllocationPool{{Start: "10.41.0.10", End: "10.41.0.200"}}}).Extract()
	fatal(t, err)
	own, err := ports.Create(ctx, c, ports.CreateOpts{NetworkID: net2.ID, FixedIPs: []ports.IP{{SubnetID: sub2.ID, IPAddress: "10.41.0.254"}}}).Extract()
	fatal(t, err)
	byPort, err := routers.AddInterface(ctx, c, r.ID, routers.AddInterfaceOpts{PortID: own.ID}).Extract()
	fatal(t, err)
	if byPort.PortID != own.ID || byPort.SubnetID != sub2.ID {
		t.Fatalf("interface by port %+v", byPort)
	}
	// A VM port behind the router gets a floating IP.
	vm, err := ports.Create(ctx, c, ports.CreateOpts{NetworkID: fx.net, DeviceOwner: "compute:nova"}).Extract()
	fatal(t, err)
	fip, err := floatingips.Create(ctx, c, floatingips.CreateOpts{FloatingNetworkID: fx.extNet, PortID: vm.ID}).Extract()
	fatal(t, err)
	if fip.RouterID != r.ID || fip.FixedIP != vm.FixedIPs[0].IPAddress {
		t.Fatalf("floating IP %+v, want it through router %s to %s", fip, r.ID, vm.FixedIPs[0].IPAddress)
	}
	// The interface the floating IP depends on cannot go.
	_, err = routers.RemoveInterface(ctx, c, r.ID, routers.RemoveInterfaceOpts{SubnetID: fx.subnet}).Extract()
	if !gophercloud.ResponseCodeIs(err, http.StatusConflict) {
		t.Errorf("removing the interface a floating IP uses = %v, want 409", err)
	}
	null := ""
	_, err = floatingips.Update(ctx, c, fip.ID, floatingips.UpdateOpts{PortID: &null}).Extract()
	fatal(t, err)
	_, err = routers.RemoveInterface(ctx, c, r.ID, routers.RemoveInterfaceOpts{SubnetID: fx.subnet}).Extract()
	fatal(t, err)
	if _, code, _ := show(ctx, c, "ports", "port", bySubnet.PortID); code != 404 {
		t.Errorf("the interface port made for the subnet is still there (%d)", code)
	}
	_, err = routers.RemoveInterface(ctx, c, r.ID, routers.RemoveInterfaceOpts{PortID: own.ID}).Extract()
	fatal(t, err)
	// Neutron deletes the port of an interface removed by port, as one removed by subnet.
	if _, code, _ := show(ctx, c, "ports", "port", own.ID); code != 404 {
		t.Errorf("the port removed as an interface is still there (%d)", code)
	}
	if err := floatingips.Delete(ctx, c, fip.ID).ExtractErr(); err != nil {
		t.Fatal(err)
	}
	r, err = routers.Update(ctx, c, r.ID, routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{}}).Extract()
	fatal(t, err)
	if r.GatewayInfo.NetworkID != "" {
		t.Errorf("gateway %+v after clearing it", r.GatewayInfo)
	}
	if err := routers.Delete(ctx, c, r.ID).ExtractErr(); err != nil {
		t.Fatal(err)
	}
}
