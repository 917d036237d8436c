package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/test/testenv"
)

// twoParents is a new PostgreSQL database holding parents p1 and p2 (named "before"), a
// kind read with GetForShare.
func twoParents(t *testing.T) *db.DB {
	t.Helper()
	db.ShareLockKind("parents")
	d := upgraded(t, testenv.NewDatabase(t))
	for _, id := range []string{"p1", "p2"} {
		if err := d.Write(t.Context(), func(tx *db.Tx) error {
			return tx.Insert(t.Context(), "parents", db.Doc{"id": id, "name": "before"})
		}); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// TestGetForShare, on PostgreSQL: while one write holds a document it read with GetForShare,
// another write reads it the same way and commits, and its own later Get answers from memory;
// a write that locks it for update (Get), one that deletes it without reading it first, and a
// second count under the same quota lock all wait until the holder ends.
// PeekForShare, which hands out the cached document itself, takes the same locks.
func TestGetForShare(t *testing.T) {
	for _, c := range []struct {
		name string
		read func(tx *db.Tx, ctx context.Context, kind, id string) (db.Doc, error)
	}{
		{"GetForShare", (*db.Tx).GetForShare},
		{"PeekForShare", (*db.Tx).PeekForShare},
	} {
		t.Run(c.name, func(t *testing.T) { testGetForShare(t, c.read) })
	}
}

func testGetForShare(t *testing.T, read func(tx *db.Tx, ctx context.Context, kind, id string) (db.Doc, error)) {
	d := twoParents(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	holding, release := make(chan struct{}), make(chan struct{})
	holder := make(chan error, 1)
	go func() {
		holder <- d.Write(ctx, func(tx *db.Tx) error {
			for _, id := range []string{"p1", "p2"} {
				if p, err := read(tx, ctx, "parents", id); err != nil || p == nil {
					t.Errorf("read %s for share: %v, %v", id, p, err)
					return err
				}
			}
			if err := tx.LockQuota(ctx, "proj", "port"); err != nil {
				return err
			}
			close(holding)
			<-release
			// No upgrade: the memory answers, while others wait for the exclusive lock.
			again, err := tx.Get(ctx, "parents", "p1")
			if err != nil || again["name"] != "before" {
				t.Errorf("Get after GetForShare: %v, %v", again, err)
			}
			return err
		})
	}()
	<-holding

	// A second reader goes on and commits while the holder is open.
	readCtx, readCancel := context.WithTimeout(ctx, 20*time.Second)
	defer readCancel()
	if err := d.Write(readCtx, func(tx *db.Tx) error {
		p, err := read(tx, readCtx, "parents", "p1")
		if err != nil || p == nil {
			t.Errorf("second read for share: %v, %v", p, err)
		}
		return tx.Insert(readCtx, "children", db.Doc{"id": "c1", "parent_id": "p1"})
	}); err != nil {
		t.Fatalf("a second shared reader waited for the first (or failed): %v", err)
	}

	// Writers wait: each query of theirs shows up waiting for an advisory lock.
	writers := map[string]func(tx *db.Tx) error{
		"update": func(tx *db.Tx) error {
			p, err := tx.Get(ctx, "parents", "p1")
			if err != nil || p == nil {
				t.Errorf("Get: %v, %v", p, err)
				return err
			}
			p["name"] = "after"
			return tx.Put(ctx, "parents", p)
		},
		"delete": func(tx *db.Tx) error {
			_, err := tx.Delete(ctx, "parents", "p2")
			return err
		},
		"quota": func(tx *db.Tx) error { return tx.LockQuota(ctx, "proj", "port") },
	}
	done := make(chan string, len(writers))
	for name, fn := range writers {
		go func() {
			if err := d.Write(ctx, fn); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			done <- name
		}()
	}
	waitForAdvisoryWaiters(ctx, t, d, len(writers))
	select {
	case name := <-done:
		t.Fatalf("%s went on while the shared reader held the document", name)
	default:
	}
	close(release)
	if err := <-holder; err != nil {
		t.Fatal(err)
	}
	for range writers {
		<-done
	}
}

// waitForAdvisoryWaiters waits until n of the database's sessions wait for an advisory lock.
func waitForAdvisoryWaiters(ctx context.Context, t *testing.T, d *db.DB, n int) {
	t.Helper()
	for {
		var waiting int
		err := d.Read(ctx, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'").Scan(&waiting)
		})
		if err != nil {
			t.Fatal(err)
		}
		if waiting == n {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("%d sessions wait for an advisory lock, want %d", waiting, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestGetForShareSeesWhatItWaitedFor, on PostgreSQL: a shared reader that waits for a write
// holding the document exclusively reads the document as that write committed it (its read
// is not from a snapshot taken before the lock was granted), and finds none when the write
// deleted it.
func TestGetForShareSeesWhatItWaitedFor(t *testing.T) {
	d := twoParents(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	for _, tc := range []struct {
		id, name string
		change   func(tx *db.Tx) error
		want     any // the name read, nil: no document
	}{
		{"p1", "update", func(tx *db.Tx) error {
			p, err := tx.Get(ctx, "parents", "p1")
			if err != nil {
				return err
			}
			p["name"] = "after"
			return tx.Put(ctx, "parents", p)
		}, "after"},
		{"p2", "delete", func(tx *db.Tx) error { _, err := tx.Delete(ctx, "parents", "p2"); return err }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changed, commit := make(chan struct{}), make(chan struct{})
			writer := make(chan error, 1)
			go func() {
				writer <- d.Write(ctx, func(tx *db.Tx) error {
					if err := tc.change(tx); err != nil {
						return err
					}
					close(changed)
					<-commit
					return nil
				})
			}()
			<-changed
			type result struct {
				name any // the name read; nil: no document
				err  error
			}
			read := make(chan result, 1)
			go func() { // the result is sent once the reader's transaction has ended
				var r result
				r.err = d.Write(ctx, func(tx *db.Tx) error {
					p, err := tx.GetForShare(ctx, "parents", tc.id)
					r.name = nil
					if p != nil {
						r.name = p["name"]
					}
					return err
				})
				read <- r
			}()
			waitForAdvisoryWaiters(ctx, t, d, 1)
			close(commit)
			if err := <-writer; err != nil {
				t.Fatal(err)
			}
			got := <-read
			if got.err != nil {
				t.Fatalf("reader: %v", got.err)
			}
			if got.name != tc.want {
				t.Errorf("the reader read %v, want %v (what the write it waited for committed)", got.name, tc.want)
			}
		})
	}
}
