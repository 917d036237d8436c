package l3

import (
	"context"
	"net/http"
	"net/netip"
	"sort"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// Routers is the router collection.
type Routers struct{ p *Plugin }

// Resource describes routers.
func (r *Routers) Resource() *resource.Resource { return resource.Routers }

// Create makes a router, with its gateway port when external_gateway_info is given.
func (r *Routers) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	p := r.p
	d := plugin.Copy(body)
	gw, _ := d["external_gateway_info"].(map[string]any)
	d["external_gateway_info"] = nil
	d["status"] = "ACTIVE"
	d["routes"] = []any{}
	plugin.Stamp(d, 1)
	if err := tx.Insert(ctx, "routers", d); err != nil {
		return nil, err
	}
	if len(gw) > 0 {
		if err := p.setGateway(ctx, tx, c, d, gw); err != nil {
			return nil, err
		}
		bumpN(d, 2)
		if err := tx.Put(ctx, "routers", d); err != nil {
			return nil, err
		}
	}
	return d, plugin.Journal(ctx, tx, c, journal.Create, "routers", d)
}

// setGateway creates the gateway port on the external network and records the gateway.
func (p *Plugin) setGateway(ctx context.Context, tx *db.Tx, c *plugin.Caller, router db.Doc, gw map[string]any) error {
	netID := plugin.Str(gw, "network_id")
	// Neutron's _validate_gw_info: the network as the caller sees it (another project's
	// private network answers NetworkNotFound), and external.
	net, err := plugin.Fetch(ctx, tx, c, "networks", netID)
	if err != nil {
		return err
	}
	if !plugin.Bool(net, "router:external") {
		return fault.BadRequestOf("router", "Network %s is not an external network", netID)
	}
	if err := checkNetworkType(net, "router"); err != nil {
		return err
	}
	snat := p.S.EnableSNATByDefault
	if v, ok := gw["enable_snat"]; ok {
		b, _ := resource.ToBool(v)
		snat, _ = b.(bool)
	}
	raw := map[string]any{
		"network_id": netID, "tenant_id": "", "project_id": "", "device_owner": model.OwnerRouterGateway,
		"device_id": plugin.Str(router, "id"), "name": "", "admin_state_up": true,
	}
	if ips, ok := gw["external_fixed_ips"].([]any); ok && len(ips) > 0 {
		raw["fixed_ips"] = ips
	}
	// The gateway port is the server's (Neutron's _create_gw_port uses an elevated context).
	port, err := p.Core.CreatePort(ctx, tx, c.Elevated(), raw)
	if err != nil {
		return err
	}
	// A network without subnets gives an address-less gateway port, as Neutron's
	// _create_router_gw_port accepts (a full subnet is IpAddressGenerationFailure above).
	router["external_gateway_info"] = map[string]any{
		"network_id": netID, "enable_snat": snat, "external_fixed_ips": plugin.List(port, "fixed_ips"),
	}
	router["gw_port_id"] = plugin.Str(port, "id")
	return nil
}

// clearGateway removes the gateway port unless a floating IP needs it. Only floating IPs
// whose address lies in a subnet of the gateway port count: those reached through a router
// interface (router-interface-fip) do not.
func (p *Plugin) clearGateway(ctx context.Context, tx *db.Tx, c *plugin.Caller, router db.Doc) error {
	gw, _ := router["external_gateway_info"].(map[string]any)
	if gw == nil {
		return nil
	}
	port, err := tx.Get(ctx, "ports", plugin.Str(router, "gw_port_id"))
	if err != nil {
		return err
	}
	if port != nil {
		gwNets, err := portSubnets(ctx, tx, port)
		if err != nil {
			return err
		}
		fips, err := tx.ListBy(ctx, "floatingips", "router_id", plugin.Str(router, "id"))
		if err != nil {
			return err
		}
		for _, f := range fips {
			ip, _ := netip.ParseAddr(plugin.Str(f, "floating_ip_address"))
			for _, s := range gwNets {
				if s.Contains(ip) {
					return fault.RouterExternalGatewayInUseByFloatingIP(plugin.Str(router, "id"), plugin.Str(gw, "network_id"))
				}
			}
		}
		if err := p.Core.RemovePort(ctx, tx, c, port); err != nil {
			return err
		}
	}
	router["external_gateway_info"] = nil
	delete(router, "gw_port_id")
	return nil
}

