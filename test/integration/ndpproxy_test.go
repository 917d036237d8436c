package integration

import (
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"

	"github.com/midonet-go/midonet/test/testenv"
)

// ndpWorld is tempest's NDP proxy set-up: an IPv6 address scope and pool of project A's,
// an external network with an IPv6 subnet from the pool, A's network with an IPv6 subnet
// from the pool behind A's router with NDP proxying on.
type ndpWorld struct {
	pool, ext, net, sub, router string
}

func newNDPWorld(t *testing.T, admin, c *gophercloud.ServiceClient) ndpWorld {
	t.Helper()
	var w ndpWorld
	post := func(cl *gophercloud.ServiceClient, path, member string, body map[string]any) map[string]any {
		t.Helper()
		out, _, err := raw(t, cl, http.MethodPost, path, map[string]any{member: body}, nil, 201)
		must(t, err)
		return out[member].(map[string]any)
	}
	scope := post(c, "address-scopes", "address_scope", map[string]any{"name": "as6", "ip_version": 6})
	w.pool = post(c, "subnetpools", "subnetpool", map[string]any{"name": "sp6", "address_scope_id": scope["id"],
		"prefixes": []any{"2001:abc::/96"}, "default_prefixlen": 112})["id"].(string)
	w.ext = post(admin, "networks", "network", map[string]any{"name": "ndp-ext", "router:external": true})["id"].(string)
	post(admin, "subnets", "subnet", map[string]any{"network_id": w.ext, "ip_version": 6, "cidr": "2001:abc::1:0/112", "subnetpool_id": w.pool})
	w.net = post(c, "networks", "network", map[string]any{"name": "ndp-net"})["id"].(string)
	w.sub = post(c, "subnets", "subnet", map[string]any{"network_id": w.net, "ip_version": 6, "cidr": "2001:abc::2:0/112", "subnetpool_id": w.pool})["id"].(string)
	r := post(c, "routers", "router", map[string]any{"name": "ndp-r", "external_gateway_info": map[string]any{"network_id": w.ext}, "enable_ndp_proxy": true})
	if r["enable_ndp_proxy"] != true {
		t.Fatalf("router created with enable_ndp_proxy=true shows %v", r["enable_ndp_proxy"])
	}
	w.router = r["id"].(string)
	l3AddInterface(t, c, w.router, routers.AddInterfaceOpts{SubnetID: w.sub})
	return w
}

func ndpCreate(t *testing.T, c *gophercloud.ServiceClient, body map[string]any) (map[string]any, error) {
	t.Helper()
	out, _, err := raw(t, c, http.MethodPost, "ndp_proxies", map[string]any{"ndp_proxy": body}, nil, 201)
	if err != nil {
		return nil, err
	}
	return out["ndp_proxy"].(map[string]any), nil
}

