package taas

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/sim"
	"github.com/midonet-go/midonet/internal/topology"
)

const (
	tenant  = "p1"
	netID   = "0e000000-0000-4000-8000-000000000001"
	subID   = "5b000000-0000-4000-8000-000000000001"
	vm1     = "90000000-0000-4000-8000-000000000001"
	vm2     = "90000000-0000-4000-8000-000000000002"
	monitor = "90000000-0000-4000-8000-0000000000ee"
	tsID    = "75000000-0000-4000-8000-000000000001"
	flowID  = "7f000000-0000-4000-8000-000000000001"
)

var (
	mac1   = sim.MustMAC("fa:16:3e:00:00:01")
	mac2   = sim.MustMAC("fa:16:3e:00:00:02")
	macMon = sim.MustMAC("fa:16:3e:00:00:ee")
	ip1    = netip.MustParseAddr("10.0.0.5")
	ip2    = netip.MustParseAddr("10.0.0.6")
)

// world is one network with two VMs and a monitor VM on compute-1, a tap service on the
// monitor's port and, when direction is set, a tap flow from vm1.
func world(direction string, vlanFilter any) *translate.World {
	w := translate.NewWorld()
	w.Put("networks", translate.Doc{"id": netID, "tenant_id": tenant, "admin_state_up": true, "mtu": 1450})
	w.Put("subnets", translate.Doc{"id": subID, "network_id": netID, "cidr": "10.0.0.0/24", "ip_version": 4, "gateway_ip": "10.0.0.1", "enable_dhcp": true})
	vm := func(id string, mac sim.MAC, addr string) {
		w.Put("ports", translate.Doc{"id": id, "network_id": netID, "tenant_id": tenant, "device_owner": "compute:nova", "device_id": "vm-" + id[:8],
			"mac_address": mac.String(), "fixed_ips": []any{map[string]any{"subnet_id": subID, "ip_address": addr}}, "admin_state_up": true,
			"port_security_enabled": false, "binding:host_id": "compute-1"})
	}
	vm(vm1, mac1, "10.0.0.5")
	vm(vm2, mac2, "10.0.0.6")
	vm(monitor, macMon, "10.0.0.99")
	w.Put(Services.Collection, translate.Doc{"id": tsID, "tenant_id": tenant, "port_id": monitor, "status": StatusDown})
	if direction != "" {
		w.Put(Flows.Collection, translate.Doc{"id": flowID, "tenant_id": tenant, "tap_service_id": tsID, "source_port": vm1,
			"direction": direction, "vlan_filter": vlanFilter, "status": StatusDown})
	}
	return w
}

func translators() translate.Translators {
	ts := translate.Builtin()
	for coll, t := range Service().Translators {
		ts[coll] = t
	}
	return ts
}

func topo(t *testing.T, w *translate.World) *sim.Topology {
	t.Helper()
	ts := translators()
	var objs []topology.Object
	for _, coll := range w.Collections() {
		for _, d := range w.All(coll) {
			objs = append(objs, ts.Owned(w, translate.RefOf(coll, d["id"].(string)))...)
		}
	}
	tp := sim.NewTopology(objs)
	if ws := tp.Warnings(); len(ws) > 0 {
		t.Fatalf("topology warnings: %v", ws)
	}
	return tp
}

// ping sends vm1 → vm2 and vm2 → vm1 (the reply) and returns the mirrored copies of each.
func ping(t *testing.T, tp *sim.Topology) (request, reply []sim.Emit) {
	t.Helper()
	st := sim.NewState()
	req := sim.Simulate(tp, st, sim.NewPing(mac1, mac2, ip1, ip2, 7, 1), vm1)
	if req.Verdict != sim.Forwarded || len(req.Egress) != 1 || req.Egress[0].PortID != vm2 {
		t.Fatalf("request: %s %+v %+v", req.Verdict, req.Egress, req.Drop)
	}
	rp := sim.NewPing(mac2, mac1, ip2, ip1, 7, 1)
	rp.ICMP.Type = sim.ICMPEchoReply
	rep := sim.Simulate(tp, st, rp, vm2)
	if rep.Verdict != sim.Forwarded || len(rep.Egress) != 1 || rep.Egress[0].PortID != vm1 {
		t.Fatalf("reply: %s %+v %+v", rep.Verdict, rep.Egress, rep.Drop)
	}
	return req.Mirrored, rep.Mirrored
}

