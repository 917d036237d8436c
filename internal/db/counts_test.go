package db_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/test/testenv"
)

// TestCountsFollowTheDocuments: a project's number of documents of a kind (what a quota
// check reads; on SQLite and PostgreSQL rows that triggers keep) equals the documents there
// are, kind by kind and project by project, after inserts, duplicates refused, documents
// moved between projects, deletes, a transaction rolled back, and requests that fail inside
// a group commit while the others of their batch commit (on PostgreSQL: concurrent writers
// on several connections).
func TestCountsFollowTheDocuments(t *testing.T) {
	engines(t, false, countsFollowTheDocuments)
}

func countsFollowTheDocuments(t *testing.T, url string) {
	ctx := t.Context()
	d := openKeyed(t, url)
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
		checkCountsOf(t, d, when, kinds, projects)
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

// checkCountsOf checks that Count of each kind in each project, in a read and in a write
// transaction, and QuotaUsage's count in a write transaction, are the number of documents
// there are.
func checkCountsOf(t *testing.T, d *db.DB, when string, kinds, projects []string) {
	t.Helper()
	ctx := t.Context()
	for _, write := range []bool{false, true} {
		run := d.Read
		if write {
			run = d.Write
		}
		err := run(ctx, func(tx *db.Tx) error {
			for _, k := range kinds {
				for _, p := range projects {
					got, err := tx.Count(ctx, k, p)
					if err != nil {
						return err
					}
					if write { // what a quota check reads
						limit, used, err := tx.QuotaUsage(ctx, p, "quota-"+k, k, 1<<30)
						if err != nil {
							return err
						}
						if limit != 1<<30 || used != got {
							t.Errorf("%s: QuotaUsage(%s, %s) = %d, %d; want the default limit and Count's %d", when, p, k, limit, used, got)
						}
					}
					var want int
					if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM resources WHERE kind = ? AND project_id = ?", k, p).Scan(&want); err != nil {
						return err
					}
					if got != want {
						t.Errorf("%s: Count(%s, %s) = %d (write transaction: %v), want the %d documents there are", when, k, p, got, write, want)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestCountsDoNotQueue (PostgreSQL): a create counted while another create of the same
// project, on another connection, has not committed yet does not wait for it. With one
// row of counts per project the second insert would wait for the first's row lock, and the
// first here waits for the second.
func TestCountsDoNotQueue(t *testing.T) {
	ctx := t.Context()
	d := openKeyed(t, testenv.NewDatabase(t))
	firstIn, secondDone := make(chan struct{}), make(chan error, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		<-firstIn
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		secondDone <- d.Write(sctx, func(tx *db.Tx) error {
			return tx.Insert(sctx, "items", db.Doc{"id": "second", "project_id": "p1", "name": "n", "network_id": "net"})
		})
	})
	err := d.Write(ctx, func(tx *db.Tx) error {
		if err := tx.Insert(ctx, "items", db.Doc{"id": "first", "project_id": "p1", "name": "n", "network_id": "net"}); err != nil {
			return err
		}
		close(firstIn)
		select {
		case err := <-secondDone:
			if err != nil {
				return fmt.Errorf("the second create, while the first was open: %w", err)
			}
			return nil
		case <-time.After(30 * time.Second):
			return errors.New("the second create waited for the first to commit")
		}
	})
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	checkCountsOf(t, d, "after both", []string{"items"}, []string{"p1"})
}

// TestCountsFold (PostgreSQL): the rows of backends that are gone fold into one, at an
// upgrade and when a quota check (QuotaUsage) finds more than a few rows of one project, and
// the sums stay the documents there are.
func TestCountsFold(t *testing.T) {
	ctx := t.Context()
	url := testenv.NewDatabase(t)
	d := openKeyed(t, url)
	projects := []string{"p1", "p2"}
	// Writers on several connections at once: a row per backend and project.
	var wg sync.WaitGroup
	for w := range 12 {
		wg.Go(func() {
			for i := range 5 {
				err := d.Write(ctx, func(tx *db.Tx) error {
					return tx.Insert(ctx, "items", db.Doc{"id": fmt.Sprintf("w%d-%d", w, i), "project_id": projects[(w+i)%2], "name": "n", "network_id": "net"})
				})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	rows := func(d *db.DB, p string) (n int) {
		t.Helper()
		err := d.Read(ctx, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM resource_counts WHERE kind = 'items' AND project_id = ?", p).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := rows(d, "p1"); n < 2 {
		t.Fatalf("%d rows of counts for p1 after writers on 12 connections, want one per backend", n)
	}
	checkCountsOf(t, d, "after the writers", []string{"items"}, projects)
	d.Close()
	// Its backends end a moment after their connections close.
	waitGone := open(t, url)
	for deadline := time.Now().Add(30 * time.Second); ; {
		var live int
		err := waitGone.Read(ctx, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM resource_counts WHERE shard IN (SELECT pid FROM pg_stat_activity)").Scan(&live)
		})
		if err != nil {
			t.Fatal(err)
		}
		if live == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the closed connections' %d backends still run", live)
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitGone.Close()

	d2 := openKeyed(t, url) // Upgrade folds
	for _, p := range projects {
		if n := rows(d2, p); n != 1 {
			t.Errorf("%d rows of counts for %s after an upgrade, want the one shard 0", n, p)
		}
	}
	// Rows of backends that never were (pid -1, -2, ...), adding up to zero.
	err := d2.Write(ctx, func(tx *db.Tx) error {
		for i := 1; i <= 40; i++ {
			if _, err := tx.Exec(ctx, "INSERT INTO resource_counts (kind, project_id, shard, n) VALUES ('items', 'p1', ?, ?)", -i, 1-2*(i%2)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkCountsOf(t, d2, "after a fold in a quota check", []string{"items"}, projects)
	if n := rows(d2, "p1"); n > 2 {
		t.Errorf("%d rows of counts for p1 after a quota check summed 41, want them folded", n)
	}
}

// TestQuotaUsage: the limit a quota check reads is the project's own, or the default when it
// has none; an unlimited resource (-1) is not counted; a limited one is.
func TestQuotaUsage(t *testing.T) {
	engines(t, false, func(t *testing.T, url string) {
		ctx := t.Context()
		d := openKeyed(t, url)
		err := d.Write(ctx, func(tx *db.Tx) error {
			for i := range 3 {
				if err := tx.Insert(ctx, "items", db.Doc{"id": fmt.Sprintf("i%d", i), "project_id": "p1", "name": "n", "network_id": "net"}); err != nil {
					return err
				}
			}
			for _, q := range []struct {
				resource string
				limit    int
			}{{"own", 7}, {"own-unlimited", -1}} {
				if _, err := tx.Exec(ctx, "INSERT INTO quotas (project_id, resource, hard_limit) VALUES ('p1', ?, ?)", q.resource, q.limit); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name, project, resource string
			def                     int
			limit, used             int
		}{
			{"the default", "p1", "other", 10, 10, 3},
			{"unlimited by default", "p1", "other", -1, -1, 0},
			{"the project's own", "p1", "own", 10, 7, 3},
			{"unlimited for the project", "p1", "own-unlimited", 10, -1, 0},
			{"a project without documents", "p2", "own", 4, 4, 0},
		} {
			t.Run(c.name, func(t *testing.T) {
				err := d.Write(ctx, func(tx *db.Tx) error {
					limit, used, err := tx.QuotaUsage(ctx, c.project, c.resource, "items", c.def)
					if err != nil {
						return err
					}
					if limit != c.limit || used != c.used {
						t.Errorf("QuotaUsage = %d, %d; want %d, %d", limit, used, c.limit, c.used)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}

// TestQuotaUsageWaits (PostgreSQL): while one transaction holds a quota check of a project,
// a second check of the same project and resource waits for it to end, and then counts
// what it created; a check of an unlimited resource does not wait.
func TestQuotaUsageWaits(t *testing.T) {
	d := openKeyed(t, testenv.NewDatabase(t))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	holding, release := make(chan struct{}), make(chan struct{})
	holder := make(chan error, 1)
	go func() {
		holder <- d.Write(ctx, func(tx *db.Tx) error {
			if _, _, err := tx.QuotaUsage(ctx, "p1", "port", "items", 5); err != nil {
				return err
			}
			if err := tx.Insert(ctx, "items", db.Doc{"id": "first", "project_id": "p1", "name": "n", "network_id": "net"}); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	if err := d.Write(ctx, func(tx *db.Tx) error {
		limit, _, err := tx.QuotaUsage(ctx, "p1", "port", "items", -1)
		if err == nil && limit != -1 {
			t.Errorf("an unlimited check read limit %d", limit)
		}
		return err
	}); err != nil {
		t.Fatalf("an unlimited check, while a limited one held the lock: %v", err)
	}
	var used int
	second := make(chan error, 1)
	go func() {
		second <- d.Write(ctx, func(tx *db.Tx) (err error) {
			_, used, err = tx.QuotaUsage(ctx, "p1", "port", "items", 5)
			return err
		})
	}()
	waitForAdvisoryWaiters(ctx, t, d, 1)
	close(release)
	if err := <-holder; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if used != 1 {
		t.Errorf("the second check counted %d, want the first's create", used)
	}
}
