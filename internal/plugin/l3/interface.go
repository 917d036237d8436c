package l3

import (
	"context"
	"net/netip"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/core"
	"github.com/midonet-go/midonet/internal/resource"
)

// interfaceInfo is the answer of add/remove_router_interface.
func interfaceInfo(router, port db.Doc) map[string]any {
	var subs []any
	for _, x := range plugin.List(port, "fixed_ips") {
		subs = append(subs, plugin.Str(x.(map[string]any), "subnet_id"))
	}
	first := any(nil)
	if len(subs) > 0 {
		first = subs[0]
	} else {
		subs = []any{}
	}
	return map[string]any{
		"id": plugin.Str(router, "id"), "tenant_id": plugin.Str(router, "tenant_id"),
		"port_id": plugin.Str(port, "id"), "network_id": plugin.Str(port, "network_id"),
		"subnet_id": first, "subnet_ids": subs,
	}
}

// attachedSubnets returns the subnets the router's interfaces sit on.
func attachedSubnets(ctx context.Context, tx *db.Tx, routerID string) (map[string]db.Doc, error) {
	ports, err := routerPorts(ctx, tx, routerID)
	if err != nil {
		return nil, err
	}
	out := map[string]db.Doc{}
	for _, pt := range ports {
		if plugin.Str(pt, "device_owner") != OwnerInterface {
			continue
		}
		for _, x := range plugin.List(pt, "fixed_ips") {
			id := plugin.Str(x.(map[string]any), "subnet_id")
			s, err := tx.Get(ctx, "subnets", id)
			if err != nil {
				return nil, err
			}
			if s != nil {
				out[id] = s
			}
		}
	}
	return out, nil
}

// checkOverlap refuses a subnet whose cidr overlaps one already attached to the router.
func checkOverlap(attached map[string]db.Doc, sub db.Doc) error {
	pfx, _ := netip.ParsePrefix(plugin.Str(sub, "cidr"))
	for id, o := range attached {
		if id == plugin.Str(sub, "id") {
			continue
		}
		op, _ := netip.ParsePrefix(plugin.Str(o, "cidr"))
		if op.Overlaps(pfx) {
			return fault.BadRequestOf("router", "Cidr %s of subnet %s overlaps with cidr %s of subnet %s", pfx, plugin.Str(sub, "id"), op, id)
		}
	}
	return nil
}

func (p *Plugin) addInterface(ctx context.Context, tx *db.Tx, c *plugin.Caller, router db.Doc, body map[string]any) (any, error) {
	portID, hasPort := body["port_id"].(string)
	subID, hasSub := body["subnet_id"].(string)
	if hasPort && hasSub {
		return nil, fault.BadRequestOf("router", "Cannot specify both subnet-id and port-id")
	}
	if !hasPort && !hasSub {
		return nil, fault.BadRequestOf("router", "Either subnet_id or port_id must be specified")
	}
	for _, k := range []string{"port_id", "subnet_id"} {
		if v, ok := body[k]; ok {
			if r := resource.UUID(v); r != "" {
				return nil, fault.BadRequest("Invalid input for %s. Reason: %s.", k, r)
			}
		}
	}
	routerID := plugin.Str(router, "id")
	attached, err := attachedSubnets(ctx, tx, routerID)
	if err != nil {
		return nil, err
	}
	var port db.Doc
	if hasPort {
		port, err = tx.Get(ctx, "ports", portID)
		if err != nil {
			return nil, err
		}
		if port == nil {
			return nil, fault.PortNotFound(portID)
		}
		if dev := plugin.Str(port, "device_id"); dev != "" {
			return nil, fault.Conflict("PortInUse", "Unable to complete operation on port %s for network %s. Port already has an attached device %s.", portID, plugin.Str(port, "network_id"), dev)
		}
		ips := plugin.List(port, "fixed_ips")
		if len(ips) == 0 {
			return nil, fault.BadRequestOf("router", "Router port must have at least one fixed IP")
		}
		net, err := core.Network(ctx, tx, plugin.Str(port, "network_id"))
		if err != nil {
			return nil, err
		}
		if err := checkNetworkType(net, "router"); err != nil {
			return nil, err
		}
		for _, x := range ips {
			s, err := tx.Get(ctx, "subnets", plugin.Str(x.(map[string]any), "subnet_id"))
			if err != nil {
				return nil, err
			}
			if s == nil {
				continue
			}
			if _, dup := attached[plugin.Str(s, "id")]; dup {
				return nil, fault.BadRequestOf("router", "Router already has a port on subnet %s", plugin.Str(s, "id"))
			}
			if err := checkOverlap(attached, s); err != nil {
				return nil, err
			}
		}
		port, err = p.Core.UpdatePort(ctx, tx, c, port, db.Doc{"device_id": routerID, "device_owner": OwnerInterface})
		if err != nil {
			return nil, err
		}
	} else {
		sub, err := tx.Get(ctx, "subnets", subID)
		if err != nil {
			return nil, err
		}
		if sub == nil {
			return nil, fault.SubnetNotFound(subID)
		}
		if _, dup := attached[subID]; dup {
			return nil, fault.BadRequestOf("router", "Router already has a port on subnet %s", subID)
		}
		gw := plugin.Str(sub, "gateway_ip")
		if gw == "" {
			return nil, fault.BadRequestOf("router", "Subnet for router interface must have a gateway IP")
		}
		if err := checkOverlap(attached, sub); err != nil {
			return nil, err
		}
		net, err := core.Network(ctx, tx, plugin.Str(sub, "network_id"))
		if err != nil {
			return nil, err
		}
		if err := checkNetworkType(net, "router"); err != nil {
			return nil, err
		}
		port, err = p.Core.CreatePort(ctx, tx, c, map[string]any{
			"network_id": plugin.Str(sub, "network_id"), "tenant_id": plugin.Str(router, "tenant_id"),
			"device_owner": OwnerInterface, "device_id": routerID, "name": "", "admin_state_up": true,
			"fixed_ips": []any{map[string]any{"subnet_id": subID, "ip_address": gw}},
		})
		if err != nil {
			return nil, err
		}
	}
	plugin.Bump(router)
	if err := tx.Put(ctx, "routers", router); err != nil {
		return nil, err
	}
	if err := plugin.Journal(ctx, tx, c, journal.Update, "routers", router); err != nil {
		return nil, err
	}
	return interfaceInfo(router, port), nil
}

