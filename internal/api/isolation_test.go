package api_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// Project isolation: what a member of project B gets when it names project A's objects
// (neutron-server 21.0.0's answers), and that A's documents never change.

const (
	projA = "iso-project-a"
	projB = "iso-project-b"
)

// as serves a request as a member of project (admin for project "").
func (s *inProcess) as(tb testing.TB, project, method, target string, body any) (int, map[string]any) {
	tb.Helper()
	saved := s.hdr
	defer func() { s.hdr = saved }()
	s.hdr = http.Header{}
	if project != "" {
		s.hdr.Set("X-Project-Id", project)
		s.hdr.Set("X-Roles", "member")
	}
	code, out, _ := s.call(tb, method, target, body)
	return code, out
}

// create makes a resource as project (admin for "") and returns its id.
func (s *inProcess) create(tb testing.TB, project, collection, member string, attrs map[string]any) string {
	tb.Helper()
	code, out := s.as(tb, project, http.MethodPost, "/v2.0/"+collection, map[string]any{member: attrs})
	if code != http.StatusCreated {
		tb.Fatalf("create %s as %q: %d %v", member, project, code, out)
	}
	return idOf(out, member)
}

// isoWorld is what the isolation tests act on.
type isoWorld struct {
	// Project A's private objects, and a network A owns that an admin shared.
	aNet, aSub, aPort, aRouter, aSG, aPool string
	sNet, sSub                             string
	// An external network (the admin's), a shared subnet pool.
	ext, extSub, sharedPool string
	// Project B's objects; bPortOnS is B's port on A's shared network, aPortOnB A's port on
	// B's network (an admin made it), which B sees as the network's owner.
	bNet, bSub, bPort, bRouter, bSG, bPortOnS, aPortOnB string
	// bGatewayOnS is B's port on A's shared network holding the shared subnet's gateway
	// address (an admin made it).
	bGatewayOnS string
	// bPoolNet is B's network without subnets (a network's subnets of one IP version come
	// from one pool or none).
	bPoolNet string
}

func newIsoWorld(t *testing.T, s *inProcess) *isoWorld {
	t.Helper()
	w := &isoWorld{}
	w.aNet = s.create(t, projA, "networks", "network", map[string]any{"name": "a-net"})
	w.aSub = s.create(t, projA, "subnets", "subnet", map[string]any{"network_id": w.aNet, "ip_version": 4, "cidr": "10.1.0.0/24"})
	w.aPort = s.create(t, projA, "ports", "port", map[string]any{"network_id": w.aNet, "name": "a-vm"})
	w.aRouter = s.create(t, projA, "routers", "router", map[string]any{"name": "a-router"})
	w.aSG = s.create(t, projA, "security-groups", "security_group", map[string]any{"name": "a-sg"})
	w.aPool = s.create(t, projA, "subnetpools", "subnetpool", map[string]any{"name": "a-pool", "prefixes": []string{"10.100.0.0/16"}, "default_prefixlen": 24})
	w.sNet = s.create(t, "", "networks", "network", map[string]any{"name": "s-net", "tenant_id": projA, "shared": true})
	w.sSub = s.create(t, projA, "subnets", "subnet", map[string]any{"network_id": w.sNet, "ip_version": 4, "cidr": "10.3.0.0/24"})
	w.ext = s.create(t, "", "networks", "network", map[string]any{"name": "ext", "router:external": true})
	w.extSub = s.create(t, "", "subnets", "subnet", map[string]any{"network_id": w.ext, "ip_version": 4, "cidr": "172.24.0.0/24"})
	w.sharedPool = s.create(t, "", "subnetpools", "subnetpool", map[string]any{"name": "shared-pool", "prefixes": []string{"10.200.0.0/16"}, "default_prefixlen": 24, "shared": true})

	w.bNet = s.create(t, projB, "networks", "network", map[string]any{"name": "b-net"})
	w.bSub = s.create(t, projB, "subnets", "subnet", map[string]any{"network_id": w.bNet, "ip_version": 4, "cidr": "10.2.0.0/24"})
	w.bPort = s.create(t, projB, "ports", "port", map[string]any{"network_id": w.bNet, "name": "b-vm"})
	w.bRouter = s.create(t, projB, "routers", "router", map[string]any{"name": "b-router"})
	w.bPoolNet = s.create(t, projB, "networks", "network", map[string]any{"name": "b-pool-net"})
	w.bSG = s.create(t, projB, "security-groups", "security_group", map[string]any{"name": "b-sg"})
	w.bPortOnS = s.create(t, projB, "ports", "port", map[string]any{"network_id": w.sNet, "name": "b-on-shared"})
	w.aPortOnB = s.create(t, "", "ports", "port", map[string]any{"network_id": w.bNet, "tenant_id": projA, "name": "a-on-b"})
	w.bGatewayOnS = s.create(t, "", "ports", "port", map[string]any{"network_id": w.sNet, "tenant_id": projB, "name": "b-gw-on-shared",
		"fixed_ips": []any{map[string]any{"subnet_id": w.sSub, "ip_address": "10.3.0.1"}}})
	return w
}

