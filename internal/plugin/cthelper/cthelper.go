// Package cthelper is Neutron's conntrack-helper service (neutron-lib's l3-conntrack-helper
// and expose-l3-conntrack-helper): /v2.0/routers/{id}/conntrack_helpers names the
// connections (protocol, port) a router hands to a kernel conntrack helper (ftp, tftp, sip,
// …), and a router shows its helpers in `conntrack_helpers`. Each helper is translated into
// a MidoNet ConntrackHelper object on its router; the simulator accepts the related
// connection a helper expects as part of the original one (internal/sim/helper.go: the
// tftp helper's, which the headers decide). See README.md.
package cthelper

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/topology"
)

// Service is the conntrack-helper service as internal/app wires it.
func Service() plugin.Service {
	return plugin.Service{
		ServicePlugins: []string{"conntrack_helper", "neutron.services.conntrack_helper.plugin.Plugin"},
		NeedsL3:        true,
		Name:           "cthelper",
		Resources:      []*resource.Resource{Helpers},
		Extensions: []resource.Extension{
			{Alias: "l3-conntrack-helper", Name: "L3 Conntrack helper", Description: "Allow adding CT target rules for conntrack helper", Updated: "2019-04-04T10:00:00-00:00"},
			{Alias: "expose-l3-conntrack-helper", Name: "Expose CT target rules for conntrack helper", Description: "Expose allow adding CT target rules for conntrack helper", Updated: "2019-04-04T10:00:00-00:00"},
		},
		Translators: translate.Translators{Helpers.Collection: {Owned: helperObjects}},
		Policies:    PolicyRules,
		Collections: func(plugin.Deps) []plugin.Collection { return []plugin.Collection{Collection()} },
		Hooks:       map[string]plugin.Hook{"routers": routerHook{}},
	}
}

// Helpers is /v2.0/routers/{router_id}/conntrack_helpers.
var Helpers = &resource.Resource{
	Collection: "conntrack_helpers", Member: "conntrack_helper", Path: "conntrack_helpers", Sub: true,
	PolicyMember: "router_conntrack_helper", PagerMarker: true,
	Parent:   &resource.Parent{Attr: "router_id", Collection: "routers", Policy: true},
	DataType: "CONNTRACKHELPER", RESTPath: "conntrack_helpers", Translate: 16,
	NotFound: notFound,
	Attrs: []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		{Name: "tenant_id", Hidden: true}, {Name: "project_id", Hidden: true},
		{Name: "router_id", Hidden: true},
		{Name: "protocol", Post: true, Put: true, Required: true, Convert: toProtocol, Validate: resource.Values(protocolNames()...)},
		{Name: "port", Post: true, Put: true, Required: true, Convert: resource.ToInt, Validate: portRange},
		{Name: "helper", Post: true, Put: true, Required: true, Validate: resource.String(64)},
	},
}

func notFound(id string) *fault.Fault {
	return fault.New(http.StatusNotFound, "ConntrackHelperNotFound", "Conntrack Helper %s could not be found.", id)
}

// PolicyRules are Neutron's defaults: the router's owner (or an admin) manages its helpers.
// A helper carries its router's project, so owning the helper is owning the router.
var PolicyRules = []policy.Rule{
	{Name: "create_router_conntrack_helper", Check: "rule:admin_or_owner", Description: "Create a router conntrack helper", Operations: policy.Post("/routers/{router_id}/conntrack_helpers")},
	{Name: "get_router_conntrack_helper", Check: "rule:admin_or_owner", Description: "Get a router conntrack helper", Operations: policy.Get("/routers/{router_id}/conntrack_helpers", "/routers/{router_id}/conntrack_helpers/{conntrack_helper_id}")},
	{Name: "update_router_conntrack_helper", Check: "rule:admin_or_owner", Description: "Update a router conntrack helper", Operations: policy.Put("/routers/{router_id}/conntrack_helpers/{conntrack_helper_id}")},
	{Name: "delete_router_conntrack_helper", Check: "rule:admin_or_owner", Description: "Delete a router conntrack helper", Operations: policy.Delete("/routers/{router_id}/conntrack_helpers/{conntrack_helper_id}")},
}

// protocols are neutron-lib's IPTABLES_PROTOCOL_MAP: the protocols a helper rule may name.
var protocols = map[string]int{"dccp": 33, "icmp": 1, "ipv6-icmp": 58, "sctp": 132, "tcp": 6, "udp": 17}

func protocolNames() []any {
	var out []string
	for k := range protocols {
		out = append(out, k)
	}
	sort.Strings(out)
	l := make([]any, len(out))
	for i, k := range out {
		l[i] = k
	}
	return l
}

// toProtocol is neutron-lib's convert_to_protocol: a name in lower case, or a number (given
// as one or as a string) turned into its name.
func toProtocol(v any) (any, error) {
	if n, ok := model.Int(v); ok {
		for name, num := range protocols {
			if int64(num) == n {
				return name, nil
			}
		}
		return nil, fmt.Errorf("IP protocol %d is not supported", n)
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%s is not a valid protocol", resource.Repr(v))
	}
	return strings.ToLower(s), nil
}

func portRange(v any) string {
	n, ok := model.Int(v)
	if !ok || n < 1 || n > 65535 {
		return fmt.Sprintf("%s is not in range 1 through 65535", resource.Repr(v))
	}
	return ""
}

