package integration

import (
	"net/http"
	"slices"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
)

// gophercloud has no tap-service or tap-flow package (only tap mirrors), so these tests
// drive /v2.0/taas through its ServiceClient with JSON bodies.

// tapPost creates a tap service or flow and returns it, or the error.
func tapPost(t *testing.T, c *gophercloud.ServiceClient, member string, body map[string]any) (map[string]any, error) {
	t.Helper()
	out, _, err := raw(t, c, http.MethodPost, "taas/"+member+"s", map[string]any{member: body}, nil, 201)
	if err != nil {
		return nil, err
	}
	return out[member].(map[string]any), nil
}

// tapIDs lists the ids of a TaaS collection as c sees it (query included in what).
func tapIDs(t *testing.T, c *gophercloud.ServiceClient, what string) []string {
	t.Helper()
	out := get(t, c, "taas/"+what)
	coll := what
	if i := len("tap_flows"); len(coll) >= i && coll[:i] == "tap_flows" {
		coll = "tap_flows"
	} else {
		coll = "tap_services"
	}
	var ids []string
	for _, x := range out[coll].([]any) {
		ids = append(ids, x.(map[string]any)["id"].(string))
	}
	slices.Sort(ids)
	return ids
}

func tapStatus(t *testing.T, c *gophercloud.ServiceClient, method, path string, body any) error {
	t.Helper()
	_, _, err := raw(t, c, method, path, body, nil, 200, 204)
	return err
}

