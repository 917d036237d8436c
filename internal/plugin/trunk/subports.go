package trunk

import (
	"fmt"

	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/resource"
)

// Segmentation types: vlan is what the datapath carries; inherit takes the subport network's
// provider segmentation (a vlan network's VLAN id; another type's is refused later).
const (
	SegVLAN    = "vlan"
	SegInherit = "inherit"
)

// MaxSubports bounds the subports of one request and one trunk (Neutron has no bound; a VLAN
// trunk cannot carry more than 4094 distinct ids).
const MaxSubports = 4094

// SubPort is one subport as stored and shown.
type SubPort struct {
	PortID           string `json:"port_id"`
	SegmentationType string `json:"segmentation_type"`
	SegmentationID   int64  `json:"segmentation_id"`
}

// validateSubports is neutron-lib's validate_subports: a list of objects, each with a valid
// port_id seen once, both segmentation details (unless the object has nothing else) and no
// segmentation id twice per type. Unlike neutron-lib, an inherit entry does not end the
// check of the entries after it.
func validateSubports(v any) string {
	l, ok := v.([]any)
	if !ok {
		return fmt.Sprintf("Invalid data format for subports: '%s' is not a list", resource.Repr(v))
	}
	if len(l) > MaxSubports {
		return fmt.Sprintf("Invalid data format for subports: more than %d subports", MaxSubports)
	}
	ids := map[string]bool{}
	seen := map[string]map[string]bool{}
	for _, x := range l {
		m, ok := x.(map[string]any)
		if !ok {
			return fmt.Sprintf("Invalid data format for subport: '%s' is not a dict", resource.Repr(x))
		}
		id, present := m["port_id"]
		if !present {
			return "A valid port UUID must be specified"
		}
		if resource.UUID(id) != "" {
			return fmt.Sprintf("Invalid UUID for subport: '%v'", resource.Repr(id))
		}
		s := id.(string)
		if ids[s] {
			return fmt.Sprintf("Non unique UUID for subport: '%s'", s)
		}
		ids[s] = true
		typ, _ := m["segmentation_type"].(string)
		if typ == SegInherit {
			continue
		}
		segID, hasID := m["segmentation_id"]
		if (typ == "" || !hasID || segID == nil) && len(m) > 1 {
			return fmt.Sprintf("Invalid subport details '%s': missing segmentation information. Must specify both segmentation_id and segmentation_type", resource.Repr(m))
		}
		if hasID && segID != nil {
			key := fmt.Sprint(segID)
			if n, ok := model.Int(segID); ok {
				key = fmt.Sprint(n)
			}
			if seen[typ] == nil {
				seen[typ] = map[string]bool{}
			}
			if seen[typ][key] {
				return fmt.Sprintf("Segmentation ID '%v' for '%s' is not unique", resource.Repr(segID), s)
			}
			seen[typ][key] = true
		}
	}
	return ""
}

// noneToEmpty reads sub_ports: null as no subports.
func noneToEmpty(v any) (any, error) {
	if v == nil {
		return []any{}, nil
	}
	return v, nil
}

// request is one subport as a request names it, before the plugin checks it.
type request struct {
	portID  string
	segType string
	segID   any // as given: nil when absent
	hasType bool
}

// requests reads validated subports.
func requests(l []any) []request {
	out := make([]request, 0, len(l))
	for _, x := range l {
		m, _ := x.(map[string]any)
		r := request{}
		r.portID, _ = m["port_id"].(string)
		r.segType, r.hasType = m["segmentation_type"].(string)
		r.segID = m["segmentation_id"]
		out = append(out, r)
	}
	return out
}

// validVLAN is neutron-lib's is_valid_vlan_tag.
func validVLAN(id int64) bool { return id >= 1 && id <= 4094 }

// subportsOf reads a stored trunk's subports.
func subportsOf(d map[string]any) []SubPort {
	l, _ := d["sub_ports"].([]any)
	out := make([]SubPort, 0, len(l))
	for _, x := range l {
		m, _ := x.(map[string]any)
		if m == nil {
			continue
		}
		id, _ := model.Int(m["segmentation_id"])
		pid, _ := m["port_id"].(string)
		typ, _ := m["segmentation_type"].(string)
		out = append(out, SubPort{PortID: pid, SegmentationType: typ, SegmentationID: id})
	}
	return out
}

// docs renders subports as stored and shown.
func docs(l []SubPort) []any {
	out := make([]any, 0, len(l))
	for _, s := range l {
		out = append(out, map[string]any{"port_id": s.PortID, "segmentation_type": s.SegmentationType, "segmentation_id": s.SegmentationID})
	}
	return out
}
