package integration

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
)

// gophercloud has no gateway-device package: these helpers send the JSON networking-midonet's
// client sends, through gophercloud's ServiceClient.

const gwDevices = "gw/gateway_devices"

// gwCreate posts a gateway device and returns the answer's device, or the error.
func gwCreate(t *testing.T, c *gophercloud.ServiceClient, body map[string]any) (map[string]any, error) {
	t.Helper()
	out, _, err := raw(t, c, http.MethodPost, gwDevices, map[string]any{"gateway_device": body}, nil, 201)
	if err != nil {
		return nil, err
	}
	d, _ := out["gateway_device"].(map[string]any)
	return d, nil
}

// gwMust is gwCreate that must succeed.
func gwMust(t *testing.T, c *gophercloud.ServiceClient, body map[string]any) map[string]any {
	t.Helper()
	d, err := gwCreate(t, c, body)
	if err != nil {
		t.Fatalf("create gateway device %v: %v", body, err)
	}
	return d
}

// gwEntry posts a remote MAC entry under a device.
func gwEntry(t *testing.T, c *gophercloud.ServiceClient, dev string, body map[string]any) (map[string]any, error) {
	t.Helper()
	out, _, err := raw(t, c, http.MethodPost, gwDevices+"/"+dev+"/remote_mac_entries", map[string]any{"remote_mac_entry": body}, nil, 201)
	if err != nil {
		return nil, err
	}
	d, _ := out["remote_mac_entry"].(map[string]any)
	return d, nil
}

func gwDelete(t *testing.T, c *gophercloud.ServiceClient, path string) error {
	t.Helper()
	_, _, err := raw(t, c, http.MethodDelete, path, nil, nil, 204)
	return err
}

func gwGet(t *testing.T, c *gophercloud.ServiceClient, path string) (map[string]any, error) {
	t.Helper()
	out, _, err := raw(t, c, http.MethodGet, path, nil, nil, 200)
	return out, err
}

