package db

import (
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"unsafe"
)

// portBody is a port as the store keeps it (every attribute the API shows).
func portBody(i int) []byte {
	return []byte(fmt.Sprintf(`{"admin_state_up":true,"allowed_address_pairs":[],"binding:host_id":"","binding:profile":{},"binding:vif_details":{},"binding:vif_type":"unbound","binding:vnic_type":"normal","created_at":"2026-12-04T08:00:00Z","description":"","device_id":"vm%d","device_owner":"compute:nova","dns_assignment":[],"dns_domain":"","dns_name":"","extra_dhcp_opts":[],"fixed_ips":[{"ip_address":"10.0.%d.%d","subnet_id":"0b0c0d0e-0000-4000-8000-000000000001"}],"id":"0b0c0d0e-0000-4000-8000-%012d","mac_address":"fa:16:3e:00:11:22","name":"p%d","network_id":"0b0c0d0e-0000-4000-8000-000000000003","port_security_enabled":true,"project_id":"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f","qos_network_policy_id":null,"qos_policy_id":null,"revision_number":1,"security_groups":["0b0c0d0e-0000-4000-8000-000000000004"],"standard_attr_id":%d,"status":"DOWN","tags":[],"tenant_id":"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f","updated_at":"2026-12-04T08:00:00Z"}`,
		i/4, i/256%256, i%256, i, i, i))
}

// TestDocCacheCost fills a cache with decoded ports and measures the heap it holds: the
// estimate the budget counts must be within a factor of two of it, and the cache must stay
// within its budget.
func TestDocCacheCost(t *testing.T) {
	const n = 20000
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = portBody(i)
	}
	c := newDocCache(1 << 40)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range bodies {
		d, err := DecodeDoc(bodies[i])
		if err != nil {
			t.Fatal(err)
		}
		c.put(bodies[i], d)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	held := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	est := float64(c.bytes)
	t.Logf("%d ports of %d bytes: the cache holds %.0f bytes of heap (%.0f each), estimated %.0f (%.0f each)",
		n, len(bodies[0]), held, held/n, est, est/n)
	if est < held/2 || est > held*2 {
		t.Errorf("estimate %.0f bytes, measured %.0f: off by more than a factor of two", est, held)
	}
	runtime.KeepAlive(bodies)

	small := newDocCache(100 * entryCost(bodies[n-1]))
	for i := range bodies {
		d, _ := DecodeDoc(bodies[i])
		small.put(bodies[i], d)
		if small.bytes > small.budget {
			t.Fatalf("after %d puts the cache holds %d bytes, over its budget of %d", i+1, small.bytes, small.budget)
		}
	}
	if len(small.m) < 80 {
		t.Errorf("a full cache keeps %d entries, want at least 80 of the 100 its budget holds", len(small.m))
	}
	if d, ok := small.get(bodies[0]); ok {
		d["name"] = "changed"
		if again, _ := small.get(bodies[0]); again["name"] == "changed" {
			t.Errorf("a cached document changed through a copy handed out")
		}
	}
}

// TestDocCacheMemo keeps something beside a shared document: the next reader of the same
// body finds it, the budget counts it, and it goes when its document is dropped.
func TestDocCacheMemo(t *testing.T) {
	c := newDocCache(1 << 30)
	body := portBody(1)
	d, _ := DecodeDoc(body)
	_, m := c.store(body, d)
	if m == nil || m.Load() != nil {
		t.Fatalf("a new entry's memo: %v", m)
	}
	before := c.bytes
	m.Store("encoded", 1000)
	m.Store("again", 1000) // kept already: ignored
	if c.bytes != before+1000 {
		t.Errorf("after keeping 1000 bytes the cache counts %d, want %d", c.bytes, before+1000)
	}
	_, m2, ok := c.shared(body)
	if !ok || m2.Load() != "encoded" {
		t.Fatalf("the next reader finds %v (cached %v), want the memo kept", m2.Load(), ok)
	}
	c.shrink(0)
	if c.bytes != 0 || len(c.m) != 0 {
		t.Errorf("an emptied cache counts %d bytes in %d entries", c.bytes, len(c.m))
	}
	d2, _ := DecodeDoc(body)
	_, m3 := c.store(body, d2)
	if m3.Load() != nil {
		t.Errorf("a document cached again kept the memo of the dropped entry: %v", m3.Load())
	}
	c.shrink(0)
	m3.Store("late", 500) // the memo of an entry dropped meanwhile: not counted
	if c.bytes != 0 {
		t.Errorf("an emptied cache counts %d bytes after a dropped entry's memo was kept", c.bytes)
	}
	if _, none := newDocCache(0).store(body, d); none != nil {
		t.Errorf("a cache with no budget handed out a memo")
	}
}

// TestDocCacheInternsKeys: two cached documents share the strings of their keys (and of the
// keys of the maps in them), and hold the same values as decoded.
func TestDocCacheInternsKeys(t *testing.T) {
	c := newDocCache(1 << 30)
	var docs []Doc
	for i := range 2 {
		d, err := DecodeDoc(portBody(i))
		if err != nil {
			t.Fatal(err)
		}
		cached, _ := c.store(portBody(i), d)
		if !reflect.DeepEqual(cached, d) {
			t.Fatalf("cached %v, decoded %v", cached, d)
		}
		docs = append(docs, cached)
	}
	keyOf := func(m map[string]any, name string) *byte {
		for k := range m {
			if k == name {
				return unsafe.StringData(k)
			}
		}
		t.Fatalf("no key %q", name)
		return nil
	}
	if keyOf(docs[0], "dns_name") != keyOf(docs[1], "dns_name") {
		t.Errorf("two cached ports hold their own copies of the key dns_name")
	}
	ip := func(d Doc) map[string]any { return d["fixed_ips"].([]any)[0].(map[string]any) }
	if keyOf(ip(docs[0]), "ip_address") != keyOf(ip(docs[1]), "ip_address") {
		t.Errorf("two cached ports hold their own copies of the fixed IP's key ip_address")
	}
}

// TestDocCacheReport: the report counts each lookup as a hit or a miss (a miss also when the
// cache is off), and gives the entries, their bytes and the budget as the cache holds them.
func TestDocCacheReport(t *testing.T) {
	for _, c := range []struct {
		name         string
		budget       int64
		wantEntries  int
		wantHits     int64
		wantCacheHit bool
	}{
		{"on", 1 << 30, 2, 2, true},
		{"off", 0, 0, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cache := newDocCache(c.budget)
			for i := range 2 {
				if _, ok := cache.get(portBody(i)); ok {
					t.Fatalf("an empty cache has port %d", i)
				}
				d, _ := DecodeDoc(portBody(i))
				cache.put(portBody(i), d)
			}
			_, hit := cache.get(portBody(0))
			_, _, sharedHit := cache.shared(portBody(1))
			if hit != c.wantCacheHit || sharedHit != c.wantCacheHit {
				t.Errorf("lookups of cached ports: get %v, shared %v, want %v", hit, sharedHit, c.wantCacheHit)
			}
			got := cache.report()
			want := DocCacheState{Entries: c.wantEntries, Bytes: cache.bytes, Budget: c.budget,
				Hits: c.wantHits, Misses: 4 - c.wantHits}
			if got != want {
				t.Errorf("report %+v, want %+v", got, want)
			}
			if c.wantEntries > 0 && (got.Bytes <= 0 || got.Bytes > got.Budget) {
				t.Errorf("report counts %d bytes for %d entries in a budget of %d", got.Bytes, got.Entries, got.Budget)
			}
		})
	}
}
