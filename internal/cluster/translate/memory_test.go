package translate

import (
	"runtime"
	"runtime/metrics"
	"testing"
)

// BenchmarkWorldMemoryPerPort reports the heap (bytes and objects) a world retains per VM
// port (its stored form and index entries), and the part of it the garbage collector scans
// for pointers on every cycle, measured after a GC with b.N ports in it. Run with a fixed
// count, e.g. -benchtime 10000x.
func BenchmarkWorldMemoryPerPort(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	scanBefore := scannableHeap()
	b.ReportAllocs()
	w := benchWorld(b.N)
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "retained-B/port")
	b.ReportMetric(float64(int64(after.HeapObjects)-int64(before.HeapObjects))/float64(b.N), "retained-objects/port")
	b.ReportMetric(float64(int64(scannableHeap())-int64(scanBefore))/float64(b.N), "scanned-B/port")
	runtime.KeepAlive(w)
}

// scannableHeap is the heap the last collection found to hold pointers (what marking
// scans).
func scannableHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/scan/heap:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestWorldKeepsFewObjectsPerPort bounds what a world keeps per VM port that the garbage
// collector marks on every cycle. With strings packed (strpack) and the index sets held by
// value, a VM port is its entry, its packed JSON and one string of its id and index keys
// (three objects); it was six while the world kept each port's typed form too, and 25
// decoded as encoding/json leaves it. The pointer-holding bytes the collector scans are
// 250–370 a port (the entry and the maps' slots) at 1,000–12,000 ports; with the typed
// form they were 750–900.
func TestWorldKeepsFewObjectsPerPort(t *testing.T) {
	const ports = 4000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	scanBefore := scannableHeap()
	w := benchWorld(ports)
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(int64(after.HeapObjects)-int64(before.HeapObjects)) / ports
	if per > 4 {
		t.Errorf("the world keeps %.1f heap objects a port, want at most 4", per)
	}
	if scanned := float64(int64(scannableHeap())-int64(scanBefore)) / ports; scanned > 500 {
		t.Errorf("the collector scans %.0f bytes a port, want at most 500", scanned)
	}
	if n := w.Len("ports"); n < ports {
		t.Fatalf("the world holds %d ports, want at least the %d VM ports", n, ports)
	}
	runtime.KeepAlive(w)
}