// TestGatewayDevices: the gateway-device extension (seed 8.1.4, 8.2.3) on SQLite and
// PostgreSQL: each type's required and refused fields and defaults, the uniqueness rules,
// updates, remote MAC entries (router_vtep only, one entry per MAC), the router and network
// kept while a device names them, and the cascade of entries with their device.
func TestGatewayDevices(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-gwdev"
		c := e.admin(project)
		router := l3CreateRouter(t, c, routers.CreateOpts{Name: "vtep-router"})
		vlanNet := createNetwork(t, c, networks.CreateOpts{Name: "vlan-net"})

		// hw_vtep: management address and port required; protocol defaults to ovsdb.
		_, err := gwCreate(t, c, map[string]any{"name": "hw", "type": "hw_vtep", "management_ip": "192.0.2.10"})
		wantError(t, err, 400, "HwVtepTypeInvalid")
		_, err = gwCreate(t, c, map[string]any{"name": "hw", "management_ip": "192.0.2.10", "management_port": 6632, "resource_id": router.ID})
		wantError(t, err, 400, "HwVtepTypeInvalid")
		_, err = gwCreate(t, c, map[string]any{"name": "hw", "management_ip": "192.0.2.10", "management_port": 70000})
		wantError(t, err, 400, "HTTPBadRequest")
		_, err = gwCreate(t, c, map[string]any{"name": "hw", "management_ip": "not-an-ip", "management_port": 6632})
		wantError(t, err, 400, "HTTPBadRequest")
		_, err = gwCreate(t, c, map[string]any{"name": "hw", "type": "switch", "management_ip": "192.0.2.10", "management_port": 6632})
		wantError(t, err, 400, "HTTPBadRequest")
		hw := gwMust(t, c, map[string]any{"name": "hw", "management_ip": "192.0.2.10", "management_port": "6632"})
		if hw["type"] != "hw_vtep" || hw["management_protocol"] != "ovsdb" || fmt.Sprint(hw["management_port"]) != "6632" ||
			hw["resource_id"] != "" || hw["tenant_id"] != project || hw["project_id"] != nil {
			t.Errorf("hw_vtep device %v", hw)
		}
		if l, ok := hw["tunnel_ips"].([]any); !ok || len(l) != 0 {
			t.Errorf("hw_vtep tunnel_ips %v, want []", hw["tunnel_ips"])
		}
		if l, ok := hw["remote_mac_entries"].([]any); !ok || len(l) != 0 {
			t.Errorf("hw_vtep remote_mac_entries %v, want []", hw["remote_mac_entries"])
		}
		_, err = gwCreate(t, c, map[string]any{"name": "hw2", "management_ip": "192.0.2.10", "management_port": 6633})
		wantError(t, err, 409, "GatewayDeviceParamDuplicate")

		// router_vtep: a router the caller sees, one tunnel IP, one device per router.
		_, err = gwCreate(t, c, map[string]any{"name": "rv", "type": "router_vtep", "tunnel_ips": []string{"198.51.100.1"}})
		wantError(t, err, 400, "RouterVtepTypeInvalid")
		_, err = gwCreate(t, c, map[string]any{"name": "rv", "type": "router_vtep", "resource_id": "00000000-0000-0000-0000-000000000000", "tunnel_ips": []string{"198.51.100.1"}})
		wantError(t, err, 404, "ResourceNotFound")
		_, err = gwCreate(t, c, map[string]any{"name": "rv", "type": "router_vtep", "resource_id": router.ID})
		wantError(t, err, 400, "TunnelIPsRequired")
		_, err = gwCreate(t, c, map[string]any{"name": "rv", "type": "router_vtep", "resource_id": router.ID, "tunnel_ips": []string{"198.51.100.1", "198.51.100.2"}})
		wantError(t, err, 400, "TunnelIPsExhausted")
		_, err = gwCreate(t, c, map[string]any{"name": "rv", "type": "router_vtep", "resource_id": router.ID, "tunnel_ips": []string{"nope"}})
		wantError(t, err, 400, "HTTPBadRequest")
		_, err = gwCreate(t, c, map[string]any{"name": "rv", "type": "router_vtep", "resource_id": router.ID, "tunnel_ips": []string{"198.51.100.1"}, "management_ip": "192.0.2.11", "management_port": 6632})
		wantError(t, err, 400, "RouterVtepTypeInvalid")
		rv := gwMust(t, c, map[string]any{"name": "rv", "type": "router_vtep", "resource_id": router.ID, "tunnel_ips": []string{"198.51.100.1"}})
		if rv["resource_id"] != router.ID || rv["management_ip"] != nil || rv["management_port"] != nil || rv["management_protocol"] != nil {
			t.Errorf("router_vtep device %v", rv)
		}
		rvID := rv["id"].(string)
		_, err = gwCreate(t, c, map[string]any{"name": "rv2", "type": "router_vtep", "resource_id": router.ID, "tunnel_ips": []string{"198.51.100.9"}})
		wantError(t, err, 409, "DeviceInUseByGatewayDevice")
		other := l3CreateRouter(t, c, routers.CreateOpts{Name: "other"})
		_, err = gwCreate(t, c, map[string]any{"name": "rv2", "type": "router_vtep", "resource_id": other.ID, "tunnel_ips": []string{"198.51.100.1"}})
		wantError(t, err, 409, "GatewayDeviceParamDuplicate")

		// network_vlan: a network, no tunnel IPs.
		_, err = gwCreate(t, c, map[string]any{"name": "nv", "type": "network_vlan", "resource_id": vlanNet.ID, "tunnel_ips": []string{"198.51.100.5"}})
		wantError(t, err, 400, "NetworkVlanTypeInvalid")
		nv := gwMust(t, c, map[string]any{"name": "nv", "type": "network_vlan", "resource_id": vlanNet.ID})
		nvID := nv["id"].(string)
		_, err = gwCreate(t, c, map[string]any{"name": "nv2", "type": "network_vlan", "resource_id": vlanNet.ID})
		wantError(t, err, 409, "DeviceInUseByGatewayDevice")

		// Updates: name and tunnel IPs only, by the type's rules.
		out, _, err := raw(t, c, http.MethodPut, gwDevices+"/"+rvID, map[string]any{"gateway_device": map[string]any{"name": "rv-renamed", "tunnel_ips": []string{"198.51.100.3"}}}, nil, 200)
		must(t, err)
		if d := out["gateway_device"].(map[string]any); d["name"] != "rv-renamed" || d["tunnel_ips"].([]any)[0] != "198.51.100.3" {
			t.Errorf("updated device %v", d)
		}
		_, _, err = raw(t, c, http.MethodPut, gwDevices+"/"+rvID, map[string]any{"gateway_device": map[string]any{"tunnel_ips": []string{}}}, nil, 200)
		wantError(t, err, 400, "TunnelIPsRequired")
		// A tunnel IP another device holds is refused; the device's own is not.
		_, _, err = raw(t, c, http.MethodPut, gwDevices+"/"+hw["id"].(string), map[string]any{"gateway_device": map[string]any{"tunnel_ips": []string{"198.51.100.3"}}}, nil, 200)
		wantError(t, err, 409, "GatewayDeviceParamDuplicate")
		_, _, err = raw(t, c, http.MethodPut, gwDevices+"/"+rvID, map[string]any{"gateway_device": map[string]any{"tunnel_ips": []string{"198.51.100.3"}}}, nil, 200)
		must(t, err)
		_, _, err = raw(t, c, http.MethodPut, gwDevices+"/"+rvID, map[string]any{"gateway_device": map[string]any{"resource_id": other.ID}}, nil, 200)
		wantError(t, err, 400, "HTTPBadRequest")
		_, _, err = raw(t, c, http.MethodPut, gwDevices+"/"+nvID, map[string]any{"gateway_device": map[string]any{"name": "nv-renamed"}}, nil, 200)
		must(t, err)

		// Remote MAC entries: router_vtep only; one entry per MAC across devices.
		_, err = gwEntry(t, c, nvID, map[string]any{"mac_address": "fa:16:3e:00:00:01", "vtep_address": "203.0.113.7", "segmentation_id": 100})
		wantError(t, err, 409, "OperationRemoteMacEntryNotSupported")
		_, err = gwEntry(t, c, rvID, map[string]any{"mac_address": "fa:16:3e:00:00:01", "segmentation_id": 100})
		wantError(t, err, 400, "HTTPBadRequest")
		_, err = gwEntry(t, c, rvID, map[string]any{"mac_address": "fa:16:3e:00:00:01", "vtep_address": "203.0.113.7", "segmentation_id": 1 << 24})
		wantError(t, err, 400, "HTTPBadRequest")
		_, err = gwEntry(t, c, "00000000-0000-0000-0000-000000000000", map[string]any{"mac_address": "fa:16:3e:00:00:01", "vtep_address": "203.0.113.7", "segmentation_id": 100})
		wantError(t, err, 404, "GatewayDeviceNotFound")
		entry, err := gwEntry(t, c, rvID, map[string]any{"mac_address": "FA:16:3E:00:00:01", "vtep_address": "203.0.113.7", "segmentation_id": 100})
		must(t, err)
		if entry["mac_address"] != "fa:16:3e:00:00:01" || entry["vtep_address"] != "203.0.113.7" || fmt.Sprint(entry["segmentation_id"]) != "100" {
			t.Errorf("entry %v", entry)
		}
		if _, ok := entry["gateway_device_id"]; ok {
			t.Errorf("entry shows its parent attribute: %v", entry)
		}
		_, err = gwEntry(t, c, rvID, map[string]any{"mac_address": "fa:16:3e:00:00:01", "vtep_address": "203.0.113.8", "segmentation_id": 101})
		wantError(t, err, 409, "DuplicateRemoteMacEntry")
		_, err = gwEntry(t, c, rvID, map[string]any{"mac_address": "fa:16:3e:00:00:02", "vtep_address": "203.0.113.7", "segmentation_id": 100})
		must(t, err)
		list, err := gwGet(t, c, gwDevices+"/"+rvID+"/remote_mac_entries")
		must(t, err)
		if l := list["remote_mac_entries"].([]any); len(l) != 2 {
			t.Errorf("entries %v, want 2", l)
		}
		shown, err := gwGet(t, c, gwDevices+"/"+rvID)
		must(t, err)
		embedded := shown["gateway_device"].(map[string]any)["remote_mac_entries"].([]any)
		if len(embedded) != 2 || embedded[0].(map[string]any)["mac_address"] != "fa:16:3e:00:00:01" || embedded[0].(map[string]any)["id"] != entry["id"] {
			t.Errorf("device's remote_mac_entries %v", embedded)
		}
		_, err = gwGet(t, c, gwDevices+"/"+rvID+"/remote_mac_entries/"+entry["id"].(string))
		must(t, err)
		_, err = gwGet(t, c, gwDevices+"/"+nvID+"/remote_mac_entries/"+entry["id"].(string))
		wantError(t, err, 400, "RemoteMacEntryWrongGatewayDevice")
		wantError(t, gwDelete(t, c, gwDevices+"/"+nvID+"/remote_mac_entries/"+entry["id"].(string)), 400, "RemoteMacEntryWrongGatewayDevice")
		_, err = gwGet(t, c, gwDevices+"/"+rvID+"/remote_mac_entries/00000000-0000-0000-0000-000000000000")
		wantError(t, err, 404, "RemoteMacEntryNotFound")
		_, _, err = raw(t, c, http.MethodPut, gwDevices+"/"+rvID+"/remote_mac_entries/"+entry["id"].(string), map[string]any{"remote_mac_entry": map[string]any{"vtep_address": "203.0.113.9"}}, nil, 200)
		wantError(t, err, 400, "")
		must(t, gwDelete(t, c, gwDevices+"/"+rvID+"/remote_mac_entries/"+entry["id"].(string)))
		wantError(t, gwDelete(t, c, gwDevices+"/"+rvID+"/remote_mac_entries/"+entry["id"].(string)), 404, "RemoteMacEntryNotFound")
		shown, err = gwGet(t, c, gwDevices+"/"+rvID)
		must(t, err)
		if l := shown["gateway_device"].(map[string]any)["remote_mac_entries"].([]any); len(l) != 1 {
			t.Errorf("device's entries after a delete: %v", l)
		}

		// Filters and listing.
		list, err = gwGet(t, c, gwDevices+"?type=network_vlan&fields=id&fields=type")
		must(t, err)
		if l := list["gateway_devices"].([]any); len(l) != 1 || l[0].(map[string]any)["id"] != nvID || len(l[0].(map[string]any)) != 2 {
			t.Errorf("network_vlan devices %v", l)
		}

		// The router and network stay while a device names them.
		wantError(t, routers.Delete(ctx(t), c, router.ID).ExtractErr(), 409, "DeviceInUseByGatewayDevice")
		wantError(t, networks.Delete(ctx(t), c, vlanNet.ID).ExtractErr(), 409, "DeviceInUseByGatewayDevice")

		// Deleting a device deletes its entries; then the router can go.
		must(t, gwDelete(t, c, gwDevices+"/"+rvID))
		_, err = gwGet(t, c, gwDevices+"/"+rvID)
		wantError(t, err, 404, "GatewayDeviceNotFound")
		must(t, gwDelete(t, c, gwDevices+"/"+nvID))
		must(t, gwDelete(t, c, gwDevices+"/"+hw["id"].(string)))
		must(t, routers.Delete(ctx(t), c, router.ID).ExtractErr())
		must(t, networks.Delete(ctx(t), c, vlanNet.ID).ExtractErr())
		// A new device may take the freed MAC.
		rv3 := gwMust(t, c, map[string]any{"name": "rv3", "type": "router_vtep", "resource_id": other.ID, "tunnel_ips": []string{"198.51.100.1"}})
		_, err = gwEntry(t, c, rv3["id"].(string), map[string]any{"mac_address": "fa:16:3e:00:00:02", "vtep_address": "203.0.113.7", "segmentation_id": 100})
		must(t, err)
		// A device's list of entries is ordered by MAC, whatever the order of their creates,
		// in a list of devices as in a show.
		_, err = gwEntry(t, c, rv3["id"].(string), map[string]any{"mac_address": "fa:16:3e:00:00:01", "vtep_address": "203.0.113.8", "segmentation_id": 100})
		must(t, err)
		list, err = gwGet(t, c, gwDevices)
		must(t, err)
		var macs []any
		for _, d := range list["gateway_devices"].([]any) {
			for _, e := range d.(map[string]any)["remote_mac_entries"].([]any) {
				macs = append(macs, e.(map[string]any)["mac_address"])
			}
		}
		if fmt.Sprint(macs) != "[fa:16:3e:00:00:01 fa:16:3e:00:00:02]" {
			t.Errorf("the devices' entries %v, want rv3's two by MAC", macs)
		}
	})
}