// TestTaaS: tap services and flows through the API on SQLite and PostgreSQL as a project
// member: every attribute, the validation of the recording, updates of name and
// description only, the cascades (a flow goes with its service or source port, a service
// with its port), and the defaults (status DOWN, vlan_filter null).
func TestTaaS(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-taas"
		c := e.member(project)
		net, _ := newNetwork(t, c, "taas", "10.77.0.0/24")
		mk := func(name string) string {
			return createPort(t, c, ports.CreateOpts{NetworkID: net.ID, Name: name}).ID
		}
		mon, src, src2 := mk("monitor"), mk("src"), mk("src2")

		ts, err := tapPost(t, c, "tap_service", map[string]any{"name": "ts", "description": "d", "port_id": mon})
		must(t, err)
		want := map[string]any{"name": "ts", "description": "d", "port_id": mon, "status": "DOWN", "tenant_id": project, "project_id": project}
		for k, v := range want {
			if ts[k] != v {
				t.Errorf("tap service %s = %v, want %v", k, ts[k], v)
			}
		}
		if len(ts) != 7 {
			t.Errorf("tap service keys %v, want id, name, description, port_id, status, tenant_id, project_id", ts)
		}
		tsID := ts["id"].(string)

		bad := []struct {
			name   string
			member string
			body   map[string]any
			status int
			typ    string
		}{
			{"service without port", "tap_service", map[string]any{"name": "x"}, 400, "HTTPBadRequest"},
			{"service on a missing port", "tap_service", map[string]any{"port_id": "00000000-0000-0000-0000-000000000000"}, 404, "PortNotFound"},
			{"service port not a uuid", "tap_service", map[string]any{"port_id": "nope"}, 400, "HTTPBadRequest"},
			{"service with status", "tap_service", map[string]any{"port_id": mon, "status": "ACTIVE"}, 400, "HTTPBadRequest"},
			{"service name too long", "tap_service", map[string]any{"port_id": mon, "name": string(make([]byte, 256))}, 400, "HTTPBadRequest"},
			{"flow without direction", "tap_flow", map[string]any{"tap_service_id": tsID, "source_port": src}, 400, "HTTPBadRequest"},
			{"flow bad direction", "tap_flow", map[string]any{"tap_service_id": tsID, "source_port": src, "direction": "UP"}, 400, "HTTPBadRequest"},
			{"flow missing service", "tap_flow", map[string]any{"tap_service_id": "00000000-0000-0000-0000-000000000000", "source_port": src, "direction": "IN"}, 404, "TapServiceNotFound"},
			{"flow missing port", "tap_flow", map[string]any{"tap_service_id": tsID, "source_port": "00000000-0000-0000-0000-000000000000", "direction": "IN"}, 404, "PortNotFound"},
			{"flow bad vlan filter", "tap_flow", map[string]any{"tap_service_id": tsID, "source_port": src, "direction": "IN", "vlan_filter": "1-"}, 400, "HTTPBadRequest"},
			{"flow vlan filter not a string", "tap_flow", map[string]any{"tap_service_id": tsID, "source_port": src, "direction": "IN", "vlan_filter": 7}, 400, "HTTPBadRequest"},
		}
		for _, tc := range bad {
			_, err := tapPost(t, c, tc.member, tc.body)
			if err == nil {
				t.Errorf("%s: accepted", tc.name)
				continue
			}
			wantError(t, err, tc.status, tc.typ)
		}

		both, err := tapPost(t, c, "tap_flow", map[string]any{"name": "both", "tap_service_id": tsID, "source_port": src, "direction": "BOTH"})
		must(t, err)
		if both["direction"] != "BOTH" || both["vlan_filter"] != nil || both["status"] != "DOWN" || both["source_port"] != src || both["tap_service_id"] != tsID {
			t.Errorf("tap flow %v", both)
		}
		in, err := tapPost(t, c, "tap_flow", map[string]any{"name": "in", "tap_service_id": tsID, "source_port": src2, "direction": "IN", "vlan_filter": "9,18-27"})
		must(t, err)
		if in["vlan_filter"] != "9,18-27" {
			t.Errorf("vlan_filter %v", in["vlan_filter"])
		}
		if got := tapIDs(t, c, "tap_flows?tap_service_id="+tsID); len(got) != 2 {
			t.Errorf("flows of the service %v", got)
		}
		if got := get(t, c, "taas/tap_flows?direction=IN")["tap_flows"].([]any); len(got) != 1 || got[0].(map[string]any)["id"] != in["id"] {
			t.Errorf("flows filtered by direction IN: %v", got)
		}

		// Updates: name and description only.
		must(t, tapStatus(t, c, http.MethodPut, "taas/tap_services/"+tsID, map[string]any{"tap_service": map[string]any{"name": "ts2", "description": "d2"}}))
		if got := get(t, c, "taas/tap_services/"+tsID)["tap_service"].(map[string]any); got["name"] != "ts2" || got["description"] != "d2" {
			t.Errorf("updated service %v", got)
		}
		wantError(t, tapStatus(t, c, http.MethodPut, "taas/tap_services/"+tsID, map[string]any{"tap_service": map[string]any{"port_id": src}}), 400, "HTTPBadRequest")
		must(t, tapStatus(t, c, http.MethodPut, "taas/tap_flows/"+both["id"].(string), map[string]any{"tap_flow": map[string]any{"name": "b2"}}))
		for _, k := range []string{"direction", "source_port", "tap_service_id", "vlan_filter", "status"} {
			wantError(t, tapStatus(t, c, http.MethodPut, "taas/tap_flows/"+both["id"].(string), map[string]any{"tap_flow": map[string]any{k: "IN"}}), 400, "HTTPBadRequest")
		}

		// The source port goes: its flow goes with it; the other stays.
		must(t, ports.Delete(ctx(t), c, src).ExtractErr())
		wantError(t, tapStatus(t, c, http.MethodGet, "taas/tap_flows/"+both["id"].(string), nil), 404, "TapFlowNotFound")
		if got := tapIDs(t, c, "tap_flows"); !slices.Equal(got, []string{in["id"].(string)}) {
			t.Errorf("flows after the source port's delete %v", got)
		}
		// The service goes: its flows go.
		must(t, tapStatus(t, c, http.MethodDelete, "taas/tap_services/"+tsID, nil))
		wantError(t, tapStatus(t, c, http.MethodGet, "taas/tap_flows/"+in["id"].(string), nil), 404, "TapFlowNotFound")
		wantError(t, tapStatus(t, c, http.MethodDelete, "taas/tap_services/"+tsID, nil), 404, "TapServiceNotFound")

		// The monitor port goes: its services (and their flows) go.
		ts3, err := tapPost(t, c, "tap_service", map[string]any{"port_id": mon})
		must(t, err)
		f3, err := tapPost(t, c, "tap_flow", map[string]any{"tap_service_id": ts3["id"], "source_port": src2, "direction": "OUT"})
		must(t, err)
		must(t, ports.Delete(ctx(t), c, mon).ExtractErr())
		wantError(t, tapStatus(t, c, http.MethodGet, "taas/tap_services/"+ts3["id"].(string), nil), 404, "TapServiceNotFound")
		wantError(t, tapStatus(t, c, http.MethodDelete, "taas/tap_flows/"+f3["id"].(string), nil), 404, "TapFlowNotFound")
		if got := tapIDs(t, c, "tap_services"); len(got) != 0 {
			t.Errorf("services left %v", got)
		}

		// A port the server removes itself: a router interface's, with a service on it and a
		// flow mirroring it, goes with remove_router_interface, and so do they.
		_, sub2 := newNetwork(t, c, "taas-r", "10.77.1.0/24")
		r := l3CreateRouter(t, c, routers.CreateOpts{Name: "taas-r"})
		rif := l3AddInterface(t, c, r.ID, routers.AddInterfaceOpts{SubnetID: sub2.ID})
		ts4, err := tapPost(t, c, "tap_service", map[string]any{"port_id": rif.PortID})
		must(t, err)
		f4, err := tapPost(t, c, "tap_flow", map[string]any{"tap_service_id": ts4["id"], "source_port": rif.PortID, "direction": "BOTH"})
		must(t, err)
		l3RemoveInterface(t, c, r.ID, routers.RemoveInterfaceOpts{SubnetID: sub2.ID})
		wantError(t, tapStatus(t, c, http.MethodGet, "taas/tap_services/"+ts4["id"].(string), nil), 404, "TapServiceNotFound")
		wantError(t, tapStatus(t, c, http.MethodGet, "taas/tap_flows/"+f4["id"].(string), nil), 404, "TapFlowNotFound")
	})
}

