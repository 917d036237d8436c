package integration

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
)

// l2gwPost posts body under key to path and returns the answer's object, or the error.
func l2gwPost(t *testing.T, c *gophercloud.ServiceClient, path, key string, body map[string]any) (map[string]any, error) {
	t.Helper()
	out, _, err := raw(t, c, http.MethodPost, path, map[string]any{key: body}, nil, 201)
	if err != nil {
		return nil, err
	}
	d, _ := out[key].(map[string]any)
	return d, nil
}

// TestL2Gateways: MidoNet's L2 gateway (seed 8.1.7, 8.2.2) on SQLite and PostgreSQL: exactly
// one device naming a gateway device, no interfaces, segmentation ranges by device type,
// updates refused with 501, one connection per gateway and per network, the segmentation id
// in exactly one place, the in-use rules in both directions, and the admin-only writes.
func TestL2Gateways(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-l2gw"
		c := e.admin(project)
		router := l3CreateRouter(t, c, routers.CreateOpts{Name: "vtep"})
		net1 := createNetwork(t, c, networks.CreateOpts{Name: "site-a"})
		net2 := createNetwork(t, c, networks.CreateOpts{Name: "site-b"})
		vlanNet := createNetwork(t, c, networks.CreateOpts{Name: "vlan-aware"})
		rv := gwMust(t, c, map[string]any{"name": "rv", "type": "router_vtep", "resource_id": router.ID, "tunnel_ips": []string{"198.51.100.30"}})
		nv := gwMust(t, c, map[string]any{"name": "nv", "type": "network_vlan", "resource_id": vlanNet.ID})
		rvID, nvID := rv["id"].(string), nv["id"].(string)

		bad := []struct {
			name    string
			devices any
			status  int
			typ     string
		}{
			{"no devices", []any{}, 400, "HTTPBadRequest"},
			{"two devices", []any{map[string]any{"device_id": rvID}, map[string]any{"device_id": nvID}}, 400, "HTTPBadRequest"},
			{"upstream shape", []any{map[string]any{"device_name": "sw1", "interfaces": []any{map[string]any{"name": "eth0"}}}}, 400, "HTTPBadRequest"},
			{"interfaces", []any{map[string]any{"device_id": rvID, "interfaces": []any{map[string]any{"name": "eth0"}}}}, 400, "HTTPBadRequest"},
			{"not an object", []any{"x"}, 400, "HTTPBadRequest"},
			{"not a uuid", []any{map[string]any{"device_id": "sw1"}}, 400, "HTTPBadRequest"},
			{"unknown device", []any{map[string]any{"device_id": "00000000-0000-0000-0000-000000000000"}}, 404, "GatewayDeviceNotFound"},
			{"vni out of range", []any{map[string]any{"device_id": rvID, "segmentation_id": 1<<24 - 1}}, 400, "InvalidInput"},
			{"vlan out of range", []any{map[string]any{"device_id": nvID, "segmentation_id": "4095"}}, 400, "InvalidInput"},
			{"segmentation id not a number", []any{map[string]any{"device_id": rvID, "segmentation_id": "x"}}, 400, "HTTPBadRequest"},
		}
		for _, b := range bad {
			_, err := l2gwPost(t, c, "l2-gateways", "l2_gateway", map[string]any{"name": b.name, "devices": b.devices})
			if err == nil {
				t.Errorf("%s: created", b.name)
				continue
			}
			wantError(t, err, b.status, b.typ)
		}

		// A hw_vtep device's gateway names the VTEP's ports (interfaces) and their VLANs.
		hw := gwMust(t, c, map[string]any{"name": "tor", "management_ip": "192.0.2.99", "management_port": 6640})
		_, err := l2gwPost(t, c, "l2-gateways", "l2_gateway", map[string]any{"name": "hw", "devices": []any{map[string]any{"device_id": hw["id"]}}})
		wantError(t, err, 400, "HTTPBadRequest")
		hwgw, err := l2gwPost(t, c, "l2-gateways", "l2_gateway", map[string]any{"name": "hw", "devices": []any{map[string]any{"device_id": hw["id"],
			"interfaces": []any{map[string]any{"name": "p1", "segmentation_id": []any{"100"}}}}}})
		must(t, err)
		if d := hwgw["devices"].([]any)[0].(map[string]any); fmt.Sprint(d["interfaces"]) != "[map[name:p1 segmentation_id:[100]]]" {
			t.Errorf("hw_vtep gateway device %v", d)
		}
		gw1, err := l2gwPost(t, c, "l2-gateways", "l2_gateway", map[string]any{"name": "gw1", "devices": []any{map[string]any{"device_id": rvID}}})
		must(t, err)
		devs := gw1["devices"].([]any)
		if len(devs) != 1 || devs[0].(map[string]any)["device_id"] != rvID || len(devs[0].(map[string]any)) != 1 || gw1["tenant_id"] != project {
			t.Errorf("gw1 %v", gw1)
		}
		if _, ok := gw1["project_id"]; ok {
			t.Errorf("gw1 shows project_id (networking-l2gw shows tenant_id only): %v", gw1)
		}
		gw2, err := l2gwPost(t, c, "l2-gateways", "l2_gateway", map[string]any{"name": "gw2", "devices": []any{map[string]any{"device_id": rvID, "segmentation_id": "5000"}}})
		must(t, err)
		if d := gw2["devices"].([]any)[0].(map[string]any); fmt.Sprint(d["segmentation_id"]) != "5000" {
			t.Errorf("gw2 device %v", d)
		}
		gw1ID, gw2ID := gw1["id"].(string), gw2["id"].(string)

		// Updates are not implemented (seed: 501), a missing gateway is still 404.
		_, _, err = raw(t, c, http.MethodPut, "l2-gateways/"+gw1ID, map[string]any{"l2_gateway": map[string]any{"name": "renamed"}}, nil, 200)
		wantError(t, err, 501, "HTTPNotImplemented")
		_, _, err = raw(t, c, http.MethodPut, "l2-gateways/00000000-0000-0000-0000-000000000000", map[string]any{"l2_gateway": map[string]any{"name": "x"}}, nil, 200)
		wantError(t, err, 404, "L2GatewayNotFound")

		// Connections.
		conn := func(body map[string]any) (map[string]any, error) {
			return l2gwPost(t, c, "l2-gateway-connections", "l2_gateway_connection", body)
		}
		_, err = conn(map[string]any{"l2_gateway_id": gw1ID, "network_id": net1.ID, "segmentation_id": 200})
		wantError(t, err, 400, "HTTPBadRequest") // a string, as in networking-l2gw
		_, err = conn(map[string]any{"l2_gateway_id": gw1ID, "network_id": net1.ID})
		wantError(t, err, 400, "InvalidInput")
		_, err = conn(map[string]any{"l2_gateway_id": gw2ID, "network_id": net1.ID, "segmentation_id": "300"})
		wantError(t, err, 400, "InvalidInput")
		_, err = conn(map[string]any{"l2_gateway_id": gw1ID, "network_id": net1.ID, "segmentation_id": "16777215"})
		wantError(t, err, 400, "InvalidInput")
		_, err = conn(map[string]any{"l2_gateway_id": gw1ID, "network_id": "00000000-0000-0000-0000-000000000000", "segmentation_id": "200"})
		wantError(t, err, 404, "NetworkNotFound")
		_, err = conn(map[string]any{"l2_gateway_id": "00000000-0000-0000-0000-000000000000", "network_id": net1.ID, "segmentation_id": "200"})
		wantError(t, err, 404, "L2GatewayNotFound")
		c1, err := conn(map[string]any{"l2_gateway_id": gw1ID, "network_id": net1.ID, "segmentation_id": "200"})
		must(t, err)
		if c1["segmentation_id"] != "200" || c1["network_id"] != net1.ID || c1["l2_gateway_id"] != gw1ID || c1["tenant_id"] != project {
			t.Errorf("connection %v", c1)
		}
		for _, k := range []string{"device_id", "vni", "project_id"} {
			if _, ok := c1[k]; ok {
				t.Errorf("connection shows %s: %v", k, c1)
			}
		}
		_, err = conn(map[string]any{"l2_gateway_id": gw1ID, "network_id": net2.ID, "segmentation_id": "201"})
		wantError(t, err, 409, "MidonetL2GatewayConnectionExists")
		_, err = conn(map[string]any{"l2_gateway_id": gw2ID, "network_id": net1.ID})
		wantError(t, err, 409, "L2GatewayConnectionExists")
		c2, err := conn(map[string]any{"l2_gateway_id": gw2ID, "network_id": net2.ID})
		must(t, err)
		if c2["segmentation_id"] != "" {
			t.Errorf("a connection taking its gateway's segmentation id shows %v, want \"\"", c2["segmentation_id"])
		}
		_, _, err = raw(t, c, http.MethodPut, "l2-gateway-connections/"+c1["id"].(string), map[string]any{"l2_gateway_connection": map[string]any{"segmentation_id": "250"}}, nil, 200)
		wantError(t, err, 400, "HTTPBadRequest")
		list, err := gwGet(t, c, "l2-gateway-connections?network_id="+net2.ID)
		must(t, err)
		if l := list["l2_gateway_connections"].([]any); len(l) != 1 || l[0].(map[string]any)["id"] != c2["id"] {
			t.Errorf("connections on site-b: %v", l)
		}

		// In use: the gateway while connected, the device while a gateway names it.
		wantError(t, gwDelete(t, c, "l2-gateways/"+gw1ID), 409, "L2GatewayInUse")
		wantError(t, gwDelete(t, c, gwDevices+"/"+rvID), 409, "GatewayDeviceInUse")

		// Members: reads of their project's, no writes.
		m := e.member(project)
		_, err = gwGet(t, m, "l2-gateways/"+gw1ID)
		must(t, err)
		_, err = l2gwPost(t, m, "l2-gateways", "l2_gateway", map[string]any{"name": "mine", "devices": []any{map[string]any{"device_id": rvID}}})
		wantError(t, err, 403, "PolicyNotAuthorized")
		_, err = l2gwPost(t, m, "l2-gateway-connections", "l2_gateway_connection", map[string]any{"l2_gateway_id": gw1ID, "network_id": net2.ID, "segmentation_id": "9"})
		wantError(t, err, 403, "PolicyNotAuthorized")
		wantError(t, gwDelete(t, m, "l2-gateway-connections/"+c1["id"].(string)), 403, "PolicyNotAuthorized")

		// Deleting a network deletes its connection (networking-l2gw's cascade).
		must(t, networks.Delete(ctx(t), c, net2.ID).ExtractErr())
		_, err = gwGet(t, c, "l2-gateway-connections/"+c2["id"].(string))
		wantError(t, err, 404, "L2GatewayConnectionNotFound")

		must(t, gwDelete(t, c, "l2-gateway-connections/"+c1["id"].(string)))
		wantError(t, gwDelete(t, c, "l2-gateway-connections/"+c1["id"].(string)), 404, "L2GatewayConnectionNotFound")
		must(t, gwDelete(t, c, "l2-gateways/"+gw1ID))
		must(t, gwDelete(t, c, "l2-gateways/"+gw2ID))
		must(t, gwDelete(t, c, gwDevices+"/"+rvID))
		must(t, gwDelete(t, c, "l2-gateways/"+hwgw["id"].(string)))
		list, err = gwGet(t, c, "l2-gateways")
		must(t, err)
		if l := list["l2_gateways"].([]any); len(l) != 0 {
			t.Errorf("gateways after cleanup: %v", l)
		}
	})
}

