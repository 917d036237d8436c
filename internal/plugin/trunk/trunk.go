// Package trunk is Neutron's trunk service (trunk, trunk-details): /v2.0/trunks, a parent
// port carrying subports of other networks, each told apart by its VLAN id, with the
// add_subports, remove_subports and get_subports actions, the parent port's trunk_details,
// and the translation that lets the agent deliver 802.1Q-tagged frames of the parent port's
// interface to the subport of their VLAN (internal/sim). See README.md.
package trunk

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
	"github.com/midonet-go/midonet/internal/resource"
)

// Status values of a trunk.
const (
	StatusActive = "ACTIVE"
	StatusDown   = "DOWN"
	StatusError  = "ERROR"
)

// SubportOwner is the device_owner a port gets while it is a subport (neutron-lib's
// TRUNK_SUBPORT_OWNER); its device_id is the trunk's id.
const SubportOwner = "trunk:subport"

// Service is the trunk service as internal/app wires it.
func Service() plugin.Service {
	return plugin.Service{
		Name:           "trunk",
		ServicePlugins: []string{"trunk", "neutron.services.trunk.plugin.TrunkPlugin"},
		Resources:      []*resource.Resource{Trunks},
		Extensions: []resource.Extension{
			{Alias: "trunk", Name: "Trunk Extension", Description: "Provides support for trunk ports", Updated: "2016-01-01T10:00:00-00:00"},
			{Alias: "trunk-details", Name: "Trunk port details", Description: "Expose trunk port details", Updated: "2016-01-01T10:00:00-00:00"},
		},
		Translators: translate.Translators{Trunks.Collection: {Owned: owned}},
		Collections: func(plugin.Deps) []plugin.Collection { return []plugin.Collection{New()} },
		Hooks:       map[string]plugin.Hook{"ports": portHook{}},
	}
}

// Trunks is /v2.0/trunks. The parent port is the stored parent (indexed) and the subports'
// ports are keyed (sub_ports.port_id; no sort key), so the trunk holding a port either way
// is an indexed lookup.
var Trunks = &resource.Resource{
	Collection: "trunks", Member: "trunk", Path: "trunks", Tags: true, PagerMarker: true,
	Keyed: true, KeySorts: []string{}, KeyPaths: []string{"sub_ports.port_id"},
	Parent:   &resource.Parent{Attr: "port_id", Collection: "ports"},
	DataType: "TRUNK", Translate: 12, Quota: "trunk", // Neutron counts trunks, unlimited by default
	NotFound: fault.TrunkNotFound,
	Attrs: append(resource.StandardAttrs(),
		&resource.Attr{Name: "name", Post: true, Put: true, Validate: resource.String(255), Default: ""},
		&resource.Attr{Name: "admin_state_up", Post: true, Put: true, Convert: resource.ToBool, Default: true},
		&resource.Attr{Name: "port_id", Post: true, Required: true, Validate: resource.UUID},
		&resource.Attr{Name: "status"},
		&resource.Attr{Name: "sub_ports", Post: true, Convert: noneToEmpty, Validate: validateSubports, Default: []any{}, NoSort: true, NoFilter: true},
	),
}

// Collection is the trunk collection: trunks listed per parent port when the query names
// one; name, description or admin_state_up change; an enabled trunk goes and gives its
// subports back (device_owner and device_id cleared), a disabled one cannot be deleted
// (TrunkDisabled).
type Collection struct{ stored.Collection }

// New returns the trunk collection.
func New() Collection {
	return Collection{stored.Collection{Res: Trunks, Standard: true, ParentQuery: "port_id",
		Refuse: func(_ context.Context, _ *db.Tx, _ *plugin.Caller, cur db.Doc) error {
			if !plugin.Bool(cur, "admin_state_up") {
				return fault.TrunkDisabled(plugin.Str(cur, "id"))
			}
			return nil
		},
		Deleted: func(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
			return release(ctx, tx, c, subportsOf(cur), plugin.Str(cur, "id"))
		}}}
}

// Create checks the parent port and the subports as Neutron's trunk plugin does, stores the
// trunk and makes each subport's port the trunk's (device_owner trunk:subport).
func (Collection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := plugin.Copy(body)
	if d["id"] == nil {
		d["id"] = plugin.NewID()
	}
	id, parentID := plugin.Str(d, "id"), plugin.Str(d, "port_id")
	parent, err := plugin.Fetch(ctx, tx, c, "ports", parentID)
	if err != nil {
		return nil, err
	}
	if err := usable(ctx, tx, parentID); err != nil {
		return nil, err
	}
	subs, ports, err := checkSubports(ctx, tx, c, parent, requests(plugin.List(d, "sub_ports")))
	if err != nil {
		return nil, err
	}
	d["sub_ports"] = docs(subs)
	d["status"] = StatusDown
	plugin.Stamp(d, 0)
	if err := plugin.Add(ctx, tx, c, Trunks.Collection, d); err != nil {
		return nil, err
	}
	if err := claim(ctx, tx, c, ports, id); err != nil {
		return nil, err
	}
	return d, nil
}

