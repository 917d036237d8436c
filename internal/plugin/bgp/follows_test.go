package bgp

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/testutil/translatetest"
)

// TestChangesReachTheirSpeakers: a change of the speaker's router, of a port of the router,
// of a subnet one of them is on, or of its peer re-translates the speaker; a VM port's, an
// unrelated subnet's or another router's does not.
func TestChangesReachTheirSpeakers(t *testing.T) {
	port := func(id, net, subnet, ip, owner, device string) translate.Doc {
		return translate.Doc{"id": id, "network_id": net, "device_owner": owner, "device_id": device,
			"fixed_ips": []any{map[string]any{"subnet_id": subnet, "ip_address": ip}}}
	}
	world := func() *translate.World {
		w := translate.NewWorld()
		w.Put("subnets", translate.Doc{"id": "ext4", "network_id": "ext", "cidr": "172.24.0.0/24", "ip_version": 4})
		w.Put("subnets", translate.Doc{"id": "s", "network_id": "n", "cidr": "10.0.0.0/24", "ip_version": 4})
		w.Put("subnets", translate.Doc{"id": "s2", "network_id": "n", "cidr": "10.0.1.0/24", "ip_version": 4})
		w.Put("subnets", translate.Doc{"id": "other", "network_id": "m", "cidr": "10.9.0.0/24", "ip_version": 4})
		w.Put("routers", translate.Doc{"id": "r1", "gw_port_id": "gw", "external_gateway_info": map[string]any{"network_id": "ext"}})
		w.Put("routers", translate.Doc{"id": "r2"})
		w.Put("ports", port("gw", "ext", "ext4", "172.24.0.5", "network:router_gateway", "r1"))
		w.Put("ports", port("rif", "n", "s", "10.0.0.1", "network:router_interface", "r1"))
		w.Put("ports", port("vm", "n", "s", "10.0.0.7", "compute:nova", "i-1"))
		w.Put(Peers.Collection, translate.Doc{"id": "peer", "peer_ip": "172.24.0.1", "remote_as": 65001})
		w.Put(Speakers.Collection, translate.Doc{"id": "sp", "logical_router": "r1", "local_as": 65000, "peers": []any{"peer"}})
		return w
	}
	if len(speakerObjects(world(), "sp")) != 2 {
		t.Fatalf("the speaker translates to %v, want a peer and a network", speakerObjects(world(), "sp"))
	}
	owners := []translate.Ref{translate.RefOf(Speakers.Collection, "sp")}
	named := translatetest.Reaches(t, Service().Translators, world, owners, []translatetest.Change{
		{Name: "an interface on s2", Collection: "ports", ID: "rif2", After: port("rif2", "n", "s2", "10.0.1.1", "network:router_interface", "r1")},
		{Name: "the interface's subnet deleted", Collection: "subnets", ID: "s"},
		{Name: "its peer's AS", Collection: Peers.Collection, ID: "peer", After: translate.Doc{"id": "peer", "peer_ip": "172.24.0.1", "remote_as": 65002}},
		{Name: "its router's routes", Collection: "routers", ID: "r1", After: translate.Doc{"id": "r1", "gw_port_id": "gw",
			"external_gateway_info": map[string]any{"network_id": "ext"}, "routes": []any{map[string]any{"destination": "10.5.0.0/16", "nexthop": "10.0.0.9"}}}},
		{Name: "a VM port", Collection: "ports", ID: "vm2", After: port("vm2", "n", "s", "10.0.0.8", "compute:nova", "i-2")},
		{Name: "an unrelated subnet", Collection: "subnets", ID: "other"},
		{Name: "another router's interface", Collection: "ports", ID: "rif3", After: port("rif3", "n", "s2", "10.0.1.2", "network:router_interface", "r2")},
	})
	for _, n := range []string{"an interface on s2", "the interface's subnet deleted", "its peer's AS", "its router's routes"} {
		if len(named[n]) != 1 {
			t.Errorf("%s: the speaker not named", n)
		}
	}
	for _, n := range []string{"a VM port", "an unrelated subnet", "another router's interface"} {
		if len(named[n]) != 0 {
			t.Errorf("%s: the speaker named", n)
		}
	}
}
