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
		{"", true, []string{"qos", "bgp", "taas"}, ""},
		{"midonet_l3", true, nil, ""},
		{"router,qos", true, []string{"qos"}, ""},
		{"neutron.services.qos.qos_plugin:QoSPlugin", false, []string{"qos"}, ""},
		{"midonet_bgp, taas, tag, revisions", false, []string{"bgp", "taas"}, ""},
		{"network_ip_availability", false, nil, ""},
		{"qos,nonsense", false, nil, `no service plugin named "nonsense"`},
		{"trunk", false, nil, "trunk is not implemented"},
	}
	optional := map[string]bool{"qos": true, "bgp": true, "taas": true}
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
		for _, s := range []string{"agents", "rbac", "addrscope", "addrgroup", "ipavail"} {
			if !core[s] {
				t.Errorf("%q: %s not loaded (part of the core, or loaded by Neutron whatever the list says)", tc.list, s)
			}
		}
	}
}