// Expand sets each trunk's status from its parent port: ACTIVE while the port is (bound and
// plugged by an agent), DOWN otherwise; ERROR is kept.
func (Collection) Expand(ctx context.Context, tx *db.Tx, docs []db.Doc) error {
	for _, d := range docs {
		if plugin.Str(d, "status") == StatusError {
			continue
		}
		p, err := tx.Get(ctx, "ports", plugin.Str(d, "port_id"))
		if err != nil {
			return err
		}
		d["status"] = StatusDown
		if p != nil && plugin.Str(p, "status") == "ACTIVE" {
			d["status"] = StatusActive
		}
	}
	return nil
}

// ActionMethod names the actions: add_subports and remove_subports (PUT), get_subports (GET).
func (Collection) ActionMethod(action string) string {
	switch action {
	case "add_subports", "remove_subports":
		return http.MethodPut
	case "get_subports":
		return http.MethodGet
	}
	return ""
}

// Action runs add_subports, remove_subports or get_subports. The first two answer the whole
// trunk, as Neutron does.
func (col Collection) Action(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc, action string, body map[string]any) (any, error) {
	id := plugin.Str(cur, "id")
	if action == "get_subports" {
		return map[string]any{"sub_ports": docs(subportsOf(cur))}, nil
	}
	raw, present := body["sub_ports"]
	if !present {
		return nil, fault.BadRequest("Invalid input: the body must name sub_ports")
	}
	switch action {
	case "add_subports":
		if msg := validateSubports(raw); msg != "" {
			return nil, fault.InvalidInput("%s", msg)
		}
		parent, err := tx.Get(ctx, "ports", plugin.Str(cur, "port_id"))
		if err != nil {
			return nil, err
		}
		if parent == nil {
			return nil, fault.PortNotFound(plugin.Str(cur, "port_id"))
		}
		added, ports, err := checkSubports(ctx, tx, c, parent, requests(raw.([]any)))
		if err != nil {
			return nil, err
		}
		if !plugin.Bool(cur, "admin_state_up") {
			return nil, fault.TrunkDisabled(id)
		}
		if plugin.Str(cur, "status") == StatusError {
			return nil, fault.TrunkInErrorState(id)
		}
		have := subportsOf(cur)
		for _, s := range added {
			for _, h := range have {
				if h.SegmentationType == s.SegmentationType && h.SegmentationID == s.SegmentationID {
					return nil, fault.DuplicateSubPort(s.SegmentationType, s.SegmentationID, id)
				}
			}
		}
		if len(have)+len(added) > MaxSubports {
			return nil, fault.InvalidInput("a trunk carries at most %d subports", MaxSubports)
		}
		cur["sub_ports"] = docs(append(have, added...))
		cur["status"] = StatusDown
		if err := plugin.Save(ctx, tx, c, Trunks.Collection, cur); err != nil {
			return nil, err
		}
		if err := claim(ctx, tx, c, ports, id); err != nil {
			return nil, err
		}
	case "remove_subports":
		if !plugin.Bool(cur, "admin_state_up") {
			return nil, fault.TrunkDisabled(id)
		}
		if msg := validateSubports(raw); msg != "" {
			return nil, fault.InvalidInput("%s", msg)
		}
		have := subportsOf(cur)
		var removed []SubPort
		for _, r := range requests(raw.([]any)) {
			i := slices.IndexFunc(have, func(s SubPort) bool { return s.PortID == r.portID })
			if i < 0 {
				return nil, fault.SubPortNotFound(id, r.portID)
			}
			removed = append(removed, have[i])
			have = slices.Delete(have, i, i+1)
		}
		cur["sub_ports"] = docs(have)
		cur["status"] = StatusDown
		if err := plugin.Save(ctx, tx, c, Trunks.Collection, cur); err != nil {
			return nil, err
		}
		if err := release(ctx, tx, c, removed, id); err != nil {
			return nil, err
		}
	default:
		return nil, fault.HTTPNotFound()
	}
	out := plugin.Copy(cur)
	if err := col.Expand(ctx, tx, []db.Doc{out}); err != nil {
		return nil, err
	}
	return out, nil
}

// usable refuses a port that is already a subport (TrunkPortInUse) or a parent
// (ParentPortInUse) of one of the trunks.
func usable(ctx context.Context, tx *db.Tx, portID string) error {
	parentOf, subportOf, err := holding(ctx, tx, portID)
	switch {
	case err != nil:
		return err
	case parentOf != nil:
		return fault.ParentPortInUse(portID)
	case subportOf != nil:
		return fault.TrunkPortInUse(portID)
	}
	return nil
}

// holding returns the trunk whose parent a port is and the trunk one of whose subports it
// is (nil when none), through the parent index and the key rows of sub_ports.port_id.
func holding(ctx context.Context, tx *db.Tx, portID string) (parentOf, subportOf db.Doc, err error) {
	parents, err := tx.List(ctx, Trunks.Collection, db.Filter{ParentID: portID})
	if err != nil {
		return nil, nil, fmt.Errorf("trunk: trunks of parent %s: %w", portID, err)
	}
	holders, err := tx.ListBy(ctx, Trunks.Collection, "sub_ports.port_id", portID)
	if err != nil {
		return nil, nil, fmt.Errorf("trunk: trunks of subport %s: %w", portID, err)
	}
	if len(parents) > 0 {
		parentOf = parents[0]
	}
	if len(holders) > 0 {
		subportOf = holders[0]
	}
	return parentOf, subportOf, nil
}

