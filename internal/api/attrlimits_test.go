package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/resource"
)

// dhcpOpts returns n extra DHCP options with names of nameLen and values of valueLen
// characters.
func dhcpOpts(n, nameLen, valueLen int) []any {
	out := make([]any, n)
	for i := range out {
		p := fmt.Sprintf("o%03d", i)
		out[i] = map[string]any{"opt_name": p + strings.Repeat("n", max(0, nameLen-len(p))), "opt_value": strings.Repeat("v", valueLen)}
	}
	return out
}

// TestPortAttributeLimits: every bounded port attribute at its bound is accepted, one past
// it is refused (and a body past the request limit is 413), and a refused update leaves the port
// as it was.
func TestPortAttributeLimits(t *testing.T) {
	s := newInProcess(t, nil)
	net := idOf(s.must(http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": "limits"}}, 201), "network")
	sub := idOf(s.must(http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": map[string]any{"network_id": net, "ip_version": 4, "cidr": "10.70.0.0/22"}}, 201), "subnet")
	port := idOf(s.must(http.MethodPost, "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": net}}, 201), "port")
	fixed := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"subnet_id": sub}
		}
		return out
	}
	profile := func(size int) map[string]any {
		// {"k":"…"} is 8 bytes of JSON around the value.
		return map[string]any{"k": strings.Repeat("p", size-8)}
	}
	portBody := func(attrs map[string]any) map[string]any {
		attrs["network_id"] = net
		return map[string]any{"port": attrs}
	}
	cases := []struct {
		name     string
		method   string
		body     map[string]any
		status   int
		wantType string
	}{
		{"dhcp option name of 64", "POST", portBody(map[string]any{"extra_dhcp_opts": dhcpOpts(1, resource.DHCPOptNameMaxLen, 10)}), 201, ""},
		{"dhcp option name of 65", "POST", portBody(map[string]any{"extra_dhcp_opts": dhcpOpts(1, resource.DHCPOptNameMaxLen+1, 10)}), 400, "InvalidInput"},
		{"dhcp option value of 255", "POST", portBody(map[string]any{"extra_dhcp_opts": dhcpOpts(1, 8, resource.DHCPOptValueMaxLen)}), 201, ""},
		{"dhcp option value of 256", "POST", portBody(map[string]any{"extra_dhcp_opts": dhcpOpts(1, 8, resource.DHCPOptValueMaxLen+1)}), 400, "InvalidInput"},
		{"dhcp option value of 9000", "POST", portBody(map[string]any{"extra_dhcp_opts": dhcpOpts(1, 8, 9000)}), 400, "InvalidInput"},
		{"dhcp option with an unknown key", "POST", portBody(map[string]any{"extra_dhcp_opts": []any{map[string]any{"opt_name": "mtu", "opt_value": "1400", "extra": "x"}}}), 400, "InvalidInput"},
		{"dhcp option without opt_value", "POST", portBody(map[string]any{"extra_dhcp_opts": []any{map[string]any{"opt_name": "mtu"}}}), 400, "InvalidInput"},
		{"dhcp option with an empty value", "POST", portBody(map[string]any{"extra_dhcp_opts": []any{map[string]any{"opt_name": "mtu", "opt_value": ""}}}), 400, "InvalidInput"},
		{"64 dhcp options", "POST", portBody(map[string]any{"extra_dhcp_opts": dhcpOpts(resource.MaxExtraDHCPOpts, 8, 10)}), 201, ""},
		{"65 dhcp options", "POST", portBody(map[string]any{"extra_dhcp_opts": dhcpOpts(resource.MaxExtraDHCPOpts+1, 8, 10)}), 400, "InvalidInput"},
		// The 1,100 options of 9,000 characters: past the body limit before parsing.
		{"1100 dhcp options of 9000 characters", "POST", portBody(map[string]any{"extra_dhcp_opts": dhcpOpts(1100, 8, 9000)}), 413, "HTTPRequestEntityTooLarge"},
		{"64 fixed ips", "POST", portBody(map[string]any{"fixed_ips": fixed(resource.MaxFixedIPs)}), 201, ""},
		{"65 fixed ips", "POST", portBody(map[string]any{"fixed_ips": fixed(resource.MaxFixedIPs + 1)}), 400, "HTTPBadRequest"},
		{"binding:profile of 4095 bytes", "POST", portBody(map[string]any{"binding:profile": profile(resource.MaxBindingProfileBytes)}), 201, ""},
		{"binding:profile of 4096 bytes", "POST", portBody(map[string]any{"binding:profile": profile(resource.MaxBindingProfileBytes + 1)}), 400, "HTTPBadRequest"},
		{"binding:profile of 64 KiB", "POST", portBody(map[string]any{"binding:profile": profile(64 << 10)}), 400, "HTTPBadRequest"},
		{"binding:profile of 2 MiB", "POST", portBody(map[string]any{"binding:profile": profile(2 << 20)}), 413, "HTTPRequestEntityTooLarge"},
		// Updates merge extra DHCP options into what the port has: the bound holds for the
		// result, so options cannot be piled up one request at a time.
		{"update to 64 dhcp options", "PUT", map[string]any{"port": map[string]any{"extra_dhcp_opts": dhcpOpts(resource.MaxExtraDHCPOpts, 8, 10)}}, 200, ""},
		{"update adding a 65th dhcp option", "PUT", map[string]any{"port": map[string]any{"extra_dhcp_opts": []any{map[string]any{"opt_name": "one-more", "opt_value": "x"}}}}, 400, "InvalidInput"},
		{"update replacing an option of the 64", "PUT", map[string]any{"port": map[string]any{"extra_dhcp_opts": dhcpOpts(1, 8, 20)}}, 200, ""},
		{"update to 65 fixed ips", "PUT", map[string]any{"port": map[string]any{"fixed_ips": fixed(resource.MaxFixedIPs + 1)}}, 400, "HTTPBadRequest"},
		{"update to a binding:profile of 4096 bytes", "PUT", map[string]any{"port": map[string]any{"binding:profile": profile(resource.MaxBindingProfileBytes + 1)}}, 400, "HTTPBadRequest"},
	}
	for _, tc := range cases {
		path := "/v2.0/ports"
		if tc.method == "PUT" {
			path += "/" + port
		}
		before := s.must(http.MethodGet, "/v2.0/ports/"+port, nil, 200)
		count := len(s.must(http.MethodGet, "/v2.0/ports", nil, 200)["ports"].([]any))
		w := s.do(tc.method, path, mustJSON(t, tc.body))
		if w.Code != tc.status {
			t.Errorf("%s: %s = %d %.300s, want %d", tc.name, tc.method, w.Code, w.Body.String(), tc.status)
			continue
		}
		if tc.status < 400 {
			continue
		}
		if typ, _ := recordedError(t, w); typ != tc.wantType {
			t.Errorf("%s: error type %q, want %q", tc.name, typ, tc.wantType)
		}
		if after := s.must(http.MethodGet, "/v2.0/ports/"+port, nil, 200); !reflect.DeepEqual(before, after) {
			t.Errorf("%s: a refused request changed the port", tc.name)
		}
		if n := len(s.must(http.MethodGet, "/v2.0/ports", nil, 200)["ports"].([]any)); n != count {
			t.Errorf("%s: a refused request left %d ports, want %d", tc.name, n, count)
		}
	}
}