// TestTaaSCrossProject: project B cannot see, change, delete or use project A's tap services
// and flows (404, as for what does not exist), cannot tap A's ports (404) nor deliver to them;
// an admin naming one project's port or service for another project gets upstream's 403s.
func TestTaaSCrossProject(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		a, b, admin := e.member("taas-a"), e.member("taas-b"), e.admin("taas-admin")
		netA, _ := newNetwork(t, a, "a", "10.78.0.0/24")
		netB, _ := newNetwork(t, b, "b", "10.79.0.0/24")
		aMon := createPort(t, a, ports.CreateOpts{NetworkID: netA.ID}).ID
		aSrc := createPort(t, a, ports.CreateOpts{NetworkID: netA.ID}).ID
		bMon := createPort(t, b, ports.CreateOpts{NetworkID: netB.ID}).ID
		bSrc := createPort(t, b, ports.CreateOpts{NetworkID: netB.ID}).ID
		tsA, err := tapPost(t, a, "tap_service", map[string]any{"port_id": aMon})
		must(t, err)
		flA, err := tapPost(t, a, "tap_flow", map[string]any{"tap_service_id": tsA["id"], "source_port": aSrc, "direction": "BOTH"})
		must(t, err)
		tsB, err := tapPost(t, b, "tap_service", map[string]any{"port_id": bMon})
		must(t, err)

		svc, flow := "taas/tap_services/"+tsA["id"].(string), "taas/tap_flows/"+flA["id"].(string)
		wantError(t, tapStatus(t, b, http.MethodGet, svc, nil), 404, "TapServiceNotFound")
		wantError(t, tapStatus(t, b, http.MethodGet, flow, nil), 404, "TapFlowNotFound")
		wantError(t, tapStatus(t, b, http.MethodPut, svc, map[string]any{"tap_service": map[string]any{"name": "x"}}), 404, "TapServiceNotFound")
		wantError(t, tapStatus(t, b, http.MethodPut, flow, map[string]any{"tap_flow": map[string]any{"name": "x"}}), 404, "TapFlowNotFound")
		wantError(t, tapStatus(t, b, http.MethodDelete, svc, nil), 404, "TapServiceNotFound")
		wantError(t, tapStatus(t, b, http.MethodDelete, flow, nil), 404, "TapFlowNotFound")
		if got := tapIDs(t, b, "tap_services"); !slices.Equal(got, []string{tsB["id"].(string)}) {
			t.Errorf("B lists services %v, want only its own", got)
		}
		if got := tapIDs(t, b, "tap_flows?tenant_id=taas-a"); len(got) != 0 {
			t.Errorf("B lists A's flows %v", got)
		}
		// Using A's things: deliver to A's port, tap A's port, attach to A's service.
		_, err = tapPost(t, b, "tap_service", map[string]any{"port_id": aMon})
		wantError(t, err, 404, "PortNotFound")
		_, err = tapPost(t, b, "tap_flow", map[string]any{"tap_service_id": tsB["id"], "source_port": aSrc, "direction": "IN"})
		wantError(t, err, 404, "PortNotFound")
		_, err = tapPost(t, b, "tap_flow", map[string]any{"tap_service_id": tsA["id"], "source_port": bSrc, "direction": "IN"})
		wantError(t, err, 404, "TapServiceNotFound")
		// Naming another project in the body is neutron-lib's 400 for a member.
		_, err = tapPost(t, b, "tap_service", map[string]any{"port_id": bMon, "tenant_id": "taas-a"})
		wantError(t, err, 400, "")

		// An admin mixing projects: upstream's 403s.
		_, err = tapPost(t, admin, "tap_service", map[string]any{"port_id": aMon, "tenant_id": "taas-b"})
		wantError(t, err, 403, "PortDoesNotBelongToTenant")
		_, err = tapPost(t, admin, "tap_flow", map[string]any{"tap_service_id": tsA["id"], "source_port": bSrc, "direction": "IN", "tenant_id": "taas-b"})
		wantError(t, err, 403, "TapServiceNotBelongToTenant")
		_, err = tapPost(t, admin, "tap_flow", map[string]any{"tap_service_id": tsA["id"], "source_port": bSrc, "direction": "IN", "tenant_id": "taas-a"})
		wantError(t, err, 403, "PortDoesNotBelongToTenant")
		// The admin sees both projects' services.
		if got := tapIDs(t, admin, "tap_services"); len(got) != 2 {
			t.Errorf("admin lists %v", got)
		}
		// A's things are untouched.
		if got := get(t, a, flow)["tap_flow"].(map[string]any); got["name"] != "" || got["direction"] != "BOTH" {
			t.Errorf("A's flow after B's attempts %v", got)
		}
	})
}
