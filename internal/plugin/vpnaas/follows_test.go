package vpnaas

import (
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/testutil/translatetest"
)

// TestPortAndRouterChangesReachTheirServices: the gateway port's host moving, the router's
// change and a VM port's create each re-translate the services whose translation they
// change (the first service's container follows the gateway's host), and a VM port
// reaches none.
func TestPortAndRouterChangesReachTheirServices(t *testing.T) {
	owners := []translate.Ref{translate.RefOf(Services.Collection, "svc-a"), translate.RefOf(Services.Collection, "svc-b")}
	gw := world().Get("ports", "gw")
	gw["binding:host_id"] = "hv2"
	named := translatetest.Reaches(t, Service().Translators, world, owners, []translatetest.Change{
		{Name: "gateway port moved", Collection: "ports", ID: "gw", After: gw},
		{Name: "router deleted", Collection: "routers", ID: "r-1234567890"},
		{Name: "VM port created", Collection: "ports", ID: "vm", After: translate.Doc{"id": "vm", "network_id": "net", "device_owner": "compute:nova",
			"fixed_ips": []any{map[string]any{"subnet_id": "sub", "ip_address": "10.9.0.5"}}}},
	})
	if len(named["gateway port moved"]) != 2 || len(named["router deleted"]) != 2 || len(named["VM port created"]) != 0 {
		t.Errorf("services named %v", named)
	}
}

// TestSubnetChangesReachTheirServices: a subnet a service names, or that the local endpoint
// group of one of its connections lists, re-translates the service when it changes; another
// subnet does not.
func TestSubnetChangesReachTheirServices(t *testing.T) {
	owners := []translate.Ref{translate.RefOf(Services.Collection, "svc-a"), translate.RefOf(Services.Collection, "svc-b")}
	named := translatetest.Reaches(t, Service().Translators, world, owners, []translatetest.Change{
		{Name: "the services' subnet deleted", Collection: "subnets", ID: "sub"},
		{Name: "another subnet", Collection: "subnets", ID: "sub2", After: translate.Doc{"id": "sub2", "network_id": "net", "cidr": "10.8.0.0/24", "ip_version": 4}},
	})
	if len(named["the services' subnet deleted"]) != 2 || len(named["another subnet"]) != 0 {
		t.Errorf("services named %v", named)
	}
}
