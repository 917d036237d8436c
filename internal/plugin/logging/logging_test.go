package logging

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/topology"
)

// TestLoggers: a firewall log's logger follows its logging resource's enabled flag and names
// the firewall's project; a log whose firewall is gone translates to nothing; a Neutron log
// of security groups keeps its resource, target and event; a resource change re-translates
// its logs.
func TestLoggers(t *testing.T) {
	w := translate.NewWorld()
	w.Put(firewallGroupsColl, translate.Doc{"id": "g1", "tenant_id": "fw-owner"})
	w.Put(LoggingResources.Collection, translate.Doc{"id": "lr", "tenant_id": "admin", "enabled": false})
	w.Put(FirewallLogs.Collection, translate.Doc{"id": "fl", "logging_resource_id": "lr", "firewall_id": "g1", "fw_event": "DROP"})
	w.Put(FirewallLogs.Collection, translate.Doc{"id": "orphan", "logging_resource_id": "lr", "firewall_id": "gone", "fw_event": "ALL"})
	w.Put(Logs.Collection, translate.Doc{"id": "nl", "project_id": "p", "resource_type": "security_group", "resource_id": "sg", "target_id": "port", "event": "ACCEPT", "enabled": true})
	ts := Translators()
	one := func(coll, id string) *topology.RuleLogger {
		objs := ts.Owned(w, translate.RefOf(coll, id))
		if len(objs) != 1 {
			t.Fatalf("%s/%s: %d objects", coll, id, len(objs))
		}
		return objs[0].(*topology.RuleLogger)
	}
	l := one(FirewallLogs.Collection, "fl")
	if l.Enabled || l.TenantID != "fw-owner" || l.ResourceType != "firewall" || l.ResourceID != "g1" || l.Event != "DROP" || l.LogID != "fl" {
		t.Errorf("firewall logger %+v", *l)
	}
	w.Put(LoggingResources.Collection, translate.Doc{"id": "lr", "tenant_id": "admin", "enabled": true})
	if !one(FirewallLogs.Collection, "fl").Enabled {
		t.Errorf("logger off after its resource was enabled")
	}
	deps := ts.Dependents(w, LoggingResources.Collection, "lr", nil, w.Get(LoggingResources.Collection, "lr"), translate.After)
	if len(deps) != 3 {
		t.Errorf("a logging resource's change re-translates %v, want itself and its two logs", deps)
	}
	if objs := ts.Owned(w, translate.RefOf(FirewallLogs.Collection, "orphan")); len(objs) != 0 {
		t.Errorf("log of a missing firewall: %v", objs)
	}
	n := one(Logs.Collection, "nl")
	if n.ResourceType != "security_group" || n.ResourceID != "sg" || n.PortID != "port" || n.Event != "ACCEPT" || !n.Enabled || n.TenantID != "p" {
		t.Errorf("network logger %+v", *n)
	}
}