// TestMirrorPing: a BOTH tap flow copies both directions of a ping to the tap service's
// port, IN only what vm1 receives (the reply), OUT only what it sends (the request); without
// a flow nothing is copied; the trace names the mirror.
func TestMirrorPing(t *testing.T) {
	tests := []struct {
		direction          string
		wantReq, wantReply bool
	}{
		{"", false, false},
		{DirBoth, true, true},
		{DirIn, false, true},
		{DirOut, true, false},
	}
	for _, tc := range tests {
		t.Run("direction "+tc.direction, func(t *testing.T) {
			req, rep := ping(t, topo(t, world(tc.direction, nil)))
			check := func(what string, got []sim.Emit, want bool, src, dst netip.Addr) {
				if !want {
					if len(got) != 0 {
						t.Errorf("%s mirrored %+v, want nothing", what, got)
					}
					return
				}
				if len(got) != 1 || got[0].PortID != monitor || got[0].Mirror != tsID || got[0].Packet.IP.Src != src || got[0].Packet.IP.Dst != dst {
					t.Errorf("%s mirrored %+v, want one copy %s → %s to the monitor port", what, got, src, dst)
				}
			}
			check("request", req, tc.wantReq, ip1, ip2)
			check("reply", rep, tc.wantReply, ip2, ip1)
		})
	}
	res := sim.Simulate(topo(t, world(DirBoth, nil)), sim.NewState(), sim.NewPing(mac1, mac2, ip1, ip2, 7, 1), vm1)
	if !slices.ContainsFunc(res.Trace, func(h sim.Hop) bool { return h.DeviceType == "mirror" && h.Device == tsID && h.Port == vm1 }) {
		t.Errorf("trace without the mirror hop: %+v", res.Trace)
	}
}

// TestMirrorVLANFilter: a flow with a vlan_filter copies only frames tagged with one of its
// VLANs, through a mirror of its own; "5000" (accepted, as upstream) copies nothing.
func TestMirrorVLANFilter(t *testing.T) {
	tagged := func(vlan uint16) sim.Packet {
		p := sim.NewPing(mac1, mac2, ip1, ip2, 7, 1)
		p.VLAN = vlan
		return p
	}
	tests := []struct {
		filter string
		vlan   uint16
		want   bool
	}{
		{"9,18-27", 0, false},
		{"9,18-27", 9, true},
		{"9,18-27", 20, true},
		{"9,18-27", 28, false},
		{"5000", 100, false},
		{"0-4095", 4095, true},
	}
	for _, tc := range tests {
		tp := topo(t, world(DirOut, tc.filter))
		res := sim.Simulate(tp, sim.NewState(), tagged(tc.vlan), vm1)
		got := len(res.Mirrored) == 1 && res.Mirrored[0].PortID == monitor && res.Mirrored[0].Packet.VLAN == tc.vlan
		if got != tc.want || len(res.Mirrored) > 1 {
			t.Errorf("filter %q, vlan %d: mirrored %+v, want copy %v", tc.filter, tc.vlan, res.Mirrored, tc.want)
		}
	}
}

