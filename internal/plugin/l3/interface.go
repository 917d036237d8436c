package l3

import (
	"context"
	"net/netip"
	"slices"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/core"
	"github.com/midonet-go/midonet/internal/resource"
)

// interfaceInfo is the answer of add/remove_router_interface; its tenant_id is the port's,
// as Neutron's _make_router_interface_info.
func interfaceInfo(routerID string, port model.Port) map[string]any {
	subs := []any{}
	for _, f := range port.FixedIPs {
		subs = append(subs, f.SubnetID)
	}
	first := any(nil)
	if len(subs) > 0 {
		first = subs[0]
	}
	return map[string]any{
		"id": routerID, "tenant_id": port.TenantID, "port_id": port.ID, "network_id": port.NetworkID,
		"subnet_id": first, "subnet_ids": subs,
	}
}

// attachedSubnets returns the subnets the router's interfaces sit on.
func attachedSubnets(ctx context.Context, tx *db.Tx, routerID string) (map[string]model.Subnet, error) {
	ports, err := routerPorts(ctx, tx, routerID)
	if err != nil {
		return nil, err
	}
	out := map[string]model.Subnet{}
	for _, d := range ports {
		pt := model.MustDecode[model.Port](d)
		if pt.DeviceOwner != model.OwnerRouterInterface {
			continue
		}
		for _, f := range pt.FixedIPs {
			s, err := getSubnet(ctx, tx, f.SubnetID)
			if err != nil {
				return nil, err
			}
			if s != nil {
				out[f.SubnetID] = *s
			}
		}
	}
	return out, nil
}

// getSubnet reads one subnet (nil when there is none).
func getSubnet(ctx context.Context, tx *db.Tx, id string) (*model.Subnet, error) {
	d, err := tx.Get(ctx, "subnets", id)
	if err != nil || d == nil {
		return nil, err
	}
	s := model.MustDecode[model.Subnet](d)
	return &s, nil
}

