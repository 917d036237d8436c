package sim

import (
	"testing"
)

// TestFlowStateCrossesHosts: the host that simulated a SNATed flow exports what it wrote
// (conntrack, the NAT binding, an ARP entry); another host that imports it reverse-NATs the
// reply, which it could not do alone.
func TestFlowStateCrossesHosts(t *testing.T) {
	here := baseEnv(t)
	res := SimulateWith(here.topo, here.st, NewTCP(macA, macRifA, ip("10.0.0.5"), internet, 40000, 80), vmA, Options{RecordFlowState: true})
	out := expectForward(t, res, upstream)
	if len(res.FlowState) == 0 {
		t.Fatal("a SNATed first packet recorded no flow state")
	}
	reply := NewTCP(macUp, macGw, internet, out.IP.Src, 80, out.SrcPort)

	// A host without the state drops the reply.
	there := &env{t: t, topo: here.topo, st: NewState()}
	there.st.SetARP(rtr, ip("172.24.4.1"), macUp)
	there.st.LearnMAC(extNet, macUp, 0, upstream)
	expectDrop(t, there.sim(reply, upstream), DropRule)

	// With it, the reply goes back to the VM, and the SNAT port is taken there too.
	if err := there.st.ImportFlowState(res.FlowState); err != nil {
		t.Fatal(err)
	}
	back := expectForward(t, there.sim(reply, upstream), vmA)
	if back.IP.Dst != ip("10.0.0.5") || back.DstPort != 40000 {
		t.Errorf("reverse SNAT on the importing host: %s", back)
	}
	other := expectForward(t, there.sim(NewTCP(macA, macRifA, ip("10.0.0.5"), internet, 40001, 80), vmA), upstream)
	if other.SrcPort == out.SrcPort {
		t.Errorf("the importing host handed out the imported SNAT port %d again", out.SrcPort)
	}

	// A learned ARP entry is shared state.
	arp := SimulateWith(here.topo, here.st, Packet{EthSrc: macUp, EthDst: BroadcastMAC, EtherType: EtherARP,
		ARP: ARP{Op: ARPRequest, SenderMAC: macUp, SenderIP: ip("172.24.4.77"), TargetIP: ip("172.24.4.77")}}, upstream,
		Options{RecordFlowState: true})
	if !arp.FlowStateShared {
		t.Errorf("a learned ARP entry is not marked shared: %d bytes", len(arp.FlowState))
	}

	if err := there.st.ImportFlowState([]byte{fsNAT, 1, 2}); err == nil {
		t.Error("a truncated entry was imported")
	}
}

// FuzzImportFlowState: no input makes the import panic.
func FuzzImportFlowState(f *testing.F) {
	e := baseEnv(f)
	res := SimulateWith(e.topo, e.st, NewTCP(macA, macRifA, ip("10.0.0.5"), internet, 40000, 80), vmA, Options{RecordFlowState: true})
	f.Add(res.FlowState)
	f.Fuzz(func(t *testing.T, b []byte) { _ = NewState().ImportFlowState(b) })
}
