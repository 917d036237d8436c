package ndpproxy

import (
	"context"
	"net/netip"
	"sync/atomic"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
)

// routerHook keeps a router's enable_ndp_proxy consistent with its gateway (Neutron's
// ndp_proxy plugin's router callbacks): it is decided on create (the request's value, else
// [DEFAULT] enable_ndp_proxy_by_default where the gateway's network supports it), checked on
// update, shown false without a gateway; a gateway with proxies cannot go, nor can the
// interface of a subnet a proxy's address is on.
type routerHook struct {
	plugin.NoHook
	byDefault *atomic.Bool
}

// requested reads enable_ndp_proxy of a request: (value, true) when given as a boolean;
// null counts as not given.
func requested(body db.Doc) (bool, bool) {
	v, ok := body["enable_ndp_proxy"].(bool)
	return v, ok
}

// BeforeCreate decides the new router's state (Neutron's
// _process_ndp_proxy_state_for_create_router).
func (h routerHook) BeforeCreate(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) error {
	if body["id"] == nil {
		body["id"] = plugin.NewID()
	}
	id := plugin.Str(body, "id")
	want, given := requested(body)
	gw, _ := body["external_gateway_info"].(map[string]any)
	netID := plugin.Str(gw, "network_id")
	switch {
	case netID == "" && given && want:
		return gatewayNotValid(id, "The request body not contain external gateway information")
	case netID == "" || given && !want:
		body["enable_ndp_proxy"] = false
		return nil
	}
	// The gateway's network as the caller sees it; one it cannot see, or not external, is
	// the L3 plugin's error to give.
	net, err := plugin.Fetch(ctx, tx, c, "networks", netID)
	if err != nil || !plugin.Bool(net, "router:external") {
		body["enable_ndp_proxy"] = false
		return nil
	}
	ok, err := networkSupports(ctx, tx, netID)
	if err != nil {
		return err
	}
	if !ok && given {
		return gatewayNotValid(id, "The external network "+netID+" don't support IPv6 ndp proxy, the network has no IPv6 subnets or has no IPv6 address scope")
	}
	body["enable_ndp_proxy"] = ok && (given || h.byDefault.Load())
	return nil
}

// BeforeUpdate checks a change of the gateway or of enable_ndp_proxy and records the state
// the router has afterwards.
func (h routerHook) BeforeUpdate(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) error {
	id := plugin.Str(cur, "id")
	want, given := requested(changes)
	if v, ok := changes["enable_ndp_proxy"]; ok && v == nil {
		delete(changes, "enable_ndp_proxy")
	}
	oldGw, _ := cur["external_gateway_info"].(map[string]any)
	newGw, gwChanged := changes["external_gateway_info"].(map[string]any)
	if _, ok := changes["external_gateway_info"]; ok && !gwChanged {
		gwChanged = true // null: unset
	}
	proxies, err := stored.Where(ctx, tx, NDPProxies.Collection, "router_id", id)
	if err != nil {
		return err
	}
	removesGw := gwChanged && len(oldGw) > 0 && plugin.Str(newGw, "network_id") != plugin.Str(oldGw, "network_id")
	if removesGw && len(proxies) > 0 {
		return conflict("RouterGatewayInUseByNDPProxy", "Unable to unset external gateway of router %s, There are one or more ndp proxies still in use on the router.", id)
	}
	if gwChanged && len(newGw) == 0 && len(oldGw) > 0 && given && want {
		return gatewayNotValid(id, "The router's external gateway will be unset")
	}
	if gwChanged && len(newGw) > 0 && enabled(cur) {
		if err := keepsV6(ctx, tx, id, newGw); err != nil {
			return err
		}
	}
	valid := false
	switch {
	case gwChanged && len(newGw) == 0:
	case gwChanged && plugin.Str(newGw, "network_id") != plugin.Str(oldGw, "network_id"):
		if valid, err = newGatewaySupports(ctx, tx, c, newGw); err != nil {
			return err
		}
	default:
		if valid, err = gatewaySupports(ctx, tx, cur); err != nil {
			return err
		}
	}
	if given && want && !valid {
		return gatewayNotValid(id, "The router has no external gateway or the external gateway port has no IPv6 address or IPv6 address scope")
	}
	state := valid
	switch {
	case given:
		state = want && valid
	case removesGw || gwChanged && len(oldGw) == 0:
		state = valid && h.byDefault.Load()
	default:
		state = valid && plugin.Bool(cur, "enable_ndp_proxy")
	}
	if !state && len(proxies) > 0 && enabled(cur) {
		return conflict("RouterNDPProxyInUse", "Unable to disable ndp proxy on router %s, There are one or more ndp proxies still in use on the router.", id)
	}
	changes["enable_ndp_proxy"] = state
	return nil
}

