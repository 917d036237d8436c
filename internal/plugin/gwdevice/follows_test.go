package gwdevice

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/testutil/translatetest"
)

// TestChangesReachTheirDevices: the router or network a device stands on re-translates it
// when deleted; another router's or network's change does not.
func TestChangesReachTheirDevices(t *testing.T) {
	world := func() *translate.World {
		w := translate.NewWorld()
		w.Put("routers", translate.Doc{"id": "r1"})
		w.Put("networks", translate.Doc{"id": "n1"})
		w.Put(Devices.Collection, translate.Doc{"id": "d1", "type": RouterVtep, "resource_id": "r1", "tunnel_ips": []any{"198.51.100.1"}})
		w.Put(Devices.Collection, translate.Doc{"id": "d2", "type": NetworkVlan, "resource_id": "n1"})
		return w
	}
	d1, d2 := translate.RefOf(Devices.Collection, "d1"), translate.RefOf(Devices.Collection, "d2")
	named := translatetest.Reaches(t, Service().Translators, world, []translate.Ref{d1, d2}, []translatetest.Change{
		{Name: "d1's router deleted", Collection: "routers", ID: "r1"},
		{Name: "d2's network deleted", Collection: "networks", ID: "n1"},
		{Name: "another router", Collection: "routers", ID: "r2", After: translate.Doc{"id": "r2"}},
		{Name: "another network", Collection: "networks", ID: "n2", After: translate.Doc{"id": "n2"}},
	})
	want := map[string][]translate.Ref{"d1's router deleted": {d1}, "d2's network deleted": {d2}, "another router": nil, "another network": nil}
	for n, refs := range want {
		if len(named[n]) != len(refs) || (len(refs) == 1 && named[n][0] != refs[0]) {
			t.Errorf("%s: named %v, want %v", n, named[n], refs)
		}
	}
}
