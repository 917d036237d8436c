package app

import (
	"context"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
)

func TestPortStatusWant(t *testing.T) {
	applied := map[string]bool{"r-applied": true}
	s := &portStatus{applied: func(_ context.Context, id string) bool { return applied[id] }}
	active := map[string]bool{"vm-plugged": true, topology.RouterInterfacePortPeerID("uplink-if"): true}
	port := func(id, owner, host, status string) db.Doc {
		return db.Doc{"id": id, "device_owner": owner, "binding:host_id": host, "status": status}
	}
	for _, tc := range []struct {
		name   string
		port   db.Doc
		want   string
		change bool
	}{
		{"router interface applied", port("r-applied", "network:router_interface", "", "DOWN"), "ACTIVE", true},
		{"gateway applied", port("r-applied", "network:router_gateway", "", "DOWN"), "ACTIVE", true},
		{"router port not applied yet", port("r-pending", "network:router_interface", "", "DOWN"), "", false},
		{"router port already active", port("r-applied", "network:router_interface", "", "ACTIVE"), "", false},
		{"bound VM port plugged", port("vm-plugged", "compute:nova", "h1", "DOWN"), "ACTIVE", true},
		{"bound VM port unplugged", port("vm-gone", "compute:nova", "h1", "ACTIVE"), "DOWN", true},
		{"unbound VM port active", port("vm-x", "compute:nova", "", "ACTIVE"), "DOWN", true},
		{"unbound VM port down", port("vm-y", "compute:nova", "", "DOWN"), "", false},
		{"uplink interface follows its router port", port("uplink-if", "network:router_interface", "h1", "DOWN"), "ACTIVE", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, change := s.want(context.Background(), tc.port, active)
			if want != tc.want || change != tc.change {
				t.Errorf("want() = %q, %v; want %q, %v", want, change, tc.want, tc.change)
			}
		})
	}
}

func TestRouterPortToActivate(t *testing.T) {
	prefix := nsdb.NeutronKey(1, "ports", "")
	for _, tc := range []struct {
		name string
		ev   nsdb.Event
		want string
	}{
		{"interface applied DOWN", nsdb.Event{Key: prefix + "p1", Value: []byte(`{"device_owner":"network:router_interface","status":"DOWN"}`)}, "p1"},
		{"gateway applied DOWN", nsdb.Event{Key: prefix + "p2", Value: []byte(`{"device_owner":"network:router_gateway","status":"DOWN","binding:host_id":""}`)}, "p2"},
		{"already ACTIVE", nsdb.Event{Key: prefix + "p3", Value: []byte(`{"device_owner":"network:router_interface","status":"ACTIVE"}`)}, ""},
		{"bound (uplink)", nsdb.Event{Key: prefix + "p4", Value: []byte(`{"device_owner":"network:router_interface","status":"DOWN","binding:host_id":"h1"}`)}, ""},
		{"VM port", nsdb.Event{Key: prefix + "p5", Value: []byte(`{"device_owner":"compute:nova","status":"DOWN"}`)}, ""},
		{"deleted", nsdb.Event{Key: prefix + "p6", Deleted: true}, ""},
		{"not JSON", nsdb.Event{Key: prefix + "p7", Value: []byte(`{`)}, ""},
		{"another prefix", nsdb.Event{Key: nsdb.NeutronKey(2, "ports", "p8"), Value: []byte(`{"device_owner":"network:router_interface"}`)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := routerPortToActivate(prefix, tc.ev); got != tc.want {
				t.Errorf("routerPortToActivate = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPortStatusOf: the port-status pass decodes only what want reads, and gets the same
// values as decoding the whole port.
func TestPortStatusOf(t *testing.T) {
	for _, body := range []string{
		`{"admin_state_up":true,"binding:host_id":"h1","device_owner":"compute:nova","fixed_ips":[{"ip_address":"10.0.0.3","subnet_id":"s"}],"id":"p1","name":"x","status":"DOWN"}`,
		`{"id":"p2","device_owner":"network:router_interface","binding:host_id":"","status":"ACTIVE","binding:profile":{"status":"nested"}}`,
		`{"id":"p3","binding:host_id":null}`,
		`{"id":"p4","status":"\u0041CTIVE"}`,
	} {
		got, err := statusOf([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		full, err := db.DecodeDoc([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"id", "binding:host_id", "status", "device_owner"} {
			if got[k] != full[k] {
				t.Errorf("%s: %s = %#v, want %#v", body, k, got[k], full[k])
			}
		}
		if len(got) > 4 {
			t.Errorf("%s: kept %v", body, got)
		}
	}
	if _, err := statusOf([]byte(`{"id":`)); err == nil {
		t.Errorf("a body that is not JSON decoded")
	}
}

func BenchmarkPortStatusOf(b *testing.B) {
	body := []byte(`{"admin_state_up":true,"allowed_address_pairs":[],"binding:host_id":"host-1","binding:profile":{},"binding:vif_details":{"port_filter":true},"binding:vif_type":"midonet","binding:vnic_type":"normal","created_at":"2026-12-04T10:00:00Z","description":"","device_id":"vm-1","device_owner":"compute:nova","dns_name":"","extra_dhcp_opts":[],"fixed_ips":[{"ip_address":"10.0.3.7","subnet_id":"8e0c1d57-3c8f-4a55-9b1e-3f0b2f1c2d3e"}],"id":"5b8e2f0c-1d2e-4f3a-9b8c-7d6e5f4a3b2c","mac_address":"fa:16:3e:12:34:56","name":"port-7","network_id":"1c2d3e4f-5a6b-7c8d-9e0f-1a2b3c4d5e6f","port_security_enabled":true,"project_id":"p","qos_policy_id":null,"revision_number":1,"security_groups":["0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"],"standard_attr_id":7,"status":"DOWN","tags":[],"tenant_id":"p","updated_at":"2026-12-04T10:00:00Z"}`)
	b.Run("whole", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := db.DecodeDoc(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("statusOf", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := statusOf(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
