package translate

import (
	"encoding/json"
	"fmt"
	"testing"
)

// benchWorld is world() plus n VM ports on the tenant network (the shape of a large
// deployment's load: ports dominate).
func benchWorld(n int) *World {
	w := world()
	for i := 0; i < n; i++ {
		w.PutJSON("ports", benchPortJSON(i))
	}
	return w
}

// benchPortJSON is VM port i as the cluster hands it to the world: every attribute the API
// stores, json.Marshal's encoding.
func benchPortJSON(i int) []byte {
	raw, err := json.Marshal(Doc{"id": fmt.Sprintf("%08x-0000-4000-8000-000000000000", i), "name": fmt.Sprintf("port-%d", i),
		"network_id": netA, "tenant_id": tenant, "project_id": tenant, "device_id": fmt.Sprintf("vm-%08x", i),
		"device_owner": "compute:nova", "mac_address": fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", i>>16&0xff, i>>8&0xff, i&0xff),
		"fixed_ips": []any{ip(subA, fmt.Sprintf("10.0.%d.%d", i>>8&0xff, i&0xff))}, "security_groups": []any{sgWeb},
		"port_security_enabled": true, "admin_state_up": true, "status": "ACTIVE", "binding:host_id": "compute-1",
		"binding:vnic_type": "normal", "binding:profile": map[string]any{}, "allowed_address_pairs": []any{},
		"extra_dhcp_opts": []any{}, "description": "", "tags": []any{}, "qos_policy_id": nil,
		"created_at": "2026-12-05T20:00:00Z", "updated_at": "2026-12-05T20:00:01Z", "revision_number": 1})
	if err != nil {
		panic(err)
	}
	return raw
}

// BenchmarkWorldPutPort is the cost of taking one changed port into the world.
func BenchmarkWorldPutPort(b *testing.B) {
	w := benchWorld(0)
	d := Doc{"id": vmPort, "network_id": netA, "tenant_id": tenant, "device_owner": "compute:nova", "mac_address": "fa:16:3e:00:00:01",
		"fixed_ips": []any{ip(subA, "10.0.0.5")}, "security_groups": []any{sgWeb}, "port_security_enabled": true, "admin_state_up": true,
		"binding:host_id": "compute-1", "revision_number": 2}
	b.ReportAllocs()
	for b.Loop() {
		w.Put("ports", d)
	}
}

// BenchmarkOwnedPort is the translation of one VM port (chains, rules, DHCP host, seeds).
func BenchmarkOwnedPort(b *testing.B) {
	w := benchWorld(1000)
	ts := Builtin()
	b.ReportAllocs()
	for b.Loop() {
		if len(ts.Owned(w, RefOf("ports", vmPort))) == 0 {
			b.Fatal("no objects")
		}
	}
}

// BenchmarkOwnedRouter is the translation of a router with a gateway, an interface and routes.
func BenchmarkOwnedRouter(b *testing.B) {
	w := benchWorld(1000)
	ts := Builtin()
	b.ReportAllocs()
	for b.Loop() {
		if len(ts.Owned(w, RefOf("routers", rtr))) == 0 {
			b.Fatal("no objects")
		}
	}
}
