package db_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/db"
)

// TestSQLiteWriterTempStoreInMemory: on SQLite the writer keeps its sub-journals in memory
// (PRAGMA temp_store = 2), and what they are for still works: of writes that share a group
// commit, the ones that fail after inserting leave nothing behind, the others all commit.
func TestSQLiteWriterTempStoreInMemory(t *testing.T) {
	ctx := context.Background()
	d := openSQLite(ctx, t, filepath.Join(t.TempDir(), "neutron.db"))
	var store int
	if err := d.Write(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "PRAGMA temp_store").Scan(&store)
	}); err != nil {
		t.Fatal(err)
	}
	if store != 2 {
		t.Errorf("writer's temp_store = %d, want 2 (MEMORY)", store)
	}

	refused := errors.New("refused")
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := d.Write(ctx, func(tx *db.Tx) error {
				for j := range 3 {
					if err := tx.Insert(ctx, "things", db.Doc{"id": fmt.Sprintf("t%d-%d", i, j), "project_id": "p"}); err != nil {
						return err
					}
				}
				if i%2 == 1 {
					return refused
				}
				return nil
			})
			if (i%2 == 1) != errors.Is(err, refused) {
				t.Errorf("write %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	var n int
	if err := d.Read(ctx, func(tx *db.Tx) error {
		var err error
		n, err = tx.Count(ctx, "things", "p")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n != 20*3 {
		t.Errorf("%d documents stored, want %d (the 20 writes that succeeded, 3 each)", n, 20*3)
	}
}

// TestSQLiteCheckpointsBesideTheWriter: on SQLite the writes reach the database file itself
// (not only its WAL) while the server runs, by the checkpointer's rounds beside the writer;
// the writer's commits no longer checkpoint (wal_autocheckpoint = 0). A copy of the database
// file alone, without its WAL, holds every committed document once a round has run.
func TestSQLiteCheckpointsBesideTheWriter(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d := openSQLite(ctx, t, filepath.Join(dir, "neutron.db"))
	var auto int
	if err := d.Write(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "PRAGMA wal_autocheckpoint").Scan(&auto)
	}); err != nil {
		t.Fatal(err)
	}
	if auto != 0 {
		t.Errorf("writer's wal_autocheckpoint = %d, want 0", auto)
	}
	const n = 300
	for i := range n {
		if err := d.Write(ctx, func(tx *db.Tx) error {
			return tx.Insert(ctx, "things", db.Doc{"id": fmt.Sprintf("t%d", i), "project_id": "p", "name": strings.Repeat("x", 500)})
		}); err != nil {
			t.Fatal(err)
		}
	}
	// The file alone, copied now and then until it holds them all (at most a minute).
	got := 0
	for deadline := time.Now().Add(time.Minute); got != n && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		got = countInCopy(t, filepath.Join(dir, "neutron.db"))
	}
	if got != n {
		t.Errorf("the database file alone holds %d documents a minute after the writes, want %d", got, n)
	}
}

// countInCopy counts the documents of kind "things" in a copy of an SQLite database file
// (without its WAL); -1 when the copy cannot be read (not even the schema reached the file
// yet, or a checkpoint was copying pages back while the file was read).
func countInCopy(t *testing.T, path string) int {
	t.Helper()
	ctx := context.Background()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(t.TempDir(), "neutron.db")
	if err := os.WriteFile(copyPath, body, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := db.Open(ctx, "sqlite:///"+copyPath, "")
	if err != nil {
		return -1
	}
	defer c.Close()
	got := -1
	_ = c.Read(ctx, func(tx *db.Tx) error {
		n, err := tx.Count(ctx, "things", "p")
		if err == nil {
			got = n
		}
		return err
	})
	return got
}

// TestInserted: a transaction knows the documents it inserted, and only those: not one
// stored before it, not one of another kind with the same id.
func TestInserted(t *testing.T) {
	ctx := context.Background()
	d := openSQLite(ctx, t, filepath.Join(t.TempDir(), "neutron.db"))
	if err := d.Write(ctx, func(tx *db.Tx) error {
		return tx.Insert(ctx, "things", db.Doc{"id": "old", "project_id": "p"})
	}); err != nil {
		t.Fatal(err)
	}
	if err := d.Write(ctx, func(tx *db.Tx) error {
		if err := tx.Insert(ctx, "things", db.Doc{"id": "new", "project_id": "p"}); err != nil {
			return err
		}
		for _, c := range []struct {
			kind, id string
			want     bool
		}{{"things", "new", true}, {"things", "old", false}, {"others", "new", false}} {
			if got := tx.Inserted(c.kind, c.id); got != c.want {
				t.Errorf("Inserted(%s, %s) = %v, want %v", c.kind, c.id, got, c.want)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// openSQLite opens (and upgrades) a new SQLite database at path, closed when the test ends.
func openSQLite(ctx context.Context, t *testing.T, path string) *db.DB {
	t.Helper()
	d, err := db.Open(ctx, "sqlite:///"+path, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}
