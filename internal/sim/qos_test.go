package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/topology"
)

const (
	qosLimit = "c0500000-0000-4000-8000-000000000001"
	qosMark  = "c0500000-0000-4000-8000-000000000002"
)

// qosEnv is the base world with network A bound to a 10 Mbit/s policy that also marks DSCP
// 26, plus a second policy (DSCP 10, no limit); port is bound to policy (or none).
func qosEnv(t *testing.T, portPolicy string) *env {
	w := baseWorld()
	n := w.Get("networks", netA)
	n["qos_policy_id"] = qosLimit
	w.Put("networks", n)
	if portPolicy != "" {
		p := w.Get("ports", vmA)
		p["qos_policy_id"] = portPolicy
		w.Put("ports", p)
	}
	objs := append(translateAll(w),
		&topology.QosPolicy{Meta: topology.Meta{ID: qosLimit}, Name: "limit",
			BandwidthLimit: []topology.QosBandwidthLimitRule{{ID: "bw", MaxKbps: 10000, MaxBurstKbps: 1000}},
			DSCPMarking:    []topology.QosDSCPRule{{ID: "mark26", DSCPMark: 26}}},
		&topology.QosPolicy{Meta: topology.Meta{ID: qosMark}, Name: "mark",
			DSCPMarking: []topology.QosDSCPRule{{ID: "mark10", DSCPMark: 10}}})
	return &env{t: t, topo: NewTopology(objs), st: NewState()}
}

func vmAToB(size int) Packet {
	p := NewTCP(macA, macRifA, ip("10.0.0.5"), ip("10.0.1.5"), 1000, 22)
	p.Size = size
	return p
}

func TestQoSMarksDSCP(t *testing.T) {
	e := qosEnv(t, "")
	r := e.sim(vmAToB(100), vmA)
	out := expectForward(t, r, vmB)
	if out.IP.TOS>>2 != 26 {
		t.Fatalf("DSCP %d out of the port, want the network policy's 26", out.IP.TOS>>2)
	}
	found := false
	for _, h := range r.Trace {
		found = found || strings.Contains(h.Note, "dscp mark 26")
	}
	if !found {
		t.Errorf("the trace does not name the marking:\n%s", dump(r))
	}
	// The port's own policy wins over its network's: mark 10 and no limit.
	e = qosEnv(t, qosMark)
	if out := expectForward(t, e.sim(vmAToB(100), vmA), vmB); out.IP.TOS>>2 != 10 {
		t.Errorf("DSCP %d with the port's own policy, want 10", out.IP.TOS>>2)
	}
	// Traffic towards the VM is left as it is.
	back := NewTCP(macB, MustMAC("fa:16:3e:00:0b:01"), ip("10.0.1.5"), ip("10.0.0.5"), 22, 1000)
	if r := e.sim(back, vmB); r.Verdict == Forwarded && r.Egress[0].Packet.IP.TOS != 0 {
		t.Errorf("traffic to the VM was marked: %d", r.Egress[0].Packet.IP.TOS)
	}
}

// TestQoSBandwidthLimit: a 20 Mbit/s stream for one second through a 10 Mbit/s limit with a
// 1,000 kb burst passes about 11 Mbit (burst + one second at the rate) and drops the rest as
// "qos"; after a pause the bucket is full again.
func TestQoSBandwidthLimit(t *testing.T) {
	e := qosEnv(t, "")
	start := time.Unix(1000, 0)
	now := start
	e.st.SetClock(func() time.Time { return now })
	const size = 1500                                                 // bytes: 12,000 bits a packet
	interval := time.Duration(float64(time.Second) * size * 8 / 20e6) // 20 Mbit/s
	var passed, dropped int
	for now = start; now.Before(start.Add(time.Second)); now = now.Add(interval) {
		r := SimulateWith(e.topo, e.st, vmAToB(size), vmA, Options{})
		switch {
		case r.Verdict == Forwarded:
			passed++
		case r.Drop != nil && r.Drop.Kind == DropQoS:
			dropped++
		default:
			t.Fatalf("unexpected verdict:\n%s", dump(r))
		}
	}
	bits := float64(passed) * size * 8
	if bits < 10.5e6 || bits > 11.5e6 {
		t.Errorf("%d packets (%.2f Mbit) passed in one second at 20 Mbit/s, want about 11 Mbit (1 Mbit burst + 10 Mbit/s)", passed, bits/1e6)
	}
	if dropped < 700 {
		t.Errorf("%d packets dropped, want the excess (about 750)", dropped)
	}
	// The trace of a dropped packet names the policy and rule.
	r := e.sim(vmAToB(size), vmA)
	if d := expectDrop(t, r, DropQoS); !strings.Contains(d.Reason, qosLimit) || !strings.Contains(d.Reason, "10000 kbps") {
		t.Errorf("drop reason %q, want the policy and its limit", d.Reason)
	}
	now = now.Add(2 * time.Second)
	expectForward(t, e.sim(vmAToB(size), vmA), vmB)
}
