package simulation_test

import (
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/test/testenv"
)

// vxlanTrace is the part of `midonet trace --json` these tests read: the egress packets
// with their VXLAN headers and inner frame.
type vxlanTrace struct {
	Verdict string `json:"verdict"`
	Egress  []struct {
		PortID string   `json:"port_id"`
		Packet vxlanPkt `json:"packet"`
	} `json:"egress"`
	Drop *struct {
		Kind   string `json:"kind"`
		Reason string `json:"reason"`
	} `json:"drop"`
	Hops []struct {
		Note string `json:"note"`
	} `json:"hops"`
}

type vxlanPkt struct {
	VLAN    int    `json:"vlan"`
	EthSrc  string `json:"eth_src"`
	EthDst  string `json:"eth_dst"`
	DstPort int    `json:"dst_port"`
	VNI     int    `json:"vni"`
	IP      struct {
		Src   string `json:"src"`
		Dst   string `json:"dst"`
		Proto int    `json:"proto"`
	} `json:"ip"`
	Inner *vxlanPkt `json:"inner"`
}

func (a *api) vxlanTrace(t *testing.T, args ...string) vxlanTrace {
	t.Helper()
	args = append([]string{"trace", "--data-dir", a.srv.DataDir, "--json"}, args...)
	out, err := exec.Command(testenv.Binary(t), args...).Output()
	// Exit status 1 is a drop, with the answer on stdout.
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("midonet %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	var r vxlanTrace
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("trace output: %v\n%s", err, out)
	}
	if dropped := err != nil; dropped != (r.Verdict == "dropped") {
		t.Errorf("midonet %s: verdict %s, exit status error %v", strings.Join(args, " "), r.Verdict, err)
	}
	return r
}