// largestPortBytes bounds the stored JSON of the largest port a member can make
// (ARCHITECTURE.md, Limits).
const largestPortBytes = 64 << 10

// TestLargestMemberPort builds the largest port a member can make, every bounded attribute
// at its bound, and checks that it is accepted whole and that its document stays within
// largestPortBytes, the figure ARCHITECTURE.md's etcd arithmetic uses.
func TestLargestMemberPort(t *testing.T) {
	s := newInProcess(t, nil)
	s.hdr = http.Header{"X-Project-Id": {"member-project"}, "X-User-Id": {"member"}, "X-Roles": {"member"}}
	long := func(prefix string, n int) string { return prefix + strings.Repeat("x", n-len(prefix)) }
	net := idOf(s.must(http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": long("n", 255)}}, 201), "network")
	sub := idOf(s.must(http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": map[string]any{"network_id": net, "ip_version": 4, "cidr": "10.71.0.0/22"}}, 201), "subnet")
	fixed := make([]any, resource.MaxFixedIPs)
	for i := range fixed {
		fixed[i] = map[string]any{"subnet_id": sub}
	}
	pairs := make([]any, 10) // [DEFAULT] max_allowed_address_pair
	for i := range pairs {
		pairs[i] = map[string]any{"ip_address": fmt.Sprintf("2001:db8:ffff:ffff:ffff:ffff:ffff:%x/128", i), "mac_address": "fa:16:3e:00:00:01"}
	}
	out := s.must(http.MethodPost, "/v2.0/ports", map[string]any{"port": map[string]any{
		"network_id": net, "name": long("p", 255), "description": long("d", 255),
		"fixed_ips": fixed, "allowed_address_pairs": pairs,
		"extra_dhcp_opts": dhcpOpts(resource.MaxExtraDHCPOpts, resource.DHCPOptNameMaxLen, resource.DHCPOptValueMaxLen),
	}}, 201)
	port := idOf(out, "port")
	tags := make([]string, resource.MaxTags)
	for i := range tags {
		tags[i] = long(fmt.Sprintf("t%02d", i), resource.MaxTagLen)
	}
	s.must(http.MethodPut, "/v2.0/ports/"+port+"/tags", map[string]any{"tags": tags}, 200)
	got := s.must(http.MethodGet, "/v2.0/ports/"+port, nil, 200)["port"].(map[string]any)
	for attr, want := range map[string]int{"fixed_ips": resource.MaxFixedIPs, "allowed_address_pairs": 10, "extra_dhcp_opts": resource.MaxExtraDHCPOpts, "tags": resource.MaxTags} {
		if l, _ := got[attr].([]any); len(l) != want {
			t.Errorf("%s has %d entries, want %d", attr, len(l), want)
		}
	}
	var stored string
	err := s.db.Read(context.Background(), func(tx *db.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT body FROM resources WHERE id = ?`, port).Scan(&stored)
	})
	if err != nil {
		t.Fatalf("read the stored port: %v", err)
	}
	if !json.Valid([]byte(stored)) {
		t.Fatalf("the stored port is not JSON")
	}
	t.Logf("the largest member port is %d bytes stored", len(stored))
	if len(stored) > largestPortBytes {
		t.Errorf("the largest member port is %d bytes stored, above the %d the etcd arithmetic allows", len(stored), largestPortBytes)
	}
}
