// Package gwdevice is networking-midonet's gateway-device service (seed 2.8, 8.1.4 and 8.2.3;
// alias gateway-device, service plugin midonet_gwdevice): gateway devices of type hw_vtep (a
// hardware VTEP managed over OVSDB), router_vtep (a Neutron router made a VTEP with a tunnel
// IP) and network_vlan (a VLAN-aware network), the remote MAC entries of a router VTEP, and
// their translation into the VTEP router's peering table. See README.md.
package gwdevice

import (
	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
)

// Service is the gateway-device service as internal/app wires it.
func Service() plugin.Service {
	return plugin.Service{
		Name: "gwdevice",
		// Seed 2.8: service_plugins = midonet_gwdevice.
		ServicePlugins: []string{"midonet_gwdevice", "midonet.neutron.services.gw_device.plugin.MidonetGwDeviceServicePlugin"},
		Resources:      []*resource.Resource{Devices, RemoteMacEntries},
		Extensions:     Extensions,
		// A device reads the router or network it stands on; a remote MAC entry reads its
		// device and the L2 gateway connections joining networks to it.
		Translators: translate.Translators{
			Devices.Collection: {Owned: deviceObjects, Follows: map[string]translate.Follow{
				"routers": translate.Naming(Devices.Collection), "networks": translate.Naming(Devices.Collection)}},
			RemoteMacEntries.Collection: {Owned: entryObjects, Follows: map[string]translate.Follow{
				Devices.Collection: translate.Naming(RemoteMacEntries.Collection), l2gwConnections: entriesOfConnection}},
		},
		Policies: PolicyRules,
		Collections: func(plugin.Deps) []plugin.Collection {
			return []plugin.Collection{NewDeviceCollection(), EntryCollection{}}
		},
		Hooks: map[string]plugin.Hook{"routers": resourceHook{typ: RouterVtep}, "networks": resourceHook{typ: NetworkVlan}},
	}
}

// PolicyRules are networking-midonet's gateway-device rules (policy-in-code, seed 6.2.1:
// admin_or_owner, the paths as the seed documents them) and the remote MAC entries' rules,
// which upstream left to Neutron's default (admin_or_owner) and are named here so that a
// policy file can change them. An entry belongs to its device's project.
var PolicyRules = []policy.Rule{
	{Name: "create_gateway_device", Check: policy.AdminOrOwner, Description: "Create a gateway device", Operations: policy.Post("/gw/gateway_devices")},
	{Name: "update_gateway_device", Check: policy.AdminOrOwner, Description: "Update a gateway device", Operations: policy.Put("/gw/gateway_devices/{id}")},
	{Name: "delete_gateway_device", Check: policy.AdminOrOwner, Description: "Delete a gateway device", Operations: policy.Delete("/gw/gateway_devices/{id}")},
	{Name: "get_gateway_device", Check: policy.AdminOrOwner, Description: "Get gateway devices", Operations: policy.Get("/gw/gateway_devices", "/gw/gateway_devices/{id}")},
	{Name: "create_gateway_device_remote_mac_entry", Check: policy.AdminOrOwner, Description: "Create a remote MAC entry of a gateway device",
		Operations: policy.Post("/gw/gateway_devices/{gateway_device_id}/remote_mac_entries")},
	{Name: "get_gateway_device_remote_mac_entry", Check: policy.AdminOrOwner, Description: "Get remote MAC entries of a gateway device",
		Operations: policy.Get("/gw/gateway_devices/{gateway_device_id}/remote_mac_entries", "/gw/gateway_devices/{gateway_device_id}/remote_mac_entries/{id}")},
	{Name: "delete_gateway_device_remote_mac_entry", Check: policy.AdminOrOwner, Description: "Delete a remote MAC entry of a gateway device",
		Operations: policy.Delete("/gw/gateway_devices/{gateway_device_id}/remote_mac_entries/{id}")},
}
