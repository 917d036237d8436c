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
