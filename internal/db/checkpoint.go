package db

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// SQLite's WAL checkpoints run beside the writer, not inside it. With SQLite's automatic
// checkpoint (every 1,000 pages of WAL) the COMMIT that crossed the mark copied the WAL back
// into the database file and synced both before it returned, with the writer (and so every
// write queued behind it) waiting: a few milliseconds every few dozen port creates, the
// writes' tail latency. The writer connection now has wal_autocheckpoint off, and a
// goroutine runs a PASSIVE checkpoint (it never waits for readers or the writer) on a
// connection of its own every checkpointEvery while something was committed since the last
// one. That connection goes through walvfs, which paces the checkpoint's two syncs (the
// WAL's, then the database file's) so that etcd's WAL sync, which every API write waits
// for, is not held behind them (internal/walvfs). A
// longer interval also lets the hot pages (the last leaf of each index) be copied back once
// for many commits instead of once for each thousand pages. Durability is unchanged: with
// synchronous=NORMAL a commit is durable once the WAL is synced, which a checkpoint does
// first, at Close, or at the next open's recovery; a crash loses at most what it lost before.
//
// The WAL starts over from its beginning only when a write transaction begins with every
// frame copied back. Under sustained writes a checkpoint beside the writer never leaves it so
// (frames are appended while it copies), and the WAL grew by every commit for as long as the
// writes went on: 900 MB for 10,000 port creates by 8 clients. So once the WAL is longer
// than restartWALFrames and a round copied back all it saw (with more passes for what was
// appended during the previous one, until that is little), the writer itself, between two
// batches, copies back the few frames appended meanwhile (catchUp); its next transaction
// then starts the WAL over, unless a reader still reads its older frames (then a later round
// tries again).
//
// The WAL file is not cut back when the WAL starts over: it is rewritten from its beginning.
// Cutting it there (journal_size_limit) ran inside the writer's next commit, and freeing the
// 1 GiB file's blocks and cached pages held every write back 190-330 ms on a 2-vCPU VM, once
// every ~9,000 port creates (BENCHMARKS.md, "The WAL's restart without the cut"). The file is
// cut once the writes pause: a round that finds nothing committed for trimQuiet and the file
// longer than walSizeLimit truncates it (trimIdle).
//
// A round every second rather than every half second: at 10,000 ports with 8 clients the
// rounds copied most of the key index back each time, and their writes slowed the WAL's and
// etcd's syncs; a round a second cut the creates' p99 from 28 to 15 ms and commit → applied's
// p99 from 14 to 7 ms (BENCHMARKS.md, "CPU, checkpoints and the WAL a port create, session 13").

// checkpointEvery is how often the checkpointer looks for committed writes to copy back.
var checkpointEvery = time.Second

// restartWALFrames is the WAL length (in frames: pages of 4 KiB, so 1 GiB) past which the
// writer catches up with a checkpoint so that the WAL starts over. A catch-up holds the writes
// back while the pages it copies are synced to the database file: 3-14 ms at 10,000 ports,
// 86-90 ms at 100,000 (about 1,000 random pages). At 64 MiB, once a second, it doubled the
// creates' p99 at 10,000 ports; at 1 GiB it comes once in about 10,000 sustained creates.
var restartWALFrames int64 = 262144

// walSizeLimit is the WAL file's length past which a round without writes cuts it (trimIdle).
var walSizeLimit int64 = 64 << 20

// checkpointer runs SQLite's WAL checkpoints for a DB.
type checkpointer struct {
	d     *DB
	dirty atomic.Bool // a write committed since the last checkpoint
	// quiet is how many rounds in a row found nothing committed (the loop's own).
	quiet   int
	every   time.Duration
	restart int64 // restartWALFrames when it started
	limit   int64 // walSizeLimit when it started
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

func newCheckpointer(d *DB) *checkpointer {
	c := &checkpointer{d: d, every: checkpointEvery, restart: restartWALFrames, limit: walSizeLimit,
		stop: make(chan struct{}), stopped: make(chan struct{})}
	go c.loop()
	return c
}

func (c *checkpointer) loop() {
	defer close(c.stopped)
	t := time.NewTicker(c.every)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			if c.dirty.Swap(false) {
				c.quiet = 0
				c.checkpoint()
			} else {
				c.quiet++
				c.trimIdle()
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
	var prev int64
	for pass := 0; ; pass++ {
		var busy, frames, done int64
		if err := c.d.ckptConn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done); err != nil {
			c.dirty.Store(true)
			return
		}
		if done < frames {
			c.dirty.Store(true) // a reader held some back: again next round
			return
		}
		if frames < c.restart || c.d.group == nil {
			return
		}
		// Everything this pass saw is copied back. Before the writer catches up (and makes
		// every write wait while it does), passes beside it copy what was appended during
		// the previous one, until that is little: at 10,000 ports, a writer catching up
		// after one pass held the writes back 7-17 ms.
		if pass >= maxCatchUpPasses || frames-prev <= catchUpFrames {
			c.d.group.requestCatchUp()
			return
		}
		prev = frames
	}
}

// trimQuiet is how long nothing must have been committed before a round cuts the WAL file:
// the rounds in a row that found nothing committed, times the round's interval.
const trimQuiet = 2 * time.Second

// trimIdle cuts the WAL file to nothing when it is longer than walSizeLimit and nothing was
// committed for trimQuiet: SQLite's TRUNCATE checkpoint copies back what is left,
// resets the WAL and truncates the file. It waits for no one: on the checkpointer's
// connection, whose busy timeout is short, a reader still in the WAL or a writer starting
// makes it give up (a write waits at most that long), and the next quiet round tries again.
func (c *checkpointer) trimIdle() {
	if time.Duration(c.quiet)*c.every < trimQuiet {
		return
	}
	fi, err := os.Stat(c.d.Path + "-wal")
	if err != nil || fi.Size() <= c.limit {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var busy, frames, done int64
	_ = c.d.ckptConn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &frames, &done)
}

// catchUpFrames is how many frames appended during the checkpointer's last pass the writer
// copies back itself; maxCatchUpPasses bounds the passes before it does in any case.
const (
	catchUpFrames    = 1024
	maxCatchUpPasses = 4
)

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
	if c == nil {
		return
	}
	if !c.dirty.Load() {
		c.dirty.Store(true)
	}
}