// keepsV6 is Neutron's _check_update_router_gw: new fixed IPs of a gateway proxying NDP
// keep an IPv6 address.
func keepsV6(ctx context.Context, tx *db.Tx, id string, gw map[string]any) error {
	ips := plugin.Objects(plugin.List(gw, "external_fixed_ips"))
	if len(ips) == 0 {
		return nil
	}
	for _, f := range ips {
		if a, err := netip.ParseAddr(plugin.Str(f, "ip_address")); err == nil && a.Is6() {
			return nil
		}
		if s := plugin.Str(f, "subnet_id"); s != "" {
			sub, err := tx.Get(ctx, "subnets", s)
			if err != nil {
				return err
			}
			if v, _ := model.Int(sub["ip_version"]); v == 6 {
				return nil
			}
		}
	}
	return conflict("RouterIPv6GatewayInUse", "Can't remove the IPv6 subnet from external gateway of router %s, the IPv6 subnet in use by the router's ndp proxy.", id)
}

// gatewaySupports is Neutron's _gateway_is_valid over the router's current gateway port:
// its network supports NDP proxies and the port has an IPv6 address.
func gatewaySupports(ctx context.Context, tx *db.Tx, router db.Doc) (bool, error) {
	portID := plugin.Str(router, "gw_port_id")
	if portID == "" {
		return false, nil
	}
	port, err := tx.Get(ctx, "ports", portID)
	if err != nil || port == nil {
		return false, err
	}
	p := model.MustDecode[model.Port](port)
	ok, err := networkSupports(ctx, tx, p.NetworkID)
	if err != nil || !ok {
		return false, err
	}
	for _, f := range p.FixedIPs {
		if f.Addr().Is6() {
			return true, nil
		}
	}
	return false, nil
}

// newGatewaySupports is gatewaySupports for a gateway the update is about to make: its
// network supports NDP proxies and the fixed IPs asked for (all subnets when none) include
// an IPv6 one.
func newGatewaySupports(ctx context.Context, tx *db.Tx, c *plugin.Caller, gw map[string]any) (bool, error) {
	netID := plugin.Str(gw, "network_id")
	if _, err := plugin.Fetch(ctx, tx, c, "networks", netID); err != nil {
		return false, nil // the L3 plugin answers for a network the caller cannot see
	}
	ok, err := networkSupports(ctx, tx, netID)
	if err != nil || !ok {
		return false, err
	}
	if err := keepsV6(ctx, tx, "", gw); err != nil {
		return false, nil
	}
	return true, nil
}

