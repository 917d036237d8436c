// Package segmentrange is Neutron's network segment range service (neutron-lib's
// network_segment_range API definition; neutron/services/network_segment_range):
// /v2.0/network_segment_ranges. The default ranges are the configuration's
// ([ml2_type_vxlan] vni_ranges, [ml2_type_vlan] network_vlan_ranges), shown read-only and
// shared; an admin adds shared ranges and ranges of one project, whose networks then take
// their ids from their own ranges first (internal/ml2). Each range shows which of its ids
// networks use (used: id → project) and which are free (available). A range cannot be
// deleted while networks use its ids, nor moved off them. See README.md.
package segmentrange

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/midonet-go/midonet/internal/config"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/ml2"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// Extensions are the aliases the service advertises.
var Extensions = []resource.Extension{
	{Alias: "network-segment-range", Name: "Neutron Network Segment Range", Description: "Provides support for the network segment range management", Updated: "2018-11-29T00:00:00-00:00"},
}

// Service is the network segment range service as internal/app wires it. Its policy rules
// are Neutron's own table (internal/policy: admins only).
func Service() plugin.Service {
	return plugin.Service{
		Name:           "segmentrange",
		ServicePlugins: []string{"network_segment_range", "neutron.services.network_segment_range.plugin.NetworkSegmentRangePlugin"},
		Resources:      []*resource.Resource{Ranges},
		Extensions:     Extensions,
		Collections: func(d plugin.Deps) []plugin.Collection {
			return []plugin.Collection{New(d.Config)}
		},
	}
}

// maxID is neutron-lib's NETWORK_SEGMENT_RANGE_LIMIT (the GRE bound, the largest of the
// types').
const maxID = 1<<32 - 1

// MaxAvailable bounds the ids a range lists as available: a VXLAN range may hold 16 million.
const MaxAvailable = 100000

func idRange(v any) string {
	n, ok := model.Int(v)
	switch {
	case !ok:
		return fmt.Sprintf("'%v' is not an integer", v)
	case n < 1:
		return fmt.Sprintf("'%d' is too small - must be at least '1'", n)
	case n > maxID:
		return fmt.Sprintf("'%d' is too large - must be no larger than '%d'", n, int64(maxID))
	}
	return ""
}

// Ranges is /v2.0/network_segment_ranges.
var Ranges = &resource.Resource{
	Collection: ml2.RangeKind, Member: "network_segment_range", Path: "network_segment_ranges", PagerMarker: true,
	Few:      true, // admin-made; a network's segment allocation reads every range
	NotFound: fault.NetworkSegmentRangeNotFound,
	Attrs: []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		{Name: "tenant_id", Hidden: true},
		{Name: "project_id", Post: true, Validate: resource.StringOrNone(255), Default: resource.Unset},
		{Name: "name", Post: true, Put: true, Validate: resource.String(255), Default: ""},
		{Name: "description", Post: true, Put: true, Validate: resource.String(255), Default: "", Ext: "standard-attr-description"},
		{Name: "default"},
		{Name: "shared", Post: true, Convert: resource.ToBool, Default: true},
		{Name: "network_type", Post: true, Required: true, Validate: resource.Values("vlan", "vxlan", "gre", "geneve")},
		{Name: "physical_network", Post: true, Validate: resource.StringOrNone(64), Default: resource.Unset},
		{Name: "minimum", Post: true, Put: true, Required: true, Convert: resource.ToInt, Validate: idRange},
		{Name: "maximum", Post: true, Put: true, Required: true, Convert: resource.ToInt, Validate: idRange},
		{Name: "used", NoSort: true, NoFilter: true},
		{Name: "available", NoSort: true, NoFilter: true},
		{Name: "created_at", Ext: "standard-attr-timestamp"},
		{Name: "updated_at", Ext: "standard-attr-timestamp"},
		{Name: "revision_number", Ext: "standard-attr-revisions"},
	},
}

// Collection is the network segment range collection.
type Collection struct {
	types   []string // [ml2] type_drivers
	ml2     *ml2.Config
	started string // when the default ranges were read (the server's start, as Neutron's)
}

// New builds the collection from the server's configuration (nil: the defaults).
func New(cfg *config.Config) Collection {
	c := Collection{types: []string{ml2.TypeVXLAN, ml2.TypeVLAN}, ml2: ml2.Defaults(), started: plugin.Now()}
	if cfg != nil {
		c.types = cfg.List(config.GroupML2, "type_drivers")
		if m, err := ml2.FromConfig(cfg); err == nil {
			c.ml2 = m
		}
	}
	return c
}

// Resource describes network segment ranges.
func (Collection) Resource() *resource.Resource { return Ranges }

