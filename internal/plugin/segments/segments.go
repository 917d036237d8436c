// Package segments is Neutron's segments service (neutron-lib's segment and
// standard-attr-segment API definitions; neutron/services/segments): /v2.0/segments, the
// segments of every network. Each network gets its segment when the core plugin makes it
// (internal/plugin/core, with the ids of internal/ml2); this service shows them, names them,
// and adds or removes further segments of a network, whose ids are reserved and freed like
// the first one's. MidoNet carries a network as one bridge whatever its segments: a further
// segment is recorded and holds its id, it does not split the network (README.md).
package segments

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

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
	{Alias: "segment", Name: "Segment", Description: "Segments extension.", Updated: "2016-02-24T17:00:00-00:00"},
	{Alias: "standard-attr-segment", Name: "Standard Attribute Segment Extension", Description: "Add standard attributes to Segment resource", Updated: "2018-03-07T10:00:00-00:00"},
}

// Service is the segments service as internal/app wires it. Its policy rules are Neutron's
// own table (internal/policy, "segment rules": admins only).
func Service() plugin.Service {
	return plugin.Service{
		Name:           "segments",
		ServicePlugins: []string{"segments", "neutron.services.segments.plugin.Plugin"},
		Resources:      []*resource.Resource{Segments},
		Extensions:     Extensions,
		Collections: func(d plugin.Deps) []plugin.Collection {
			return []plugin.Collection{New(d.Config)}
		},
	}
}

// Segments is /v2.0/segments. A segment shows no project (its network's is what counts).
var Segments = &resource.Resource{
	Collection: "segments", Member: "segment", Path: "segments", PagerMarker: true,
	Parent:   &resource.Parent{Attr: "network_id", Collection: "networks"},
	NotFound: fault.SegmentNotFound,
	Attrs: []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		{Name: "tenant_id", Hidden: true},
		{Name: "project_id", Hidden: true},
		{Name: "network_id", Post: true, Required: true, Validate: resource.UUID},
		{Name: "physical_network", Post: true, Validate: resource.StringOrNone(64), Default: resource.Unset},
		{Name: "network_type", Post: true, Required: true, Validate: resource.String(32)},
		{Name: "segmentation_id", Post: true, Convert: resource.ToIntOrNone, Default: resource.Unset, NoFilter: true},
		{Name: "name", Post: true, Put: true, Validate: resource.StringOrNone(255), Default: nil},
		{Name: "description", Post: true, Put: true, Validate: resource.String(255), Default: "", Ext: "standard-attr-description"},
		{Name: "created_at", Ext: "standard-attr-segment"},
		{Name: "updated_at", Ext: "standard-attr-segment"},
		{Name: "revision_number", Ext: "standard-attr-segment"},
		{Name: "segment_index", Hidden: true},
	},
}

// Collection is the segments collection.
type Collection struct {
	types []string // [ml2] type_drivers
	ml2   *ml2.Config
}

// New builds the collection from the server's configuration (nil: the defaults).
func New(cfg *config.Config) Collection {
	c := Collection{types: []string{"midonet", "uplink", ml2.TypeVXLAN, ml2.TypeVLAN, ml2.TypeFlat}, ml2: ml2.Defaults()}
	if cfg != nil {
		c.types = cfg.List(config.GroupML2, "type_drivers")
		if m, err := ml2.FromConfig(cfg); err == nil {
			c.ml2 = m
		}
	}
	return c
}

// Resource describes segments.
func (Collection) Resource() *resource.Resource { return Segments }

