package agent_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/agent/ipsec"
)

// pingPattern fills the ICMP payload of the test's pings: were it ever on the underlay in
// clear, the capture would hold these bytes.
const pingPattern = "5ec7e75ec7e75ec7e75ec7e75ec7e7aa"

// TestIPsecTwoSites is VPNaaS end to end on real interfaces (seed 2.7): two hosts on an
// underlay, each holding one "site" — a router whose gateway port is bound to that host, a
// tenant network behind it and a VM in a network namespace on it. IPsec site connections
// join the two routers; each host's agent runs strongSwan for its router in a namespace of
// its own. Through the real API, cluster and datapath: both connections become ACTIVE, the
// VMs ping each other, and a capture of the underlay between the hosts shows ESP (in UDP,
// inside the VXLAN tunnel) and never the pings' payload; a wrong pre-shared key keeps the
// connections DOWN and the VMs apart; with the key mended they are ACTIVE again; disabling
// one connection tears the tunnel down and both go DOWN; deleting the connections removes each
// router's IPsec container (namespace, daemon and link).
func TestIPsecTwoSites(t *testing.T) {
	_, tag := datapathSetup(t, "ip", "ping", "etcd", "tcpdump", "/usr/lib/ipsec/charon")

	h, ul, hosts := startUnderlayHosts(t, tag, "192.168.252", "vpnhv", "mnv", true)

	// The public network both routers' gateways are on, and a site per host.
	pub := h.create("networks", "network", map[string]any{"name": "public", "tenant_id": "admin", "router:external": true})
	h.create("subnets", "subnet", map[string]any{"network_id": pub["id"], "cidr": "172.24.50.0/24", "ip_version": 4, "tenant_id": "admin", "enable_dhcp": false})
	type site struct {
		router, gw, cidr string
		vm               *vm
	}
	var sites []*site
	for i, hh := range hosts {
		cidr := fmt.Sprintf("10.6%d.0.0/24", i+1)
		n := h.create("networks", "network", map[string]any{"name": "site", "tenant_id": "admin"})
		sub := h.create("subnets", "subnet", map[string]any{"network_id": n["id"], "cidr": cidr, "ip_version": 4, "tenant_id": "admin"})
		r := h.create("routers", "router", map[string]any{"name": "site", "tenant_id": "admin", "external_gateway_info": map[string]any{"network_id": pub["id"]}})
		if code, out := h.do("PUT", "/v2.0/routers/"+r["id"].(string)+"/add_router_interface", map[string]any{"subnet_id": sub["id"]}, nil); code != 200 {
			t.Fatalf("router interface: %d %v", code, out)
		}
		gw := r["external_gateway_info"].(map[string]any)["external_fixed_ips"].([]any)[0].(map[string]any)["ip_address"].(string)
		// The router's VPN runs on the host its gateway port is bound to.
		code, out := h.do("GET", "/v2.0/ports?device_owner=network:router_gateway&device_id="+r["id"].(string), nil, nil)
		ports, _ := out["ports"].([]any)
		if code != 200 || len(ports) != 1 {
			t.Fatalf("gateway port of router %s: %d %v", r["id"], code, out)
		}
		gwPort := ports[0].(map[string]any)["id"].(string)
		if code, out := h.do("PUT", "/v2.0/ports/"+gwPort, map[string]any{"port": map[string]any{"binding:host_id": hh.name}}, nil); code != 200 {
			t.Fatalf("bind gateway port to %s: %d %v", hh.name, code, out)
		}
		p := h.create("ports", "port", map[string]any{"name": fmt.Sprintf("vm%d", i+1), "network_id": n["id"], "tenant_id": "admin", "device_owner": "compute:nova"})
		v := newVM(t, fmt.Sprintf("%sv%d", tag, i+1), p, hh.ns)
		if code, out := h.do("PUT", "/v2.0/ports/"+p["id"].(string), map[string]any{"port": map[string]any{
			"binding:host_id": hh.name, "binding:profile": map[string]any{"interface_name": v.hostEnd}}}, nil); code != 200 {
			t.Fatalf("bind vm port: %d %v", code, out)
		}
		run(t, "ip", "-n", v.ns, "addr", "add", v.ip()+"/24", "dev", "eth0")
		run(t, "ip", "-n", v.ns, "route", "add", "default", "via", sub["gateway_ip"].(string))
		sites = append(sites, &site{router: r["id"].(string), gw: gw, cidr: cidr, vm: v})
	}
	code, out := h.do("GET", "/v2.0/security-groups?name=default&tenant_id=admin", nil, nil)
	groups, _ := out["security_groups"].([]any)
	if code != 200 || len(groups) != 1 {
		t.Fatalf("default group: %d %v", code, out)
	}
	h.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": groups[0].(map[string]any)["id"],
		"direction": "ingress", "ethertype": "IPv4", "protocol": "icmp", "tenant_id": "admin"})
	a, b := sites[0], sites[1]
	for _, s := range sites {
		eventually(t, 30*time.Second, "vm "+s.vm.port["name"].(string)+" ACTIVE", func() bool { return h.portStatus(s.vm.port["id"].(string)) == "ACTIVE" })
	}
	// Without the VPN the sites cannot reach each other's private addresses.
	if a.vm.ping(b.vm.ip()) {
		t.Fatal("site A reached site B's private address without a VPN")
	}

	ike := h.create("vpn/ikepolicies", "ikepolicy", map[string]any{"name": "ike", "tenant_id": "admin", "ike_version": "v2",
		"encryption_algorithm": "aes-256", "auth_algorithm": "sha256", "pfs": "group14"})
	ipsec := h.create("vpn/ipsecpolicies", "ipsecpolicy", map[string]any{"name": "ipsec", "tenant_id": "admin",
		"encryption_algorithm": "aes-128", "auth_algorithm": "sha256", "pfs": "group14"})
	conns := map[*site]string{}
	created := time.Now()
	for _, pair := range [][2]*site{{a, b}, {b, a}} {
		local, peer := pair[0], pair[1]
		svc := h.create("vpn/vpnservices", "vpnservice", map[string]any{"router_id": local.router, "tenant_id": "admin"})
		if svc["status"] != "ACTIVE" || svc["external_v4_ip"] != local.gw {
			t.Fatalf("VPN service %v", svc)
		}
		code, out := h.do("GET", "/v2.0/subnets?cidr="+local.cidr, nil, nil)
		subs, _ := out["subnets"].([]any)
		if code != 200 || len(subs) != 1 {
			t.Fatalf("subnet %s: %d %v", local.cidr, code, out)
		}
		localGroup := h.create("vpn/endpoint-groups", "endpoint_group", map[string]any{"type": "subnet", "tenant_id": "admin",
			"endpoints": []string{subs[0].(map[string]any)["id"].(string)}})
		peerGroup := h.create("vpn/endpoint-groups", "endpoint_group", map[string]any{"type": "cidr", "endpoints": []string{peer.cidr}, "tenant_id": "admin"})
		c := h.create("vpn/ipsec-site-connections", "ipsec_site_connection", map[string]any{"tenant_id": "admin",
			"vpnservice_id": svc["id"], "ikepolicy_id": ike["id"], "ipsecpolicy_id": ipsec["id"],
			"peer_address": peer.gw, "peer_id": peer.gw, "psk": "shared-s3cret",
			"local_ep_group_id": localGroup["id"], "peer_ep_group_id": peerGroup["id"]})
		if c["status"] != "DOWN" {
			t.Fatalf("new connection %v, want DOWN until the tunnel is up", c)
		}
		conns[local] = c["id"].(string)
	}
	status := func(s *site) string {
		code, out := h.do("GET", "/v2.0/vpn/ipsec-site-connections/"+conns[s], nil, nil)
		if code != 200 {
			t.Fatalf("GET connection: %d %v", code, out)
		}
		return out["ipsec_site_connection"].(map[string]any)["status"].(string)
	}
	bothActive := func() bool { return status(a) == "ACTIVE" && status(b) == "ACTIVE" }
	eventually(t, 60*time.Second, "both connections ACTIVE", bothActive)
	t.Logf("bench: both connections ACTIVE %.1f s after they were created", time.Since(created).Seconds())

	// Encrypted on the wire: capture the underlay while the sites ping each other.
	capture := filepath.Join(t.TempDir(), "underlay.pcap")
	dump := exec.Command("tcpdump", "-i", ul.bridge, "-U", "-w", capture, "udp port 4789")
	var dumpOut bytes.Buffer
	dump.Stdout, dump.Stderr = &dumpOut, &dumpOut
	if err := dump.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	pingOK := func(from, to *site) bool {
		_, err := from.vm.exec("ping", "-c", "1", "-W", "2", "-p", pingPattern, to.vm.ip())
		return err == nil
	}
	eventually(t, 30*time.Second, "A pings B through the tunnel", func() bool { return pingOK(a, b) })
	for i := 0; i < 5; i++ {
		if !pingOK(a, b) || !pingOK(b, a) {
			t.Fatalf("ping %d through the tunnel failed", i)
		}
	}
	if out, err := a.vm.exec("ping", "-c", "20", "-i", "0.2", b.vm.ip()); err == nil {
		if i := strings.Index(out, "rtt min/avg/max"); i >= 0 {
			t.Logf("bench: ping through the tunnel, 20 packets: %s", strings.TrimSpace(out[i:]))
		}
	}
	time.Sleep(time.Second)
	_ = dump.Process.Signal(os.Interrupt)
	_ = dump.Wait()
	frames := readPcap(t, capture)
	pattern, _ := hex.DecodeString(pingPattern)
	esp, plain := 0, 0
	for _, f := range frames {
		if bytes.Contains(f, pattern) {
			plain++
		}
		if inner := vxlanInnerIPv4(f); inner != nil && isESPInUDP(inner, a.gw, b.gw) {
			esp++
		}
	}
	if plain != 0 {
		t.Fatalf("the pings' payload crossed the underlay in clear in %d of %d frames", plain, len(frames))
	}
	if esp < 10 {
		t.Fatalf("%d ESP packets between %s and %s on the underlay (of %d captured frames), want the 12 pings' at least:\n%s", esp, a.gw, b.gw, len(frames), dumpOut.String())
	}

	// A wrong pre-shared key on one side: the tunnel goes and does not come back.
	if code, out := h.do("PUT", "/v2.0/vpn/ipsec-site-connections/"+conns[b], map[string]any{"ipsec_site_connection": map[string]any{"psk": "not-the-key"}}, nil); code != 200 {
		t.Fatalf("update psk: %d %v", code, out)
	}
	eventually(t, 60*time.Second, "both connections DOWN with a wrong key", func() bool { return status(a) == "DOWN" && status(b) == "DOWN" })
	time.Sleep(10 * time.Second)
	if status(a) != "DOWN" || status(b) != "DOWN" {
		t.Fatalf("a connection came up with a wrong key: A %s, B %s\n%s\n%s", status(a), status(b), charonLog(a.router), charonLog(b.router))
	}
	if pingOK(a, b) {
		t.Fatal("the sites reached each other with a wrong key")
	}

	// The right key again: ACTIVE, traffic flows.
	if code, out := h.do("PUT", "/v2.0/vpn/ipsec-site-connections/"+conns[b], map[string]any{"ipsec_site_connection": map[string]any{"psk": "shared-s3cret"}}, nil); code != 200 {
		t.Fatalf("update psk: %d %v", code, out)
	}
	eventually(t, 60*time.Second, "both connections ACTIVE with the right key", bothActive)
	eventually(t, 30*time.Second, "B pings A again", func() bool { return pingOK(b, a) })

	// Disabling A's connection tears the tunnel down: both DOWN, no traffic.
	if code, out := h.do("PUT", "/v2.0/vpn/ipsec-site-connections/"+conns[a], map[string]any{"ipsec_site_connection": map[string]any{"admin_state_up": false}}, nil); code != 200 {
		t.Fatalf("disable: %d %v", code, out)
	}
	eventually(t, 60*time.Second, "both connections DOWN once one side is disabled", func() bool { return status(a) == "DOWN" && status(b) == "DOWN" })
	if pingOK(b, a) {
		t.Fatal("the sites reached each other with the connection disabled")
	}

	// Deleting the connections takes each router's IPsec container away: its link to the
	// datapath leaves the host.
	for i, s := range sites {
		link := "vpn-" + s.router[:8]
		if err := exec.Command("ip", "-n", hosts[i].ns, "link", "show", link).Run(); err != nil {
			t.Fatalf("the container link %s is not on %s: %v", link, hosts[i].name, err)
		}
		if code, out := h.do("DELETE", "/v2.0/vpn/ipsec-site-connections/"+conns[s], nil, nil); code != 204 {
			t.Fatalf("delete connection: %d %v", code, out)
		}
	}
	for i, s := range sites {
		link := "vpn-" + s.router[:8]
		eventually(t, 30*time.Second, "container link "+link+" removed from "+hosts[i].name, func() bool {
			return exec.Command("ip", "-n", hosts[i].ns, "link", "show", link).Run() != nil
		})
	}
}

