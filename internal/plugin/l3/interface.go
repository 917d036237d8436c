package l3

import (
	"context"
	"net/netip"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/core"
	"github.com/midonet-go/midonet/internal/resource"
)

// interfaceInfo is the answer of add/remove_router_interface; its tenant_id is the port's,
// as Neutron's _make_router_interface_info.
func interfaceInfo(router, port db.Doc) map[string]any {
	var subs []any
	for _, x := range plugin.Objects(plugin.List(port, "fixed_ips")) {
		subs = append(subs, plugin.Str(x, "subnet_id"))
	}
	first := any(nil)
	if len(subs) > 0 {
		first = subs[0]
	} else {
		subs = []any{}
	}
	return map[string]any{
		"id": plugin.Str(router, "id"), "tenant_id": plugin.Str(port, "tenant_id"),
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
		if plugin.Str(pt, "device_owner") != model.OwnerRouterInterface {
			continue
		}
		for _, x := range plugin.Objects(plugin.List(pt, "fixed_ips")) {
			id := plugin.Str(x, "subnet_id")
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

// interfaceRequest is Neutron's _validate_interface_info: port_id or subnet_id named, each a
// UUID, and (to add) not both.
func interfaceRequest(body map[string]any, removal bool) (portID string, hasPort bool, subID string, hasSub bool, err error) {
	_, hasPort = body["port_id"]
	_, hasSub = body["subnet_id"]
	if !hasPort && !hasSub {
		return "", false, "", false, fault.BadRequestOf("router", "Either subnet_id or port_id must be specified")
	}
	for _, k := range []string{"port_id", "subnet_id"} {
		if v, ok := body[k]; ok {
			if r := resource.UUID(v); r != "" {
				return "", false, "", false, fault.BadRequestOf("router", "%s", r)
			}
		}
	}
	if !removal && hasPort && hasSub {
		return "", false, "", false, fault.BadRequestOf("router", "Cannot specify both subnet-id and port-id")
	}
	portID, _ = body["port_id"].(string)
	subID, _ = body["subnet_id"].(string)
	return portID, hasPort, subID, hasSub, nil
}

func (p *Plugin) addInterface(ctx context.Context, tx *db.Tx, c *plugin.Caller, router db.Doc, body map[string]any) (any, error) {
	portID, hasPort, subID, _, err := interfaceRequest(body, false)
	if err != nil {
		return nil, err
	}
	routerID := plugin.Str(router, "id")
	attached, err := attachedSubnets(ctx, tx, routerID)
	if err != nil {
		return nil, err
	}
	var port db.Doc
	if hasPort {
		// Neutron's _check_router_port: the port as the caller sees it (another project's
		// answers PortNotFound), free, with an address.
		port, err = plugin.Fetch(ctx, tx, c, "ports", portID)
		if err != nil {
			return nil, err
		}
		if dev := plugin.Str(port, "device_id"); dev != "" {
			return nil, fault.PortInUse(portID, plugin.Str(port, "network_id"), dev)
		}
		ips := plugin.List(port, "fixed_ips")
		if len(ips) == 0 {
			return nil, fault.BadRequestOf("router", "Router port must have at least one fixed IP")
		}
		var subs []db.Doc
		for _, x := range plugin.Objects(ips) {
			s, err := plugin.Fetch(ctx, tx, c, "subnets", plugin.Str(x, "subnet_id"))
			if err != nil {
				return nil, err
			}
			subs = append(subs, s)
		}
		// The port becomes the router's only if it is the router's project's (409
		// DeviceIDNotOwnedByTenant), as Neutron's update_port checks.
		if !c.IsAdmin && plugin.Str(port, "tenant_id") != plugin.Str(router, "tenant_id") {
			return nil, fault.DeviceIDNotOwnedByTenant(routerID)
		}
		net, err := core.Network(ctx, tx, plugin.Str(port, "network_id"))
		if err != nil {
			return nil, err
		}
		if err := checkNetworkType(net, "router"); err != nil {
			return nil, err
		}
		for _, s := range subs {
			if _, dup := attached[plugin.Str(s, "id")]; dup {
				return nil, fault.BadRequestOf("router", "Router already has a port on subnet %s", plugin.Str(s, "id"))
			}
			if err := checkOverlap(attached, s); err != nil {
				return nil, err
			}
		}
		if err := portInPools(c, port, subs); err != nil {
			return nil, err
		}
		port, err = p.Core.UpdatePort(ctx, tx, c, port, db.Doc{"device_id": routerID, "device_owner": model.OwnerRouterInterface})
		if err != nil {
			return nil, err
		}
	} else {
		// Neutron's _add_interface_by_subnet: the subnet as the caller sees it (another
		// project's private one answers SubnetNotFound); one the caller sees but does not
		// own (a shared network's) answers 400.
		sub, err := plugin.Fetch(ctx, tx, c, "subnets", subID)
		if err != nil {
			return nil, err
		}
		gw := plugin.Str(sub, "gateway_ip")
		if gw == "" {
			return nil, fault.BadRequestOf("router", "Subnet for router interface must have a gateway IP")
		}
		if !c.IsAdmin && plugin.Str(sub, "tenant_id") != c.ProjectID {
			return nil, fault.BadRequestOf("router", "Cannot add interface to router because subnet %s is not owned by project making the request", subID)
		}
		if _, dup := attached[subID]; dup {
			return nil, fault.BadRequestOf("router", "Router already has a port on subnet %s", subID)
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
			"device_owner": model.OwnerRouterInterface, "device_id": routerID, "name": "", "admin_state_up": true,
			"fixed_ips": []any{map[string]any{"subnet_id": subID, "ip_address": gw}},
		})
		if err != nil {
			return nil, err
		}
	}
	if err := plugin.Save(ctx, tx, c, "routers", router); err != nil {
		return nil, err
	}
	return interfaceInfo(router, port), nil
}

// portInPools is Neutron's _validate_port_in_range_or_admin: a non-admin may make a port a
// router interface only when each of its addresses lies in its subnet's allocation pools or
// the subnet is the caller's (an address outside the pools, such as a shared subnet's
// gateway, would take over another project's gateway).
func portInPools(c *plugin.Caller, port db.Doc, subs []db.Doc) error {
	if c.IsAdmin {
		return nil
	}
	byID := map[string]db.Doc{}
	for _, s := range subs {
		byID[plugin.Str(s, "id")] = s
	}
	for _, m := range plugin.Objects(plugin.List(port, "fixed_ips")) {
		sub := byID[plugin.Str(m, "subnet_id")]
		if sub == nil || plugin.Str(sub, "tenant_id") == c.ProjectID {
			continue
		}
		ip, _ := netip.ParseAddr(plugin.Str(m, "ip_address"))
		in := false
		for _, r := range plugin.Objects(plugin.List(sub, "allocation_pools")) {
			pool := r
			start, _ := netip.ParseAddr(plugin.Str(pool, "start"))
			end, _ := netip.ParseAddr(plugin.Str(pool, "end"))
			in = in || (start.Compare(ip) <= 0 && ip.Compare(end) <= 0)
		}
		if !in {
			return fault.BadRequestOf("router", "Cannot add interface to router because specified port %s has an IP address out of the allocation pool of subnet %s, which is not owned by the project making the request", plugin.Str(port, "id"), plugin.Str(sub, "id"))
		}
	}
	return nil
}

func (p *Plugin) removeInterface(ctx context.Context, tx *db.Tx, c *plugin.Caller, router db.Doc, body map[string]any) (any, error) {
	routerID := plugin.Str(router, "id")
	portID, hasPort, subID, hasSub, err := interfaceRequest(body, true)
	if err != nil {
		return nil, err
	}
	if hasSub && !hasPort {
		// Neutron's _remove_interface_by_subnet looks the subnet up as the caller first.
		if _, err := plugin.Fetch(ctx, tx, c, "subnets", subID); err != nil {
			return nil, err
		}
	}
	ports, err := routerPorts(ctx, tx, routerID)
	if err != nil {
		return nil, err
	}
	var port db.Doc
	for _, pt := range ports {
		if plugin.Str(pt, "device_owner") != model.OwnerRouterInterface {
			continue
		}
		if hasPort && plugin.Str(pt, "id") == portID {
			port = pt
			break
		}
		if !hasPort {
			for _, x := range plugin.Objects(plugin.List(pt, "fixed_ips")) {
				if plugin.Str(x, "subnet_id") == subID {
					port = pt
				}
			}
		}
	}
	if port == nil {
		if hasPort {
			return nil, fault.RouterInterfaceNotFound(routerID, portID)
		}
		return nil, fault.RouterInterfaceNotFoundForSubnet(routerID, subID)
	}
	if hasPort && hasSub {
		found := false
		for _, x := range plugin.Objects(plugin.List(port, "fixed_ips")) {
			found = found || plugin.Str(x, "subnet_id") == subID
		}
		if !found {
			return nil, fault.SubnetMismatchForPort(portID, subID)
		}
	}
	for _, x := range plugin.Objects(plugin.List(port, "fixed_ips")) {
		sid := plugin.Str(x, "subnet_id")
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
	if err := plugin.Save(ctx, tx, c, "routers", router); err != nil {
		return nil, err
	}
	return info, nil
}

// interfaceInUse refuses to remove an interface that routes or floating IPs depend on.
func (p *Plugin) interfaceInUse(ctx context.Context, tx *db.Tx, router, sub db.Doc) error {
	routerID, subID := plugin.Str(router, "id"), plugin.Str(sub, "id")
	pfx, _ := netip.ParsePrefix(plugin.Str(sub, "cidr"))
	for _, r := range plugin.Objects(plugin.List(router, "routes")) {
		nh, _ := netip.ParseAddr(plugin.Str(r, "nexthop"))
		if pfx.Contains(nh) {
			return fault.RouterInterfaceInUseByRoute(subID, routerID)
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
			return fault.RouterInterfaceInUseByFloatingIP(subID, routerID)
		}
		floating, _ := netip.ParseAddr(plugin.Str(f, "floating_ip_address"))
		if pfx.Contains(floating) {
			return fault.RouterInterfaceInUseAsGatewayByFloatingIP(subID, routerID)
		}
	}
	return nil
}
