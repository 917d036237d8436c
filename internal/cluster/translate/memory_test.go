package translate

import (
	"runtime"
	"testing"
)

// BenchmarkWorldMemoryPerPort reports the heap a world retains per VM port (its stored
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
	runtime.KeepAlive(w)
}
