package translate

import (
	"fmt"
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

// TestWhichPortsAreFiltered: every port Neutron does not trust (device_owner not under
// "network:") with port security on gets security-group filtering and anti-spoofing, whatever
// its owner; "network:*" ports get neither; port security off leaves the chains empty.
func TestWhichPortsAreFiltered(t *testing.T) {
	const (
		filteredPort = "filtered"  // anti-spoof + security groups
		openPort     = "open"      // chains present but empty (port security off)
		trustedPort  = "no chains" // a Neutron service port
	)
	cases := []struct {
		owner    string
		security bool
		want     string
	}{
		{"", true, filteredPort},
		{"foo", true, filteredPort},
		{"compute:nova", true, filteredPort},
		{"baremetal:none", true, filteredPort},
		{"neutron:LOADBALANCERV2", true, filteredPort},
		{"network", true, filteredPort}, // no colon: not the "network:" prefix
		{"network:dhcp", true, trustedPort},
		{"network:router_interface", true, trustedPort},
		{"network:distributed", true, trustedPort},
		{"", false, openPort},
		{"compute:nova", false, openPort},
		{"baremetal:none", false, openPort},
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("owner %q port security %v", c.owner, c.security), func(t *testing.T) {
			w := world()
			id := fmt.Sprintf("f0000000-0000-4000-8000-%012d", i)
			mac := fmt.Sprintf("fa:16:3e:00:10:%02x", i)
			addr := fmt.Sprintf("10.0.0.%d", 50+i)
			d := Doc{"id": id, "network_id": netA, "tenant_id": tenant, "device_owner": c.owner, "device_id": rtr,
				"mac_address": mac, "fixed_ips": []any{ip(subA, addr)}, "admin_state_up": true,
				"port_security_enabled": c.security, "security_groups": []any{sgWeb}}
			if c.security {
				d["allowed_address_pairs"] = []any{map[string]any{"ip_address": "10.0.0.200", "mac_address": mac}}
			}
			w.Put("ports", d)
			objs := Builtin().Owned(w, RefOf("ports", id))
			p := find[*topology.Port](t, objs, id)
			in, out, spoof := topology.InChainID(id), topology.OutChainID(id), topology.AntiSpoofChainID(id)
			chains := map[string]bool{}
			for _, o := range objs {
				if ch, ok := o.(*topology.Chain); ok {
					chains[ch.ID] = true
				}
			}

			if c.want == trustedPort {
				if p.InboundFilterID != "" || p.OutboundFilterID != "" || len(chains) != 0 {
					t.Fatalf("trusted port got filters %q/%q and chains %v", p.InboundFilterID, p.OutboundFilterID, chains)
				}
				for _, o := range objs {
					if m, ok := o.(*topology.IPAddrMember); ok {
						t.Errorf("trusted port is a member of group %s", m.GroupID)
					}
				}
				return
			}
			if p.InboundFilterID != in || p.OutboundFilterID != out || !chains[in] || !chains[out] || !chains[spoof] {
				t.Fatalf("filters %q/%q chains %v; want the port's inbound, outbound and anti-spoof chains", p.InboundFilterID, p.OutboundFilterID, chains)
			}
			inRules, outRules, spoofRules := chainRules(objs, in), chainRules(objs, out), chainRules(objs, spoof)
			if c.want == openPort {
				if n := len(inRules) + len(outRules) + len(spoofRules); n != 0 {
					t.Fatalf("port security off, yet %d rules filter the port", n)
				}
				return
			}

			// Anti-spoofing: DHCP out, then (ARP, IP+MAC) per fixed IP and address pair, the
			// IPv6 link-local address and duplicate address detection, then DROP.
			if len(spoofRules) != 8 {
				t.Fatalf("anti-spoof chain has %d rules, want 8", len(spoofRules))
			}
			if r := spoofRules[2]; r.Condition.NwSrcIP != addr+"/32" || r.Condition.DlSrc != mac || r.Action != topology.ActionReturn {
				t.Errorf("fixed-IP rule = %s %+v; want RETURN for %s/32 from %s", r.Action, r.Condition, addr, mac)
			}
			if r := spoofRules[4]; r.Condition.NwSrcIP != "10.0.0.200/32" || r.Condition.DlSrc != mac || r.Action != topology.ActionReturn {
				t.Errorf("address-pair rule = %s %+v; want RETURN for 10.0.0.200/32", r.Action, r.Condition)
			}
			if last := spoofRules[7]; last.Action != topology.ActionDrop || last.Condition.NwSrcIP != "" {
				t.Errorf("anti-spoof chain must end with an unconditional DROP, got %s %+v", last.Action, last.Condition)
			}
			// Traffic from the port: anti-spoof first, then its security group, then DROP.
			if len(inRules) != 4 || inRules[0].JumpChainID != spoof || inRules[2].JumpChainID != topology.InChainID(sgWeb) || inRules[3].Action != topology.ActionDrop {
				t.Errorf("inbound chain = %s", describe(inRules))
			}
			// Traffic to the port: return flows, its security group, then DROP.
			if len(outRules) != 3 || outRules[1].JumpChainID != topology.OutChainID(sgWeb) || outRules[2].Action != topology.ActionDrop {
				t.Errorf("outbound chain = %s", describe(outRules))
			}
			find[*topology.IPAddrMember](t, objs, topology.DerivedID("ipaddr", sgWeb, addr, id))
		})
	}
}

func describe(rs []*topology.Rule) string {
	s := ""
	for _, r := range rs {
		s += fmt.Sprintf("[%d %s %s] ", r.Order, r.Action, r.JumpChainID)
	}
	return s
}
