package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"github.com/midonet-go/midonet/internal/plugin/quota"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/api"
	"github.com/midonet-go/midonet/internal/auth"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/addrgroup"
	"github.com/midonet-go/midonet/internal/plugin/addrscope"
	"github.com/midonet-go/midonet/internal/plugin/agents"
	"github.com/midonet-go/midonet/internal/plugin/core"
	"github.com/midonet-go/midonet/internal/plugin/cthelper"
	"github.com/midonet-go/midonet/internal/plugin/dns"
	"github.com/midonet-go/midonet/internal/plugin/l3"
	"github.com/midonet-go/midonet/internal/plugin/localip"
	"github.com/midonet-go/midonet/internal/plugin/metering"
	"github.com/midonet-go/midonet/internal/plugin/ndpproxy"
	"github.com/midonet-go/midonet/internal/plugin/portfwd"
	"github.com/midonet-go/midonet/internal/plugin/taas"
	"github.com/midonet-go/midonet/internal/plugin/trunk"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
)

// inProcess is an API server wired as internal/app wires `midonet serve` (noauth, default
// policy, the core and L3 plugins and their extensions) over a fresh SQLite file, called
// directly through its http.Handler. It has no MidoNet backend (no cluster, no NSDB, no
// agents): it measures and exercises the Neutron side only.
type inProcess struct {
	tb  testing.TB
	srv *api.Server
	db  *db.DB
	// hdr is added to every request (identity headers; none = noauth admin).
	hdr http.Header
}

// newInProcess builds the server. settings nil means core.DefaultSettings().
func newInProcess(tb testing.TB, settings *core.Settings) *inProcess {
	tb.Helper()
	return newInProcessOn(tb, settings, "sqlite:///"+filepath.Join(tb.TempDir(), "neutron.db"))
}

// defaultQuotas are the configured defaults ([quotas] quota_<name>).
var defaultQuotas = map[string]int{"network": 100, "subnet": 100, "subnetpool": -1, "port": 500,
	"security_group": 10, "security_group_rule": 100, "router": 10, "floatingip": 50}

// newInProcessOn is newInProcess on the database named by connection (an empty one).
// extraServices are the services the cross-project world uses beyond the default catalogue.
func extraServices() []plugin.Service {
	return []plugin.Service{metering.Service(), cthelper.Service(), localip.Service(), trunk.Service(), portfwd.Service(), ndpproxy.Service(), dns.Service(), taas.Service()}
}

// policyRules are the default rules of the in-process server's services.
func policyRules() [][]policy.Rule {
	pols := builtin.Policies()
	for _, x := range extraServices() {
		pols = append(pols, x.Policies)
	}
	return pols
}

func newInProcessOn(tb testing.TB, settings *core.Settings, connection string) *inProcess {
	tb.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, connection, "")
	if err != nil {
		tb.Fatalf("open db: %v", err)
	}
	// The default catalogue and the services the cross-project world uses beyond it.
	extra := extraServices()
	rs := append(builtin.Resources(), agents.Service().Resources...)
	rs = append(rs, addrscope.Service().Resources...)
	rs = append(rs, addrgroup.Service().Resources...)
	for _, x := range extra {
		rs = append(rs, x.Resources...)
	}
	cat := resource.MustCatalog(rs...)
	d.Kinds = cat
	tb.Cleanup(func() { d.Close() })
	if _, err := d.Upgrade(ctx); err != nil {
		tb.Fatalf("upgrade db: %v", err)
	}
	enf, err := policy.New(nil, policyRules()...)
	if err != nil {
		tb.Fatalf("policy: %v", err)
	}
	s := core.DefaultSettings()
	if settings != nil {
		s = *settings
	}
	p := core.New(s)
	l := l3.New(l3.Settings{MaxRoutes: 30, EnableSNATByDefault: true}, p)
	limits := defaultQuotas
	if settings != nil { // unlimited(): no quotas, so that b.N creates fit
		limits = map[string]int{}
	}
	// The address-scope service, as internal/app wires it (its collection, its network hook).
	scopes := addrscope.Service()
	cols := append(p.Collections(), l.Collections()...)
	for _, svc := range append([]plugin.Service{scopes}, extra...) {
		for i, c := range cols {
			if h, ok := svc.Hooks[c.Resource().Collection]; ok {
				cols[i] = plugin.Hooked(c, h)
			}
		}
	}
	cols = append(cols, scopes.Collections(plugin.Deps{})...)
	groups := addrgroup.Service()
	cols = append(cols, groups.Collections(plugin.Deps{})...)
	exts := append(append(append([]resource.Extension{}, l3.Extensions...), scopes.Extensions...), groups.Extensions...)
	for _, x := range extra {
		cols = append(cols, x.Collections(plugin.Deps{Ports: p})...)
		exts = append(exts, x.Extensions...)
	}
	srv := api.New(&api.Server{
		DB: d, Auth: auth.NoAuth(), Policy: enf, NoAuth: true, Quotas: quota.New(cat, limits), Catalog: cat,
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Extensions: resource.NewRegistry(exts...),
	}, cols...)
	return &inProcess{tb: tb, srv: srv, db: d}
}

