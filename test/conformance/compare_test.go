package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// goldenAsAnswer turns a golden step into an answer, as if our server had
// answered exactly what was recorded.
func goldenAsAnswer(gs *GoldenStep) *Answer {
	a := &Answer{Status: gs.Status, Header: http.Header{}}
	for k, v := range gs.Headers {
		a.Header.Set(k, v)
	}
	switch {
	case gs.BodyText != nil:
		a.Text = *gs.BodyText
	case gs.Body != nil:
		a.Text = canonical(gs.Body)
		// Decode a fresh copy so normalisation cannot alias the golden body.
		_ = decodeJSON([]byte(a.Text), &a.Raw)
		a.IsJSON = true
	}
	return a
}

// TestGoldenSelfConsistency feeds every golden body through the normaliser
// and the comparer as if it were our answer, with the golden's own captures
// and the reference profile, in strict mode: nothing may differ.
// Placeholders must compare equal to themselves.
func TestGoldenSelfConsistency(t *testing.T) {
	dir := conformanceDir(t)
	names, err := ScenarioNames(dir)
	if err != nil || len(names) == 0 {
		t.Fatalf("no scenarios in %s: %v", dir, err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			s, err := LoadScenario(dir, name)
			if err != nil {
				t.Fatal(err)
			}
			g, err := LoadGolden(dir, name)
			if err != nil {
				t.Fatal(err)
			}
			if err := checkPair(s, g); err != nil {
				t.Fatal(err)
			}
			caps, lits := NewCaptures(), NewLiterals()
			norm := &Normalizer{Base: testBase, Captures: caps, Literals: lits}
			for i := range g.Steps {
				gs := &g.Steps[i]
				lits.AddRequest(gs.Request.Path, gs.Request.Body, gs.Request.RawBody)
				a := goldenAsAnswer(gs)
				for _, c := range gs.Captures {
					if v, ok := lookupPath(a.Raw, c.Path); ok {
						caps.Set(c.Name, v)
					} else {
						t.Errorf("step %d: capture %s: no %s in the golden body", i, c.Name, c.Path)
					}
				}
				if a.IsJSON {
					_, hasSort := queryOf(gs.Request.Path)["sort_key"]
					a.Body = norm.Body(a.Raw, gs.Request.Method == http.MethodGet && !hasSort)
				}
				diffs := Compare(Check{
					Golden:      gs,
					Answer:      a,
					Path:        gs.Request.Path,
					RequestBody: gs.Request.Body,
					Profile:     ReferenceProfile,
					Normalizer:  norm,
					Strict:      true,
				})
				for _, d := range diffs {
					t.Errorf("step %d %q: %s", i, gs.Name, d)
				}
			}
		})
	}
}

// network is a golden network body with the deployment-dependent values of
// the reference.
const goldenNetwork = `{"network": {"id": "{{net}}", "name": "n", "mtu": 1450, "status": "ACTIVE",
	"provider:network_type": "vxlan", "provider:segmentation_id": "<segid>",
	"availability_zones": [], "tags": ["a", "b"], "qos_policy_id": null}}`

var networkKeys = map[string][]string{
	"$":       {"network"},
	"network": {"availability_zones", "id", "mtu", "name", "provider:network_type", "provider:segmentation_id", "qos_policy_id", "status", "tags"},
}

