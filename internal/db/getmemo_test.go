package db_test

import (
	"context"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// TestGetWithinTransaction: a document read twice in one transaction reads the same, a change
// of the first copy does not show in the second, and a Put, Delete or Insert of the
// transaction shows in the Get after it, on every engine.
func TestGetWithinTransaction(t *testing.T) {
	engines(t, false, func(t *testing.T, url string) {
		ctx := context.Background()
		d := open(t, url)
		if _, err := d.Upgrade(ctx); err != nil {
			t.Fatal(err)
		}
		if err := d.Write(ctx, func(tx *db.Tx) error {
			return tx.Insert(ctx, "things", db.Doc{"id": "a", "project_id": "p", "name": "one"})
		}); err != nil {
			t.Fatal(err)
		}
		name := func(tx *db.Tx, id string) any {
			t.Helper()
			doc, err := tx.Get(ctx, "things", id)
			if err != nil {
				t.Fatal(err)
			}
			if doc == nil {
				return nil
			}
			return doc["name"]
		}
		err := d.Write(ctx, func(tx *db.Tx) error {
			first, err := tx.Get(ctx, "things", "a")
			if err != nil {
				return err
			}
			first["name"] = "changed in memory"
			steps := []struct {
				what string
				do   func() error
				id   string
				want any
			}{
				{"read again", func() error { return nil }, "a", "one"},
				{"put", func() error { return tx.Put(ctx, "things", db.Doc{"id": "a", "project_id": "p", "name": "two"}) }, "a", "two"},
				{"read after put", func() error { return nil }, "a", "two"},
				{"delete", func() error { _, err := tx.Delete(ctx, "things", "a"); return err }, "a", nil},
				{"insert", func() error { return tx.Insert(ctx, "things", db.Doc{"id": "a", "project_id": "p", "name": "three"}) }, "a", "three"},
				{"missing", func() error { return nil }, "b", nil},
				{"insert missing", func() error { return tx.Insert(ctx, "things", db.Doc{"id": "b", "project_id": "p", "name": "b"}) }, "b", "b"},
			}
			for _, s := range steps {
				if err := s.do(); err != nil {
					t.Fatalf("%s: %v", s.what, err)
				}
				if got := name(tx, s.id); got != s.want {
					t.Errorf("%s: name %v, want %v", s.what, got, s.want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Read(ctx, func(tx *db.Tx) error {
			if got := name(tx, "a"); got != "three" {
				t.Errorf("after commit: name %v, want three", got)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
}
