package sim

import (
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

// TestTFTPHelperRelatedFlow: behind the router's SNAT, a TFTP server's answer from a new
// port is dropped without a helper; with the router's tftp helper it is the related flow of
// the request: translated back to the VM, accepted by its security group, and the VM's
// acknowledgement leaves through the same SNAT address and port. An expectation serves one
// connection.
func TestTFTPHelperRelatedFlow(t *testing.T) {
	for _, helper := range []bool{false, true} {
		objs := translateAll(baseWorld())
		if helper {
			objs = append(objs, &topology.ConntrackHelper{Meta: topology.Meta{ID: "h"}, RouterID: rtr, Protocol: 17, Port: 69, Helper: "tftp"})
		}
		e := &env{t: t, topo: NewTopology(objs), st: NewState()}
		e.st.SetARP(rtr, ip("172.24.4.1"), macUp)
		e.st.LearnMAC(extNet, macUp, 0, upstream)
		rrq := expectForward(t, e.sim(NewUDP(macA, macRifA, ip("10.0.0.5"), internet, 40000, 69), vmA), upstream)
		data := NewUDP(macUp, macGw, internet, rrq.IP.Src, 50001, rrq.SrcPort)
		r := e.sim(data, upstream)
		if !helper {
			expectDrop(t, r, DropRule)
			continue
		}
		in := expectForward(t, r, vmA)
		if in.IP.Dst != ip("10.0.0.5") || in.DstPort != 40000 || in.SrcPort != 50001 {
			t.Fatalf("related answer delivered as %s", in)
		}
		ack := expectForward(t, e.sim(NewUDP(macA, macRifA, ip("10.0.0.5"), internet, 40000, 50001), vmA), upstream)
		if ack.IP.Src != rrq.IP.Src || ack.SrcPort != rrq.SrcPort {
			t.Errorf("ack leaves as %s, want from %s:%d", ack, rrq.IP.Src, rrq.SrcPort)
		}
		expectForward(t, e.sim(data, upstream), vmA) // the flow goes on
		// Another server port for the same request is not expected any more.
		expectDrop(t, e.sim(NewUDP(macUp, macGw, internet, rrq.IP.Src, 50002, rrq.SrcPort), upstream), DropRule)
	}
}

// TestTFTPExpectationCrossesHosts: the host that forwarded the request exports the
// expectation with its flow state; the host where the answer enters accepts it once it has
// imported that state, and not before.
func TestTFTPExpectationCrossesHosts(t *testing.T) {
	objs := append(translateAll(baseWorld()), &topology.ConntrackHelper{Meta: topology.Meta{ID: "h"}, RouterID: rtr, Protocol: 17, Port: 69, Helper: "tftp"})
	topo := NewTopology(objs)
	here := &env{t: t, topo: topo, st: NewState()}
	here.st.SetARP(rtr, ip("172.24.4.1"), macUp)
	res := SimulateWith(topo, here.st, NewUDP(macA, macRifA, ip("10.0.0.5"), internet, 40000, 69), vmA, Options{RecordFlowState: true})
	rrq := expectForward(t, res, upstream)
	data := NewUDP(macUp, macGw, internet, rrq.IP.Src, 50001, rrq.SrcPort)

	there := &env{t: t, topo: topo, st: NewState()}
	expectDrop(t, there.sim(data, upstream), DropRule)
	if err := there.st.ImportFlowState(res.FlowState); err != nil {
		t.Fatal(err)
	}
	if in := expectForward(t, there.sim(data, upstream), vmA); in.IP.Dst != ip("10.0.0.5") || in.DstPort != 40000 {
		t.Errorf("related answer on the importing host delivered as %s", in)
	}
	if err := there.st.ImportFlowState([]byte{fsExpect, 1}); err == nil {
		t.Error("a truncated expectation was imported")
	}
}