// snapshot is every document of project A (and A's shared network), as an admin sees them.
func (w *isoWorld) snapshot(t *testing.T, s *inProcess) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, r := range []struct{ path, member string }{
		{"networks/" + w.aNet, "network"}, {"subnets/" + w.aSub, "subnet"}, {"ports/" + w.aPort, "port"},
		{"routers/" + w.aRouter, "router"}, {"security-groups/" + w.aSG, "security_group"},
		{"subnetpools/" + w.aPool, "subnetpool"}, {"networks/" + w.sNet, "network"},
		{"subnets/" + w.sSub, "subnet"}, {"ports/" + w.aPortOnB, "port"},
	} {
		code, doc := s.as(t, "", http.MethodGet, "/v2.0/"+r.path, nil)
		if code != http.StatusOK {
			t.Fatalf("admin GET %s: %d %v", r.path, code, doc)
		}
		out[r.path] = doc[r.member]
	}
	// Every port on A's networks and every router interface of A's router.
	for _, q := range []string{"ports?network_id=" + w.aNet, "ports?network_id=" + w.sNet, "ports?device_id=" + w.aRouter} {
		_, doc := s.as(t, "", http.MethodGet, "/v2.0/"+q, nil)
		out[q] = doc["ports"]
	}
	return out
}

// neutronError reads the NeutronError of an answer.
func neutronError(out map[string]any) (typ, msg string) {
	e, _ := out["NeutronError"].(map[string]any)
	typ, _ = e["type"].(string)
	msg, _ = e["message"].(string)
	return typ, msg
}

// isoCase is one request of project B naming project A's objects, and neutron-server
// 21.0.0's answer.
type isoCase struct {
	name         string
	method, path string
	body         any
	status       int
	typ, msg     string // msg: a substring of the message ("" = not checked)
}

