package sim

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
)

// The topology of seed §8.2.5 (router-interface-fip): one router with its gateway on
// network4 (external; gw-ip, floating-ip-A) and interfaces on network1 (VM-X, fixed-ip-X),
// network2 (VM-Y) and network3 (external-like; VM-Z; floating-ip-B via the interface).
// Both floating IPs belong to fixed-ip-X; fixed-ip-Y and fixed-ip-Z have none. A fourth VM,
// VM-W on network2, has floating-ip-C on network4 (for the selection rules).
const (
	n1, s1   = "01000000-0000-4000-8000-000000000001", "01000000-0000-4000-8000-000000000011"
	n2, s2   = "02000000-0000-4000-8000-000000000002", "02000000-0000-4000-8000-000000000022"
	n3, s3   = "03000000-0000-4000-8000-000000000003", "03000000-0000-4000-8000-000000000033"
	n4, s4   = "04000000-0000-4000-8000-000000000004", "04000000-0000-4000-8000-000000000044"
	r5       = "75000000-0000-4000-8000-000000000005"
	gw5      = "65000000-0000-4000-8000-000000000004"
	rif1     = "65000000-0000-4000-8000-000000000001"
	rif2     = "65000000-0000-4000-8000-000000000002"
	rif3     = "65000000-0000-4000-8000-000000000003"
	vmX      = "c0000000-0000-4000-8000-00000000000c"
	vmY      = "c0000000-0000-4000-8000-00000000000d"
	vmZ      = "c0000000-0000-4000-8000-00000000000e"
	vmW      = "c0000000-0000-4000-8000-00000000000f"
	up4      = "c0000000-0000-4000-8000-0000000000ff"
	sgOpen   = "5e000000-0000-4000-8000-0000000000ff"
	fipA     = "fa000000-0000-4000-8000-00000000000a"
	fipBID   = "fa000000-0000-4000-8000-00000000000b"
	fipC     = "fa000000-0000-4000-8000-00000000000c"
	gwIP     = "172.24.4.10"
	fipAAddr = "172.24.4.20"
	fipBAddr = "203.0.113.50"
	fipCAddr = "172.24.4.30"
	fixedX   = "10.1.0.5"
	fixedY   = "10.2.0.5"
	fixedZ   = "203.0.113.5"
	fixedW   = "10.2.0.6"
)

var (
	macX, macY, macZ    = MustMAC("fa:16:3e:0c:00:01"), MustMAC("fa:16:3e:0d:00:01"), MustMAC("fa:16:3e:0e:00:01")
	macR1, macR2, macR3 = MustMAC("fa:16:3e:01:00:01"), MustMAC("fa:16:3e:02:00:01"), MustMAC("fa:16:3e:03:00:01")
	macGw5, macUp4      = MustMAC("fa:16:3e:04:00:01"), MustMAC("fa:16:3e:04:00:ff")
	macW                = MustMAC("fa:16:3e:0f:00:01")
)

func rifWorld() *translate.World {
	w := translate.NewWorld()
	for _, n := range []struct {
		net, sub, cidr, gw string
		ext                bool
	}{
		{n1, s1, "10.1.0.0/24", "10.1.0.1", false}, {n2, s2, "10.2.0.0/24", "10.2.0.1", false},
		{n3, s3, "203.0.113.0/24", "203.0.113.1", true}, {n4, s4, "172.24.4.0/24", "172.24.4.1", true},
	} {
		w.Put("networks", translate.Doc{"id": n.net, "tenant_id": tenant, "admin_state_up": true, "router:external": n.ext})
		w.Put("subnets", translate.Doc{"id": n.sub, "network_id": n.net, "cidr": n.cidr, "ip_version": 4, "gateway_ip": n.gw, "enable_dhcp": true})
	}
	w.Put("security_groups", translate.Doc{"id": sgOpen, "tenant_id": tenant, "name": "open"})
	w.Put("security_group_rules", sgRule("5e000000-0000-4000-8000-0000000000f1", sgOpen, 1, "direction", "egress"))
	w.Put("security_group_rules", sgRule("5e000000-0000-4000-8000-0000000000f2", sgOpen, 2, "direction", "ingress"))
	w.Put("ports", vmPort(vmX, n1, s1, fixedX, macX, sgOpen))
	w.Put("ports", vmPort(vmY, n2, s2, fixedY, macY, sgOpen))
	w.Put("ports", vmPort(vmZ, n3, s3, fixedZ, macZ, sgOpen))
	w.Put("ports", vmPort(vmW, n2, s2, fixedW, macW, sgOpen))
	w.Put("routers", translate.Doc{"id": r5, "tenant_id": tenant, "admin_state_up": true, "gw_port_id": gw5,
		"external_gateway_info": map[string]any{"network_id": n4, "enable_snat": true}})
	w.Put("ports", translate.Doc{"id": gw5, "network_id": n4, "device_owner": "network:router_gateway", "device_id": r5,
		"mac_address": macGw5.String(), "fixed_ips": []any{fixed(s4, gwIP)}})
	for _, r := range []struct {
		id, net, sub, addr string
		mac                MAC
	}{{rif1, n1, s1, "10.1.0.1", macR1}, {rif2, n2, s2, "10.2.0.1", macR2}, {rif3, n3, s3, "203.0.113.1", macR3}} {
		w.Put("ports", translate.Doc{"id": r.id, "network_id": r.net, "tenant_id": tenant, "device_owner": "network:router_interface",
			"device_id": r5, "mac_address": r.mac.String(), "fixed_ips": []any{fixed(r.sub, r.addr)}})
	}
	w.Put("ports", translate.Doc{"id": up4, "network_id": n4, "mac_address": macUp4.String(), "fixed_ips": []any{fixed(s4, "172.24.4.1")},
		"port_security_enabled": false}) // the upstream router: unfiltered
	w.Put("floatingips", translate.Doc{"id": fipA, "floating_network_id": n4, "floating_ip_address": fipAAddr, "port_id": vmX, "fixed_ip_address": fixedX, "router_id": r5})
	w.Put("floatingips", translate.Doc{"id": fipBID, "floating_network_id": n3, "floating_ip_address": fipBAddr, "port_id": vmX, "fixed_ip_address": fixedX, "router_id": r5})
	w.Put("floatingips", translate.Doc{"id": fipC, "floating_network_id": n4, "floating_ip_address": fipCAddr, "port_id": vmW, "fixed_ip_address": fixedW, "router_id": r5})
	return w
}