// BeforeDelete refuses to delete a router whose gateway NDP proxies use (the gateway's
// removal is refused in Neutron). A proxy keeps its interface, so the L3 plugin's
// RouterInUse answers first, as in Neutron; this guards a router left without one.
func (routerHook) BeforeDelete(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
	proxies, err := stored.Where(ctx, tx, NDPProxies.Collection, "router_id", plugin.Str(cur, "id"))
	if err != nil || len(proxies) == 0 {
		return err
	}
	ports, err := tx.ListBy(ctx, "ports", "device_id", plugin.Str(cur, "id"))
	if err != nil {
		return err
	}
	for _, p := range ports {
		if plugin.Str(p, "device_owner") == model.OwnerRouterInterface {
			return nil // the L3 plugin's RouterInUse
		}
	}
	return conflict("RouterGatewayInUseByNDPProxy", "Unable to unset external gateway of router %s, There are one or more ndp proxies still in use on the router.", plugin.Str(cur, "id"))
}

// BeforeAction refuses to remove the interface of a subnet a proxy's address is on
// (RouterInterfaceInUseByNDPProxy).
func (routerHook) BeforeAction(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc, action string, body map[string]any) error {
	if action != "remove_router_interface" {
		return nil
	}
	id := plugin.Str(cur, "id")
	proxies, err := stored.Where(ctx, tx, NDPProxies.Collection, "router_id", id)
	if err != nil || len(proxies) == 0 {
		return err
	}
	subnets := map[string]bool{}
	if s := plugin.Str(body, "subnet_id"); s != "" {
		subnets[s] = true
	}
	if pid := plugin.Str(body, "port_id"); pid != "" {
		port, err := tx.Get(ctx, "ports", pid)
		if err != nil {
			return err
		}
		if port != nil {
			for _, f := range model.MustDecode[model.Port](port).FixedIPs {
				subnets[f.SubnetID] = true
			}
		}
	}
	for _, pr := range proxies {
		port, err := tx.Get(ctx, "ports", plugin.Str(pr, "port_id"))
		if err != nil {
			return err
		}
		if port == nil {
			continue
		}
		for _, f := range model.MustDecode[model.Port](port).FixedIPs {
			if f.IPAddress == plugin.Str(pr, "ip_address") && subnets[f.SubnetID] {
				return conflict("RouterInterfaceInUseByNDPProxy", "Unable to remove subnet %s from router %s, There are one or more ndp proxies still in use on the subnet.", f.SubnetID, id)
			}
		}
	}
	return nil
}

// Expand shows enable_ndp_proxy: false on a router without a gateway.
func (routerHook) Expand(_ context.Context, _ *db.Tx, routers []db.Doc) error {
	for _, r := range routers {
		r["enable_ndp_proxy"] = enabled(r)
	}
	return nil
}

// portHook deletes the proxies of a port that goes (Neutron's foreign key cascades), and
// those of an address the port loses.
type portHook struct{ plugin.NoHook }

func (portHook) BeforeDelete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	proxies, err := stored.Where(ctx, tx, NDPProxies.Collection, "port_id", plugin.Str(cur, "id"))
	if err != nil {
		return err
	}
	for _, p := range proxies {
		if err := plugin.Remove(ctx, tx, c.Elevated(), NDPProxies.Collection, p); err != nil {
			return err
		}
	}
	return nil
}

func (portHook) BeforeUpdate(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) error {
	l, ok := changes["fixed_ips"].([]any)
	if !ok {
		return nil
	}
	keep := map[string]bool{}
	for _, m := range plugin.Objects(l) {
		if ip := plugin.Str(m, "ip_address"); ip != "" {
			if a, err := netip.ParseAddr(ip); err == nil {
				keep[a.String()] = true
			}
		}
	}
	proxies, err := stored.Where(ctx, tx, NDPProxies.Collection, "port_id", plugin.Str(cur, "id"))
	if err != nil {
		return err
	}
	for _, p := range proxies {
		if !keep[plugin.Str(p, "ip_address")] {
			if err := plugin.Remove(ctx, tx, c.Elevated(), NDPProxies.Collection, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// ExpandShared sets nothing: the hook adds no attribute (plugin.SharedExpander).
func (portHook) ExpandShared(context.Context, *db.Tx, []db.Doc, plugin.SetFunc) error { return nil }