// TestNDPProxies: NDP proxies on SQLite, PostgreSQL and MariaDB — created on a port's IPv6
// address behind a router proxying NDP (the address picked or given), shown, listed,
// renamed and deleted as Neutron shows them; Neutron's refusals (address not the port's,
// port without IPv6, network not on the router, another address scope, a router not
// proxying, one proxy per address, the gateway, the interface or enable_ndp_proxy taken
// away while proxies use them); deleting the port deletes its proxies; another project
// gets 404 for the proxies and cannot make one on the router or the port.
func TestNDPProxies(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		admin, c, b := e.admin("it-ndp-admin"), e.member("it-ndp-a"), e.member("it-ndp-b")
		w := newNDPWorld(t, admin, c)
		vm := createPort(t, c, ports.CreateOpts{NetworkID: w.net, Name: "vm"})
		ip := vm.FixedIPs[0].IPAddress

		np, err := ndpCreate(t, c, map[string]any{"name": "np", "description": "ssh to vm", "router_id": w.router, "port_id": vm.ID})
		must(t, err)
		if np["ip_address"] != ip || np["router_id"] != w.router || np["port_id"] != vm.ID || np["name"] != "np" ||
			np["description"] != "ssh to vm" || np["project_id"] != "it-ndp-a" || np["tenant_id"] != "it-ndp-a" {
			t.Fatalf("created %v", np)
		}
		for _, k := range []string{"id", "created_at", "updated_at", "revision_number"} {
			if _, ok := np[k]; !ok {
				t.Errorf("proxy lacks %s: %v", k, np)
			}
		}
		if _, ok := np["tags"]; ok {
			t.Errorf("proxy shows tags: %v", np)
		}
		id := np["id"].(string)
		if got := get(t, c, "ndp_proxies/"+id)["ndp_proxy"].(map[string]any); got["ip_address"] != ip || got["name"] != "np" {
			t.Errorf("shown %v", got)
		}
		if l := get(t, c, "ndp_proxies?router_id="+w.router)["ndp_proxies"].([]any); len(l) != 1 {
			t.Errorf("listed %v", l)
		}
		up, _, err := raw(t, c, http.MethodPut, "ndp_proxies/"+id, map[string]any{"ndp_proxy": map[string]any{"name": "renamed"}}, nil, 200)
		must(t, err)
		if p := up["ndp_proxy"].(map[string]any); p["name"] != "renamed" || p["description"] != "ssh to vm" || p["ip_address"] != ip {
			t.Errorf("updated %v", p)
		}
		_, _, err = raw(t, c, http.MethodPut, "ndp_proxies/"+id, map[string]any{"ndp_proxy": map[string]any{"ip_address": "2001:abc::2:99"}}, nil, 200)
		wantError(t, err, 400, "")

		t.Run("refusals", func(t *testing.T) {
			other := createPort(t, c, ports.CreateOpts{NetworkID: w.net, Name: "other"})
			_, err := ndpCreate(t, c, map[string]any{"router_id": w.router, "port_id": other.ID, "ip_address": ip})
			wantErrorMentions(t, err, 400, "InvalidAddress", "not belong to the port")
			_, err = ndpCreate(t, c, map[string]any{"router_id": w.router, "port_id": other.ID, "ip_address": "not-an-ip"})
			wantError(t, err, 400, "")
			_, err = ndpCreate(t, c, map[string]any{"port_id": other.ID})
			wantError(t, err, 400, "")
			_, err = ndpCreate(t, c, map[string]any{"router_id": w.router, "port_id": other.ID, "color": "red"})
			wantError(t, err, 400, "")
			_, err = ndpCreate(t, c, map[string]any{"router_id": w.router, "port_id": vm.ID})
			wantError(t, err, 409, "NeutronDbObjectDuplicateEntry")
			_, err = ndpCreate(t, c, map[string]any{"router_id": w.router, "port_id": "00000000-0000-4000-8000-000000000000"})
			wantError(t, err, 404, "PortNotFound")

			// A network the router has no interface on.
			loose := createNetwork(t, c, networks.CreateOpts{Name: "loose"})
			createSubnet(t, c, subnets.CreateOpts{NetworkID: loose.ID, CIDR: "2002::abcd:0/112", IPVersion: gophercloud.IPv6})
			lp := createPort(t, c, ports.CreateOpts{NetworkID: loose.ID})
			_, err = ndpCreate(t, c, map[string]any{"router_id": w.router, "port_id": lp.ID})
			wantError(t, err, 409, "PortUnreachableRouter")
			// An IPv4-only network on the router.
			v4, v4sub := newNetwork(t, c, "v4", "10.61.0.0/24")
			l3AddInterface(t, c, w.router, routers.AddInterfaceOpts{SubnetID: v4sub.ID})
			v4p := createPort(t, c, ports.CreateOpts{NetworkID: v4.ID})
			_, err = ndpCreate(t, c, map[string]any{"router_id": w.router, "port_id": v4p.ID})
			wantErrorMentions(t, err, 400, "BadRequest", "must allocate one IPv6 address")
			// An IPv6 network outside the address scope.
			unscoped := createNetwork(t, c, networks.CreateOpts{Name: "unscoped"})
			us := createSubnet(t, c, subnets.CreateOpts{NetworkID: unscoped.ID, CIDR: "2003::1:0/112", IPVersion: gophercloud.IPv6})
			l3AddInterface(t, c, w.router, routers.AddInterfaceOpts{SubnetID: us.ID})
			up := createPort(t, c, ports.CreateOpts{NetworkID: unscoped.ID})
			_, err = ndpCreate(t, c, map[string]any{"router_id": w.router, "port_id": up.ID})
			wantError(t, err, 409, "AddressScopeConflict")
			// A router with a gateway but without NDP proxying.
			r2, _, err := raw(t, c, http.MethodPost, "routers", map[string]any{"router": map[string]any{"name": "r2",
				"external_gateway_info": map[string]any{"network_id": w.ext}}}, nil, 201)
			must(t, err)
			r2id := r2["router"].(map[string]any)["id"].(string)
			if v := r2["router"].(map[string]any)["enable_ndp_proxy"]; v != false {
				t.Errorf("a router's enable_ndp_proxy without enable_ndp_proxy_by_default: %v", v)
			}
			n2 := createNetwork(t, c, networks.CreateOpts{Name: "n2"})
			s2 := createSubnet(t, c, doc{"subnet": doc{"network_id": n2.ID, "ip_version": 6, "cidr": "2001:abc::3:0/112", "subnetpool_id": w.pool}})
			l3AddInterface(t, c, r2id, routers.AddInterfaceOpts{SubnetID: s2.ID})
			p2 := createPort(t, c, ports.CreateOpts{NetworkID: n2.ID})
			_, err = ndpCreate(t, c, map[string]any{"router_id": r2id, "port_id": p2.ID})
			wantError(t, err, 409, "RouterNDPProxyNotEnable")
			// A router without a gateway cannot proxy, nor one whose gateway is being unset.
			r3 := l3CreateRouter(t, c, routers.CreateOpts{Name: "r3"})
			_, _, err = l3Put(t, c, "routers/"+r3.ID, map[string]any{"router": map[string]any{"enable_ndp_proxy": true}}, 200)
			wantErrorMentions(t, err, 409, "RouterGatewayNotValid", "has no external gateway")
			_, _, err = l3Put(t, c, "routers/"+r2id, map[string]any{"router": map[string]any{"enable_ndp_proxy": true, "external_gateway_info": map[string]any{}}}, 200)
			wantErrorMentions(t, err, 409, "RouterGatewayNotValid", "will be unset")
			// What a proxy uses stays.
			_, _, err = l3Put(t, c, "routers/"+w.router, map[string]any{"router": map[string]any{"external_gateway_info": map[string]any{}}}, 200)
			wantError(t, err, 409, "RouterGatewayInUseByNDPProxy")
			_, _, err = l3Put(t, c, "routers/"+w.router, map[string]any{"router": map[string]any{"enable_ndp_proxy": false}}, 200)
			wantError(t, err, 409, "RouterNDPProxyInUse")
			_, _, err = l3Put(t, c, "routers/"+w.router+"/remove_router_interface", map[string]any{"subnet_id": w.sub}, 200)
			wantError(t, err, 409, "RouterInterfaceInUseByNDPProxy")
			_, _, err = raw(t, c, http.MethodDelete, "routers/"+w.router, nil, nil, 204)
			wantError(t, err, 409, "RouterInUse")
			if r := l3RawRouter(t, c, w.router); r["enable_ndp_proxy"] != true || r["external_gateway_info"] == nil {
				t.Errorf("refused changes changed the router: %v", r)
			}
			// A network without an address scope cannot be a proxying router's gateway.
			bare := createNetwork(t, admin, doc{"network": doc{"name": "bare-ext", "router:external": true}})
			createSubnet(t, admin, subnets.CreateOpts{NetworkID: bare.ID, CIDR: "2001:abc1::/112", IPVersion: gophercloud.IPv6})
			_, _, err = raw(t, c, http.MethodPost, "routers", map[string]any{"router": map[string]any{"name": "r4", "enable_ndp_proxy": true,
				"external_gateway_info": map[string]any{"network_id": bare.ID}}}, nil, 201)
			wantErrorMentions(t, err, 409, "RouterGatewayNotValid", "don't support IPv6 ndp proxy")
		})

		t.Run("another project", func(t *testing.T) {
			_, _, err := raw(t, b, http.MethodGet, "ndp_proxies/"+id, nil, nil, 200)
			wantError(t, err, 404, "NDPProxyNotFound")
			if l := get(t, b, "ndp_proxies")["ndp_proxies"].([]any); len(l) != 0 {
				t.Errorf("project B lists %v", l)
			}
			_, _, err = raw(t, b, http.MethodPut, "ndp_proxies/"+id, map[string]any{"ndp_proxy": map[string]any{"name": "mine"}}, nil, 200)
			wantError(t, err, 404, "NDPProxyNotFound")
			_, _, err = raw(t, b, http.MethodDelete, "ndp_proxies/"+id, nil, nil, 204)
			wantError(t, err, 404, "NDPProxyNotFound")
			bn := createNetwork(t, b, networks.CreateOpts{Name: "b-net"})
			createSubnet(t, b, subnets.CreateOpts{NetworkID: bn.ID, CIDR: "2001:abc::4:0/112", IPVersion: gophercloud.IPv6})
			bp := createPort(t, b, ports.CreateOpts{NetworkID: bn.ID})
			// Neutron's answer, the same whether A's router exists or not.
			_, err = ndpCreate(t, b, map[string]any{"router_id": w.router, "port_id": bp.ID})
			wantError(t, err, 409, "PortUnreachableRouter")
			_, err = ndpCreate(t, b, map[string]any{"router_id": "00000000-0000-4000-8000-000000000000", "port_id": bp.ID})
			wantError(t, err, 409, "PortUnreachableRouter")
			_, err = ndpCreate(t, b, map[string]any{"router_id": w.router, "port_id": vm.ID})
			wantError(t, err, 404, "PortNotFound")
			if got := get(t, c, "ndp_proxies/"+id)["ndp_proxy"].(map[string]any); got["name"] != "renamed" {
				t.Errorf("project B's attempts changed the proxy: %v", got)
			}
		})

		t.Run("given address, deleted with its port", func(t *testing.T) {
			p := createPort(t, c, ports.CreateOpts{NetworkID: w.net, FixedIPs: []ports.IP{{SubnetID: w.sub}, {SubnetID: w.sub}}})
			second := p.FixedIPs[1].IPAddress
			np2, err := ndpCreate(t, c, map[string]any{"router_id": w.router, "port_id": p.ID, "ip_address": second})
			must(t, err)
			if np2["ip_address"] != second {
				t.Errorf("proxy of the second address: %v", np2)
			}
			_, _, err = raw(t, c, http.MethodDelete, "ports/"+p.ID, nil, nil, 204)
			must(t, err)
			_, _, err = raw(t, c, http.MethodGet, "ndp_proxies/"+np2["id"].(string), nil, nil, 200)
			wantError(t, err, 404, "NDPProxyNotFound")
		})

		_, _, err = raw(t, c, http.MethodDelete, "ndp_proxies/"+id, nil, nil, 204)
		must(t, err)
		_, _, err = raw(t, c, http.MethodGet, "ndp_proxies/"+id, nil, nil, 200)
		wantError(t, err, 404, "NDPProxyNotFound")
		// With the last proxy gone, the gateway may go; the router then shows false.
		_, _, err = l3Put(t, c, "routers/"+w.router, map[string]any{"router": map[string]any{"external_gateway_info": map[string]any{}}}, 200)
		must(t, err)
		if r := l3RawRouter(t, c, w.router); r["enable_ndp_proxy"] != false {
			t.Errorf("a router without a gateway shows enable_ndp_proxy %v", r["enable_ndp_proxy"])
		}
	})
}