// checkOverlap refuses a subnet whose cidr overlaps one already attached to the router.
func checkOverlap(attached map[string]model.Subnet, sub model.Subnet) error {
	pfx := sub.Prefix()
	for id, o := range attached {
		if id == sub.ID {
			continue
		}
		if op := o.Prefix(); op.Overlaps(pfx) {
			return fault.BadRequestOf("router", "Cidr %s of subnet %s overlaps with cidr %s of subnet %s", pfx, sub.ID, op, id)
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
	var portDoc db.Doc
	if hasPort {
		// Neutron's _check_router_port: the port as the caller sees it (another project's
		// answers PortNotFound), free, with an address.
		portDoc, err = plugin.Fetch(ctx, tx, c, "ports", portID)
		if err != nil {
			return nil, err
		}
		port := model.MustDecode[model.Port](portDoc)
		if port.DeviceID != "" {
			return nil, fault.PortInUse(portID, port.NetworkID, port.DeviceID)
		}
		if len(port.FixedIPs) == 0 {
			return nil, fault.BadRequestOf("router", "Router port must have at least one fixed IP")
		}
		var subs []model.Subnet
		for _, f := range port.FixedIPs {
			s, err := plugin.Fetch(ctx, tx, c, "subnets", f.SubnetID)
			if err != nil {
				return nil, err
			}
			subs = append(subs, model.MustDecode[model.Subnet](s))
		}
		// The port becomes the router's only if it is the router's project's (409
		// DeviceIDNotOwnedByTenant), as Neutron's update_port checks.
		if !c.IsAdmin && port.TenantID != plugin.Str(router, "tenant_id") {
			return nil, fault.DeviceIDNotOwnedByTenant(routerID)
		}
		net, err := core.Network(ctx, tx, port.NetworkID)
		if err != nil {
			return nil, err
		}
		if err := checkNetworkType(net, "router"); err != nil {
			return nil, err
		}
		for _, s := range subs {
			if _, dup := attached[s.ID]; dup {
				return nil, fault.BadRequestOf("router", "Router already has a port on subnet %s", s.ID)
			}
			if err := checkOverlap(attached, s); err != nil {
				return nil, err
			}
		}
		if err := portInPools(c, port, subs); err != nil {
			return nil, err
		}
		portDoc, err = p.Core.UpdatePort(ctx, tx, c, portDoc, db.Doc{"device_id": routerID, "device_owner": model.OwnerRouterInterface})
		if err != nil {
			return nil, err
		}
	} else {
		// Neutron's _add_interface_by_subnet: the subnet as the caller sees it (another
		// project's private one answers SubnetNotFound); one the caller sees but does not
		// own (a shared network's) answers 400.
		subDoc, err := plugin.Fetch(ctx, tx, c, "subnets", subID)
		if err != nil {
			return nil, err
		}
		sub := model.MustDecode[model.Subnet](subDoc)
		gw := sub.GatewayIP
		if gw == "" {
			return nil, fault.BadRequestOf("router", "Subnet for router interface must have a gateway IP")
		}
		if !c.IsAdmin && sub.TenantID != c.ProjectID {
			return nil, fault.BadRequestOf("router", "Cannot add interface to router because subnet %s is not owned by project making the request", subID)
		}
		if _, dup := attached[subID]; dup {
			return nil, fault.BadRequestOf("router", "Router already has a port on subnet %s", subID)
		}
		if err := checkOverlap(attached, sub); err != nil {
			return nil, err
		}
		net, err := core.Network(ctx, tx, sub.NetworkID)
		if err != nil {
			return nil, err
		}
		if err := checkNetworkType(net, "router"); err != nil {
			return nil, err
		}
		portDoc, err = p.Core.CreatePort(ctx, tx, c, map[string]any{
			"network_id": sub.NetworkID, "tenant_id": plugin.Str(router, "tenant_id"),
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
	return interfaceInfo(routerID, model.MustDecode[model.Port](portDoc)), nil
}

// portInPools is Neutron's _validate_port_in_range_or_admin: a non-admin may make a port a
// router interface only when each of its addresses lies in its subnet's allocation pools or
// the subnet is the caller's (an address outside the pools, such as a shared subnet's
// gateway, would take over another project's gateway).
func portInPools(c *plugin.Caller, port model.Port, subs []model.Subnet) error {
	if c.IsAdmin {
		return nil
	}
	byID := map[string]model.Subnet{}
	for _, s := range subs {
		byID[s.ID] = s
	}
	for _, f := range port.FixedIPs {
		sub, ok := byID[f.SubnetID]
		if !ok || sub.TenantID == c.ProjectID {
			continue
		}
		ip := f.Addr()
		in := false
		for _, pool := range sub.AllocationPools {
			start, _ := netip.ParseAddr(pool.Start)
			end, _ := netip.ParseAddr(pool.End)
			in = in || (start.Compare(ip) <= 0 && ip.Compare(end) <= 0)
		}
		if !in {
			return fault.BadRequestOf("router", "Cannot add interface to router because specified port %s has an IP address out of the allocation pool of subnet %s, which is not owned by the project making the request", port.ID, sub.ID)
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
	var portDoc db.Doc
	var port model.Port
	onSubnet := func(pt model.Port) bool {
		return slices.ContainsFunc(pt.FixedIPs, func(f model.FixedIP) bool { return f.SubnetID == subID })
	}
	for _, d := range ports {
		pt := model.MustDecode[model.Port](d)
		if pt.DeviceOwner != model.OwnerRouterInterface {
			continue
		}
		if hasPort && pt.ID == portID || !hasPort && onSubnet(pt) {
			portDoc, port = d, pt
			if hasPort {
				break
			}
		}
	}
	if portDoc == nil {
		if hasPort {
			return nil, fault.RouterInterfaceNotFound(routerID, portID)
		}
		return nil, fault.RouterInterfaceNotFoundForSubnet(routerID, subID)
	}
	if hasPort && hasSub && !onSubnet(port) {
		return nil, fault.SubnetMismatchForPort(portID, subID)
	}
	for _, f := range port.FixedIPs {
		sub, err := getSubnet(ctx, tx, f.SubnetID)
		if err != nil {
			return nil, err
		}
		if sub == nil {
			continue
		}
		if err := p.interfaceInUse(ctx, tx, router, *sub); err != nil {
			return nil, err
		}
	}
	info := interfaceInfo(routerID, port)
	if err := p.Core.RemovePort(ctx, tx, c, portDoc); err != nil {
		return nil, err
	}
	if err := plugin.Save(ctx, tx, c, "routers", router); err != nil {
		return nil, err
	}
	return info, nil
}

// interfaceInUse refuses to remove an interface that routes or floating IPs depend on.
func (p *Plugin) interfaceInUse(ctx context.Context, tx *db.Tx, routerDoc db.Doc, sub model.Subnet) error {
	router := model.MustDecode[model.Router](routerDoc)
	routerID, subID := router.ID, sub.ID
	pfx := sub.Prefix()
	for _, r := range router.Routes {
		nh, _ := netip.ParseAddr(r.NextHop)
		if pfx.Contains(nh) {
			return fault.RouterInterfaceInUseByRoute(subID, routerID)
		}
	}
	fips, err := tx.ListBy(ctx, "floatingips", "router_id", routerID)
	if err != nil {
		return err
	}
	for _, d := range fips {
		f := model.MustDecode[model.FloatingIP](d)
		fixed, _ := netip.ParseAddr(f.FixedIPAddress)
		if fixed.IsValid() && pfx.Contains(fixed) {
			return fault.RouterInterfaceInUseByFloatingIP(subID, routerID)
		}
		floating, _ := netip.ParseAddr(f.FloatingIPAddress)
		if pfx.Contains(floating) {
			return fault.RouterInterfaceInUseAsGatewayByFloatingIP(subID, routerID)
		}
	}
	return nil
}
