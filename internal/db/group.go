package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// Group commit on SQLite. SQLite has one writer, so write transactions used to queue for the
// one connection and each paid its own BEGIN … COMMIT (the WAL append of every page it
// touched). Now the transactions that arrive while one batch is in flight go together into
// the next: one SQLite transaction for the batch, a SAVEPOINT per request inside it.
//
//   - Each request keeps its own transaction semantics: it sees the batch's earlier requests
//     (as it would have seen them committed before it), and an error rolls back to its own
//     savepoint only, so it fails alone and the others go on.
//   - A request's after-commit hooks, and its answer, wait until the whole batch is durable.
//   - If the batch's COMMIT fails, or SQLite threw the whole transaction away under a
//     request (a savepoint that is gone), nothing of the batch is kept and every request
//     is run again alone, with today's retries: write functions must be safe to run more
//     than once already.
//
// Statements inside a batch never see the cancellation of their request's context: a
// cancelled statement interrupts SQLite, and an interrupted write rolls back the whole
// transaction, which here holds other requests' work. A request whose context ended before
// its turn is answered with the context's error and not run.

// maxBatch bounds the requests of one batch (and so the wait of the first for the last).
const maxBatch = 64

// writeReq is one Write waiting for the group committer.
type writeReq struct {
	ctx  context.Context
	fn   func(*Tx) error
	err  error
	tx   *Tx // the attempt that committed (its after-commit hooks)
	pnc  any // a panic of fn, re-raised in the caller
	done chan struct{}
}

// grouper runs the SQLite writer: one goroutine takes every request queued and commits them
// as one batch.
type grouper struct {
	d       *DB
	queue   chan *writeReq
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once
	catchup chan struct{} // the checkpointer asks for a catch-up checkpoint (checkpoint.go)
	// batches and grouped count committed batches and the requests in them (tests and
	// benchmarks read them through GroupStats).
	mu      sync.Mutex
	batches int64
	grouped int64
	// catchUps counts the catch-up checkpoints the writer ran (tests).
	catchUps int64
}

func newGrouper(d *DB) *grouper {
	g := &grouper{d: d, queue: make(chan *writeReq, 1024), stop: make(chan struct{}), stopped: make(chan struct{}), catchup: make(chan struct{}, 1)}
	go g.loop()
	return g
}

// errClosed answers writes after Close.
var errClosed = errors.New("db: database closed")

func (g *grouper) close() {
	g.once.Do(func() {
		close(g.stop)
		<-g.stopped
	})
}

// write queues fn and waits for the batch it went into.
func (g *grouper) write(ctx context.Context, fn func(*Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case g.queue <- r:
	case <-g.stop:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Never abandoned: the request may be in a batch that commits. A request queued just as
	// the database closed, after the writer's last look at the queue, is answered here.
	select {
	case <-r.done:
	case <-g.stopped:
		select {
		case <-r.done:
		default:
			return errClosed
		}
	}
	if r.pnc != nil {
		panic(r.pnc)
	}
	if r.err != nil {
		return r.err
	}
	for _, f := range r.tx.after {
		f()
	}
	return nil
}

func (g *grouper) loop() {
	defer close(g.stopped)
	batch := make([]*writeReq, 0, maxBatch)
	for {
		select {
		case <-g.stop:
			g.drain()
			return
		case <-g.catchup:
			g.catchUp()
			continue
		case r := <-g.queue:
			batch = append(batch[:0], r)
		}
		if len(g.queue) == 0 {
			// Alone so far: yield once, so that requests already on their way (handlers
			// runnable on this or the other cores) join this batch instead of each paying
			// a commit of its own. With 8 clients on 2 cores this halved the requests
			// committed alone (4,800 → 1,900 of 10,000) and the commits (6,400 → 4,300);
			// with nothing else runnable it returns at once.
			runtime.Gosched()
		}
	more:
		for len(batch) < maxBatch {
			select {
			case r := <-g.queue:
				batch = append(batch, r)
			default:
				break more
			}
		}
		g.run(batch)
		clear(batch)
	}
}

// requestCatchUp asks the writer for a catch-up checkpoint between two batches.
func (g *grouper) requestCatchUp() {
	select {
	case g.catchup <- struct{}{}:
	default: // asked already
	}
}

// catchUp copies back, on the writer's connection and with no write in progress, what the
// WAL gained since the checkpointer's last round, so that the next write transaction starts
// the WAL over (checkpoint.go). A failure is left to the next round.
func (g *grouper) catchUp() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var busy, frames, done int64
	if err := g.d.write.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done); err != nil {
		return
	}
	g.mu.Lock()
	g.catchUps++
	g.mu.Unlock()
}

// drain answers what is still queued at Close.
func (g *grouper) drain() {
	for {
		select {
		case r := <-g.queue:
			r.err = errClosed
			close(r.done)
		default:
			return
		}
	}
}

