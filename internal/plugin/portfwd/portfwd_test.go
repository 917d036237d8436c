package portfwd

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/topology"
)

func TestParseRange(t *testing.T) {
	cases := []struct {
		in   any
		want portRange
		ok   bool
	}{
		{"22", portRange{22, 22}, true},
		{"8000:8009", portRange{8000, 8009}, true},
		{json.Number("443"), portRange{443, 443}, true},
		{"1:65535", portRange{1, 65535}, true},
		{"0", portRange{}, false},
		{"70000", portRange{}, false},
		{"10:5", portRange{}, false},
		{"a:b", portRange{}, false},
		{"1:2:3", portRange{}, false},
		{true, portRange{}, false},
	}
	for _, tc := range cases {
		got, err := parseRange(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("parseRange(%v) = %v, %v", tc.in, got, err)
		}
	}
}

func TestSpec(t *testing.T) {
	cases := []struct {
		name    string
		d       map[string]any
		ext, in string
		err     string
	}{
		{"ports", map[string]any{"external_port": 2222, "internal_port": 22}, "2222:2222", "22:22", ""},
		{"N-N", map[string]any{"external_port_range": "9000:9009", "internal_port_range": "8000:8009"}, "9000:9009", "8000:8009", ""},
		{"N-1", map[string]any{"external_port_range": "9000:9009", "internal_port_range": "80"}, "9000:9009", "80:80", ""},
		{"N-M", map[string]any{"external_port_range": "9000:9009", "internal_port_range": "80:81"}, "", "", "N-N or 1-N"},
		{"one range only", map[string]any{"external_port_range": "9000:9009"}, "", "", "together"},
		{"one port only", map[string]any{"external_port": 1}, "", "", "must be given"},
		{"too large a map", map[string]any{"external_port_range": "1:2000", "internal_port_range": "3001:5000"}, "", "", "at most"},
	}
	for _, tc := range cases {
		ext, in, err := spec(tc.d)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v; want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || ext.String() != tc.ext || in.String() != tc.in {
			t.Errorf("%s: %v %v %v; want %s %s", tc.name, ext, in, err, tc.ext, tc.in)
		}
	}
}

// world has a router with a gateway on the public network, a floating IP and a forwarding.
func world(pf map[string]any) *translate.World {
	w := translate.NewWorld()
	w.Put("networks", map[string]any{"id": "pub", "router:external": true})
	w.Put("routers", map[string]any{"id": "r1", "gw_port_id": "gw", "external_gateway_info": map[string]any{"network_id": "pub"}})
	w.Put("ports", map[string]any{"id": "gw", "network_id": "pub", "device_owner": "network:router_gateway", "device_id": "r1", "mac_address": "fa:16:3e:00:00:01"})
	w.Put("floatingips", map[string]any{"id": "f1", "floating_network_id": "pub", "floating_ip_address": "172.24.4.50", "router_id": "r1"})
	base := map[string]any{"id": "pf1", "floatingip_id": "f1", "router_id": "r1", "protocol": "tcp", "internal_ip_address": "10.0.0.5"}
	for k, v := range pf {
		base[k] = v
	}
	w.Put(PortForwardings.Collection, base)
	return w
}

func rulesOf(objs []topology.Object) (dnat, rev []*topology.Rule, arp int) {
	for _, o := range objs {
		switch v := o.(type) {
		case *topology.Rule:
			if v.NAT != nil && v.NAT.Reverse {
				rev = append(rev, v)
			} else {
				dnat = append(dnat, v)
			}
		case *topology.ArpEntry:
			arp++
		}
	}
	return dnat, rev, arp
}

// TestOwned: one DNAT rule (from the gateway, to the floating IP's port, TCP) to the
// internal address and port, one reverse DNAT for the replies, and the floating IP's ARP
// entry; N ports to N make a rule per port; UDP is protocol 17; other protocols and
// routers without a gateway make nothing.
func TestOwned(t *testing.T) {
	dnat, rev, arp := rulesOf(owned(world(map[string]any{"external_port_range": "2222:2222", "internal_port_range": "22:22"}), "pf1"))
	if len(dnat) != 1 || len(rev) != 1 || arp != 1 {
		t.Fatalf("%d DNAT, %d reverse, %d ARP; want 1, 1, 1", len(dnat), len(rev), arp)
	}
	d := dnat[0]
	if d.ChainID != topology.InChainID("r1") || d.Condition.NwDstIP != "172.24.4.50/32" || d.Condition.NwProto != 6 ||
		*d.Condition.TpDst != (topology.Range{Start: 2222, End: 2222}) || d.Condition.InPortIDs[0] != topology.TenantGwPortID("gw") ||
		d.NAT.Targets[0] != (topology.NatTarget{NwStart: "10.0.0.5", NwEnd: "10.0.0.5", TpStart: 22, TpEnd: 22}) || !d.NAT.DNAT {
		t.Errorf("DNAT rule %+v %+v", d, d.NAT)
	}
	r := rev[0]
	if r.ChainID != topology.OutChainID("r1") || r.Condition.NwSrcIP != "10.0.0.5/32" || *r.Condition.TpSrc != (topology.Range{Start: 22, End: 22}) || !r.NAT.DNAT {
		t.Errorf("reverse rule %+v", r)
	}
	dnat, _, _ = rulesOf(owned(world(map[string]any{"external_port_range": "9000:9004", "internal_port_range": "8000:8004", "protocol": "udp"}), "pf1"))
	if len(dnat) != 5 || dnat[4].Condition.NwProto != 17 {
		t.Fatalf("N-N: %d rules", len(dnat))
	}
	for i, d := range dnat {
		if d.Condition.TpDst.Start != 9000+i || d.NAT.Targets[0].TpStart != 8000+i {
			t.Errorf("N-N rule %d maps %v to %v", i, *d.Condition.TpDst, d.NAT.Targets[0])
		}
	}
	dnat, _, _ = rulesOf(owned(world(map[string]any{"external_port_range": "9000:9099", "internal_port_range": "80:80"}), "pf1"))
	if len(dnat) != 1 || *dnat[0].Condition.TpDst != (topology.Range{Start: 9000, End: 9099}) {
		t.Errorf("N-1: %d rules", len(dnat))
	}
	if got := owned(world(map[string]any{"external_port_range": "1:1", "internal_port_range": "1:1", "protocol": "icmp"}), "pf1"); got != nil {
		t.Errorf("ICMP forwarding translated to %v", got)
	}
	w := world(map[string]any{"external_port_range": "1:1", "internal_port_range": "1:1"})
	w.Put("routers", map[string]any{"id": "r1"})
	if got := owned(w, "pf1"); got != nil {
		t.Errorf("a router without a gateway got %v", got)
	}
}

// FuzzParseRange: any value is read without a panic, and what is read is a valid range.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"22", "1:65535", "10:5", ":", "99999999999999999999", "-1:3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseRange(s)
		if err == nil && (r.lo < 1 || r.hi > 65535 || r.lo > r.hi) {
			t.Fatalf("parseRange(%q) = %v", s, r)
		}
	})
}
