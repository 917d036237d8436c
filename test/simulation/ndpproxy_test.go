package simulation_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/test/testenv"
)

// ndpTraceOut is what the NDP proxy test reads of `midonet trace --json`: the verdict,
// where the packet left, what the topology generated (neighbor advertisements with their
// target and link-layer address), the drop, and the reply.
type ndpTraceOut struct {
	Verdict string `json:"verdict"`
	Egress  []struct {
		PortID string `json:"port_id"`
		Packet struct {
			EthSrc string `json:"eth_src"`
			EthDst string `json:"eth_dst"`
			IP     struct {
				Src string `json:"src"`
				Dst string `json:"dst"`
				TTL int    `json:"ttl"`
			} `json:"ip"`
		} `json:"packet"`
	} `json:"egress"`
	Generated []struct {
		PortID string `json:"port_id"`
		Packet struct {
			EthSrc string `json:"eth_src"`
			ICMP   struct {
				Type int `json:"type"`
			} `json:"icmp"`
			ND *struct {
				Target   string `json:"target"`
				LinkAddr string `json:"link_addr"`
			} `json:"nd"`
		} `json:"packet"`
	} `json:"generated"`
	Drop *struct {
		Kind   string `json:"kind"`
		Reason string `json:"reason"`
	} `json:"drop"`
	Summary string       `json:"summary"`
	Reply   *ndpTraceOut `json:"reply"`
}

func (a *api) ndpTrace(t *testing.T, args ...string) ndpTraceOut {
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
	var r ndpTraceOut
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("trace output: %v\n%s", err, out)
	}
	return r
}

// advertisements are the neighbor advertisements (ICMPv6 136) a trace generated.
func (r ndpTraceOut) advertisements() (out []string) {
	for _, g := range r.Generated {
		if g.Packet.ND != nil && g.Packet.ICMP.Type == 136 {
			out = append(out, g.PortID+" "+g.Packet.ND.Target+" is-at "+g.Packet.ND.LinkAddr+" from "+g.Packet.EthSrc)
		}
	}
	return out
}