// TestGatewayDevicesCrossProject: project B cannot see, change or delete project A's devices
// and entries (404), cannot make A's router or network a VTEP (404 ResourceNotFound, the
// resource is invisible to it), cannot add entries under A's device, and lists none of them.
func TestGatewayDevicesCrossProject(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		a, b := e.member("it-gw-a"), e.member("it-gw-b")
		router := l3CreateRouter(t, a, routers.CreateOpts{Name: "a-router"})
		net := createNetwork(t, a, networks.CreateOpts{Name: "a-net"})
		dev := gwMust(t, a, map[string]any{"name": "a-rv", "type": "router_vtep", "resource_id": router.ID, "tunnel_ips": []string{"198.51.100.20"}})
		id := dev["id"].(string)
		entry, err := gwEntry(t, a, id, map[string]any{"mac_address": "fa:16:3e:aa:00:01", "vtep_address": "203.0.113.20", "segmentation_id": 7})
		must(t, err)
		entryPath := gwDevices + "/" + id + "/remote_mac_entries/" + entry["id"].(string)

		_, err = gwGet(t, b, gwDevices+"/"+id)
		wantError(t, err, 404, "GatewayDeviceNotFound")
		_, err = gwGet(t, b, entryPath)
		wantError(t, err, 404, "GatewayDeviceNotFound")
		_, err = gwGet(t, b, gwDevices+"/"+id+"/remote_mac_entries")
		wantError(t, err, 404, "GatewayDeviceNotFound")
		_, err = gwEntry(t, b, id, map[string]any{"mac_address": "fa:16:3e:bb:00:01", "vtep_address": "203.0.113.21", "segmentation_id": 7})
		wantError(t, err, 404, "GatewayDeviceNotFound")
		_, _, err = raw(t, b, http.MethodPut, gwDevices+"/"+id, map[string]any{"gateway_device": map[string]any{"name": "mine"}}, nil, 200)
		wantError(t, err, 404, "GatewayDeviceNotFound")
		wantError(t, gwDelete(t, b, entryPath), 404, "GatewayDeviceNotFound")
		wantError(t, gwDelete(t, b, gwDevices+"/"+id), 404, "GatewayDeviceNotFound")
		list, err := gwGet(t, b, gwDevices)
		must(t, err)
		if l := list["gateway_devices"].([]any); len(l) != 0 {
			t.Errorf("project B lists %v", l)
		}
		other := l3CreateRouter(t, b, routers.CreateOpts{Name: "b-router"})
		_ = other
		_, err = gwCreate(t, b, map[string]any{"name": "b-rv", "type": "router_vtep", "resource_id": router.ID, "tunnel_ips": []string{"198.51.100.21"}})
		wantError(t, err, 404, "ResourceNotFound")
		_, err = gwCreate(t, b, map[string]any{"name": "b-nv", "type": "network_vlan", "resource_id": net.ID})
		wantError(t, err, 404, "ResourceNotFound")
		// A member may not create a device for another project (Neutron's 400 for a foreign
		// tenant_id).
		_, err = gwCreate(t, b, map[string]any{"name": "b-for-a", "tenant_id": "it-gw-a", "management_ip": "192.0.2.50", "management_port": 6632})
		wantError(t, err, 400, "HTTPBadRequest")

		// A's device and entry are untouched.
		shown, err := gwGet(t, a, gwDevices+"/"+id)
		must(t, err)
		d := shown["gateway_device"].(map[string]any)
		if d["name"] != "a-rv" || len(d["remote_mac_entries"].([]any)) != 1 {
			t.Errorf("A's device after B's attempts: %v", d)
		}
		// The admin sees A's device.
		_, err = gwGet(t, e.admin("it-gw-admin"), gwDevices+"/"+id)
		must(t, err)
	})
}