func TestCompare(t *testing.T) {
	all := map[string]bool{"provider": true, "qos": true, "standard-attr-tag": true, "network_availability_zone": true, "net-mtu": true}
	noQoS := map[string]bool{"provider": true, "standard-attr-tag": true, "network_availability_zone": true, "net-mtu": true}
	tests := []struct {
		name       string
		golden     GoldenStep
		status     int
		ours       string // normalised body of our answer
		header     http.Header
		profile    Profile
		advertised map[string]bool
		strict     bool
		want       []string // substrings of the diffs, in order; none: no diff
	}{
		{
			name:    "midonet network matches the reference one",
			golden:  GoldenStep{Status: 201, Body: goldenNetwork, Keys: networkKeys},
			status:  201,
			ours:    `{"network": {"id": "{{net}}", "name": "n", "mtu": 1500, "status": "ACTIVE", "provider:network_type": "midonet", "provider:segmentation_id": null, "availability_zones": [], "tags": ["b", "a"], "qos_policy_id": null, "extra": 1}}`,
			profile: MidonetProfile, advertised: all,
		},
		{
			name:    "reference profile keeps vxlan and mtu",
			golden:  GoldenStep{Status: 201, Body: goldenNetwork, Keys: networkKeys},
			status:  201,
			ours:    `{"network": {"id": "{{net}}", "name": "n", "mtu": 1500, "status": "ACTIVE", "provider:network_type": "midonet", "provider:segmentation_id": null, "availability_zones": [], "tags": ["a", "b"], "qos_policy_id": null}}`,
			profile: ReferenceProfile,
			want:    []string{"network.mtu: want 1450, got 1500", `network.provider:network_type: want "vxlan", got "midonet"`, `network.provider:segmentation_id: want "<segid>", got null`},
		},
		{
			name:    "missing key reported once; unadvertised extension key ignored",
			golden:  GoldenStep{Status: 200, Body: goldenNetwork, Keys: networkKeys},
			status:  200,
			ours:    `{"network": {"id": "{{net}}", "mtu": 1, "status": "ACTIVE", "provider:network_type": "midonet", "provider:segmentation_id": null, "availability_zones": [], "tags": []}}`,
			profile: MidonetProfile, advertised: noQoS,
			want: []string{"missing key network.name", "network.tags: want 2 items, got 0 items"},
		},
		{
			name:   "status differs: only the status",
			golden: GoldenStep{Status: 409, ErrorType: "IpAddressAlreadyAllocated", Body: `{"NeutronError": {"type": "IpAddressAlreadyAllocated", "message": "m", "detail": ""}}`},
			status: 400,
			ours:   `{"NeutronError": {"type": "HTTPBadRequest", "message": "bad", "detail": ""}}`,
			want:   []string{"status: want 409 IpAddressAlreadyAllocated, got 400 HTTPBadRequest (message: \"bad\")"},
		},
		{
			name:   "error type and message (lenient)",
			golden: GoldenStep{Status: 404, ErrorType: "NetworkNotFound", Body: `{"NeutronError": {"type": "NetworkNotFound", "message": "Network {{net}} could not be found.", "detail": ""}}`},
			status: 404,
			ours:   `{"NeutronError": {"type": "HTTPNotFound", "message": "nope", "detail": ""}}`,
			want:   []string{"NeutronError.type: want NetworkNotFound, got HTTPNotFound"},
		},
		{
			name:   "message compared when strict",
			golden: GoldenStep{Status: 404, ErrorType: "NetworkNotFound", Body: `{"NeutronError": {"type": "NetworkNotFound", "message": "Network {{net}} could not be found.", "detail": ""}}`},
			status: 404,
			ours:   `{"NeutronError": {"type": "NetworkNotFound", "message": "nope", "detail": ""}}`,
			strict: true,
			want:   []string{`NeutronError.message: want "Network {{net}} could not be found.", got "nope"`},
		},
		{
			name: "fields= forbids extra keys",
			golden: GoldenStep{Request: GoldenRequest{Method: "GET", Path: "/v2.0/networks?fields=name"}, Status: 200,
				Body: `{"networks": [{"name": "a"}]}`, Keys: map[string][]string{"$": {"networks"}, "networks": {"name"}}},
			status: 200,
			ours:   `{"networks": [{"name": "a", "id": "<uuid>"}]}`,
			want:   []string{`unexpected key networks.id with fields= (value "<uuid>")`},
		},
		{
			name: "links compared as a set by rel",
			golden: GoldenStep{Request: GoldenRequest{Method: "GET", Path: "/v2.0/networks?limit=1"}, Status: 200,
				Body: `{"networks": [], "networks_links": [{"href": "<base>/v2.0/networks?limit=1&marker={{a}}", "rel": "next"}, {"href": "<base>/v2.0/networks?limit=1&marker={{a}}&page_reverse=True", "rel": "previous"}]}`},
			status: 200,
			ours:   `{"networks": [], "networks_links": [{"href": "<base>/v2.0/networks?limit=1&marker={{a}}&page_reverse=True", "rel": "previous"}, {"href": "<base>/v2.0/networks?limit=1&marker={{b}}", "rel": "next"}, {"href": "x", "rel": "self"}]}`,
			want:   []string{"networks_links[rel=next]: want", `networks_links[rel=self]: want no such link, got "x"`},
		},
		{
			name:   "top-level list order matters with sort_key",
			golden: GoldenStep{Request: GoldenRequest{Method: "GET", Path: "/v2.0/networks?sort_key=name&sort_dir=asc"}, Status: 200, Body: `{"networks": [{"name": "a"}, {"name": "b"}]}`},
			status: 200,
			ours:   `{"networks": [{"name": "b"}, {"name": "a"}]}`,
			want:   []string{`networks[0].name: want "a", got "b"`, `networks[1].name: want "b", got "a"`},
		},
		{
			name:   "top-level list order free without sort_key",
			golden: GoldenStep{Request: GoldenRequest{Method: "GET", Path: "/v2.0/networks"}, Status: 200, Body: `{"networks": [{"name": "a"}, {"name": "b"}]}`},
			status: 200,
			ours:   `{"networks": [{"name": "b"}, {"name": "a"}]}`,
		},
		{
			name:   "unordered list with one different item",
			golden: GoldenStep{Status: 200, Body: `{"port": {"fixed_ips": [{"ip_address": "<ip>", "subnet_id": "{{s1}}"}, {"ip_address": "10.0.0.5", "subnet_id": "{{s2}}"}]}}`},
			status: 200,
			ours:   `{"port": {"fixed_ips": [{"ip_address": "10.0.0.5", "subnet_id": "{{s2}}"}, {"ip_address": "<ip>", "subnet_id": "{{s3}}"}]}}`,
			want:   []string{`port.fixed_ips[0].subnet_id: want "{{s1}}", got "{{s3}}"`},
		},
		{
			name:    "port binding values and status are the deployment's",
			golden:  GoldenStep{Status: 200, Body: `{"port": {"binding:vif_type": "binding_failed", "binding:vif_details": {}, "status": "DOWN", "dns_assignment": [{"fqdn": "host-10-0-0-5.harness.test.", "hostname": "host-10-0-0-5", "ip_address": "10.0.0.5"}]}}`},
			status:  200,
			ours:    `{"port": {"binding:vif_type": "midonet", "binding:vif_details": {"port_filter": true}, "status": "ACTIVE", "dns_assignment": [{"fqdn": "host-10-0-0-5.openstacklocal.", "hostname": "host-10-0-0-5", "ip_address": "10.0.0.5"}]}}`,
			profile: MidonetProfile,
		},
		{
			name: "quota values: only those the request set",
			golden: GoldenStep{Request: GoldenRequest{Method: "PUT", Body: `{"quota": {"network": 2}}`}, Status: 200,
				Body: `{"quota": {"network": 2, "port": 500, "subnetpool": -1}}`, Keys: map[string][]string{"$": {"quota"}, "quota": {"network", "port", "subnetpool"}}},
			status:  200,
			ours:    `{"quota": {"network": 3}}`,
			profile: MidonetProfile, advertised: map[string]bool{},
			want: []string{"missing key quota.port", "quota.network: want 2, got 3"},
		},
		{
			name:   "empty body expected",
			golden: GoldenStep{Status: 204},
			status: 204,
			ours:   `{"x": 1}`,
			want:   []string{"body: want an empty body"},
		},
		{
			name:   "request id header",
			golden: GoldenStep{Status: 204, Headers: map[string]string{"x-openstack-request-id": "<reqid>"}},
			status: 204,
			header: http.Header{"X-Openstack-Request-Id": {"abc"}},
			want:   []string{"header x-openstack-request-id: want <reqid>, got abc"},
		},
		{
			name:   "numbers compare by value",
			golden: GoldenStep{Status: 200, Body: `{"x": {"a": 1.0, "b": [1, 2]}}`},
			status: 200,
			ours:   `{"x": {"a": 1, "b": [1, 2, 3]}}`,
			want:   []string{"x.b: want 2 items, got 3 items"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gs := tc.golden
			if s, ok := gs.Body.(string); ok {
				gs.Body = mustJSON(t, s)
			}
			if s, ok := gs.Request.Body.(string); ok {
				gs.Request.Body = mustJSON(t, s)
			}
			a := &Answer{Status: tc.status, Header: tc.header}
			if a.Header == nil {
				a.Header = http.Header{}
			}
			if tc.ours != "" {
				a.Raw, a.Body, a.IsJSON, a.Text = mustJSON(t, tc.ours), mustJSON(t, tc.ours), true, tc.ours
			}
			diffs := Compare(Check{
				Golden:      &gs,
				Answer:      a,
				Path:        gs.Request.Path,
				RequestBody: gs.Request.Body,
				Profile:     tc.profile,
				Advertised:  tc.advertised,
				Normalizer:  &Normalizer{Base: testBase, Captures: NewCaptures(), Literals: NewLiterals()},
				Strict:      tc.strict,
			})
			if len(diffs) != len(tc.want) {
				t.Fatalf("got %d diffs, want %d:\n%s", len(diffs), len(tc.want), joinDiffs(diffs))
			}
			for i, w := range tc.want {
				if !strings.Contains(diffs[i].String(), w) {
					t.Errorf("diff %d = %q, want it to contain %q", i, diffs[i].String(), w)
				}
			}
		})
	}
}

