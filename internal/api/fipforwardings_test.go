package api_test

import (
	"net/http"
	"slices"
	"testing"
)

// TestFloatingIPsShowTheirForwardings: each floating IP shows its own port forwardings
// (expose-port-forwarding-in-fip), the same in a list of many (read per batch of floating
// IPs) and in a show (read one by one); a port's delete removes its forwardings, reading
// them through the key index rather than the 40 forwardings of another port.
func TestFloatingIPsShowTheirForwardings(t *testing.T) {
	p := newInProcess(t, unlimited())
	p.hdr = http.Header{"X-Project-Id": {"big"}, "X-Roles": {"admin"}, "X-User-Id": {"admin"}}
	ext, router := gatewayRouter(t, p, "172.16.0.0/16")
	net := routedNetwork(t, p, router, "10.0.0.0/24")
	port := p.must(http.MethodPost, "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": net}}, 201)["port"].(map[string]any)
	portID, addr := port["id"].(string), port["fixed_ips"].([]any)[0].(map[string]any)["ip_address"].(string)
	var fips []string
	for range 7 {
		fips = append(fips, idOf(p.must(http.MethodPost, "/v2.0/floatingips", map[string]any{"floatingip": map[string]any{"floating_network_id": ext}}, 201), "floatingip"))
	}
	want := map[string][]string{}
	for i, fip := range []string{fips[0], fips[0], fips[3]} {
		pf := idOf(p.must(http.MethodPost, "/v2.0/floatingips/"+fip+"/port_forwardings", map[string]any{"port_forwarding": map[string]any{
			"internal_port_id": portID, "internal_ip_address": addr, "internal_port": 80 + i, "external_port": 8080 + i, "protocol": "tcp"}}, 201), "port_forwarding")
		want[fip] = append(want[fip], pf)
	}
	shown := func(f map[string]any) []string {
		out := []string{}
		for _, x := range f["port_forwardings"].([]any) {
			out = append(out, x.(map[string]any)["id"].(string))
		}
		return out
	}
	wantOf := func(fip string) []string { return slices.Sorted(slices.Values(want[fip])) }
	listed := p.must(http.MethodGet, "/v2.0/floatingips", nil, 200)["floatingips"].([]any)
	if len(listed) != len(fips) {
		t.Fatalf("%d floating IPs listed, want %d", len(listed), len(fips))
	}
	for _, x := range listed {
		f := x.(map[string]any)
		if got := shown(f); !slices.Equal(got, wantOf(f["id"].(string))) {
			t.Errorf("listed floating IP %s shows %v, want %v", f["id"], got, wantOf(f["id"].(string)))
		}
	}
	check := func() {
		t.Helper()
		for _, fip := range fips {
			f := p.must(http.MethodGet, "/v2.0/floatingips/"+fip, nil, 200)["floatingip"].(map[string]any)
			if got := shown(f); !slices.Equal(got, wantOf(fip)) {
				t.Errorf("floating IP %s shows %v, want %v", fip, got, wantOf(fip))
			}
		}
	}
	check()
	const others = 40
	for i := range others {
		want[fips[6]] = append(want[fips[6]], idOf(p.must(http.MethodPost, "/v2.0/floatingips/"+fips[6]+"/port_forwardings", map[string]any{"port_forwarding": map[string]any{
			"internal_port_id": portID, "internal_ip_address": addr, "internal_port": 1000 + i, "external_port": 9000 + i, "protocol": "udp"}}, 201), "port_forwarding"))
	}
	gone := p.must(http.MethodPost, "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": net}}, 201)["port"].(map[string]any)
	p.must(http.MethodPost, "/v2.0/floatingips/"+fips[5]+"/port_forwardings", map[string]any{"port_forwarding": map[string]any{
		"internal_port_id": gone["id"], "internal_ip_address": gone["fixed_ips"].([]any)[0].(map[string]any)["ip_address"],
		"internal_port": 22, "external_port": 2222, "protocol": "tcp"}}, 201)
	if n := reads(func() { p.must(http.MethodDelete, "/v2.0/ports/"+gone["id"].(string), nil, 204) }); n >= others {
		t.Errorf("a port's delete read %d documents", n)
	}
	check()
}
