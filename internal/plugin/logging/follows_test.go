package logging

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/testutil/translatetest"
)

// TestFirewallChangesReachTheirLogs: the logged firewall group's or v1 firewall's change
// re-translates its logs; another group's (a project's default group made) does not.
func TestFirewallChangesReachTheirLogs(t *testing.T) {
	world := func() *translate.World {
		w := translate.NewWorld()
		w.Put(firewallGroupsColl, translate.Doc{"id": "g1", "tenant_id": "a"})
		w.Put(firewallsColl, translate.Doc{"id": "f1", "tenant_id": "b"})
		w.Put(LoggingResources.Collection, translate.Doc{"id": "lr", "enabled": true})
		w.Put(FirewallLogs.Collection, translate.Doc{"id": "lg", "logging_resource_id": "lr", "firewall_id": "g1", "fw_event": "ALL"})
		w.Put(FirewallLogs.Collection, translate.Doc{"id": "lf", "logging_resource_id": "lr", "firewall_id": "f1", "fw_event": "DROP"})
		return w
	}
	lg, lf := translate.RefOf(FirewallLogs.Collection, "lg"), translate.RefOf(FirewallLogs.Collection, "lf")
	named := translatetest.Reaches(t, Translators(), world, []translate.Ref{lg, lf}, []translatetest.Change{
		{Name: "the group deleted", Collection: firewallGroupsColl, ID: "g1"},
		{Name: "the firewall deleted", Collection: firewallsColl, ID: "f1"},
		{Name: "another group", Collection: firewallGroupsColl, ID: "g2", After: translate.Doc{"id": "g2", "tenant_id": "c"}},
	})
	want := map[string][]translate.Ref{"the group deleted": {lg}, "the firewall deleted": {lf}, "another group": nil}
	for n, refs := range want {
		if len(named[n]) != len(refs) || (len(refs) == 1 && named[n][0] != refs[0]) {
			t.Errorf("%s: named %v, want %v", n, named[n], refs)
		}
	}
}
