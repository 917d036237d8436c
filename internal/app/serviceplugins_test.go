package app

import (
	"slices"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/config"
)

// TestLoadedServices reads service_plugins as neutron-server would: aliases and class paths
// (either separator), core services always, Neutron's default plugins accepted, and a name
// nobody answers to refused with a message naming it.
func TestLoadedServices(t *testing.T) {
	tests := []struct {
		list    string // "" = unset
		l3      bool
		want    []string // optional services loaded
		wantErr string
	}{
		{"", true, []string{"qos", "bgp", "fwaas", "logging", "metering", "cthelper", "localip", "vpnaas", "gwdevice", "l2gw", "taas", "trunk", "portfwd", "ndpproxy", "segments", "segmentrange"}, ""},
		{"midonet_l3,vpnaas,midonet_gwdevice,midonet_l2gw", true, []string{"vpnaas", "gwdevice", "l2gw"}, ""},
		{"l2gw", false, []string{"l2gw"}, ""},
		{"midonet_l3", true, nil, ""},
		{"router,qos", true, []string{"qos"}, ""},
		{"neutron.services.qos.qos_plugin:QoSPlugin", false, []string{"qos"}, ""},
		{"midonet_qos", false, []string{"qos"}, ""},
		{"midonet_bgp, taas, tag, revisions", false, []string{"bgp", "taas"}, ""},
		{"network_ip_availability", false, nil, ""},
		{"qos,nonsense", false, nil, `no service plugin named "nonsense"`},
		{"segments", false, []string{"segments"}, ""},
		{"neutron.services.segments.plugin:Plugin, network_segment_range", false, []string{"segments", "segmentrange"}, ""},
		{"neutron.services.network_segment_range.plugin.NetworkSegmentRangePlugin", false, []string{"segmentrange"}, ""},
		{"placement", false, nil, "placement is not implemented"},
		{"firewall_v2,log,metering", false, []string{"fwaas", "logging", "metering"}, ""},
		// Port forwarding and conntrack helpers require the router plugin: it comes with them.
		{"trunk, neutron.services.portforwarding.pf_plugin:PortForwardingPlugin", true, []string{"trunk", "portfwd"}, ""},
		{"conntrack_helper", true, []string{"cthelper"}, ""},
		{"router,ndp_proxy", true, []string{"ndpproxy"}, ""},
		{"neutron.services.ndp_proxy.plugin.NDPProxyPlugin", false, []string{"ndpproxy"}, ""},
	}
	optional := map[string]bool{"qos": true, "bgp": true, "taas": true, "vpnaas": true, "gwdevice": true, "l2gw": true,
		"fwaas": true, "logging": true, "metering": true, "cthelper": true, "localip": true, "trunk": true, "portfwd": true, "ndpproxy": true,
		"segments": true, "segmentrange": true}
	for _, tc := range tests {
		cfg := config.New(config.DefaultRegistry())
		if tc.list != "" {
			if err := cfg.Set("DEFAULT", "service_plugins", tc.list); err != nil {
				t.Fatal(err)
			}
		}
		got, err := LoadedServices(cfg)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: error %v, want %q", tc.list, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.list, err)
			continue
		}
		var names []string
		core := map[string]bool{}
		for _, s := range got.Services {
			if optional[s.Name] {
				names = append(names, s.Name)
			} else {
				core[s.Name] = true
			}
		}
		if got.L3 != tc.l3 || !slices.Equal(names, tc.want) {
			t.Errorf("%q: L3 %v, services %v; want %v, %v", tc.list, got.L3, names, tc.l3, tc.want)
		}
		for _, s := range []string{"agents", "rbac", "addrscope", "addrgroup", "ipavail", "az", "dns", "flavors"} {
			if !core[s] {
				t.Errorf("%q: %s not loaded (part of the core, or loaded by Neutron whatever the list says)", tc.list, s)
			}
		}
	}
}
