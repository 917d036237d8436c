package backend

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/testutil/etcdcluster"
	"github.com/midonet-go/midonet/internal/topology"
)

// TestExternalNSDB runs serve on a real 3-member etcd cluster ([MIDONET] etcd_endpoints),
// stops the member that leads in the middle of the workload, keeps writing on the remaining
// quorum, and verifies that nothing drifted.
func TestExternalNSDB(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			cl := etcdcluster.New(t, 3)
			e := startEnv(t, envOpts{tasks: m.tasks, etcd: cl.Endpoints()})
			a := e.api
			ext := a.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": "ext", "router:external": true}})
			a.must(t, 201, "POST", "subnets", map[string]any{"subnet": map[string]any{"network_id": str(ext, "id"), "cidr": "172.30.0.0/24", "ip_version": 4}})
			router := a.must(t, 201, "POST", "routers", map[string]any{"router": map[string]any{"name": "r", "external_gateway_info": map[string]any{"network_id": str(ext, "id")}}})
			if e.object(t, topology.KindRouter, str(router, "id")) == nil {
				t.Fatalf("router %s is not in the external NSDB", str(router, "id"))
			}
			batch := func(round int) {
				net := a.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": fmt.Sprintf("n%d", round)}})
				sub := a.must(t, 201, "POST", "subnets", map[string]any{"subnet": map[string]any{"network_id": str(net, "id"), "cidr": fmt.Sprintf("10.%d.0.0/24", 40+round), "ip_version": 4}})
				a.must(t, 200, "PUT", "routers/"+str(router, "id")+"/add_router_interface", map[string]any{"subnet_id": str(sub, "id")})
				for i := 0; i < 3; i++ {
					p := a.must(t, 201, "POST", "ports", map[string]any{"port": map[string]any{"network_id": str(net, "id"), "device_owner": "compute:nova", "device_id": fmt.Sprintf("vm-%d-%d", round, i)}})
					if o := e.object(t, topology.KindChain, topology.InChainID(str(p, "id"))); o == nil {
						t.Errorf("round %d: port %s has no inbound chain in the external NSDB right after its 201", round, str(p, "id"))
					}
					if i == 0 {
						fip := a.must(t, 201, "POST", "floatingips", map[string]any{"floatingip": map[string]any{"floating_network_id": str(ext, "id"), "port_id": str(p, "id")}})
						if e.object(t, topology.KindRule, topology.FipDnatRuleID(str(fip, "id"))) == nil {
							t.Errorf("round %d: floating IP %s has no DNAT rule in the external NSDB", round, str(fip, "id"))
						}
					}
				}
			}
			t0 := time.Now()
			batch(0)
			batch(1)
			t.Logf("two rounds on 3 members: %v", time.Since(t0).Round(time.Millisecond))

			leader := cl.Leader()
			if leader < 0 {
				t.Fatal("the etcd cluster has no leader")
			}
			cl.Stop(leader)
			t.Logf("stopped etcd member %d (the leader)", leader)
			// The two remaining members elect a new leader; writes then succeed again.
			deadline := time.Now().Add(30 * time.Second)
			for cl.Leader() < 0 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if cl.Leader() < 0 {
				t.Fatal("no new etcd leader within 30s")
			}
			t0 = time.Now()
			for round := 2; round < 5; round++ {
				batch(round)
			}
			t.Logf("three rounds on 2 members: %v", time.Since(t0).Round(time.Millisecond))
			// Updates and deletes on the quorum too.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, ports, err := a.do(ctx, "GET", "ports?device_owner=compute:nova", nil)
			if err != nil {
				t.Fatal(err)
			}
			list, _ := ports["ports"].([]any)
			for i, x := range list {
				p, _ := x.(map[string]any)
				if i%2 == 0 {
					a.must(t, 200, "PUT", "ports/"+str(p, "id"), map[string]any{"port": map[string]any{"name": "renamed"}})
				}
			}
			t0 = time.Now()
			e.checkClean(t, "after losing one of three etcd members")
			t.Logf("verify: %v", time.Since(t0).Round(time.Millisecond))
		})
	}
}
