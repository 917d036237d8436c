package crud_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/rules"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/subnetpools"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// missing is an id no object has.
const missing = "00000000-0000-4000-8000-000000000000"

// fixture is what the rows build on: a tenant network with a subnet, an external network
// with a subnet, and a security group. Both subnets pool .10–.200 of their /24, so the
// addresses the rows ask for by hand (.250 and up) are never taken by a random allocation
// first.
type fixture struct {
	net, subnet, extNet, extSubnet, sg string
}

func newFixture(t *testing.T, c *gophercloud.ServiceClient) *fixture {
	ctx := t.Context()
	fx := &fixture{}
	n, err := networks.Create(ctx, c, networks.CreateOpts{Name: "fixture"}).Extract()
	fatal(t, err)
	fx.net = n.ID
	s, err := subnets.Create(ctx, c, subnets.CreateOpts{NetworkID: fx.net, CIDR: "10.40.0.0/24", IPVersion: 4,
		AllocationPools: []subnets.AllocationPool{{Start: "10.40.0.10", End: "10.40.0.200"}}}).Extract()
	fatal(t, err)
	fx.subnet = s.ID
	n, err = networks.Create(ctx, c, externalNet{CreateOpts: networks.CreateOpts{Name: "ext"}, External: true}).Extract()
	fatal(t, err)
	fx.extNet = n.ID
	s, err = subnets.Create(ctx, c, subnets.CreateOpts{NetworkID: fx.extNet, CIDR: "172.24.8.0/24", IPVersion: 4,
		AllocationPools: []subnets.AllocationPool{{Start: "172.24.8.10", End: "172.24.8.200"}}}).Extract()
	fatal(t, err)
	fx.extSubnet = s.ID
	g, err := groups.Create(ctx, c, groups.CreateOpts{Name: "fixture"}).Extract()
	fatal(t, err)
	fx.sg = g.ID
	return fx
}

// externalNet adds router:external to a network create.
type externalNet struct {
	networks.CreateOpts
	External bool
}

func (e externalNet) ToNetworkCreateMap() (map[string]any, error) {
	m, err := e.CreateOpts.ToNetworkCreateMap()
	if err == nil {
		m["network"].(map[string]any)["router:external"] = e.External
	}
	return m, err
}

// inRange reports whether the address s lies in [start, end].
func inRange(s, start, end string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Compare(netip.MustParseAddr(start)) >= 0 && a.Compare(netip.MustParseAddr(end)) <= 0
}