// isoCases are the cases over world w.
func isoCases(w *isoWorld) []isoCase {
	return []isoCase{
		{"add interface: A's port", "PUT", "/v2.0/routers/" + w.bRouter + "/add_router_interface", map[string]any{"port_id": w.aPort},
			404, "PortNotFound", "Port " + w.aPort + " could not be found."},
		{"add interface: A's private subnet", "PUT", "/v2.0/routers/" + w.bRouter + "/add_router_interface", map[string]any{"subnet_id": w.aSub},
			404, "SubnetNotFound", "Subnet " + w.aSub + " could not be found."},
		{"add interface: A's subnet on a shared network", "PUT", "/v2.0/routers/" + w.bRouter + "/add_router_interface", map[string]any{"subnet_id": w.sSub},
			400, "BadRequest", "Bad router request: Cannot add interface to router because subnet " + w.sSub + " is not owned by project making the request."},
		{"add interface: A's port on B's network", "PUT", "/v2.0/routers/" + w.bRouter + "/add_router_interface", map[string]any{"port_id": w.aPortOnB},
			409, "DeviceIDNotOwnedByTenant", "The following device_id " + w.bRouter + " is not owned by your tenant or matches another tenants router."},
		{"add interface: own port holding a shared subnet's gateway", "PUT", "/v2.0/routers/" + w.bRouter + "/add_router_interface", map[string]any{"port_id": w.bGatewayOnS},
			400, "BadRequest", "Bad router request: Cannot add interface to router because specified port " + w.bGatewayOnS + " has an IP address out of the allocation pool of subnet " + w.sSub + ", which is not owned by the project making the request."},
		{"add interface: B's port to A's router", "PUT", "/v2.0/routers/" + w.aRouter + "/add_router_interface", map[string]any{"port_id": w.bPort},
			404, "RouterNotFound", ""},
		{"remove interface: A's private subnet", "PUT", "/v2.0/routers/" + w.bRouter + "/remove_router_interface", map[string]any{"subnet_id": w.aSub},
			404, "SubnetNotFound", ""},
		{"remove interface: A's port", "PUT", "/v2.0/routers/" + w.bRouter + "/remove_router_interface", map[string]any{"port_id": w.aPort},
			404, "RouterInterfaceNotFound", ""},
		{"port with A's router as its interface device", "POST", "/v2.0/ports", map[string]any{"port": map[string]any{
			"network_id": w.bNet, "device_owner": "network:router_interface", "device_id": w.aRouter, "fixed_ips": []any{map[string]any{"subnet_id": w.bSub}}}},
			409, "DeviceIDNotOwnedByTenant", "The following device_id " + w.aRouter + " is not owned by your tenant or matches another tenants router."},
		{"port with A's router as its gateway device", "POST", "/v2.0/ports", map[string]any{"port": map[string]any{
			"network_id": w.bNet, "device_owner": "network:router_gateway", "device_id": w.aRouter}},
			409, "DeviceIDNotOwnedByTenant", ""},
		{"port moved onto A's router", "PUT", "/v2.0/ports/" + w.bPort, map[string]any{"port": map[string]any{
			"device_owner": "network:router_interface", "device_id": w.aRouter}},
			409, "DeviceIDNotOwnedByTenant", ""},
		{"port device_id changed to A's router", "PUT", "/v2.0/ports/" + w.bPortOnS, map[string]any{"port": map[string]any{
			"device_owner": "network:router_interface_distributed", "device_id": w.aRouter}},
			403, "PolicyNotAuthorized", ""},
		{"port with A's security group", "POST", "/v2.0/ports", map[string]any{"port": map[string]any{
			"network_id": w.bNet, "security_groups": []any{w.aSG}}},
			404, "SecurityGroupNotFound", "Security group " + w.aSG + " does not exist"},
		{"port update with A's security group", "PUT", "/v2.0/ports/" + w.bPort, map[string]any{"port": map[string]any{
			"security_groups": []any{w.bSG, w.aSG}}},
			404, "SecurityGroupNotFound", "Security group " + w.aSG + " does not exist"},
		{"port with A's subnet in fixed_ips", "POST", "/v2.0/ports", map[string]any{"port": map[string]any{
			"network_id": w.bNet, "fixed_ips": []any{map[string]any{"subnet_id": w.aSub}}}},
			404, "SubnetNotFound", ""},
		{"port update with A's subnet in fixed_ips", "PUT", "/v2.0/ports/" + w.bPort, map[string]any{"port": map[string]any{
			"fixed_ips": []any{map[string]any{"subnet_id": w.aSub}}}},
			404, "SubnetNotFound", ""},
		{"port with a visible subnet of another network", "POST", "/v2.0/ports", map[string]any{"port": map[string]any{
			"network_id": w.bNet, "fixed_ips": []any{map[string]any{"subnet_id": w.sSub}}}},
			400, "InvalidInput", "Failed to create port on network " + w.bNet + ", because fixed_ips included invalid subnet " + w.sSub},
		{"port on A's private network", "POST", "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": w.aNet}},
			404, "NetworkNotFound", ""},
		{"subnet from A's private pool", "POST", "/v2.0/subnets", map[string]any{"subnet": map[string]any{
			"network_id": w.bNet, "ip_version": 4, "subnetpool_id": w.aPool}},
			404, "SubnetPoolNotFound", "Subnet pool " + w.aPool + " could not be found."},
		{"subnet on A's private network", "POST", "/v2.0/subnets", map[string]any{"subnet": map[string]any{
			"network_id": w.aNet, "ip_version": 4, "cidr": "10.9.0.0/24"}},
			404, "NetworkNotFound", ""},
		{"rule with A's group as remote group", "POST", "/v2.0/security-group-rules", map[string]any{"security_group_rule": map[string]any{
			"security_group_id": w.bSG, "direction": "ingress", "remote_group_id": w.aSG}},
			404, "SecurityGroupNotFound", "Security group " + w.aSG + " does not exist"},
		{"rule in A's group", "POST", "/v2.0/security-group-rules", map[string]any{"security_group_rule": map[string]any{
			"security_group_id": w.aSG, "direction": "ingress"}},
			404, "SecurityGroupNotFound", ""},
		{"floating IP on A's private network", "POST", "/v2.0/floatingips", map[string]any{"floatingip": map[string]any{
			"floating_network_id": w.aNet}},
			404, "NetworkNotFound", "Network " + w.aNet + " could not be found."},
		{"floating IP on A's subnet", "POST", "/v2.0/floatingips", map[string]any{"floatingip": map[string]any{
			"floating_network_id": w.ext, "subnet_id": w.aSub}},
			400, "InvalidInput", "Failed to create port on network " + w.ext + ", because fixed_ips included invalid subnet " + w.aSub},
		{"floating IP on a subnet that does not exist", "POST", "/v2.0/floatingips", map[string]any{"floatingip": map[string]any{
			"floating_network_id": w.ext, "subnet_id": "5a1b2c3d-0000-4000-8000-000000000002"}},
			404, "SubnetNotFound", ""},
		{"gateway on A's shared network", "PUT", "/v2.0/routers/" + w.bRouter, map[string]any{"router": map[string]any{
			"external_gateway_info": map[string]any{"network_id": w.sNet}}},
			400, "BadRequest", "Bad router request: Network " + w.sNet + " is not an external network."},
		{"repeated admin-only binding host", "PUT", "/v2.0/ports/" + w.bPort, map[string]any{"port": map[string]any{
			"binding:host_id": ""}},
			403, "PolicyNotAuthorized", "update_port:binding:host_id"},
		{"floating IP for A's port", "POST", "/v2.0/floatingips", map[string]any{"floatingip": map[string]any{
			"floating_network_id": w.ext, "port_id": w.aPort}},
			404, "PortNotFound", ""},
		{"floating IP for A's port on B's network", "POST", "/v2.0/floatingips", map[string]any{"floatingip": map[string]any{
			"floating_network_id": w.ext, "port_id": w.aPortOnB}},
			400, "BadRequest", "Cannot process floating IP association with Port " + w.aPortOnB + ", since that port is owned by a different tenant"},
		{"gateway on A's private network", "PUT", "/v2.0/routers/" + w.bRouter, map[string]any{"router": map[string]any{
			"external_gateway_info": map[string]any{"network_id": w.aNet}}},
			404, "NetworkNotFound", ""},
		{"router created with a gateway on A's private network", "POST", "/v2.0/routers", map[string]any{"router": map[string]any{
			"external_gateway_info": map[string]any{"network_id": w.aNet}}},
			404, "NetworkNotFound", ""},
		{"pool in an address scope that does not exist", "POST", "/v2.0/subnetpools", map[string]any{"subnetpool": map[string]any{
			"prefixes": []string{"10.150.0.0/16"}, "address_scope_id": "5a1b2c3d-0000-4000-8000-000000000001"}},
			404, "AddressScopeNotFound", "Address scope 5a1b2c3d-0000-4000-8000-000000000001 could not be found."},
		{"marker naming A's network", "GET", "/v2.0/networks?limit=1&marker=" + w.aNet, nil,
			404, "NetworkNotFound", "Network " + w.aNet + " could not be found."},
		{"marker naming A's network, sorted by name", "GET", "/v2.0/networks?sort_key=name&sort_dir=asc&limit=5&marker=" + w.aNet, nil,
			404, "NetworkNotFound", ""},
		{"marker naming A's port", "GET", "/v2.0/ports?limit=2&marker=" + w.aPort, nil,
			404, "PortNotFound", ""},
		{"marker naming A's router", "GET", "/v2.0/routers?limit=2&marker=" + w.aRouter, nil,
			404, "RouterNotFound", ""},
		{"repeated admin-only attribute", "PUT", "/v2.0/networks/" + w.bNet, map[string]any{"network": map[string]any{
			"provider:network_type": "midonet"}},
			403, "PolicyNotAuthorized", "update_network:provider:network_type"},
		{"repeated admin-only shared flag", "PUT", "/v2.0/networks/" + w.bNet, map[string]any{"network": map[string]any{
			"name": "renamed", "shared": false}},
			403, "PolicyNotAuthorized", "update_network:shared"},
		{"own port on a shared network made a DHCP port", "PUT", "/v2.0/ports/" + w.bPortOnS, map[string]any{"port": map[string]any{
			"device_owner": "network:dhcp"}},
			403, "PolicyNotAuthorized", "update_port:device_owner"},
		{"update of A's port", "PUT", "/v2.0/ports/" + w.aPort, map[string]any{"port": map[string]any{"name": "mine"}},
			404, "PortNotFound", ""},
	}
}

