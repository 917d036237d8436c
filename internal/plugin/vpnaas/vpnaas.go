// Package vpnaas is the VPN service (seed 2.7; neutron-vpnaas's vpnaas and
// vpn-endpoint-groups with networking-midonet's MidonetIPsecVPNDriver): IKE and IPsec
// policies, VPN services on routers with a gateway, endpoint groups, IPsec site connections
// with neutron-vpnaas's validation and in-use rules, and their translation into MidoNet's
// VpnService and IPSecSiteConnection with the router's IPsec container port and routes. The
// tunnels themselves are the agent's (internal/agent/ipsec: strongSwan in a network
// namespace per router). See README.md.
package vpnaas

import (
	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// Service is the VPN service as internal/app wires it.
func Service() plugin.Service {
	return plugin.Service{
		Name: "vpnaas",
		// Seed 2.7: service_plugins = vpnaas (neutron-vpnaas's plugin, MidoNet's driver).
		ServicePlugins: []string{"vpnaas", "neutron_vpnaas.services.vpn.plugin.VPNDriverPlugin"},
		Resources:      []*resource.Resource{IKEPolicies, IPsecPolicies, EndpointGroups, Services, Connections},
		Extensions:     Extensions,
		Translators: translate.Translators{
			IKEPolicies.Collection:    {Owned: ownsNothing, Dependents: servicesUsing("ikepolicy_id")},
			IPsecPolicies.Collection:  {Owned: ownsNothing, Dependents: servicesUsing("ipsecpolicy_id")},
			EndpointGroups.Collection: {Owned: ownsNothing, Dependents: servicesUsingGroup},
			Connections.Collection:    {Owned: ownsNothing, Dependents: connectionDependents},
			// A service reads its router, the router's gateway port (the container's host),
			// its subnet and its connections' local endpoint groups' subnets.
			Services.Collection: {Owned: serviceObjects, Dependents: serviceDependents,
				Follows: map[string]translate.Follow{"routers": translate.Naming(Services.Collection),
					"ports":   translate.NamingRouterOf(Services.Collection),
					"subnets": translate.FollowAll(translate.Naming(Services.Collection), servicesOfGroupsWith)}},
		},
		Collections: func(plugin.Deps) []plugin.Collection {
			return []plugin.Collection{IKEPolicyCollection(), IPsecPolicyCollection(), EndpointGroupCollection(),
				ServiceCollection(), ConnectionCollection()}
		},
		Hooks: map[string]plugin.Hook{"routers": routerHook{}, "subnets": subnetHook{}},
	}
}