// portSubnets returns the cidrs of the subnets a port has addresses in.
func portSubnets(ctx context.Context, tx *db.Tx, port db.Doc) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, x := range plugin.Objects(plugin.List(port, "fixed_ips")) {
		s, err := tx.Get(ctx, "subnets", plugin.Str(x, "subnet_id"))
		if err != nil {
			return nil, err
		}
		if s != nil {
			pfx, _ := netip.ParsePrefix(plugin.Str(s, "cidr"))
			out = append(out, pfx)
		}
	}
	return out, nil
}

// Update changes a router: name, admin state, gateway, routes.
func (r *Routers) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	p := r.p
	d := plugin.Apply(cur, changes)
	d["external_gateway_info"] = cur["external_gateway_info"]
	extra := 0
	if v, ok := changes["external_gateway_info"]; ok {
		gw, _ := v.(map[string]any)
		old, _ := cur["external_gateway_info"].(map[string]any)
		switch {
		case len(gw) == 0:
			if old != nil {
				if err := p.clearGateway(ctx, tx, c, d); err != nil {
					return nil, err
				}
				extra = 2
			}
		case old != nil && plugin.Str(old, "network_id") == plugin.Str(gw, "network_id"):
			if ips, ok := gw["external_fixed_ips"].([]any); ok && !sameFixedIPs(ips, plugin.List(old, "external_fixed_ips")) {
				return nil, fault.UnsupportedPortDeviceOwner(model.OwnerRouterGateway, plugin.Str(cur, "gw_port_id"))
			}
			if v, ok := gw["enable_snat"]; ok {
				b, _ := resource.ToBool(v)
				upd := plugin.Copy(old)
				upd["enable_snat"] = b
				d["external_gateway_info"] = upd
			}
		default:
			if old != nil {
				if err := p.clearGateway(ctx, tx, c, d); err != nil {
					return nil, err
				}
			}
			if err := p.setGateway(ctx, tx, c, d, gw); err != nil {
				return nil, err
			}
			extra = 1
		}
	}
	if v, ok := changes["routes"]; ok {
		list, _ := v.([]any) // the API converted routes to a list
		rs, err := p.checkRoutes(ctx, tx, d, list)
		if err != nil {
			return nil, err
		}
		d["routes"] = rs
	}
	bumpN(d, extra)
	return d, plugin.Save(ctx, tx, c, "routers", d)
}

func sameFixedIPs(want, have []any) bool {
	for _, wm := range plugin.Objects(want) {
		found := false
		for _, hm := range plugin.Objects(have) {
			if (wm["subnet_id"] == nil || wm["subnet_id"] == hm["subnet_id"]) && (wm["ip_address"] == nil || wm["ip_address"] == hm["ip_address"]) {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return len(want) == len(have) || len(want) == 0
}

// Delete removes a router without interfaces, and its gateway.
func (r *Routers) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	ports, err := routerPorts(ctx, tx, id)
	if err != nil {
		return err
	}
	var attached []string
	for _, pt := range ports {
		if plugin.Str(pt, "device_owner") == model.OwnerRouterInterface {
			attached = append(attached, plugin.Str(pt, "id"))
		}
	}
	if len(attached) > 0 {
		sort.Strings(attached)
		return fault.RouterInUse(id, attached)
	}
	for _, h := range r.p.BeforeRouterDelete {
		if err := h(ctx, tx, cur); err != nil {
			return err
		}
	}
	if err := r.p.clearGateway(ctx, tx, c, cur); err != nil {
		return err
	}
	return plugin.Remove(ctx, tx, c, "routers", cur)
}

// List returns routers.
func (r *Routers) List(ctx context.Context, tx *db.Tx, c *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	var h db.Filter
	if t := f["tenant_id"]; len(t) == 1 {
		h.ProjectID = t[0]
	}
	return tx.List(ctx, "routers", h)
}

// ActionMethod names the router member actions.
func (r *Routers) ActionMethod(action string) string {
	switch action {
	case "add_router_interface", "remove_router_interface", "add_extraroutes", "remove_extraroutes":
		return http.MethodPut
	}
	return ""
}

// Action runs a router member action.
func (r *Routers) Action(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc, action string, body map[string]any) (any, error) {
	switch action {
	case "add_router_interface":
		return r.p.addInterface(ctx, tx, c, cur, body)
	case "remove_router_interface":
		return r.p.removeInterface(ctx, tx, c, cur, body)
	}
	return r.p.atomicRoutes(ctx, tx, c, cur, action, body)
}
