package conformance

import (
	"encoding/json"
	"reflect"
	"testing"
)

const testBase = "http://127.0.0.1:9797"

// mustJSON decodes a JSON literal with json.Number.
func mustJSON(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := decodeJSON([]byte(s), &v); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return v
}

// testNormalizer builds a normaliser from captures (name, value pairs in
// order) and literal requests (path, body JSON).
func testNormalizer(t *testing.T, caps []any, requests [][2]string) *Normalizer {
	t.Helper()
	c := NewCaptures()
	for i := 0; i < len(caps); i += 2 {
		c.Set(caps[i].(string), caps[i+1])
	}
	l := NewLiterals()
	for _, r := range requests {
		var body any
		if r[1] != "" {
			body = mustJSON(t, r[1])
		}
		l.AddRequest(r[0], body, nil)
	}
	return &Normalizer{Base: testBase, Captures: c, Literals: l}
}

func TestNormalizerString(t *testing.T) {
	const id = "6f1b0b8e-3f3a-4d5e-9c1a-2b3c4d5e6f70"
	const other = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
	tests := []struct {
		name     string
		caps     []any
		requests [][2]string
		in, want string
	}{
		{"uuid", nil, nil, "Network " + other + " could not be found.", "Network <uuid> could not be found."},
		{"upper-case uuid", nil, nil, "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE", "<uuid>"},
		{"request id", nil, nil, "req-" + other, "<reqid>"},
		{"timestamp Z", nil, nil, "2024-01-02T03:04:05Z", "<timestamp>"},
		{"timestamp space, fraction, offset", nil, nil, "at 2024-01-02 03:04:05.123456+00:00.", "at <timestamp>."},
		{"timestamp no zone", nil, nil, "2012-10-15T10:00:00-00:00", "<timestamp>"},
		{"mac", nil, nil, "fa:16:3e:12:34:56", "<mac>"},
		{"mac in a message", nil, nil, "MAC fa:16:3e:12:34:56 in use", "MAC <mac> in use"},
		{"seven pairs are not a mac", nil, nil, "fa:16:3e:12:34:56:78", "fa:16:3e:12:34:56:78"},
		{"hex digit before", nil, nil, "afa:16:3e:12:34:56", "afa:16:3e:12:34:56"},
		{"colon before", nil, nil, ":fa:16:3e:12:34:56", ":fa:16:3e:12:34:56"},
		{"hex digit after", nil, nil, "fa:16:3e:12:34:567", "fa:16:3e:12:34:567"},
		{"non-hex letter next to it", nil, nil, "xfa:16:3e:12:34:56z", "x<mac>z"},
		{"literal mac kept, any case", nil, [][2]string{{"/v2.0/ports", `{"port":{"mac_address":"FA:16:3E:00:00:AB"}}`}},
			"fa:16:3e:00:00:ab", "fa:16:3e:00:00:ab"},
		{"literal mac from a query", nil, [][2]string{{"/v2.0/ports?mac_address=fa:16:3e:00:00:ab", ""}},
			"fa:16:3e:00:00:ab and fa:16:3e:00:00:ac", "fa:16:3e:00:00:ab and <mac>"},
		{"capture in a message", []any{"net", id}, nil,
			"Network " + id + " could not be found.", "Network {{net}} could not be found."},
		{"capture next to a letter stays", []any{"net", "abcdefgh"}, nil, "xabcdefgh abcdefgh", "xabcdefgh {{net}}"},
		{"captured ip as a token", []any{"p1ip", "10.20.0.5"}, nil,
			"IP address 10.20.0.5 already allocated; 10.20.0.55 is free", "IP address {{p1ip}} already allocated; 10.20.0.55 is free"},
		{"longest capture first", []any{"short", "abcdefg", "long", "abcdefg-hij"}, nil, "x abcdefg-hij abcdefg", "x {{long}} {{short}}"},
		{"short captures not replaced inside strings", []any{"n", "abc123"}, nil, "name abc123 here", "name abc123 here"},
		{"first capture wins for equal values", []any{"a", id, "b", id}, nil, "id " + id, "id {{a}}"},
		{"non-string captures never substitute", []any{"rev", json.Number("1234567")}, nil, "rev 1234567", "rev 1234567"},
		{"base and sorted query", []any{"bravo", id}, nil,
			testBase + "/v2.0/networks?sort_key=name&limit=2&marker=" + id + "&sort_dir=asc",
			"<base>/v2.0/networks?limit=2&marker={{bravo}}&sort_dir=asc&sort_key=name"},
		{"query not sorted outside base", nil, nil, "http://other/x?b=1&a=2", "http://other/x?b=1&a=2"},
		{"base without a query", nil, nil, testBase + "/v2.0/", "<base>/v2.0/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := testNormalizer(t, tc.caps, tc.requests)
			if got := n.String(tc.in); got != tc.want {
				t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNormalizerBody(t *testing.T) {
	const id = "6f1b0b8e-3f3a-4d5e-9c1a-2b3c4d5e6f70"
	tests := []struct {
		name         string
		caps         []any
		requests     [][2]string
		unorderedTop bool
		in, want     string
	}{
		{
			name: "captured id, short captured name by equality",
			caps: []any{"p1", id, "nm", "abc"},
			in:   `{"port": {"id": "` + id + `", "name": "abc"}}`,
			want: `{"port": {"id": "{{p1}}", "name": "{{nm}}"}}`,
		},
		{
			name:     "literal IPs kept, generated ones become <ip>",
			requests: [][2]string{{"/v2.0/ports", `{"port": {"fixed_ips": [{"ip_address": "10.20.0.150"}]}}`}},
			in:       `{"port": {"fixed_ips": [{"ip_address": "10.20.0.7"}, {"ip_address": "10.20.0.150"}]}}`,
			want:     `{"port": {"fixed_ips": [{"ip_address": "10.20.0.150"}, {"ip_address": "<ip>"}]}}`,
		},
		{
			name:     "literal IP from a fixed_ips query",
			requests: [][2]string{{"/v2.0/ports?fixed_ips=ip_address%3D10.20.0.151", ""}},
			in:       `{"ports": [{"fixed_ips": [{"ip_address": "10.20.0.151"}]}]}`,
			want:     `{"ports": [{"fixed_ips": [{"ip_address": "10.20.0.151"}]}]}`,
		},
		{
			name:     "IPv6 literal in another spelling",
			requests: [][2]string{{"/v2.0/ports", `{"port": {"fixed_ips": [{"ip_address": "2001:DB8:9::0015"}]}}`}},
			in:       `{"port": {"fixed_ips": [{"ip_address": "2001:db8:9::15"}]}}`,
			want:     `{"port": {"fixed_ips": [{"ip_address": "2001:db8:9::15"}]}}`,
		},
		{
			name: "captured IP wins over <ip>",
			caps: []any{"p1ip", "10.20.0.9"},
			in:   `{"floatingip": {"fixed_ip_address": "10.20.0.9", "floating_ip_address": "172.24.4.3"}}`,
			want: `{"floatingip": {"fixed_ip_address": "{{p1ip}}", "floating_ip_address": "<ip>"}}`,
		},
		{
			name: "ip key with a non-IP string",
			in:   `{"x": {"ip_address": "not-an-ip"}}`,
			want: `{"x": {"ip_address": "not-an-ip"}}`,
		},
		{
			name:     "dns_assignment of a generated and of a literal address",
			requests: [][2]string{{"/v2.0/ports", `{"port": {"fixed_ips": [{"ip_address": "10.20.0.150"}]}}`}},
			in: `{"port": {"dns_assignment": [
				{"hostname": "host-10-20-0-7", "fqdn": "host-10-20-0-7.harness.test.", "ip_address": "10.20.0.7"},
				{"hostname": "host-10-20-0-150", "fqdn": "host-10-20-0-150.harness.test.", "ip_address": "10.20.0.150"}]}}`,
			want: `{"port": {"dns_assignment": [
				{"fqdn": "<fqdn>", "hostname": "<hostname>", "ip_address": "<ip>"},
				{"fqdn": "host-10-20-0-150.harness.test.", "hostname": "host-10-20-0-150", "ip_address": "10.20.0.150"}]}}`,
		},
		{
			name:     "segmentation ids: literal kept, generated replaced",
			requests: [][2]string{{"/v2.0/networks", `{"network": {"provider:segmentation_id": 150}}`}},
			in:       `{"networks": [{"provider:segmentation_id": 150}, {"provider:segmentation_id": 4711}, {"provider:segmentation_id": null}]}`,
			want:     `{"networks": [{"provider:segmentation_id": 150}, {"provider:segmentation_id": "<segid>"}, {"provider:segmentation_id": null}]}`,
		},
		{
			name: "standard_attr_id",
			in:   `{"security_group": {"security_group_rules": [{"standard_attr_id": 42}]}}`,
			want: `{"security_group": {"security_group_rules": [{"standard_attr_id": "<standard_attr_id>"}]}}`,
		},
		{
			name: "unordered lists sorted, dns_nameservers kept",
			in:   `{"subnet": {"tags": ["red", "blue"], "dns_nameservers": ["8.8.8.8", "1.1.1.1"], "allocation_pools": [{"start": "10.0.0.9", "end": "10.0.0.9"}, {"start": "10.0.0.2", "end": "10.0.0.5"}]}}`,
			want: `{"subnet": {"tags": ["blue", "red"], "dns_nameservers": ["8.8.8.8", "1.1.1.1"], "allocation_pools": [{"end": "10.0.0.5", "start": "10.0.0.2"}, {"end": "10.0.0.9", "start": "10.0.0.9"}]}}`,
		},
		{
			name:         "top-level list of a GET without sort_key, links and versions kept",
			unorderedTop: true,
			in:           `{"networks": [{"name": "b"}, {"name": "a"}], "networks_links": [{"rel": "previous"}, {"rel": "next"}]}`,
			want:         `{"networks": [{"name": "a"}, {"name": "b"}], "networks_links": [{"rel": "previous"}, {"rel": "next"}]}`,
		},
		{
			name: "top-level list kept in order with sort_key",
			in:   `{"networks": [{"name": "b"}, {"name": "a"}]}`,
			want: `{"networks": [{"name": "b"}, {"name": "a"}]}`,
		},
		{
			name: "nested strings, numbers and booleans",
			in:   `{"network": {"created_at": "2024-05-06T07:08:09Z", "mtu": 1450, "shared": false, "description": null}}`,
			want: `{"network": {"created_at": "<timestamp>", "mtu": 1450, "shared": false, "description": null}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := testNormalizer(t, tc.caps, tc.requests)
			got := n.Body(mustJSON(t, tc.in), tc.unorderedTop)
			want := mustJSON(t, tc.want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Body:\n got %s\nwant %s", canonical(got), canonical(want))
			}
		})
	}
}

func TestFindMACs(t *testing.T) {
	tests := []struct {
		in      string
		bounded bool
		want    int
	}{
		{"fa:16:3e:00:00:01 fa:16:3e:00:00:02", true, 2},
		{"fa:16:3e:00:00:01:02", true, 0},
		{"fa:16:3e:00:00:01:02", false, 2},
		{"no mac here", true, 0},
	}
	for _, tc := range tests {
		if got := len(findMACs(tc.in, tc.bounded)); got != tc.want {
			t.Errorf("findMACs(%q, %v) found %d, want %d", tc.in, tc.bounded, got, tc.want)
		}
	}
}
