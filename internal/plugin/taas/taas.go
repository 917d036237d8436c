// Package taas is Tap-as-a-Service on MidoNet (seed 2.11; tap-as-a-service's taas and
// taas-vlan-filter with networking-midonet's MidonetTaasDriver): tap services (the port that
// receives mirrored traffic) and tap flows (a source port and a direction whose traffic is
// copied to a tap service), their cascades when a port or a service goes, and their
// translation into MidoNet Mirror objects on the source ports' mirror lists. See README.md.
package taas

import (
	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
)

// Service is Tap-as-a-Service as internal/app wires it.
func Service() plugin.Service {
	return plugin.Service{
		Name: "taas",
		// Seed 2.11: service_plugins = taas (tap-as-a-service's plugin, MidoNet's driver).
		ServicePlugins: []string{"taas", "neutron_taas.services.taas.taas_plugin.TaasPlugin"},
		Resources:      []*resource.Resource{Services, Flows},
		Extensions:     Extensions,
		Policies:       PolicyRules,
		Translators: translate.Translators{
			Services.Collection: {Owned: serviceObjects},
			Flows.Collection:    {Owned: flowObjects, Dependents: flowDependents, Decorates: map[string]translate.Decorator{"ports": decoratePort}},
		},
		Collections: func(plugin.Deps) []plugin.Collection {
			return []plugin.Collection{ServiceCollection(), FlowCollection()}
		},
		Hooks: map[string]plugin.Hook{"ports": portHook{}},
	}
}

// PolicyRules are tap-as-a-service's defaults: everything admin or owner.
var PolicyRules = []policy.Rule{
	{Name: "create_tap_service", Check: "rule:admin_or_owner", Description: "Create a tap service", Operations: policy.Post("/taas/tap_services")},
	{Name: "get_tap_service", Check: "rule:admin_or_owner", Description: "Show a tap service", Operations: policy.Get("/taas/tap_services", "/taas/tap_services/{id}")},
	{Name: "update_tap_service", Check: "rule:admin_or_owner", Description: "Update a tap service", Operations: policy.Put("/taas/tap_services/{id}")},
	{Name: "delete_tap_service", Check: "rule:admin_or_owner", Description: "Delete a tap service", Operations: policy.Delete("/taas/tap_services/{id}")},
	{Name: "create_tap_flow", Check: "rule:admin_or_owner", Description: "Create a tap flow", Operations: policy.Post("/taas/tap_flows")},
	{Name: "get_tap_flow", Check: "rule:admin_or_owner", Description: "Show a tap flow", Operations: policy.Get("/taas/tap_flows", "/taas/tap_flows/{id}")},
	{Name: "update_tap_flow", Check: "rule:admin_or_owner", Description: "Update a tap flow", Operations: policy.Put("/taas/tap_flows/{id}")},
	{Name: "delete_tap_flow", Check: "rule:admin_or_owner", Description: "Delete a tap flow", Operations: policy.Delete("/taas/tap_flows/{id}")},
}