// checkSubports is Neutron's SubPortsValidator: each requested subport is not the parent,
// its network's MTU is not above the parent's, it names a known segmentation (inherit takes
// the network's: a vlan network's VLAN id; any other type is refused), it is no trunk's yet, and it
// is a port the caller sees and nothing else uses (device_id empty). It returns the subports
// and their ports (read for update: two requests for one port wait for each other).
func checkSubports(ctx context.Context, tx *db.Tx, c *plugin.Caller, parent db.Doc, reqs []request) ([]SubPort, []db.Doc, error) {
	parentID := plugin.Str(parent, "id")
	trunkMTU, err := networkMTU(ctx, tx, plugin.Str(parent, "network_id"))
	if err != nil {
		return nil, nil, err
	}
	var subs []SubPort
	var ports []db.Doc
	for _, r := range reqs {
		if r.portID == parentID {
			return nil, nil, fault.ParentPortInUse(r.portID)
		}
		// As Neutron's _prepare_subports, a port the caller cannot see counts as missing
		// here (no MTU or segmentation of it is told); it is refused further down.
		port, err := plugin.Fetch(ctx, tx, c, "ports", r.portID)
		if fault.IsType(err, "PortNotFound") {
			port, err = nil, nil
		}
		if err != nil {
			return nil, nil, err
		}
		var net db.Doc
		if port != nil {
			if net, err = tx.Get(ctx, "networks", plugin.Str(port, "network_id")); err != nil {
				return nil, nil, err
			}
		}
		if net != nil && trunkMTU > 0 {
			if mtu, ok := model.Int(net["mtu"]); ok && mtu > trunkMTU {
				return nil, nil, fault.SubPortMtuGreaterThanTrunkPortMtu(r.portID, mtu, parentID, trunkMTU)
			}
		}
		typ, segID := r.segType, r.segID
		if typ == SegInherit && net != nil {
			typ, _ = net["provider:network_type"].(string)
			segID = net["provider:segmentation_id"]
		}
		if !r.hasType || segID == nil {
			return nil, nil, fault.InvalidInput("Invalid subport details '%s': missing segmentation information. Must specify both segmentation_id and segmentation_type", resource.Repr(map[string]any{"port_id": r.portID}))
		}
		n, ok := model.Int(segID)
		if !ok {
			return nil, nil, fault.InvalidInput("Invalid subport details: segmentation_id '%v' is not an integer", segID)
		}
		if typ != SegVLAN {
			return nil, nil, fault.InvalidInput("Unknown segmentation_type '%s'", typ)
		}
		if !validVLAN(n) {
			return nil, nil, fault.InvalidInput("Segmentation ID '%d' is not in range", n)
		}
		if err := usable(ctx, tx, r.portID); err != nil {
			return nil, nil, err
		}
		port, err = plugin.Fetch(ctx, tx, c, "ports", r.portID)
		if err != nil {
			return nil, nil, err
		}
		if dev := plugin.Str(port, "device_id"); dev != "" {
			return nil, nil, fault.PortInUse(r.portID, plugin.Str(port, "network_id"), dev)
		}
		subs = append(subs, SubPort{PortID: r.portID, SegmentationType: typ, SegmentationID: n})
		ports = append(ports, port)
	}
	return subs, ports, nil
}

// networkMTU is a network's MTU (0 when it is unknown).
func networkMTU(ctx context.Context, tx *db.Tx, id string) (int64, error) {
	n, err := tx.Get(ctx, "networks", id)
	if err != nil || n == nil {
		return 0, err
	}
	mtu, _ := model.Int(n["mtu"])
	return mtu, nil
}

// claim makes ports subports of trunk: device_owner trunk:subport, device_id the trunk.
func claim(ctx context.Context, tx *db.Tx, c *plugin.Caller, ports []db.Doc, trunk string) error {
	for _, p := range ports {
		p["device_owner"], p["device_id"] = SubportOwner, trunk
		if err := plugin.Save(ctx, tx, c, "ports", p); err != nil {
			return err
		}
	}
	return nil
}

// release gives subports of trunk back: device_owner and device_id cleared where the trunk
// still holds them. A port deleted meanwhile is skipped.
func release(ctx context.Context, tx *db.Tx, c *plugin.Caller, subs []SubPort, trunk string) error {
	for _, s := range subs {
		p, err := tx.Get(ctx, "ports", s.PortID)
		if err != nil {
			return err
		}
		if p == nil || plugin.Str(p, "device_id") != trunk {
			continue
		}
		p["device_owner"], p["device_id"] = "", ""
		if err := plugin.Save(ctx, tx, c, "ports", p); err != nil {
			return err
		}
	}
	return nil
}