// TestBorderGateway: a router made a VTEP (router_vtep gateway device with tunnel IP
// 172.24.4.100), a remote MAC entry behind VTEP 203.0.113.7 on segment 5000, and an L2
// gateway connection of net1 on that segment, all through the API, translated by the
// cluster and simulated by the agent as `midonet trace` shows it:
//   - a frame from vm1 for the remote MAC leaves the router's gateway towards the upstream
//     router as VXLAN from 172.24.4.100 to 203.0.113.7, UDP 4789, VNI 5000, the frame inside;
//   - a VXLAN packet from the VTEP to the tunnel IP with VNI 5000 is delivered to vm1;
//   - without the connection, neither happens.
func TestBorderGateway(t *testing.T) {
	a := &api{t: t, srv: testenv.StartServer(t, testenv.Options{})}
	ext := a.network("ext", true)
	a.subnet(ext, "172.24.4.0/24", nil)
	upstream := a.create("ports", "port", map[string]any{"name": "upstream", "network_id": ext, "device_owner": "compute:nova",
		"port_security_enabled": false, "fixed_ips": []any{map[string]any{"ip_address": "172.24.4.1"}}})["id"].(string)
	net1 := a.network("net1", false)
	a.subnet(net1, "10.0.1.0/24", nil)
	router := a.create("routers", "router", map[string]any{"name": "border", "external_gateway_info": map[string]any{"network_id": ext}})
	rid := router["id"].(string)
	vm1 := a.create("ports", "port", map[string]any{"name": "vm1", "network_id": net1, "device_owner": "compute:nova",
		"port_security_enabled": false, "fixed_ips": []any{map[string]any{"ip_address": "10.0.1.10"}}})
	vm1ID, vm1MAC := vm1["id"].(string), vm1["mac_address"].(string)
	var gwMAC string
	for _, p := range a.call("GET", "ports?device_id="+rid+"&device_owner=network:router_gateway", nil)["ports"].([]any) {
		gwMAC = p.(map[string]any)["mac_address"].(string)
	}
	dev := a.create("gw/gateway_devices", "gateway_device", map[string]any{"name": "border", "type": "router_vtep",
		"resource_id": rid, "tunnel_ips": []any{"172.24.4.100"}})["id"].(string)
	const remoteMAC = "fa:16:3e:77:00:01"
	a.create("gw/gateway_devices/"+dev+"/remote_mac_entries", "remote_mac_entry", map[string]any{
		"mac_address": remoteMAC, "vtep_address": "203.0.113.7", "segmentation_id": 5000})
	gw := a.create("l2-gateways", "l2_gateway", map[string]any{"name": "site-b", "devices": []any{map[string]any{"device_id": dev}}})["id"].(string)
	conn := a.create("l2-gateway-connections", "l2_gateway_connection", map[string]any{"l2_gateway_id": gw, "network_id": net1,
		"segmentation_id": "5000"})["id"].(string)
	settle()

	toRemote := []string{"--from-port", "vm1", "--dst", "10.0.1.50", "--dst-mac", remoteMAC, "--proto", "tcp", "--dport", "22"}
	// The upstream port stands for the path to the remote site: the packet comes from the
	// VTEP's address.
	fromVtep := []string{"--from-port", "upstream", "--src-ip", "203.0.113.7", "--dst", "172.24.4.100", "--dst-mac", gwMAC, "--vxlan-vni", "5000",
		"--inner-src-mac", remoteMAC, "--inner-dst-mac", vm1MAC, "--inner-src-ip", "10.0.1.50", "--inner-dst-ip", "10.0.1.10",
		"--proto", "tcp", "--dport", "22"}

	t.Run("a frame for a remote MAC goes to its VTEP in VXLAN with the segment's VNI", func(t *testing.T) {
		r := a.vxlanTrace(t, toRemote...)
		if r.Verdict != "forwarded" || len(r.Egress) != 1 || r.Egress[0].PortID != upstream {
			t.Fatalf("verdict %s egress %+v drop %+v, want forwarded to the upstream router", r.Verdict, r.Egress, r.Drop)
		}
		p := r.Egress[0].Packet
		if p.IP.Src != "172.24.4.100" || p.IP.Dst != "203.0.113.7" || p.IP.Proto != 17 || p.DstPort != 4789 || p.VNI != 5000 || p.EthSrc != gwMAC {
			t.Errorf("outer packet %+v, want 172.24.4.100 > 203.0.113.7 udp 4789 vni 5000 from the gateway port", p)
		}
		if p.Inner == nil || p.Inner.EthDst != remoteMAC || p.Inner.EthSrc != vm1MAC || p.Inner.IP.Src != "10.0.1.10" || p.Inner.IP.Dst != "10.0.1.50" {
			t.Errorf("inner frame %+v, want vm1's frame to %s", p.Inner, remoteMAC)
		}
		shown := false
		for _, h := range r.Hops {
			shown = shown || strings.Contains(h.Note, "VXLAN encapsulation") && strings.Contains(h.Note, "VNI 5000") && strings.Contains(h.Note, "203.0.113.7")
		}
		if !shown {
			t.Errorf("the trace's hops do not show the encapsulation: %+v", r.Hops)
		}
	})
	t.Run("a VXLAN frame from the VTEP is delivered into the network", func(t *testing.T) {
		r := a.vxlanTrace(t, fromVtep...)
		if r.Verdict != "forwarded" || len(r.Egress) != 1 || r.Egress[0].PortID != vm1ID {
			t.Fatalf("verdict %s egress %+v drop %+v, want forwarded to vm1", r.Verdict, r.Egress, r.Drop)
		}
		p := r.Egress[0].Packet
		if p.Inner != nil || p.VNI != 0 || p.EthSrc != remoteMAC || p.EthDst != vm1MAC || p.IP.Src != "10.0.1.50" || p.IP.Dst != "10.0.1.10" {
			t.Errorf("delivered %+v, want the decapsulated frame", p)
		}
		// Another VNI is not this network's.
		other := append([]string(nil), fromVtep...)
		for i := range other {
			if other[i] == "--vxlan-vni" {
				other[i+1] = "5001"
			}
		}
		if r := a.vxlanTrace(t, other...); r.Verdict != "dropped" || r.Drop == nil || !strings.Contains(r.Drop.Reason, "VNI 5001") {
			t.Errorf("VNI 5001: verdict %s drop %+v", r.Verdict, r.Drop)
		}
		// A sender that is not a VTEP of the segment cannot inject frames.
		spoofed := append([]string(nil), fromVtep...)
		spoofed[3] = "198.51.100.66"
		if r := a.vxlanTrace(t, spoofed...); r.Verdict != "dropped" || r.Drop == nil || !strings.Contains(r.Drop.Reason, "not a VTEP") {
			t.Errorf("from 198.51.100.66: verdict %s drop %+v", r.Verdict, r.Drop)
		}
	})
	t.Run("an entry added after the connection is reached; a deleted one is not", func(t *testing.T) {
		const laterMAC = "fa:16:3e:77:00:02"
		entry := a.create("gw/gateway_devices/"+dev+"/remote_mac_entries", "remote_mac_entry", map[string]any{
			"mac_address": laterMAC, "vtep_address": "203.0.113.8", "segmentation_id": 5000})["id"].(string)
		settle()
		toLater := append([]string(nil), toRemote...)
		for i := range toLater {
			if toLater[i] == remoteMAC {
				toLater[i] = laterMAC
			}
		}
		r := a.vxlanTrace(t, toLater...)
		if r.Verdict != "forwarded" || len(r.Egress) != 1 || r.Egress[0].PortID != upstream || r.Egress[0].Packet.IP.Dst != "203.0.113.8" {
			t.Fatalf("to %s: verdict %s egress %+v drop %+v, want forwarded to VTEP 203.0.113.8", laterMAC, r.Verdict, r.Egress, r.Drop)
		}
		a.call("DELETE", "gw/gateway_devices/"+dev+"/remote_mac_entries/"+entry, nil)
		settle()
		r = a.vxlanTrace(t, toLater...)
		for _, e := range r.Egress {
			if e.PortID == upstream {
				t.Errorf("a frame for the deleted entry's MAC still leaves for a VTEP: %+v", e.Packet)
			}
		}
		if r := a.vxlanTrace(t, toRemote...); r.Verdict != "forwarded" || len(r.Egress) != 1 || r.Egress[0].PortID != upstream {
			t.Errorf("the other entry after the delete: verdict %s egress %+v drop %+v", r.Verdict, r.Egress, r.Drop)
		}
	})
	t.Run("without the connection the network is no longer bridged", func(t *testing.T) {
		a.call("DELETE", "l2-gateway-connections/"+conn, nil)
		settle()
		r := a.vxlanTrace(t, toRemote...)
		for _, e := range r.Egress {
			if e.PortID == upstream {
				t.Errorf("a frame for the remote MAC still leaves for the VTEP: %+v", e.Packet)
			}
		}
		if r := a.vxlanTrace(t, fromVtep...); r.Verdict != "dropped" {
			t.Errorf("VXLAN after the connection's delete: verdict %s egress %+v", r.Verdict, r.Egress)
		}
	})
}

