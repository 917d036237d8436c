package db_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// TestListFreshLeavesTheCache: ListFresh returns what List returns (the same documents, each
// the caller's own) and adds nothing to the decoded-document cache, where List adds every
// document it decoded.
func TestListFreshLeavesTheCache(t *testing.T) {
	ctx := t.Context()
	d := open(t, "sqlite:///"+filepath.Join(t.TempDir(), "neutron.db"))
	if _, err := d.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	const n = 20
	err := d.Write(ctx, func(tx *db.Tx) error {
		for i := range n {
			if err := tx.Insert(ctx, "things", db.Doc{"id": fmt.Sprintf("t%02d", i), "name": fmt.Sprintf("thing %d", i), "size": i}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	emptyDocCache(t)

	var fresh, listed []db.Doc
	err = d.Read(ctx, func(tx *db.Tx) error {
		var err error
		if fresh, err = tx.ListFresh(ctx, "things", db.Filter{}); err != nil {
			return err
		}
		if entries, _ := db.DocCacheStats(); entries != 0 {
			t.Errorf("after ListFresh the cache holds %d documents, want none", entries)
		}
		listed, err = tx.List(ctx, "things", db.Filter{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := db.DocCacheStats(); entries != n {
		t.Errorf("after List the cache holds %d documents, want %d", entries, n)
	}
	if len(fresh) != n || fmt.Sprint(fresh) != fmt.Sprint(listed) {
		t.Fatalf("ListFresh gives %v, List %v", fresh, listed)
	}
	fresh[0]["name"] = "changed" // the caller's own copy
	err = d.Read(ctx, func(tx *db.Tx) error {
		again, err := tx.ListFresh(ctx, "things", db.Filter{})
		if err == nil && fmt.Sprint(again) != fmt.Sprint(listed) {
			t.Errorf("a change of a returned document shows in the next ListFresh: %v", again)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// emptyDocCache empties the decoded-document cache, and sets it back to its default size
// when the test ends.
func emptyDocCache(t *testing.T) {
	db.SetDocCacheBytes(0)
	db.SetDocCacheBytes(db.DefaultDocCacheBytes)
	t.Cleanup(func() { db.SetDocCacheBytes(db.DefaultDocCacheBytes) })
}
