package logging

import (
	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/topology"
)

// Translators are the translators of the logging collections: each firewall log and each
// Neutron log is one RuleLogger; logging resources own nothing but decide whether their
// firewall logs are enabled.
func Translators() translate.Translators {
	return translate.Translators{
		LoggingResources.Collection: {Owned: func(*translate.World, string) []topology.Object { return nil },
			Dependents: func(w *translate.World, id string, _ translate.Doc, add func(string, ...string)) {
				for _, l := range w.Mentioning(FirewallLogs.Collection, id) {
					if plugin.Str(l, "logging_resource_id") == id {
						add(FirewallLogs.Collection, plugin.Str(l, "id"))
					}
				}
			}},
		// A log names its firewall's project: it follows the firewall (made before or after it,
		// as a data-version sync may replay them).
		FirewallLogs.Collection: {Owned: firewallLogger, Follows: map[string]translate.Follow{
			firewallsColl: translate.Naming(FirewallLogs.Collection), firewallGroupsColl: translate.Naming(FirewallLogs.Collection)}},
		Logs.Collection: {Owned: networkLogger},
	}
}

// firewallLogger: the firewall's project is the tenant of the lines (seed 8.2.4); the logger
// is on while its logging resource is enabled.
func firewallLogger(w *translate.World, id string) []topology.Object {
	d := w.Get(FirewallLogs.Collection, id)
	if d == nil {
		return nil
	}
	fwID := plugin.Str(d, "firewall_id")
	fw := w.Get(firewallsColl, fwID)
	if fw == nil {
		fw = w.Get(firewallGroupsColl, fwID)
	}
	if fw == nil {
		return nil
	}
	lr := w.Get(LoggingResources.Collection, plugin.Str(d, "logging_resource_id"))
	return []topology.Object{&topology.RuleLogger{Meta: topology.Meta{ID: id}, LogID: id,
		ResourceType: "firewall", ResourceID: fwID, TenantID: plugin.Str(fw, "tenant_id"),
		Event: plugin.Str(d, "fw_event"), Enabled: lr != nil && plugin.Bool(lr, "enabled")}}
}

// networkLogger: a Neutron log of one security group, or of every group of its project.
func networkLogger(w *translate.World, id string) []topology.Object {
	d := w.Get(Logs.Collection, id)
	if d == nil || plugin.Str(d, "resource_type") != "security_group" {
		return nil
	}
	return []topology.Object{&topology.RuleLogger{Meta: topology.Meta{ID: id}, LogID: id,
		ResourceType: "security_group", ResourceID: plugin.Str(d, "resource_id"), TenantID: plugin.Str(d, "project_id"),
		Event: plugin.Str(d, "event"), Enabled: plugin.Bool(d, "enabled"), PortID: plugin.Str(d, "target_id")}}
}
