package backend

import (
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

// TestServicesReachTheNSDB: a QoS policy and a BGP speaker made through the API become
// MidoNet objects in the NSDB (QosPolicy; BgpPeer and BgpNetwork on the speaker's router),
// follow their updates, and leave no drift, with the task client and with the REST client.
func TestServicesReachTheNSDB(t *testing.T) {
	for _, mode := range []struct {
		name  string
		tasks bool
	}{{"rest", false}, {"tasks", true}} {
		t.Run(mode.name, func(t *testing.T) {
			e := startEnv(t, envOpts{tasks: mode.tasks})
			a := e.api
			// QoS: a policy with a limit and a mark, then a changed limit.
			p := a.must(t, 201, "POST", "qos/policies", map[string]any{"policy": map[string]any{"name": "gold"}})
			pid := p["id"].(string)
			bw := a.must(t, 201, "POST", "qos/policies/"+pid+"/bandwidth_limit_rules", map[string]any{"bandwidth_limit_rule": map[string]any{"max_kbps": 10000}})
			a.must(t, 201, "POST", "qos/policies/"+pid+"/dscp_marking_rules", map[string]any{"dscp_marking_rule": map[string]any{"dscp_mark": 26}})
			a.must(t, 200, "PUT", "qos/policies/"+pid+"/bandwidth_limit_rules/"+bw["id"].(string), map[string]any{"bandwidth_limit_rule": map[string]any{"max_kbps": 20000}})
			e.waitDrained(t, 30e9)
			q, ok := e.object(t, topology.KindQosPolicy, pid).(*topology.QosPolicy)
			if !ok || len(q.BandwidthLimit) != 1 || q.BandwidthLimit[0].MaxKbps != 20000 || len(q.DSCPMarking) != 1 || q.DSCPMarking[0].DSCPMark != 26 {
				t.Fatalf("QosPolicy in the NSDB: %+v", q)
			}

			// BGP: an edge router on the external network's gateway address, a tenant network
			// behind it, a speaker with a peer on the external subnet.
			ext := a.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": "ext", "router:external": true}})["id"].(string)
			extSub := a.must(t, 201, "POST", "subnets", map[string]any{"subnet": map[string]any{"network_id": ext, "cidr": "172.24.40.0/24", "ip_version": 4}})["id"].(string)
			tenant := a.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": "t"}})["id"].(string)
			tenantSub := a.must(t, 201, "POST", "subnets", map[string]any{"subnet": map[string]any{"network_id": tenant, "cidr": "10.91.0.0/24", "ip_version": 4}})["id"].(string)
			router := a.must(t, 201, "POST", "routers", map[string]any{"router": map[string]any{"name": "edge"}})["id"].(string)
			a.must(t, 200, "PUT", "routers/"+router+"/add_router_interface", map[string]any{"subnet_id": extSub})
			a.must(t, 200, "PUT", "routers/"+router+"/add_router_interface", map[string]any{"subnet_id": tenantSub})
			sp := a.must(t, 201, "POST", "bgp-speakers", map[string]any{"bgp_speaker": map[string]any{"name": "sp", "local_as": 64512}})["id"].(string)
			peer := a.must(t, 201, "POST", "bgp-peers", map[string]any{"bgp_peer": map[string]any{"name": "up", "peer_ip": "172.24.40.254", "remote_as": 64513}})["id"].(string)
			a.must(t, 200, "PUT", "bgp-speakers/"+sp+"/add_gateway_network", map[string]any{"network_id": ext})
			a.must(t, 200, "PUT", "bgp-speakers/"+sp+"/add_bgp_peer", map[string]any{"bgp_peer_id": peer})
			e.waitDrained(t, 30e9)
			bp, ok := e.object(t, topology.KindBgpPeer, peer).(*topology.BgpPeer)
			if !ok || bp.RouterID != router || bp.LocalAS != 64512 || bp.AS != 64513 || bp.Address != "172.24.40.254" {
				t.Fatalf("BgpPeer in the NSDB: %+v", bp)
			}
			// An MD5 peer: its password reaches the agent's BgpPeer (also after a change) and
			// never a task.
			md5 := a.must(t, 201, "POST", "bgp-peers", map[string]any{"bgp_peer": map[string]any{"name": "md5", "peer_ip": "172.24.40.253",
				"remote_as": 64514, "auth_type": "md5", "password": "first-key"}})["id"].(string)
			a.must(t, 200, "PUT", "bgp-speakers/"+sp+"/add_bgp_peer", map[string]any{"bgp_peer_id": md5})
			a.must(t, 200, "PUT", "bgp-peers/"+md5, map[string]any{"bgp_peer": map[string]any{"password": "second-key"}})
			e.waitDrained(t, 30e9)
			if mp, ok := e.object(t, topology.KindBgpPeer, md5).(*topology.BgpPeer); !ok || !mp.MD5 || mp.Password != "second-key" {
				t.Fatalf("MD5 BgpPeer in the NSDB: %+v", mp)
			}
			var leaked int
			if err := e.db(t).QueryRow("SELECT COUNT(*) FROM midonet_tasks WHERE data LIKE '%-key%'").Scan(&leaked); err != nil {
				t.Fatal(err)
			}
			if leaked != 0 {
				t.Errorf("%d tasks hold a BGP password", leaked)
			}
			// A new interface of the router is advertised without touching the speaker.
			more := a.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": "more"}})["id"].(string)
			moreSub := a.must(t, 201, "POST", "subnets", map[string]any{"subnet": map[string]any{"network_id": more, "cidr": "10.92.0.0/24", "ip_version": 4}})["id"].(string)
			a.must(t, 200, "PUT", "routers/"+router+"/add_router_interface", map[string]any{"subnet_id": moreSub})
			e.waitDrained(t, 30e9)
			var nets []string
			for _, o := range e.objects(t, topology.KindBgpNetwork) {
				if n := o.(*topology.BgpNetwork); n.RouterID == router {
					nets = append(nets, n.Subnet+" via "+n.NextHop)
				}
			}
			if len(nets) != 2 {
				t.Errorf("advertised in the NSDB: %v, want 10.91.0.0/24 and 10.92.0.0/24 via 172.24.40.1", nets)
			}
			if d := e.verify(t); d.Total != 0 {
				t.Errorf("drift after the services' writes: %+v", d)
			}
		})
	}
}
