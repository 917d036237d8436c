package concurrency

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/db"
)

// TestWriteOfVanishedDocumentRetries is the race the crash test once lost on PostgreSQL (run here on MariaDB too): a
// port delete listed the floating IPs (no lock), a floating-IP delete committed, and the
// port delete then wrote the floating IP it had listed. The UPDATE matched no row, the
// transaction journaled an update after the delete, and the NSDB brought the floating IP
// back. A write that finds its document gone must run the whole transaction again, on
// fresh reads, so the second attempt no longer sees the document.
func TestWriteOfVanishedDocumentRetries(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { writeOfVanishedDocumentRetries(t, e.url(t)) })
	}
}

func writeOfVanishedDocumentRetries(t *testing.T, url string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := db.Open(ctx, url, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	fip := db.Doc{"id": "0e5a3cc6-9d0e-4c4e-9d55-3f1b7b8e1a01", "project_id": "p", "port_id": "port-1"}
	if err := d.Write(ctx, func(tx *db.Tx) error { return tx.Insert(ctx, "floatingips", fip) }); err != nil {
		t.Fatal(err)
	}

	listed, deleted := make(chan struct{}), make(chan error, 1)
	go func() { // the floating-IP delete, committed between the list and the write
		<-listed
		deleted <- d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.Delete(ctx, "floatingips", fip["id"].(string))
			return err
		})
	}()
	attempts := 0
	var firstErr error
	err = d.Write(ctx, func(tx *db.Tx) error {
		attempts++
		docs, err := tx.List(ctx, "floatingips", db.Filter{})
		if err != nil {
			return err
		}
		if attempts == 1 {
			close(listed)
			if err := <-deleted; err != nil {
				t.Errorf("concurrent delete: %v", err)
			}
		}
		for _, f := range docs {
			f["port_id"] = nil
			if err := tx.Put(ctx, "floatingips", f); err != nil {
				if attempts == 1 {
					firstErr = err
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("the writer failed instead of running again: %v", err)
	}
	if attempts != 2 {
		t.Errorf("the writer ran %d times, want 2 (once on the stale list, once on fresh reads)", attempts)
	}
	if !errors.Is(firstErr, db.ErrVanished) {
		t.Errorf("the stale write answered %v, want ErrVanished", firstErr)
	}
	var left []db.Doc
	if err := d.Read(ctx, func(tx *db.Tx) (err error) {
		left, err = tx.List(ctx, "floatingips", db.Filter{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("the floating IP is back: %v", left)
	}
}
