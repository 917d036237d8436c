package app

import (
	"fmt"
	"slices"
	"strings"

	"github.com/midonet-go/midonet/internal/config"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/l3"
)

// Loaded is what [DEFAULT] service_plugins loads: the services the API serves and
// advertises, and whether the L3 plugin (routers, floating IPs) is among them. Unset, the
// list loads everything this server has. The catalogue does not change: the database, the
// journal and the cluster keep every collection, so data of a service left out stays intact
// and is served again once the service is loaded.
type Loaded struct {
	Services []plugin.Service
	L3       bool
}

// neutronDefaultPlugins are the service plugins Neutron loads whatever service_plugins says
// (neutron.plugins.common.constants.DEFAULT_SERVICE_PLUGINS): naming them changes nothing
// here either. Those this server implements (network_ip_availability) are its services'.
var neutronDefaultPlugins = []string{"tag", "timestamp", "revisions", "flavors", "auto_allocate",
	"neutron.services.tag.tag_plugin.TagPlugin", "neutron.services.timestamp.timestamp_plugin.TimeStampPlugin",
	"neutron.services.revisions.revision_plugin.RevisionPlugin", "neutron.services.flavors.flavors_plugin.FlavorsPlugin",
	"neutron.services.auto_allocate.plugin.Plugin"}

// notImplemented are service plugins of Neutron, its sub-projects and networking-midonet
// that this server does not have, so that naming one says so rather than "unknown". A
// service that implements one declares it in its plugin.Service, which wins over this list.
var notImplemented = []string{"placement", "ovn-router", "loki"}

// pluginName normalises an entry: "module:Class" is "module.Class", spaces trimmed.
func pluginName(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), ":", ".") }

// LoadedServices reads [DEFAULT] service_plugins against the services of this binary. An
// entry no service (nor the L3 plugin, nor Neutron's defaults) answers to is an error that
// names it, as neutron-server stops on a plugin it cannot load.
func LoadedServices(cfg *config.Config) (Loaded, error) {
	names := cfg.List(config.DefaultGroup, "service_plugins")
	if len(names) == 0 {
		return Loaded{Services: services, L3: true}, nil
	}
	var out Loaded
	picked := map[string]bool{}
	for _, raw := range names {
		n := pluginName(raw)
		if n == "" {
			continue
		}
		found := false
		if slices.Contains(l3.ServicePlugins, n) {
			out.L3, found = true, true
		}
		for _, s := range services {
			if slices.Contains(s.ServicePlugins, n) {
				picked[s.Name], found = true, true
			}
		}
		switch {
		case found || slices.Contains(neutronDefaultPlugins, n):
		case slices.Contains(notImplemented, n):
			return Loaded{}, fmt.Errorf("app: [DEFAULT] service_plugins: %s is not implemented by this server; remove it (this server has %s)", raw, knownPlugins())
		default:
			return Loaded{}, fmt.Errorf("app: [DEFAULT] service_plugins: no service plugin named %q (this server has %s)", raw, knownPlugins())
		}
	}
	for _, s := range services {
		if len(s.ServicePlugins) == 0 || s.AlwaysLoaded || picked[s.Name] {
			out.Services = append(out.Services, s)
			out.L3 = out.L3 || (picked[s.Name] && s.NeedsL3)
		}
	}
	return out, nil
}

// knownPlugins lists the short names this server loads, for error messages.
func knownPlugins() string {
	out := []string{l3.ServicePlugins[0] + " (or " + l3.ServicePlugins[2] + ")"}
	for _, s := range services {
		if len(s.ServicePlugins) > 0 && !s.AlwaysLoaded {
			out = append(out, s.ServicePlugins[0])
		}
	}
	return strings.Join(out, ", ")
}
