package logging

import (
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// Service is logging as internal/app wires it. Its policy rules: Neutron's logging API's are
// in internal/policy (admin only); the logging-resource extension has none of its own, so
// Neutron's default rule (admin or owner) applies, as upstream.
func Service() plugin.Service {
	return plugin.Service{
		Name: "logging",
		// Neutron's log API and networking-midonet's logging resources are one service here.
		ServicePlugins: []string{"log", "logapi", "midonet_logging_resource",
			"neutron.services.logapi.logging_plugin.LoggingPlugin",
			"midonet.neutron.services.logging_resource.plugin.MidonetLoggingResourcePlugin"},
		Resources:   []*resource.Resource{LoggingResources, FirewallLogs, Logs, LoggableResources},
		Extensions:  Extensions,
		Translators: Translators(),
		Collections: func(plugin.Deps) []plugin.Collection {
			return []plugin.Collection{NewResourceCollection(), FirewallLogCollection(), LogCollection(), LoggableCollection{}}
		},
		Hooks: map[string]plugin.Hook{
			firewallsColl:      cascade{coll: FirewallLogs.Collection, attr: "firewall_id"},
			firewallGroupsColl: cascade{coll: FirewallLogs.Collection, attr: "firewall_id"},
			securityGroupsColl: cascade{coll: Logs.Collection, attr: "resource_id"},
			portsColl:          cascade{coll: Logs.Collection, attr: "target_id"},
		},
	}
}