// TestNDPProxyByDefault: with [DEFAULT] enable_ndp_proxy_by_default, a router whose gateway's
// network supports NDP proxies proxies NDP unless asked not to; one whose network does not
// does not.
func TestNDPProxyByDefault(t *testing.T) {
	t.Parallel()
	srv := testenv.StartServer(t, testenv.Options{Config: "[DEFAULT]\nauth_strategy = noauth\nenable_ndp_proxy_by_default = true\n"})
	e := &env{srv: srv}
	admin, c := e.admin("it-ndpd-admin"), e.member("it-ndpd")
	w := newNDPWorld(t, admin, c)
	create := func(body map[string]any) map[string]any {
		out, _, err := raw(t, c, http.MethodPost, "routers", map[string]any{"router": body}, nil, 201)
		must(t, err)
		return out["router"].(map[string]any)
	}
	if r := create(map[string]any{"name": "d", "external_gateway_info": map[string]any{"network_id": w.ext}}); r["enable_ndp_proxy"] != true {
		t.Errorf("default on, supporting network: %v", r["enable_ndp_proxy"])
	}
	if r := create(map[string]any{"name": "off", "enable_ndp_proxy": false, "external_gateway_info": map[string]any{"network_id": w.ext}}); r["enable_ndp_proxy"] != false {
		t.Errorf("asked off: %v", r["enable_ndp_proxy"])
	}
	v4ext, _ := l3ExternalNetwork(t, admin, "v4-ext", "172.31.9.0/24", "", "")
	if r := create(map[string]any{"name": "v4", "external_gateway_info": map[string]any{"network_id": v4ext.ID}}); r["enable_ndp_proxy"] != false {
		t.Errorf("default on, IPv4 network: %v", r["enable_ndp_proxy"])
	}
}