func (p *Plugin) removeInterface(ctx context.Context, tx *db.Tx, c *plugin.Caller, router db.Doc, body map[string]any) (any, error) {
	routerID := plugin.Str(router, "id")
	portID, hasPort := body["port_id"].(string)
	subID, hasSub := body["subnet_id"].(string)
	if !hasPort && !hasSub {
		return nil, fault.BadRequestOf("router", "Either subnet_id or port_id must be specified")
	}
	ports, err := routerPorts(ctx, tx, routerID)
	if err != nil {
		return nil, err
	}
	var port db.Doc
	for _, pt := range ports {
		if plugin.Str(pt, "device_owner") != OwnerInterface {
			continue
		}
		if hasPort && plugin.Str(pt, "id") == portID {
			port = pt
			break
		}
		if !hasPort {
			for _, x := range plugin.List(pt, "fixed_ips") {
				if plugin.Str(x.(map[string]any), "subnet_id") == subID {
					port = pt
				}
			}
		}
	}
	if port == nil {
		if hasPort {
			return nil, fault.NotFound("RouterInterfaceNotFound", "Router %s does not have an interface with id %s", routerID, portID)
		}
		return nil, fault.NotFound("RouterInterfaceNotFoundForSubnet", "Router %s has no interface on subnet %s", routerID, subID)
	}
	if hasPort && hasSub {
		found := false
		for _, x := range plugin.List(port, "fixed_ips") {
			found = found || plugin.Str(x.(map[string]any), "subnet_id") == subID
		}
		if !found {
			return nil, fault.Conflict("SubnetMismatchForPort", "Subnet %s does not match the port %s", subID, portID)
		}
	}
	for _, x := range plugin.List(port, "fixed_ips") {
		sid := plugin.Str(x.(map[string]any), "subnet_id")
		sub, err := tx.Get(ctx, "subnets", sid)
		if err != nil {
			return nil, err
		}
		if sub == nil {
			continue
		}
		if err := p.interfaceInUse(ctx, tx, router, sub); err != nil {
			return nil, err
		}
	}
	info := interfaceInfo(router, port)
	if err := p.Core.RemovePort(ctx, tx, c, port); err != nil {
		return nil, err
	}
	plugin.Bump(router)
	if err := tx.Put(ctx, "routers", router); err != nil {
		return nil, err
	}
	if err := plugin.Journal(ctx, tx, c, journal.Update, "routers", router); err != nil {
		return nil, err
	}
	return info, nil
}

// interfaceInUse refuses to remove an interface that routes or floating IPs depend on.
func (p *Plugin) interfaceInUse(ctx context.Context, tx *db.Tx, router, sub db.Doc) error {
	routerID, subID := plugin.Str(router, "id"), plugin.Str(sub, "id")
	pfx, _ := netip.ParsePrefix(plugin.Str(sub, "cidr"))
	for _, r := range plugin.List(router, "routes") {
		nh, _ := netip.ParseAddr(plugin.Str(r.(map[string]any), "nexthop"))
		if pfx.Contains(nh) {
			return fault.Conflict("RouterInterfaceInUseByRoute", "Router interface for subnet %s on router %s cannot be deleted, as it is required by one or more routes.", subID, routerID)
		}
	}
	fips, err := tx.List(ctx, "floatingips", db.Filter{})
	if err != nil {
		return err
	}
	for _, f := range fips {
		if plugin.Str(f, "router_id") != routerID {
			continue
		}
		fixed, _ := netip.ParseAddr(plugin.Str(f, "fixed_ip_address"))
		if fixed.IsValid() && pfx.Contains(fixed) {
			return fault.Conflict("RouterInterfaceInUseByFloatingIP", "Router interface for subnet %s on router %s cannot be deleted, as it is required by one or more floating IPs.", subID, routerID)
		}
		floating, _ := netip.ParseAddr(plugin.Str(f, "floating_ip_address"))
		if pfx.Contains(floating) {
			return fault.Conflict("RouterInterfaceInUseAsGatewayByFloatingIP", "Router interface for subnet %s on router %s cannot be deleted, as it is required by one or more floating IPs as a gateway.", subID, routerID)
		}
	}
	return nil
}
