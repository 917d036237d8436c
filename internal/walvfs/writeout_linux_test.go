package walvfs_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/midonet-go/midonet/internal/walvfs"
)

// TestCheckpointSyncsWriteOutInSteps: a checkpoint run on a connection of its own (the
// server's checkpointer) syncs the WAL that the writer connection wrote and the database
// file it copies the frames into; each sync first writes out what was written since the
// file's last sync, a step of about 1 MiB written at a time. A checkpoint with nothing new
// to copy has nothing to write out.
func TestCheckpointSyncsWriteOutInSteps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	w := open(t, path, true, "")
	c := open(t, path, true, "")
	insert(t, w, 0, 10, 100)
	checkpoint := func() {
		t.Helper()
		var busy, frames, done int
		if err := c.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done); err != nil {
			t.Fatal(err)
		}
		if done != frames {
			t.Fatalf("checkpoint copied %d of %d frames", done, frames)
		}
	}
	checkpoint()
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	walBefore := fi.Size()
	for c := range 8 {
		insert(t, w, 100+c*100, 100, 4000) // about 400 KB a commit
	}
	if fi, err = os.Stat(path + "-wal"); err != nil {
		t.Fatal(err)
	}
	grown := fi.Size() - walBefore
	if grown < 3<<20 {
		t.Fatalf("the WAL grew by %d bytes, want at least 3 MiB", grown)
	}
	steps, bytes := walvfs.WriteOuts()
	checkpoint()
	steps2, bytes2 := walvfs.WriteOuts()
	// The WAL's new frames (its file grew by what they hold) and the pages copied into
	// the database file, which are fewer bytes than the frames that carried them.
	if got := bytes2 - bytes; got < grown {
		t.Errorf("the checkpoint wrote out %d bytes ahead of its syncs, want at least the WAL's %d new", got, grown)
	}
	if got, want := steps2-steps, (grown+(1<<20)-1)>>20; got < want {
		t.Errorf("%d write-out steps, want at least %d (1 MiB each)", got, want)
	}
	checkpoint()
	if steps3, _ := walvfs.WriteOuts(); steps3 != steps2 {
		t.Errorf("a checkpoint with nothing to copy took %d write-out steps", steps3-steps2)
	}

	// A few rows updated across a 16 MB file: the pages copied back are scattered over
	// most of the file, but a few steps cover them, not one per MiB of the file.
	for c := range 40 {
		insert(t, w, 1000+c*100, 100, 4000)
	}
	checkpoint()
	if _, err := w.Exec("UPDATE t SET v = randomblob(4000) WHERE id % 200 = 7"); err != nil {
		t.Fatal(err)
	}
	steps3, _ := walvfs.WriteOuts()
	checkpoint()
	if steps4, _ := walvfs.WriteOuts(); steps4-steps3 > 4 {
		t.Errorf("a checkpoint of %d scattered pages took %d write-out steps, want at most 4", 4800/200, steps4-steps3)
	}
	if got := count(t, c); got != 10+800+4000 {
		t.Errorf("%d rows, want %d", got, 10+800+4000)
	}
	integrity(t, c)
}
