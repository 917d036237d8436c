package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// validationCase is one request of TestNeutronValidation: what Neutron refuses (with its
// status, error type and message) and the accepted neighbour that shows where the boundary is.
type validationCase struct {
	name         string
	method, path string
	body         string
	wantStatus   int
	wantType     string // NeutronError type of a refusal
	wantMsg      string // NeutronError message of a refusal
	save         string // name under which a created resource's id is kept for later rows
}

// TestNeutronValidation sends the inputs Neutron 21 (neutron-lib validators, _validate_subnet,
// validate_allocation_pools, _check_and_get_fip_assoc) refuses, next to the nearest inputs it
// accepts. A refused create must leave its collection as it was and a refused update must
// leave the resource unchanged.
func TestNeutronValidation(t *testing.T) {
	s := newInProcess(t, nil)
	var fx fixtures
	s.ensureFixtures(t, &fx)
	ids := map[string]string{"ext": fx.ext, "router": fx.router, "fxnet": fx.net, "fxsub": fx.subnet}
	create := func(col, key string, body map[string]any) string {
		return idOf(s.must(http.MethodPost, "/v2.0/"+col, map[string]any{key: body}, 201), key)
	}
	ids["nets"] = create("networks", "network", map[string]any{"name": "subnets"})
	ids["netp"] = create("networks", "network", map[string]any{"name": "ports"})
	ids["netpool"] = create("networks", "network", map[string]any{"name": "pool subnets"})
	create("subnets", "subnet", map[string]any{"network_id": ids["netp"], "ip_version": 4, "cidr": "10.60.0.0/24"})
	ids["port"] = create("ports", "port", map[string]any{"network_id": ids["netp"]})
	ids["off31"] = create("subnets", "subnet", map[string]any{"network_id": ids["nets"], "ip_version": 4, "cidr": "10.49.0.0/31", "enable_dhcp": false})
	ids["off30"] = create("subnets", "subnet", map[string]any{"network_id": ids["nets"], "ip_version": 4, "cidr": "10.49.0.4/30", "enable_dhcp": false})
	ids["gw"] = create("subnets", "subnet", map[string]any{"network_id": ids["nets"], "ip_version": 4, "cidr": "10.48.0.0/24",
		"allocation_pools": []any{map[string]any{"start": "10.48.0.10", "end": "10.48.0.20"}}})
	ids["v6"] = create("subnets", "subnet", map[string]any{"network_id": ids["nets"], "ip_version": 6, "cidr": "2001:db8:60::/64"})
	ids["sg"] = create("security-groups", "security_group", map[string]any{"name": "rules"})
	ids["pool"] = create("subnetpools", "subnetpool", map[string]any{"name": "p", "prefixes": []any{"10.200.0.0/16"}, "default_prefixlen": 24})
	// Floating IP association needs a port behind a router with a gateway on the external network.
	s.must(http.MethodPut, "/v2.0/routers/"+fx.router+"/add_router_interface", map[string]any{"subnet_id": fx.subnet}, 200)
	for name, ip := range map[string]string{"fport": "10.9.0.50", "fport2": "10.9.0.51"} {
		ids[name] = create("ports", "port", map[string]any{"network_id": fx.net,
			"fixed_ips": []any{map[string]any{"subnet_id": fx.subnet, "ip_address": ip}}})
	}

	badMAC := func(attr, mac string) string {
		return "Invalid input for " + attr + ". Reason: '" + mac + "' is not a valid MAC address."
	}
	const (
		dhcpPrefix = "Invalid input for operation: Subnet has a prefix length that is incompatible with DHCP service enabled."
		gwInvalid  = "Invalid input for operation: Gateway is not valid on subnet."
		fipNoPort  = "Bad floatingip request: fixed_ip_address cannot be specified without a port_id."
	)
	subnet := func(fields string) string {
		return `{"subnet": {"network_id": "{nets}", ` + fields + `}}`
	}
	rule := func(fields string) string {
		return `{"security_group_rule": {"security_group_id": "{sg}", "direction": "ingress", ` + fields + `}}`
	}
	cases := []validationCase{
		// Security group rules and groups (neutron securitygroups_db, extensions/securitygroup).
		{name: "rule tcp port_range_max without min", method: "POST", path: "/v2.0/security-group-rules", body: rule(`"ethertype": "IPv4", "protocol": "tcp", "port_range_max": 6`),
			wantStatus: 400, wantType: "SecurityGroupInvalidPortRange", wantMsg: "For TCP/UDP protocols, port_range_min must be <= port_range_max"},
		{name: "rule tcp single port", method: "POST", path: "/v2.0/security-group-rules", body: rule(`"ethertype": "IPv4", "protocol": "tcp", "port_range_min": 6, "port_range_max": 6`), wantStatus: 201},
		{name: "rule ipv6-icmp with IPv4", method: "POST", path: "/v2.0/security-group-rules", body: rule(`"ethertype": "IPv4", "protocol": "ipv6-icmp"`),
			wantStatus: 400, wantType: "SecurityGroupEthertypeConflictWithProtocol", wantMsg: "Invalid ethertype IPv4 for protocol ipv6-icmp."},
		{name: "rule protocol 59 with IPv4", method: "POST", path: "/v2.0/security-group-rules", body: rule(`"ethertype": "IPv4", "protocol": "59"`),
			wantStatus: 400, wantType: "SecurityGroupEthertypeConflictWithProtocol", wantMsg: "Invalid ethertype IPv4 for protocol 59."},
		{name: "rule ipv6-icmp with IPv6", method: "POST", path: "/v2.0/security-group-rules", body: rule(`"ethertype": "IPv6", "protocol": "ipv6-icmp"`), wantStatus: 201},
		{name: "rule remote group that is not an id", method: "POST", path: "/v2.0/security-group-rules", body: rule(`"ethertype": "IPv4", "remote_group_id": "bad_group_id"`),
			wantStatus: 404, wantType: "SecurityGroupNotFound", wantMsg: "Security group bad_group_id does not exist"},
		{name: "group renamed default", method: "PUT", path: "/v2.0/security-groups/{sg}", body: `{"security_group": {"name": "default"}}`,
			wantStatus: 409, wantType: "SecurityGroupDefaultAlreadyExists", wantMsg: "Default security group already exists."},
		{name: "group renamed", method: "PUT", path: "/v2.0/security-groups/{sg}", body: `{"security_group": {"name": "web"}}`, wantStatus: 200},
		// MAC addresses: all zeros and broadcast are refused on ports and in address pairs.
		{name: "port mac all zeros", method: "POST", path: "/v2.0/ports", body: `{"port": {"network_id": "{netp}", "mac_address": "00:00:00:00:00:00"}}`,
			wantStatus: 400, wantType: "HTTPBadRequest", wantMsg: badMAC("mac_address", "00:00:00:00:00:00")},
		{name: "port mac broadcast", method: "POST", path: "/v2.0/ports", body: `{"port": {"network_id": "{netp}", "mac_address": "ff:ff:ff:ff:ff:ff"}}`,
			wantStatus: 400, wantType: "HTTPBadRequest", wantMsg: badMAC("mac_address", "ff:ff:ff:ff:ff:ff")},
		{name: "port mac broadcast, upper case with dashes", method: "POST", path: "/v2.0/ports", body: `{"port": {"network_id": "{netp}", "mac_address": "FF-FF-FF-FF-FF-FF"}}`,
			wantStatus: 400, wantType: "HTTPBadRequest", wantMsg: badMAC("mac_address", "ff:ff:ff:ff:ff:ff")},
		{name: "port mac unicast", method: "POST", path: "/v2.0/ports", body: `{"port": {"network_id": "{netp}", "mac_address": "fa:16:3e:00:00:01"}}`, wantStatus: 201},
		{name: "port mac one bit off zero", method: "POST", path: "/v2.0/ports", body: `{"port": {"network_id": "{netp}", "mac_address": "00:00:00:00:00:01"}}`, wantStatus: 201},
		{name: "port mac multicast (accepted by Neutron 21)", method: "POST", path: "/v2.0/ports", body: `{"port": {"network_id": "{netp}", "mac_address": "01:00:5e:00:00:01"}}`, wantStatus: 201},
		{name: "port mac update to all zeros", method: "PUT", path: "/v2.0/ports/{port}", body: `{"port": {"mac_address": "00:00:00:00:00:00"}}`,
			wantStatus: 400, wantType: "HTTPBadRequest", wantMsg: badMAC("mac_address", "00:00:00:00:00:00")},
		{name: "port mac update to unicast", method: "PUT", path: "/v2.0/ports/{port}", body: `{"port": {"mac_address": "fa:16:3e:00:00:02"}}`, wantStatus: 200},
		{name: "address pair mac all zeros", method: "POST", path: "/v2.0/ports", body: `{"port": {"network_id": "{netp}", "allowed_address_pairs": [{"ip_address": "10.60.0.100", "mac_address": "00:00:00:00:00:00"}]}}`,
			wantStatus: 400, wantType: "HTTPBadRequest", wantMsg: "'00:00:00:00:00:00' is not a valid MAC address"},
		{name: "address pair mac broadcast on update", method: "PUT", path: "/v2.0/ports/{port}", body: `{"port": {"allowed_address_pairs": [{"ip_address": "10.60.0.100", "mac_address": "ff:ff:ff:ff:ff:ff"}]}}`,
			wantStatus: 400, wantType: "HTTPBadRequest", wantMsg: "'ff:ff:ff:ff:ff:ff' is not a valid MAC address"},
		{name: "address pair mac unicast", method: "PUT", path: "/v2.0/ports/{port}", body: `{"port": {"allowed_address_pairs": [{"ip_address": "10.60.0.100", "mac_address": "fa:16:3e:00:00:03"}]}}`, wantStatus: 200},

		// DHCP needs room for a server: at most /30 (IPv4) and /126 (IPv6).
		{name: "dhcp /31", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.50.0.0/31"`), wantStatus: 400, wantType: "InvalidInput", wantMsg: dhcpPrefix},
		{name: "dhcp /32", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.50.0.4/32", "enable_dhcp": true`), wantStatus: 400, wantType: "InvalidInput", wantMsg: dhcpPrefix},
		{name: "dhcp /30", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.50.0.8/30"`), wantStatus: 201},
		{name: "/31 without dhcp", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.50.0.0/31", "enable_dhcp": false`), wantStatus: 201},
		{name: "dhcp /127", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 6, "cidr": "2001:db8:50::/127"`), wantStatus: 400, wantType: "InvalidInput", wantMsg: dhcpPrefix},
		{name: "dhcp /128", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 6, "cidr": "2001:db8:50::5/128"`), wantStatus: 400, wantType: "InvalidInput", wantMsg: dhcpPrefix},
		{name: "dhcp /126", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 6, "cidr": "2001:db8:51::/126"`), wantStatus: 201},
		{name: "dhcp /32 from a subnet pool (checked here, not by Neutron 21)", method: "POST", path: "/v2.0/subnets", body: `{"subnet": {"network_id": "{netpool}", "ip_version": 4, "subnetpool_id": "{pool}", "prefixlen": 32}}`, wantStatus: 400, wantType: "InvalidInput", wantMsg: dhcpPrefix},
		{name: "dhcp /30 from a subnet pool", method: "POST", path: "/v2.0/subnets", body: `{"subnet": {"network_id": "{netpool}", "ip_version": 4, "subnetpool_id": "{pool}", "prefixlen": 30}}`, wantStatus: 201},
		{name: "enable dhcp on a /31", method: "PUT", path: "/v2.0/subnets/{off31}", body: `{"subnet": {"enable_dhcp": true}}`, wantStatus: 400, wantType: "InvalidInput", wantMsg: dhcpPrefix},
		{name: "enable dhcp on a /30", method: "PUT", path: "/v2.0/subnets/{off30}", body: `{"subnet": {"enable_dhcp": true}}`, wantStatus: 200},

		// Multicast, loopback and 0.0.0.0 networks cannot have DHCP; /0 is never allowed.
		{name: "dhcp multicast v4", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "224.0.0.0/24"`),
			wantStatus: 400, wantType: "InvalidInput", wantMsg: "Invalid input for operation: Multicast IP subnet is not supported if enable_dhcp is True."},
		{name: "dhcp multicast v4 top of range", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "239.255.255.0/24"`),
			wantStatus: 400, wantType: "InvalidInput", wantMsg: "Invalid input for operation: Multicast IP subnet is not supported if enable_dhcp is True."},
		{name: "dhcp multicast v6", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 6, "cidr": "ff05::/64"`),
			wantStatus: 400, wantType: "InvalidInput", wantMsg: "Invalid input for operation: Multicast IP subnet is not supported if enable_dhcp is True."},
		{name: "dhcp just below multicast", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "223.255.255.0/24"`), wantStatus: 201},
		{name: "multicast without dhcp (accepted by Neutron)", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "224.0.1.0/24", "enable_dhcp": false`), wantStatus: 201, save: "mc"},
		{name: "enable dhcp on a multicast subnet", method: "PUT", path: "/v2.0/subnets/{mc}", body: `{"subnet": {"enable_dhcp": true}}`,
			wantStatus: 400, wantType: "InvalidInput", wantMsg: "Invalid input for operation: Multicast IP subnet is not supported if enable_dhcp is True."},
		{name: "dhcp loopback", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "127.0.0.0/24"`),
			wantStatus: 400, wantType: "InvalidInput", wantMsg: "Invalid input for operation: Loopback IP subnet is not supported if enable_dhcp is True."},
		{name: "loopback without dhcp", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "127.0.1.0/24", "enable_dhcp": false`), wantStatus: 201},
		{name: "dhcp on 0.0.0.0/8", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "0.0.0.0/8"`),
			wantStatus: 400, wantType: "InvalidInput", wantMsg: "Invalid input for operation: First IP '0.0.0.0' of network is not supported if enable_dhcp is True.."},
		{name: "dhcp on 0.0.0.0/0", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "0.0.0.0/0"`),
			wantStatus: 400, wantType: "InvalidInput", wantMsg: "Invalid input for operation: First IP '0.0.0.0' of network is not supported if enable_dhcp is True.."},
		{name: "0.0.0.0/0 without dhcp", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "0.0.0.0/0", "enable_dhcp": false`),
			wantStatus: 400, wantType: "InvalidInput", wantMsg: "Invalid input for operation: 0 is not allowed as CIDR prefix length."},
		{name: "::/0", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 6, "cidr": "::/0"`),
			wantStatus: 400, wantType: "InvalidInput", wantMsg: "Invalid input for operation: 0 is not allowed as CIDR prefix length."},
		{name: "dhcp on 1.0.0.0/8", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "1.0.0.0/8"`), wantStatus: 201},

		// An IPv4 gateway may be neither the network nor the broadcast address.
		{name: "gateway = network address", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.51.0.0/24", "gateway_ip": "10.51.0.0"`), wantStatus: 400, wantType: "InvalidInput", wantMsg: gwInvalid},
		{name: "gateway = broadcast address", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.51.0.0/24", "gateway_ip": "10.51.0.255"`), wantStatus: 400, wantType: "InvalidInput", wantMsg: gwInvalid},
		{name: "gateway = an address of a /31", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.53.0.0/31", "enable_dhcp": false, "gateway_ip": "10.53.0.1"`), wantStatus: 400, wantType: "InvalidInput", wantMsg: gwInvalid},
		{name: "gateway of another ip version", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.51.0.0/24", "gateway_ip": "2001:db8::1"`),
			wantStatus: 400, wantType: "InvalidInput", wantMsg: "Invalid input for operation: gateway_ip '2001:db8::1' does not match the ip_version '4'."},
		{name: "gateway = last host", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.51.0.0/24", "gateway_ip": "10.51.0.254"`), wantStatus: 201},
		{name: "gateway outside the cidr", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.52.0.0/24", "gateway_ip": "10.99.0.1"`), wantStatus: 201},
		// The IPv6 subnet-router anycast address (the network address) is only for router ports.
		{name: "v6 port at the network address", method: "POST", path: "/v2.0/ports", body: `{"port": {"network_id": "{nets}", "fixed_ips": [{"subnet_id": "{v6}", "ip_address": "2001:db8:60::"}]}}`,
			wantStatus: 400, wantType: "InvalidIpForSubnet", wantMsg: "IP address 2001:db8:60:: is not a valid IP for the specified subnet."},
		{name: "v6 port next to the network address", method: "POST", path: "/v2.0/ports", body: `{"port": {"network_id": "{nets}", "fixed_ips": [{"subnet_id": "{v6}", "ip_address": "2001:db8:60::2"}]}}`, wantStatus: 201},
		{name: "v6 router port at the network address", method: "POST", path: "/v2.0/ports", body: `{"port": {"network_id": "{nets}", "device_owner": "network:router_interface", "fixed_ips": [{"subnet_id": "{v6}", "ip_address": "2001:db8:60::"}]}}`, wantStatus: 201},
		{name: "v6 gateway = subnet-router anycast", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 6, "cidr": "2001:db8:52::/64", "gateway_ip": "2001:db8:52::"`), wantStatus: 201},
		{name: "v6 gateway = last address", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 6, "cidr": "2001:db8:53::/64", "gateway_ip": "2001:db8:53::ffff:ffff:ffff:ffff"`), wantStatus: 201},
		{name: "update gateway to network address", method: "PUT", path: "/v2.0/subnets/{gw}", body: `{"subnet": {"gateway_ip": "10.48.0.0"}}`, wantStatus: 400, wantType: "InvalidInput", wantMsg: gwInvalid},
		{name: "update gateway to broadcast address", method: "PUT", path: "/v2.0/subnets/{gw}", body: `{"subnet": {"gateway_ip": "10.48.0.255"}}`, wantStatus: 400, wantType: "InvalidInput", wantMsg: gwInvalid},
		{name: "update gateway to last host", method: "PUT", path: "/v2.0/subnets/{gw}", body: `{"subnet": {"gateway_ip": "10.48.0.254"}}`, wantStatus: 200},
		{name: "update v6 gateway to subnet-router anycast", method: "PUT", path: "/v2.0/subnets/{v6}", body: `{"subnet": {"gateway_ip": "2001:db8:60::"}}`, wantStatus: 200},

		// Allocation pools stay inside the usable range: no network, no IPv4 broadcast, no IPv6
		// subnet-router anycast address.
		{name: "pool holds the broadcast address", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.54.0.0/29", "allocation_pools": [{"start": "10.54.0.2", "end": "10.54.0.7"}]`),
			wantStatus: 400, wantType: "OutOfBoundsAllocationPool", wantMsg: "The allocation pool 10.54.0.2-10.54.0.7 spans beyond the subnet cidr 10.54.0.0/29."},
		{name: "pool holds the network address", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.54.0.0/29", "allocation_pools": [{"start": "10.54.0.0", "end": "10.54.0.5"}]`),
			wantStatus: 400, wantType: "OutOfBoundsAllocationPool", wantMsg: "The allocation pool 10.54.0.0-10.54.0.5 spans beyond the subnet cidr 10.54.0.0/29."},
		{name: "pool of every host", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.54.0.0/29", "allocation_pools": [{"start": "10.54.0.2", "end": "10.54.0.6"}]`), wantStatus: 201},
		{name: "pool of a whole /31", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.54.1.0/31", "enable_dhcp": false, "gateway_ip": null, "allocation_pools": [{"start": "10.54.1.0", "end": "10.54.1.1"}]`), wantStatus: 201},
		{name: "v6 pool holds the subnet-router anycast address", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 6, "cidr": "2001:db8:54::/64", "allocation_pools": [{"start": "2001:db8:54::", "end": "2001:db8:54::10"}]`),
			wantStatus: 400, wantType: "OutOfBoundsAllocationPool", wantMsg: "The allocation pool 2001:db8:54::-2001:db8:54::10 spans beyond the subnet cidr 2001:db8:54::/64."},
		{name: "v6 pool up to the last address", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 6, "cidr": "2001:db8:55::/64", "allocation_pools": [{"start": "2001:db8:55::1", "end": "2001:db8:55::ffff:ffff:ffff:ffff"}], "gateway_ip": null`), wantStatus: 201},
		{name: "update pool onto the broadcast address", method: "PUT", path: "/v2.0/subnets/{gw}", body: `{"subnet": {"allocation_pools": [{"start": "10.48.0.10", "end": "10.48.0.255"}]}}`,
			wantStatus: 400, wantType: "OutOfBoundsAllocationPool", wantMsg: "The allocation pool 10.48.0.10-10.48.0.255 spans beyond the subnet cidr 10.48.0.0/24."},
		{name: "update pool to the last host", method: "PUT", path: "/v2.0/subnets/{gw}", body: `{"subnet": {"allocation_pools": [{"start": "10.48.0.10", "end": "10.48.0.253"}]}}`, wantStatus: 200},

		// Host routes and name servers have the subnet's IP version.
		{name: "host route destination of another version", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.55.0.0/24", "host_routes": [{"destination": "2001:db8::/64", "nexthop": "10.55.0.5"}]`),
			wantStatus: 400, wantType: "InvalidInput", wantMsg: "Invalid input for operation: destination '2001:db8::/64' does not match the ip_version '4'."},
		{name: "host route nexthop of another version", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.55.0.0/24", "host_routes": [{"destination": "10.70.0.0/16", "nexthop": "2001:db8::5"}]`),
			wantStatus: 400, wantType: "InvalidInput", wantMsg: "Invalid input for operation: nexthop '2001:db8::5' does not match the ip_version '4'."},
		{name: "dns nameserver of another version", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.55.0.0/24", "dns_nameservers": ["2001:4860:4860::8888"]`),
			wantStatus: 400, wantType: "InvalidInput", wantMsg: "Invalid input for operation: dns_nameserver '2001:4860:4860::8888' does not match the ip_version '4'."},
		{name: "host route and nameserver of the subnet's version", method: "POST", path: "/v2.0/subnets", body: subnet(`"ip_version": 4, "cidr": "10.55.0.0/24", "dns_nameservers": ["8.8.8.8"], "host_routes": [{"destination": "10.70.0.0/16", "nexthop": "10.55.0.5"}]`), wantStatus: 201},
		{name: "update v6 host routes with a v4 nexthop", method: "PUT", path: "/v2.0/subnets/{v6}", body: `{"subnet": {"host_routes": [{"destination": "2001:db8:70::/64", "nexthop": "10.0.0.1"}]}}`,
			wantStatus: 400, wantType: "InvalidInput", wantMsg: "Invalid input for operation: nexthop '10.0.0.1' does not match the ip_version '6'."},
		{name: "update v6 host routes", method: "PUT", path: "/v2.0/subnets/{v6}", body: `{"subnet": {"host_routes": [{"destination": "2001:db8:70::/64", "nexthop": "2001:db8:60::5"}]}}`, wantStatus: 200},

		// Network MTU: never negative; once subnets exist, at least 68 (IPv4) or 1280 (IPv6).
		{name: "network mtu -1", method: "POST", path: "/v2.0/networks", body: `{"network": {"name": "m", "mtu": -1}}`,
			wantStatus: 400, wantType: "HTTPBadRequest", wantMsg: "Invalid input for mtu. Reason: '-1' should be non-negative."},
		{name: "network mtu 1 without subnets (accepted by Neutron)", method: "POST", path: "/v2.0/networks", body: `{"network": {"name": "m", "mtu": 1}}`, wantStatus: 201, save: "mnet"},
		{name: "v4 subnet on a network of mtu 1", method: "POST", path: "/v2.0/subnets", body: `{"subnet": {"network_id": "{mnet}", "ip_version": 4, "cidr": "10.56.0.0/24"}}`,
			wantStatus: 409, wantType: "NetworkMTUSubnetConflict", wantMsg: "MTU of {mnet} is not valid, subnet requires a minimum of 68"},
		{name: "network mtu update to -1", method: "PUT", path: "/v2.0/networks/{mnet}", body: `{"network": {"mtu": -1}}`,
			wantStatus: 400, wantType: "HTTPBadRequest", wantMsg: "Invalid input for mtu. Reason: '-1' should be non-negative."},
		{name: "network mtu update to 68", method: "PUT", path: "/v2.0/networks/{mnet}", body: `{"network": {"mtu": 68}}`, wantStatus: 200},
		{name: "v4 subnet on a network of mtu 68", method: "POST", path: "/v2.0/subnets", body: `{"subnet": {"network_id": "{mnet}", "ip_version": 4, "cidr": "10.56.0.0/24"}}`, wantStatus: 201},
		{name: "network mtu 67 with a v4 subnet", method: "PUT", path: "/v2.0/networks/{mnet}", body: `{"network": {"mtu": 67}}`,
			wantStatus: 409, wantType: "NetworkMTUSubnetConflict", wantMsg: "MTU of {mnet} is not valid, subnet requires a minimum of 68"},
		{name: "v6 subnet on a network of mtu 68", method: "POST", path: "/v2.0/subnets", body: `{"subnet": {"network_id": "{mnet}", "ip_version": 6, "cidr": "2001:db8:56::/64"}}`,
			wantStatus: 409, wantType: "NetworkMTUSubnetConflict", wantMsg: "MTU of {mnet} is not valid, subnet requires a minimum of 1280"},
		{name: "network mtu update to 1280", method: "PUT", path: "/v2.0/networks/{mnet}", body: `{"network": {"mtu": 1280}}`, wantStatus: 200},
		{name: "v6 subnet on a network of mtu 1280", method: "POST", path: "/v2.0/subnets", body: `{"subnet": {"network_id": "{mnet}", "ip_version": 6, "cidr": "2001:db8:56::/64"}}`, wantStatus: 201},
		{name: "network mtu 1279 with a v6 subnet", method: "PUT", path: "/v2.0/networks/{mnet}", body: `{"network": {"mtu": 1279}}`,
			wantStatus: 409, wantType: "NetworkMTUSubnetConflict", wantMsg: "MTU of {mnet} is not valid, subnet requires a minimum of 1280"},

		// Subnet pool quotas and prefix lengths are non-negative.
		{name: "subnetpool default_quota -1", method: "POST", path: "/v2.0/subnetpools", body: `{"subnetpool": {"name": "q", "prefixes": ["10.201.0.0/16"], "default_quota": -1}}`,
			wantStatus: 400, wantType: "HTTPBadRequest", wantMsg: "Invalid input for default_quota. Reason: '-1' should be non-negative."},
		{name: "subnetpool min_prefixlen -1", method: "POST", path: "/v2.0/subnetpools", body: `{"subnetpool": {"name": "q", "prefixes": ["10.201.0.0/16"], "min_prefixlen": -1}}`,
			wantStatus: 400, wantType: "HTTPBadRequest", wantMsg: "Invalid input for min_prefixlen. Reason: '-1' should be non-negative."},
		{name: "subnetpool default_quota 0", method: "POST", path: "/v2.0/subnetpools", body: `{"subnetpool": {"name": "q", "prefixes": ["10.201.0.0/16"], "default_quota": 0}}`, wantStatus: 201},
		{name: "subnetpool default_quota update to -5", method: "PUT", path: "/v2.0/subnetpools/{pool}", body: `{"subnetpool": {"default_quota": -5}}`,
			wantStatus: 400, wantType: "HTTPBadRequest", wantMsg: "Invalid input for default_quota. Reason: '-5' should be non-negative."},
		{name: "subnetpool default_quota update to 10", method: "PUT", path: "/v2.0/subnetpools/{pool}", body: `{"subnetpool": {"default_quota": 10}}`, wantStatus: 200},

		// A floating IP's fixed_ip_address only comes with a port_id.
		{name: "floating ip with fixed_ip_address and no port_id", method: "POST", path: "/v2.0/floatingips", body: `{"floatingip": {"floating_network_id": "{ext}", "fixed_ip_address": "10.9.0.50"}}`,
			wantStatus: 400, wantType: "BadRequest", wantMsg: fipNoPort},
		{name: "floating ip with fixed_ip_address and port_id", method: "POST", path: "/v2.0/floatingips", body: `{"floatingip": {"floating_network_id": "{ext}", "port_id": "{fport}", "fixed_ip_address": "10.9.0.50"}}`, wantStatus: 201},
		{name: "floating ip without association", method: "POST", path: "/v2.0/floatingips", body: `{"floatingip": {"floating_network_id": "{ext}"}}`, wantStatus: 201, save: "fip2"},
		{name: "floating ip update with fixed_ip_address only", method: "PUT", path: "/v2.0/floatingips/{fip2}", body: `{"floatingip": {"fixed_ip_address": "10.9.0.51"}}`,
			wantStatus: 400, wantType: "BadRequest", wantMsg: fipNoPort},
		{name: "floating ip update with fixed_ip_address and null port_id", method: "PUT", path: "/v2.0/floatingips/{fip2}", body: `{"floatingip": {"port_id": null, "fixed_ip_address": "10.9.0.51"}}`,
			wantStatus: 400, wantType: "BadRequest", wantMsg: fipNoPort},
		{name: "floating ip update with fixed_ip_address and port_id", method: "PUT", path: "/v2.0/floatingips/{fip2}", body: `{"floatingip": {"port_id": "{fport2}", "fixed_ip_address": "10.9.0.51"}}`, wantStatus: 200},
	}

	expand := func(v string) string {
		for k, id := range ids {
			v = strings.ReplaceAll(v, "{"+k+"}", id)
		}
		return v
	}
	for _, c := range cases {
		path, body := expand(c.path), []byte(expand(c.body))
		// What a refusal must leave alone: the collection (create) or the resource (update).
		var before []byte
		if c.wantStatus >= 400 {
			before = s.do(http.MethodGet, path, nil).Body.Bytes()
		}
		w := s.do(c.method, path, body)
		if w.Code != c.wantStatus {
			t.Errorf("%s: %s %s: status %d, want %d: %s", c.name, c.method, path, w.Code, c.wantStatus, w.Body.String())
			continue
		}
		if c.wantStatus < 400 {
			if c.save != "" {
				var m map[string]any
				if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
					t.Fatalf("%s: answer is not JSON: %v", c.name, err)
				}
				for _, v := range m {
					inner, _ := v.(map[string]any)
					ids[c.save], _ = inner["id"].(string)
				}
				if ids[c.save] == "" {
					t.Fatalf("%s: no id in %s", c.name, w.Body.String())
				}
			}
			continue
		}
		var e struct {
			NeutronError struct{ Type, Message string }
		}
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
			t.Errorf("%s: error answer is not JSON: %v: %s", c.name, err, w.Body.String())
			continue
		}
		if e.NeutronError.Type != c.wantType || e.NeutronError.Message != expand(c.wantMsg) {
			t.Errorf("%s: NeutronError %s %q, want %s %q", c.name, e.NeutronError.Type, e.NeutronError.Message, c.wantType, expand(c.wantMsg))
		}
		if after := s.do(http.MethodGet, path, nil).Body.Bytes(); !bytes.Equal(before, after) {
			t.Errorf("%s: a refused request changed %s:\nbefore %s\nafter  %s", c.name, path, before, after)
		}
	}
}
