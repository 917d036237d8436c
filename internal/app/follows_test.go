package app

import (
	"fmt"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
)

// followCase is a change beside n resources of a service that reads the changed
// collection. Most are a change those resources do not read, so that only finding them
// costs; in a labelled project's router create, the label reads the project's routers again.
type followCase struct {
	name   string
	n      int // in BenchmarkServiceFollows
	build  func(w *translate.World, n int)
	coll   string
	change translate.Doc
}

func followCases() []followCase {
	id := func(kind string, i int) string { return fmt.Sprintf("%s%07d-0000-4000-8000-000000000000", kind, i) }
	port := func(pid, net, subnet, ip, owner, device string) translate.Doc {
		return translate.Doc{"id": pid, "network_id": net, "device_owner": owner, "device_id": device, "tenant_id": "t",
			"mac_address": "fa:16:3e:00:00:01", "fixed_ips": []any{map[string]any{"subnet_id": subnet, "ip_address": ip}}}
	}
	subnet := func(sid, net, cidr, gw string, version int) translate.Doc {
		return translate.Doc{"id": sid, "network_id": net, "cidr": cidr, "gateway_ip": gw, "ip_version": version, "tenant_id": "t"}
	}
	// A router with a gateway on "ext" (a v4 and a v6 address) and an interface on net/sub.
	router := func(w *translate.World, r, tenant string, i int) {
		gw := id("g", i)
		w.Put("routers", translate.Doc{"id": r, "tenant_id": tenant, "gw_port_id": gw, "enable_ndp_proxy": true,
			"external_gateway_info": map[string]any{"network_id": "ext"}})
		w.Put("ports", translate.Doc{"id": gw, "network_id": "ext", "device_owner": "network:router_gateway", "device_id": r,
			"mac_address": "fa:16:3e:00:00:02", "fixed_ips": []any{
				map[string]any{"subnet_id": "ext4", "ip_address": fmt.Sprintf("172.24.%d.%d", i/250, 1+i%250)},
				map[string]any{"subnet_id": "ext6", "ip_address": fmt.Sprintf("2001:db8::%x", i+10)}}})
	}
	// routed is router i with its gateway and an interface on "s".
	routed := func(w *translate.World, i int) string {
		r := id("r", i)
		router(w, r, "t", i)
		w.Put("ports", port(id("i", i), "n", "s", fmt.Sprintf("10.0.%d.%d", 1+i/250, 1+i%250), "network:router_interface", r))
		return r
	}
	base := func(w *translate.World) {
		w.Put("networks", translate.Doc{"id": "ext", "router:external": true, "tenant_id": "admin"})
		w.Put("subnets", subnet("ext4", "ext", "172.24.0.0/16", "172.24.255.254", 4))
		w.Put("subnets", subnet("ext6", "ext", "2001:db8::/64", "2001:db8::1", 6))
		w.Put("networks", translate.Doc{"id": "n", "tenant_id": "t"})
		w.Put("subnets", subnet("s", "n", "10.0.0.0/16", "10.0.0.1", 4))
	}
	// n routers of 100 projects, the first ten projects (fewer below ten routers) labelled.
	labelled := func(w *translate.World, n int) {
		base(w)
		for i := range n {
			router(w, id("r", i), fmt.Sprintf("t%d", i%100), i)
		}
		for i := range min(n, 10) {
			w.Put("metering_labels", translate.Doc{"id": id("m", i), "tenant_id": fmt.Sprintf("t%d", i), "name": "l"})
		}
	}
	return []followCase{
		{"port create/20 BGP speakers", 20, func(w *translate.World, n int) {
			base(w)
			for i := range n {
				r := routed(w, i)
				w.Put("bgp_peers", translate.Doc{"id": id("b", i), "peer_ip": "172.24.255.1", "remote_as": 65001})
				w.Put("bgp_speakers", translate.Doc{"id": id("k", i), "logical_router": r, "local_as": 65000, "peers": []any{id("b", i)}})
			}
		}, "ports", port(id("v", 0), "n", "s", "10.0.200.9", "compute:nova", "vm")},
		{"floating IP create/1,000 port forwardings", 1000, func(w *translate.World, n int) {
			base(w)
			router(w, "r", "t", 0)
			for i := range n {
				f := id("f", i)
				w.Put("floatingips", translate.Doc{"id": f, "floating_network_id": "ext", "router_id": "r", "tenant_id": "t",
					"floating_ip_address": fmt.Sprintf("172.24.%d.%d", 100+i/250, 1+i%250)})
				w.Put("port_forwardings", translate.Doc{"id": id("p", i), "floatingip_id": f, "router_id": "r", "protocol": "tcp",
					"internal_ip_address": "10.0.0.5", "internal_port": 22, "external_port": 2000 + i})
			}
		}, "floatingips", translate.Doc{"id": id("f", 9999), "floating_network_id": "ext", "tenant_id": "t", "floating_ip_address": "172.24.200.1"}},
		{"router create/10 metering labels, 2,000 routers", 2000, labelled, "routers", translate.Doc{"id": id("r", 9999), "tenant_id": "t50"}},
		{"router create in a labelled project/10 metering labels, 2,000 routers", 2000, labelled, "routers", translate.Doc{"id": id("r", 9999), "tenant_id": "t1"}},
		{"subnet create/1,000 NDP proxies, 100 VPN services", 100, func(w *translate.World, n int) {
			base(w)
			for i := range n {
				r := routed(w, i)
				w.Put("vpnservices", translate.Doc{"id": id("e", i), "router_id": r, "subnet_id": "s", "tenant_id": "t"})
				for j := range 10 {
					k := i*10 + j
					w.Put("ports", port(id("v", k), "n", "s", fmt.Sprintf("10.0.%d.%d", 101+k/250, 1+k%250), "compute:nova", "vm"))
					w.Put("ndp_proxies", translate.Doc{"id": id("x", k), "router_id": r, "port_id": id("v", k), "ip_address": "2001:db8:1::5"})
				}
			}
		}, "subnets", subnet(id("s", 9999), "n", "10.1.0.0/24", "10.1.0.1", 4)},
		{"external subnet create/1,000 routers with a gateway, 1,000 floating IPs", 1000, func(w *translate.World, n int) {
			base(w)
			for i := range n {
				r := routed(w, i)
				w.Put("floatingips", translate.Doc{"id": id("f", i), "floating_network_id": "ext", "router_id": r, "tenant_id": "t",
					"floating_ip_address": fmt.Sprintf("172.24.%d.%d", 100+i/250, 1+i%250), "port_id": id("v", i), "fixed_ip_address": "10.0.200.9"})
			}
		}, "subnets", subnet(id("s", 9999), "ext", "172.25.0.0/24", "172.25.0.1", 4)},
		{"network create/200 gateway devices, 200 L2 gateway connections", 200, func(w *translate.World, n int) {
			base(w)
			for i := range n {
				n := id("n", i)
				w.Put("networks", translate.Doc{"id": n, "tenant_id": "t"})
				w.Put("gateway_devices", translate.Doc{"id": id("d", i), "type": "network_vlan", "resource_id": n})
				w.Put("l2_gateway_connections", translate.Doc{"id": id("c", i), "network_id": "n", "device_id": id("d", i), "vni": 100 + i})
			}
		}, "networks", translate.Doc{"id": id("n", 9999), "tenant_id": "t"}},
		{"firewall group create/100 firewall logs", 100, func(w *translate.World, n int) {
			for i := range n {
				g := id("g", i)
				w.Put("firewall_groups", translate.Doc{"id": g, "tenant_id": "t", "ports": []any{}})
				w.Put("logging_resources", translate.Doc{"id": id("l", i), "enabled": true})
				w.Put("firewall_logs", translate.Doc{"id": id("o", i), "firewall_id": g, "logging_resource_id": id("l", i), "fw_event": "ALL"})
			}
		}, "firewall_groups", translate.Doc{"id": id("g", 9999), "tenant_id": "t", "ports": []any{}}},
	}
}

