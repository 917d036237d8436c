package translate

import (
	"runtime"
	"testing"
)

// BenchmarkWorldMemoryPerPort reports the heap (bytes and objects) a world retains per VM port (its stored
// form, typed form and index entries), measured after a GC with b.N ports in it. Run with a
// fixed count, e.g. -benchtime 10000x.
func BenchmarkWorldMemoryPerPort(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	w := benchWorld(b.N)
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "retained-B/port")
	b.ReportMetric(float64(int64(after.HeapObjects)-int64(before.HeapObjects))/float64(b.N), "retained-objects/port")
	runtime.KeepAlive(w)
}

// TestWorldKeepsFewObjectsPerPort bounds the heap objects a world keeps per VM port, which
// the garbage collector marks on every cycle: with strings packed (strpack), the index sets
// held by value and no empty binding:profile map, a port is its entry, packed JSON, typed
// form, two slices and one string (six); decoded as encoding/json leaves it, it was 25.
func TestWorldKeepsFewObjectsPerPort(t *testing.T) {
	const ports = 4000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	w := benchWorld(ports)
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(int64(after.HeapObjects)-int64(before.HeapObjects)) / ports
	if per > 8 {
		t.Errorf("the world keeps %.1f heap objects a port, want at most 8", per)
	}
	if n := w.Len("ports"); n < ports {
		t.Fatalf("the world holds %d ports, want at least the %d VM ports", n, ports)
	}
}
