package ui_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// world is the two-network router scenario: an external network, a router with its gateway
// there and interfaces on net1 and net2, vm1 on net1 and vm2 on net2 in group web (SSH only).
type world struct {
	ext, net1, net2, router, vm1, vm2, web string
	rif1, rif2, gw                         string // the router's ports
	fip, fipAddr                           string // vm1's floating IP
}

func buildWorld(t *testing.T, c *client) world {
	t.Helper()
	var w world
	net := func(name string, external bool) string {
		return id(c.create("networks", "network", map[string]any{"name": name, "router:external": external}))
	}
	subnet := func(netID, cidr string) string {
		return id(c.create("subnets", "subnet", map[string]any{"network_id": netID, "cidr": cidr, "ip_version": 4}))
	}
	w.ext = net("public", true)
	subnet(w.ext, "172.24.4.0/24")
	w.net1, w.net2 = net("net1", false), net("net2", false)
	sub1, sub2 := subnet(w.net1, "10.0.1.0/24"), subnet(w.net2, "10.0.2.0/24")
	w.web = id(c.create("security-groups", "security_group", map[string]any{"name": "web"}))
	c.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": w.web, "direction": "ingress",
		"ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22})
	w.router = id(c.create("routers", "router", map[string]any{"name": "r1", "external_gateway_info": map[string]any{"network_id": w.ext}}))
	w.rif1 = c.call("PUT", "/v2.0/routers/"+w.router+"/add_router_interface", map[string]any{"subnet_id": sub1})["port_id"].(string)
	w.rif2 = c.call("PUT", "/v2.0/routers/"+w.router+"/add_router_interface", map[string]any{"subnet_id": sub2})["port_id"].(string)
	vm := func(name, netID, ip string, groups ...string) string {
		body := map[string]any{"name": name, "network_id": netID, "device_owner": "compute:nova",
			"fixed_ips": []any{map[string]any{"ip_address": ip}}}
		if len(groups) > 0 {
			body["security_groups"] = groups
		}
		return id(c.create("ports", "port", body))
	}
	w.vm1 = vm("vm1", w.net1, "10.0.1.10")
	w.vm2 = vm("vm2", w.net2, "10.0.2.20", w.web)
	fip := c.create("floatingips", "floatingip", map[string]any{"floating_network_id": w.ext, "port_id": w.vm1})
	w.fip, w.fipAddr = id(fip), fip["floating_ip_address"].(string)
	ports := c.call("GET", "/v2.0/ports?device_owner=network:router_gateway&device_id="+w.router, nil)["ports"].([]any)
	if len(ports) != 1 {
		t.Fatalf("router %s has %d gateway ports, want 1", w.router, len(ports))
	}
	w.gw = id(ports[0].(map[string]any))
	return w
}

