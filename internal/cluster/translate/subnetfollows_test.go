package translate_test

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/testutil/translatetest"
)

// TestExternalSubnetReachesItsRouters: a subnet's change re-translates the routers with a
// port on it and their floating IPs; a subnet added to or removed from the external network
// beside it re-translates none of them.
func TestExternalSubnetReachesItsRouters(t *testing.T) {
	port := func(id, net, subnet, ip, owner, device string) translate.Doc {
		return translate.Doc{"id": id, "network_id": net, "device_owner": owner, "device_id": device, "mac_address": "fa:16:3e:00:00:0" + id[len(id)-1:],
			"fixed_ips": []any{map[string]any{"subnet_id": subnet, "ip_address": ip}}}
	}
	world := func() *translate.World {
		w := translate.NewWorld()
		w.Put("networks", translate.Doc{"id": "ext", "router:external": true, "admin_state_up": true})
		w.Put("networks", translate.Doc{"id": "n", "admin_state_up": true})
		w.Put("subnets", translate.Doc{"id": "ext1", "network_id": "ext", "cidr": "172.24.4.0/24", "gateway_ip": "172.24.4.1", "ip_version": 4})
		w.Put("subnets", translate.Doc{"id": "ext2", "network_id": "ext", "cidr": "172.24.5.0/24", "gateway_ip": "172.24.5.1", "ip_version": 4})
		w.Put("subnets", translate.Doc{"id": "s", "network_id": "n", "cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.1", "ip_version": 4})
		for i, r := range []string{"r1", "r2"} {
			sub, ip := "ext1", "172.24.4.1"+r[1:]
			if i == 1 {
				sub, ip = "ext2", "172.24.5.12"
			}
			w.Put("routers", translate.Doc{"id": r, "gw_port_id": "gw" + r[1:], "admin_state_up": true,
				"external_gateway_info": map[string]any{"network_id": "ext", "enable_snat": true}})
			w.Put("ports", port("gw"+r[1:], "ext", sub, ip, "network:router_gateway", r))
		}
		w.Put("ports", port("rif1", "n", "s", "10.0.0.1", "network:router_interface", "r1"))
		w.Put("ports", port("vm1", "n", "s", "10.0.0.5", "compute:nova", "i"))
		w.Put("ports", port("fport", "ext", "ext1", "172.24.4.50", "network:floatingip", "f1"))
		w.Put("floatingips", translate.Doc{"id": "f1", "floating_network_id": "ext", "floating_ip_address": "172.24.4.50",
			"router_id": "r1", "port_id": "vm1", "fixed_ip_address": "10.0.0.5"})
		return w
	}
	r1, r2, f1 := translate.RefOf("routers", "r1"), translate.RefOf("routers", "r2"), translate.RefOf("floatingips", "f1")
	ts := translate.Builtin()
	if len(ts.Owned(world(), f1)) == 0 {
		t.Fatal("the floating IP translates to nothing")
	}
	ext1 := world().Get("subnets", "ext1")
	ext1["gateway_ip"] = "172.24.4.254"
	named := translatetest.Reaches(t, ts, world, []translate.Ref{r1, r2, f1}, []translatetest.Change{
		{Name: "r1's gateway subnet's gateway", Collection: "subnets", ID: "ext1", After: ext1},
		{Name: "a third external subnet", Collection: "subnets", ID: "ext3", After: translate.Doc{"id": "ext3", "network_id": "ext",
			"cidr": "172.24.6.0/24", "gateway_ip": "172.24.6.1", "ip_version": 4}},
		{Name: "r2's gateway subnet deleted", Collection: "subnets", ID: "ext2"},
	})
	want := map[string][]translate.Ref{"r1's gateway subnet's gateway": {r1, f1}, "a third external subnet": nil, "r2's gateway subnet deleted": {r2}}
	for n, refs := range want {
		if len(named[n]) != len(refs) || (len(refs) > 0 && named[n][0] != refs[0]) {
			t.Errorf("%s: named %v, want %v", n, named[n], refs)
		}
	}
}
