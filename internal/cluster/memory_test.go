package cluster

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/nsdb"
)

// BenchmarkClusterMemoryPerPort applies b.N VM ports (one network, one subnet, a security
// group with the four default rules, each port a member) to a cluster on a real embedded
// etcd, then reports what the cluster's in-memory state retains per port: its copy of the
// Neutron world plus what it remembers of the objects each resource owns (the heap freed
// when both are dropped, after a GC), and what the digests of those objects retain when
// read back from the NSDB (a server's start-up). Run with a fixed count, e.g. -benchtime
// 5000x.
func BenchmarkClusterMemoryPerPort(b *testing.B) {
	ctx := context.Background()
	store, err := nsdb.OpenEmbedded(ctx, nsdb.EmbeddedOptions{Dir: filepath.Join(b.TempDir(), "etcd"), Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	c := newCluster(b, store)
	if err := c.Load(ctx); err != nil {
		b.Fatal(err)
	}
	setup := []Change{
		{Type: "CREATE", Collection: "networks", ID: netID, Doc: netDoc(1)},
		{Type: "CREATE", Collection: "subnets", ID: subID, Doc: translate.Doc{"id": subID, "network_id": netID, "cidr": "10.0.0.0/8", "ip_version": 4, "gateway_ip": "10.0.0.1"}},
		{Type: "CREATE", Collection: "security_groups", ID: sgID, Doc: translate.Doc{"id": sgID, "tenant_id": "t", "name": "default"}},
	}
	for i, r := range []struct{ dir, eth, remote string }{{"ingress", "IPv4", sgID}, {"ingress", "IPv6", sgID}, {"egress", "IPv4", ""}, {"egress", "IPv6", ""}} {
		id := fmt.Sprintf("77777777-7777-4777-8777-%012d", i)
		d := translate.Doc{"id": id, "security_group_id": sgID, "tenant_id": "t", "direction": r.dir, "ethertype": r.eth, "revision_number": 1}
		if r.remote != "" {
			d["remote_group_id"] = r.remote
		}
		setup = append(setup, Change{Type: "CREATE", Collection: "security_group_rules", ID: id, Doc: d})
	}
	if err := c.Apply(ctx, setup, 0); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	batch := make([]Change, 0, 100)
	flush := func() {
		if err := c.Apply(ctx, batch, 0); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := 0; b.Loop(); i++ {
		id := fmt.Sprintf("%08x-5555-4555-8555-555555555555", i)
		batch = append(batch, Change{Type: "CREATE", Collection: "ports", ID: id, Doc: translate.Doc{
			"id": id, "network_id": netID, "tenant_id": "t", "project_id": "t", "name": fmt.Sprintf("vm-%d", i),
			"device_owner": "compute:nova", "device_id": fmt.Sprintf("%08x-aaaa-4aaa-8aaa-aaaaaaaaaaaa", i),
			"mac_address": fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", i>>16&0xff, i>>8&0xff, i&0xff), "admin_state_up": true, "status": "ACTIVE",
			"fixed_ips":             []any{map[string]any{"subnet_id": subID, "ip_address": fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff+2)}},
			"security_groups":       []any{sgID},
			"port_security_enabled": true, "binding:host_id": "compute-1", "binding:vnic_type": "normal", "binding:profile": map[string]any{},
			"binding:vif_type": "midonet", "binding:vif_details": map[string]any{"port_filter": true}, "allowed_address_pairs": []any{},
			"extra_dhcp_opts": []any{}, "description": "", "tags": []any{}, "created_at": "2026-12-04T08:00:00Z", "updated_at": "2026-12-04T08:00:00Z",
			"revision_number": 1, "dns_name": "", "dns_assignment": []any{}, "qos_policy_id": nil, "propagate_uplink_status": false}})
		if len(batch) == cap(batch) {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
	b.StopTimer()
	n := b.N
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c.mu.Lock()
	world, owned := c.world, c.owned
	c.world, c.owned = nil, nil
	c.mu.Unlock()
	runtime.KeepAlive(world)
	runtime.KeepAlive(owned)
	world, owned = nil, nil
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(before.HeapAlloc)-int64(after.HeapAlloc))/float64(n), "retained-B/port")
	b.ReportMetric(float64(int64(before.HeapObjects)-int64(after.HeapObjects))/float64(n), "retained-objects/port")
	// What a server's start-up keeps of the same objects: the owned-object digests as Load
	// reads them back from the NSDB.
	runtime.GC()
	runtime.ReadMemStats(&before)
	read, err := c.readOwned(ctx, 1)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(read)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(n), "read-digests-B/port")
}
