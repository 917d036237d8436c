package model

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestDecodePort(t *testing.T) {
	var fromJSON map[string]any
	dec := json.NewDecoder(strings.NewReader(`{"id":"p1","tenant_id":"t","network_id":"n","mac_address":"fa:16:3e:00:00:01",
		"fixed_ips":[{"subnet_id":"s","ip_address":"10.0.0.5"}],"security_groups":["g"],"revision_number":7,
		"allowed_address_pairs":[{"ip_address":"10.0.0.0/24"}],"extra_dhcp_opts":[{"opt_name":"mtu","opt_value":"1400","ip_version":4}],
		"binding:host_id":"h","binding:profile":{"interface_name":"veth1"},"admin_state_up":null,"tags":[]}`))
	dec.UseNumber()
	if err := dec.Decode(&fromJSON); err != nil {
		t.Fatal(err)
	}
	p, err := Decode[Port](fromJSON)
	if err != nil {
		t.Fatal(err)
	}
	want := Port{
		Standard:   Standard{ID: "p1", TenantID: "t", RevisionNumber: 7, Tags: []string{}},
		NetworkID:  "n",
		MACAddress: "fa:16:3e:00:00:01", FixedIPs: []FixedIP{{SubnetID: "s", IPAddress: "10.0.0.5"}},
		AdminStateUp: true, PortSecurityEnabled: true, SecurityGroups: []string{"g"},
		AllowedAddressPairs: []AddressPair{{IPAddress: "10.0.0.0/24"}},
		ExtraDHCPOpts:       []DHCPOpt{{Name: "mtu", Value: "1400", IPVersion: 4}},
		HostID:              "h", Profile: map[string]any{"interface_name": "veth1"},
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("decoded\n%+v\nwant\n%+v", p, want)
	}
	if got := p.InterfaceName(); got != "veth1" {
		t.Errorf("InterfaceName = %q, want veth1", got)
	}
}

func TestDecodeTable(t *testing.T) {
	cases := []struct {
		name    string
		doc     map[string]any
		check   func(Subnet) bool
		wantErr string
	}{
		{"absent enable_dhcp is true", map[string]any{"id": "s"}, func(s Subnet) bool { return s.EnableDHCP }, ""},
		{"explicit false", map[string]any{"enable_dhcp": false}, func(s Subnet) bool { return !s.EnableDHCP }, ""},
		{"float64 number", map[string]any{"ip_version": float64(6)}, func(s Subnet) bool { return s.IPVersion == 6 }, ""},
		{"Go int", map[string]any{"ip_version": 4}, func(s Subnet) bool { return s.IPVersion == 4 }, ""},
		{"null gateway is none", map[string]any{"gateway_ip": nil}, func(s Subnet) bool { return s.GatewayIP == "" && !s.Gateway().IsValid() }, ""},
		{"host routes", map[string]any{"host_routes": []any{map[string]any{"destination": "0.0.0.0/0", "nexthop": "10.0.0.1"}}},
			func(s Subnet) bool { return len(s.HostRoutes) == 1 && s.HostRoutes[0].NextHop == "10.0.0.1" }, ""},
		{"Go string slice", map[string]any{"dns_nameservers": []string{"8.8.8.8"}}, func(s Subnet) bool { return s.DNSNameservers[0] == "8.8.8.8" }, ""},
		{"wrong type names the attribute", map[string]any{"cidr": 5, "name": "kept"}, func(s Subnet) bool { return s.Name == "kept" }, "cidr"},
		{"wrong nested type", map[string]any{"allocation_pools": []any{"x"}}, nil, "allocation_pools[0]"},
		{"wrong type deep down names its path", map[string]any{"host_routes": []any{map[string]any{"nexthop": "10.0.0.1"}, map[string]any{"nexthop": 7}}}, nil, "host_routes[1].nexthop is int"},
		{"fractional number", map[string]any{"ip_version": 4.5}, nil, "ip_version"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Decode[Subnet](c.doc)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one naming %q", err, c.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if c.check != nil && !c.check(s) {
				t.Fatalf("decoded %+v", s)
			}
		})
	}
}

