// Package ndpproxy is Neutron's NDP proxy service (neutron-lib's l3-ndp-proxy and
// l3-ext-ndp-proxy): a router's `enable_ndp_proxy`, and /v2.0/ndp_proxies, each publishing
// one IPv6 address of a port behind a router on the router's external network — the
// gateway port answers Neighbor Solicitations for it, and the router forwards IPv6 to and
// from it without NAT. Each proxy is translated into a MidoNet NdpProxy object on its
// router, which the simulator acts on (internal/sim/ndp.go). See README.md.
package ndpproxy

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"sort"
	"sync/atomic"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/config"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
)

// Extensions are the aliases the service advertises.
var Extensions = []resource.Extension{
	{Alias: "l3-ndp-proxy", Name: "L3 NDP Proxy", Description: "Router support for L3 NDP proxy.", Updated: "2021-06-29T10:00:00-00:00"},
	{Alias: "l3-ext-ndp-proxy", Name: "Router support to enable NDP proxy", Description: "Router extension to enable ndp proxy", Updated: "2020-08-25T00:00:00-00:00"},
}

// Service is the NDP proxy service as internal/app wires it.
func Service() plugin.Service {
	def := &atomic.Bool{} // [DEFAULT] enable_ndp_proxy_by_default, read when the plugin is built
	return plugin.Service{
		Name:           "ndpproxy",
		ServicePlugins: []string{"ndp_proxy", "neutron.services.ndp_proxy.plugin.NDPProxyPlugin"},
		Resources:      []*resource.Resource{NDPProxies},
		Extensions:     Extensions,
		Policies:       PolicyRules,
		// A proxy reads its port, its router, and the router's ports and gateway's subnets.
		Translators: translate.Translators{NDPProxies.Collection: {Owned: owned,
			Follows: map[string]translate.Follow{"routers": translate.Naming(NDPProxies.Collection),
				"subnets": translate.NamingRoutersOn(NDPProxies.Collection),
				"ports":   translate.FollowAll(translate.Naming(NDPProxies.Collection), translate.NamingRouterOf(NDPProxies.Collection))}}},
		Collections: func(d plugin.Deps) []plugin.Collection {
			if d.Config != nil {
				def.Store(d.Config.Bool(config.DefaultGroup, "enable_ndp_proxy_by_default"))
			}
			return []plugin.Collection{Collection{}}
		},
		Hooks: map[string]plugin.Hook{"routers": routerHook{byDefault: def}, "ports": portHook{}},
	}
}

// NDPProxies is /v2.0/ndp_proxies.
var NDPProxies = &resource.Resource{
	Collection: "ndp_proxies", Member: "ndp_proxy", Path: "ndp_proxies", PagerMarker: true,
	// A port's or router's proxies are found through the key index (their deletes and
	// updates); lists are unchanged.
	Keyed: true, KeySorts: []string{"router_id", "port_id"},
	DataType: "NDPPROXY", RESTPath: "ndp_proxies", Translate: 19,
	NotFound: func(id string) *fault.Fault {
		return fault.New(http.StatusNotFound, "NDPProxyNotFound", "NDP proxy %s could not be found.", id)
	},
	Attrs: append(longDescription(resource.StandardAttrs()),
		&resource.Attr{Name: "name", Post: true, Put: true, Validate: resource.String(255), Default: ""},
		&resource.Attr{Name: "router_id", Post: true, Required: true, Validate: resource.UUID},
		&resource.Attr{Name: "port_id", Post: true, Required: true, Validate: resource.UUID},
		&resource.Attr{Name: "ip_address", Post: true, Validate: resource.IPOrNone, Default: nil},
	),
}

// longDescription drops tags (NDP proxies have none) and allows neutron-lib's long
// description (1024 characters).
func longDescription(attrs []*resource.Attr) []*resource.Attr {
	out := attrs[:0:0]
	for _, a := range attrs {
		switch a.Name {
		case "tags":
			continue
		case "description":
			c := *a
			c.Validate = resource.String(1024)
			a = &c
		}
		out = append(out, a)
	}
	return out
}

// PolicyRules are Neutron's defaults (without enforce_new_defaults): any project member
// makes a proxy, its owner (or an admin) reads, changes and deletes it.
var PolicyRules = []policy.Rule{
	{Name: "create_ndp_proxy", Check: "rule:regular_user", Description: "Create a ndp proxy", Operations: policy.Post("/ndp_proxies")},
	{Name: "get_ndp_proxy", Check: "rule:admin_or_owner", Description: "Get a ndp proxy", Operations: policy.Get("/ndp_proxies", "/ndp_proxies/{id}")},
	{Name: "update_ndp_proxy", Check: "rule:admin_or_owner", Description: "Update a ndp proxy", Operations: policy.Put("/ndp_proxies/{id}")},
	{Name: "delete_ndp_proxy", Check: "rule:admin_or_owner", Description: "Delete a ndp proxy", Operations: policy.Delete("/ndp_proxies/{id}")},
}

