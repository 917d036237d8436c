package trunk

import (
	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/topology"
)

// owned translates a trunk into one TrunkSubport per subport. A disabled trunk keeps its
// subports in the data plane: admin_state_up only freezes the trunk's configuration, as in
// Neutron.
func owned(w *translate.World, id string) []topology.Object {
	d := w.Get(Trunks.Collection, id)
	if d == nil {
		return nil
	}
	parent, _ := d["port_id"].(string)
	var out []topology.Object
	for _, s := range subportsOf(d) {
		if s.SegmentationType != SegVLAN || !validVLAN(s.SegmentationID) {
			continue
		}
		out = append(out, &topology.TrunkSubport{Meta: topology.Meta{ID: s.PortID}, TrunkID: id,
			ParentPortID: parent, PortID: s.PortID, VLAN: int(s.SegmentationID)})
	}
	return out
}
