package db_test

import (
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// TestWholeReads: a write transaction's read of every document of a kind is counted by
// kind (List, PeekList, ListFresh), a filtered read is not, nor any read of a read
// transaction or of a sweep.
func TestWholeReads(t *testing.T) {
	ctx := t.Context()
	d := openKeyed(t, "sqlite:///"+t.TempDir()+"/neutron.db")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(d.Write(ctx, func(tx *db.Tx) error {
		for _, id := range []string{"a", "b"} {
			if err := tx.Insert(ctx, "items", db.Doc{"id": id, "project_id": "p", "network_id": "n"}); err != nil {
				return err
			}
		}
		return nil
	}))
	for _, c := range []struct {
		name  string
		write bool
		read  func(tx *db.Tx) ([]db.Doc, error)
		want  int64
	}{
		{"a write's List", true, func(tx *db.Tx) ([]db.Doc, error) { return tx.List(ctx, "items", db.Filter{}) }, 1},
		{"a write's PeekList", true, func(tx *db.Tx) ([]db.Doc, error) { return tx.PeekList(ctx, "items", db.Filter{}) }, 2},
		{"a write's ListFresh", true, func(tx *db.Tx) ([]db.Doc, error) { return tx.ListFresh(ctx, "items", db.Filter{}) }, 3},
		{"a write's project's list", true, func(tx *db.Tx) ([]db.Doc, error) { return tx.List(ctx, "items", db.Filter{ProjectID: "p"}) }, 3},
		{"a write's children", true, func(tx *db.Tx) ([]db.Doc, error) { return tx.ListChildren(ctx, "items", []string{"n"}) }, 3},
		{"a read's List", false, func(tx *db.Tx) ([]db.Doc, error) { return tx.List(ctx, "items", db.Filter{}) }, 3},
		{"a sweep's List", true, func(tx *db.Tx) ([]db.Doc, error) { tx.Sweep(); return tx.List(ctx, "items", db.Filter{}) }, 3},
	} {
		run := d.Read
		if c.write {
			run = d.Write
		}
		must(run(ctx, func(tx *db.Tx) error {
			docs, err := c.read(tx)
			if err == nil && len(docs) != 2 {
				t.Errorf("%s: %d documents", c.name, len(docs))
			}
			return err
		}))
		if got := d.WholeReads()["items"]; got != c.want {
			t.Errorf("after %s: %d whole reads of items, want %d", c.name, got, c.want)
		}
	}
}
