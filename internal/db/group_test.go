package db_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/db"
)

// sqliteDB is a new, upgraded SQLite database.
func sqliteDB(t *testing.T) *db.DB {
	t.Helper()
	return upgraded(t, "sqlite:///"+filepath.Join(t.TempDir(), "neutron.db"))
}

// batchOf runs the writes together in one group commit: a first write holds the writer
// until all of them are queued behind it. It returns each write's error (or panic, as an
// error) and fails the test unless they went into fewer batches than writes.
func batchOf(t *testing.T, d *db.DB, writes ...func(*db.Tx) error) []error {
	return queuedTogether(t, d, true, writes...)
}

// queuedTogether is batchOf; with grouped false the writes may end up committed alone.
func queuedTogether(t *testing.T, d *db.DB, grouped bool, writes ...func(*db.Tx) error) []error {
	t.Helper()
	ctx := t.Context()
	release := make(chan struct{})
	holding := make(chan struct{})
	blocker := make(chan error, 1)
	go func() {
		blocker <- d.Write(ctx, func(tx *db.Tx) error {
			select {
			case <-holding:
			default:
				close(holding)
			}
			<-release
			return nil
		})
	}()
	<-holding
	b0, w0 := d.GroupStats()
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("panic: %v", p)
				}
			}()
			errs[i] = d.Write(ctx, w)
		}()
	}
	waitQueued(t, d, len(writes))
	close(release)
	wg.Wait()
	if err := <-blocker; err != nil {
		t.Fatal(err)
	}
	b1, w1 := d.GroupStats()
	if batches, ws := b1-b0, w1-w0; ws != int64(len(writes))+1 || (grouped && batches >= ws) {
		t.Fatalf("%d writes went into %d batches: not grouped", ws, batches)
	}
	return errs
}

// waitQueued waits until n writes wait for the writer.
func waitQueued(t *testing.T, d *db.DB, n int) {
	t.Helper()
	for d.QueuedWrites() < n {
		select {
		case <-t.Context().Done():
			t.Fatal("writes never queued")
		default:
		}
		time.Sleep(time.Millisecond)
	}
}

func insertDoc(id string) func(*db.Tx) error {
	return func(tx *db.Tx) error {
		return tx.Insert(context.Background(), "things", db.Doc{"id": id, "project_id": "p"})
	}
}