func joinDiffs(diffs []Diff) string {
	var b strings.Builder
	for _, d := range diffs {
		b.WriteString("  " + d.String() + "\n")
	}
	return b.String()
}

func TestPathPattern(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ports[2].fixed_ips[0].ip_address", "port.fixed_ips[].ip_address"},
		{"network.mtu", "network.mtu"},
		{"networks_links[rel=next]", "networks_links[rel=next]"},
		{"NeutronError.type", "NeutronError.type"},
		{"security_groups[1]", "security_group"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := pathPattern(tc.in); got != tc.want {
			t.Errorf("pathPattern(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestResourceOf(t *testing.T) {
	tests := []struct{ in, want string }{
		{"networks", "network"},
		{"port", "port"},
		{"policies", "policy"},
		{"address_scopes", "address_scope"},
		{"networks_links", ""},
		{"NeutronError", ""},
		{"quota", "quota"},
	}
	for _, tc := range tests {
		if got := resourceOf(tc.in); got != tc.want {
			t.Errorf("resourceOf(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// realiser turns a normalised golden body back into a plausible raw answer:
// placeholders become fresh values, captures consistent values, unordered
// lists are reversed and link queries shuffled.
type realiser struct {
	kinds map[string]string // capture name -> the path it is captured from
	vals  map[string]string // capture name -> its real value
	n     int
}

func (r *realiser) next() int { r.n++; return r.n }

func (r *realiser) ip() string { n := r.next(); return fmt.Sprintf("100.127.%d.%d", n/250, n%250+1) }

func (r *realiser) capture(name string) string {
	if v, ok := r.vals[name]; ok {
		return v
	}
	var v string
	switch path := r.kinds[name]; {
	case strings.HasSuffix(path, "ip_address"):
		v = r.ip()
	case strings.HasSuffix(path, "mac_address"):
		v = fmt.Sprintf("fa:16:3e:7f:%02x:%02x", r.next()/256, r.n%256)
	default:
		v = fmt.Sprintf("%08x-0000-4000-8000-%012x", r.next(), r.n)
	}
	r.vals[name] = v
	return v
}

var placeholderRE = regexp.MustCompile(`\{\{[^{}]+\}\}|<uuid>|<timestamp>|<mac>|<reqid>|<base>`)

func (r *realiser) str(s string) string {
	s = placeholderRE.ReplaceAllStringFunc(s, func(p string) string {
		switch p {
		case "<uuid>":
			return fmt.Sprintf("%08x-1111-4000-8000-%012x", r.next(), r.n)
		case "<timestamp>":
			return "2024-01-02T03:04:05Z"
		case "<mac>":
			return fmt.Sprintf("fa:16:3e:7e:%02x:%02x", r.next()/256, r.n%256)
		case "<reqid>":
			return fmt.Sprintf("req-%08x-2222-4000-8000-%012x", r.next(), r.n)
		case "<base>":
			return testBase
		}
		return r.capture(p[2 : len(p)-2])
	})
	if i := strings.IndexByte(s, '?'); i >= 0 && strings.HasPrefix(s, testBase) {
		parts := strings.Split(s[i+1:], "&")
		slices.Reverse(parts)
		s = s[:i+1] + strings.Join(parts, "&")
	}
	return s
}

func (r *realiser) value(key string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = r.value(k, e)
		}
		if out["hostname"] == "<hostname>" {
			ip, _ := out["ip_address"].(string)
			out["hostname"] = "host-" + strings.NewReplacer(".", "-", ":", "-").Replace(ip)
			out["fqdn"] = out["hostname"].(string) + ".harness.test."
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.value(key, e)
		}
		if unorderedKeys[key] {
			slices.Reverse(out)
		}
		return out
	case string:
		switch x {
		case "<segid>", "<standard_attr_id>":
			return json.Number(strconv.Itoa(70000 + r.next()))
		case "<ip>":
			return r.ip()
		}
		return r.str(x)
	}
	return v
}

// TestGoldenRoundTrip realises every golden body into a raw answer with
// fresh ids, addresses, MACs and timestamps, then checks that normalising it
// gives the golden body back (strict comparison, reference profile).
func TestGoldenRoundTrip(t *testing.T) {
	dir := conformanceDir(t)
	names, err := ScenarioNames(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			g, err := LoadGolden(dir, name)
			if err != nil {
				t.Fatal(err)
			}
			r := &realiser{kinds: map[string]string{}, vals: map[string]string{}}
			for _, gs := range g.Steps {
				for _, c := range gs.Captures {
					r.kinds[c.Name] = c.Path
				}
			}
			caps, lits := NewCaptures(), NewLiterals()
			norm := &Normalizer{Base: testBase, Captures: caps, Literals: lits}
			for i := range g.Steps {
				gs := &g.Steps[i]
				lits.AddRequest(gs.Request.Path, gs.Request.Body, gs.Request.RawBody)
				a := &Answer{Status: gs.Status, Header: http.Header{}}
				for k, v := range gs.Headers {
					a.Header.Set(k, r.str(v))
				}
				_, hasSort := queryOf(gs.Request.Path)["sort_key"]
				unorderedTop := gs.Request.Method == http.MethodGet && !hasSort
				switch {
				case gs.BodyText != nil:
					a.Text = r.str(*gs.BodyText)
				case gs.Body != nil:
					raw := r.value("", gs.Body)
					if m, ok := raw.(map[string]any); ok && unorderedTop {
						for k, v := range m {
							if l, ok := v.([]any); ok && topUnordered(k) {
								slices.Reverse(l)
							}
						}
					}
					a.Raw, a.IsJSON, a.Text = raw, true, canonical(raw)
				}
				for _, c := range gs.Captures {
					if v, ok := lookupPath(a.Raw, c.Path); ok {
						caps.Set(c.Name, v)
					}
				}
				if a.IsJSON {
					a.Body = norm.Body(a.Raw, unorderedTop)
				}
				diffs := Compare(Check{
					Golden: gs, Answer: a, Path: gs.Request.Path, RequestBody: gs.Request.Body,
					Profile: ReferenceProfile, Normalizer: norm, Strict: true,
				})
				for _, d := range diffs {
					t.Errorf("step %d %q: %s", i, gs.Name, d)
				}
			}
		})
	}
}
