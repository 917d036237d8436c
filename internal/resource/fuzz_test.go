package resource_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/resource"
)

// The parse fuzzers feed arbitrary JSON bodies to every core resource's ParseCreate and
// ParseUpdate, decoded as the server decodes them (UseNumber), and require that parsing never
// panics, that every refusal is a *fault.Fault with a 4xx status, and that whatever is
// accepted can be stored (encodes as JSON).
//
//	go test ./internal/resource -run '^$' -fuzz FuzzParseCreate -fuzztime 60s
//	go test ./internal/resource -run '^$' -fuzz FuzzParseUpdate -fuzztime 60s

// parseSeeds are member bodies touching every converter and validator of the core resources.
var parseSeeds = []string{
	`{}`,
	`{"name": "n", "admin_state_up": true, "shared": "false", "mtu": 1450}`,
	`{"name": 1, "admin_state_up": "maybe", "mtu": "x", "provider:segmentation_id": 1e400}`,
	`{"provider:network_type": "midonet", "provider:physical_network": null, "provider:segmentation_id": "7"}`,
	`{"router:external": 1, "port_security_enabled": 0, "description": "` + string(bytes.Repeat([]byte("d"), 256)) + `"}`,
	`{"tenant_id": "p", "project_id": "q", "id": "not-a-uuid"}`,
	`{"network_id": "3b1a4d8e-0d5c-4f8e-9b1a-2a7c6f1e9d00", "ip_version": 4, "cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.1"}`,
	`{"network_id": "3b1a4d8e0d5c4f8e9b1a2a7c6f1e9d00", "ip_version": "6", "cidr": "2001:db8::/64", "ipv6_ra_mode": "slaac", "ipv6_address_mode": "slaac"}`,
	`{"ip_version": 5, "cidr": "10.0.0.0/33", "gateway_ip": "10.0.0.256"}`,
	`{"allocation_pools": [{"start": "10.0.0.2", "end": "10.0.0.9"}, {"start": "x"}, 1, {"start": "10.0.0.2", "end": "10.0.0.3", "x": 1}]}`,
	`{"dns_nameservers": ["8.8.8.8", "8.8.8.8", 3], "host_routes": [{"destination": "0.0.0.0/0", "nexthop": "10.0.0.1"}, {"destination": null}]}`,
	`{"dns_nameservers": "8.8.8.8", "host_routes": {"destination": "1.2.3.0/24", "nexthop": "1.2.3.4"}, "enable_dhcp": "True"}`,
	`{"network_id": "3b1a4d8e-0d5c-4f8e-9b1a-2a7c6f1e9d00", "mac_address": "FA-16-3E-00-00-01", "fixed_ips": [{"subnet_id": "3b1a4d8e-0d5c-4f8e-9b1a-2a7c6f1e9d01", "ip_address": "10.0.0.5"}]}`,
	`{"fixed_ips": {"ip_address": "10.0.0.5"}, "mac_address": 12, "security_groups": ["a", "a"]}`,
	`{"fixed_ips": [{"ip_address": "10.0.0.5", "other": 1}], "security_groups": null, "allowed_address_pairs": [{"ip_address": "10.0.0.0/24", "mac_address": "fa:16:3e:00:00:02"}, {"ip_address": "10.0.0.0/24", "mac_address": "fa:16:3e:00:00:02"}]}`,
	`{"allowed_address_pairs": [{"mac_address": "zz"}], "extra_dhcp_opts": [{"opt_name": "bootfile-name", "opt_value": "pxelinux.0", "ip_version": 4}, {"opt_name": ""}]}`,
	`{"extra_dhcp_opts": [{"opt_name": "x", "ip_version": 1.5}], "binding:host_id": null, "binding:profile": {"a": [1, {"b": null}]}, "binding:vnic_type": "direct"}`,
	`{"binding:profile": "str", "binding:vnic_type": 7, "binding:vif_type": "ovs", "status": "ACTIVE", "device_owner": "network:router_interface"}`,
	`{"security_group_id": "3b1a4d8e-0d5c-4f8e-9b1a-2a7c6f1e9d00", "direction": "ingress", "protocol": 6, "port_range_min": "22", "port_range_max": 22.0, "ethertype": "ipv4", "remote_ip_prefix": "0.0.0.0/0"}`,
	`{"direction": "sideways", "protocol": {"x": 1}, "ethertype": 4, "remote_group_id": "nope", "port_range_min": -1e30}`,
	`{"tags": ["a"], "created_at": "now", "revision_number": 3, "subnets": [], "security_group_rules": []}`,
	`{"name": "\u0000\ud800", "description": null}`,
	`{"mtu": 12345678901234567890123, "port_range_min": 9223372036854775808, "ip_version": -0}`,
}

// decodeObject decodes data as the server does; ok is false when it is not one JSON object.
func decodeObject(data []byte) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, false
	}
	m, ok := v.(map[string]any)
	return m, ok
}

func addParseSeeds(f *testing.F) {
	for i, s := range parseSeeds {
		f.Add(uint8(i%len(resource.Core)), []byte(s))
	}
}

// checkParse fails t unless err is nil or a 4xx *fault.Fault, and unless an accepted result
// encodes as JSON.
func checkParse(t *testing.T, op string, res *resource.Resource, body map[string]any, out map[string]any, err error) {
	t.Helper()
	if err != nil {
		f, ok := fault.As(err)
		if !ok {
			t.Fatalf("%s %s(%v): error %T %v is not a *fault.Fault", res.Collection, op, body, err, err)
		}
		if f.Status < 400 || f.Status > 499 {
			t.Fatalf("%s %s(%v): status %d (%s), want 4xx", res.Collection, op, body, f.Status, f)
		}
		if f.Type == "" || f.Message == "" {
			t.Fatalf("%s %s(%v): fault without type or message: %#v", res.Collection, op, body, f)
		}
		return
	}
	if _, err := json.Marshal(out); err != nil {
		t.Fatalf("%s %s(%v): accepted result does not encode: %v", res.Collection, op, body, err)
	}
}

func FuzzParseCreate(f *testing.F) {
	addParseSeeds(f)
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		body, ok := decodeObject(data)
		if !ok {
			return
		}
		// Every resource sees the body; which only steers the fuzzer's attention.
		for i := range resource.Core {
			res := resource.Core[(int(which)+i)%len(resource.Core)]
			out, err := res.ParseCreate(resource.Clone(body).(map[string]any))
			checkParse(t, "ParseCreate", res, body, out, err)
			if err == nil {
				for _, a := range res.Attrs {
					if a.Required {
						if _, ok := out[a.Name]; !ok {
							t.Fatalf("%s ParseCreate(%v): required %s missing from the result", res.Collection, body, a.Name)
						}
					}
				}
			}
		}
	})
}

func FuzzParseUpdate(f *testing.F) {
	addParseSeeds(f)
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		body, ok := decodeObject(data)
		if !ok {
			return
		}
		for i := range resource.Core {
			res := resource.Core[(int(which)+i)%len(resource.Core)]
			out, err := res.ParseUpdate(resource.Clone(body).(map[string]any))
			checkParse(t, "ParseUpdate", res, body, out, err)
			if err == nil {
				for k := range out {
					if a := res.Attr(k); a == nil || !a.Put {
						t.Fatalf("%s ParseUpdate(%v): accepted %s, which is not writable on PUT", res.Collection, body, k)
					}
				}
			}
		}
	})
}