// TestDataPlaneStatus: a port's data_plane_status is null until an admin sets it to ACTIVE
// or DOWN (and back to null); other values, setting it on create, and a member setting it
// are refused; another project does not see the port at all. SQLite, PostgreSQL, MariaDB.
func TestDataPlaneStatus(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		admin, c, b := e.admin("it-dps-a"), e.member("it-dps-a"), e.member("it-dps-b")
		net, _ := newNetwork(t, c, "dps", "10.62.0.0/24")
		p := createPort(t, c, ports.CreateOpts{NetworkID: net.ID})
		status := func() any {
			return get(t, c, "ports/"+p.ID)["port"].(map[string]any)["data_plane_status"]
		}
		if got, ok := get(t, c, "ports/"+p.ID)["port"].(map[string]any)["data_plane_status"]; !ok || got != nil {
			t.Fatalf("a new port's data_plane_status: %v (present %v); want null", got, ok)
		}
		for _, v := range []any{"ACTIVE", "DOWN", nil} {
			out, _, err := raw(t, admin, http.MethodPut, "ports/"+p.ID, map[string]any{"port": map[string]any{"data_plane_status": v}}, nil, 200)
			must(t, err)
			if got := out["port"].(map[string]any)["data_plane_status"]; got != v {
				t.Errorf("set %v, answered %v", v, got)
			}
			if got := status(); got != v {
				t.Errorf("set %v, shown %v", v, got)
			}
		}
		_, _, err := raw(t, admin, http.MethodPut, "ports/"+p.ID, map[string]any{"port": map[string]any{"data_plane_status": "UP"}}, nil, 200)
		wantError(t, err, 400, "")
		_, _, err = raw(t, c, http.MethodPut, "ports/"+p.ID, map[string]any{"port": map[string]any{"data_plane_status": "DOWN"}}, nil, 200)
		wantError(t, err, 403, "")
		_, _, err = raw(t, admin, http.MethodPost, "ports", map[string]any{"port": map[string]any{"network_id": net.ID, "data_plane_status": "ACTIVE"}}, nil, 201)
		wantError(t, err, 400, "")
		_, _, err = raw(t, b, http.MethodPut, "ports/"+p.ID, map[string]any{"port": map[string]any{"data_plane_status": "DOWN"}}, nil, 200)
		wantError(t, err, 404, "PortNotFound")
		if got := status(); got != nil {
			t.Errorf("refused updates left data_plane_status %v", got)
		}
	})
}
