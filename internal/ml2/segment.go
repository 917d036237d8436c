package ml2

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
)

// RangeKind is the database kind of the network segment ranges an admin made
// (internal/plugin/segmentrange); the configured (default) ones are not stored.
const RangeKind = "network_segment_ranges"

// Segment is one segment of a network as the type drivers see it.
type Segment struct {
	// ID is the segment's own id, NetworkID and ProjectID its network's.
	ID, NetworkID, ProjectID string
	Type                     string
	// Physnet is the physical network ("" for none).
	Physnet string
	// SegID is the segmentation id; HasID tells whether it is set.
	SegID int
	HasID bool
}

func invalid(format string, args ...any) error {
	return fault.InvalidInput(format, args...)
}

// Validate checks a provider segment an admin asked for, as Neutron's type drivers'
// validate_provider_segment do.
func (c *Config) Validate(s Segment) error {
	switch s.Type {
	case TypeVLAN:
		if s.Physnet != "" {
			if !c.KnownPhysnet(s.Physnet) {
				return invalid("physical_network '%s' unknown for VLAN provider network", s.Physnet)
			}
			if s.HasID {
				if s.SegID < MinVLAN || s.SegID > MaxVLAN {
					return invalid("segmentation_id out of range (%d through %d)", MinVLAN, MaxVLAN)
				}
			} else if len(c.VLANRanges[s.Physnet]) == 0 {
				return invalid("Physical network %s requires segmentation_id to be specified when creating a provider network", s.Physnet)
			}
		} else if s.HasID {
			return invalid("segmentation_id requires physical_network for VLAN provider network")
		}
	case TypeVXLAN:
		if s.Physnet != "" {
			return invalid("provider:physical_network specified for %s network", s.Type)
		}
		if s.HasID && (s.SegID < MinVNI || s.SegID > MaxVNI) {
			return invalid("segmentation_id out of range (%d through %d)", MinVNI, MaxVNI)
		}
	case TypeFlat:
		switch {
		case s.Physnet == "":
			return invalid("physical_network required for flat provider network")
		case !c.FlatAny && len(c.FlatNetworks) == 0:
			return invalid("Flat provider networks are disabled")
		case !c.FlatAny && !slices.Contains(c.FlatNetworks, s.Physnet):
			return invalid("physical_network '%s' unknown for flat provider network", s.Physnet)
		case s.HasID:
			return invalid("segmentation_id prohibited for flat provider network")
		}
	default:
		return fmt.Errorf("ml2: %s is not a type of this package", s.Type)
	}
	return nil
}

// Doc is the stored form of a segment, the index-th of its network (the segments service
// serves it): no project is shown, a name only once one is given.
func (s Segment) Doc(index int) db.Doc {
	d := db.Doc{"id": s.ID, "network_id": s.NetworkID, "tenant_id": s.ProjectID, "project_id": s.ProjectID,
		"network_type": s.Type, "physical_network": nil, "segmentation_id": nil,
		"name": nil, "description": "", "segment_index": index}
	if s.Physnet != "" {
		d["physical_network"] = s.Physnet
	}
	if s.HasID && s.Type != TypeFlat {
		d["segmentation_id"] = s.SegID
	}
	plugin.Stamp(d, 0)
	delete(d, "tags")
	return d
}

// Partial reports whether a segment still needs an id (or a physical network) from the
// ranges: a vxlan or vlan segment without a segmentation id.
func (s Segment) Partial() bool {
	return (s.Type == TypeVXLAN || s.Type == TypeVLAN) && !s.HasID
}

// Reserve claims the segment's id (a flat segment: its physical network) for it: 409
// VlanIdInUse, TunnelIdInUse or FlatNetworkInUse when another segment holds it. Ids outside
// the ranges may be reserved too (an admin's provider network), as in Neutron.
func Reserve(ctx context.Context, tx *db.Tx, s Segment) error {
	ok, err := insert(ctx, tx, s)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	switch s.Type {
	case TypeVLAN:
		return fault.VlanIdInUse(s.SegID, s.Physnet)
	case TypeFlat:
		return fault.FlatNetworkInUse(s.Physnet)
	}
	return fault.TunnelIdInUse(s.SegID)
}

func insert(ctx context.Context, tx *db.Tx, s Segment) (bool, error) {
	ok, err := tx.InsertIgnore(ctx, "INSERT INTO segment_allocations (network_type, physical_network, segmentation_id, segment_id, network_id, project_id) VALUES (?, ?, ?, ?, ?, ?)",
		s.Type, s.Physnet, s.SegID, s.ID, s.NetworkID, s.ProjectID)
	if err != nil {
		return false, fmt.Errorf("ml2: reserve %s segment %s:%d: %w", s.Type, s.Physnet, s.SegID, err)
	}
	return ok, nil
}

// Release frees the id a segment holds (nothing when it holds none).
func Release(ctx context.Context, tx *db.Tx, segmentID string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM segment_allocations WHERE segment_id = ?", segmentID); err != nil {
		return fmt.Errorf("ml2: release segment %s: %w", segmentID, err)
	}
	return nil
}