// TestCrossProjectReferences: project B names project A's objects in every attribute and
// action that takes another resource's id; each answer is neutron-server 21.0.0's, and A's
// documents are the same afterwards. Each case runs in a world of its own, so that no case
// depends on what another did.
func TestCrossProjectReferences(t *testing.T) {
	for i := range isoCases(&isoWorld{}) {
		s := newInProcess(t, nil)
		w := newIsoWorld(t, s)
		tc := isoCases(w)[i]
		t.Run(tc.name, func(t *testing.T) {
			before := w.snapshot(t, s)
			code, out := s.as(t, projB, tc.method, tc.path, tc.body)
			typ, msg := neutronError(out)
			if code != tc.status || typ != tc.typ || !strings.Contains(msg, tc.msg) {
				t.Errorf("%s %s as B = %d %s %q, want %d %s %q", tc.method, tc.path, code, typ, msg, tc.status, tc.typ, tc.msg)
			}
			after := w.snapshot(t, s)
			for k := range before {
				if !reflect.DeepEqual(before[k], after[k]) {
					t.Errorf("A's %s changed:\nbefore %v\nafter  %v", k, before[k], after[k])
				}
			}
		})
	}
}

// TestCrossProjectAllowed: what Neutron lets a project (or an admin) do with what it owns,
// with shared and external objects, and an admin with any project's objects, still works.
func TestCrossProjectAllowed(t *testing.T) {
	cases := func(w *isoWorld) []struct {
		name, project, method, path string
		body                        any
		status                      int
	} {
		return []struct {
			name, project, method, path string
			body                        any
			status                      int
		}{
			{"own subnet on own router", projB, "PUT", "/v2.0/routers/" + w.bRouter + "/add_router_interface", map[string]any{"subnet_id": w.bSub}, 200},
			{"own port on a shared network on own router", projB, "PUT", "/v2.0/routers/" + w.bRouter + "/add_router_interface", map[string]any{"port_id": w.bPortOnS}, 200},
			{"admin: A's subnet on B's router", "", "PUT", "/v2.0/routers/" + w.bRouter + "/add_router_interface", map[string]any{"subnet_id": w.aSub}, 200},
			{"admin: A's port on B's router", "", "PUT", "/v2.0/routers/" + w.bRouter + "/add_router_interface", map[string]any{"port_id": w.aPort}, 200},
			{"admin: port tied to A's router on B's network", "", "POST", "/v2.0/ports", map[string]any{"port": map[string]any{
				"network_id": w.bNet, "tenant_id": projB, "device_owner": "network:router_interface", "device_id": w.aRouter}}, 201},
			{"port tied to own router", projB, "POST", "/v2.0/ports", map[string]any{"port": map[string]any{
				"network_id": w.bNet, "device_owner": "network:router_interface", "device_id": w.bRouter}}, 201},
			{"compute port naming A's router as its device", projB, "POST", "/v2.0/ports", map[string]any{"port": map[string]any{
				"network_id": w.bNet, "device_owner": "compute:nova", "device_id": w.aRouter}}, 201},
			{"own port on a shared network made a compute port", projB, "PUT", "/v2.0/ports/" + w.bPortOnS, map[string]any{"port": map[string]any{
				"device_owner": "compute:nova", "device_id": "vm-1"}}, 200},
			{"own network renamed", projB, "PUT", "/v2.0/networks/" + w.bNet, map[string]any{"network": map[string]any{"name": "renamed"}}, 200},
			{"subnet from a shared pool", projB, "POST", "/v2.0/subnets", map[string]any{"subnet": map[string]any{
				"network_id": w.bPoolNet, "ip_version": 4, "subnetpool_id": w.sharedPool}}, 201},
			{"pool without an address scope", projB, "POST", "/v2.0/subnetpools", map[string]any{"subnetpool": map[string]any{
				"prefixes": []string{"10.150.0.0/16"}, "address_scope_id": nil}}, 201},
			{"rule with own remote group", projB, "POST", "/v2.0/security-group-rules", map[string]any{"security_group_rule": map[string]any{
				"security_group_id": w.bSG, "direction": "ingress", "remote_group_id": w.bSG}}, 201},
			{"port with own group", projB, "POST", "/v2.0/ports", map[string]any{"port": map[string]any{
				"network_id": w.bNet, "security_groups": []any{w.bSG}}}, 201},
			{"port on a shared network with its subnet", projB, "POST", "/v2.0/ports", map[string]any{"port": map[string]any{
				"network_id": w.sNet, "fixed_ips": []any{map[string]any{"subnet_id": w.sSub}}}}, 201},
			{"floating IP on an external network", projB, "POST", "/v2.0/floatingips", map[string]any{"floatingip": map[string]any{
				"floating_network_id": w.ext}}, 201},
			{"gateway on an external network", projB, "PUT", "/v2.0/routers/" + w.bRouter, map[string]any{"router": map[string]any{
				"external_gateway_info": map[string]any{"network_id": w.ext}}}, 200},
			{"marker naming own network", projB, "GET", "/v2.0/networks?limit=1&marker=" + w.bNet, nil, 200},
			{"marker naming a shared network", projB, "GET", "/v2.0/networks?limit=1&marker=" + w.sNet, nil, 200},
			{"marker without a limit is ignored", projB, "GET", "/v2.0/networks?marker=" + w.aNet, nil, 200},
			{"admin: marker naming A's network", "", "GET", "/v2.0/networks?limit=1&marker=" + w.aNet, nil, 200},
			{"admin: repeated admin-only attribute", "", "PUT", "/v2.0/networks/" + w.bNet, map[string]any{"network": map[string]any{
				"provider:network_type": "midonet"}}, 200},
		}
	}
	for i := range cases(&isoWorld{}) {
		s := newInProcess(t, nil)
		w := newIsoWorld(t, s)
		tc := cases(w)[i]
		t.Run(tc.name, func(t *testing.T) {
			code, out := s.as(t, tc.project, tc.method, tc.path, tc.body)
			if code != tc.status {
				t.Errorf("%s %s as %q = %d %v, want %d", tc.method, tc.path, tc.project, code, out, tc.status)
			}
		})
	}
}