func cases(fx *fixture) []crudCase {
	name := func(s string) *string { return &s }
	yes, no := true, false
	var pool string // the subnet pool the "from a subnet pool" row makes
	return []crudCase{
		// networks
		{path: "networks", member: "network", name: "defaults", notFound: "NetworkNotFound",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				n, err := networks.Create(ctx, c, networks.CreateOpts{Name: "n1"}).Extract()
				return id(n, err, func() string { return n.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := networks.Update(ctx, c, id, networks.UpdateOpts{Name: name("n1-renamed")}).Extract()
				return "name", "n1-renamed", err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"name": "n1", "description": "", "admin_state_up": true, "status": "ACTIVE", "shared": false,
					"router:external": false, "subnets": []any{}, "port_security_enabled": true, "provider:network_type": "midonet",
					"mtu": float64(1450), "qos_policy_id": nil})
			},
			errors: []errCase{
				{name: "a non-boolean admin_state_up", body: map[string]any{"admin_state_up": "maybe"}, status: 400, typ: "InvalidInput"},
				{name: "an unknown provider type", body: map[string]any{"provider:network_type": "gre"}, status: 400, typ: "InvalidInput"},
				{name: "the read-only status", update: true, body: map[string]any{"status": "DOWN"}, status: 400, typ: "HTTPBadRequest"},
			}},
		{path: "networks", member: "network", name: "shared and external", notFound: "NetworkNotFound",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				n, err := networks.Create(ctx, c, externalNet{CreateOpts: networks.CreateOpts{Name: "public", Shared: &yes}, External: true}).Extract()
				return id(n, err, func() string { return n.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := networks.Update(ctx, c, id, networks.UpdateOpts{Shared: &no}).Extract()
				return "shared", false, err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"name": "public", "shared": true, "router:external": true, "status": "ACTIVE"})
			}},

		// subnets
		{path: "subnets", member: "subnet", name: "IPv4 defaults", notFound: "SubnetNotFound",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				s, err := subnets.Create(ctx, c, subnets.CreateOpts{NetworkID: fx.net, CIDR: "10.40.1.0/24", IPVersion: 4, Name: "s1"}).Extract()
				return id(s, err, func() string { return s.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := subnets.Update(ctx, c, id, subnets.UpdateOpts{Name: name("s1-renamed")}).Extract()
				return "name", "s1-renamed", err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"name": "s1", "description": "", "cidr": "10.40.1.0/24", "gateway_ip": "10.40.1.1", "enable_dhcp": true,
					"ip_version": float64(4), "allocation_pools": []any{map[string]any{"start": "10.40.1.2", "end": "10.40.1.254"}},
					"network_id": fx.net, "dns_nameservers": []any{}, "host_routes": []any{}, "subnetpool_id": nil,
					"ipv6_address_mode": nil, "ipv6_ra_mode": nil})
			},
			errors: []errCase{
				{name: "a prefix length over 32", body: map[string]any{"network_id": fx.net, "cidr": "10.42.0.0/33", "ip_version": 4}, status: 400, typ: "InvalidInput"},
				{name: "a CIDR overlapping the network's subnet", body: map[string]any{"network_id": fx.net, "cidr": "10.40.0.128/25", "ip_version": 4}, status: 400, typ: "InvalidInput"},
				{name: "a network that does not exist", body: map[string]any{"network_id": missing, "cidr": "10.42.0.0/24", "ip_version": 4}, status: 404, typ: "NetworkNotFound"},
				{name: "an address of the other IP version", body: map[string]any{"network_id": fx.net, "cidr": "10.42.0.0/24", "ip_version": 6}, status: 400, typ: "InvalidInput"},
				{name: "the read-only cidr", update: true, body: map[string]any{"cidr": "10.42.0.0/24"}, status: 400, typ: "HTTPBadRequest"},
			}},
		{path: "subnets", member: "subnet", name: "IPv6 defaults", notFound: "SubnetNotFound",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				s, err := subnets.Create(ctx, c, subnets.CreateOpts{NetworkID: fx.net, CIDR: "2001:db8:40::/64", IPVersion: 6, Name: "s6"}).Extract()
				return id(s, err, func() string { return s.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := subnets.Update(ctx, c, id, subnets.UpdateOpts{EnableDHCP: &no}).Extract()
				return "enable_dhcp", false, err
			},
			check: func(t *testing.T, d map[string]any) {
				// Neutron's IPv6 default gateway is the subnet-router anycast address.
				expect(t, d, map[string]any{"cidr": "2001:db8:40::/64", "ip_version": float64(6), "gateway_ip": "2001:db8:40::", "enable_dhcp": true,
					"allocation_pools":  []any{map[string]any{"start": "2001:db8:40::1", "end": "2001:db8:40:0:ffff:ffff:ffff:ffff"}},
					"ipv6_address_mode": nil, "ipv6_ra_mode": nil})
			}},
		{path: "subnets", member: "subnet", name: "from a subnet pool", notFound: "SubnetNotFound",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				p, err := subnetpools.Create(ctx, c, subnetpools.CreateOpts{Name: "for-subnets", Prefixes: []string{"10.81.0.0/16"}, DefaultPrefixLen: 26}).Extract()
				if err != nil {
					return "", err
				}
				pool = p.ID
				// A network's subnets of one IP version come from one pool (or none): a
				// network of its own, not the fixture's.
				n, err := networks.Create(ctx, c, networks.CreateOpts{Name: "pooled"}).Extract()
				if err != nil {
					return "", err
				}
				s, err := subnets.Create(ctx, c, subnets.CreateOpts{NetworkID: n.ID, SubnetPoolID: p.ID, IPVersion: 4, Name: "pooled"}).Extract()
				return id(s, err, func() string { return s.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := subnets.Update(ctx, c, id, subnets.UpdateOpts{Name: name("pooled-renamed")}).Extract()
				return "name", "pooled-renamed", err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"subnetpool_id": pool, "ip_version": float64(4)})
				cidr, err := netip.ParsePrefix(d["cidr"].(string))
				if err != nil || cidr.Bits() != 26 || !netip.MustParsePrefix("10.81.0.0/16").Contains(cidr.Addr()) {
					t.Errorf("cidr %v, want a /26 of the pool's 10.81.0.0/16", d["cidr"])
				}
			}},

		// subnet pools
		{path: "subnetpools", member: "subnetpool", name: "defaults", notFound: "SubnetPoolNotFound",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				p, err := subnetpools.Create(ctx, c, subnetpools.CreateOpts{Name: "pool", Prefixes: []string{"10.80.0.0/16"}, DefaultPrefixLen: 26}).Extract()
				return id(p, err, func() string { return p.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := subnetpools.Update(ctx, c, id, subnetpools.UpdateOpts{Name: "pool-renamed"}).Extract()
				return "name", "pool-renamed", err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"name": "pool", "prefixes": []any{"10.80.0.0/16"}, "default_prefixlen": "26", "min_prefixlen": "8",
					"max_prefixlen": "32", "ip_version": float64(4), "shared": false, "is_default": false, "address_scope_id": nil, "default_quota": nil})
			},
			errors: []errCase{
				{name: "a default prefix length out of bounds", body: map[string]any{"name": "bad", "prefixes": []any{"10.82.0.0/16"}, "default_prefixlen": 40}, status: 400, typ: "IllegalSubnetPoolPrefixBounds"},
				{name: "an address scope that does not exist", body: map[string]any{"name": "bad", "prefixes": []any{"10.82.0.0/16"}, "address_scope_id": missing}, status: 404, typ: "AddressScopeNotFound"},
			}},

		// ports
		{path: "ports", member: "port", name: "defaults", notFound: "PortNotFound",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				p, err := ports.Create(ctx, c, ports.CreateOpts{NetworkID: fx.net, Name: "p1"}).Extract()
				return id(p, err, func() string { return p.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := ports.Update(ctx, c, id, ports.UpdateOpts{Name: name("p1-renamed")}).Extract()
				return "name", "p1-renamed", err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"name": "p1", "description": "", "network_id": fx.net, "admin_state_up": true, "status": "DOWN",
					"device_owner": "", "device_id": "", "port_security_enabled": true, "allowed_address_pairs": []any{}})
				ips, _ := d["fixed_ips"].([]any)
				if len(ips) != 1 {
					t.Fatalf("fixed_ips %v, want one address", d["fixed_ips"])
				}
				ip := ips[0].(map[string]any)
				if !inRange(ip["ip_address"].(string), "10.40.0.10", "10.40.0.200") || ip["subnet_id"] != fx.subnet {
					t.Errorf("fixed_ips %v, want an address of the fixture subnet's pool", ips)
				}
				if mac, _ := d["mac_address"].(string); len(mac) != 17 {
					t.Errorf("mac_address %q", mac)
				}
				if sg, _ := d["security_groups"].([]any); len(sg) != 1 {
					t.Errorf("security_groups %v, want the project's default group", d["security_groups"])
				}
			},
			errors: []errCase{
				{name: "a network that does not exist", body: map[string]any{"network_id": missing}, status: 404, typ: "NetworkNotFound"},
				{name: "an address of no subnet of the network", body: map[string]any{"network_id": fx.net, "fixed_ips": []any{map[string]any{"ip_address": "10.99.0.5"}}}, status: 400, typ: "InvalidIpForNetwork"},
				{name: "a non-boolean admin_state_up", body: map[string]any{"network_id": fx.net, "admin_state_up": "maybe"}, status: 400, typ: "InvalidInput"},
				{name: "a security group that does not exist", body: map[string]any{"network_id": fx.net, "security_groups": []any{missing}}, status: 404, typ: "SecurityGroupNotFound"},
				{name: "the read-only network_id", update: true, body: map[string]any{"network_id": fx.extNet}, status: 400, typ: "HTTPBadRequest"},
			}},
		{path: "ports", member: "port", name: "a fixed address and MAC", notFound: "PortNotFound",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				p, err := ports.Create(ctx, c, ports.CreateOpts{NetworkID: fx.net, Name: "vm", DeviceOwner: "compute:nova", DeviceID: "vm-1",
					MACAddress: "fa:16:3e:40:00:01", FixedIPs: []ports.IP{{SubnetID: fx.subnet, IPAddress: "10.40.0.250"}}}).Extract()
				return id(p, err, func() string { return p.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := ports.Update(ctx, c, id, ports.UpdateOpts{AdminStateUp: &no}).Extract()
				return "admin_state_up", false, err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"mac_address": "fa:16:3e:40:00:01", "device_owner": "compute:nova", "device_id": "vm-1",
					"fixed_ips": []any{map[string]any{"subnet_id": fx.subnet, "ip_address": "10.40.0.250"}}})
			},
			errors: []errCase{
				{name: "its address", body: map[string]any{"network_id": fx.net, "fixed_ips": []any{map[string]any{"ip_address": "10.40.0.250"}}}, status: 409, typ: "IpAddressAlreadyAllocated"},
				{name: "its MAC", body: map[string]any{"network_id": fx.net, "mac_address": "fa:16:3e:40:00:01"}, status: 409, typ: "MacAddressInUse"},
				{name: "an address outside the given subnet", update: true, body: map[string]any{"fixed_ips": []any{map[string]any{"subnet_id": fx.subnet, "ip_address": "10.41.0.5"}}}, status: 400, typ: "InvalidIpForSubnet"},
			}},

		// security groups and rules
		{path: "security-groups", member: "security_group", name: "defaults", notFound: "SecurityGroupNotFound",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				g, err := groups.Create(ctx, c, groups.CreateOpts{Name: "web"}).Extract()
				return id(g, err, func() string { return g.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := groups.Update(ctx, c, id, groups.UpdateOpts{Name: "web-renamed"}).Extract()
				return "name", "web-renamed", err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"name": "web", "description": ""})
				rs, _ := d["security_group_rules"].([]any)
				if len(rs) != 2 {
					t.Fatalf("a new group has %d rules, want the two default egress rules", len(rs))
				}
				ethertypes := map[any]bool{}
				for _, r := range rs {
					r := r.(map[string]any)
					ethertypes[r["ethertype"]] = r["direction"] == "egress" && r["remote_ip_prefix"] == nil && r["protocol"] == nil
				}
				if !ethertypes["IPv4"] || !ethertypes["IPv6"] {
					t.Errorf("default rules %v, want egress to anywhere for IPv4 and IPv6", rs)
				}
			},
			errors: []errCase{
				{name: "the name default", body: map[string]any{"name": "default"}, status: 409, typ: "SecurityGroupDefaultAlreadyExists"},
			}},
		{path: "security-group-rules", member: "security_group_rule", name: "tcp from a prefix", notFound: "SecurityGroupRuleNotFound",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				g, err := groups.Create(ctx, c, groups.CreateOpts{Name: "for-rules"}).Extract()
				if err != nil {
					return "", err
				}
				r, err := rules.Create(ctx, c, rules.CreateOpts{SecGroupID: g.ID, Direction: rules.DirIngress, EtherType: rules.EtherType4,
					Protocol: rules.ProtocolTCP, PortRangeMin: 22, PortRangeMax: 22, RemoteIPPrefix: "192.0.2.0/24"}).Extract()
				return id(r, err, func() string { return r.ID })
			},
			// gophercloud has no rule update; the description is the one attribute that changes.
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := c.Put(ctx, c.ServiceURL("security-group-rules", id), map[string]any{"security_group_rule": map[string]any{"description": "ssh"}},
					nil, &gophercloud.RequestOpts{OkCodes: []int{200}})
				return "description", "ssh", err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": float64(22),
					"port_range_max": float64(22), "remote_ip_prefix": "192.0.2.0/24", "remote_group_id": nil, "description": ""})
				if _, shown := d["standard_attr_id"]; shown {
					t.Error("standard_attr_id shown on a rule (Neutron shows it only inside a group)")
				}
			},
			errors: []errCase{
				{name: "a group that does not exist", body: map[string]any{"security_group_id": missing, "direction": "ingress"}, status: 404, typ: "SecurityGroupNotFound"},
				{name: "ports without a protocol", body: map[string]any{"security_group_id": fx.sg, "direction": "ingress", "port_range_min": 1, "port_range_max": 2}, status: 400, typ: "SecurityGroupProtocolRequiredWithPorts"},
				{name: "an IPv6 protocol on IPv4", body: map[string]any{"security_group_id": fx.sg, "direction": "ingress", "ethertype": "IPv4", "protocol": "ipv6-icmp"}, status: 400, typ: "SecurityGroupEthertypeConflictWithProtocol"},
				{name: "a direction that is neither", body: map[string]any{"security_group_id": fx.sg, "direction": "sideways"}, status: 400, typ: "HTTPBadRequest"},
				{name: "the read-only protocol", update: true, body: map[string]any{"protocol": "udp"}, status: 400, typ: "HTTPBadRequest"},
			}},
		{path: "security-group-rules", member: "security_group_rule", name: "IPv6 from a remote group", notFound: "SecurityGroupRuleNotFound",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				r, err := rules.Create(ctx, c, rules.CreateOpts{SecGroupID: fx.sg, Direction: rules.DirIngress, EtherType: rules.EtherType6,
					Protocol: rules.ProtocolIPv6ICMP, RemoteGroupID: fx.sg}).Extract()
				return id(r, err, func() string { return r.ID })
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"security_group_id": fx.sg, "direction": "ingress", "ethertype": "IPv6", "protocol": "ipv6-icmp",
					"remote_group_id": fx.sg, "remote_ip_prefix": nil, "port_range_min": nil, "port_range_max": nil})
			},
			errors: []errCase{
				{name: "the same rule", body: map[string]any{"security_group_id": fx.sg, "direction": "ingress", "ethertype": "IPv6", "protocol": "ipv6-icmp", "remote_group_id": fx.sg},
					status: 409, typ: "SecurityGroupRuleExists"},
			}},

		// routers
		{path: "routers", member: "router", name: "defaults", notFound: "RouterNotFound",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				r, err := routers.Create(ctx, c, routers.CreateOpts{Name: "r1"}).Extract()
				return id(r, err, func() string { return r.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := routers.Update(ctx, c, id, routers.UpdateOpts{Name: "r1-renamed"}).Extract()
				return "name", "r1-renamed", err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"name": "r1", "description": "", "admin_state_up": true, "status": "ACTIVE", "external_gateway_info": nil, "routes": []any{}})
				if _, shown := d["gw_port_id"]; shown {
					t.Error("gw_port_id shown on a router")
				}
			},
			errors: []errCase{
				{name: "a gateway on a network that is not external", body: map[string]any{"external_gateway_info": map[string]any{"network_id": fx.net}}, status: 400, typ: "BadRequest"},
				{name: "a gateway on a network that does not exist", body: map[string]any{"external_gateway_info": map[string]any{"network_id": missing}}, status: 404, typ: "NetworkNotFound"},
				{name: "the read-only status", update: true, body: map[string]any{"status": "DOWN"}, status: 400, typ: "HTTPBadRequest"},
				{name: "a route to nowhere", update: true, body: map[string]any{"routes": []any{map[string]any{"destination": "192.0.2.0/24", "nexthop": "10.99.0.1"}}}, status: 400, typ: "InvalidRoutes"},
			}},
		{path: "routers", member: "router", name: "with a gateway", notFound: "RouterNotFound",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				r, err := routers.Create(ctx, c, routers.CreateOpts{Name: "edge", GatewayInfo: &routers.GatewayInfo{NetworkID: fx.extNet}}).Extract()
				return id(r, err, func() string { return r.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := routers.Update(ctx, c, id, routers.UpdateOpts{Description: name("edge router")}).Extract()
				return "description", "edge router", err
			},
			check: func(t *testing.T, d map[string]any) {
				gw, _ := d["external_gateway_info"].(map[string]any)
				expect(t, gw, map[string]any{"network_id": fx.extNet, "enable_snat": true})
				ips, _ := gw["external_fixed_ips"].([]any)
				if len(ips) != 1 {
					t.Fatalf("external_fixed_ips %v, want one address", gw["external_fixed_ips"])
				}
				ip := ips[0].(map[string]any)
				if ip["subnet_id"] != fx.extSubnet || !inRange(ip["ip_address"].(string), "172.24.8.10", "172.24.8.200") {
					t.Errorf("external_fixed_ips %v, want an address of the external subnet's pool", ips)
				}
			}},

		// floating IPs
		{path: "floatingips", member: "floatingip", name: "defaults", notFound: "FloatingIPNotFound",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				f, err := floatingips.Create(ctx, c, floatingips.CreateOpts{FloatingNetworkID: fx.extNet}).Extract()
				return id(f, err, func() string { return f.ID })
			},
			update: func(ctx context.Context, c *gophercloud.ServiceClient, id string) (string, any, error) {
				_, err := floatingips.Update(ctx, c, id, floatingips.UpdateOpts{Description: name("spare")}).Extract()
				return "description", "spare", err
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"floating_network_id": fx.extNet, "status": "DOWN", "port_id": nil, "router_id": nil,
					"fixed_ip_address": nil, "description": ""})
				if !inRange(d["floating_ip_address"].(string), "172.24.8.10", "172.24.8.200") {
					t.Errorf("floating_ip_address %v, want one of the external subnet's pool", d["floating_ip_address"])
				}
				if _, shown := d["floating_port_id"]; shown {
					t.Error("floating_port_id shown on a floating IP")
				}
			},
			errors: []errCase{
				{name: "a network that is not external", body: map[string]any{"floating_network_id": fx.net}, status: 400, typ: "BadRequest"},
				{name: "a network that does not exist", body: map[string]any{"floating_network_id": missing}, status: 404, typ: "NetworkNotFound"},
				{name: "a port that does not exist", body: map[string]any{"floating_network_id": fx.extNet, "port_id": missing}, status: 404, typ: "PortNotFound"},
				{name: "the address", update: true, body: map[string]any{"floating_ip_address": "172.24.8.251"}, status: 400, typ: "HTTPBadRequest"},
			}},
		{path: "floatingips", member: "floatingip", name: "at a chosen address", notFound: "FloatingIPNotFound",
			create: func(ctx context.Context, c *gophercloud.ServiceClient) (string, error) {
				f, err := floatingips.Create(ctx, c, floatingips.CreateOpts{FloatingNetworkID: fx.extNet, FloatingIP: "172.24.8.250"}).Extract()
				return id(f, err, func() string { return f.ID })
			},
			check: func(t *testing.T, d map[string]any) {
				expect(t, d, map[string]any{"floating_ip_address": "172.24.8.250", "status": "DOWN"})
			},
			errors: []errCase{
				{name: "its address", body: map[string]any{"floating_network_id": fx.extNet, "floating_ip_address": "172.24.8.250"}, status: 409, typ: "IpAddressAlreadyAllocated"},
				{name: "an address off the network", body: map[string]any{"floating_network_id": fx.extNet, "floating_ip_address": "10.99.0.1"}, status: 400, typ: "InvalidIpForNetwork"},
			}},
	}
}