// TestTopologyPage drives the page of `midonet serve` (noauth): the map of the scenario,
// a port created through the API appearing without a reload, and traces on the map.
func TestTopologyPage(t *testing.T) {
	srv := testenvServer(t, "")
	c := &client{t: t, url: srv.URL}
	w := buildWorld(t, c)
	b := newBrowser(t)
	b.open(srv.URL)

	t.Run("nodes and edges of two networks behind a router", func(t *testing.T) {
		b := b.on(t)
		s := b.snapshot()
		for _, want := range []struct{ node, parent, class string }{
			{"net:" + w.ext, "", "external"},
			{"net:" + w.net1, "", "network"},
			{"net:" + w.net2, "", "network"},
			{"router:" + w.router, "", "router"},
			{"port:" + w.vm1, "net:" + w.net1, "kind-vm"},
			{"port:" + w.vm2, "net:" + w.net2, "kind-vm"},
			{"port:" + w.rif1, "net:" + w.net1, "kind-router-if"},
			{"port:" + w.rif2, "net:" + w.net2, "kind-router-if"},
			{"port:" + w.gw, "net:" + w.ext, "kind-gateway"},
			{"fip:" + w.fip, "net:" + w.ext, "fip"},
		} {
			parent, classes, ok := s.node(want.node)
			if !ok {
				t.Errorf("node %s is not on the map", want.node)
				continue
			}
			if parent != want.parent || !hasClass(classes, want.class) {
				t.Errorf("node %s: parent %q classes %q; want parent %q and class %s", want.node, parent, classes, want.parent, want.class)
			}
		}
		for _, e := range [][2]string{
			{"router:" + w.router, "port:" + w.rif1},
			{"router:" + w.router, "port:" + w.rif2},
			{"router:" + w.router, "port:" + w.gw},
			{"fip:" + w.fip, "port:" + w.vm1},
		} {
			if _, ok := s.edge(e[0], e[1]); !ok {
				t.Errorf("no edge %s — %s", e[0], e[1])
			}
		}
		// Three networks, one router, five ports (the floating IP's own port is drawn as the
		// floating IP), one floating IP, one host; three router links and the floating IP's.
		kinds := map[string]int{}
		for _, n := range s.Nodes {
			kinds[n.Kind]++
		}
		if kinds["network"] != 3 || kinds["router"] != 1 || kinds["port"] != 5 || kinds["fip"] != 1 || kinds["host"] != 1 || len(s.Edges) != 4 {
			t.Errorf("map has %v and %d edges; want 3 networks, 1 router, 5 ports, 1 floating IP, 1 host and 4 edges", kinds, len(s.Edges))
		}
		var label string
		b.eval(`window.midonetUI.snapshot().nodes.find(n => n.id === 'net:`+w.net1+`').label`, &label)
		if !strings.Contains(label, "net1") || !strings.Contains(label, "10.0.1.0/24") {
			t.Errorf("net1's label %q does not name it and its CIDR", label)
		}
		b.shot("topology")
	})

	t.Run("a port created through the API appears without a reload", func(t *testing.T) {
		b := b.on(t)
		b.eval(`window.__notReloaded = true`, nil)
		t0 := time.Now()
		p := id(c.create("ports", "port", map[string]any{"name": "late", "network_id": w.net2, "device_owner": "compute:nova"}))
		b.waitFor("the new port", `window.midonetUI.snapshot().nodes.some(n => n.id === 'port:`+p+`' && n.parent === 'net:`+w.net2+`')`, 5*time.Second)
		t.Logf("the port was on the map %v after the POST was sent", time.Since(t0).Round(time.Millisecond))
		var same bool
		b.eval(`window.__notReloaded === true`, &same)
		if !same {
			t.Error("the page was reloaded")
		}
		c.call("DELETE", "/v2.0/ports/"+p, nil)
		b.waitFor("the deleted port gone", `!window.midonetUI.snapshot().nodes.some(n => n.id === 'port:`+p+`')`, 5*time.Second)
	})

	trace := func(t *testing.T, from, dst, proto, dport string) {
		t.Helper()
		b := b.on(t)
		b.do("trace form", chromedp.Click(chromedp.CSS(`nav button[data-tab="trace"]`)),
			chromedp.SetValue(chromedp.CSS("#trace-from"), from),
			chromedp.SetValue(chromedp.CSS("#trace-dst"), dst),
			chromedp.SetValue(chromedp.CSS("#trace-proto"), proto),
			chromedp.Evaluate[chromedp.Void](`document.getElementById('trace-dport').value = '`+dport+`'`),
			chromedp.Click(chromedp.CSS("#trace-run")))
		b.waitFor("the trace", `window.midonetUI.state().trace !== null`, 20*time.Second)
	}

	t.Run("a trace across the router lights the path", func(t *testing.T) {
		b := b.on(t)
		trace(t, w.vm1, "10.0.2.20", "tcp", "22")
		var verdict string
		b.eval(`document.getElementById('trace-verdict').textContent`, &verdict)
		if verdict != "forwarded" {
			t.Fatalf("verdict %q, want forwarded", verdict)
		}
		s := b.snapshot()
		for _, n := range []string{"port:" + w.vm1, "net:" + w.net1, "port:" + w.rif1, "router:" + w.router, "port:" + w.rif2, "net:" + w.net2, "port:" + w.vm2} {
			if _, classes, _ := s.node(n); !hasClass(classes, "trace") {
				t.Errorf("node %s is not on the traced path (classes %q)", n, classes)
			}
		}
		for _, e := range [][2]string{{"router:" + w.router, "port:" + w.rif1}, {"router:" + w.router, "port:" + w.rif2}} {
			if classes, _ := s.edge(e[0], e[1]); !hasClass(classes, "trace") {
				t.Errorf("edge %s — %s is not on the traced path (classes %q)", e[0], e[1], classes)
			}
		}
		b.shot("trace-forwarded")
	})

	t.Run("a trace dropped by a security group highlights the group", func(t *testing.T) {
		b := b.on(t)
		trace(t, w.vm1, "10.0.2.20", "tcp", "80")
		var verdict, drop string
		b.eval(`document.getElementById('trace-verdict').textContent`, &verdict)
		b.eval(`(document.getElementById('trace-drop') || {}).textContent || ''`, &drop)
		if verdict != "dropped" {
			t.Fatalf("verdict %q, want dropped", verdict)
		}
		if !strings.Contains(drop, "Security group web") || !strings.Contains(drop, w.web) || !strings.Contains(drop, "vm2") {
			t.Errorf("the drop panel %q does not name group web (%s) at vm2", drop, w.web)
		}
		// The sentence `midonet trace` ends with, from the VM's side.
		if want := "blocked entering vm2 (" + w.vm2 + ") by security group `web` (" + w.web + "): no ingress rule allows tcp/80"; !strings.Contains(drop, want) {
			t.Errorf("the drop panel %q does not say %q", drop, want)
		}
		var steps string
		b.eval(`Array.from(document.querySelectorAll('ol.hops li')).map((li) => li.textContent).join('\n')`, &steps)
		if !strings.Contains(steps, "leaves network ") || strings.Contains(steps, "OS_PORT_") {
			t.Errorf("the steps are not by Neutron names:\n%s", steps)
		}
		s := b.snapshot()
		_, classes, ok := s.node("sg:" + w.web)
		if !ok || !hasClass(classes, "drop") || !hasClass(classes, "secgroup") {
			t.Errorf("security group node sg:%s: present %v, classes %q; want it highlighted as the drop", w.web, ok, classes)
		}
		if _, classes, _ := s.node("port:" + w.vm2); !hasClass(classes, "drop") {
			t.Errorf("vm2's port is not marked as where the packet dropped (classes %q)", classes)
		}
		if classes, ok := s.edge("sg:"+w.web, "port:"+w.vm2); !ok || !hasClass(classes, "drop") {
			t.Errorf("no drop edge from the group to vm2 (%q)", classes)
		}
		b.shot("trace-dropped-by-security-group")
		// The whole map with the trace on it (docs/ui-topology.png is this one).
		b.do("fit", chromedp.Click(chromedp.CSS("#fit")))
		b.waitFor("the whole map", `!window.midonetUI.viewport().moved && window.midonetUI.viewport().zoom < 1.6`, 5*time.Second)
		b.do("settle", chromedp.Sleep(300*time.Millisecond))
		b.shot("topology-with-trace")
	})

	t.Run("a trace to a floating IP shows the NAT on the path", func(t *testing.T) {
		b := b.on(t)
		trace(t, w.vm2, w.fipAddr, "icmp", "")
		var nat []string
		b.eval(`window.midonetUI.snapshot().nodes.concat(window.midonetUI.snapshot().edges).map(e => e.tlabel || '').filter(l => l.includes('NAT'))`, &nat)
		if len(nat) == 0 || !strings.Contains(strings.Join(nat, " "), w.fipAddr) {
			t.Errorf("no NAT of %s shown on the path: %q", w.fipAddr, nat)
		}
		b.shot("trace-floating-ip")
	})

	t.Run("search finds a port by its address", func(t *testing.T) {
		b := b.on(t)
		b.do("search", chromedp.SendKeys(chromedp.CSS("#search"), "10.0.2.20"))
		// Typing is key by key: wait for the search of the whole address.
		b.waitFor("the match", `document.getElementById('search').value === '10.0.2.20' && `+
			`document.getElementById('search-count').textContent === '1 match'`, 5*time.Second)
		var hits []string
		b.eval(`window.midonetUI.snapshot().nodes.filter(n => n.classes.split(' ').includes('match')).map(n => n.id)`, &hits)
		if len(hits) != 1 {
			t.Errorf("matches for 10.0.2.20: %v, want only port:%s", hits, w.vm2)
		}
		b.shot("search")
		b.eval(`(() => { const s = document.getElementById('search'); s.value = ''; s.dispatchEvent(new Event('input')); return true })()`, nil)
	})

	t.Run("a click shows the port's document and its MidoNet objects", func(t *testing.T) {
		b := b.on(t)
		b.do("fit", chromedp.Click(chromedp.CSS("#fit")))
		b.waitFor("the whole map", `!window.midonetUI.viewport().moved`, 5*time.Second)
		var at struct{ X, Y float64 }
		b.eval(`window.midonetUI.pagePosition('port:`+w.vm2+`')`, &at)
		b.do("click vm2", chromedp.MouseClickXY(at.X, at.Y))
		b.waitFor("the details", `(document.querySelector('#details h3') || {}).textContent === 'Port vm2'`, 5*time.Second)
		var doc string
		b.eval(`document.querySelector('#details pre').textContent`, &doc)
		if !strings.Contains(doc, `"id": "`+w.vm2+`"`) || !strings.Contains(doc, w.web) {
			t.Errorf("details of vm2 do not show its Neutron document: %.300s", doc)
		}
		b.eval(`(() => { [...document.querySelectorAll('#details button')].find(x => x.textContent === 'MidoNet objects').click(); return true })()`, nil)
		b.waitFor("the MidoNet objects", `[...document.querySelectorAll('#details pre')].some(p => p.textContent.includes('Port `+w.vm2+`'))`, 5*time.Second)
		b.shot("details")
	})

	t.Run("health panel", func(t *testing.T) {
		b := b.on(t)
		b.do("health tab", chromedp.Click(chromedp.CSS(`nav button[data-tab="health"]`)))
		b.waitFor("the drift figure", `/in sync|differences|not measured/.test(document.getElementById('health-drift').textContent)`, 10*time.Second)
		var agents, backlog, href string
		b.eval(`document.getElementById('health-agents').textContent`, &agents)
		b.eval(`document.getElementById('health-backlog').textContent`, &backlog)
		b.eval(`document.getElementById('health-metrics').getAttribute('href')`, &href)
		if !strings.HasPrefix(agents, "1 of 1") || backlog == "–" || href != "/metrics" {
			t.Errorf("health: agents %q backlog %q metrics link %q; want 1 of 1 agents alive, a backlog and /metrics", agents, backlog, href)
		}
		b.shot("health")
	})
}
