package integration

import (
	"reflect"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/portsbinding"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
)

func TestPortBinding(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-bind"
		c := e.admin(project)
		net, _ := newNetwork(t, c, "bnet", "10.40.0.0/24")

		checkBound := func(t *testing.T, p port, host string) {
			t.Helper()
			if p.HostID != host || p.VIFType != "midonet" {
				t.Errorf("binding:host_id %q vif_type %q; want %q, midonet", p.HostID, p.VIFType, host)
			}
			if pf, _ := p.VIFDetails["port_filter"].(bool); !pf {
				t.Errorf("binding:vif_details = %v, want port_filter true", p.VIFDetails)
			}
		}

		t.Run("bound at create", func(t *testing.T) {
			profile := map[string]any{"local_link_information": []any{}, "key": "value"}
			p := createPort(t, c, portsbinding.CreateOptsExt{
				CreateOptsBuilder: ports.CreateOpts{NetworkID: net.ID, Name: "hosted"},
				HostID:            "compute-1",
				Profile:           profile,
			})
			checkBound(t, p, "compute-1")
			if p.VNICType != "normal" {
				t.Errorf("binding:vnic_type = %q, want normal", p.VNICType)
			}
			if !reflect.DeepEqual(p.Profile, profile) {
				t.Errorf("binding:profile = %v, want %v", p.Profile, profile)
			}
			s := showPort(t, c, p.ID)
			checkBound(t, s, "compute-1")
			if !reflect.DeepEqual(s.Profile, profile) {
				t.Errorf("show: binding:profile = %v, want %v", s.Profile, profile)
			}
			got := listPorts(t, c, query("network_id="+net.ID+"&binding:host_id=compute-1"))
			if len(got) != 1 || got[0].ID != p.ID {
				t.Errorf("binding:host_id filter gave %d ports", len(got))
			}
		})

		t.Run("bind and unbind by update", func(t *testing.T) {
			p := createPort(t, c, ports.CreateOpts{NetworkID: net.ID, Name: "later"})
			if p.VIFType != "unbound" || p.HostID != "" || len(p.VIFDetails) != 0 {
				t.Errorf("unbound port: vif_type %q host %q details %v", p.VIFType, p.HostID, p.VIFDetails)
			}
			u := into[port](t, ports.Update(ctx(t), c, p.ID, portsbinding.UpdateOptsExt{
				UpdateOptsBuilder: ports.UpdateOpts{}, HostID: ptr("compute-2")}))
			checkBound(t, u, "compute-2")
			u = into[port](t, ports.Update(ctx(t), c, p.ID, portsbinding.UpdateOptsExt{
				UpdateOptsBuilder: ports.UpdateOpts{}, HostID: ptr("")}))
			if u.HostID != "" || u.VIFType != "unbound" {
				t.Errorf("after clearing the host: host %q vif_type %q; want empty, unbound", u.HostID, u.VIFType)
			}
			u = into[port](t, ports.Update(ctx(t), c, p.ID, portsbinding.UpdateOptsExt{
				UpdateOptsBuilder: ports.UpdateOpts{}, Profile: map[string]any{"a": "b"}}))
			if !reflect.DeepEqual(u.Profile, map[string]any{"a": "b"}) {
				t.Errorf("binding:profile after update = %v", u.Profile)
			}
		})

		t.Run("invalid binding attributes", func(t *testing.T) {
			cases := []struct {
				name string
				attr string
				val  any
			}{
				{"unknown vnic_type", "binding:vnic_type", "warp"},
				{"profile not an object", "binding:profile", "not-a-dict"},
				{"vif_type is read-only", "binding:vif_type", "ovs"},
				{"vif_details is read-only", "binding:vif_details", doc{}},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					err := ports.Create(ctx(t), c, doc{"port": doc{"network_id": net.ID, tc.attr: tc.val}}).Err
					wantError(t, err, 400, "HTTPBadRequest")
				})
			}
		})
	})
}
