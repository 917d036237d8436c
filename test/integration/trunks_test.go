package integration

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/trunks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
)

// trunkPort creates a port on a fresh network for a trunk test.
func trunkPort(t *testing.T, c *gophercloud.ServiceClient, name, cidr string) port {
	t.Helper()
	n, _ := newNetwork(t, c, name, cidr)
	return createPort(t, c, ports.CreateOpts{NetworkID: n.ID, Name: name})
}

// TestTrunkLifecycle: a trunk on a parent port with a VLAN subport is created, shown, listed
// and updated as Neutron shows it; subports are added, listed and removed; the subport's port
// becomes the trunk's (device_owner trunk:subport) and is given back; the parent port shows
// trunk_details with the subports' MACs; neither port can be deleted while trunked, and the
// trunk can be deleted with its subports. SQLite and PostgreSQL.
func TestTrunkLifecycle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.member("it-trunk-a")
		parent := trunkPort(t, c, "trunk-parent", "10.70.1.0/24")
		sub1 := trunkPort(t, c, "trunk-sub1", "10.70.2.0/24")
		sub2 := trunkPort(t, c, "trunk-sub2", "10.70.3.0/24")
		up := true
		tr, err := trunks.Create(ctx(t), c, trunks.CreateOpts{PortID: parent.ID, Name: "t1", Description: "d", AdminStateUp: &up,
			Subports: []trunks.Subport{{PortID: sub1.ID, SegmentationType: "vlan", SegmentationID: 101}}}).Extract()
		must(t, err)
		if tr.Status != "DOWN" || tr.PortID != parent.ID || tr.ProjectID != "it-trunk-a" || tr.TenantID != "it-trunk-a" || tr.Name != "t1" ||
			tr.Description != "d" || !tr.AdminStateUp || len(tr.Subports) != 1 || tr.Subports[0] != (trunks.Subport{PortID: sub1.ID, SegmentationType: "vlan", SegmentationID: 101}) {
			t.Fatalf("created trunk %+v", tr)
		}
		got, err := trunks.Get(ctx(t), c, tr.ID).Extract()
		must(t, err)
		if got.RevisionNumber != tr.RevisionNumber || got.Status != tr.Status || len(got.Subports) != 1 {
			t.Errorf("shown %+v; created %+v", got, tr)
		}
		if p := showPort(t, c, sub1.ID); p.DeviceOwner != "trunk:subport" || p.DeviceID != tr.ID {
			t.Errorf("subport owner %q device %q; want trunk:subport %s", p.DeviceOwner, p.DeviceID, tr.ID)
		}
		// trunk_details on the parent, none on the others.
		pd := get(t, c, "ports/"+parent.ID)["port"].(map[string]any)
		td, _ := pd["trunk_details"].(map[string]any)
		if td == nil || td["trunk_id"] != tr.ID {
			t.Fatalf("parent trunk_details %v", pd["trunk_details"])
		}
		subs := td["sub_ports"].([]any)
		if len(subs) != 1 || subs[0].(map[string]any)["mac_address"] != sub1.MACAddress || fmt.Sprint(subs[0].(map[string]any)["segmentation_id"]) != "101" {
			t.Errorf("trunk_details sub_ports %v; want %s with mac %s", subs, sub1.ID, sub1.MACAddress)
		}
		if _, has := get(t, c, "ports/"+sub1.ID)["port"].(map[string]any)["trunk_details"]; has {
			t.Errorf("a subport shows trunk_details")
		}

		// Add, list, remove subports.
		tr2, err := trunks.AddSubports(ctx(t), c, tr.ID, trunks.AddSubportsOpts{Subports: []trunks.Subport{{PortID: sub2.ID, SegmentationType: "vlan", SegmentationID: 102}}}).Extract()
		must(t, err)
		if len(tr2.Subports) != 2 || tr2.RevisionNumber <= tr.RevisionNumber {
			t.Errorf("after add_subports %+v", tr2)
		}
		sp, err := trunks.GetSubports(ctx(t), c, tr.ID).Extract()
		must(t, err)
		if len(sp) != 2 {
			t.Errorf("get_subports %+v", sp)
		}
		// The same VLAN twice, the same port twice, the parent as a subport.
		sub3 := trunkPort(t, c, "trunk-sub3", "10.70.4.0/24")
		_, err = trunks.AddSubports(ctx(t), c, tr.ID, trunks.AddSubportsOpts{Subports: []trunks.Subport{{PortID: sub3.ID, SegmentationType: "vlan", SegmentationID: 102}}}).Extract()
		wantError(t, err, 409, "DuplicateSubPort")
		_, err = trunks.AddSubports(ctx(t), c, tr.ID, trunks.AddSubportsOpts{Subports: []trunks.Subport{{PortID: sub2.ID, SegmentationType: "vlan", SegmentationID: 103}}}).Extract()
		wantError(t, err, 409, "TrunkPortInUse")
		_, err = trunks.AddSubports(ctx(t), c, tr.ID, trunks.AddSubportsOpts{Subports: []trunks.Subport{{PortID: parent.ID, SegmentationType: "vlan", SegmentationID: 104}}}).Extract()
		wantError(t, err, 409, "ParentPortInUse")
		_, err = trunks.AddSubports(ctx(t), c, tr.ID, trunks.AddSubportsOpts{Subports: []trunks.Subport{{PortID: sub3.ID, SegmentationType: "vlan", SegmentationID: 4095}}}).Extract()
		wantError(t, err, 400, "InvalidInput")
		_, err = trunks.AddSubports(ctx(t), c, tr.ID, trunks.AddSubportsOpts{Subports: []trunks.Subport{{PortID: sub3.ID, SegmentationType: "inherit"}}}).Extract()
		wantError(t, err, 400, "InvalidInput")
		// A second trunk on a port already used.
		_, err = trunks.Create(ctx(t), c, trunks.CreateOpts{PortID: parent.ID}).Extract()
		wantError(t, err, 409, "ParentPortInUse")
		_, err = trunks.Create(ctx(t), c, trunks.CreateOpts{PortID: sub1.ID}).Extract()
		wantError(t, err, 409, "TrunkPortInUse")

		// Ports in use cannot be deleted.
		wantError(t, ports.Delete(ctx(t), c, parent.ID).ExtractErr(), 409, "PortInUseAsTrunkParent")
		wantError(t, ports.Delete(ctx(t), c, sub2.ID).ExtractErr(), 409, "PortInUseAsSubPort")

		tr3, err := trunks.RemoveSubports(ctx(t), c, tr.ID, trunks.RemoveSubportsOpts{Subports: []trunks.RemoveSubport{{PortID: sub2.ID}}}).Extract()
		must(t, err)
		if len(tr3.Subports) != 1 || tr3.Subports[0].PortID != sub1.ID {
			t.Errorf("after remove_subports %+v", tr3.Subports)
		}
		if p := showPort(t, c, sub2.ID); p.DeviceOwner != "" || p.DeviceID != "" {
			t.Errorf("removed subport keeps owner %q device %q", p.DeviceOwner, p.DeviceID)
		}
		_, err = trunks.RemoveSubports(ctx(t), c, tr.ID, trunks.RemoveSubportsOpts{Subports: []trunks.RemoveSubport{{PortID: sub2.ID}}}).Extract()
		wantError(t, err, 404, "SubPortNotFound")
		must(t, ports.Delete(ctx(t), c, sub2.ID).ExtractErr())

		// A disabled trunk cannot be managed.
		down := false
		dis, err := trunks.Update(ctx(t), c, tr.ID, trunks.UpdateOpts{AdminStateUp: &down, Name: ptr("t1b")}).Extract()
		must(t, err)
		if dis.AdminStateUp || dis.Name != "t1b" {
			t.Errorf("updated %+v", dis)
		}
		wantError(t, trunks.Delete(ctx(t), c, tr.ID).ExtractErr(), 409, "TrunkDisabled")
		_, err = trunks.RemoveSubports(ctx(t), c, tr.ID, trunks.RemoveSubportsOpts{Subports: []trunks.RemoveSubport{{PortID: sub1.ID}}}).Extract()
		wantError(t, err, 409, "TrunkDisabled")
		_, err = trunks.Update(ctx(t), c, tr.ID, trunks.UpdateOpts{AdminStateUp: &up}).Extract()
		must(t, err)

		// Delete with a subport: the subport is given back, both ports can go.
		must(t, trunks.Delete(ctx(t), c, tr.ID).ExtractErr())
		_, err = trunks.Get(ctx(t), c, tr.ID).Extract()
		wantError(t, err, 404, "TrunkNotFound")
		if p := showPort(t, c, sub1.ID); p.DeviceOwner != "" || p.DeviceID != "" {
			t.Errorf("subport of a deleted trunk keeps owner %q device %q", p.DeviceOwner, p.DeviceID)
		}
		if _, has := get(t, c, "ports/"+parent.ID)["port"].(map[string]any)["trunk_details"]; has {
			t.Errorf("parent of a deleted trunk still shows trunk_details")
		}
		must(t, ports.Delete(ctx(t), c, parent.ID).ExtractErr())
		must(t, ports.Delete(ctx(t), c, sub1.ID).ExtractErr())
	})
}