// The faults of neutron's ndp_proxy service.
func conflict(typ, format string, args ...any) *fault.Fault {
	return fault.Conflict(typ, format, args...)
}

func gatewayNotValid(router, reason string) *fault.Fault {
	return conflict("RouterGatewayNotValid", "Can not enable ndp proxy on router %s, %s.", router, reason)
}

func portUnreachable(port, router string) *fault.Fault {
	return conflict("PortUnreachableRouter", "The port %s cannot reach the router %s by IPv6 subnet.", port, router)
}

func invalidAddress(addr, reason string) *fault.Fault {
	return fault.New(http.StatusBadRequest, "InvalidAddress", "The address %s is invalid, reason: %s.", addr, reason)
}

func scopeName(s string) string {
	if s == "" {
		return "None"
	}
	return s
}

// Collection is the NDP proxies.
type Collection struct{}

// Resource describes NDP proxies.
func (Collection) Resource() *resource.Resource { return NDPProxies }

// Create checks a proxy as Neutron's NDP proxy plugin does: the router (as the caller sees
// it) has NDP proxying on, the port has an IPv6 address on a subnet of the router, the
// address (given or picked) is the port's, the external and internal networks share an
// IPv6 address scope, and the router proxies the address once.
func (Collection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := plugin.Copy(body)
	routerID, portID := plugin.Str(d, "router_id"), plugin.Str(d, "port_id")
	port, err := plugin.Fetch(ctx, tx, c, "ports", portID)
	if err != nil {
		return nil, err
	}
	// The router's ports on the port's network first (Neutron's order): a router the caller
	// cannot see, or that does not exist, is not on the caller's network either, and the
	// answer (PortUnreachableRouter) is the same whether it exists or not.
	p := model.MustDecode[model.Port](port)
	rports, err := routerPortsOn(ctx, tx, routerID, p.NetworkID)
	if err != nil {
		return nil, err
	}
	if len(rports) == 0 {
		return nil, portUnreachable(portID, routerID)
	}
	router, err := plugin.Fetch(ctx, tx, c, "routers", routerID)
	if err != nil {
		return nil, err
	}
	if !enabled(router) {
		return nil, conflict("RouterNDPProxyNotEnable", "The enable_ndp_proxy parameter of router %s must be set as True while create ndp proxy entry on it.", routerID)
	}
	gw, _ := router["external_gateway_info"].(map[string]any)
	extScope, err := v6Scope(ctx, tx, plugin.Str(gw, "network_id"))
	if err != nil {
		return nil, err
	}
	ip, err := pickAddress(d, p, rports)
	if err != nil {
		return nil, err
	}
	intScope, err := v6Scope(ctx, tx, p.NetworkID)
	if err != nil {
		return nil, err
	}
	if extScope != intScope {
		return nil, conflict("AddressScopeConflict", "The IPv6 address scope %s of external network conflict with internal network's IPv6 address scope %s.",
			scopeName(extScope), scopeName(intScope))
	}
	d["ip_address"] = ip
	others, err := tx.ListBy(ctx, NDPProxies.Collection, "router_id", routerID)
	if err != nil {
		return nil, fmt.Errorf("ndpproxy: list proxies: %w", err)
	}
	for _, o := range others {
		if plugin.Str(o, "router_id") == routerID && plugin.Str(o, "ip_address") == ip {
			return nil, conflict("NeutronDbObjectDuplicateEntry", "Failed to create a duplicate NDPProxy: for attribute(s) ['router_id', 'ip_address'] with value(s) %s, %s", routerID, ip)
		}
	}
	d["id"] = plugin.NewID()
	plugin.Stamp(d, 0)
	if err := plugin.Add(ctx, tx, c, NDPProxies.Collection, d); err != nil {
		return nil, err
	}
	return d, nil
}

