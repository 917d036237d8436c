package api_test

import (
	"fmt"
	"net/http"
	"testing"
)

// TestWritesReadTheirOwn: writes that check what uses a subnet pool read its subnets through
// the key index, not every subnet of the deployment: beside 40 networks with a subnet and a
// port each, none from the pool, each write gets Neutron's answer and reads fewer documents
// than those 40 (the decoded-document cache's lookups). (The RBAC policies' in-use check:
// internal/plugin/rbac.)
func TestWritesReadTheirOwn(t *testing.T) {
	p := newInProcess(t, unlimited())
	p.hdr = http.Header{"X-Project-Id": {"big"}, "X-Roles": {"admin"}, "X-User-Id": {"admin"}}
	const others = 40
	for i := range others {
		net := benchNetwork(t, p, fmt.Sprintf("10.%d.0.0/24", i))
		p.must(http.MethodPost, "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": net}}, 201)
	}
	pool := idOf(p.must(http.MethodPost, "/v2.0/subnetpools", map[string]any{"subnetpool": map[string]any{"name": "pool",
		"prefixes": []string{"192.168.0.0/16"}, "default_prefixlen": 24}}, 201), "subnetpool")
	scope := idOf(p.must(http.MethodPost, "/v2.0/address-scopes", map[string]any{"address_scope": map[string]any{"name": "scope",
		"ip_version": 4}}, 201), "address_scope")
	net := idOf(p.must(http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": "pooled"}}, 201), "network")
	for _, c := range []struct {
		name         string
		method, path string
		body         map[string]any
		code         int
	}{
		{"a subnet from the pool", http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": map[string]any{
			"network_id": net, "subnetpool_id": pool, "ip_version": 4}}, 201},
		{"a second one", http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": map[string]any{
			"network_id": net, "subnetpool_id": pool, "ip_version": 4, "prefixlen": 28}}, 201},
		{"a prefix in use removed", http.MethodPut, "/v2.0/subnetpools/" + pool + "/remove_prefixes", map[string]any{
			"prefixes": []string{"192.168.0.0/16"}}, 400},
		{"the pool in use deleted", http.MethodDelete, "/v2.0/subnetpools/" + pool, nil, 400},
		{"the pool into a scope", http.MethodPut, "/v2.0/subnetpools/" + pool, map[string]any{"subnetpool": map[string]any{
			"address_scope_id": scope}}, 200},
	} {
		n := reads(func() { p.must(c.method, c.path, c.body, c.code) })
		if n >= others {
			t.Errorf("%s read %d documents", c.name, n)
		}
	}
}

// TestTrunkChecksReadTheirOwn: the checks of a port's use by trunks (a port's delete, a new
// trunk's parent and subports) read the trunks holding that port through the parent index
// and the key rows of sub_ports.port_id, not the 40 other trunks, and give Neutron's answers.
func TestTrunkChecksReadTheirOwn(t *testing.T) {
	p := newInProcess(t, unlimited())
	p.hdr = http.Header{"X-Project-Id": {"big"}, "X-Roles": {"admin"}, "X-User-Id": {"admin"}}
	net := benchNetwork(t, p, "10.0.0.0/20")
	port := func() string {
		return idOf(p.must(http.MethodPost, "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": net}}, 201), "port")
	}
	trunk := func(parent, sub string) string {
		return idOf(p.must(http.MethodPost, "/v2.0/trunks", map[string]any{"trunk": map[string]any{"port_id": parent,
			"sub_ports": []any{map[string]any{"port_id": sub, "segmentation_type": "vlan", "segmentation_id": 100}}}}, 201), "trunk")
	}
	const others = 40
	for range others {
		trunk(port(), port())
	}
	parent, sub, plain, spare := port(), port(), port(), port()
	trunk(parent, sub)
	for _, c := range []struct {
		name         string
		method, path string
		body         map[string]any
		code         int
		typ          string
	}{
		{"a subport's delete", http.MethodDelete, "/v2.0/ports/" + sub, nil, 409, "PortInUseAsSubPort"},
		{"a parent's delete", http.MethodDelete, "/v2.0/ports/" + parent, nil, 409, "PortInUseAsTrunkParent"},
		{"a trunk on a subport", http.MethodPost, "/v2.0/trunks", map[string]any{"trunk": map[string]any{"port_id": sub}}, 409, "TrunkPortInUse"},
		{"a trunk on a parent", http.MethodPost, "/v2.0/trunks", map[string]any{"trunk": map[string]any{"port_id": parent}}, 409, "ParentPortInUse"},
		{"a parent as a subport", http.MethodPost, "/v2.0/trunks", map[string]any{"trunk": map[string]any{"port_id": spare,
			"sub_ports": []any{map[string]any{"port_id": parent, "segmentation_type": "vlan", "segmentation_id": 101}}}}, 409, "ParentPortInUse"},
		{"a plain port's delete", http.MethodDelete, "/v2.0/ports/" + plain, nil, 204, ""},
	} {
		var out map[string]any
		n := reads(func() { out = p.must(c.method, c.path, c.body, c.code) })
		if e, _ := out["NeutronError"].(map[string]any); c.typ != "" && (e == nil || e["type"] != c.typ) {
			t.Errorf("%s: %v, want %s", c.name, out, c.typ)
		}
		if n >= others {
			t.Errorf("%s read %d documents", c.name, n)
		}
	}
}