// TestTranslation: the tap service is a Mirror matching everything to the monitor port; the
// flow's directions become the source port's mirror lists; a deleted flow leaves them empty.
func TestTranslation(t *testing.T) {
	w := world(DirBoth, nil)
	ts := translators()
	objs := ts.Owned(w, translate.RefOf(Services.Collection, tsID))
	if len(objs) != 1 {
		t.Fatalf("tap service objects %+v", objs)
	}
	m := objs[0].(*topology.Mirror)
	if m.ID != tsID || m.ToPortID != monitor || len(m.Conditions) != 1 || m.Conditions[0].FragmentPolicy != topology.FragAny {
		t.Errorf("mirror %+v", m)
	}
	port := func() *topology.Port {
		for _, o := range ts.Owned(w, translate.RefOf("ports", vm1)) {
			if p, ok := o.(*topology.Port); ok && p.ID == vm1 {
				return p
			}
		}
		t.Fatal("no topology port for vm1")
		return nil
	}
	p := port()
	if !slices.Equal(p.PreOutFilterMirrorIDs, []string{tsID}) || !slices.Equal(p.PostInFilterMirrorIDs, []string{tsID}) {
		t.Errorf("BOTH: pre-out %v post-in %v", p.PreOutFilterMirrorIDs, p.PostInFilterMirrorIDs)
	}
	deps := ts.Dependents(w, Flows.Collection, flowID, w.Get(Flows.Collection, flowID), nil, translate.Before)
	if !slices.Contains(deps, translate.RefOf("ports", vm1)) {
		t.Errorf("a flow's change does not re-translate its source port: %v", deps)
	}
	w.Delete(Flows.Collection, flowID)
	if p := port(); len(p.PreOutFilterMirrorIDs)+len(p.PostInFilterMirrorIDs) != 0 {
		t.Errorf("after the flow's delete: %v %v", p.PreOutFilterMirrorIDs, p.PostInFilterMirrorIDs)
	}
}

// TestVLANRanges reads filters as the translation does.
func TestVLANRanges(t *testing.T) {
	tests := []struct {
		in   string
		want []topology.Range
	}{
		{"9", []topology.Range{{Start: 9, End: 9}}},
		{"9,18-27", []topology.Range{{Start: 9, End: 9}, {Start: 18, End: 27}}},
		{"5000", nil},
		{"4000-5000", []topology.Range{{Start: 4000, End: 4095}}},
		{"30-20", nil},
		{"99999999999999999999", nil},
	}
	for _, tc := range tests {
		if got := VLANRanges(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("VLANRanges(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// FuzzVLANFilter: any string the API accepts as a vlan_filter reads into valid VLAN ranges,
// and nothing panics.
func FuzzVLANFilter(f *testing.F) {
	for _, s := range []string{"9,18-27", "0-4095", "5000", "1-", ",", "00001-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		reason := vlanFilter(s)
		rs := VLANRanges(s)
		if reason != "" {
			return
		}
		for _, r := range rs {
			if r.Start < 0 || r.End > maxVLAN || r.Start > r.End {
				t.Fatalf("%q: range %v", s, r)
			}
		}
	})
}

// BenchmarkPortAmongTapFlows is the translation of a VM port with one tap flow of its own
// among 200 flows of other ports: the decorator reads the flows that name the port, not all.
func BenchmarkPortAmongTapFlows(b *testing.B) {
	w := world(DirBoth, nil)
	for i := range 200 {
		w.Put(Flows.Collection, translate.Doc{"id": fmt.Sprintf("7f000000-0000-4000-8000-%012d", i+100), "tenant_id": tenant,
			"tap_service_id": tsID, "source_port": fmt.Sprintf("91000000-0000-4000-8000-%012d", i), "direction": DirIn, "status": StatusDown})
	}
	ts := translators()
	b.ReportAllocs()
	for b.Loop() {
		var mirrored bool
		for _, o := range ts.Owned(w, translate.RefOf("ports", vm1)) {
			if p, ok := o.(*topology.Port); ok && p.ID == vm1 {
				mirrored = len(p.PreOutFilterMirrorIDs) == 1 && len(p.PostInFilterMirrorIDs) == 1
			}
		}
		if !mirrored {
			b.Fatal("vm1's port lost its flow's mirrors")
		}
	}
}