// Create adds a segment to a network: the type drivers validate it (the midonet and uplink
// types take nothing but the type), and its id is reserved or allocated from the network
// project's ranges as a network's first segment is.
func (s Collection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	netID := plugin.Str(body, "network_id")
	net, err := plugin.Fetch(ctx, tx, c, "networks", netID)
	if err != nil {
		return nil, err
	}
	typ := plugin.Str(body, "network_type")
	if !slices.Contains(s.types, typ) {
		return nil, fault.InvalidInput("network_type value '%s' not supported", typ)
	}
	seg := ml2.Segment{ID: plugin.NewID(), NetworkID: netID, ProjectID: plugin.Str(net, "tenant_id"), Type: typ}
	seg.Physnet, _ = body["physical_network"].(string)
	if v := body["segmentation_id"]; v != nil {
		n, ok := model.Int(v)
		if !ok || n < 0 || n > math.MaxInt32 {
			return nil, fault.InvalidInput("segmentation_id out of range")
		}
		seg.SegID, seg.HasID = int(n), true
	}
	if !slices.Contains(ml2.Types, typ) {
		if seg.Physnet != "" {
			return nil, fault.InvalidInput("physical_network prohibited for %s provider network", typ)
		}
		if seg.HasID {
			return nil, fault.InvalidInput("segmentation_id prohibited for %s provider network", typ)
		}
	} else {
		if err := s.ml2.Validate(seg); err != nil {
			return nil, err
		}
		if seg.Partial() {
			ok, err := s.ml2.Allocate(ctx, tx, &seg)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fault.NoNetworkAvailable()
			}
		} else if err := ml2.Reserve(ctx, tx, seg); err != nil {
			return nil, err
		}
	}
	existing, err := tx.List(ctx, Segments.Collection, db.Filter{ParentID: netID})
	if err != nil {
		return nil, fmt.Errorf("segments: segments of network %s: %w", netID, err)
	}
	index := 0
	for _, e := range existing {
		if i, _ := model.Int(e["segment_index"]); int(i) >= index {
			index = int(i) + 1
		}
	}
	d := seg.Doc(index)
	d["name"], d["description"] = body["name"], body["description"]
	if d["description"] == nil {
		d["description"] = ""
	}
	if err := tx.Insert(ctx, Segments.Collection, d); err != nil {
		return nil, fmt.Errorf("segments: store segment of %s: %w", netID, err)
	}
	return d, nil
}

// Update renames a segment or changes its description.
func (Collection) Update(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	d := plugin.Apply(cur, changes)
	plugin.Bump(d)
	if err := tx.Put(ctx, Segments.Collection, d); err != nil {
		return nil, fmt.Errorf("segments: update %s: %w", plugin.Str(cur, "id"), err)
	}
	return d, nil
}

// Delete removes a further segment of a network and frees its id; a network's only segment
// stays while the network does (it goes with the network), and so does one that subnets
// name.
func (Collection) Delete(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
	id, netID := plugin.Str(cur, "id"), plugin.Str(cur, "network_id")
	n, err := tx.CountParent(ctx, Segments.Collection, netID)
	if err != nil {
		return fmt.Errorf("segments: segments of %s: %w", netID, err)
	}
	if n <= 1 {
		return fault.SegmentInUse(id, fmt.Sprintf("it is the only segment of network %s", netID))
	}
	subnets, err := tx.List(ctx, "subnets", db.Filter{ParentID: netID})
	if err != nil {
		return fmt.Errorf("segments: subnets of %s: %w", netID, err)
	}
	var users []string
	for _, sn := range subnets {
		if plugin.Str(sn, "segment_id") == id {
			users = append(users, plugin.Str(sn, "id"))
		}
	}
	if len(users) > 0 {
		sort.Strings(users)
		return fault.SegmentInUse(id, "subnets "+strings.Join(users, ", ")+" use it")
	}
	if err := ml2.Release(ctx, tx, id); err != nil {
		return err
	}
	if _, err := tx.Delete(ctx, Segments.Collection, id); err != nil {
		return fmt.Errorf("segments: delete %s: %w", id, err)
	}
	return nil
}

// List returns the segments (of one network when the filter names one).
func (Collection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	var h db.Filter
	if n := f["network_id"]; len(n) == 1 {
		h.ParentID = n[0]
	}
	if ids := f["id"]; len(ids) > 0 && len(ids) < 200 {
		h.IDs = ids
	}
	return tx.List(ctx, Segments.Collection, h)
}