// do serves one request and returns the recorded response.
func (s *inProcess) do(method, target string, body []byte) *httptest.ResponseRecorder {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range s.hdr {
		req.Header[k] = v
	}
	w := httptest.NewRecorder()
	s.srv.ServeHTTP(w, req)
	return w
}

// must serves a request that has to answer want, and decodes the JSON answer.
func (s *inProcess) must(method, target string, body any, want int) map[string]any {
	return s.mustT(s.tb, method, target, body, want)
}

// mustT is must reporting to tb.
func (s *inProcess) mustT(tb testing.TB, method, target string, body any, want int) map[string]any {
	tb.Helper()
	code, out, raw := s.call(tb, method, target, body)
	if code != want {
		tb.Fatalf("%s %s: status %d, want %d: %s", method, target, code, want, raw)
	}
	return out
}

// call serves a request whose body (if any) is v encoded as JSON, and returns the status,
// the decoded JSON answer and the answer as text.
func (s *inProcess) call(tb testing.TB, method, target string, v any) (int, map[string]any, string) {
	tb.Helper()
	var b []byte
	if v != nil {
		b = mustJSON(tb, v)
	}
	w := s.do(method, target, b)
	out := map[string]any{}
	if w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			tb.Fatalf("%s %s: answer is not JSON: %v: %s", method, target, err, w.Body.String())
		}
	}
	return w.Code, out, w.Body.String()
}

// mustJSON encodes v.
func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// idOf returns the id of the member under key in a create answer.
func idOf(m map[string]any, key string) string {
	inner, _ := m[key].(map[string]any)
	id, _ := inner["id"].(string)
	return id
}

// fixtures are resources the fuzz seeds refer to by placeholder ({net}, {subnet}, …), so that
// corpus entries stay meaningful in every fuzz worker (each has its own database and ids).
type fixtures struct {
	net, subnet, port, sg, rule string
	ext, router, fip            string // external network, router, floating IP
}

func (s *inProcess) ensureFixtures(tb testing.TB, fx *fixtures) {
	tb.Helper()
	missing := false
	exists := func(col, id string) bool {
		ok := id != "" && s.do(http.MethodGet, "/v2.0/"+col+"/"+id, nil).Code == http.StatusOK
		if !ok && !missing {
			// The fuzzer may have lowered a quota: back to the (unlimited) defaults first.
			missing = true
			hdr := s.hdr
			s.hdr = nil
			for _, p := range []string{"fake_project_id", hdr.Get("X-Project-Id")} {
				if p != "" {
					s.do(http.MethodDelete, "/v2.0/quotas/"+p, nil)
				}
			}
			s.hdr = hdr
		}
		return ok
	}
	if !exists("networks", fx.net) {
		fx.net = idOf(s.mustT(tb, http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": "fx"}}, 201), "network")
		fx.subnet, fx.port = "", ""
	}
	if !exists("subnets", fx.subnet) {
		// The pool is the upper half of the /16: the fixture port below draws its address at
		// random from it, so the addresses tests and seeds name by hand in 10.9.0.0/17
		// (TestNeutronValidation's 10.9.0.50 and .51) are never taken first.
		fx.subnet = idOf(s.mustT(tb, http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": map[string]any{
			"network_id": fx.net, "ip_version": 4, "cidr": "10.9.0.0/16", "name": "fx",
			"allocation_pools": []any{map[string]any{"start": "10.9.128.0", "end": "10.9.255.254"}}}}, 201), "subnet")
	}
	if !exists("ports", fx.port) {
		fx.port = idOf(s.mustT(tb, http.MethodPost, "/v2.0/ports", map[string]any{"port": map[string]any{
			"network_id": fx.net, "name": "fx"}}, 201), "port")
	}
	if !exists("security-groups", fx.sg) {
		fx.sg = idOf(s.mustT(tb, http.MethodPost, "/v2.0/security-groups", map[string]any{"security_group": map[string]any{"name": "fx"}}, 201), "security_group")
		fx.rule = ""
	}
	if !exists("networks", fx.ext) {
		// Only an admin can make an external network; a member's fixtures go without.
		w := s.do(http.MethodPost, "/v2.0/networks", []byte(`{"network": {"name": "fx-ext", "router:external": true}}`))
		if w.Code == http.StatusCreated {
			var m map[string]any
			_ = json.Unmarshal(w.Body.Bytes(), &m)
			fx.ext = idOf(m, "network")
			s.mustT(tb, http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": map[string]any{
				"network_id": fx.ext, "ip_version": 4, "cidr": "172.24.0.0/16", "name": "fx-ext"}}, 201)
		}
		fx.router, fx.fip = "", ""
	}
	if !exists("routers", fx.router) {
		r := map[string]any{"name": "fx"}
		if fx.ext != "" {
			r["external_gateway_info"] = map[string]any{"network_id": fx.ext}
		}
		fx.router = idOf(s.mustT(tb, http.MethodPost, "/v2.0/routers", map[string]any{"router": r}, 201), "router")
	}
	if fx.ext != "" && !exists("floatingips", fx.fip) {
		fx.fip = idOf(s.mustT(tb, http.MethodPost, "/v2.0/floatingips", map[string]any{"floatingip": map[string]any{
			"floating_network_id": fx.ext}}, 201), "floatingip")
	}
	if !exists("security-group-rules", fx.rule) {
		fx.rule = idOf(s.mustT(tb, http.MethodPost, "/v2.0/security-group-rules", map[string]any{"security_group_rule": map[string]any{
			"security_group_id": fx.sg, "direction": "ingress", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22}}, 201), "security_group_rule")
	}
}

