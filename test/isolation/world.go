package isolation

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/attributestags"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/external"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/addressscopes"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/provider"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/quotas"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/rules"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/subnetpools"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// Client sends one request to the Neutron API as one identity. path is
// relative to /v2.0/ (e.g. "networks/ID?fields=id"); body is the JSON request
// body or nil. It returns the HTTP status and the raw answer body; err is only
// for requests that got no answer.
type Client interface {
	Do(ctx context.Context, method, path string, body []byte) (status int, answer []byte, err error)
}

// World is what the attacks run against: A's resources (made by an admin),
// B's own resources (made by B, a member) and the external network (admin's).
type World struct {
	ProjectA, ProjectB string
	// IDs maps placeholder names (without braces) to values: netA, subA, …
	// and projectA, projectB.
	IDs map[string]string
	// private are the IDs of A's resources B must not see.
	private map[string]string // id -> placeholder name
}

// Expand replaces the {name} placeholders of s with the World's values.
func (w *World) Expand(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	pairs := make([]string, 0, 2*len(w.IDs))
	for k, v := range w.IDs {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// SecretMarker is part of the name of every private resource of A: an answer
// to B that contains it leaks one of A's documents.
const SecretMarker = "a-secret"

// call sends a request and decodes a JSON answer; a status other than want is an error.
func call(ctx context.Context, c Client, method, path string, body any, want int) (map[string]any, error) {
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	status, ans, err := c.Do(ctx, method, path, b)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if status != want {
		return nil, fmt.Errorf("%s %s: status %d, want %d: %s", method, path, status, want, ans)
	}
	out := map[string]any{}
	if len(ans) > 0 {
		if err := json.Unmarshal(ans, &out); err != nil {
			return nil, fmt.Errorf("%s %s: answer is not JSON: %w: %s", method, path, err, ans)
		}
	}
	return out, nil
}

// Setup builds the World with gophercloud: admin makes A's resources (owned
// by projectA) and the external network, b (a member of projectB) makes B's
// own.
//
// A: a private network (netA) with an attached subnet (subA, interface of
// routerA through port routerAPort) and an unattached one (subA2); a VM port
// (portA, with floating IP fipA) and a free port (portA2); routerA with its
// gateway on the external network; a security group (sgA) with a rule and a
// remote-group rule; a private subnet pool (poolA); a shared network
// (sharedNet) with a subnet (sharedSub); a tag on netA and a network quota.
//
// B: a network (netB) with a subnet (subB); a subnet pool (poolB); a router
// (routerB) with its gateway on the external network and an interface on
// subB; two more routers (routerB2, routerB3); a VM port (portB) and a spare port
// (portB2); a floating IP (fipB); ports on A's shared network (portBShared
// and portBShared2 to portBShared5); a security group (sgB).
func Setup(ctx context.Context, admin, b *gophercloud.ServiceClient, projectA, projectB string) (*World, error) {
	w := &World{ProjectA: projectA, ProjectB: projectB, IDs: map[string]string{
		"projectA": projectA, "projectB": projectB,
		// An id nothing has (agents come and go with hosts).
		"noSuchID": "1d2a5c9e-0000-4000-8000-00000000a9e7",
	}}
	var err error
	// set records an id; the first error stops the setup.
	set := func(name string) func(id string, e error) {
		return func(id string, e error) {
			if err == nil && e != nil {
				err = fmt.Errorf("setup %s: %w", name, e)
			}
			w.IDs[name] = id
		}
	}
	id := func(name string) string { return w.IDs[name] }
	yes := true
	ip := func(subnet string) []ports.IP { return []ports.IP{{SubnetID: id(subnet)}} }

	network := func(c *gophercloud.ServiceClient, name string, opts networks.CreateOptsBuilder) {
		if err == nil {
			n, e := networks.Create(ctx, c, opts).Extract()
			set(name)(idOr(n, e, func() string { return n.ID }))
		}
	}
	subnet := func(c *gophercloud.ServiceClient, name string, opts subnets.CreateOpts) {
		if err == nil {
			x, e := subnets.Create(ctx, c, opts).Extract()
			set(name)(idOr(x, e, func() string { return x.ID }))
		}
	}
	port := func(c *gophercloud.ServiceClient, name string, opts ports.CreateOpts) {
		if err == nil {
			x, e := ports.Create(ctx, c, opts).Extract()
			set(name)(idOr(x, e, func() string { return x.ID }))
		}
	}
	router := func(c *gophercloud.ServiceClient, name string, opts routers.CreateOpts) {
		if err == nil {
			x, e := routers.Create(ctx, c, opts).Extract()
			set(name)(idOr(x, e, func() string { return x.ID }))
		}
	}
	iface := func(c *gophercloud.ServiceClient, name, router, subnet string) {
		if err == nil {
			x, e := routers.AddInterface(ctx, c, id(router), routers.AddInterfaceOpts{SubnetID: id(subnet)}).Extract()
			set(name)(idOr(x, e, func() string { return x.PortID }))
		}
	}
	fip := func(c *gophercloud.ServiceClient, name string, opts floatingips.CreateOpts) {
		if err == nil {
			x, e := floatingips.Create(ctx, c, opts).Extract()
			set(name)(idOr(x, e, func() string { return x.ID }))
		}
	}
	group := func(c *gophercloud.ServiceClient, name string, opts groups.CreateOpts) {
		if err == nil {
			x, e := groups.Create(ctx, c, opts).Extract()
			set(name)(idOr(x, e, func() string { return x.ID }))
		}
	}
	rule := func(c *gophercloud.ServiceClient, name string, opts rules.CreateOpts) {
		if err == nil {
			x, e := rules.Create(ctx, c, opts).Extract()
			set(name)(idOr(x, e, func() string { return x.ID }))
		}
	}
	pool := func(c *gophercloud.ServiceClient, name string, opts subnetpools.CreateOpts) {
		if err == nil {
			x, e := subnetpools.Create(ctx, c, opts).Extract()
			set(name)(idOr(x, e, func() string { return x.ID }))
		}
	}

	scope := func(c *gophercloud.ServiceClient, name string, opts addressscopes.CreateOpts) {
		if err == nil {
			x, e := addressscopes.Create(ctx, c, opts).Extract()
			set(name)(idOr(x, e, func() string { return x.ID }))
		}
	}

	network(admin, "ext", external.CreateOptsExt{CreateOptsBuilder: networks.CreateOpts{Name: "iso-ext"}, External: &yes})
	subnet(admin, "extSub", subnets.CreateOpts{NetworkID: id("ext"), IPVersion: gophercloud.IPv4, CIDR: "172.30.0.0/24", Name: "iso-ext-sub"})

	network(admin, "netA", networks.CreateOpts{Name: SecretMarker + "-net", TenantID: projectA})
	subnet(admin, "subA", subnets.CreateOpts{NetworkID: id("netA"), IPVersion: gophercloud.IPv4, CIDR: "10.1.0.0/24", Name: SecretMarker + "-sub", TenantID: projectA})
	subnet(admin, "subA2", subnets.CreateOpts{NetworkID: id("netA"), IPVersion: gophercloud.IPv4, CIDR: "10.2.0.0/24", Name: SecretMarker + "-sub2", TenantID: projectA})
	group(admin, "sgA", groups.CreateOpts{Name: SecretMarker + "-sg", TenantID: projectA})
	rule(admin, "ruleA", rules.CreateOpts{SecGroupID: id("sgA"), Direction: rules.DirIngress, EtherType: rules.EtherType4,
		Protocol: rules.ProtocolTCP, PortRangeMin: 22, PortRangeMax: 22, RemoteIPPrefix: "10.9.0.0/16", ProjectID: projectA})
	rule(admin, "ruleA2", rules.CreateOpts{SecGroupID: id("sgA"), Direction: rules.DirIngress, EtherType: rules.EtherType4,
		RemoteGroupID: id("sgA"), ProjectID: projectA})
	port(admin, "portA", ports.CreateOpts{NetworkID: id("netA"), Name: SecretMarker + "-vm-port", DeviceOwner: "compute:nova",
		DeviceID: SecretMarker + "-vm", FixedIPs: ip("subA"), SecurityGroups: &[]string{id("sgA")}, TenantID: projectA})
	port(admin, "portA2", ports.CreateOpts{NetworkID: id("netA"), Name: SecretMarker + "-free-port", FixedIPs: ip("subA2"), TenantID: projectA})
	router(admin, "routerA", routers.CreateOpts{Name: SecretMarker + "-router", TenantID: projectA,
		GatewayInfo: &routers.GatewayInfo{NetworkID: id("ext")}})
	iface(admin, "routerAPort", "routerA", "subA")
	fip(admin, "fipA", floatingips.CreateOpts{FloatingNetworkID: id("ext"), PortID: id("portA"), TenantID: projectA})
	pool(admin, "poolA", subnetpools.CreateOpts{Name: SecretMarker + "-pool", Prefixes: []string{"10.200.0.0/16"}, DefaultPrefixLen: 24, TenantID: projectA})
	scope(admin, "scopeA", addressscopes.CreateOpts{Name: SecretMarker + "-scope", IPVersion: 4, TenantID: projectA})
	if err == nil {
		var out map[string]any
		body := map[string]any{"address_group": map[string]any{"name": SecretMarker + "-ag", "addresses": []any{"10.66.0.0/16"}, "tenant_id": projectA}}
		if _, e := admin.Post(ctx, admin.ServiceURL("address-groups"), body, &out, nil); e != nil {
			err = fmt.Errorf("setup: address group of A: %w", e)
		} else {
			set("agA")(out["address_group"].(map[string]any)["id"].(string), nil)
		}
	}
	// A's Local IP (on a port it makes in A's network), conntrack helper on A's router and
	// metering label with a rule.
	raw := func(key, path, member string, body map[string]any) {
		if err != nil {
			return
		}
		var out map[string]any
		if _, e := admin.Post(ctx, admin.ServiceURL(strings.Split(path, "/")...), map[string]any{member: body}, &out, nil); e != nil {
			err = fmt.Errorf("setup: %s: %w", key, e)
			return
		}
		set(key)(out[member].(map[string]any)["id"].(string), nil)
	}
	raw("lipA", "local_ips", "local_ip", map[string]any{"name": SecretMarker + "-lip", "network_id": id("netA"), "tenant_id": projectA})
	raw("cthA", "routers/"+id("routerA")+"/conntrack_helpers", "conntrack_helper", map[string]any{"protocol": "udp", "port": 69, "helper": "tftp"})
	raw("mlA", "metering/metering-labels", "metering_label", map[string]any{"name": SecretMarker + "-label", "tenant_id": projectA})
	raw("mlrA", "metering/metering-label-rules", "metering_label_rule", map[string]any{"metering_label_id": id("mlA"), "direction": "egress",
		"remote_ip_prefix": "10.66.0.0/16", "tenant_id": projectA})
	// A trunk of A (a parent and a subport on A's network) and a port forwarding of a free
	// floating IP of A to a third port.
	post := func(path, member, name string, body map[string]any) {
		if err == nil {
			var out map[string]any
			if _, e := admin.Post(ctx, admin.ServiceURL(path), map[string]any{member: body}, &out, nil); e != nil {
				err = fmt.Errorf("setup: %s of A: %w", name, e)
			} else {
				set(name)(out[member].(map[string]any)["id"].(string), nil)
			}
		}
	}
	port(admin, "portAT", ports.CreateOpts{NetworkID: id("netA"), Name: SecretMarker + "-trunk-parent", FixedIPs: ip("subA"), TenantID: projectA})
	port(admin, "portAS", ports.CreateOpts{NetworkID: id("netA"), Name: SecretMarker + "-trunk-sub", FixedIPs: ip("subA2"), TenantID: projectA})
	post("trunks", "trunk", "trunkA", map[string]any{"name": SecretMarker + "-trunk", "port_id": id("portAT"), "tenant_id": projectA,
		"sub_ports": []any{map[string]any{"port_id": id("portAS"), "segmentation_type": "vlan", "segmentation_id": 10}}})
	port(admin, "portAF", ports.CreateOpts{NetworkID: id("netA"), Name: SecretMarker + "-pf-port", FixedIPs: ip("subA"), TenantID: projectA})
	fip(admin, "fipA2", floatingips.CreateOpts{FloatingNetworkID: id("ext"), TenantID: projectA})
	if err == nil {
		var p ports.Port
		if p, err = getPort(ctx, admin, id("portAF")); err == nil {
			w.IDs["portAFIP"] = p.FixedIPs[0].IPAddress
		}
	}
	post("floatingips/"+id("fipA2")+"/port_forwardings", "port_forwarding", "pfA", map[string]any{"internal_port_id": id("portAF"),
		"internal_ip_address": w.IDs["portAFIP"], "internal_port": 22, "external_port": 2222, "protocol": "tcp", "description": SecretMarker + "-pf"})
	// A's NDP proxy: the admin's IPv6 address scope and pool, an external network with an
	// IPv6 subnet from it, A's router proxying NDP on it with an interface on A's IPv6 subnet
	// (from the same pool), and a port there.
	scope(admin, "scope6", addressscopes.CreateOpts{Name: "iso-scope6", IPVersion: 6})
	pool(admin, "pool6", subnetpools.CreateOpts{Name: "iso-pool6", Prefixes: []string{"2001:db8:70::/48"}, DefaultPrefixLen: 64,
		AddressScopeID: id("scope6")})
	network(admin, "ext6", external.CreateOptsExt{CreateOptsBuilder: networks.CreateOpts{Name: "iso-ext6"}, External: &yes})
	subnet(admin, "ext6Sub", subnets.CreateOpts{NetworkID: id("ext6"), IPVersion: gophercloud.IPv6, CIDR: "2001:db8:70:1::/64", SubnetPoolID: id("pool6"), Name: "iso-ext6-sub"})
	network(admin, "net6A", networks.CreateOpts{Name: SecretMarker + "-net6", TenantID: projectA})
	subnet(admin, "sub6A", subnets.CreateOpts{NetworkID: id("net6A"), IPVersion: gophercloud.IPv6, CIDR: "2001:db8:70:2::/64", SubnetPoolID: id("pool6"),
		Name: SecretMarker + "-sub6", TenantID: projectA})
	post("routers", "router", "router6A", map[string]any{"name": SecretMarker + "-router6", "tenant_id": projectA, "enable_ndp_proxy": true,
		"external_gateway_info": map[string]any{"network_id": id("ext6")}})
	iface(admin, "router6APort", "router6A", "sub6A")
	port(admin, "port6A", ports.CreateOpts{NetworkID: id("net6A"), Name: SecretMarker + "-ndp-port", TenantID: projectA})
	post("ndp_proxies", "ndp_proxy", "npA", map[string]any{"name": SecretMarker + "-np", "router_id": id("router6A"), "port_id": id("port6A"), "tenant_id": projectA})
	network(admin, "sharedNet", networks.CreateOpts{Name: "a-shared-net", Shared: &yes, TenantID: projectA})
	subnet(admin, "sharedSub", subnets.CreateOpts{NetworkID: id("sharedNet"), IPVersion: gophercloud.IPv4, CIDR: "10.50.0.0/24", Name: "a-shared-sub", TenantID: projectA})
	if err == nil {
		if _, e := attributestags.ReplaceAll(ctx, admin, "networks", id("netA"), attributestags.ReplaceAllOpts{Tags: []string{SecretMarker + "-tag"}}).Extract(); e != nil {
			err = fmt.Errorf("setup: tag netA: %w", e)
		}
	}
	if err == nil {
		n := 37
		if _, e := quotas.Update(ctx, admin, projectA, quotas.UpdateOpts{Network: &n}).Extract(); e != nil {
			err = fmt.Errorf("setup: quota of A: %w", e)
		}
	}

	network(b, "netB", networks.CreateOpts{Name: "b-net"})
	// B's subnet pools .100–.254: the address an attack names by hand (.77) stays outside it,
	// so B's random allocations never take it first.
	subnet(b, "subB", subnets.CreateOpts{NetworkID: id("netB"), IPVersion: gophercloud.IPv4, CIDR: "10.3.0.0/24", Name: "b-sub",
		AllocationPools: []subnets.AllocationPool{{Start: "10.3.0.100", End: "10.3.0.254"}}})
	pool(b, "poolB", subnetpools.CreateOpts{Name: "b-pool", Prefixes: []string{"10.210.0.0/16"}, DefaultPrefixLen: 24})
	group(b, "sgB", groups.CreateOpts{Name: "b-sg"})
	router(b, "routerB", routers.CreateOpts{Name: "b-router", GatewayInfo: &routers.GatewayInfo{NetworkID: id("ext")}})
	router(b, "routerB2", routers.CreateOpts{Name: "b-router-2"})
	router(b, "routerB3", routers.CreateOpts{Name: "b-router-3"})
	iface(b, "routerBPort", "routerB", "subB")
	port(b, "portB", ports.CreateOpts{NetworkID: id("netB"), Name: "b-vm-port", DeviceOwner: "compute:nova", DeviceID: "b-vm"})
	port(b, "portB2", ports.CreateOpts{NetworkID: id("netB"), Name: "b-spare-port"})
	fip(b, "fipB", floatingips.CreateOpts{FloatingNetworkID: id("ext")})
	// One port on the shared network per attack that rewrites one, so that
	// an attack that wrongly succeeds cannot decide the next one's answer.
	for _, name := range []string{"portBShared", "portBShared2", "portBShared3", "portBShared4", "portBShared5"} {
		port(b, name, ports.CreateOpts{NetworkID: id("sharedNet"), Name: "b-shared-port"})
	}
	if err != nil {
		return nil, err
	}
	// The network type of B's network, for a member update that repeats it.
	var nb struct {
		provider.NetworkProviderExt
	}
	if err := networks.Get(ctx, admin, id("netB")).ExtractInto(&nb); err != nil {
		return nil, fmt.Errorf("setup: read netB: %w", err)
	}
	if nb.NetworkType == "" {
		return nil, fmt.Errorf("setup: admin sees no provider:network_type on B's network")
	}
	w.IDs["netBType"] = nb.NetworkType

	w.private = map[string]string{}
	for _, k := range []string{"netA", "subA", "subA2", "portA", "portA2", "routerA", "fipA", "sgA", "ruleA", "ruleA2", "poolA", "routerAPort", "scopeA", "agA",
		"lipA", "cthA", "mlA", "mlrA", "portAT", "portAS", "trunkA", "portAF", "fipA2", "pfA",
		"net6A", "sub6A", "router6A", "router6APort", "port6A", "npA"} {
		w.private[w.IDs[k]] = k
	}
	return w, nil
}

// idOr returns the id get gives when the call succeeded.
func idOr[T any](x *T, err error, get func() string) (string, error) {
	if err != nil || x == nil {
		return "", err
	}
	return get(), nil
}

// Snapshot is every document of A as an admin sees it, by "collection/id".
type Snapshot map[string]map[string]any

// snapshotCollections are the collections whose documents A owns.
var snapshotCollections = []struct{ path, key string }{
	{"networks", "networks"}, {"subnets", "subnets"}, {"subnetpools", "subnetpools"}, {"ports", "ports"},
	{"routers", "routers"}, {"floatingips", "floatingips"}, {"security-groups", "security_groups"},
	{"security-group-rules", "security_group_rules"}, {"address-scopes", "address_scopes"},
	{"address-groups", "address_groups"}, {"local_ips", "local_ips"}, {"ndp_proxies", "ndp_proxies"},
	{"metering/metering-labels", "metering_labels"},
}

// Take reads, as admin, every document owned by A; every port and subnet on
// A's private network, whoever owns it; every router port whose device_id is
// A's router; every subnet allocated from A's pool, rule whose remote group is
// A's group and port in A's group, whoever owns them; every network:* port
// on A's shared network but B's router interfaces at pool addresses; and A's
// quota.
func Take(ctx context.Context, admin Client, w *World) (Snapshot, error) {
	s := Snapshot{}
	add := func(path, key string, keep func(map[string]any) bool) error {
		out, err := call(ctx, admin, "GET", path, nil, 200)
		if err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		l, ok := out[key].([]any)
		if !ok {
			return fmt.Errorf("snapshot: GET %s: no %q list in %v", path, key, out)
		}
		col, _, _ := strings.Cut(path, "?")
		for _, x := range l {
			d, _ := x.(map[string]any)
			id, _ := d["id"].(string)
			if id == "" {
				return fmt.Errorf("snapshot: GET %s: a document without id: %v", path, d)
			}
			if keep == nil || keep(d) {
				s[col+"/"+id] = d
			}
		}
		return nil
	}
	q := url.Values{"tenant_id": {w.ProjectA}}.Encode()
	for _, c := range snapshotCollections {
		if err := add(c.path+"?"+q, c.key, nil); err != nil {
			return nil, err
		}
	}
	onNet := func(net string) string { return url.Values{"network_id": {net}}.Encode() }
	if err := add("ports?"+onNet(w.IDs["netA"]), "ports", nil); err != nil {
		return nil, err
	}
	if err := add("subnets?"+onNet(w.IDs["netA"]), "subnets", nil); err != nil {
		return nil, err
	}
	// Whoever owns them: what draws on A's pool or names A's group.
	for _, r := range []struct{ path, key string }{
		{"subnets?" + url.Values{"subnetpool_id": {w.IDs["poolA"]}}.Encode(), "subnets"},
		{"security-group-rules?" + url.Values{"remote_group_id": {w.IDs["sgA"]}}.Encode(), "security_group_rules"},
		{"ports?" + url.Values{"security_groups": {w.IDs["sgA"]}}.Encode(), "ports"},
	} {
		if err := add(r.path, r.key, nil); err != nil {
			return nil, err
		}
	}
	networkOwned := func(d map[string]any) bool {
		o, _ := d["device_owner"].(string)
		return strings.HasPrefix(o, "network:")
	}
	// A device_id is free text: only a router port owner makes a port part of
	// the router it names (Neutron lets B name A's router on a port of its
	// own with any other owner, network:* ones included).
	routerOwned := func(d map[string]any) bool {
		switch d["device_owner"] {
		case "network:router_interface", "network:router_interface_distributed",
			"network:ha_router_replicated_interface", "network:router_gateway":
			return true
		}
		return false
	}
	if err := add("ports?"+url.Values{"device_id": {w.IDs["routerA"]}}.Encode(), "ports", routerOwned); err != nil {
		return nil, err
	}
	// On the shared network B may attach its own router through its own
	// port at an address of the allocation pools (Neutron's
	// _validate_port_in_range_or_admin); any other network:* port, and a
	// router port holding a subnet's gateway address, is A's business.
	gateways := map[string]bool{}
	for _, d := range s {
		if d["network_id"] == w.IDs["sharedNet"] {
			if g, ok := d["gateway_ip"].(string); ok {
				gateways[g] = true
			}
		}
	}
	onShared := func(d map[string]any) bool {
		if !networkOwned(d) {
			return false
		}
		if d["device_owner"] != "network:router_interface" {
			return true
		}
		ips, _ := d["fixed_ips"].([]any)
		for _, x := range ips {
			ip, _ := x.(map[string]any)
			if a, _ := ip["ip_address"].(string); gateways[a] {
				return true
			}
		}
		return false
	}
	if err := add("ports?"+onNet(w.IDs["sharedNet"]), "ports", onShared); err != nil {
		return nil, err
	}
	out, err := call(ctx, admin, "GET", "quotas/"+url.PathEscape(w.ProjectA), nil, 200)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	qd, _ := out["quota"].(map[string]any)
	s["quotas/"+w.ProjectA] = qd
	return s, nil
}

// Diff lists what differs between two snapshots, one line per document
// (gone, new, or the attributes that changed with both values).
func Diff(before, after Snapshot) []string {
	var out []string
	for k, b := range before {
		a, ok := after[k]
		if !ok {
			out = append(out, k+": gone")
			continue
		}
		if reflect.DeepEqual(a, b) {
			continue
		}
		var fields []string
		for f := range union(a, b) {
			if !reflect.DeepEqual(a[f], b[f]) {
				fields = append(fields, fmt.Sprintf("%s %s -> %s", f, js(b[f]), js(a[f])))
			}
		}
		sort.Strings(fields)
		out = append(out, k+": "+strings.Join(fields, "; "))
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			out = append(out, k+": new "+js(after[k]))
		}
	}
	sort.Strings(out)
	return out
}

func union(a, b map[string]any) map[string]bool {
	u := map[string]bool{}
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Leaks lists what an answer to B reveals of A's private resources: their IDs
// (unless the request named them itself) and the SecretMarker of their
// names and tags.
func (w *World) Leaks(request string, answer []byte) []string {
	var out []string
	text := string(answer)
	for id, name := range w.private {
		if strings.Contains(text, id) && !strings.Contains(request, id) {
			out = append(out, "the id of "+name)
		}
	}
	if strings.Contains(text, SecretMarker) && !strings.Contains(request, SecretMarker) {
		out = append(out, "the name or a tag of a private resource of A ("+SecretMarker+"…)")
	}
	sort.Strings(out)
	return out
}

// ErrorType returns the NeutronError type of an error answer ("" if none).
func ErrorType(answer []byte) string {
	var e struct {
		NeutronError struct {
			Type string `json:"type"`
		} `json:"NeutronError"`
	}
	_ = json.Unmarshal(answer, &e)
	return e.NeutronError.Type
}

// LeakedDocs lists the private documents of A that an answer holds: any JSON
// object whose id is one of A's private resources and whose project is A.
// Unlike Leaks it does not depend on what B sent earlier (B may itself store
// A's ids in free-text attributes such as device_id), so it suits the fuzzer.
func (w *World) LeakedDocs(answer []byte) []string {
	var v any
	if json.Unmarshal(answer, &v) != nil {
		return nil
	}
	var out []string
	var walk func(any)
	walk = func(x any) {
		switch t := x.(type) {
		case map[string]any:
			id, _ := t["id"].(string)
			if name, ok := w.private[id]; ok && (t["project_id"] == w.ProjectA || t["tenant_id"] == w.ProjectA) {
				out = append(out, name)
			}
			for _, e := range t {
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	sort.Strings(out)
	return out
}

// getPort reads one port.
func getPort(ctx context.Context, c *gophercloud.ServiceClient, id string) (ports.Port, error) {
	p, err := ports.Get(ctx, c, id).Extract()
	if err != nil || p == nil {
		return ports.Port{}, err
	}
	return *p, nil
}