// defaultNS names the default ranges' ids: the same configuration gives the same ids on
// every server and at every start.
var defaultNS = uuid.MustParse("6a3c5d2e-52a1-4f0e-9a53-0d6f3b1c7e41")

// defaults are the configured ranges of the loaded types, as read-only shared documents.
func (r Collection) defaults() []db.Doc {
	var out []db.Doc
	for _, t := range r.ml2.DefaultRanges() {
		if !slices.Contains(r.types, t.Type) {
			continue
		}
		key := fmt.Sprintf("%s:%s:%d:%d", t.Type, t.Physnet, t.Min, t.Max)
		d := db.Doc{"id": uuid.NewSHA1(defaultNS, []byte(key)).String(), "name": "", "description": "",
			"default": true, "shared": true, "project_id": nil, "tenant_id": nil,
			"network_type": t.Type, "physical_network": nil, "minimum": t.Min, "maximum": t.Max,
			"created_at": r.started, "updated_at": r.started, "revision_number": 0}
		if t.Type == ml2.TypeVLAN {
			d["physical_network"] = t.Physnet
		}
		out = append(out, d)
	}
	return out
}

// physnet is the physical network a range's ids belong to ("" for tunnels).
func physnet(d db.Doc) string {
	if plugin.Str(d, "network_type") != ml2.TypeVLAN {
		return ""
	}
	return plugin.Str(d, "physical_network")
}

func bounds(d db.Doc) (int, int) {
	lo, _ := model.Int(d["minimum"])
	hi, _ := model.Int(d["maximum"])
	return int(lo), int(hi)
}

// expand sets used and available.
func expand(ctx context.Context, tx *db.Tx, d db.Doc) error {
	lo, hi := bounds(d)
	used, err := ml2.Used(ctx, tx, plugin.Str(d, "network_type"), physnet(d), lo, hi)
	if err != nil {
		return err
	}
	u := map[string]any{}
	for id, project := range used {
		u[strconv.Itoa(id)] = project
	}
	avail := []any{}
	for id := lo; id <= hi && len(avail) < MaxAvailable; id++ {
		if _, taken := used[id]; !taken {
			avail = append(avail, id)
		}
	}
	d["used"], d["available"] = u, avail
	return nil
}

// Get returns a range: a default one, or one an admin made.
func (r Collection) Get(ctx context.Context, tx *db.Tx, id string) (db.Doc, error) {
	var d db.Doc
	for _, x := range r.defaults() {
		if x["id"] == id {
			d = x
		}
	}
	if d == nil {
		var err error
		if d, err = tx.Get(ctx, Ranges.Collection, id); err != nil || d == nil {
			return nil, err
		}
	}
	return d, expand(ctx, tx, d)
}