// readPcap returns the frames of a classic pcap file (Ethernet link type).
func readPcap(t *testing.T, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 24 {
		t.Fatalf("capture %s: %v (%d bytes)", path, err, len(b))
	}
	var order binary.ByteOrder = binary.LittleEndian
	if binary.BigEndian.Uint32(b) == 0xa1b2c3d4 || binary.BigEndian.Uint32(b) == 0xa1b23c4d {
		order = binary.BigEndian
	}
	var frames [][]byte
	for off := 24; off+16 <= len(b); {
		n := int(order.Uint32(b[off+8:]))
		off += 16
		if off+n > len(b) {
			break
		}
		frames = append(frames, b[off:off+n])
		off += n
	}
	return frames
}

// vxlanInnerIPv4 is the IPv4 packet inside a VXLAN frame (Ethernet/IPv4/UDP 4789/VXLAN/
// Ethernet/IPv4), or nil.
func vxlanInnerIPv4(f []byte) []byte {
	if len(f) < 14+20 || binary.BigEndian.Uint16(f[12:]) != 0x0800 {
		return nil
	}
	ip := f[14:]
	ihl := int(ip[0]&0x0f) * 4
	if ip[9] != 17 || len(ip) < ihl+8+8+14+20 {
		return nil
	}
	udp := ip[ihl:]
	if binary.BigEndian.Uint16(udp[2:]) != 4789 {
		return nil
	}
	inner := udp[8+8:]
	if binary.BigEndian.Uint16(inner[12:]) != 0x0800 {
		return nil
	}
	return inner[14:]
}