func rifEnv(t *testing.T) *env {
	e := newEnv(t, rifWorld())
	e.st.SetARP(r5, ip("172.24.4.1"), macUp4)
	return e
}

// TestRouterInterfaceFIPCases checks the four cases of seed §8.2.5 and their return
// traffic exactly as the spec words them.
func TestRouterInterfaceFIPCases(t *testing.T) {
	e := rifEnv(t)
	// VM-Z finds floating-ip-B on its own network: ARP answers with the interface's MAC.
	arp := e.sim(NewARPRequest(macZ, ip(fixedZ), ip(fipBAddr)), vmZ)
	if arp.Verdict != Consumed || len(arp.Generated) != 1 || arp.Generated[0].Packet.ARP.SenderMAC != macR3 {
		t.Fatalf("ARP for floating-ip-B:\n%s", dump(arp))
	}
	cases := []struct {
		name       string
		from       string
		srcMAC, gw MAC
		src, dst   string
		wantSrc    string // as VM-X receives it
		snat       bool   // source port rewritten by the dynamic gateway SNAT
		replySrc   string // the reply as the sender receives it
	}{
		{"VM-Y to floating-ip-A", vmY, macY, macR2, fixedY, fipAAddr, gwIP, true, fipAAddr},
		{"VM-Y to floating-ip-B", vmY, macY, macR2, fixedY, fipBAddr, gwIP, true, fipAAddr},
		{"VM-Z to floating-ip-B", vmZ, macZ, macR3, fixedZ, fipBAddr, fixedZ, false, fipBAddr},
		{"VM-Z to floating-ip-A", vmZ, macZ, macR3, fixedZ, fipAAddr, fixedZ, false, fipBAddr},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sport := uint16(30000 + i)
			r := e.sim(NewTCP(tc.srcMAC, tc.gw, ip(tc.src), ip(tc.dst), sport, 22), tc.from)
			p := expectForward(t, r, vmX)
			if p.IP.Src != ip(tc.wantSrc) || p.IP.Dst != ip(fixedX) || p.DstPort != 22 {
				t.Fatalf("VM-X receives %s, want %s → %s\n%s", p, tc.wantSrc, fixedX, dump(r))
			}
			if tc.snat && (p.SrcPort < 1024) {
				t.Errorf("SNAT port %d", p.SrcPort)
			}
			if !tc.snat && p.SrcPort != sport {
				t.Errorf("source port rewritten without SNAT: %d", p.SrcPort)
			}
			// VM-X answers to whatever it saw.
			back := NewTCP(macX, macR1, ip(fixedX), p.IP.Src, 22, p.SrcPort)
			rr := e.sim(back, vmX)
			q := expectForward(t, rr, tc.from)
			if q.IP.Src != ip(tc.replySrc) || q.IP.Dst != ip(tc.src) || q.DstPort != sport {
				t.Errorf("reply arrives as %s, want %s → %s:%d\n%s", q, tc.replySrc, tc.src, sport, dump(rr))
			}
		})
	}
}

// TestFloatingIPSelection: with several floating IPs on one fixed IP, SNAT uses the one on
// the egress port first, else the gateway's.
func TestFloatingIPSelection(t *testing.T) {
	e := rifEnv(t)
	cases := []struct {
		name    string
		dst     string
		egress  string
		wantSrc string
		wantDst string
	}{
		{"out of the gateway: floating-ip-A", "8.8.8.8", up4, fipAAddr, "8.8.8.8"},
		{"out of the interface owning floating-ip-B", fixedZ, vmZ, fipBAddr, fixedZ},
		{"to another VM's floating IP (egress owns none): the gateway's", fipCAddr, vmW, fipAAddr, fixedW},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.sim(NewTCP(macX, macR1, ip(fixedX), ip(tc.dst), uint16(20000+i), 22), vmX)
			p := expectForward(t, r, tc.egress)
			if p.IP.Src != ip(tc.wantSrc) || p.IP.Dst != ip(tc.wantDst) || p.SrcPort != uint16(20000+i) {
				t.Errorf("got %s, want %s → %s\n%s", p, tc.wantSrc, tc.wantDst, dump(r))
			}
		})
	}
}
