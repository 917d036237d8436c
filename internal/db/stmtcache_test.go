package db_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// TestPreparedStatementsReused: on SQLite, statements run again from the connection's
// prepared copy give what they gave the first time, a query of the same text run while the
// first one's rows are still open gets its own rows, and more distinct statements than a
// connection keeps prepared all still run.
func TestPreparedStatementsReused(t *testing.T) {
	ctx := context.Background()
	d := openSQLite(ctx, t, filepath.Join(t.TempDir(), "neutron.db"))
	for i := range 5 {
		err := d.Write(ctx, func(tx *db.Tx) error {
			return tx.Insert(ctx, "things", db.Doc{"id": fmt.Sprintf("t%d", i), "project_id": "p"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	const q = "SELECT id FROM resources WHERE kind = ? AND project_id = ? ORDER BY id"
	for _, run := range []struct {
		name string
		fn   func(context.Context, func(*db.Tx) error) error
	}{{"read", d.Read}, {"write", d.Write}} {
		t.Run(run.name, func(t *testing.T) {
			err := run.fn(ctx, func(tx *db.Tx) error {
				outer, err := tx.Query(ctx, q, "things", "p")
				if err != nil {
					return err
				}
				defer outer.Close()
				var got []string
				for outer.Next() {
					var id string
					if err := outer.Scan(&id); err != nil {
						return err
					}
					// The same text while outer's rows are open: rows of its own.
					inner, err := tx.Query(ctx, q, "things", "p")
					if err != nil {
						return err
					}
					n := 0
					for inner.Next() {
						n++
					}
					inner.Close()
					if n != 5 {
						return fmt.Errorf("inner query at %s: %d rows, want 5", id, n)
					}
					got = append(got, id)
				}
				if fmt.Sprint(got) != "[t0 t1 t2 t3 t4]" {
					return fmt.Errorf("outer query: %v", got)
				}
				// More distinct statements than a connection keeps, each twice.
				for round := range 2 {
					for i := range 300 {
						var n int
						s := fmt.Sprintf("SELECT COUNT(*) + %d FROM resources WHERE kind = ?", i)
						if err := tx.QueryRow(ctx, s, "things").Scan(&n); err != nil {
							return err
						}
						if n != 5+i {
							return fmt.Errorf("round %d, statement %d: %d, want %d", round, i, n, 5+i)
						}
					}
				}
				return outer.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