// Allowed are Neutron's default allowed_conntrack_helpers: each helper and the protocols
// it supports.
var Allowed = map[string][]string{
	"amanda": {"tcp"}, "ftp": {"tcp"}, "h323": {"udp", "tcp"}, "irc": {"tcp"}, "netbios-ns": {"udp"},
	"pptp": {"tcp"}, "sane": {"tcp"}, "sip": {"udp", "tcp"}, "snmp": {"udp"}, "tftp": {"udp"},
}

// check is Neutron's _check_conntrack_helper_constraints.
func check(d db.Doc) error {
	helper, proto := plugin.Str(d, "helper"), plugin.Str(d, "protocol")
	supported, ok := Allowed[helper]
	if !ok {
		return fault.New(http.StatusBadRequest, "ConntrackHelperNotAllowed", "Conntrack Helper %s is not allowed.", helper)
	}
	for _, p := range supported {
		if p == proto {
			return nil
		}
	}
	return fault.New(http.StatusBadRequest, "InvalidProtocolForHelper", "Conntrack Helper %s does not support: %s. Supported protocols are: %s",
		helper, proto, strings.Join(supported, ", "))
}

// unique refuses a second helper of a router with the same protocol, port and helper.
func unique(ctx context.Context, tx *db.Tx, d db.Doc) error {
	router := plugin.Str(d, "router_id")
	others, err := tx.List(ctx, Helpers.Collection, db.Filter{ParentID: router})
	if err != nil {
		return fmt.Errorf("cthelper: helpers of %s: %w", router, err)
	}
	port, _ := model.Int(d["port"])
	for _, o := range others {
		op, _ := model.Int(o["port"])
		if plugin.Str(o, "id") != plugin.Str(d, "id") && plugin.Str(o, "protocol") == plugin.Str(d, "protocol") && op == port && plugin.Str(o, "helper") == plugin.Str(d, "helper") {
			return fault.BadRequestOf("conntrack_helper", "A duplicate conntrack helper entry with same attributes already exists, conflicting values are {'router_id': '%s', 'protocol': '%s', 'port': %d, 'helper': '%s'}",
				router, plugin.Str(d, "protocol"), port, plugin.Str(d, "helper"))
		}
	}
	return nil
}

// Collection is the helpers of routers, listed per router (the URL names it): a helper
// is added to a router that exists (the API fills router_id and the project); protocol,
// port or helper change under the same checks.
func Collection() stored.Collection {
	return stored.Collection{Res: Helpers, Unscoped: true, ParentQuery: "router_id",
		Prepare: func(ctx context.Context, tx *db.Tx, _ *plugin.Caller, d db.Doc) error {
			if err := check(d); err != nil {
				return err
			}
			if r, err := tx.Get(ctx, "routers", plugin.Str(d, "router_id")); err != nil {
				return err
			} else if r == nil {
				return fault.RouterNotFound(plugin.Str(d, "router_id"))
			}
			return unique(ctx, tx, d)
		},
		Check: func(ctx context.Context, tx *db.Tx, _ *plugin.Caller, _, _, d db.Doc) error {
			if err := check(d); err != nil {
				return err
			}
			return unique(ctx, tx, d)
		},
	}
}

// routerHook shows a router's helpers and deletes them with it.
type routerHook struct{ plugin.NoHook }

// Expand sets `conntrack_helpers` on each router: {protocol, port, helper} of each helper.
func (routerHook) Expand(ctx context.Context, tx *db.Tx, routers []db.Doc) error {
	if len(routers) == 0 {
		return nil
	}
	var f db.Filter
	if len(routers) == 1 {
		f.ParentID = plugin.Str(routers[0], "id")
	}
	all, err := tx.List(ctx, Helpers.Collection, f)
	if err != nil {
		return fmt.Errorf("cthelper: list helpers: %w", err)
	}
	sort.Slice(all, func(i, j int) bool { return plugin.Str(all[i], "id") < plugin.Str(all[j], "id") })
	by := map[string][]any{}
	for _, h := range all {
		r := plugin.Str(h, "router_id")
		by[r] = append(by[r], map[string]any{"protocol": h["protocol"], "port": h["port"], "helper": h["helper"]})
	}
	for _, r := range routers {
		l := by[plugin.Str(r, "id")]
		if l == nil {
			l = []any{}
		}
		r["conntrack_helpers"] = l
	}
	return nil
}

// BeforeDelete deletes a router's helpers with it (Neutron's foreign key cascades).
func (routerHook) BeforeDelete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	return stored.RemoveOf(ctx, tx, c, Helpers.Collection, plugin.Str(cur, "id"))
}

// helperObjects translates a helper into the MidoNet ConntrackHelper of its router.
func helperObjects(w *translate.World, id string) []topology.Object {
	d := db.Doc(w.Get(Helpers.Collection, id))
	if d == nil {
		return nil
	}
	port, _ := model.Int(d["port"])
	return []topology.Object{&topology.ConntrackHelper{Meta: topology.Meta{ID: id}, RouterID: plugin.Str(d, "router_id"),
		Protocol: protocols[plugin.Str(d, "protocol")], Port: int(port), Helper: plugin.Str(d, "helper")}}
}