// TestNDPProxiesOfAPortReadTheirOwn: a port's delete removes its NDP proxies, reading them
// through the key index (proxies key port_id and router_id) rather than the 40 proxies of
// other ports, which stay.
func TestNDPProxiesOfAPortReadTheirOwn(t *testing.T) {
	p := newInProcess(t, unlimited())
	p.hdr = http.Header{"X-Project-Id": {"big"}, "X-Roles": {"admin"}, "X-User-Id": {"admin"}}
	post := func(path, member string, body map[string]any) string {
		return idOf(p.must(http.MethodPost, "/v2.0/"+path, map[string]any{member: body}, 201), member)
	}
	scope := post("address-scopes", "address_scope", map[string]any{"name": "scope6", "ip_version": 6})
	pool := post("subnetpools", "subnetpool", map[string]any{"name": "pool6", "prefixes": []string{"2001:db8:70::/48"},
		"default_prefixlen": 64, "address_scope_id": scope})
	ext := post("networks", "network", map[string]any{"name": "ext6", "router:external": true})
	post("subnets", "subnet", map[string]any{"network_id": ext, "ip_version": 6, "cidr": "2001:db8:70:1::/64", "subnetpool_id": pool})
	net := post("networks", "network", map[string]any{"name": "net6"})
	sub := post("subnets", "subnet", map[string]any{"network_id": net, "ip_version": 6, "cidr": "2001:db8:70:2::/64", "subnetpool_id": pool})
	router := post("routers", "router", map[string]any{"name": "r6", "enable_ndp_proxy": true,
		"external_gateway_info": map[string]any{"network_id": ext}})
	p.must(http.MethodPut, "/v2.0/routers/"+router+"/add_router_interface", map[string]any{"subnet_id": sub}, 200)
	const others = 40
	proxied := func() string {
		port := post("ports", "port", map[string]any{"network_id": net})
		post("ndp_proxies", "ndp_proxy", map[string]any{"router_id": router, "port_id": port})
		return port
	}
	for range others {
		proxied()
	}
	gone := proxied()
	if n := reads(func() { p.must(http.MethodDelete, "/v2.0/ports/"+gone, nil, 204) }); n >= others {
		t.Errorf("a port's delete read %d documents", n)
	}
	left := p.must(http.MethodGet, "/v2.0/ndp_proxies", nil, 200)["ndp_proxies"].([]any)
	if len(left) != others {
		t.Errorf("%d proxies left, want %d", len(left), others)
	}
	for _, x := range left {
		if x.(map[string]any)["port_id"] == gone {
			t.Errorf("the deleted port's proxy stayed: %v", x)
		}
	}
}

