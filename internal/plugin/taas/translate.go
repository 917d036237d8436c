package taas

import (
	"slices"
	"strconv"
	"strings"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/topology"
)

// Translation (reference §2.11): a tap service is a Mirror with its own id that copies every
// packet (one condition matching everything, fragments included) to the service's port; a
// tap flow adds that mirror to its source port's mirror lists — IN (what the VM receives) to
// pre_out_filter_mirror_ids, OUT (what it sends) to post_in_filter_mirror_ids, BOTH to both.
// A flow with a vlan_filter gets a mirror of its own (derived from the flow's id) whose
// conditions match the filter's VLANs, so that the filter holds per flow.

// TapService is a tap service as stored.
type TapService struct {
	ID     string `json:"id"`
	PortID string `json:"port_id"`
}

// TapFlow is a tap flow as stored.
type TapFlow struct {
	ID           string  `json:"id"`
	TapServiceID string  `json:"tap_service_id"`
	SourcePort   string  `json:"source_port"`
	Direction    string  `json:"direction"`
	VLANFilter   *string `json:"vlan_filter"`
}

// maxVLAN is the largest 802.1Q id.
const maxVLAN = 4095

func serviceObjects(w *translate.World, id string) []topology.Object {
	ts, err := model.Decode[TapService](w.Get(Services.Collection, id))
	if err != nil {
		return nil
	}
	return []topology.Object{&topology.Mirror{Meta: topology.Meta{ID: ts.ID}, ToPortID: ts.PortID,
		Conditions: []topology.Condition{{FragmentPolicy: topology.FragAny}}}}
}

// flowMirrorID is the mirror a flow's port names: its service's, or its own with a filter.
func flowMirrorID(f TapFlow) string {
	if f.VLANFilter == nil {
		return f.TapServiceID
	}
	return topology.DerivedID("taas-flow-mirror", f.ID)
}

func flowObjects(w *translate.World, id string) []topology.Object {
	f, err := model.Decode[TapFlow](w.Get(Flows.Collection, id))
	if err != nil || f.VLANFilter == nil {
		return nil
	}
	ts, err := model.Decode[TapService](w.Get(Services.Collection, f.TapServiceID))
	if err != nil || ts.ID == "" {
		return nil
	}
	conds := []topology.Condition{}
	for _, r := range VLANRanges(*f.VLANFilter) {
		conds = append(conds, topology.Condition{FragmentPolicy: topology.FragAny, VLAN: &topology.Range{Start: r.Start, End: r.End}})
	}
	return []topology.Object{&topology.Mirror{Meta: topology.Meta{ID: flowMirrorID(f)}, ToPortID: ts.PortID, Conditions: conds}}
}

// VLANRanges reads a vlan_filter into ranges of valid VLAN ids: ids past 4095 are dropped
// (they match no frame), a reversed range is empty.
func VLANRanges(filter string) []topology.Range {
	var out []topology.Range
	for _, part := range strings.Split(filter, ",") {
		a, b, isRange := strings.Cut(part, "-")
		lo, err1 := strconv.Atoi(a)
		hi := lo
		var err2 error
		if isRange {
			hi, err2 = strconv.Atoi(b)
		}
		if err1 != nil || err2 != nil || lo > maxVLAN || hi < lo {
			continue
		}
		out = append(out, topology.Range{Start: lo, End: min(hi, maxVLAN)})
	}
	return out
}

// flowDependents re-translates the source port whose mirror lists a flow changes.
func flowDependents(_ *translate.World, _ string, d translate.Doc, add func(string, ...string)) {
	if f, err := model.Decode[TapFlow](d); err == nil {
		add("ports", f.SourcePort)
	}
}

// decoratePort puts the mirrors of the flows whose source is port id on its topology port.
func decoratePort(w *translate.World, id string, objs []topology.Object) {
	var p *topology.Port
	for _, o := range objs {
		if q, ok := o.(*topology.Port); ok && q.ID == id {
			p = q
			break
		}
	}
	if p == nil {
		return
	}
	var flows []TapFlow
	// Only the flows whose JSON holds the port's id are decoded: a port's translation
	// costs a search of every flow, not a decode of each.
	for _, d := range w.Mentioning(Flows.Collection, id) {
		f, err := model.Decode[TapFlow](d)
		if err == nil && f.SourcePort == id && w.Has(Services.Collection, f.TapServiceID) {
			flows = append(flows, f)
		}
	}
	slices.SortFunc(flows, func(a, b TapFlow) int { return strings.Compare(a.ID, b.ID) })
	for _, f := range flows {
		m := flowMirrorID(f)
		if f.Direction == DirIn || f.Direction == DirBoth {
			p.PreOutFilterMirrorIDs = append(p.PreOutFilterMirrorIDs, m)
		}
		if f.Direction == DirOut || f.Direction == DirBoth {
			p.PostInFilterMirrorIDs = append(p.PostInFilterMirrorIDs, m)
		}
	}
}
