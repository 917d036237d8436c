package app

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/testutil/nsdbtest"
)

// TestCompactSnapshotsTheLog: `db-manage nsdb-compact` on a data dir no server has open
// leaves a raft snapshot behind (before it, the writes since the last snapshot were replayed
// into memory at every start), and the data is all there when the store opens again.
func TestCompactSnapshotsTheLog(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	dir := filepath.Join(dataDir, "etcd")
	store, err := nsdb.OpenEmbedded(ctx, nsdb.EmbeddedOptions{Dir: dir, Logger: nsdbtest.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	const writes = 300 // fewer than DefaultSnapshotCount: no snapshot yet
	for i := range writes {
		if _, _, err := store.Txn(ctx, nil, []nsdb.Op{{Key: fmt.Sprintf("/midonet/test/k%03d", i), Value: []byte("v")}}); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()
	snaps := func() []string {
		m, err := filepath.Glob(filepath.Join(dir, "member", "snap", "*.snap"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if s := snaps(); len(s) != 0 {
		t.Fatalf("snapshots before the compaction: %v; the test needs none", s)
	}

	if err := CompactNSDB(ctx, Options{DataDir: dataDir}, io.Discard, false); err != nil {
		t.Fatal(err)
	}
	if s := snaps(); len(s) == 0 {
		t.Fatal("no raft snapshot after nsdb-compact: the next start replays every write since the last one")
	}

	store, err = nsdb.OpenEmbedded(ctx, nsdb.EmbeddedOptions{Dir: dir, Logger: nsdbtest.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	kvs, _, err := store.List(ctx, "/midonet/test/")
	if err != nil {
		t.Fatal(err)
	}
	if len(kvs) != writes {
		t.Fatalf("%d keys after the compaction and a restart, want %d", len(kvs), writes)
	}
}