func exists(t *testing.T, d *db.DB, id string) bool {
	t.Helper()
	var doc db.Doc
	err := d.Read(t.Context(), func(tx *db.Tx) error {
		var err error
		doc, err = tx.Get(t.Context(), "things", id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return doc != nil
}

// TestGroupCommitRequestFailsAlone: in one batch, a request that returns an error after
// writing, one whose statement violates a constraint and one that panics each fail with
// their own error and leave nothing behind; the others of the batch are committed.
func TestGroupCommitRequestFailsAlone(t *testing.T) {
	d := sqliteDB(t)
	if err := d.Write(t.Context(), insertDoc("taken")); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused by the plugin")
	errs := batchOf(t, d,
		insertDoc("a"),
		func(tx *db.Tx) error {
			if err := insertDoc("b")(tx); err != nil {
				return err
			}
			return refused
		},
		insertDoc("c"),
		func(tx *db.Tx) error {
			if err := insertDoc("d")(tx); err != nil {
				return err
			}
			return insertDoc("taken")(tx) // duplicate key
		},
		func(tx *db.Tx) error {
			if err := insertDoc("e")(tx); err != nil {
				return err
			}
			panic("plugin bug")
		},
		insertDoc("f"),
	)
	for i, want := range []string{"", "refused", "", "insert things taken", "panic: plugin bug", ""} {
		got := ""
		if errs[i] != nil {
			got = errs[i].Error()
		}
		if (want == "") != (got == "") || (want != "" && !strings.Contains(got, want)) {
			t.Errorf("write %d: error %q, want one with %q", i, got, want)
		}
	}
	if !errors.Is(errs[1], refused) {
		t.Errorf("write 1: %v is not the plugin's own error", errs[1])
	}
	for id, want := range map[string]bool{"a": true, "b": false, "c": true, "d": false, "e": false, "f": true, "taken": true} {
		if got := exists(t, d, id); got != want {
			t.Errorf("document %s stored = %v, want %v", id, got, want)
		}
	}
}

// TestGroupCommitRetriesInsideTheBatch: a request that meets a document deleted meanwhile
// (ErrVanished) runs again within the batch and commits with it.
func TestGroupCommitRetriesInsideTheBatch(t *testing.T) {
	d := sqliteDB(t)
	attempts := 0
	errs := batchOf(t, d,
		insertDoc("a"),
		func(tx *db.Tx) error {
			attempts++
			if err := insertDoc("b")(tx); err != nil {
				return err
			}
			if attempts == 1 {
				return fmt.Errorf("port: %w", db.ErrVanished)
			}
			return nil
		},
	)
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("errors %v", errs)
	}
	if attempts != 2 || !exists(t, d, "a") || !exists(t, d, "b") {
		t.Fatalf("attempts %d, a %v, b %v: want 2 attempts and both stored", attempts, exists(t, d, "a"), exists(t, d, "b"))
	}
}

// TestGroupCommitFallsBackAlone: a request that ends the batch's transaction under the
// others (here a bare ROLLBACK; in life an error after which SQLite rolls back on its own,
// such as a full disk) makes the batch run request by request: the others still commit,
// the culprit gets an error.
func TestGroupCommitFallsBackAlone(t *testing.T) {
	d := sqliteDB(t)
	errs := queuedTogether(t, d, false,
		insertDoc("a"),
		func(tx *db.Tx) error {
			_, err := tx.Exec(context.Background(), "ROLLBACK")
			return err
		},
		insertDoc("c"),
	)
	if errs[0] != nil || errs[2] != nil || errs[1] == nil {
		t.Fatalf("errors %v; want only the second to fail", errs)
	}
	if !exists(t, d, "a") || !exists(t, d, "c") {
		t.Fatal("a write of the batch was lost")
	}
}

// TestGroupCommitHooksAfterDurable: a request's after-commit hook runs once the batch has
// committed (a new reader sees the write), never for a request that failed.
func TestGroupCommitHooksAfterDurable(t *testing.T) {
	d := sqliteDB(t)
	var mu sync.Mutex
	seen := map[string]bool{}
	hook := func(id string, fail bool) func(*db.Tx) error {
		return func(tx *db.Tx) error {
			if err := insertDoc(id)(tx); err != nil {
				return err
			}
			tx.AfterCommit(func() {
				mu.Lock()
				defer mu.Unlock()
				seen[id] = exists(t, d, id)
			})
			if fail {
				return errors.New("no")
			}
			return nil
		}
	}
	batchOf(t, d, hook("a", false), hook("b", true), hook("c", false))
	if !seen["a"] || !seen["c"] {
		t.Errorf("hooks saw %v: a hook ran before its write was visible to readers", seen)
	}
	if _, ran := seen["b"]; ran {
		t.Error("the hook of a failed write ran")
	}
}

// TestGroupCommitCancelledWhileQueued: a request whose caller gave up before its turn gets
// the context's error and is not run.
func TestGroupCommitCancelledWhileQueued(t *testing.T) {
	d := sqliteDB(t)
	ctx, cancel := context.WithCancel(t.Context())
	ran := false
	release := make(chan struct{})
	holding := make(chan struct{})
	go func() {
		_ = d.Write(t.Context(), func(tx *db.Tx) error { close(holding); <-release; return nil })
	}()
	<-holding
	done := make(chan error, 1)
	go func() { done <- d.Write(ctx, func(tx *db.Tx) error { ran = true; return nil }) }()
	waitQueued(t, d, 1)
	cancel()
	close(release)
	if err := <-done; !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("err %v, ran %v; want context.Canceled and not run", err, ran)
	}
}

// TestGroupCommitClose: writes racing with Close either commit or answer an error; none
// hangs, and writes after Close are refused.
func TestGroupCommitClose(t *testing.T) {
	d, err := db.Open(t.Context(), "sqlite:///"+filepath.Join(t.TempDir(), "neutron.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Upgrade(t.Context()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = d.Write(context.Background(), insertDoc(fmt.Sprint("c", i)))
		}()
	}
	time.Sleep(time.Millisecond)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if err := d.Write(context.Background(), insertDoc("late")); err == nil {
		t.Fatal("a write after Close succeeded")
	}
}
