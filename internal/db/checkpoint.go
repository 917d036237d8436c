package db

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// SQLite's WAL checkpoints run beside the writer, not inside it. With SQLite's automatic
// checkpoint (every 1,000 pages of WAL) the COMMIT that crossed the mark copied the WAL back
// into the database file and synced both before it returned, with the writer (and so every
// write queued behind it) waiting: a few milliseconds every few dozen port creates, the
// writes' tail latency. The writer connection now has wal_autocheckpoint off, and a
// goroutine runs a PASSIVE checkpoint (it never waits for readers or the writer) on a reader
// connection every checkpointEvery while something was committed since the last one. A
// longer interval also lets the hot pages (the last leaf of each index) be copied back once
// for many commits instead of once for each thousand pages. Durability is unchanged: with
// synchronous=NORMAL a commit is durable once the WAL is synced, which a checkpoint does
// first, at Close, or at the next open's recovery; a crash loses at most what it lost before.

// checkpointEvery is how often the checkpointer looks for committed writes to copy back.
const checkpointEvery = 500 * time.Millisecond

// checkpointer runs SQLite's WAL checkpoints for a DB.
type checkpointer struct {
	d       *DB
	dirty   atomic.Bool // a write committed since the last checkpoint
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

func newCheckpointer(d *DB) *checkpointer {
	c := &checkpointer{d: d, stop: make(chan struct{}), stopped: make(chan struct{})}
	go c.loop()
	return c
}

func (c *checkpointer) loop() {
	defer close(c.stopped)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			if c.dirty.Swap(false) {
				c.checkpoint()
			}
		}
	}
}

// checkpoint copies what the WAL holds back into the database file, as far as no reader
// still needs the WAL's older pages. A failure (the disk full, the database closing) is
// left to the next round: the WAL only grows until then.
func (c *checkpointer) checkpoint() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var busy, frames, done int64
	if err := c.d.read.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done); err != nil {
		c.dirty.Store(true)
		return
	}
	if done < frames {
		c.dirty.Store(true) // a reader held some back: again next round
	}
}

// close stops the checkpointer; SQLite checkpoints what is left when the last connection
// closes.
func (c *checkpointer) close() {
	c.once.Do(func() {
		close(c.stop)
		<-c.stopped
	})
}

// wrote notes a committed write.
func (c *checkpointer) wrote() {
	if c != nil && !c.dirty.Load() {
		c.dirty.Store(true)
	}
}