func (fx *fixtures) expand(s string) string {
	return strings.NewReplacer("{net}", fx.net, "{subnet}", fx.subnet, "{port}", fx.port, "{sg}", fx.sg, "{rule}", fx.rule,
		"{ext}", fx.ext, "{router}", fx.router, "{fip}", fx.fip).Replace(s)
}

type requestSeed struct{ method, target, body string }

// requestSeeds cover every collection, the list query parameters, tags, quotas and the meta
// endpoints.
var requestSeeds = []requestSeed{
	{"GET", "/", ""},
	{"GET", "/v2.0/", ""},
	{"GET", "/v2.0/extensions", ""},
	{"GET", "/v2.0/extensions/port-security", ""},
	{"GET", "/v2.0/extensions/no-such-alias", ""},
	{"GET", "/v2.0/networks", ""},
	{"GET", "/v2.0/networks.json?fields=id&fields=name&fields=subnets", ""},
	{"GET", "/v2.0/networks?sort_key=name&sort_dir=asc&sort_key=id&sort_dir=desc&limit=2", ""},
	{"GET", "/v2.0/networks?limit=1&marker={net}&page_reverse=True", ""},
	{"GET", "/v2.0/networks?limit=-1&marker=nope&page_reverse=maybe", ""},
	{"GET", "/v2.0/networks?shared=false&admin_state_up=1&router:external=False&mtu=1450&name=fx&id={net}", ""},
	{"GET", "/v2.0/networks?tags=a,b&tags-any=c&not-tags=d&not-tags-any=e,f", ""},
	{"GET", "/v2.0/networks?sort_key=subnets&sort_dir=up&bogus=1", ""},
	{"POST", "/v2.0/networks", `{"network": {"name": "n1", "admin_state_up": true, "mtu": 1400, "shared": false, "port_security_enabled": true}}`},
	{"POST", "/v2.0/networks", `{"networks": [{"name": "b1"}, {"network": {"name": "b2"}}]}`},
	{"POST", "/v2.0/networks", `{"network": {"provider:network_type": "uplink", "provider:physical_network": "ext", "provider:segmentation_id": 7, "router:external": true}}`},
	{"POST", "/v2.0/networks", `{"network": {"tenant_id": "t1", "project_id": "t2"}}`},
	{"POST", "/v2.0/networks", `[]`},
	{"GET", "/v2.0/networks/{net}?fields=mtu", ""},
	{"PUT", "/v2.0/networks/{net}", `{"network": {"name": "renamed", "mtu": 9000, "description": "d"}}`},
	{"PUT", "/v2.0/networks/{net}", `{"network": {"shared": true, "router:external": true, "provider:segmentation_id": null}}`},
	{"DELETE", "/v2.0/networks/{net}", ""},
	{"DELETE", "/v2.0/networks", ""},
	{"PATCH", "/v2.0/networks/{net}", `{}`},
	{"GET", "/v2.0/subnets?network_id={net}&ip_version=4&cidr=10.9.0.0/16&enable_dhcp=true", ""},
	{"POST", "/v2.0/subnets", `{"subnet": {"network_id": "{net}", "ip_version": 4, "cidr": "10.10.0.0/24", "gateway_ip": "10.10.0.1", "allocation_pools": [{"start": "10.10.0.10", "end": "10.10.0.20"}], "dns_nameservers": ["8.8.8.8"], "host_routes": [{"destination": "0.0.0.0/0", "nexthop": "10.10.0.254"}]}}`},
	{"POST", "/v2.0/subnets", `{"subnet": {"network_id": "{net}", "ip_version": 6, "cidr": "2001:db8::/64", "ipv6_ra_mode": "slaac", "ipv6_address_mode": "slaac"}}`},
	{"POST", "/v2.0/subnets", `{"subnet": {"network_id": "{net}", "ip_version": 4, "cidr": "10.11.0.0/33"}}`},
	{"POST", "/v2.0/subnets", `{"subnet": {"network_id": "{net}", "ip_version": 4, "cidr": "10.12.0.0/30", "gateway_ip": null, "enable_dhcp": false}}`},
	{"PUT", "/v2.0/subnets/{subnet}", `{"subnet": {"allocation_pools": [{"start": "10.9.0.2", "end": "10.9.255.254"}], "gateway_ip": "10.9.0.1", "dns_nameservers": [], "host_routes": []}}`},
	{"DELETE", "/v2.0/subnets/{subnet}", ""},
	{"GET", "/v2.0/ports?network_id={net}&fixed_ips=ip_address%3D10.9.0.5&fixed_ips=subnet_id%3D{subnet}&fixed_ips=ip_address_substr%3D10.", ""},
	{"GET", "/v2.0/ports?mac_address=FA:16:3E:00:00:01&device_owner=&binding:host_id=h&sort_key=mac_address&sort_dir=desc&limit=3", ""},
	{"POST", "/v2.0/ports", `{"port": {"network_id": "{net}", "name": "p", "fixed_ips": [{"subnet_id": "{subnet}", "ip_address": "10.9.1.1"}], "mac_address": "fa:16:3e:11:22:33", "security_groups": ["{sg}"], "allowed_address_pairs": [{"ip_address": "10.9.3.0/24"}], "extra_dhcp_opts": [{"opt_name": "bootfile-name", "opt_value": "x"}], "binding:host_id": "h1", "binding:profile": {"k": "v"}, "binding:vnic_type": "normal", "device_owner": "compute:nova", "device_id": "vm1"}}`},
	{"POST", "/v2.0/ports", `{"port": {"network_id": "{net}", "fixed_ips": [{"subnet_id": "{subnet}"}, {"ip_address": "10.9.2.2"}], "port_security_enabled": false, "security_groups": []}}`},
	{"POST", "/v2.0/ports", `{"port": {"network_id": "{net}", "device_owner": "network:router_interface", "fixed_ips": []}}`},
	{"POST", "/v2.0/ports", `{"ports": [{"network_id": "{net}"}, {"network_id": "{net}", "mac_address": "fa:16:3e:11:22:33"}]}`},
	{"PUT", "/v2.0/ports/{port}", `{"port": {"fixed_ips": [{"subnet_id": "{subnet}", "ip_address": "10.9.4.4"}], "mac_address": "fa:16:3e:44:55:66", "binding:host_id": "h2", "admin_state_up": false, "allowed_address_pairs": [{"ip_address": "10.9.9.9", "mac_address": "fa:16:3e:00:00:09"}]}}`},
	{"PUT", "/v2.0/ports/{port}", `{"port": {"security_groups": null, "port_security_enabled": false, "extra_dhcp_opts": [{"opt_name": "bootfile-name", "opt_value": null}]}}`},
	{"PUT", "/v2.0/ports/{port}/add_allowed_address_pairs", `{"port": {"allowed_address_pairs": [{"ip_address": "1.2.3.4"}]}}`},
	{"DELETE", "/v2.0/ports/{port}", ""},
	{"GET", "/v2.0/security-groups?name=default&fields=security_group_rules", ""},
	{"POST", "/v2.0/security-groups", `{"security_group": {"name": "web", "description": "w"}}`},
	{"PUT", "/v2.0/security-groups/{sg}", `{"security_group": {"name": "default"}}`},
	{"DELETE", "/v2.0/security-groups/{sg}", ""},
	{"GET", "/v2.0/security-group-rules?security_group_id={sg}&direction=ingress&protocol=tcp&port_range_min=22", ""},
	{"POST", "/v2.0/security-group-rules", `{"security_group_rule": {"security_group_id": "{sg}", "direction": "egress", "ethertype": "IPv6", "protocol": "icmpv6", "port_range_min": 128, "port_range_max": 0, "remote_ip_prefix": "::/0"}}`},
	{"POST", "/v2.0/security-group-rules", `{"security_group_rule": {"security_group_id": "{sg}", "direction": "ingress", "protocol": 17, "port_range_min": 70000, "remote_group_id": "{sg}", "remote_ip_prefix": "10.0.0.0/8"}}`},
	{"DELETE", "/v2.0/security-group-rules/{rule}", ""},
	{"GET", "/v2.0/networks/{net}/tags", ""},
	{"PUT", "/v2.0/networks/{net}/tags", `{"tags": ["a", "b", "c"]}`},
	{"PUT", "/v2.0/ports/{port}/tags/red", ""},
	{"GET", "/v2.0/subnets/{subnet}/tags/red", ""},
	{"DELETE", "/v2.0/security-groups/{sg}/tags/red", ""},
	{"DELETE", "/v2.0/security-group-rules/{rule}/tags", ""},
	{"POST", "/v2.0/networks/{net}/tags", `{"tags": ["x"]}`},
	{"GET", "/v2.0/quotas", ""},
	{"GET", "/v2.0/quotas/tenant", ""},
	{"GET", "/v2.0/quotas/fake_project_id", ""},
	{"GET", "/v2.0/quotas/fake_project_id/default", ""},
	{"GET", "/v2.0/quotas/fake_project_id/details.json", ""},
	{"PUT", "/v2.0/quotas/fake_project_id", `{"quota": {"port": 1000, "network": -1, "subnet": "20"}}`},
	{"PUT", "/v2.0/quotas/p2", `{"quota": {"port": -2, "bogus": 1}}`},
	{"DELETE", "/v2.0/quotas/p2", ""},
	{"POST", "/v2.0/address-groups", `{"address_group": {"name": "g", "addresses": ["10.0.0.1/24", "2001:db8::1/64", "10.0.0.1"]}}`},
	{"PUT", "/v2.0/address-groups/{net}/add_addresses", `{"addresses": ["bad", null, 7]}`},
	{"PUT", "/v2.0/address-groups/{net}/remove_addresses", `{"addresses": "10.0.0.0/8"}`},
	{"GET", "/v2.0/network-ip-availabilities?ip_version=6&network_id={net}", ""},
	{"GET", "/v2.0/network-ip-availabilities/{net}", ""},
	{"GET", "/v2.0/floatingip-pools", ""},
	{"POST", "/v2.0/subnets", `{"subnet": {"network_id": "{net}", "cidr": "10.9.0.0/24", "ip_version": 4, "service_types": ["compute:nova", 3, "x"]}}`},
	{"PUT", "/v2.0/security-groups/{sg}", `{"security_group": {"stateful": "maybe"}}`},
	{"PUT", "/v2.0/ports/{port}", `{"port": {"mac_address": null}}`},
	{"GET", "/v2.0/ports?fixed_ips=ip_address_substr%3D10.0", ""},
	{"GET", "/v2.0/unknown", ""},
	{"GET", "/v2.0/networks/{net}/unknown/x/y", ""},
	{"GET", "/v3/networks", ""},
	{"POST", "/v2.0/ports", `{"port": {"network_id": "{net}", "name": 12345678901234567890}}`},
	{"PUT", "/v2.0/networks/{net}", `{"network": {"mtu": 1e400}}`},
	{"POST", "/v2.0/subnets", `{"subnet": {"network_id": "{net}", "ip_version": 4, "cidr": "0.0.0.0/0"}}`},
	{"POST", "/v2.0/subnets", `{"subnet": {"network_id": "{net}", "ip_version": 6, "cidr": "::/0", "gateway_ip": "::1"}}`},
	{"POST", "/v2.0/subnets", `{"subnet": {"network_id": "{net}", "ip_version": 4, "cidr": "10.13.0.0/31"}}`},
	{"POST", "/v2.0/subnets", `{"subnet": {"network_id": "{net}", "ip_version": 4, "cidr": "10.14.0.0/24", "allocation_pools": [{"start": "10.14.0.200", "end": "10.14.0.100"}, {"start": "10.15.0.1", "end": "10.15.0.9"}], "gateway_ip": "10.99.0.1"}}`},
	{"POST", "/v2.0/subnets", `{"subnet": {"network_id": "{net}", "ip_version": 4, "cidr": "10.16.0.0/24", "dns_nameservers": ["::1"], "host_routes": [{"destination": "::/0", "nexthop": "10.16.0.1"}]}}`},
	{"POST", "/v2.0/subnets", `{"subnets": [{"network_id": "{net}", "ip_version": 4, "cidr": "10.17.0.0/24"}, {"network_id": "{net}", "ip_version": 4, "cidr": "10.17.0.0/25"}]}`},
	{"PUT", "/v2.0/subnets/{subnet}", `{"subnet": {"allocation_pools": [{"start": "10.9.200.1", "end": "10.9.200.2"}], "gateway_ip": null, "enable_dhcp": false}}`},
	{"POST", "/v2.0/security-group-rules", `{"security_group_rule": {"security_group_id": "{sg}", "direction": "ingress", "ethertype": "IPv4", "remote_ip_prefix": "2001:db8::/64", "protocol": "icmp", "port_range_min": 300, "port_range_max": 256}}`},
	{"POST", "/v2.0/security-group-rules", `{"security_group_rules": [{"security_group_id": "{sg}", "direction": "egress", "protocol": "256"}, {"security_group_id": "{sg}", "direction": "egress", "protocol": "-1"}]}`},
	{"POST", "/v2.0/security-groups", `{"security_groups": [{"name": "default"}, {"name": "x", "tenant_id": "other"}]}`},
	{"PUT", "/v2.0/ports/{port}", `{"port": {"device_owner": "network:dhcp", "fixed_ips": [], "security_groups": ["{sg}", "{sg}"]}}`},
	{"POST", "/v2.0/ports", `{"port": {"network_id": "{net}", "tenant_id": "other", "fixed_ips": [{"ip_address": "10.9.0.0"}, {"ip_address": "10.9.255.255"}, {"ip_address": "2001:db8::5"}]}}`},
	{"GET", "/v2.0/ports?fields=binding:profile&fields=binding:vif_details&sort_key=binding:host_id&sort_dir=asc&sort_key=fixed_ips&sort_dir=asc", ""},
	{"GET", "/v2.0/security-groups?tenant_id=other&project_id=fake_project_id&fields=id", ""},
	{"GET", "/v2.0/networks?limit=1&marker={subnet}", ""},
	{"GET", "/v2.0/ports?limit=99999999999999999999&page_reverse=1&sort_key=name&sort_dir=desc", ""},
	{"GET", "/v2.0/ports?limit=9223372036854775807&fixed_ips=garbage&fixed_ips=&status=", ""},
	{"POST", "/v2.0/security-group-rules", `{"security_group_rule": {"security_group_id": "{sg}", "direction": "ingress", "protocol": 6.5, "ethertype": 4, "remote_ip_prefix": 123, "port_range_min": "abc"}}`},
	{"POST", "/v2.0/security-group-rules", `{"security_group_rule": {"security_group_id": "{sg}", "direction": "ingress", "protocol": true, "ethertype": null, "remote_ip_prefix": ["10.0.0.0/8"]}}`},
	{"POST", "/v2.0/security-group-rules", `{"security_group_rule": {"security_group_id": "{sg}", "direction": "ingress", "protocol": [], "ethertype": "ipv6", "remote_ip_prefix": "10.0.0.0/8", "port_range_min": 5, "port_range_max": 4}}`},
	{"POST", "/v2.0/subnets", `{"subnet": {"network_id": "{net}", "ip_version": 6, "cidr": "10.18.0.0/24"}}`},
	{"POST", "/v2.0/subnets", `{"subnet": {"network_id": "{net}", "ip_version": 4, "cidr": null}}`},
	{"POST", "/v2.0/subnets", `{"subnet": {"network_id": "{net}", "ip_version": 4, "cidr": "10.19.0.7/24", "allocation_pools": [{"start": "10.19.0.1", "end": "10.19.0.10"}]}}`},
	{"POST", "/v2.0/ports", `{"port": {"network_id": "{net}", "fixed_ips": [{"subnet_id": "{subnet}", "ip_address": "10.9.0.1"}], "allowed_address_pairs": [{"ip_address": "10.0.0.0/33"}]}}`},
	{"POST", "/v2.0/ports", `{"port": {"network_id": "{net}", "binding:profile": {"a": {"b": {"c": {"d": [[[[null]]]]}}}}, "extra_dhcp_opts": [{"opt_name": "a", "opt_value": "b", "ip_version": "6"}]}}`},
	{"PUT", "/v2.0/networks/{net}/tags", `{"tags": [1, null, "x"]}`},
	{"PUT", "/v2.0/networks/{net}/tags", `{"tags": "abc"}`},
	{"PUT", "/v2.0/quotas/fake_project_id", `{"quota": {"port": 9223372036854775807, "network": "abc"}}`},
	{"PUT", "/v2.0/quotas/fake_project_id", `{"quota": {"subnet": 1e30}}`},
	{"PUT", "/v2.0/quotas/fake_project_id", `{"quota": []}`},
	{"GET", "/v2.0/routers?fields=external_gateway_info&sort_key=name&sort_dir=asc&limit=2", ""},
	{"POST", "/v2.0/routers", `{"router": {"name": "r1", "admin_state_up": true, "external_gateway_info": {"network_id": "{ext}", "enable_snat": false, "external_fixed_ips": [{"ip_address": "172.24.0.50"}]}}}`},
	{"PUT", "/v2.0/routers/{router}", `{"router": {"routes": [{"destination": "192.168.0.0/24", "nexthop": "10.9.0.9"}], "external_gateway_info": {}}}`},
	{"PUT", "/v2.0/routers/{router}/add_router_interface", `{"subnet_id": "{subnet}"}`},
	{"PUT", "/v2.0/routers/{router}/remove_router_interface", `{"subnet_id": "{subnet}", "port_id": "{port}"}`},
	{"PUT", "/v2.0/routers/{router}/add_router_interface", `{"port_id": "{port}"}`},
	{"PUT", "/v2.0/routers/{router}/add_extraroutes", `{"router": {"routes": [{"destination": "10.50.0.0/16", "nexthop": "10.9.0.10"}]}}`},
	{"PUT", "/v2.0/routers/{router}/remove_extraroutes", `{"router": {"routes": [{"destination": "10.50.0.0/16", "nexthop": "10.9.0.10"}]}}`},
	{"DELETE", "/v2.0/routers/{router}", ""},
	{"GET", "/v2.0/floatingips?floating_network_id={ext}&status=DOWN", ""},
	{"POST", "/v2.0/floatingips", `{"floatingip": {"floating_network_id": "{ext}", "port_id": "{port}", "floating_ip_address": "172.24.0.77"}}`},
	{"PUT", "/v2.0/floatingips/{fip}", `{"floatingip": {"port_id": "{port}", "fixed_ip_address": "10.9.0.5"}}`},
	{"PUT", "/v2.0/floatingips/{fip}", `{"floatingip": {"port_id": null}}`},
	{"DELETE", "/v2.0/floatingips/{fip}", ""},
	{"PUT", "/v2.0/routers/{router}/tags/blue", ""},
	{"POST", "/v2.0/address-scopes", `{"address_scope": {"name": "s", "ip_version": 4, "shared": true}}`},
	{"POST", "/v2.0/address-scopes", `{"address_scope": {"name": "s", "ip_version": "6"}}`},
	{"GET", "/v2.0/address-scopes?ip_version=4&shared=false&sort_key=name&limit=1&marker=x", ""},
	{"POST", "/v2.0/subnetpools", `{"subnetpool": {"name": "p", "prefixes": ["10.70.0.0/16", "10.71.0.1/16"], "min_prefixlen": "24", "max_prefixlen": 28, "default_quota": 64, "is_default": true, "address_scope_id": null}}`},
	{"POST", "/v2.0/subnetpools", `{"subnetpool": {"prefixes": ["2001:db8::/48", "10.0.0.0/8"], "default_prefixlen": 129}}`},
	{"PUT", "/v2.0/subnetpools/{net}/add_prefixes", `{"prefixes": ["10.72.0.0/16", 7, null]}`},
	{"PUT", "/v2.0/subnetpools/{net}/remove_prefixes", `{"prefixes": "10.70.0.0/16"}`},
	{"POST", "/v2.0/subnets", `{"subnet": {"network_id": "{net}", "ip_version": 4, "use_default_subnetpool": true, "prefixlen": 33}}`},
	// Lists through the key index: pages from a marker either way, indexed filters.
	{"GET", "/v2.0/ports?limit=2&marker={port}&sort_key=name&sort_dir=desc&page_reverse=True", ""},
	{"GET", "/v2.0/ports?fixed_ips=ip_address%3D10.9.0.5&fixed_ips=subnet_id%3D{subnet}&device_id=&tags-any=a,b&mac_address=FA:16:3E:00:00:01", ""},
	{"GET", "/v2.0/ports?limit=1&sort_key=status&sort_dir=asc&tags=x,y&network_id={net}&fields=id", ""},
	{"GET", "/v2.0/networks?limit=3&marker={net}&sort_key=created_at&sort_dir=desc&name=n", ""},
}