// TestTrunkValidation: malformed sub_ports and references answer Neutron's 400s and 404s,
// and nothing is stored. SQLite and PostgreSQL.
func TestTrunkValidation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c := e.member("it-trunk-v")
		parent := trunkPort(t, c, "tv-parent", "10.71.1.0/24")
		sub := trunkPort(t, c, "tv-sub", "10.71.2.0/24")
		const missing = "7d1e6c2a-0000-4000-8000-000000000001"
		cases := []struct {
			name   string
			body   map[string]any
			status int
			typ    string
		}{
			{"no port_id", map[string]any{}, 400, "HTTPBadRequest"},
			{"parent missing", map[string]any{"port_id": missing}, 404, "PortNotFound"},
			{"sub_ports not a list", map[string]any{"port_id": parent.ID, "sub_ports": map[string]any{"port_id": sub.ID}}, 400, "HTTPBadRequest"},
			{"subport without port_id", map[string]any{"port_id": parent.ID, "sub_ports": []any{map[string]any{"segmentation_type": "vlan", "segmentation_id": 3}}}, 400, "HTTPBadRequest"},
			{"subport without segmentation_id", map[string]any{"port_id": parent.ID, "sub_ports": []any{map[string]any{"port_id": sub.ID, "segmentation_type": "vlan"}}}, 400, "HTTPBadRequest"},
			{"subport without segmentation_type", map[string]any{"port_id": parent.ID, "sub_ports": []any{map[string]any{"port_id": sub.ID, "segmentation_id": 3}}}, 400, "HTTPBadRequest"},
			{"subport port missing", map[string]any{"port_id": parent.ID, "sub_ports": []any{map[string]any{"port_id": missing, "segmentation_type": "vlan", "segmentation_id": 3}}}, 404, "PortNotFound"},
			{"unknown segmentation type", map[string]any{"port_id": parent.ID, "sub_ports": []any{map[string]any{"port_id": sub.ID, "segmentation_type": "vxlan", "segmentation_id": 3}}}, 400, "InvalidInput"},
			{"segmentation id not a number", map[string]any{"port_id": parent.ID, "sub_ports": []any{map[string]any{"port_id": sub.ID, "segmentation_type": "vlan", "segmentation_id": "x"}}}, 400, "InvalidInput"},
			{"duplicate vlan", map[string]any{"port_id": parent.ID, "sub_ports": []any{
				map[string]any{"port_id": sub.ID, "segmentation_type": "vlan", "segmentation_id": 3},
				map[string]any{"port_id": missing, "segmentation_type": "vlan", "segmentation_id": 3}}}, 400, "HTTPBadRequest"},
			{"duplicate port", map[string]any{"port_id": parent.ID, "sub_ports": []any{
				map[string]any{"port_id": sub.ID, "segmentation_type": "vlan", "segmentation_id": 3},
				map[string]any{"port_id": sub.ID, "segmentation_type": "vlan", "segmentation_id": 4}}}, 400, "HTTPBadRequest"},
			{"parent as subport", map[string]any{"port_id": parent.ID, "sub_ports": []any{map[string]any{"port_id": parent.ID, "segmentation_type": "vlan", "segmentation_id": 3}}}, 409, "ParentPortInUse"},
			{"status is read-only", map[string]any{"port_id": parent.ID, "status": "ACTIVE"}, 400, "HTTPBadRequest"},
		}
		for _, tc := range cases {
			_, status, err := raw(t, c, http.MethodPost, "trunks", map[string]any{"trunk": tc.body}, nil, 201)
			if status != tc.status {
				t.Errorf("%s: status %d (%v); want %d", tc.name, status, err, tc.status)
				continue
			}
			wantError(t, err, tc.status, tc.typ)
		}
		// A port used by a device cannot be a subport.
		used := trunkPort(t, c, "tv-used", "10.71.3.0/24")
		_, err := ports.Update(ctx(t), c, used.ID, ports.UpdateOpts{DeviceID: ptr("some-vm")}).Extract()
		must(t, err)
		_, err = trunks.Create(ctx(t), c, trunks.CreateOpts{PortID: parent.ID, Subports: []trunks.Subport{{PortID: used.ID, SegmentationType: "vlan", SegmentationID: 9}}}).Extract()
		wantError(t, err, 409, "PortInUse")
		// Nothing was stored by the refused requests.
		pages, err := trunks.List(c, trunks.ListOpts{}).AllPages(ctx(t))
		must(t, err)
		list, err := trunks.ExtractTrunks(pages)
		must(t, err)
		if len(list) != 0 {
			t.Errorf("refused creates left %d trunks", len(list))
		}
		if p := showPort(t, c, sub.ID); p.DeviceOwner != "" {
			t.Errorf("refused create changed the subport's owner to %q", p.DeviceOwner)
		}
		// add_subports with a body that is not a list.
		tr, err := trunks.Create(ctx(t), c, trunks.CreateOpts{PortID: parent.ID}).Extract()
		must(t, err)
		_, status, err := raw(t, c, http.MethodPut, "trunks/"+tr.ID+"/add_subports", map[string]any{"sub_ports": map[string]any{"port_id": sub.ID}}, nil, 200)
		if status != 400 {
			t.Errorf("add_subports with a dict: %d (%v); want 400", status, err)
		}
		_, status, _ = raw(t, c, http.MethodPut, "trunks/"+tr.ID+"/add_subports", map[string]any{}, nil, 200)
		if status != 400 {
			t.Errorf("add_subports without sub_ports: %d; want 400", status)
		}
	})
}

