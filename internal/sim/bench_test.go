package sim

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/cluster/translate"
)

const sgBench = "5e000000-0000-4000-8000-0000000000bb"

// benchEnv is the base world where vmB's only group holds 100 rules: 99 that do not match
// the benchmark traffic (tcp ports from other prefixes) and a last one admitting tcp
// 2000-61999 from anywhere. Each rule with ports becomes two MidoNet rules (HEADER and
// NONHEADER), so the group's chain has 200 rules.
func benchEnv(b *testing.B) *env {
	w := baseWorld()
	w.Put("security_groups", translate.Doc{"id": sgBench, "tenant_id": tenant, "name": "bench"})
	for i := 0; i < 99; i++ {
		w.Put("security_group_rules", sgRule(fmt.Sprintf("5e000000-0000-4000-8000-%012d", 1000+i), sgBench, 10+i, "direction", "ingress",
			"protocol", "tcp", "port_range_min", 10000+i, "port_range_max", 10000+i, "remote_ip_prefix", fmt.Sprintf("192.168.%d.0/24", i)))
	}
	w.Put("security_group_rules", sgRule("5e000000-0000-4000-8000-000000009999", sgBench, 200, "direction", "ingress",
		"protocol", "tcp", "port_range_min", 2000, "port_range_max", 61999))
	w.Put("ports", vmPort(vmB, netB, subB, "10.0.1.5", macB, sgBench))
	e := newEnv(b, w)
	e.st.SetARP(rtr, ip("172.24.4.1"), macUp)
	e.st.LearnMAC(extNet, macUp, 0, upstream)
	return e
}

// flowN is the n-th distinct flow from vmA to vmB (distinct 5-tuples for 3.6e9 values).
func flowN(n uint64) Packet {
	return NewTCP(macA, macRifA, ip("10.0.0.5"), ip("10.0.1.5"), uint16(1024+n%60000), uint16(2000+(n/60000)%60000))
}

const sweepEvery = 1 << 17

// meter reports sims/s (wall clock) and sims/cpu-s (process CPU time: robust when other
// processes compete for the cores; for parallel runs it is the rate per busy core).
type meter struct{ cpu0 time.Duration }

func start(b *testing.B) *meter {
	b.ReportAllocs()
	b.ResetTimer()
	return &meter{cpu0: cpuTime()}
}

func (m *meter) report(b *testing.B) {
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sims/s")
	if cpu := cpuTime() - m.cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "sims/cpu-s")
	}
}

func checkFirst(b *testing.B, e *env) {
	var r Result
	SimulateInto(&r, e.topo, e.st, flowN(1<<40), vmA, Options{})
	if r.Verdict != Forwarded || r.Egress[0].PortID != vmB {
		b.Fatalf("benchmark flow not forwarded:\n%s", dump(Simulate(e.topo, NewState(), flowN(1<<40), vmA)))
	}
}

// BenchmarkFirstPacket3Hop: VM → bridge → router → bridge → VM, a new 5-tuple every
// iteration (conntrack lookup miss + return-key insert, 200 group rules evaluated on the
// destination port). The State is swept every 2^17 simulations, as an agent would
// periodically, to keep the tables bounded.
func BenchmarkFirstPacket3Hop(b *testing.B) {
	e := benchEnv(b)
	checkFirst(b, e)
	var r Result
	m := start(b)
	for i := 0; i < b.N; i++ {
		SimulateInto(&r, e.topo, e.st, flowN(uint64(i)), vmA, Options{})
		if i%sweepEvery == sweepEvery-1 {
			e.st.Sweep()
		}
	}
	m.report(b)
}

func BenchmarkFirstPacket3HopParallel(b *testing.B) {
	e := benchEnv(b)
	checkFirst(b, e)
	var ctr atomic.Uint64
	m := start(b)
	b.RunParallel(func(pb *testing.PB) {
		var r Result
		for pb.Next() {
			n := ctr.Add(1)
			SimulateInto(&r, e.topo, e.st, flowN(n), vmA, Options{})
			if n%sweepEvery == 0 {
				e.st.Sweep()
			}
		}
	})
	m.report(b)
}

// BenchmarkFirstPacket3HopTraced is the same with the trace built (what `trace` pays).
func BenchmarkFirstPacket3HopTraced(b *testing.B) {
	e := benchEnv(b)
	var r Result
	m := start(b)
	for i := 0; i < b.N; i++ {
		SimulateInto(&r, e.topo, e.st, flowN(uint64(i)), vmA, Options{Trace: true})
		if i%sweepEvery == sweepEvery-1 {
			e.st.Sweep()
		}
	}
	m.report(b)
}

// BenchmarkFirstPacketSNAT: VM → router → external, a new flow each time: dynamic SNAT
// (port allocation + binding) and conntrack. Flows spread over destination ports, so each
// (destination, port) holds a few bindings, as for a VM talking to many services.
func BenchmarkFirstPacketSNAT(b *testing.B) {
	e := benchEnv(b)
	var r Result
	m := start(b)
	for i := 0; i < b.N; i++ {
		n := uint64(i)
		SimulateInto(&r, e.topo, e.st, NewTCP(macA, macRifA, ip("10.0.0.5"), internet, uint16(1024+(n/60000)%60000), uint16(1+n%60000)), vmA, Options{})
		if i%sweepEvery == sweepEvery-1 {
			e.st.Sweep()
		}
	}
	if r.Verdict != Forwarded {
		b.Fatalf("SNAT flow:\n%s", dump(r))
	}
	m.report(b)
}

// BenchmarkRepeatedFlow: the same flow again, served by the FlowCache.
func BenchmarkRepeatedFlow(b *testing.B) {
	e := benchEnv(b)
	fc := NewFlowCache(e.topo, e.st, 0)
	pkt := flowN(7)
	fc.Simulate(pkt, vmA)
	fc.Simulate(pkt, vmA)
	m := start(b)
	for i := 0; i < b.N; i++ {
		fc.Simulate(pkt, vmA)
	}
	m.report(b)
	if hits, _ := fc.Stats(); hits < uint64(b.N) {
		b.Fatalf("only %d hits for %d packets", hits, b.N)
	}
}

func BenchmarkRepeatedFlowParallel(b *testing.B) {
	e := benchEnv(b)
	fc := NewFlowCache(e.topo, e.st, 0)
	var ctr atomic.Uint64
	m := start(b)
	b.RunParallel(func(pb *testing.PB) {
		pkt := flowN(ctr.Add(1)) // one flow per goroutine
		for pb.Next() {
			fc.Simulate(pkt, vmA)
		}
	})
	m.report(b)
}
