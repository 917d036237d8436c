// Package l2gw is the L2 gateway service as networking-midonet's midonet_l2gw plugin serves
// it (seed 2.9, 8.1.7 and 8.2.2; networking-l2gw's l2-gateway and l2-gateway-connection
// aliases): an L2 gateway names exactly one gateway device (the gateway-device service's),
// a connection joins one Neutron network to it with a segmentation id, and the connection's
// translation makes the border gateway: the network bridged to the VTEP router (router_vtep)
// or to a VLAN of a network (network_vlan). See README.md.
package l2gw

import (
	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
)

// Service is the L2 gateway service as internal/app wires it.
func Service() plugin.Service {
	return plugin.Service{
		Name: "l2gw",
		// Seed 2.9: service_plugins = midonet_l2gw (networking-l2gw's own plugin names load
		// MidoNet's, the only one here).
		ServicePlugins: []string{"midonet_l2gw", "midonet.neutron.services.l2gateway.plugin.MidonetL2GatewayPlugin",
			"l2gw", "networking_l2gw.services.l2gateway.plugin.L2GatewayPlugin"},
		Resources:  []*resource.Resource{Gateways, Connections},
		Extensions: Extensions,
		// A connection reads its network, its gateway device and the device's router or
		// network.
		Translators: translate.Translators{Connections.Collection: {Owned: connectionObjects, Follows: map[string]translate.Follow{
			gatewayCollection: translate.Naming(Connections.Collection),
			"networks":        translate.FollowAll(translate.Naming(Connections.Collection), namingDeviceOn),
			"routers":         namingDeviceOn}}},
		Policies: PolicyRules,
		Collections: func(plugin.Deps) []plugin.Collection {
			return []plugin.Collection{NewGatewayCollection(), NewConnectionCollection()}
		},
		Hooks: map[string]plugin.Hook{gatewayCollection: deviceHook{}, "networks": networkHook{}},
	}
}

// PolicyRules: networking-l2gw lets only admins create, update and delete gateways and
// connections (its plugin's admin check); reading follows Neutron's default, admin or owner.
var PolicyRules = []policy.Rule{
	{Name: "create_l2_gateway", Check: policy.AdminOnly, Description: "Create an L2 gateway", Operations: policy.Post("/l2-gateways")},
	{Name: "update_l2_gateway", Check: policy.AdminOnly, Description: "Update an L2 gateway", Operations: policy.Put("/l2-gateways/{id}")},
	{Name: "delete_l2_gateway", Check: policy.AdminOnly, Description: "Delete an L2 gateway", Operations: policy.Delete("/l2-gateways/{id}")},
	{Name: "get_l2_gateway", Check: policy.AdminOrOwner, Description: "Get L2 gateways", Operations: policy.Get("/l2-gateways", "/l2-gateways/{id}")},
	{Name: "create_l2_gateway_connection", Check: policy.AdminOnly, Description: "Connect a network to an L2 gateway", Operations: policy.Post("/l2-gateway-connections")},
	{Name: "delete_l2_gateway_connection", Check: policy.AdminOnly, Description: "Delete an L2 gateway connection", Operations: policy.Delete("/l2-gateway-connections/{id}")},
	{Name: "get_l2_gateway_connection", Check: policy.AdminOrOwner, Description: "Get L2 gateway connections", Operations: policy.Get("/l2-gateway-connections", "/l2-gateway-connections/{id}")},
}