// TestTrunkIsolation: project B cannot see, change or use project A's trunk, nor make A's
// ports its trunk's parent or subports (404 as if they did not exist); an admin can.
// SQLite and PostgreSQL.
func TestTrunkIsolation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		a, b, admin := e.member("it-trunk-ia"), e.member("it-trunk-ib"), e.admin("it-trunk-admin")
		parent := trunkPort(t, a, "ti-parent", "10.72.1.0/24")
		sub := trunkPort(t, a, "ti-sub", "10.72.2.0/24")
		tr, err := trunks.Create(ctx(t), a, trunks.CreateOpts{PortID: parent.ID}).Extract()
		must(t, err)
		_, err = trunks.Get(ctx(t), b, tr.ID).Extract()
		wantError(t, err, 404, "TrunkNotFound")
		_, err = trunks.Update(ctx(t), b, tr.ID, trunks.UpdateOpts{Name: ptr("x")}).Extract()
		wantError(t, err, 404, "TrunkNotFound")
		wantError(t, trunks.Delete(ctx(t), b, tr.ID).ExtractErr(), 404, "TrunkNotFound")
		_, err = trunks.GetSubports(ctx(t), b, tr.ID).Extract()
		wantError(t, err, 404, "TrunkNotFound")
		_, err = trunks.AddSubports(ctx(t), b, tr.ID, trunks.AddSubportsOpts{Subports: []trunks.Subport{{PortID: sub.ID, SegmentationType: "vlan", SegmentationID: 5}}}).Extract()
		wantError(t, err, 404, "TrunkNotFound")
		pages, err := trunks.List(b, trunks.ListOpts{}).AllPages(ctx(t))
		must(t, err)
		if l, _ := trunks.ExtractTrunks(pages); len(l) != 0 {
			t.Errorf("B lists %d trunks", len(l))
		}
		// B's own trunk cannot take A's ports.
		bp := trunkPort(t, b, "ti-b-parent", "10.72.3.0/24")
		_, err = trunks.Create(ctx(t), b, trunks.CreateOpts{PortID: sub.ID}).Extract()
		wantError(t, err, 404, "PortNotFound")
		_, err = trunks.Create(ctx(t), b, trunks.CreateOpts{PortID: bp.ID, Subports: []trunks.Subport{{PortID: sub.ID, SegmentationType: "vlan", SegmentationID: 5}}}).Extract()
		wantError(t, err, 404, "PortNotFound")
		if p := showPort(t, a, sub.ID); p.DeviceOwner != "" {
			t.Errorf("B's refused trunk changed A's port: owner %q", p.DeviceOwner)
		}
		// The admin sees and manages A's trunk.
		got, err := trunks.AddSubports(ctx(t), admin, tr.ID, trunks.AddSubportsOpts{Subports: []trunks.Subport{{PortID: sub.ID, SegmentationType: "vlan", SegmentationID: 5}}}).Extract()
		must(t, err)
		if len(got.Subports) != 1 || got.ProjectID != "it-trunk-ia" {
			t.Errorf("admin add_subports %+v", got)
		}
	})
}
