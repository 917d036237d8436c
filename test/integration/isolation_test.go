package integration

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

// TestCrossProjectIsolation is issue 18's cross-project exploits against the real binary on
// both databases: project B (a member) names project A's port, subnets, router, security
// group, pool and network; every answer is neutron-server 21.0.0's, B's router gains no
// interface and A's documents are unchanged.
func TestCrossProjectIsolation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const projectA, projectB = "it-iso-a", "it-iso-b"
		admin := e.admin("it-iso-admin")
		a, b := e.member(projectA), e.member(projectB)

		aNet, aSub := newNetwork(t, a, "iso-a-net", "10.81.1.0/24")
		aPort := createPort(t, a, ports.CreateOpts{NetworkID: aNet.ID, Name: "iso-a-vm"})
		aRouter := l3CreateRouter(t, a, routers.CreateOpts{Name: "iso-a-r"})
		out, _, err := raw(t, a, http.MethodPost, "security-groups", doc{"security_group": doc{"name": "iso-a-sg"}}, nil, 201)
		must(t, err)
		aSG := out["security_group"].(map[string]any)
		out, _, err = raw(t, a, http.MethodPost, "subnetpools", doc{"subnetpool": doc{"name": "iso-a-pool", "prefixes": []string{"10.181.0.0/16"}, "default_prefixlen": 24}}, nil, 201)
		must(t, err)
		aPool := out["subnetpool"].(map[string]any)["id"].(string)
		shared := createNetwork(t, admin, doc{"network": doc{"name": "iso-shared", "tenant_id": projectA, "shared": true}})
		sSub := createSubnet(t, a, subnets.CreateOpts{NetworkID: shared.ID, CIDR: "10.81.3.0/24", IPVersion: 4})

		bNet, bSub := newNetwork(t, b, "iso-b-net", "10.81.2.0/24")
		bRouter := l3CreateRouter(t, b, routers.CreateOpts{Name: "iso-b-r"})
		out, _, err = raw(t, b, http.MethodPost, "security-groups", doc{"security_group": doc{"name": "iso-b-sg"}}, nil, 201)
		must(t, err)
		bSG := out["security_group"].(map[string]any)["id"].(string)
		bOnShared := createPort(t, b, ports.CreateOpts{NetworkID: shared.ID, Name: "iso-b-on-shared"})

		snapshot := func() map[string]any {
			s := map[string]any{}
			for _, p := range []string{"networks/" + aNet.ID, "subnets/" + aSub.ID, "ports/" + aPort.ID, "routers/" + aRouter.ID,
				"security-groups/" + aSG["id"].(string), "subnetpools/" + aPool, "networks/" + shared.ID, "subnets/" + sSub.ID,
				"ports?network_id=" + aNet.ID, "ports?network_id=" + shared.ID + "&device_owner=network:router_interface", "ports?device_id=" + aRouter.ID} {
				s[p] = get(t, admin, p)
			}
			return s
		}
		before := snapshot()

		iface := "routers/" + bRouter.ID + "/add_router_interface"
		cases := []struct {
			name         string
			method, path string
			body         any
			status       int
			typ          string
		}{
			{"add A's port to B's router", "PUT", iface, doc{"port_id": aPort.ID}, 404, "PortNotFound"},
			{"add A's subnet to B's router", "PUT", iface, doc{"subnet_id": aSub.ID}, 404, "SubnetNotFound"},
			{"add A's shared subnet to B's router", "PUT", iface, doc{"subnet_id": sSub.ID}, 400, "BadRequest"},
			{"remove A's subnet from B's router", "PUT", "routers/" + bRouter.ID + "/remove_router_interface", doc{"subnet_id": aSub.ID}, 404, "SubnetNotFound"},
			{"remove A's port from B's router", "PUT", "routers/" + bRouter.ID + "/remove_router_interface", doc{"port_id": aPort.ID}, 404, "RouterInterfaceNotFound"},
			{"wire B's network into A's router", "POST", "ports", doc{"port": doc{"network_id": bNet.ID, "device_owner": "network:router_interface",
				"device_id": aRouter.ID, "fixed_ips": []any{doc{"subnet_id": bSub.ID, "ip_address": "10.81.2.20"}}}}, 409, "DeviceIDNotOwnedByTenant"}, // below newNetwork's pool
			{"B's network as A's router's gateway", "POST", "ports", doc{"port": doc{"network_id": bNet.ID, "device_owner": "network:router_gateway",
				"device_id": aRouter.ID}}, 409, "DeviceIDNotOwnedByTenant"},
			{"marker naming A's network", "GET", "networks?sort_key=name&sort_dir=asc&limit=1&marker=" + aNet.ID, nil, 404, "NetworkNotFound"},
			{"subnet from A's pool", "POST", "subnets", doc{"subnet": doc{"network_id": bNet.ID, "ip_version": 4, "subnetpool_id": aPool}}, 404, "SubnetPoolNotFound"},
			{"rule with A's group as remote", "POST", "security-group-rules", doc{"security_group_rule": doc{"security_group_id": bSG,
				"direction": "ingress", "remote_group_id": aSG["id"]}}, 404, "SecurityGroupNotFound"},
			{"repeated admin-only attribute", "PUT", "networks/" + bNet.ID, doc{"network": doc{"provider:network_type": "midonet"}}, 403, "PolicyNotAuthorized"},
			{"own port on A's shared network made a DHCP port", "PUT", "ports/" + bOnShared.ID, doc{"port": doc{"device_owner": "network:dhcp"}}, 403, "PolicyNotAuthorized"},
			{"gateway on A's private network", "PUT", "routers/" + bRouter.ID, doc{"router": doc{"external_gateway_info": doc{"network_id": aNet.ID}}}, 404, "NetworkNotFound"},
			{"floating IP on A's private network", "POST", "floatingips", doc{"floatingip": doc{"floating_network_id": aNet.ID}}, 404, "NetworkNotFound"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := raw(t, b, tc.method, tc.path, tc.body, nil, 200, 201)
				wantError(t, err, tc.status, tc.typ)
			})
		}
		if got := l3DevicePorts(t, admin, bRouter.ID, "network:router_interface"); len(got) != 0 {
			t.Errorf("B's router has %d interfaces after the refused requests, want 0", len(got))
		}
		if p := get(t, b, "ports/"+bOnShared.ID)["port"].(map[string]any); p["device_owner"] != "" {
			t.Errorf("B's port on the shared network became %v", p["device_owner"])
		}
		after := snapshot()
		for k := range before {
			if !reflect.DeepEqual(before[k], after[k]) {
				t.Errorf("A's %s changed:\nbefore %v\nafter  %v", k, before[k], after[k])
			}
		}
	})
}
