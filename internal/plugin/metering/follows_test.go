package metering

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/testutil/translatetest"
)

// TestRouterChangesReachTheirLabels: a router's or its gateway port's change re-translates
// the labels of its project and the shared ones, and leaves the other projects' labels.
func TestRouterChangesReachTheirLabels(t *testing.T) {
	world := func() *translate.World {
		w := translate.NewWorld()
		for _, r := range [][2]string{{"r1", "a"}, {"r2", "b"}} {
			w.Put("routers", translate.Doc{"id": r[0], "tenant_id": r[1], "gw_port_id": "gw-" + r[0], "external_gateway_info": map[string]any{"network_id": "ext"}})
			w.Put("ports", translate.Doc{"id": "gw-" + r[0], "network_id": "ext", "device_id": r[0], "device_owner": "network:router_gateway"})
		}
		w.Put(Labels.Collection, translate.Doc{"id": "la", "tenant_id": "a", "name": "true"})
		w.Put(Labels.Collection, translate.Doc{"id": "lb", "tenant_id": "b"})
		w.Put(Labels.Collection, translate.Doc{"id": "all", "tenant_id": "c", "shared": true})
		w.Put(Rules.Collection, translate.Doc{"id": "in", "metering_label_id": "la", "direction": "ingress", "remote_ip_prefix": "10.0.0.0/8"})
		return w
	}
	la, lb, all := translate.RefOf(Labels.Collection, "la"), translate.RefOf(Labels.Collection, "lb"), translate.RefOf(Labels.Collection, "all")
	named := translatetest.Reaches(t, Service().Translators, world, []translate.Ref{la, lb, all}, []translatetest.Change{
		{Name: "a router of a created", Collection: "routers", ID: "r3", After: translate.Doc{"id": "r3", "tenant_id": "a", "gw_port_id": "gw-r3",
			"external_gateway_info": map[string]any{"network_id": "ext"}}},
		{Name: "a's router deleted", Collection: "routers", ID: "r1"},
		{Name: "a's gateway port deleted", Collection: "ports", ID: "gw-r1"},
		{Name: "b's router's gateway cleared", Collection: "routers", ID: "r2", After: translate.Doc{"id": "r2", "tenant_id": "b"}},
		{Name: "a VM port", Collection: "ports", ID: "vm", After: translate.Doc{"id": "vm", "network_id": "n", "device_id": "r1", "device_owner": "compute:nova"}},
	})
	want := map[string][]translate.Ref{
		"a router of a created":        {la, all},
		"a's router deleted":           {la, all},
		"a's gateway port deleted":     {la, all},
		"b's router's gateway cleared": {lb, all},
	}
	for n, refs := range want {
		if len(named[n]) != len(refs) {
			t.Errorf("%s: named %v, want %v", n, named[n], refs)
		}
	}
	if len(named["a VM port"]) != 0 {
		t.Errorf("a VM port named %v", named["a VM port"])
	}
}