// TestLocalIPAssociationsOfAPortReadTheirOwn: a port's delete removes its Local IP
// associations, reading them through the key index (associations key fixed_port_id) rather
// than the 40 associations of other ports, which stay.
func TestLocalIPAssociationsOfAPortReadTheirOwn(t *testing.T) {
	p := newInProcess(t, unlimited())
	p.hdr = http.Header{"X-Project-Id": {"big"}, "X-Roles": {"admin"}, "X-User-Id": {"admin"}}
	net := benchNetwork(t, p, "10.0.0.0/20")
	associated := func() string {
		port := idOf(p.must(http.MethodPost, "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": net}}, 201), "port")
		lip := idOf(p.must(http.MethodPost, "/v2.0/local_ips", map[string]any{"local_ip": map[string]any{"network_id": net}}, 201), "local_ip")
		p.must(http.MethodPost, "/v2.0/local_ips/"+lip+"/port_associations", map[string]any{"port_association": map[string]any{"fixed_port_id": port}}, 201)
		return lip
	}
	const others = 40
	var lips []string
	for range others {
		lips = append(lips, associated())
	}
	gone := associated()
	port := p.must(http.MethodGet, "/v2.0/local_ips/"+gone+"/port_associations", nil, 200)["port_associations"].([]any)[0].(map[string]any)["fixed_port_id"].(string)
	if n := reads(func() { p.must(http.MethodDelete, "/v2.0/ports/"+port, nil, 204) }); n >= others {
		t.Errorf("a port's delete read %d documents", n)
	}
	if left := p.must(http.MethodGet, "/v2.0/local_ips/"+gone+"/port_associations", nil, 200)["port_associations"].([]any); len(left) != 0 {
		t.Errorf("the deleted port's association stayed: %v", left)
	}
	if left := p.must(http.MethodGet, "/v2.0/local_ips/"+lips[0]+"/port_associations", nil, 200)["port_associations"].([]any); len(left) != 1 {
		t.Errorf("another port's association went: %v", left)
	}
}

// TestTapFlowsOfAPortReadTheirOwn: a port's delete finds the tap flows mirroring it through
// the key index (source_port): beside 40 flows of other ports, it reads fewer documents than
// those 40, takes its own flow and leaves the others.
func TestTapFlowsOfAPortReadTheirOwn(t *testing.T) {
	p := newInProcess(t, unlimited())
	p.hdr = http.Header{"X-Project-Id": {"big"}, "X-Roles": {"admin"}, "X-User-Id": {"admin"}}
	net := benchNetwork(t, p, "10.0.0.0/20")
	newPort := func() string {
		return idOf(p.must(http.MethodPost, "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": net}}, 201), "port")
	}
	service := idOf(p.must(http.MethodPost, "/v2.0/taas/tap_services", map[string]any{"tap_service": map[string]any{"port_id": newPort()}}, 201), "tap_service")
	mirrored := func() (port, flow string) {
		port = newPort()
		flow = idOf(p.must(http.MethodPost, "/v2.0/taas/tap_flows", map[string]any{"tap_flow": map[string]any{"tap_service_id": service,
			"source_port": port, "direction": "BOTH"}}, 201), "tap_flow")
		return port, flow
	}
	const others = 40
	var flows []string
	for range others {
		_, flow := mirrored()
		flows = append(flows, flow)
	}
	port, gone := mirrored()
	if n := reads(func() { p.must(http.MethodDelete, "/v2.0/ports/"+port, nil, 204) }); n >= others {
		t.Errorf("a port's delete read %d documents", n)
	}
	p.must(http.MethodGet, "/v2.0/taas/tap_flows/"+gone, nil, 404)
	p.must(http.MethodGet, "/v2.0/taas/tap_flows/"+flows[0], nil, 200)
	if left := p.must(http.MethodGet, "/v2.0/taas/tap_flows?tap_service_id="+service, nil, 200)["tap_flows"].([]any); len(left) != others {
		t.Errorf("%d flows left, want %d", len(left), others)
	}
}

// TestFloatingIPPoolsReadTheExternalNetworks: the floating IP pools are the subnets of the
// external networks, found through the key index: beside 40 internal networks with a
// subnet each, the list reads fewer documents than those 40 and names the external
// network's subnet only.
func TestFloatingIPPoolsReadTheExternalNetworks(t *testing.T) {
	p := newInProcess(t, unlimited())
	p.hdr = http.Header{"X-Project-Id": {"big"}, "X-Roles": {"admin"}, "X-User-Id": {"admin"}}
	const others = 40
	for i := range others {
		benchNetwork(t, p, fmt.Sprintf("10.%d.0.0/24", i))
	}
	ext := idOf(p.must(http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": "public", "router:external": true}}, 201), "network")
	sub := idOf(p.must(http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": map[string]any{"network_id": ext, "ip_version": 4,
		"cidr": "203.0.113.0/24"}}, 201), "subnet")
	var pools []any
	if n := reads(func() { pools = p.must(http.MethodGet, "/v2.0/floatingip_pools", nil, 200)["floatingip_pools"].([]any) }); n >= others {
		t.Errorf("the pools' list read %d documents", n)
	}
	if len(pools) != 1 || pools[0].(map[string]any)["subnet_id"] != sub || pools[0].(map[string]any)["network_id"] != ext {
		t.Errorf("pools %v; want the external network's subnet %s", pools, sub)
	}
}