// pickAddress is Neutron's _check_port: the port's IPv6 address on a subnet of the router,
// the one asked for (which must be the port's and on such a subnet) or the first.
func pickAddress(d db.Doc, p model.Port, rports []model.Port) (string, error) {
	var v6 []model.FixedIP
	for _, f := range p.FixedIPs {
		if f.Addr().Is6() {
			v6 = append(v6, f)
		}
	}
	if len(v6) == 0 {
		return "", fault.BadRequestOf("ndp_proxy", "Requested port %s must allocate one IPv6 address at least", p.ID)
	}
	routerSubnets := map[string]bool{}
	for _, rp := range rports {
		for _, f := range rp.FixedIPs {
			if f.Addr().Is6() {
				routerSubnets[f.SubnetID] = true
			}
		}
	}
	want := plugin.Str(d, "ip_address")
	if want == "" {
		for _, f := range v6 {
			if routerSubnets[f.SubnetID] {
				return f.Addr().String(), nil
			}
		}
		return "", portUnreachable(p.ID, plugin.Str(d, "router_id"))
	}
	a, err := netip.ParseAddr(want)
	if err != nil {
		return "", invalidAddress(want, "This address not belong to the port "+p.ID)
	}
	for _, f := range v6 {
		if f.Addr() == a {
			if !routerSubnets[f.SubnetID] {
				return "", invalidAddress(want, "This address cannot reach the router "+plugin.Str(d, "router_id"))
			}
			return a.String(), nil
		}
	}
	return "", invalidAddress(want, "This address not belong to the port "+p.ID)
}

// Update changes a proxy's name or description.
func (Collection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	d := plugin.Apply(cur, changes)
	if err := plugin.Save(ctx, tx, c, NDPProxies.Collection, d); err != nil {
		return nil, err
	}
	return d, nil
}

// Delete removes a proxy.
func (Collection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	return plugin.Remove(ctx, tx, c, NDPProxies.Collection, cur)
}

// List returns the proxies (the API keeps those the caller may see).
func (Collection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	var h db.Filter
	if t := f["tenant_id"]; len(t) == 1 {
		h.ProjectID = t[0]
	} else if t := f["project_id"]; len(t) == 1 {
		h.ProjectID = t[0]
	}
	return tx.List(ctx, NDPProxies.Collection, h)
}

// enabled is a router's enable_ndp_proxy as shown: the stored state while it has a gateway.
func enabled(router db.Doc) bool {
	gw, _ := router["external_gateway_info"].(map[string]any)
	return len(gw) > 0 && plugin.Bool(router, "enable_ndp_proxy")
}

// routerPortsOn are the router's ports on a network.
func routerPortsOn(ctx context.Context, tx *db.Tx, routerID, networkID string) ([]model.Port, error) {
	ports, err := tx.ListByBoth(ctx, "ports", "device_id", routerID, "network_id", networkID)
	if err != nil {
		return nil, fmt.Errorf("ndpproxy: ports of router %s on network %s: %w", routerID, networkID, err)
	}
	var out []model.Port
	for _, d := range ports {
		if plugin.Str(d, "device_id") != routerID {
			continue
		}
		p := model.MustDecode[model.Port](d)
		if p.DeviceOwner == model.OwnerRouterInterface || p.DeviceOwner == model.OwnerRouterGateway {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// v6Scope is a network's ipv6_address_scope: the address scope of the pool of one of its
// IPv6 subnets ("" when none is in a scope), as the address-scope service shows it.
func v6Scope(ctx context.Context, tx *db.Tx, networkID string) (string, error) {
	if networkID == "" {
		return "", nil
	}
	subnets, err := tx.List(ctx, "subnets", db.Filter{ParentID: networkID})
	if err != nil {
		return "", fmt.Errorf("ndpproxy: subnets of %s: %w", networkID, err)
	}
	scope := ""
	for _, s := range subnets {
		if v, _ := model.Int(s["ip_version"]); v != 6 || plugin.Str(s, "subnetpool_id") == "" {
			continue
		}
		pool, err := tx.Get(ctx, "subnetpools", plugin.Str(s, "subnetpool_id"))
		if err != nil {
			return "", fmt.Errorf("ndpproxy: pool of subnet %s: %w", plugin.Str(s, "id"), err)
		}
		if a := plugin.Str(pool, "address_scope_id"); a != "" {
			scope = a
		}
	}
	return scope, nil
}

// hasV6Subnet reports whether a network has an IPv6 subnet.
func hasV6Subnet(ctx context.Context, tx *db.Tx, networkID string) (bool, error) {
	subnets, err := tx.List(ctx, "subnets", db.Filter{ParentID: networkID})
	if err != nil {
		return false, fmt.Errorf("ndpproxy: subnets of %s: %w", networkID, err)
	}
	for _, s := range subnets {
		if v, _ := model.Int(s["ip_version"]); v == 6 {
			return true, nil
		}
	}
	return false, nil
}

// networkSupports is Neutron's _check_ext_gw_network: an IPv6 address scope and an IPv6
// subnet.
func networkSupports(ctx context.Context, tx *db.Tx, networkID string) (bool, error) {
	scope, err := v6Scope(ctx, tx, networkID)
	if err != nil || scope == "" {
		return false, err
	}
	return hasV6Subnet(ctx, tx, networkID)
}
