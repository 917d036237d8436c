// Package l3 is the MidoNet L3 service plugin: routers with their gateways (ext-gw-mode),
// interfaces, extra routes (with networking-midonet's source CIDR) and the atomic route
// actions, and floating IPs, including association through a router interface
// (router-interface-fip) and IPv6 floating IPs for IPv4 fixed IPs (fip64).
package l3

import (
	"context"
	"slices"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/core"
	"github.com/midonet-go/midonet/internal/resource"
)

// Settings are the configuration the L3 plugin reads.
type Settings struct {
	MaxRoutes           int  // [DEFAULT] max_routes
	EnableSNATByDefault bool // [DEFAULT] enable_snat_by_default
}

// Plugin is the L3 service plugin.
type Plugin struct {
	S    Settings
	Core *core.Plugin
	// BeforeRouterDelete run before a router goes; an error refuses the delete (services
	// such as BGP and gateway devices hold routers).
	BeforeRouterDelete []func(ctx context.Context, tx *db.Tx, router db.Doc) error
}

// ServicePlugins are the [DEFAULT] service_plugins entries that load the L3 plugin:
// networking-midonet's midonet_l3 (seed 2.5) and Neutron's router, by alias or class path.
var ServicePlugins = []string{"midonet_l3", "midonet.neutron.services.l3.l3_midonet.MidonetL3ServicePlugin",
	"router", "neutron.services.l3_router.l3_router_plugin.L3RouterPlugin"}

// Extensions are the aliases the L3 plugin adds.
var Extensions = []resource.Extension{
	{Alias: "router", Name: "Neutron L3 Router", Description: "Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a NAT gateway.", Updated: "2012-07-20T10:00:00-00:00"},
	{Alias: "extraroute", Name: "Neutron Extra Route", Description: "Extra routes configuration for L3 router", Updated: "2013-02-01T10:00:00-00:00"},
	{Alias: "extraroute-atomic", Name: "Atomically add/remove extra routes", Description: "Edit extra routes of a router on server side by atomically adding/removing extra routes", Updated: "2019-07-10T00:00:00-00:00"},
	{Alias: "ext-gw-mode", Name: "Neutron L3 Configurable external gateway mode", Description: "Extension of the router abstraction for specifying whether SNAT should occur on the external gateway", Updated: "2013-03-28T10:00:00-00:00"},
	{Alias: "router-interface-fip", Name: "Router interface FIP Extension", Description: "Allow to associate floating IPs via router interfaces", Updated: "2015-11-11T10:00:00-00:00"},
	{Alias: "fip64", Name: "FIP64 Extension", Description: "Allow to associate IPv6 floating IPs to IPv4 fixed IPs", Updated: "2016-12-14T00:00:00-00:00"},
	{Alias: "fip-port-details", Name: "Floating IP Port Details Extension", Description: "Add port_details attribute to Floating IP resource", Updated: "2018-04-09T10:00:00-00:00"},
	{Alias: "floatingip-pools", Name: "Floating IP Pools Extension", Description: "Provides a floating IP pools API.", Updated: "2018-03-21T10:00:00-00:00"},
}

// New builds the L3 plugin over the core plugin and hooks port deletion.
func New(s Settings, c *core.Plugin) *Plugin {
	p := &Plugin{S: s, Core: c}
	c.OnPortDelete = append(c.OnPortDelete, p.dissociatePort)
	c.OnNetworkDelete = append(c.OnNetworkDelete, p.deleteIdleFloatingIPs)
	return p
}

// Collections returns the plugin's collections.
func (p *Plugin) Collections() []plugin.Collection {
	return []plugin.Collection{&Routers{p}, &FloatingIPs{p}, FloatingIPPools{}}
}

// checkNetworkType refuses networks the MidoNet driver does not handle.
func checkNetworkType(net db.Doc, what string) error {
	if !slices.Contains(core.MidonetNetworkTypes, plugin.Str(net, "provider:network_type")) {
		return fault.BadRequestOf(what, "Incompatible network %s: only midonet and uplink networks can be attached to a router", plugin.Str(net, "id"))
	}
	return nil
}

// routerPorts lists the ports a router owns (interfaces and gateway).
func routerPorts(ctx context.Context, tx *db.Tx, routerID string) ([]db.Doc, error) {
	ports, err := tx.ListBy(ctx, "ports", "device_id", routerID)
	if err != nil {
		return nil, err
	}
	var out []db.Doc
	for _, pt := range ports {
		if plugin.Str(pt, "device_id") == routerID {
			switch plugin.Str(pt, "device_owner") {
			case model.OwnerRouterInterface, model.OwnerRouterGateway:
				out = append(out, pt)
			}
		}
	}
	return out, nil
}

func bumpN(d db.Doc, n int) {
	for i := 0; i < n; i++ {
		plugin.Bump(d)
	}
}
