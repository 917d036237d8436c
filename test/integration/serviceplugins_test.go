package integration

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/test/testenv"
)

// aliases are the extension aliases a server advertises.
func aliases(t *testing.T, e *env) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, x := range get(t, e.admin("sp"), "extensions")["extensions"].([]any) {
		out[x.(map[string]any)["alias"].(string)] = true
	}
	return out
}

// status is the status of a GET on path (under /v2.0/).
func status(t *testing.T, e *env, path string) int {
	t.Helper()
	_, code, _ := raw(t, e.admin("sp"), http.MethodGet, path, nil, nil, 200)
	return code
}

// TestServicePlugins: [DEFAULT] service_plugins decides which services are served and
// advertised (by alias or class path, ":" or "." before the class); the core plugin's
// resources and Neutron's default plugins stay; unset, everything is served.
func TestServicePlugins(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		plugins   string // "" = unset
		served    []string
		unserved  []string
		advertise []string
		hidden    []string
	}{
		{"unset", "", []string{"routers", "qos/policies", "bgp-speakers", "taas/tap_services", "network-ip-availabilities", "agents"}, nil,
			[]string{"router", "qos", "bgp", "taas", "taas-vlan-filter", "network-ip-availability", "agent"}, nil},
		{"qos only", "qos", []string{"qos/policies", "networks", "agents", "network-ip-availabilities", "address-scopes"},
			[]string{"routers", "floatingips", "bgp-speakers", "taas/tap_services", "segments", "network_segment_ranges"},
			[]string{"qos", "agent", "network-ip-availability"}, []string{"router", "extraroute", "bgp", "taas", "taas-vlan-filter",
				"segment", "standard-attr-segment", "network-segment-range"}},
		{"segments and ranges", "segments, neutron.services.network_segment_range.plugin:NetworkSegmentRangePlugin",
			[]string{"segments", "network_segment_ranges", "networks"}, []string{"routers", "qos/policies"},
			[]string{"segment", "standard-attr-segment", "network-segment-range"}, []string{"router", "qos"}},
		{"networking-midonet's class paths", "midonet.neutron.services.l3.l3_midonet:MidonetL3ServicePlugin, neutron_taas.services.taas.taas_plugin.TaasPlugin, tag",
			[]string{"routers", "floatingips", "taas/tap_flows"}, []string{"qos/policies", "bgp-speakers"},
			[]string{"router", "fip64", "taas"}, []string{"qos", "bgp"}},
		{"what is served today", "midonet_l3,qos,midonet_bgp,taas,vpnaas,midonet_gwdevice,midonet_l2gw,network_ip_availability",
			[]string{"routers", "qos/policies", "bgp-speakers", "taas/tap_services", "vpn/ikepolicies", "gw/gateway_devices", "l2-gateways"}, nil,
			[]string{"router", "qos", "bgp", "taas", "vpnaas", "gateway-device", "l2-gateway"}, nil},
	}
	tests = append(tests, struct {
		name      string
		plugins   string
		served    []string
		unserved  []string
		advertise []string
		hidden    []string
	}{"L2 gateway without gateway devices", "midonet_l2gw", []string{"l2-gateways"}, []string{"gw/gateway_devices", "routers"},
		[]string{"l2-gateway"}, []string{"gateway-device"}})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			conf := "[DEFAULT]\nauth_strategy = noauth\n"
			if tc.plugins != "" {
				conf += "service_plugins = " + tc.plugins + "\n"
			}
			e := &env{srv: testenv.StartServer(t, testenv.Options{Config: conf})}
			for _, p := range tc.served {
				if got := status(t, e, p); got != 200 {
					t.Errorf("GET /v2.0/%s = %d, want 200", p, got)
				}
			}
			for _, p := range tc.unserved {
				if got := status(t, e, p); got != 404 {
					t.Errorf("GET /v2.0/%s = %d, want 404 (not loaded)", p, got)
				}
			}
			if tc.name == "L2 gateway without gateway devices" {
				_, code, err := raw(t, e.admin("sp"), http.MethodPost, "l2-gateways", map[string]any{"l2_gateway": map[string]any{"name": "g",
					"devices": []any{map[string]any{"device_id": "00000000-0000-0000-0000-000000000001"}}}}, nil, 201)
				if code != 503 {
					t.Errorf("l2-gateway create without midonet_gwdevice: %d %v, want 503 MidonetL2GatewayUnavailable", code, err)
				}
				wantError(t, err, 503, "MidonetL2GatewayUnavailable")
			}
			adv := aliases(t, e)
			for _, a := range tc.advertise {
				if !adv[a] {
					t.Errorf("%s not advertised", a)
				}
			}
			for _, a := range tc.hidden {
				if adv[a] {
					t.Errorf("%s advertised, its plugin is not loaded", a)
				}
			}
		})
	}
}

// TestServicePluginsRefused: a service plugin this server does not have, or a core plugin
// it replaces, stops the server at start with a message naming it, as neutron-server stops.
func TestServicePluginsRefused(t *testing.T) {
	t.Parallel()
	bin := testenv.Binary(t)
	tests := []struct {
		conf string
		want []string
	}{
		{"service_plugins = midonet_l3,fwaas_nonexistent", []string{`no service plugin named "fwaas_nonexistent"`, "midonet_l3", "taas"}},
		{"service_plugins = placement", []string{"placement is not implemented by this server"}},
		{"core_plugin = midonet_v2", []string{"core_plugin = midonet_v2", "set core_plugin = ml2", "mechanism_drivers = midonet"}},
		{"core_plugin = midonet.neutron.plugin_v2.MidonetPluginV2", []string{"networking-midonet's monolithic plugin", "set core_plugin = ml2"}},
	}
	for _, tc := range tests {
		dir := t.TempDir()
		cfg := filepath.Join(dir, "neutron.conf")
		if err := os.WriteFile(cfg, []byte("[DEFAULT]\nauth_strategy = noauth\n"+tc.conf+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		port, err := testenv.FreePort()
		must(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		out, err := exec.CommandContext(ctx, bin, "serve", "--data-dir", filepath.Join(dir, "data"), "--config-file", cfg,
			"--bind-host", "127.0.0.1", "--bind-port", strconv.Itoa(port)).CombinedOutput()
		timedOut := ctx.Err() != nil
		cancel()
		if err == nil || timedOut {
			t.Errorf("%s: the server did not stop by itself (err %v):\n%s", tc.conf, err, out)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("%s: output does not say %q:\n%s", tc.conf, w, out)
			}
		}
		if n := strings.Count(strings.TrimSpace(string(out)), "\n"); n > 0 {
			t.Errorf("%s: %d lines, want the one that explains:\n%s", tc.conf, n+1, out)
		}
	}
}
