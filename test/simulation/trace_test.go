// Package simulation_test builds topologies through the real Neutron API of `midonet serve`,
// lets the real cluster translate them, and asks `midonet trace --json` what the agent's
// simulator does with packets: forwarding across a router, SNAT and floating IPs, security
// groups, anti-spoofing and allowed address pairs, extra routes with a source, DHCP offers,
// and the floating-IP-via-router-interface cases of the spec (seed 8.2.5).
package simulation_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type api struct {
	t   *testing.T
	srv *testenv.Server
}

func (a *api) call(method, path string, body any) map[string]any {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.srv.URL+"/v2.0/"+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode >= 300 {
		a.t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, out)
	}
	return out
}

func (a *api) create(coll, member string, body map[string]any) map[string]any {
	a.t.Helper()
	body["tenant_id"] = "sim"
	return a.call("POST", coll, map[string]any{member: body})[member].(map[string]any)
}

func (a *api) network(name string, external bool) string {
	return a.create("networks", "network", map[string]any{"name": name, "router:external": external})["id"].(string)
}

func (a *api) subnet(net, cidr string, extra map[string]any) string {
	// The pool is the upper half of a /24 (.128-.254): the addresses the tests give ports by
	// hand (below .128) never collide with random allocations (gateways, floating IPs).
	pfx := netip.MustParsePrefix(cidr).Masked().Addr().As4()
	at := func(i byte) string { b := pfx; b[3] = i; return netip.AddrFrom4(b).String() }
	body := map[string]any{"network_id": net, "cidr": cidr, "ip_version": 4,
		"allocation_pools": []any{map[string]any{"start": at(128), "end": at(254)}}}
	for k, v := range extra {
		body[k] = v
	}
	return a.create("subnets", "subnet", body)["id"].(string)
}

// vm makes a VM port with a fixed address.
func (a *api) vm(name, net, ip string, groups ...string) string {
	body := map[string]any{"name": name, "network_id": net, "device_owner": "compute:nova",
		"fixed_ips": []any{map[string]any{"ip_address": ip}}}
	if len(groups) > 0 {
		body["security_groups"] = groups
	}
	return a.create("ports", "port", body)["id"].(string)
}

type traceOut struct {
	Verdict string `json:"verdict"`
	Egress  []struct {
		PortID  string `json:"port_id"`
		Headers string `json:"headers"`
		Packet  struct {
			VLAN int `json:"vlan"`
			IP   struct {
				Src string `json:"src"`
				Dst string `json:"dst"`
				TOS int    `json:"tos"`
			} `json:"ip"`
			SrcPort int `json:"src_port"`
			DstPort int `json:"dst_port"`
		} `json:"packet"`
	} `json:"egress"`
	Generated []struct {
		PortID string `json:"port_id"`
		Packet struct {
			DHCP *struct {
				YourIP       string   `json:"your_ip"`
				Router       string   `json:"router"`
				DNS          []string `json:"dns"`
				MTU          int      `json:"mtu"`
				LeaseSeconds int      `json:"lease_seconds"`
				Options      []struct {
					Name  string `json:"name"`
					Value string `json:"value"`
				} `json:"options"`
			} `json:"dhcp"`
		} `json:"packet"`
	} `json:"generated"`
	Mirrored []struct {
		PortID string `json:"port_id"`
		Packet struct {
			IP struct {
				Src string `json:"src"`
				Dst string `json:"dst"`
			} `json:"ip"`
		} `json:"packet"`
	} `json:"mirrored"`
	Drop *struct {
		Kind            string `json:"kind"`
		Reason          string `json:"reason"`
		ChainName       string `json:"chain_name"`
		RuleID          string `json:"rule_id"`
		SecurityGroupID string `json:"security_group_id"`
		FirewallID      string `json:"firewall_id"`
		FirewallRuleID  string `json:"firewall_rule_id"`
	} `json:"drop"`
	Hops   []map[string]any `json:"hops"`
	Meters []string         `json:"meters"`
	Reply  *traceOut        `json:"reply"`
}

