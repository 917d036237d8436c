package localip

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/testutil/translatetest"
)

// TestPortChangesReachTheirAssociations: a port's move to another host re-translates the
// association of that port, not another's; a Local IP's change reaches its associations.
func TestPortChangesReachTheirAssociations(t *testing.T) {
	const portP, portQ = "a0000000-0000-4000-8000-000000000001", "a0000000-0000-4000-8000-000000000002"
	world := func() *translate.World {
		w := translate.NewWorld()
		for _, p := range []string{portP, portQ} {
			w.Put("ports", translate.Doc{"id": p, "network_id": "n", "mac_address": "fa:16:3e:00:00:01", "binding:host_id": "h1",
				"fixed_ips": []any{map[string]any{"subnet_id": "s", "ip_address": "10.0.0.5"}}})
			w.Put(Associations.Collection, translate.Doc{"id": "a-" + p, "local_ip_id": "l", "fixed_port_id": p, "fixed_ip": "10.0.0.5"})
		}
		w.Put(LocalIPs.Collection, translate.Doc{"id": "l", "local_ip_address": "10.0.0.100", "ip_mode": "translate"})
		return w
	}
	owners := []translate.Ref{translate.RefOf(Associations.Collection, "a-"+portP), translate.RefOf(Associations.Collection, "a-"+portQ)}
	moved := world().Get("ports", portP)
	moved["binding:host_id"] = "h2"
	named := translatetest.Reaches(t, Service().Translators, world, owners, []translatetest.Change{
		{Name: "port moved", Collection: "ports", ID: portP, After: moved},
		{Name: "local IP passthrough", Collection: LocalIPs.Collection, ID: "l", After: translate.Doc{"id": "l", "local_ip_address": "10.0.0.100", "ip_mode": "passthrough"}},
	})
	if got := named["port moved"]; len(got) != 1 || got[0] != owners[0] {
		t.Errorf("a port's move re-translates %v, want %v", got, owners[:1])
	}
	if len(named["local IP passthrough"]) != 2 {
		t.Errorf("a Local IP's change re-translates %v, want both associations", named["local IP passthrough"])
	}
}
