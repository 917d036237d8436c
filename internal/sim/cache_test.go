package sim

import (
	"sync"
	"testing"
)

func TestFlowCacheRepeatedFlow(t *testing.T) {
	e := baseEnv(t)
	fc := NewFlowCache(e.topo, e.st, 0)
	pkt := NewTCP(macA, macRifA, ip("10.0.0.5"), ip("10.0.1.5"), 40000, 22)
	first := fc.Simulate(pkt, vmA) // writes the conntrack return key: not cached
	if fc.Len() != 0 {
		t.Fatalf("first packet (state written) was cached")
	}
	second := fc.Simulate(pkt, vmA) // reads only: cached
	third := fc.Simulate(pkt, vmA)  // hit
	if hits, _ := fc.Stats(); hits != 1 {
		t.Fatalf("hits = %d, want 1", hits)
	}
	for _, r := range []Result{first, second, third} {
		if p := expectForward(t, r, vmB); p.IP.TTL != 63 || p.EthDst != macB {
			t.Errorf("cached result differs: %s", p)
		}
	}
}

func TestFlowCacheRevalidatesConntrack(t *testing.T) {
	e := baseEnv(t)
	fc := NewFlowCache(e.topo, e.st, 0)
	reply := NewTCP(macA, macA2, ip("10.0.0.5"), ip("10.0.0.6"), 22, 5555)
	// Without a connection the "reply" is dropped by vmA2's groups; the drop is cached.
	expectDrop(t, fc.Simulate(reply, vmA), DropRule)
	expectDrop(t, fc.Simulate(reply, vmA), DropRule)
	if hits, _ := fc.Stats(); hits != 1 {
		t.Fatalf("drop not cached")
	}
	// vmA2 opens the connection: the conntrack key the cached drop found absent appears.
	expectForward(t, fc.Simulate(NewTCP(macA2, macA, ip("10.0.0.6"), ip("10.0.0.5"), 5555, 22), vmA2), vmA)
	expectForward(t, fc.Simulate(reply, vmA), vmA2)
}

func TestFlowCacheICMPSequence(t *testing.T) {
	e := baseEnv(t)
	fc := NewFlowCache(e.topo, e.st, 0)
	for seq := uint16(1); seq <= 4; seq++ {
		p := expectForward(t, fc.Simulate(NewPing(macA, macAppl, ip("10.0.0.5"), ip("10.0.0.254"), 7, seq), vmA), applPort)
		if p.ICMP.Seq != seq {
			t.Errorf("seq %d came out as %d", seq, p.ICMP.Seq)
		}
	}
	if hits, _ := fc.Stats(); hits < 2 {
		t.Errorf("pings not served from the cache (hits %d)", hits)
	}
}

func TestFlowCacheSweepAndLearning(t *testing.T) {
	e := baseEnv(t)
	fc := NewFlowCache(e.topo, e.st, 0)
	pkt := NewTCP(macA, macRifA, ip("10.0.0.5"), internet, 40000, 80)
	out := expectForward(t, fc.Simulate(pkt, vmA), upstream)
	fc.Simulate(pkt, vmA)
	// Used in every interval: the binding survives sweeps.
	for i := 0; i < 3; i++ {
		e.st.Sweep()
		if p := expectForward(t, fc.Simulate(pkt, vmA), upstream); p.SrcPort != out.SrcPort {
			t.Fatalf("binding changed while in use")
		}
	}
	// Idle for two sweeps: state and cached flow are gone.
	e.st.Sweep()
	e.st.Sweep()
	if s := e.st.Stats(); s.NATBindings != 0 || s.Conntrack != 0 {
		t.Fatalf("idle state survived: %+v", s)
	}
	_, missesBefore := fc.Stats()
	expectForward(t, fc.Simulate(pkt, vmA), upstream)
	if _, m := fc.Stats(); m != missesBefore+1 {
		t.Errorf("stale cached flow served after its state was swept")
	}
	// Learning a MAC invalidates cached flows.
	fc.Simulate(pkt, vmA)
	h0, _ := fc.Stats()
	e.st.LearnMAC(netA, MustMAC("fa:16:3e:12:34:56"), 0, vmC)
	fc.Simulate(pkt, vmA)
	if h, _ := fc.Stats(); h != h0 {
		t.Errorf("hit after the MAC table changed")
	}
}

// TestConcurrentSNAT runs many flows at once on one State and checks SNAT ports stay unique.
func TestConcurrentSNAT(t *testing.T) {
	e := baseEnv(t)
	fc := NewFlowCache(e.topo, e.st, 0)
	const workers, flows = 8, 200
	var mu sync.Mutex
	seen := map[uint16]bool{}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < flows; i++ {
				pkt := NewTCP(macA, macRifA, ip("10.0.0.5"), internet, uint16(10000+w*flows+i), 443)
				var r Result
				if i%2 == 0 {
					r = fc.Simulate(pkt, vmA)
				} else {
					r = SimulateWith(e.topo, e.st, pkt, vmA, Options{})
				}
				again := fc.Simulate(pkt, vmA)
				if r.Verdict != Forwarded || again.Verdict != Forwarded || again.Egress[0].Packet.SrcPort != r.Egress[0].Packet.SrcPort {
					t.Errorf("flow %d/%d: %s / %s", w, i, dump(r), dump(again))
					return
				}
				mu.Lock()
				if seen[r.Egress[0].Packet.SrcPort] {
					t.Errorf("SNAT port %d handed out twice", r.Egress[0].Packet.SrcPort)
				}
				seen[r.Egress[0].Packet.SrcPort] = true
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	if s := e.st.Stats(); s.NATBindings != workers*flows {
		t.Errorf("bindings = %d, want %d", s.NATBindings, workers*flows)
	}
}

// TestConcurrentSweep: sweeps racing with cached and uncached simulations (run with -race).
func TestConcurrentSweep(t *testing.T) {
	e := baseEnv(t)
	fc := NewFlowCache(e.topo, e.st, 0)
	stop := make(chan struct{})
	var sweeper sync.WaitGroup
	sweeper.Add(1)
	go func() {
		defer sweeper.Done()
		for {
			select {
			case <-stop:
				return
			default:
				e.st.Sweep()
			}
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				pkt := NewTCP(macA, macRifA, ip("10.0.0.5"), internet, uint16(20000+w*50+i%50), 443)
				r := fc.Simulate(pkt, vmA)
				if r.Verdict != Forwarded || r.Egress[0].Packet.IP.Src != ip("172.24.4.10") {
					t.Errorf("worker %d packet %d: %s", w, i, dump(r))
					return
				}
				back := NewTCP(macUp, macGw, internet, ip("172.24.4.10"), 443, r.Egress[0].Packet.SrcPort)
				if rb := fc.Simulate(back, upstream); rb.Verdict == Forwarded && rb.Egress[0].Packet.DstPort != pkt.SrcPort {
					t.Errorf("reply of flow %d went to port %d", pkt.SrcPort, rb.Egress[0].Packet.DstPort)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(stop)
	sweeper.Wait()
}