// FuzzRequest sends arbitrary requests to an in-process server as the noauth admin and
// requires that it never answers 5xx, that every error body is a NeutronError (except the
// HTML 404 of an unknown extension alias, which upstream answers too), that successful JSON
// answers parse, and that the server keeps answering afterwards.
//
//	go test ./internal/api -run '^$' -fuzz '^FuzzRequest$' -fuzztime 60s
func FuzzRequest(f *testing.F) { fuzzRequests(f, nil) }

// FuzzRequestMember is FuzzRequest as an ordinary member of a project (noauth with X-Roles),
// so that the policy paths (hidden parents, attribute rules, other projects' resources) run.
//
//	go test ./internal/api -run '^$' -fuzz '^FuzzRequestMember$' -fuzztime 60s
func FuzzRequestMember(f *testing.F) {
	fuzzRequests(f, http.Header{"X-Roles": {"member"}, "X-Project-Id": {"p-member"}, "X-User-Id": {"u-member"}})
}

func fuzzRequests(f *testing.F, hdr http.Header) {
	for _, s := range requestSeeds {
		f.Add(s.method, s.target, []byte(s.body))
	}
	srv := newInProcess(f, unlimited())
	// Something the caller does not own, for the member fuzzer to stumble on.
	srv.ensureFixtures(f, &fixtures{})
	srv.hdr = hdr
	fx := &fixtures{}
	srv.ensureFixtures(f, fx)
	f.Fuzz(func(t *testing.T, method, target string, body []byte) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \t\r\n#") {
			return
		}
		target = fx.expand(target)
		body = []byte(fx.expand(string(body)))
		req, err := http.NewRequest(method, "http://neutron.test"+target, bytes.NewReader(body))
		if err != nil {
			return // not something a client can send
		}
		req.RequestURI = target
		for k, v := range hdr {
			req.Header[k] = v
		}
		w := httptest.NewRecorder()
		srv.srv.ServeHTTP(w, req)
		if err := checkAnswer(req, w); err != nil {
			t.Fatalf("%s %s %q: %v", method, target, body, err)
		}
		if method == http.MethodDelete || strings.Contains(target, "/tags") {
			srv.ensureFixtures(t, fx)
		}
		if c := srv.do(http.MethodGet, "/v2.0/networks/"+fx.net+"?fields=id", nil).Code; c != http.StatusOK {
			t.Fatalf("after %s %s %q the server no longer answers a show: %d", method, target, body, c)
		}
	})
}

