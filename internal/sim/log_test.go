package sim

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/plugin/fwaas"
	"github.com/midonet-go/midonet/internal/topology"
)

const (
	fwAllow = "f1000000-0000-4000-8000-000000000001"
	fwDeny  = "f1000000-0000-4000-8000-000000000002"
	fwPol   = "f2000000-0000-4000-8000-000000000001"
	fwGroup = "f3000000-0000-4000-8000-000000000001"
)

// firewallEnv is the base world with a FWaaS v2 group on router interface A (ingress: allow
// tcp 22, deny tcp 80) translated by the fwaas service, and the given loggers.
func firewallEnv(t testing.TB, loggers ...*topology.RuleLogger) *env {
	t.Helper()
	w := baseWorld()
	w.Put("firewall_rules", translate.Doc{"id": fwAllow, "tenant_id": tenant, "protocol": "tcp", "destination_port": "22", "action": "allow", "enabled": true, "ip_version": 4})
	w.Put("firewall_rules", translate.Doc{"id": fwDeny, "tenant_id": tenant, "protocol": "tcp", "destination_port": "80", "action": "deny", "enabled": true, "ip_version": 4})
	w.Put("firewall_policies", translate.Doc{"id": fwPol, "tenant_id": tenant, "firewall_rules": []any{fwAllow, fwDeny}})
	w.Put("firewall_groups", translate.Doc{"id": fwGroup, "tenant_id": tenant, "admin_state_up": true, "ports": []any{rifA}, "ingress_firewall_policy_id": fwPol})
	objs := translateAll(w)
	objs = append(objs, fwaas.Service().Translators.Owned(w, translate.RefOf("firewall_groups", fwGroup))...)
	for _, l := range loggers {
		objs = append(objs, l)
	}
	topo := NewTopology(objs)
	for _, warn := range topo.Warnings() {
		t.Logf("topology warning: %s", warn)
	}
	e := &env{t: t, topo: topo, st: NewState()}
	e.st.SetARP(rtr, ip("172.24.4.1"), macUp)
	return e
}

func fwLogger(event string, enabled bool) *topology.RuleLogger {
	return &topology.RuleLogger{Meta: topology.Meta{ID: "log-fw"}, LogID: "log-fw", ResourceType: "firewall", ResourceID: fwGroup,
		TenantID: tenant, Event: event, Enabled: enabled}
}

// TestFirewallDecisionsAndLogs: a denying firewall rule drops and the drop names the group
// and the rule; one DROP line; an allowed connection logs one ACCEPT line for its first
// packet only (not its next packets, not the replies, which conntrack lets through); fw_event
// DROP leaves out ACCEPT; a disabled logger writes nothing.
func TestFirewallDecisionsAndLogs(t *testing.T) {
	e := firewallEnv(t, fwLogger(topology.LogAll, true))
	r := e.sim(NewTCP(macA, macRifA, ip("10.0.0.5"), ip("10.0.1.5"), 40000, 80), vmA)
	d := expectDrop(t, r, DropRule)
	if d.FirewallID != fwGroup || d.FirewallRuleID != fwDeny || d.DeviceID != rtr {
		t.Errorf("drop %+v, want firewall %s rule %s on router %s", *d, fwGroup, fwDeny, rtr)
	}
	want := LogEntry{LogID: "log-fw", ResourceType: "firewall", ResourceID: fwGroup, TenantID: tenant, RuleID: fwDeny, RouterID: rtr,
		Action: "DROP", Src: ip("10.0.0.5"), Dst: ip("10.0.1.5"), SrcPort: 40000, DstPort: 80, Proto: 6}
	if len(r.Logs) != 1 || r.Logs[0] != want {
		t.Fatalf("logs %+v\nwant [%+v]", r.Logs, want)
	}

	r = e.sim(NewTCP(macA, macRifA, ip("10.0.0.5"), ip("10.0.1.5"), 40001, 22), vmA)
	expectForward(t, r, vmB)
	if len(r.Logs) != 1 || r.Logs[0].Action != "ACCEPT" || r.Logs[0].RuleID != fwAllow {
		t.Fatalf("first packet of an allowed connection: logs %+v, want one ACCEPT by %s", r.Logs, fwAllow)
	}
	r = e.sim(NewTCP(macA, macRifA, ip("10.0.0.5"), ip("10.0.1.5"), 40001, 22), vmA)
	if len(r.Logs) != 0 {
		t.Errorf("second packet of the connection logged again: %+v", r.Logs)
	}
	r = e.sim(NewTCP(macB, macRifB, ip("10.0.1.5"), ip("10.0.0.5"), 22, 40001), vmB)
	expectForward(t, r, vmA)
	if len(r.Logs) != 0 {
		t.Errorf("reply logged: %+v", r.Logs)
	}
	// A flow the rules do not name: the group's final drop, which no rule decided, is not logged.
	r = e.sim(NewUDP(macA, macRifA, ip("10.0.0.5"), ip("10.0.1.5"), 40002, 53), vmA)
	if d := expectDrop(t, r, DropRule); d.FirewallID != fwGroup || d.FirewallRuleID != "" || len(r.Logs) != 0 {
		t.Errorf("unmatched flow: drop %+v logs %+v", *d, r.Logs)
	}

	e = firewallEnv(t, fwLogger(topology.LogDrop, true))
	if r := e.sim(NewTCP(macA, macRifA, ip("10.0.0.5"), ip("10.0.1.5"), 40003, 22), vmA); len(r.Logs) != 0 {
		t.Errorf("fw_event DROP logged an accept: %+v", r.Logs)
	}
	if r := e.sim(NewTCP(macA, macRifA, ip("10.0.0.5"), ip("10.0.1.5"), 40003, 80), vmA); len(r.Logs) != 1 {
		t.Errorf("fw_event DROP: logs %+v, want the drop", r.Logs)
	}
	e = firewallEnv(t, fwLogger(topology.LogAll, false))
	if r := e.sim(NewTCP(macA, macRifA, ip("10.0.0.5"), ip("10.0.1.5"), 40004, 80), vmA); len(r.Logs) != 0 {
		t.Errorf("disabled logger wrote %+v", r.Logs)
	}
}