func (a *api) trace(t *testing.T, args ...string) traceOut {
	t.Helper()
	args = append([]string{"trace", "--data-dir", a.srv.DataDir, "--json"}, args...)
	cmd := exec.Command(testenv.Binary(t), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("midonet %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	var r traceOut
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("trace output: %v\n%s", err, out)
	}
	// The exit status says the verdict: 1 for a drop, 0 otherwise.
	if dropped := err != nil; dropped != (r.Verdict == "dropped") {
		t.Errorf("midonet %s: verdict %s, exit status error %v", strings.Join(args, " "), r.Verdict, err)
	}
	if len(r.Hops) == 0 {
		t.Errorf("trace %v has no hops", args)
	}
	return r
}

func forwardedTo(t *testing.T, r traceOut, port, src, dst string) {
	t.Helper()
	if r.Verdict != "forwarded" || len(r.Egress) != 1 {
		t.Fatalf("verdict %s, egress %+v, drop %+v; want forwarded to %s", r.Verdict, r.Egress, r.Drop, port)
	}
	e := r.Egress[0]
	if e.PortID != port || e.Packet.IP.Src != src || e.Packet.IP.Dst != dst {
		t.Fatalf("egress %s %s→%s, want %s %s→%s (%s)", e.PortID, e.Packet.IP.Src, e.Packet.IP.Dst, port, src, dst, e.Headers)
	}
}

// settle waits until the agent's cache has caught up with the last write.
func settle() { time.Sleep(300 * time.Millisecond) }

func TestTopologyThroughTheAPI(t *testing.T) {
	a := &api{t: t, srv: testenv.StartServer(t, testenv.Options{})}
	ext := a.network("ext", true)
	a.subnet(ext, "172.24.4.0/24", nil)
	// The physical router beyond the gateway: no security on its port.
	upstream := a.create("ports", "port", map[string]any{"name": "upstream", "network_id": ext, "device_owner": "compute:nova",
		"port_security_enabled": false, "fixed_ips": []any{map[string]any{"ip_address": "172.24.4.1"}}})["id"].(string)
	net1, net2 := a.network("net1", false), a.network("net2", false)
	// vm3 sits at .200, outside the /25 of an extra route's source: the pool avoids it.
	sub1 := a.subnet(net1, "10.0.1.0/24", map[string]any{"dns_nameservers": []any{"9.9.9.9"},
		"allocation_pools": []any{map[string]any{"start": "10.0.1.150", "end": "10.0.1.199"}}})
	sub2 := a.subnet(net2, "10.0.2.0/24", nil)
	web := a.create("security-groups", "security_group", map[string]any{"name": "web"})["id"].(string)
	a.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": web, "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22})
	router := a.create("routers", "router", map[string]any{"name": "r", "external_gateway_info": map[string]any{"network_id": ext}})
	rid := router["id"].(string)
	gwIP := router["external_gateway_info"].(map[string]any)["external_fixed_ips"].([]any)[0].(map[string]any)["ip_address"].(string)
	a.call("PUT", "routers/"+rid+"/add_router_interface", map[string]any{"subnet_id": sub1})
	a.call("PUT", "routers/"+rid+"/add_router_interface", map[string]any{"subnet_id": sub2})
	vm1 := a.vm("vm1", net1, "10.0.1.10")
	a.vm("vm3", net1, "10.0.1.200")
	vm2 := a.vm("vm2", net2, "10.0.2.20", web)
	settle()

	t.Run("across the router, allowed by the security group", func(t *testing.T) {
		r := a.trace(t, "--from-port", "vm1", "--dst", "10.0.2.20", "--proto", "tcp", "--dport", "22")
		forwardedTo(t, r, vm2, "10.0.1.10", "10.0.2.20")
	})
	t.Run("denied by the security group, naming it", func(t *testing.T) {
		r := a.trace(t, "--from-port", vm1, "--dst", "10.0.2.20", "--proto", "tcp", "--dport", "80")
		if r.Verdict != "dropped" || r.Drop == nil || r.Drop.Kind != "rule" || r.Drop.SecurityGroupID != web || !strings.Contains(r.Drop.ChainName, vm2) {
			t.Fatalf("verdict %s drop %+v; want a rule drop in vm2's chain naming group web", r.Verdict, r.Drop)
		}
	})
	t.Run("to the internet with SNAT to the gateway", func(t *testing.T) {
		r := a.trace(t, "--from-port", "vm1", "--dst", "8.8.8.8", "--proto", "udp", "--dport", "53")
		forwardedTo(t, r, upstream, gwIP, "8.8.8.8")
	})
	t.Run("anti-spoofing and allowed address pairs", func(t *testing.T) {
		r := a.trace(t, "--from-port", "vm1", "--dst", "10.0.1.200", "--src-ip", "10.0.1.99")
		if r.Verdict != "dropped" || r.Drop == nil || r.Drop.Kind != "anti-spoof" {
			t.Fatalf("spoofed source: verdict %s drop %+v", r.Verdict, r.Drop)
		}
		a.call("PUT", "ports/"+vm1, map[string]any{"port": map[string]any{"allowed_address_pairs": []any{map[string]any{"ip_address": "10.0.1.99"}}}})
		settle()
		r = a.trace(t, "--from-port", "vm1", "--dst", "10.0.2.20", "--src-ip", "10.0.1.99", "--proto", "tcp", "--dport", "22")
		forwardedTo(t, r, vm2, "10.0.1.99", "10.0.2.20")
	})
	t.Run("extra route with a source", func(t *testing.T) {
		a.call("PUT", "routers/"+rid, map[string]any{"router": map[string]any{"routes": []any{
			map[string]any{"destination": "192.168.50.0/24", "nexthop": "10.0.2.20", "source": "10.0.1.0/25"}}}})
		settle()
		r := a.trace(t, "--from-port", "vm1", "--dst", "192.168.50.5", "--proto", "tcp", "--dport", "22")
		forwardedTo(t, r, vm2, "10.0.1.10", "192.168.50.5")
		// vm3 (10.0.1.200) is outside the source: it takes the default route instead.
		r = a.trace(t, "--from-port", "vm3", "--dst", "192.168.50.5", "--proto", "tcp", "--dport", "22")
		forwardedTo(t, r, upstream, gwIP, "192.168.50.5")
	})
	t.Run("floating IP in and out", func(t *testing.T) {
		fip := a.create("floatingips", "floatingip", map[string]any{"floating_network_id": ext, "port_id": vm1})
		fipIP := fip["floating_ip_address"].(string)
		settle()
		// vm1's default group admits only its own members: the web port 22 is closed.
		r := a.trace(t, "--from-port", "upstream", "--dst", fipIP, "--proto", "tcp", "--dport", "22")
		if r.Verdict != "dropped" || r.Drop == nil || r.Drop.Kind != "rule" {
			t.Fatalf("inbound to a closed port: %+v", r)
		}
		a.call("PUT", "ports/"+vm1, map[string]any{"port": map[string]any{"security_groups": []any{web}}})
		settle()
		r = a.trace(t, "--from-port", "upstream", "--dst", fipIP, "--proto", "tcp", "--dport", "22")
		forwardedTo(t, r, vm1, "172.24.4.1", "10.0.1.10")
		r = a.trace(t, "--from-port", "vm1", "--dst", "8.8.8.8", "--proto", "udp", "--dport", "53")
		forwardedTo(t, r, upstream, fipIP, "8.8.8.8")
	})
	t.Run("DHCP offer", func(t *testing.T) {
		r := a.trace(t, "--from-port", "vm2", "--dhcp")
		if len(r.Generated) != 1 || r.Generated[0].Packet.DHCP == nil {
			t.Fatalf("no DHCP offer: %+v", r)
		}
		d := r.Generated[0].Packet.DHCP
		if d.YourIP != "10.0.2.20" || d.Router != "10.0.2.1" || d.LeaseSeconds != 86400 || d.MTU == 0 {
			t.Errorf("offer = %+v", d)
		}
		r = a.trace(t, "--from-port", "vm1", "--dhcp")
		if d := r.Generated[0].Packet.DHCP; len(d.DNS) != 1 || d.DNS[0] != "9.9.9.9" {
			t.Errorf("vm1 offer DNS = %+v", d.DNS)
		}
	})
	t.Run("ICMP echo to the router interface", func(t *testing.T) {
		r := a.trace(t, "--from-port", "vm1", "--dst", "10.0.1.1")
		if r.Verdict != "consumed" || len(r.Generated) != 1 || r.Generated[0].PortID != vm1 {
			t.Fatalf("echo to the router: %+v", r)
		}
	})
	_ = fmt.Sprint
}

