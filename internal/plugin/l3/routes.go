package l3

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// routeKey identifies a route: destination, nexthop and source (none = any source).
func routeKey(r map[string]any) string {
	return normCIDR(plugin.Str(r, "destination")) + "|" + plugin.Str(r, "nexthop") + "|" + normSource(plugin.Str(r, "source"))
}

func normCIDR(s string) string {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked().String()
	}
	return s
}

// normSource folds the default source (any) to "".
func normSource(s string) string {
	n := normCIDR(s)
	if n == "0.0.0.0/0" || n == "::/0" {
		return ""
	}
	return n
}

// cleanRoute keeps the given keys of a route, normalising its CIDRs; source appears only
// when it narrows the route (absent means 0.0.0.0/0, as the extraroute spec defaults it).
func cleanRoute(r map[string]any) map[string]any {
	out := map[string]any{"destination": normCIDR(plugin.Str(r, "destination")), "nexthop": plugin.Str(r, "nexthop")}
	if s := normSource(plugin.Str(r, "source")); s != "" {
		out["source"] = s
	}
	return out
}

func pyRoutes(rs []any) string {
	var parts []string
	for _, m := range plugin.Objects(rs) {
		p := fmt.Sprintf("{'destination': '%s', 'nexthop': '%s'", plugin.Str(m, "destination"), plugin.Str(m, "nexthop"))
		if s, ok := m["source"]; ok {
			p += fmt.Sprintf(", 'source': '%v'", s)
		}
		parts = append(parts, p+"}")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// checkRoutes validates a router's complete route list: each nexthop must sit on a subnet
// connected to the router and not be one of the router's own addresses; sources and
// destinations of one route share an IP version; the list is bounded by max_routes.
func (p *Plugin) checkRoutes(ctx context.Context, tx *db.Tx, router db.Doc, rs []any) ([]any, error) {
	var unique []any
	keys := map[string]bool{}
	for _, x := range plugin.Objects(rs) {
		if k := routeKey(cleanRoute(x)); !keys[k] {
			keys[k] = true
			unique = append(unique, x)
		}
	}
	rs = unique
	if p.S.MaxRoutes >= 0 && len(rs) > p.S.MaxRoutes {
		return nil, fault.RoutesExhausted(plugin.Str(router, "id"), p.S.MaxRoutes)
	}
	ports, err := routerPorts(ctx, tx, plugin.Str(router, "id"))
	if err != nil {
		return nil, err
	}
	var connected []netip.Prefix
	own := map[netip.Addr]bool{}
	for _, pt := range ports {
		cidrs, err := portSubnets(ctx, tx, pt)
		if err != nil {
			return nil, err
		}
		connected = append(connected, cidrs...)
		for _, x := range plugin.Objects(plugin.List(pt, "fixed_ips")) {
			a, _ := netip.ParseAddr(plugin.Str(x, "ip_address"))
			own[a] = true
		}
	}
	seen := map[string]bool{}
	out := []any{}
	for _, m := range plugin.Objects(rs) {
		nh, _ := resource.ParseIP(plugin.Str(m, "nexthop"))
		dst, _ := netip.ParsePrefix(plugin.Str(m, "destination"))
		if src, ok := m["source"].(string); ok {
			sp, _ := netip.ParsePrefix(src)
			if sp.Addr().Is4() != dst.Addr().Is4() {
				return nil, fault.InvalidRoutes(pyRoutes([]any{m}), "the source and destination are of different IP versions")
			}
		}
		if own[nh] {
			return nil, fault.InvalidRoutes(pyRoutes([]any{m}), "the nexthop is used by router")
		}
		ok := false
		for _, c := range connected {
			ok = ok || c.Contains(nh)
		}
		if !ok {
			return nil, fault.InvalidRoutes(pyRoutes([]any{m}), "the nexthop is not connected with router")
		}
		c := cleanRoute(m)
		if k := routeKey(c); !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// atomicRoutes runs add_extraroutes / remove_extraroutes (extraroute-atomic).
func (p *Plugin) atomicRoutes(ctx context.Context, tx *db.Tx, c *plugin.Caller, router db.Doc, action string, body map[string]any) (any, error) {
	inner, ok := body["router"].(map[string]any)
	if !ok || len(body) != 1 {
		return nil, fault.BadRequest("Unable to find 'router' in request body")
	}
	for k := range inner {
		if k != "routes" {
			return nil, fault.BadRequest("Unrecognized attribute(s) '%s'", k)
		}
	}
	raw, err := resource.ToList(inner["routes"])
	if err != nil {
		return nil, fault.InvalidInput("%s", err.Error())
	}
	req, _ := raw.([]any) // ToList gives a list
	if r := resource.Routers.Attr("routes").Validate(req); r != "" {
		return nil, fault.BadRequest("Invalid input for routes. Reason: %s.", r)
	}
	cur := plugin.List(router, "routes")
	next := []any{}
	if action == "add_extraroutes" {
		next = append(next, cur...)
		next = append(next, req...)
	} else {
		drop := map[string]bool{}
		for _, x := range plugin.Objects(req) {
			drop[routeKey(x)] = true
		}
		for _, x := range plugin.Objects(cur) {
			if !drop[routeKey(x)] {
				next = append(next, x)
			}
		}
	}
	rs, err := p.checkRoutes(ctx, tx, router, next)
	if err != nil {
		return nil, err
	}
	router["routes"] = rs
	if err := plugin.Save(ctx, tx, c, "routers", router); err != nil {
		return nil, err
	}
	return map[string]any{"router": p.atomicView(router)}, nil
}

// atomicView is a router as the atomic route actions answer it: every attribute plus
// gw_port_id and ha_vr_id, as upstream shows them.
func (p *Plugin) atomicView(router db.Doc) map[string]any {
	out := map[string]any{}
	for _, a := range resource.Routers.Attrs {
		out[a.Name] = router[a.Name]
	}
	out["gw_port_id"] = nil
	if id := plugin.Str(router, "gw_port_id"); id != "" {
		out["gw_port_id"] = id
	}
	out["ha_vr_id"] = 0
	return out
}