// TestFlowCacheLogsOnce: the flow cache's hits carry no log lines (the miss wrote them).
func TestFlowCacheLogsOnce(t *testing.T) {
	e := firewallEnv(t, fwLogger(topology.LogAll, true))
	fc := NewFlowCache(e.topo, e.st, 0)
	pkt := NewTCP(macA, macRifA, ip("10.0.0.5"), ip("10.0.1.5"), 40000, 80)
	if r := fc.Simulate(pkt, vmA); len(r.Logs) != 1 {
		t.Fatalf("miss: logs %+v", r.Logs)
	}
	for i := 0; i < 3; i++ {
		if r := fc.Simulate(pkt, vmA); r.Verdict != Dropped || len(r.Logs) != 0 {
			t.Fatalf("hit %d: verdict %s logs %+v", i, r.Verdict, r.Logs)
		}
	}
}

// TestSecurityGroupLogs: a Neutron log of a security group: a drop after the group's rules
// matched nothing, and an accept by one of its rules, each one line; a log with a target port
// writes only for that port; a project-wide log (no resource) covers the project's groups.
func TestSecurityGroupLogs(t *testing.T) {
	sgLog := func(id, resource, port string) *topology.RuleLogger {
		return &topology.RuleLogger{Meta: topology.Meta{ID: id}, LogID: id, ResourceType: "security_group", ResourceID: resource,
			TenantID: tenant, Event: topology.LogAll, Enabled: true, PortID: port}
	}
	e := firewallEnv(t, sgLog("sg-log", sgWeb, ""), sgLog("sg-all", "", ""), sgLog("sg-other-port", sgWeb, vmA2))
	r := e.sim(NewTCP(macA2, macA, ip("10.0.0.6"), ip("10.0.0.5"), 5555, 80), vmA2)
	expectDrop(t, r, DropRule)
	// vmA2's group lets it out (three loggers on vmA2), vmA's drops it (two without a target).
	var drops, accepts int
	for _, l := range r.Logs {
		switch {
		case l.Action == "DROP" && l.ResourceID == sgWeb && l.PortID == vmA && l.RuleID == "":
			drops++
		case l.Action == "ACCEPT" && l.PortID == vmA2:
			accepts++
		default:
			t.Errorf("unexpected line %+v", l)
		}
	}
	if drops != 2 || accepts != 3 {
		t.Fatalf("SG drop: %d DROP lines on %s (want 2), %d ACCEPT on %s (want 3): %+v", drops, vmA, accepts, vmA2, r.Logs)
	}
	r = e.sim(NewTCP(macA2, macA, ip("10.0.0.6"), ip("10.0.0.5"), 5555, 22), vmA2)
	expectForward(t, r, vmA)
	var ids []string
	for _, l := range r.Logs {
		if l.Action == "ACCEPT" && l.ResourceID == sgWeb {
			ids = append(ids, l.LogID)
		}
	}
	// vmA2's egress (accepted by the group's egress rule, on vmA2: all three loggers) and
	// vmA's ingress (tcp 22, on vmA: the two without a target).
	if len(ids) != 5 {
		t.Errorf("SG accept: %d ACCEPT lines %v, want 5: %+v", len(ids), ids, r.Logs)
	}
}

// BenchmarkFirstPacketFirewallLogged: a new 5-tuple every iteration through a firewall group
// with a logger on (allowed by its first rule: one ACCEPT line each), what a logged firewall
// costs the first packet of a connection.
func BenchmarkFirstPacketFirewallLogged(b *testing.B) {
	e := firewallEnv(b, fwLogger(topology.LogAll, true))
	pkt := func(n uint64) Packet {
		return NewTCP(macA, macRifA, ip("10.0.0.5"), ip("10.0.1.5"), uint16(1024+n%60000), 22)
	}
	var r Result
	SimulateInto(&r, e.topo, e.st, pkt(1<<40), vmA, Options{})
	if r.Verdict != Forwarded || len(r.Logs) != 1 {
		b.Fatalf("benchmark flow: verdict %s, %d log lines", r.Verdict, len(r.Logs))
	}
	m := start(b)
	for i := 0; i < b.N; i++ {
		SimulateInto(&r, e.topo, e.st, pkt(uint64(i)), vmA, Options{})
		if i%60000 == 59999 {
			e.st.Sweep()
			e.st.Sweep()
		}
	}
	m.report(b)
}