// reach applies c's change to w as the cluster does, created and then deleted: the
// dependents on each side of each, and the translation of each. It returns how many
// dependents there were.
func reach(ts translate.Translators, w *translate.World, c followCase) int {
	rid := c.change["id"].(string)
	change := func(before, after translate.Doc) int {
		deps := ts.Dependents(w, c.coll, rid, before, after, translate.Before)
		if after == nil {
			w.Delete(c.coll, rid)
		} else {
			w.Put(c.coll, after)
		}
		deps = append(deps, ts.Dependents(w, c.coll, rid, before, after, translate.After)...)
		for _, r := range deps {
			ts.Owned(w, r)
		}
		return len(deps)
	}
	return change(nil, c.change) + change(c.change, nil)
}

// TestChangesReachAsManyBesideMore: each change of followCases names as many dependents
// beside twice the resources that do not read it (a translator re-translating all of a
// collection it watched, or searching too wide, would name more).
func TestChangesReachAsManyBesideMore(t *testing.T) {
	ts := Translators()
	for _, c := range followCases() {
		count := func(n int) int {
			w := translate.NewWorld()
			c.build(w, n)
			return reach(ts, w, c)
		}
		if few, more := count(5), count(10); few != more {
			t.Errorf("%s: %d dependents beside 5, %d beside 10", c.name, few, more)
		}
	}
}

// BenchmarkServiceFollows is what one change of followCases costs the cluster's translation
// (reach) beside each case's n resources.
func BenchmarkServiceFollows(b *testing.B) {
	ts := Translators()
	for _, c := range followCases() {
		b.Run(c.name, func(b *testing.B) {
			w := translate.NewWorld()
			c.build(w, c.n)
			var reached int
			for b.Loop() {
				reached = reach(ts, w, c)
			}
			b.ReportMetric(float64(reached), "dependents/op")
		})
	}
}
