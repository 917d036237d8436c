package qos

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/topology"
)

func TestSupported(t *testing.T) {
	for _, c := range []struct {
		rule Rule
		want bool
	}{
		{Rule{Type: TypeBandwidthLimit, Direction: Egress}, true},
		{Rule{Type: TypeBandwidthLimit}, true},
		{Rule{Type: TypeBandwidthLimit, Direction: Ingress}, false},
		{Rule{Type: TypeDSCPMarking}, true},
		{Rule{Type: TypeMinBandwidth, Direction: Egress}, false},
	} {
		if got := c.rule.Supported(); got != c.want {
			t.Errorf("%+v supported %v, want %v", c.rule, got, c.want)
		}
	}
}

// TestTranslation: a policy becomes one QosPolicy with its enforceable rules; an ingress
// limit (never bound, the API refuses it) is left out.
func TestTranslation(t *testing.T) {
	w := translate.NewWorld()
	w.Put(Policies.Collection, translate.Doc{"id": "p", "name": "gold", "tenant_id": "t", "revision_number": 3, "rules": []any{
		map[string]any{"id": "bw", "type": TypeBandwidthLimit, "max_kbps": 10000, "max_burst_kbps": 800, "direction": Egress},
		map[string]any{"id": "in", "type": TypeBandwidthLimit, "max_kbps": 5, "direction": Ingress},
		map[string]any{"id": "mark", "type": TypeDSCPMarking, "dscp_mark": 26},
	}})
	objs := Service().Translators.Owned(w, translate.RefOf(Policies.Collection, "p"))
	if len(objs) != 1 {
		t.Fatalf("%d objects, want one QosPolicy", len(objs))
	}
	q, ok := objs[0].(*topology.QosPolicy)
	if !ok || q.ID != "p" || q.Owner != "policies/p" || q.Revision != 3 {
		t.Fatalf("object %+v", objs[0])
	}
	if len(q.BandwidthLimit) != 1 || q.BandwidthLimit[0] != (topology.QosBandwidthLimitRule{ID: "bw", MaxKbps: 10000, MaxBurstKbps: 800}) {
		t.Errorf("bandwidth rules %+v, want the egress one only", q.BandwidthLimit)
	}
	if len(q.DSCPMarking) != 1 || q.DSCPMarking[0].DSCPMark != 26 {
		t.Errorf("dscp rules %+v", q.DSCPMarking)
	}
}