// TestMarkerOfHiddenDocument: a marker naming a document the caller cannot see is never
// compared on the sort keys. Where Neutron 21 looks the marker up with get_marker_obj
// (networks, ports, routers) the answer is the resource's 404; where it pages through its
// versioned objects (subnets, pools, floating IPs, groups, rules) the marker is ignored, and
// the answer is the unmarked page, ascending and descending alike (a marker that counted
// would start one of them after it).
func TestMarkerOfHiddenDocument(t *testing.T) {
	s := newInProcess(t, nil)
	w := newIsoWorld(t, s)
	aFIP := s.create(t, projA, "floatingips", "floatingip", map[string]any{"floating_network_id": w.ext})
	_, sg := s.as(t, projA, http.MethodGet, "/v2.0/security-groups/"+w.aSG, nil)
	aRule, _ := sg["security_group"].(map[string]any)["security_group_rules"].([]any)[0].(map[string]any)["id"].(string)
	s.create(t, projB, "floatingips", "floatingip", map[string]any{"floating_network_id": w.ext})
	s.create(t, projB, "floatingips", "floatingip", map[string]any{"floating_network_id": w.ext})
	s.create(t, projB, "subnetpools", "subnetpool", map[string]any{"name": "b-pool", "prefixes": []string{"10.210.0.0/16"}})

	for _, tc := range []struct {
		collection, key, marker string
		typ                     string // "" = ignored
	}{
		{"networks", "networks", w.aNet, "NetworkNotFound"},
		{"ports", "ports", w.aPort, "PortNotFound"},
		{"routers", "routers", w.aRouter, "RouterNotFound"},
		{"subnets", "subnets", w.aSub, ""},
		{"subnetpools", "subnetpools", w.aPool, ""},
		{"floatingips", "floatingips", aFIP, ""},
		{"security-groups", "security_groups", w.aSG, ""},
		{"security-group-rules", "security_group_rules", aRule, ""},
	} {
		for _, dir := range []string{"asc", "desc"} {
			t.Run(tc.collection+" "+dir, func(t *testing.T) {
				base := "/v2.0/" + tc.collection + "?sort_key=id&sort_dir=" + dir + "&limit=1"
				code, out := s.as(t, projB, http.MethodGet, base+"&marker="+tc.marker, nil)
				if tc.typ != "" {
					if typ, _ := neutronError(out); code != http.StatusNotFound || typ != tc.typ {
						t.Errorf("marker of A's %s: %d %v, want 404 %s", tc.collection, code, out, tc.typ)
					}
					return
				}
				wantCode, want := s.as(t, projB, http.MethodGet, base, nil)
				items, _ := want[tc.key].([]any)
				if code != http.StatusOK || wantCode != http.StatusOK || len(items) != 1 || !reflect.DeepEqual(out[tc.key], want[tc.key]) {
					t.Errorf("marker of A's %s: %d %v, want the unmarked page %d %v", tc.collection, code, out[tc.key], wantCode, want[tc.key])
				}
			})
		}
	}
}
