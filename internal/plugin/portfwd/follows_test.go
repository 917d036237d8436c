package portfwd

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/testutil/translatetest"
)

// TestChangesReachTheirForwardings: a change of the forwarding's floating IP, its router or
// the router's gateway port re-translates it; another floating IP's or a VM port's does not.
func TestChangesReachTheirForwardings(t *testing.T) {
	fwd := func() *translate.World { return world(map[string]any{"external_port": 2222, "internal_port": 22}) }
	if len(owned(fwd(), "pf1")) == 0 {
		t.Fatal("the forwarding translates to nothing")
	}
	owners := []translate.Ref{translate.RefOf(PortForwardings.Collection, "pf1")}
	moved := fwd().Get("floatingips", "f1")
	moved["floating_ip_address"] = "172.24.4.51"
	gw := fwd().Get("ports", "gw")
	gw["mac_address"] = "fa:16:3e:00:00:09"
	named := translatetest.Reaches(t, Service().Translators, fwd, owners, []translatetest.Change{
		{Name: "its floating IP's address", Collection: "floatingips", ID: "f1", After: moved},
		{Name: "its router's gateway removed", Collection: "routers", ID: "r1", After: translate.Doc{"id": "r1"}},
		{Name: "the gateway port's MAC", Collection: "ports", ID: "gw", After: gw},
		{Name: "another floating IP", Collection: "floatingips", ID: "f2", After: translate.Doc{"id": "f2", "floating_network_id": "pub", "floating_ip_address": "172.24.4.52"}},
		{Name: "a VM port", Collection: "ports", ID: "vm", After: translate.Doc{"id": "vm", "network_id": "pub", "device_owner": "compute:nova", "device_id": "i"}},
	})
	for _, n := range []string{"its floating IP's address", "its router's gateway removed", "the gateway port's MAC"} {
		if len(named[n]) != 1 {
			t.Errorf("%s: the forwarding not named", n)
		}
	}
	for _, n := range []string{"another floating IP", "a VM port"} {
		if len(named[n]) != 0 {
			t.Errorf("%s: the forwarding named", n)
		}
	}
}
