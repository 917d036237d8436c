package db_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// TestCountsFollowTheDocuments: a project's number of documents of a kind (what a quota
// check reads; on SQLite a row that triggers keep) equals the documents there are, kind by
// kind and project by project, after inserts, duplicates refused, documents moved between
// projects, deletes, a transaction rolled back, and requests that fail inside a group
// commit while the others of their batch commit.
func TestCountsFollowTheDocuments(t *testing.T) {
	ctx := t.Context()
	d := openKeyed(t, "sqlite:///"+filepath.Join(t.TempDir(), "neutron.db"))
	projects := []string{"p1", "p2", "p3"}
	kinds := []string{"items", "others"}
	rnd := rand.New(rand.NewPCG(14, 9))
	type doc struct{ kind, id string }
	var live []doc
	next := 0
	newDoc := func(kind string) db.Doc {
		next++
		return db.Doc{"id": fmt.Sprintf("d%d", next), "project_id": projects[rnd.IntN(len(projects))], "name": "n", "network_id": "net"}
	}
	check := func(when string) {
		t.Helper()
		err := d.Read(ctx, func(tx *db.Tx) error {
			for _, k := range kinds {
				for _, p := range projects {
					got, err := tx.Count(ctx, k, p)
					if err != nil {
						return err
					}
					var want int
					if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM resources WHERE kind = ? AND project_id = ?", k, p).Scan(&want); err != nil {
						return err
					}
					if got != want {
						t.Errorf("%s: Count(%s, %s) = %d, want the %d documents there are", when, k, p, got, want)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	write := func(fn func(tx *db.Tx) error) error { return d.Write(ctx, fn) }

	// Inserts, and duplicates TryInsert refuses.
	for range 60 {
		k := kinds[rnd.IntN(len(kinds))]
		doc1 := newDoc(k)
		if err := write(func(tx *db.Tx) error { return tx.Insert(ctx, k, doc1) }); err != nil {
			t.Fatal(err)
		}
		live = append(live, doc{k, doc1["id"].(string)})
		if rnd.IntN(4) == 0 {
			var ok bool
			err := write(func(tx *db.Tx) (err error) { ok, err = tx.TryInsert(ctx, k, doc1); return err })
			if err != nil || ok {
				t.Fatalf("TryInsert of an existing document = %v, %v; want refused", ok, err)
			}
		}
	}
	check("after inserts")

	// Documents moved to another project, and deletes.
	for i, l := range live[:30] {
		if i%2 == 0 {
			err := write(func(tx *db.Tx) error {
				cur, err := tx.Get(ctx, l.kind, l.id)
				if err != nil {
					return err
				}
				cur["project_id"] = projects[(i/2)%len(projects)]
				return tx.Put(ctx, l.kind, cur)
			})
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := write(func(tx *db.Tx) error { _, err := tx.Delete(ctx, l.kind, l.id); return err }); err != nil {
			t.Fatal(err)
		}
	}
	check("after moves and deletes")

	// A transaction that inserts, deletes and then fails changes nothing.
	errRollback := errors.New("rolled back on purpose")
	err := write(func(tx *db.Tx) error {
		if err := tx.Insert(ctx, "items", newDoc("items")); err != nil {
			return err
		}
		if _, err := tx.Delete(ctx, live[40].kind, live[40].id); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("the failing transaction returned %v", err)
	}
	check("after a rollback")

	// Concurrent writers share group commits; every third one fails after its insert.
	var wg sync.WaitGroup
	for w := range 24 {
		doc1 := newDoc("items")
		wg.Go(func() {
			err := write(func(tx *db.Tx) error {
				if err := tx.Insert(ctx, "items", doc1); err != nil {
					return err
				}
				if w%3 == 0 {
					return errRollback
				}
				return nil
			})
			if err != nil && !errors.Is(err, errRollback) {
				t.Errorf("writer %d: %v", w, err)
			}
		})
	}
	wg.Wait()
	check("after concurrent writers")
	batches, writes := d.GroupStats()
	t.Logf("%d writes in %d batches", writes, batches)
}
