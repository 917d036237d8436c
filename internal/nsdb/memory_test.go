package nsdb

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// BenchmarkRaftLogMemory writes b.N transactions of one VM port's size (twenty keys of 300
// bytes) to an embedded store and reports the heap the process retains per transaction
// after a GC (etcd's in-memory raft log and key index), with etcd's defaults (snapshots
// every 10,000 entries, 5,000 kept in memory), with only the entries kept lowered, and with
// the embedded server's settings; ns/op
// includes the snapshots taken on the way. Run each in its own process (what a closed
// store leaves behind skews the next one's figure) with a fixed count past a few snapshots:
// -bench 'RaftLogMemory/etcd$' -benchtime 12000x, then 'RaftLogMemory/embedded$'.
func BenchmarkRaftLogMemory(b *testing.B) {
	for _, c := range []struct {
		name            string
		snap, keepInMem uint64
	}{{"etcd", 10000, 5000}, {"keep100", 10000, 100}, {"embedded", DefaultSnapshotCount, DefaultSnapshotCatchUpEntries}} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			s, err := OpenEmbedded(ctx, EmbeddedOptions{Dir: filepath.Join(b.TempDir(), "etcd"), SnapshotCount: c.snap, SnapshotCatchUpEntries: c.keepInMem, Logger: testLogger()})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			value := make([]byte, 300)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				ops := make([]Op, 20)
				for j := range ops {
					ops[j] = Op{Key: fmt.Sprintf("/bench/%08d/%02d", i, j), Value: value}
				}
				if _, _, err := s.Txn(ctx, nil, ops); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			time.Sleep(time.Second) // the last snapshot's raft log compaction runs on its own
			runtime.GC()
			runtime.GC()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "retained-B/txn")
		})
	}
}