// List returns the default ranges and the admin's.
func (r Collection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, _ map[string][]string) ([]db.Doc, error) {
	stored, err := tx.List(ctx, Ranges.Collection, db.Filter{})
	if err != nil {
		return nil, fmt.Errorf("segmentrange: list: %w", err)
	}
	out := append(r.defaults(), stored...)
	for _, d := range out {
		if err := expand(ctx, tx, d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// eligible checks a range's bounds against its type's ids (neutron-lib's verify_vlan_range
// and verify_tunnel_range).
func eligible(d db.Doc) error {
	lo, hi := bounds(d)
	if plugin.Str(d, "network_type") == ml2.TypeVLAN {
		for _, v := range []int{lo, hi} {
			if v < ml2.MinVLAN || v > ml2.MaxVLAN {
				return fault.NetworkVlanRangeError(int64(lo), int64(hi), fmt.Sprintf("%d is not a valid VLAN tag", v))
			}
		}
		if hi < lo {
			return fault.NetworkVlanRangeError(int64(lo), int64(hi), "End of VLAN range is less than start of VLAN range")
		}
		return nil
	}
	for _, v := range []int{lo, hi} {
		if v < ml2.MinVNI || v > ml2.MaxVNI {
			return fault.NetworkTunnelRangeError(int64(lo), int64(hi), fmt.Sprintf("%d is not a valid %s identifier", v, plugin.Str(d, "network_type")))
		}
	}
	if hi < lo {
		return fault.NetworkTunnelRangeError(int64(lo), int64(hi), "End of tunnel range is less than start of tunnel range")
	}
	return nil
}

// checkOverlap refuses a range sharing ids with another non-default range of its type and
// physical network (NetworkSegmentRangeOverlaps, 409).
func checkOverlap(ctx context.Context, tx *db.Tx, d db.Doc) error {
	stored, err := tx.List(ctx, Ranges.Collection, db.Filter{})
	if err != nil {
		return fmt.Errorf("segmentrange: list: %w", err)
	}
	lo, hi := bounds(d)
	var ids []string
	for _, o := range stored {
		if o["id"] == d["id"] || plugin.Str(o, "network_type") != plugin.Str(d, "network_type") || physnet(o) != physnet(d) {
			continue
		}
		olo, ohi := bounds(o)
		if lo <= ohi && hi >= olo {
			ids = append(ids, plugin.Str(o, "id"))
		}
	}
	if len(ids) > 0 {
		sort.Strings(ids)
		return fault.NetworkSegmentRangeOverlaps(strings.Join(ids, ", "))
	}
	return nil
}

// Create stores a range of a loaded vlan or vxlan type: a shared one has no project, a VLAN
// one needs its physical network.
func (r Collection) Create(ctx context.Context, tx *db.Tx, _ *plugin.Caller, body db.Doc) (db.Doc, error) {
	typ := plugin.Str(body, "network_type")
	if !slices.Contains(r.types, typ) || !slices.Contains(ml2.RangeTypes, typ) {
		return nil, fault.NetworkSegmentRangeNetTypeNotSupported(typ)
	}
	d := plugin.Copy(body)
	if typ == ml2.TypeVLAN {
		if plugin.Str(d, "physical_network") == "" {
			return nil, fault.BadRequestOf("network_segment_range", "Network type vlan requires 'physical_network' to be specified while creating new range")
		}
	} else {
		d["physical_network"] = nil
	}
	if plugin.Bool(d, "shared") {
		d["project_id"], d["tenant_id"] = nil, nil
	} else if plugin.Str(d, "project_id") == "" {
		return nil, fault.BadRequestOf("network_segment_range", "if NetworkSegmentRange is not shared, it must have a project_id")
	} else {
		d["tenant_id"] = d["project_id"]
	}
	d["default"] = false
	plugin.Stamp(d, 0)
	delete(d, "tags")
	if err := eligible(d); err != nil {
		return nil, err
	}
	if err := checkOverlap(ctx, tx, d); err != nil {
		return nil, err
	}
	if err := tx.Insert(ctx, Ranges.Collection, d); err != nil {
		return nil, fmt.Errorf("segmentrange: store: %w", err)
	}
	return d, expand(ctx, tx, d)
}

// lowHigh are the lowest and highest ids of a range's that networks use (0, 0: none).
func lowHigh(ctx context.Context, tx *db.Tx, d db.Doc) (int, int, error) {
	lo, hi := bounds(d)
	used, err := ml2.Used(ctx, tx, plugin.Str(d, "network_type"), physnet(d), lo, hi)
	if err != nil {
		return 0, 0, err
	}
	low, high := 0, 0
	for id := range used {
		if low == 0 || id < low {
			low = id
		}
		if id > high {
			high = id
		}
	}
	return low, high, nil
}

// Update renames a range or moves its bounds. A default range is the configuration's
// (NetworkSegmentRangeDefaultReadOnly); bounds that reach into the ids networks use are
// refused (NetworkSegmentRangeReferencedByProject, 409) as Neutron 21 refuses them: a new
// minimum at or above the lowest id in use, or a new maximum at or below the highest.
func (r Collection) Update(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	id := plugin.Str(cur, "id")
	if plugin.Bool(cur, "default") {
		return nil, fault.NetworkSegmentRangeDefaultReadOnly(id)
	}
	low, high, err := lowHigh(ctx, tx, cur)
	if err != nil {
		return nil, err
	}
	d := plugin.Apply(cur, changes)
	lo, hi := bounds(d)
	if low != 0 && (lo >= low || hi <= high) {
		return nil, fault.NetworkSegmentRangeReferencedByProject(id)
	}
	if err := eligible(d); err != nil {
		return nil, err
	}
	if err := checkOverlap(ctx, tx, d); err != nil {
		return nil, err
	}
	delete(d, "used")
	delete(d, "available")
	plugin.Bump(d)
	if err := tx.Put(ctx, Ranges.Collection, d); err != nil {
		return nil, fmt.Errorf("segmentrange: update %s: %w", id, err)
	}
	return d, expand(ctx, tx, d)
}

// Delete removes a range no network takes ids from; default ranges stay.
func (r Collection) Delete(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	if plugin.Bool(cur, "default") {
		return fault.NetworkSegmentRangeDefaultReadOnly(id)
	}
	low, _, err := lowHigh(ctx, tx, cur)
	if err != nil {
		return err
	}
	if low != 0 {
		return fault.NetworkSegmentRangeReferencedByProject(id)
	}
	if _, err := tx.Delete(ctx, Ranges.Collection, id); err != nil {
		return fmt.Errorf("segmentrange: delete %s: %w", id, err)
	}
	return nil
}