// isESPInUDP reports whether an IPv4 packet is ESP in UDP (RFC 3948: port 4500, a non-zero
// SPI where IKE has its zero marker) between the two gateway addresses.
func isESPInUDP(ip []byte, x, y string) bool {
	if len(ip) < 20 || ip[9] != 17 {
		return false
	}
	src := fmt.Sprintf("%d.%d.%d.%d", ip[12], ip[13], ip[14], ip[15])
	dst := fmt.Sprintf("%d.%d.%d.%d", ip[16], ip[17], ip[18], ip[19])
	if !(src == x && dst == y || src == y && dst == x) {
		return false
	}
	ihl := int(ip[0]&0x0f) * 4
	if len(ip) < ihl+8+8 {
		return false
	}
	udp := ip[ihl:]
	return binary.BigEndian.Uint16(udp[0:]) == 4500 && binary.BigEndian.Uint16(udp[2:]) == 4500 && binary.BigEndian.Uint32(udp[8:]) != 0
}

// charonLog is the end of the charon log of a router's IPsec site (the agent keeps it in its
// default state dir while the site runs), for a failure's message.
func charonLog(router string) string {
	b, err := os.ReadFile(filepath.Join(ipsec.DefaultStateDir(), router, "charon.log"))
	if err != nil {
		return "charon log of " + router + ": " + err.Error()
	}
	if len(b) > 16<<10 {
		b = b[len(b)-16<<10:]
	}
	return "charon log of " + router + " (end):\n" + string(b)
}