// TestFloatingIPViaRouterInterface reproduces seed 8.2.5: network4 (external, the router's
// gateway, floating-ip-A) and network3 (external, attached by an ordinary interface,
// floating-ip-B), both floating IPs on fixed-ip-X; VM-Y behind the router, VM-Z on network3.
func TestFloatingIPViaRouterInterface(t *testing.T) {
	a := &api{t: t, srv: testenv.StartServer(t, testenv.Options{})}
	net4, net3 := a.network("network4", true), a.network("network3", true)
	a.subnet(net4, "172.16.4.0/24", nil)
	sub3 := a.subnet(net3, "172.16.3.0/24", nil)
	netX, netY := a.network("netX", false), a.network("netY", false)
	subX := a.subnet(netX, "10.1.0.0/24", nil)
	subY := a.subnet(netY, "10.2.0.0/24", nil)
	router := a.create("routers", "router", map[string]any{"name": "r", "external_gateway_info": map[string]any{"network_id": net4}})
	rid := router["id"].(string)
	gwIP := router["external_gateway_info"].(map[string]any)["external_fixed_ips"].([]any)[0].(map[string]any)["ip_address"].(string)
	for _, s := range []string{subX, subY, sub3} {
		a.call("PUT", "routers/"+rid+"/add_router_interface", map[string]any{"subnet_id": s})
	}
	// Open security groups so that only NAT decides what arrives.
	for _, proj := range []string{"sim"} {
		groups := a.call("GET", "security-groups?tenant_id="+proj+"&name=default", nil)["security_groups"].([]any)
		sg := groups[0].(map[string]any)["id"].(string)
		a.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": sg, "direction": "ingress", "ethertype": "IPv4", "remote_ip_prefix": "0.0.0.0/0"})
	}
	x := a.vm("vm-x", netX, "10.1.0.10")
	a.vm("vm-y", netY, "10.2.0.10")
	a.vm("vm-z", net3, "172.16.3.10")
	a.create("ports", "port", map[string]any{"name": "host4", "network_id": net4, "device_owner": "compute:nova",
		"port_security_enabled": false, "fixed_ips": []any{map[string]any{"ip_address": "172.16.4.100"}}})
	fipA := a.create("floatingips", "floatingip", map[string]any{"floating_network_id": net4, "port_id": x})["floating_ip_address"].(string)
	fipB := a.create("floatingips", "floatingip", map[string]any{"floating_network_id": net3, "port_id": x})["floating_ip_address"].(string)
	settle()
	cases := []struct {
		name, from, dst, wantSrc string
	}{
		{"VM-Y to floating-ip-A is SNATed to the gateway", "vm-y", fipA, gwIP},
		{"VM-Y to floating-ip-B is SNATed to the gateway", "vm-y", fipB, gwIP},
		{"VM-Z to floating-ip-B is not SNATed", "vm-z", fipB, "172.16.3.10"},
		{"VM-Z to floating-ip-A is not SNATed", "vm-z", fipA, "172.16.3.10"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := a.trace(t, "--from-port", c.from, "--dst", c.dst, "--proto", "tcp", "--dport", "22")
			forwardedTo(t, r, x, c.wantSrc, "10.1.0.10")
		})
	}
	// Which floating IP VM-X's traffic leaves with: the one on the egress port.
	t.Run("VM-X to network3 uses floating-ip-B", func(t *testing.T) {
		r := a.trace(t, "--from-port", "vm-x", "--dst", "172.16.3.10", "--proto", "tcp", "--dport", "22")
		if r.Verdict != "forwarded" || r.Egress[0].Packet.IP.Src != fipB {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("VM-X to network4 uses floating-ip-A", func(t *testing.T) {
		r := a.trace(t, "--from-port", "vm-x", "--dst", "172.16.4.100", "--proto", "tcp", "--dport", "22")
		if r.Verdict != "forwarded" || r.Egress[0].Packet.IP.Src != fipA {
			t.Fatalf("%+v", r)
		}
	})
}