// Used are the ids of type (and physnet) segments hold between min and max, with the project
// of each one's network (a range's "used").
func Used(ctx context.Context, tx *db.Tx, typ, physnet string, min, max int) (map[int]string, error) {
	rows, err := tx.Query(ctx, "SELECT segmentation_id, project_id FROM segment_allocations WHERE network_type = ? AND physical_network = ? AND segmentation_id >= ? AND segmentation_id <= ?",
		typ, physnet, min, max)
	if err != nil {
		return nil, fmt.Errorf("ml2: used %s ids: %w", typ, err)
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var id int
		var project string
		if err := rows.Scan(&id, &project); err != nil {
			return nil, err
		}
		out[id] = project
	}
	return out, rows.Err()
}

// StoredRange is a network segment range an admin made, as allocation reads it.
type StoredRange struct {
	ID        string
	Type      string
	Physnet   string
	Shared    bool
	ProjectID string
	Range
}

// StoredRanges reads the admin's ranges of type typ.
func StoredRanges(ctx context.Context, tx *db.Tx, typ string) ([]StoredRange, error) {
	docs, err := tx.List(ctx, RangeKind, db.Filter{})
	if err != nil {
		return nil, fmt.Errorf("ml2: network segment ranges: %w", err)
	}
	var out []StoredRange
	for _, d := range docs {
		if t, _ := d["network_type"].(string); t != typ {
			continue
		}
		lo, _ := model.Int(d["minimum"])
		hi, _ := model.Int(d["maximum"])
		r := StoredRange{Type: typ, Range: Range{int(lo), int(hi)}}
		r.ID, _ = d["id"].(string)
		r.Physnet, _ = d["physical_network"].(string)
		r.Shared, _ = d["shared"].(bool)
		r.ProjectID, _ = d["project_id"].(string)
		out = append(out, r)
	}
	return out, nil
}

// pool is where a project's segment of one physical network comes from: its own ranges
// first, then the shared ones less the ids of other projects' ranges (Neutron's
// get_segments_for_project, then get_segments_shared).
type pool struct {
	own, shared, excluded []Range
}

func (p pool) empty() bool { return len(p.own) == 0 && len(p.shared) == 0 }

func (p pool) isExcluded(id int) bool {
	for _, r := range p.excluded {
		if r.Contains(id) {
			return true
		}
	}
	return false
}

// pools are the pools of type typ per physical network ("" for VXLAN), in the order they
// are tried.
func (c *Config) pools(stored []StoredRange, typ, project string) ([]string, map[string]*pool) {
	out := map[string]*pool{}
	var order []string
	get := func(p string) *pool {
		if out[p] == nil {
			out[p] = &pool{}
			order = append(order, p)
		}
		return out[p]
	}
	switch typ {
	case TypeVXLAN:
		get("").shared = append(get("").shared, c.VNIRanges...)
	case TypeVLAN:
		for _, p := range c.sortedPhysnets() {
			get(p).shared = append(get(p).shared, c.VLANRanges[p]...)
		}
	}
	for _, r := range stored {
		p := get(r.Physnet)
		switch {
		case r.Shared:
			p.shared = append(p.shared, r.Range)
		case r.ProjectID == project:
			p.own = append(p.own, r.Range)
		default:
			p.excluded = append(p.excluded, r.Range)
		}
	}
	return order, out
}

// Allocate gives a partial segment (vxlan or vlan without an id, vlan perhaps without a
// physical network) a free id of the ranges the project may use and reserves it. It reports
// false when every id is taken (the caller answers NoNetworkAvailable, 503).
func (c *Config) Allocate(ctx context.Context, tx *db.Tx, s *Segment) (bool, error) {
	stored, err := StoredRanges(ctx, tx, s.Type)
	if err != nil {
		return false, err
	}
	order, pools := c.pools(stored, s.Type, s.ProjectID)
	for _, phys := range order {
		if s.Physnet != "" && phys != s.Physnet {
			continue
		}
		p := pools[phys]
		if p.empty() {
			continue
		}
		cand := *s
		cand.Physnet = phys
		if s.Type == TypeVXLAN {
			cand.Physnet = ""
		}
		used, err := Used(ctx, tx, s.Type, cand.Physnet, 0, MaxVNI)
		if err != nil {
			return false, err
		}
		for gi, group := range [][]Range{p.own, p.shared} {
			for _, r := range group {
				ok, err := c.allocateIn(ctx, tx, &cand, r, used, p, gi == 1)
				if err != nil {
					return false, err
				}
				if ok {
					*s = cand
					return true, nil
				}
			}
		}
	}
	return false, nil
}

// allocateIn tries the ids of r from a random one on, skipping those in use (and, in a
// shared range, those of other projects' ranges); an id another server took meanwhile is
// skipped too (the insert reports it, nothing aborts).
func (c *Config) allocateIn(ctx context.Context, tx *db.Tx, s *Segment, r Range, used map[int]string, p *pool, shared bool) (bool, error) {
	start := rand.IntN(r.Size())
	for i := 0; i < r.Size(); i++ {
		id := r.Min + (start+i)%r.Size()
		if _, taken := used[id]; taken {
			continue
		}
		if shared && p.isExcluded(id) {
			continue
		}
		s.SegID, s.HasID = id, true
		ok, err := insert(ctx, tx, *s)
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
		used[id] = ""
	}
	s.SegID, s.HasID = 0, false
	return false, nil
}
