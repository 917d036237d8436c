package db_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// TestSQLiteWriterTempStoreInMemory: on SQLite the writer keeps its sub-journals in memory
// (PRAGMA temp_store = 2), and what they are for still works: of writes that share a group
// commit, the ones that fail after inserting leave nothing behind, the others all commit.
func TestSQLiteWriterTempStoreInMemory(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:///"+filepath.Join(t.TempDir(), "neutron.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
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