// run commits one batch, or falls back to running its requests alone.
func (g *grouper) run(batch []*writeReq) {
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			close(r.done)
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	if len(live) == 1 {
		r := live[0]
		r.tx, r.err, r.pnc = g.d.runOnce(r.ctx, r.fn)
		g.count(1) // before done: whoever waits on it reads the stats with its write counted
		close(r.done)
		return
	}
	if g.tryBatch(live) {
		g.count(len(live))
		for _, r := range live {
			close(r.done)
		}
		return
	}
	// The batch could not commit as one: each request alone, as before group commit.
	for _, r := range live {
		r.err, r.pnc, r.tx = nil, nil, nil
		r.tx, r.err, r.pnc = g.d.runOnce(r.ctx, r.fn)
		g.count(1)
		close(r.done)
	}
}

func (g *grouper) count(n int) {
	g.d.ckpt.wrote()
	g.mu.Lock()
	g.batches++
	g.grouped += int64(n)
	g.mu.Unlock()
}

// tryBatch runs every request of batch under its savepoint in one transaction and commits
// it. It reports false, with nothing committed, when the batch must be run request by
// request instead.
func (g *grouper) tryBatch(batch []*writeReq) bool {
	d := g.d
	ctx := context.Background() // the batch belongs to no one request
	for attempt := 0; attempt < 10; attempt++ {
		stx, err := d.write.BeginTx(ctx, d.txOptions(false))
		if err != nil {
			if retryable(err) {
				backoff(ctx, attempt)
				continue
			}
			return false
		}
		ok := true
		for i, r := range batch {
			r.err, r.pnc, r.tx = nil, nil, nil
			if !d.runSavepoint(stx, r, "grp"+strconv.Itoa(i)) {
				ok = false
				break
			}
		}
		if !ok {
			_ = stx.Rollback()
			return false
		}
		if err := stx.Commit(); err != nil {
			if retryable(err) {
				backoff(ctx, attempt)
				continue
			}
			return false
		}
		return true
	}
	return false
}

// runSavepoint runs one request of a batch inside its savepoint, running it again there on
// a retryable error. It reports false when the batch's transaction cannot go on (a
// savepoint SQLite no longer knows: it rolled the whole transaction back).
func (d *DB) runSavepoint(stx *sql.Tx, r *writeReq, name string) bool {
	ctx := context.Background()
	exec := func(q string) bool {
		_, err := stx.ExecContext(ctx, q)
		return err == nil
	}
	var last error
	for attempt := 0; attempt < 10; attempt++ {
		if !exec("SAVEPOINT " + name) {
			return false
		}
		tx := &Tx{tx: stx, db: d, batched: true}
		err, pnc := call(r.fn, tx)
		if err == nil && pnc == nil {
			if !exec("RELEASE " + name) {
				return false
			}
			r.tx = tx
			return true
		}
		if !exec("ROLLBACK TO "+name) || !exec("RELEASE "+name) {
			return false
		}
		switch {
		case pnc != nil:
			r.pnc = pnc
			return true
		case !retryable(err) || r.ctx.Err() != nil:
			r.err = err
			return true
		}
		last = err // contention inside the batch (a document deleted meanwhile): again, on fresh reads
	}
	r.err = fmt.Errorf("db: gave up after repeated contention: %w", ErrBusy{last})
	return true
}

// call runs fn (and its BeforeCommit functions), turning a panic into a value.
func call(fn func(*Tx) error, tx *Tx) (err error, pnc any) {
	defer func() {
		if p := recover(); p != nil {
			pnc = p
		}
	}()
	return tx.finish(fn), nil
}

// runOnce runs fn in a transaction of its own, with the usual retries, and returns the
// committed attempt (its hooks not run yet), the error or fn's panic.
func (d *DB) runOnce(ctx context.Context, fn func(*Tx) error) (tx *Tx, err error, pnc any) {
	defer func() {
		if p := recover(); p != nil {
			tx, err, pnc = nil, nil, p
		}
	}()
	tx, err = d.attempts(ctx, d.write, false, fn)
	return tx, err, nil
}

// GroupStats reports how many SQLite write batches committed and how many write
// transactions they held (0, 0 on PostgreSQL and MySQL).
func (d *DB) GroupStats() (batches, writes int64) {
	if d.group == nil {
		return 0, 0
	}
	d.group.mu.Lock()
	defer d.group.mu.Unlock()
	return d.group.batches, d.group.grouped
}

// QueuedWrites is how many writes wait for SQLite's writer now (0 on PostgreSQL and MySQL).
func (d *DB) QueuedWrites() int {
	if d.group == nil {
		return 0
	}
	return len(d.group.queue)
}