// extensionPath reports whether the server routes path to /v2.0/extensions/{alias}: it
// trims ".json" and the slashes around the part after /v2.0/, so "/v2.0//extensions/x" is one.
func extensionPath(path string) bool {
	path = strings.TrimSuffix(path, ".json")
	if !strings.HasPrefix(path, "/v2.0/") {
		return false
	}
	return strings.HasPrefix(strings.Trim(strings.TrimPrefix(path, "/v2.0/"), "/"), "extensions/")
}

// checkAnswer applies the invariants of every answer.
func checkAnswer(req *http.Request, w *httptest.ResponseRecorder) error {
	if w.Code >= 500 {
		return fmt.Errorf("status %d: %s", w.Code, w.Body.String())
	}
	if w.Header().Get("X-Openstack-Request-Id") == "" {
		return fmt.Errorf("status %d without X-Openstack-Request-Id", w.Code)
	}
	if w.Code < 400 {
		if w.Code == http.StatusNoContent || w.Body.Len() == 0 {
			return nil
		}
		if !json.Valid(w.Body.Bytes()) {
			return fmt.Errorf("status %d with a body that is not JSON: %q", w.Code, w.Body.String())
		}
		return nil
	}
	if w.Code == http.StatusNotFound && strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") && extensionPath(req.URL.Path) {
		return nil
	}
	var e struct {
		NeutronError *struct {
			Type    *string `json:"type"`
			Message *string `json:"message"`
			Detail  *string `json:"detail"`
		} `json:"NeutronError"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.NeutronError == nil {
		return fmt.Errorf("status %d without a NeutronError body: %q", w.Code, w.Body.String())
	}
	ne := e.NeutronError
	if ne.Type == nil || ne.Message == nil || ne.Detail == nil || *ne.Type == "" || *ne.Message == "" {
		return fmt.Errorf("status %d with an incomplete NeutronError: %q", w.Code, w.Body.String())
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		return fmt.Errorf("status %d NeutronError with Content-Type %q", w.Code, ct)
	}
	return nil
}

// TestCheckAnswer makes sure the fuzz oracle rejects what it should.
func TestCheckAnswer(t *testing.T) {
	rec := func(status int, ct, body string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		w.Header().Set("X-Openstack-Request-Id", "req-1")
		if ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.WriteHeader(status)
		w.WriteString(body)
		return w
	}
	ne := `{"NeutronError": {"type": "T", "message": "m", "detail": ""}}`
	for _, c := range []struct {
		path string
		w    *httptest.ResponseRecorder
		ok   bool
	}{
		{"/v2.0/networks", rec(200, "application/json", `{"networks": []}`), true},
		{"/v2.0/networks", rec(200, "application/json", `{"networks": [`), false},
		{"/v2.0/networks/x", rec(204, "", ""), true},
		{"/v2.0/networks/x", rec(404, "application/json", ne), true},
		{"/v2.0/networks", rec(500, "application/json", ne), false},
		{"/v2.0/networks", rec(503, "application/json", ne), false},
		{"/v2.0/networks", rec(400, "application/json", `{"NeutronError": {"type": "T", "message": "m"}}`), false},
		{"/v2.0/networks", rec(400, "application/json", `{"error": "x"}`), false},
		{"/v2.0/networks", rec(400, "text/plain", ne), false},
		{"/v2.0/extensions/nope", rec(404, "text/html; charset=UTF-8", "<html></html>"), true},
		{"/v2.0//extensions/nope/", rec(404, "text/html; charset=UTF-8", "<html></html>"), true},
		{"/v2.0/networks/nope", rec(404, "text/html; charset=UTF-8", "<html></html>"), false},
		{"/v2.0/extensionsx/nope", rec(404, "text/html; charset=UTF-8", "<html></html>"), false},
	} {
		req := httptest.NewRequest(http.MethodGet, c.path, nil)
		if err := checkAnswer(req, c.w); (err == nil) != c.ok {
			t.Errorf("%s %d %q: checkAnswer = %v, want ok=%v", c.path, c.w.Code, c.w.Body.String(), err, c.ok)
		}
	}
	w := httptest.NewRecorder()
	w.WriteHeader(200)
	if checkAnswer(httptest.NewRequest(http.MethodGet, "/", nil), w) == nil {
		t.Error("an answer without X-Openstack-Request-Id passed")
	}
}