// TestNetworkVlanGateway: a network_vlan gateway device (a VLAN-aware network with a trunk
// port) and an L2 gateway connection of net1 on VLAN 100, through the API: a frame from the
// trunk on VLAN 100 reaches vm1 untagged; a frame of vm1 for a MAC behind the trunk leaves the
// trunk tagged 100.
func TestNetworkVlanGateway(t *testing.T) {
	a := &api{t: t, srv: testenv.StartServer(t, testenv.Options{})}
	net1 := a.network("net1", false)
	a.subnet(net1, "10.0.5.0/24", nil)
	vm1 := a.create("ports", "port", map[string]any{"name": "vm1", "network_id": net1, "device_owner": "compute:nova",
		"port_security_enabled": false, "fixed_ips": []any{map[string]any{"ip_address": "10.0.5.10"}}})
	trunked := a.network("trunked", false)
	a.subnet(trunked, "192.168.100.0/24", nil)
	trunk := a.create("ports", "port", map[string]any{"name": "trunk", "network_id": trunked, "device_owner": "compute:nova",
		"port_security_enabled": false, "fixed_ips": []any{map[string]any{"ip_address": "192.168.100.10"}}})["id"].(string)
	dev := a.create("gw/gateway_devices", "gateway_device", map[string]any{"name": "vlan", "type": "network_vlan", "resource_id": trunked})["id"].(string)
	gw := a.create("l2-gateways", "l2_gateway", map[string]any{"name": "vlan", "devices": []any{map[string]any{"device_id": dev}}})["id"].(string)
	a.create("l2-gateway-connections", "l2_gateway_connection", map[string]any{"l2_gateway_id": gw, "network_id": net1, "segmentation_id": "100"})
	settle()
	const behind = "fa:16:3e:99:00:01"

	r := a.vxlanTrace(t, "--from-port", "trunk", "--vlan", "100", "--src-mac", behind, "--src-ip", "10.0.5.77",
		"--dst", "10.0.5.10", "--dst-mac", vm1["mac_address"].(string), "--proto", "tcp", "--dport", "22")
	if r.Verdict != "forwarded" || len(r.Egress) != 1 || r.Egress[0].PortID != vm1["id"] {
		t.Fatalf("from the trunk: verdict %s egress %+v drop %+v", r.Verdict, r.Egress, r.Drop)
	}
	if p := r.Egress[0].Packet; p.VLAN != 0 || p.EthSrc != behind {
		t.Errorf("delivered %+v, want untagged from %s", p, behind)
	}
	r = a.vxlanTrace(t, "--from-port", "vm1", "--dst", "10.0.5.77", "--dst-mac", behind, "--proto", "tcp", "--dport", "22")
	tagged := false
	for _, e := range r.Egress {
		tagged = tagged || e.PortID == trunk && e.Packet.VLAN == 100
	}
	if !tagged {
		t.Errorf("vm1's frame did not leave the trunk on VLAN 100: verdict %s egress %+v drop %+v", r.Verdict, r.Egress, r.Drop)
	}
}