// TestNDPProxyThroughTheAPI: with an NDP proxy made through the API (tempest's set-up: an
// IPv6 address scope shared by the external network and the tenant network), a neighbor
// solicitation from the external network for the VM's address is answered with the router
// gateway port's MAC, and ICMPv6 to the address reaches the VM's port; the VM's answer
// leaves by the gateway (once the router knows the upstream host's MAC: it solicits it
// first); an address of the same network that is not proxied gets no answer and no
// traffic; deleting the proxy stops the answers.
func TestNDPProxyThroughTheAPI(t *testing.T) {
	a := &api{t: t, srv: testenv.StartServer(t, testenv.Options{})}
	scope := a.create("address-scopes", "address_scope", map[string]any{"name": "as6", "ip_version": 6})["id"]
	pool := a.create("subnetpools", "subnetpool", map[string]any{"name": "sp6", "address_scope_id": scope,
		"prefixes": []any{"2001:abc::/96"}, "default_prefixlen": 112})["id"]
	ext := a.network("ndp-ext", true)
	a.create("subnets", "subnet", map[string]any{"network_id": ext, "ip_version": 6, "cidr": "2001:abc::1:0/112", "subnetpool_id": pool,
		"allocation_pools": []any{map[string]any{"start": "2001:abc::1:100", "end": "2001:abc::1:1ff"}}})
	upstream := a.create("ports", "port", map[string]any{"name": "upstream", "network_id": ext, "device_owner": "compute:nova",
		"port_security_enabled": false, "fixed_ips": []any{map[string]any{"ip_address": "2001:abc::1:2"}}})["id"].(string)
	net := a.network("ndp-net", false)
	sub := a.create("subnets", "subnet", map[string]any{"network_id": net, "ip_version": 6, "cidr": "2001:abc::2:0/112", "subnetpool_id": pool,
		"allocation_pools": []any{map[string]any{"start": "2001:abc::2:100", "end": "2001:abc::2:1ff"}}})["id"].(string)
	sg := a.create("security-groups", "security_group", map[string]any{"name": "icmp6"})["id"].(string)
	a.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": sg, "direction": "ingress", "ethertype": "IPv6", "protocol": "ipv6-icmp"})
	router := a.create("routers", "router", map[string]any{"name": "r", "enable_ndp_proxy": true, "external_gateway_info": map[string]any{"network_id": ext}})
	rid := router["id"].(string)
	a.call("PUT", "routers/"+rid+"/add_router_interface", map[string]any{"subnet_id": sub})
	gws := a.call("GET", "ports?device_owner=network:router_gateway&device_id="+rid, nil)["ports"].([]any)
	if len(gws) != 1 {
		t.Fatalf("router gateway ports: %v", gws)
	}
	gwMAC := gws[0].(map[string]any)["mac_address"].(string)
	vm := a.vm("vm", net, "2001:abc::2:10", sg)
	vm2 := a.vm("vm2", net, "2001:abc::2:11", sg)
	np := a.create("ndp_proxies", "ndp_proxy", map[string]any{"router_id": rid, "port_id": vm})
	if np["ip_address"] != "2001:abc::2:10" {
		t.Fatalf("proxy %v", np)
	}
	settle()

	t.Run("the gateway answers solicitations for the proxied address", func(t *testing.T) {
		r := a.ndpTrace(t, "--from-port", "upstream", "--proto", "ns", "--dst", "2001:abc::2:10")
		want := upstream + " 2001:abc::2:10 is-at " + gwMAC + " from " + gwMAC
		if got := r.advertisements(); len(got) != 1 || got[0] != want {
			t.Fatalf("advertisements %v (verdict %s, drop %+v); want [%s]", got, r.Verdict, r.Drop, want)
		}
		if !strings.Contains(r.Summary, "neighbor advertisement 2001:abc::2:10 is-at "+gwMAC) || !strings.Contains(r.Summary, " to upstream") {
			t.Errorf("summary %q does not name the advertisement", r.Summary)
		}
	})
	t.Run("IPv6 to the proxied address reaches the VM; its answer is routed back", func(t *testing.T) {
		r := a.ndpTrace(t, "--from-port", "upstream", "--dst", "2001:abc::2:10", "--reply")
		if r.Verdict != "forwarded" || len(r.Egress) != 1 || r.Egress[0].PortID != vm {
			t.Fatalf("verdict %s, egress %+v, drop %+v; want forwarded to the VM", r.Verdict, r.Egress, r.Drop)
		}
		if p := r.Egress[0].Packet; p.IP.Src != "2001:abc::1:2" || p.IP.Dst != "2001:abc::2:10" || p.IP.TTL != 63 {
			t.Errorf("delivered as %+v", p)
		}
		// The trace runs on fresh tables: the router does not know the upstream host yet and
		// solicits it from the gateway.
		if r.Reply == nil || r.Reply.Drop == nil || r.Reply.Drop.Kind != "no-arp" || !strings.Contains(r.Reply.Drop.Reason, "2001:abc::1:2") {
			t.Fatalf("reply %+v; want dropped for want of the upstream's MAC", r.Reply)
		}
		solicited := false
		for _, g := range r.Reply.Generated {
			if g.Packet.ND != nil && g.Packet.ICMP.Type == 135 && g.Packet.ND.Target == "2001:abc::1:2" && g.Packet.EthSrc == gwMAC {
				solicited = true
			}
		}
		if !solicited {
			t.Errorf("the router did not solicit the upstream host from its gateway: %+v", r.Reply.Generated)
		}
	})
	t.Run("the VM resolves its IPv6 gateway", func(t *testing.T) {
		rif := a.call("GET", "ports?device_owner=network:router_interface&device_id="+rid, nil)["ports"].([]any)[0].(map[string]any)
		gw := rif["fixed_ips"].([]any)[0].(map[string]any)["ip_address"].(string)
		r := a.ndpTrace(t, "--from-port", "vm", "--proto", "ns", "--dst", gw)
		want := vm + " " + gw + " is-at " + rif["mac_address"].(string) + " from " + rif["mac_address"].(string)
		if got := r.advertisements(); len(got) != 1 || got[0] != want {
			t.Fatalf("advertisements %v (verdict %s, drop %+v); want [%s]", got, r.Verdict, r.Drop, want)
		}
	})
	t.Run("an address that is not proxied gets nothing", func(t *testing.T) {
		r := a.ndpTrace(t, "--from-port", "upstream", "--proto", "ns", "--dst", "2001:abc::2:11")
		if got := r.advertisements(); len(got) != 0 {
			t.Fatalf("a solicitation for an address not proxied was answered: %v", got)
		}
		r = a.ndpTrace(t, "--from-port", "upstream", "--dst", "2001:abc::2:11")
		for _, e := range r.Egress {
			if e.PortID == vm2 {
				t.Fatalf("IPv6 to an address not proxied reached it: %+v", r)
			}
		}
		r = a.ndpTrace(t, "--from-port", "upstream", "--dst", "2001:abc::2:11", "--dst-mac", gwMAC)
		if r.Verdict != "dropped" || r.Drop == nil || r.Drop.Kind != "no-route" {
			t.Fatalf("sent to the gateway's MAC anyway: verdict %s, drop %+v", r.Verdict, r.Drop)
		}
	})
	t.Run("deleting the proxy stops the answers", func(t *testing.T) {
		a.call("DELETE", "ndp_proxies/"+np["id"].(string), nil)
		settle()
		r := a.ndpTrace(t, "--from-port", "upstream", "--proto", "ns", "--dst", "2001:abc::2:10")
		if got := r.advertisements(); len(got) != 0 {
			t.Fatalf("the deleted proxy still answers: %v", got)
		}
		r = a.ndpTrace(t, "--from-port", "upstream", "--dst", "2001:abc::2:10", "--dst-mac", gwMAC)
		if r.Verdict != "dropped" {
			t.Fatalf("the deleted proxy still forwards: %+v", r)
		}
	})
}