// TestL2GatewaysCrossProject: another project's member sees none of A's gateways and
// connections (404, empty lists), cannot delete them (404) and cannot name A's device in a
// gateway of its own (writes are admin only: 403); A's connection is left as it was.
func TestL2GatewaysCrossProject(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		a := e.admin("it-l2-a")
		router := l3CreateRouter(t, a, routers.CreateOpts{Name: "vtep"})
		net := createNetwork(t, a, networks.CreateOpts{Name: "a-net"})
		dev := gwMust(t, a, map[string]any{"name": "rv", "type": "router_vtep", "resource_id": router.ID, "tunnel_ips": []string{"198.51.100.40"}})
		gw, err := l2gwPost(t, a, "l2-gateways", "l2_gateway", map[string]any{"name": "gw", "devices": []any{map[string]any{"device_id": dev["id"]}}})
		must(t, err)
		cn, err := l2gwPost(t, a, "l2-gateway-connections", "l2_gateway_connection", map[string]any{"l2_gateway_id": gw["id"], "network_id": net.ID, "segmentation_id": "77"})
		must(t, err)

		b := e.member("it-l2-b")
		_, err = gwGet(t, b, "l2-gateways/"+gw["id"].(string))
		wantError(t, err, 404, "L2GatewayNotFound")
		_, err = gwGet(t, b, "l2-gateway-connections/"+cn["id"].(string))
		wantError(t, err, 404, "L2GatewayConnectionNotFound")
		wantError(t, gwDelete(t, b, "l2-gateways/"+gw["id"].(string)), 404, "L2GatewayNotFound")
		wantError(t, gwDelete(t, b, "l2-gateway-connections/"+cn["id"].(string)), 404, "L2GatewayConnectionNotFound")
		for _, p := range []string{"l2-gateways", "l2-gateway-connections"} {
			out, err := gwGet(t, b, p)
			must(t, err)
			for k, v := range out {
				if l, ok := v.([]any); ok && len(l) != 0 {
					t.Errorf("project B lists %s: %v", k, l)
				}
			}
		}
		// A member of B cannot make a device of A's router, nor name A's device in a gateway.
		_, err = l2gwPost(t, b, "l2-gateways", "l2_gateway", map[string]any{"name": "b", "devices": []any{map[string]any{"device_id": dev["id"]}}})
		wantError(t, err, 403, "PolicyNotAuthorized")
		_, err = gwGet(t, a, "l2-gateway-connections/"+cn["id"].(string))
		must(t, err)
	})
}
