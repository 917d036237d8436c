package db_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// TestListChildrenAttrs: ListChildrenAttrs returns the children of the parents named, as
// ListChildren does, with only the attributes asked for (those a child lacks are absent),
// and adds nothing to the decoded-document cache.
func TestListChildrenAttrs(t *testing.T) {
	ctx := t.Context()
	d := openKeyed(t, "sqlite:///"+filepath.Join(t.TempDir(), "neutron.db")) // parents: network_id
	err := d.Write(ctx, func(tx *db.Tx) error {
		for i, parent := range []string{"n1", "n1", "n1", "n2", "n2", "n3"} {
			doc := db.Doc{"id": fmt.Sprintf("e%d", i), "network_id": parent, "mac_address": fmt.Sprintf("fa:16:3e:00:00:%02x", i),
				"segmentation_id": 100 + i, "description": "not shown"}
			if i == 4 {
				delete(doc, "mac_address")
			}
			if err := tx.Insert(ctx, "items", doc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	emptyDocCache(t)

	var some, whole []db.Doc
	err = d.Read(ctx, func(tx *db.Tx) error {
		var err error
		if some, err = tx.ListChildrenAttrs(ctx, "items", []string{"n1", "n2", "n9"}, "id", "mac_address", "segmentation_id"); err != nil {
			return err
		}
		if entries, _ := db.DocCacheStats(); entries != 0 {
			t.Errorf("after ListChildrenAttrs the cache holds %d documents, want none", entries)
		}
		whole, err = tx.ListChildren(ctx, "items", []string{"n1", "n2", "n9"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	byID := func(a, b db.Doc) int { return cmpStr(a["id"], b["id"]) }
	slices.SortFunc(some, byID)
	slices.SortFunc(whole, byID)
	if len(some) != 5 || len(whole) != 5 {
		t.Fatalf("%d and %d children of n1 and n2, want 5", len(some), len(whole))
	}
	for i, doc := range some {
		want := db.Doc{}
		for _, k := range []string{"id", "mac_address", "segmentation_id"} {
			if v, ok := whole[i][k]; ok {
				want[k] = v
			}
		}
		if fmt.Sprint(doc) != fmt.Sprint(want) {
			t.Errorf("child %d: %v, want %v", i, doc, want)
		}
	}
	if _, ok := some[4]["mac_address"]; ok {
		t.Errorf("e4 has no MAC, got %v", some[4])
	}
}

func cmpStr(a, b any) int {
	sa, sb := fmt.Sprint(a), fmt.Sprint(b)
	switch {
	case sa < sb:
		return -1
	case sa > sb:
		return 1
	}
	return 0
}