func TestRouterAndFloatingIP(t *testing.T) {
	r := MustDecode[Router](map[string]any{"id": "r", "gw_port_id": "g",
		"external_gateway_info": map[string]any{"network_id": "ext", "external_fixed_ips": []any{map[string]any{"subnet_id": "s", "ip_address": "1.2.3.4"}}},
		"routes":                []any{map[string]any{"destination": "10.1.0.0/16", "nexthop": "10.0.0.9"}}})
	if r.GatewayPortID != "g" || r.Gateway == nil || !r.Gateway.SNAT() || r.Gateway.ExternalFixedIPs[0].Addr().String() != "1.2.3.4" || r.Routes[0].Source != "" || !r.AdminStateUp {
		t.Fatalf("router %+v", r)
	}
	off := false
	if (&GatewayInfo{EnableSNAT: &off}).SNAT() {
		t.Error("enable_snat false read as true")
	}
	f := MustDecode[FloatingIP](map[string]any{"id": "f", "port_id": nil, "floating_port_id": "fp"})
	if f.PortID != "" || f.FloatingPortID != "fp" {
		t.Fatalf("floating IP %+v", f)
	}
}

func TestInt(t *testing.T) {
	cases := []struct {
		in   any
		want int64
		ok   bool
	}{
		{json.Number("42"), 42, true}, {json.Number("4e2"), 400, true}, {float64(3), 3, true}, {3.5, 0, false},
		{7, 7, true}, {int64(-2), -2, true}, {" 12 ", 12, true}, {"x", 0, false}, {nil, 0, false}, {true, 0, false},
	}
	for _, c := range cases {
		if got, ok := Int(c.in); got != c.want || ok != c.ok {
			t.Errorf("Int(%#v) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestProtocolNumber(t *testing.T) {
	for in, want := range map[string]int{"": -1, "tcp": 6, "icmpv6": 58, "17": 17, "255": 255, "256": -2, "-3": -2, "bogus": -2} {
		if got := ProtocolNumber(in); got != want {
			t.Errorf("ProtocolNumber(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestPortHelpers(t *testing.T) {
	cases := []struct {
		port    Port
		iface   string
		trusted bool
	}{
		{Port{Standard: Standard{ID: "0123456789abcdef"}, HostID: "h"}, "tap0123456789a", false},
		{Port{Standard: Standard{ID: "0123456789abcdef"}}, "", false},
		{Port{Standard: Standard{ID: "p"}, HostID: "h", DeviceOwner: OwnerDHCP}, "tapp", true},
		{Port{Standard: Standard{ID: "p"}, DeviceOwner: "baremetal:none"}, "", false},
	}
	for _, c := range cases {
		if got := c.port.InterfaceName(); got != c.iface {
			t.Errorf("%+v InterfaceName = %q, want %q", c.port, got, c.iface)
		}
		if got := c.port.Trusted(); got != c.trusted {
			t.Errorf("%q Trusted = %v", c.port.DeviceOwner, got)
		}
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	r := Router{Standard: Standard{ID: "r"}, AdminStateUp: true, GatewayPortID: "g", Routes: []Route{{Destination: "10.0.0.0/8", NextHop: "1.1.1.1"}}}
	d, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode[Router](d)
	if err != nil || !reflect.DeepEqual(back, r) {
		t.Fatalf("round trip %+v, %v; want %+v", back, err, r)
	}
}

func BenchmarkDecodePort(b *testing.B) {
	d := map[string]any{"id": "p1", "tenant_id": "t", "network_id": "n", "mac_address": "fa:16:3e:00:00:01",
		"fixed_ips": []any{map[string]any{"subnet_id": "s", "ip_address": "10.0.0.5"}}, "security_groups": []any{"g"},
		"revision_number": json.Number("7"), "device_owner": "compute:nova", "binding:host_id": "h", "admin_state_up": true,
		"port_security_enabled": true, "tags": []any{}, "name": "vm", "status": "ACTIVE"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode[Port](d); err != nil {
			b.Fatal(err)
		}
	}
}
