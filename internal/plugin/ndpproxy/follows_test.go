package ndpproxy

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/testutil/translatetest"
)

// TestPortAndRouterChangesReachTheirProxies: a change of the proxy's port, of its router's
// interface or gateway port, or of the router re-translates the proxy; another VM port's
// does not.
func TestPortAndRouterChangesReachTheirProxies(t *testing.T) {
	owners := []translate.Ref{translate.RefOf(NDPProxies.Collection, "np")}
	moved := world().Get("ports", "vm")
	moved["mac_address"] = "fa:16:3e:00:00:09"
	named := translatetest.Reaches(t, Service().Translators, world, owners, []translatetest.Change{
		{Name: "its port's MAC", Collection: "ports", ID: "vm", After: moved},
		{Name: "the interface deleted", Collection: "ports", ID: "rif"},
		{Name: "the gateway deleted", Collection: "ports", ID: "gw"},
		{Name: "NDP proxy off", Collection: "routers", ID: "r1", After: translate.Doc{"id": "r1", "gw_port_id": "gw", "enable_ndp_proxy": false,
			"external_gateway_info": map[string]any{"network_id": "pub"}}},
		{Name: "another VM port", Collection: "ports", ID: "vm2", After: translate.Doc{"id": "vm2", "network_id": "a", "device_owner": model.OwnerComputePrefix + "nova",
			"fixed_ips": []any{map[string]any{"subnet_id": "a6", "ip_address": "2001:db8:a::6"}}}},
	})
	for _, n := range []string{"its port's MAC", "the interface deleted", "the gateway deleted", "NDP proxy off"} {
		if len(named[n]) != 1 {
			t.Errorf("%s: the proxy not named", n)
		}
	}
	if len(named["another VM port"]) != 0 {
		t.Error("another VM port's create re-translates the proxy")
	}
}

// TestSubnetChangesReachTheirProxies: the gateway's subnet's change re-translates the proxy
// (its upstream is that subnet's gateway); a subnet of another network does not.
func TestSubnetChangesReachTheirProxies(t *testing.T) {
	owners := []translate.Ref{translate.RefOf(NDPProxies.Collection, "np")}
	ext := world().Get("subnets", "ext6")
	ext["gateway_ip"] = "2001:db8:e::2"
	named := translatetest.Reaches(t, Service().Translators, world, owners, []translatetest.Change{
		{Name: "the gateway's subnet's gateway", Collection: "subnets", ID: "ext6", After: ext},
		{Name: "another subnet", Collection: "subnets", ID: "b6", After: translate.Doc{"id": "b6", "network_id": "b", "cidr": "2001:db8:b::/64",
			"ip_version": 6, "gateway_ip": "2001:db8:b::1"}},
	})
	if len(named["the gateway's subnet's gateway"]) != 1 || len(named["another subnet"]) != 0 {
		t.Errorf("proxies named %v", named)
	}
}
