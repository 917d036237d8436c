package simulation_test

import (
	"testing"

	"github.com/midonet-go/midonet/test/testenv"
)

// TestPortForwardingThroughTheAPI: a port forwarding made through the API makes TCP from
// outside to the floating IP's port 2222 reach the VM's port 22, and the VM's answer leave
// from the floating IP's port 2222 (not from the gateway's SNAT address); other ports of the
// floating IP, and UDP to 2222, reach nothing; the VM's own connections out still leave from
// the gateway address; deleting the forwarding stops it.
func TestPortForwardingThroughTheAPI(t *testing.T) {
	a := &api{t: t, srv: testenv.StartServer(t, testenv.Options{})}
	ext := a.network("pf-ext", true)
	a.subnet(ext, "172.24.4.0/24", nil)
	upstream := a.create("ports", "port", map[string]any{"name": "upstream", "network_id": ext, "device_owner": "compute:nova",
		"port_security_enabled": false, "fixed_ips": []any{map[string]any{"ip_address": "172.24.4.1"}}})["id"].(string)
	net1 := a.network("pf-net", false)
	sub1 := a.subnet(net1, "10.0.1.0/24", nil)
	ssh := a.create("security-groups", "security_group", map[string]any{"name": "ssh"})["id"].(string)
	a.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": ssh, "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22})
	router := a.create("routers", "router", map[string]any{"name": "r", "external_gateway_info": map[string]any{"network_id": ext}})
	rid := router["id"].(string)
	gwIP := router["external_gateway_info"].(map[string]any)["external_fixed_ips"].([]any)[0].(map[string]any)["ip_address"].(string)
	a.call("PUT", "routers/"+rid+"/add_router_interface", map[string]any{"subnet_id": sub1})
	vm := a.vm("vm", net1, "10.0.1.10", ssh)
	fip := a.create("floatingips", "floatingip", map[string]any{"floating_network_id": ext})
	fipID, fipIP := fip["id"].(string), fip["floating_ip_address"].(string)
	pf := a.call("POST", "floatingips/"+fipID+"/port_forwardings", map[string]any{"port_forwarding": map[string]any{
		"internal_port_id": vm, "internal_ip_address": "10.0.1.10", "internal_port": 22, "external_port": 2222, "protocol": "tcp"}})["port_forwarding"].(map[string]any)
	settle()

	t.Run("in to the VM's port, the reply out from the floating IP's port", func(t *testing.T) {
		r := a.trace(t, "--from-port", "upstream", "--dst", fipIP, "--proto", "tcp", "--dport", "2222", "--reply")
		forwardedTo(t, r, vm, "172.24.4.1", "10.0.1.10")
		if p := r.Egress[0].Packet; p.DstPort != 22 || p.SrcPort != 40000 {
			t.Errorf("the VM got ports %d → %d; want 40000 → 22", p.SrcPort, p.DstPort)
		}
		if r.Reply == nil {
			t.Fatal("no reply traced")
		}
		forwardedTo(t, *r.Reply, upstream, fipIP, "172.24.4.1")
		if p := r.Reply.Egress[0].Packet; p.SrcPort != 2222 || p.DstPort != 40000 {
			t.Errorf("the reply left with ports %d → %d; want 2222 → 40000", p.SrcPort, p.DstPort)
		}
	})
	t.Run("other ports and protocols of the floating IP reach nothing", func(t *testing.T) {
		for _, args := range [][]string{{"--proto", "tcp", "--dport", "2223"}, {"--proto", "udp", "--dport", "2222"}} {
			r := a.trace(t, append([]string{"--from-port", "upstream", "--dst", fipIP}, args...)...)
			for _, e := range r.Egress {
				if e.PortID == vm {
					t.Errorf("%v reached the VM", args)
				}
			}
		}
	})
	t.Run("the VM's own connections still leave from the gateway address", func(t *testing.T) {
		r := a.trace(t, "--from-port", "vm", "--dst", "8.8.8.8", "--proto", "tcp", "--sport", "22", "--dport", "443")
		forwardedTo(t, r, upstream, gwIP, "8.8.8.8")
	})
	t.Run("deleting the forwarding stops it", func(t *testing.T) {
		a.call("DELETE", "floatingips/"+fipID+"/port_forwardings/"+pf["id"].(string), nil)
		settle()
		r := a.trace(t, "--from-port", "upstream", "--dst", fipIP, "--proto", "tcp", "--dport", "2222")
		for _, e := range r.Egress {
			if e.PortID == vm {
				t.Fatalf("the deleted forwarding still reaches the VM: %+v", r.Egress)
			}
		}
	})
}
