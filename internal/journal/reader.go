package journal

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/midonet-go/midonet/internal/db"
)

// Task is one row of midonet_tasks as the consumer reads it.
type Task struct {
	ID                                       int64
	Type, DataType, ResourceID, TenantID, TX string
	Data                                     string
}

// Reader reads the task journal in id order for one consumer, never passing over a task
// that may still commit with a lower id than one it returned.
//
// On SQLite (one writer) tasks commit in id order, so a plain "id > last" read is enough.
// On MySQL the order lock makes ids commit in order, but InnoDB may let the next holder of
// the lock commit, and a read see its task, a moment before the previous holder's rows
// become visible to reads; so at a gap the Reader reads the range again with a locking read
// (lockedRead), which sees every row committed and waits for a row whose transaction is
// still ending. A gap still there is final (a rollback). On PostgreSQL writers draw ids
// without a lock, so a read may see a gap: an id drawn by a transaction still in flight, or
// by one that rolled back (or a sequence jump after a crash), and nothing in the table
// tells which. The Reader stops before the first gap and, before it reads past it, waits
// until every transaction that was in progress at the read has ended (waitEnded): the
// holder of a gap id drew it before a later id that the read saw committed, and had a
// transaction id by then (orderLock), so it is one of them. Read again after that, a gap
// still there is final.
type Reader struct {
	DB *db.DB
	// Poll is the wait between two checks of the transactions a gap waits for (default 1ms).
	Poll time.Duration
	// Log, if set, hears of a gap held open for long (every SlowWait): any transaction that wrote
	// and stays open (a session left idle in transaction) holds the consumer until it ends.
	Log *slog.Logger
	// SlowWait is how long a wait lasts before Log hears of it (default 10 s).
	SlowWait time.Duration

	final int64 // gaps at or below this id are final (their transactions ended)
}

// Pending returns up to limit tasks after the id after, in id order, up to the first gap
// that may still fill.
func (r *Reader) Pending(ctx context.Context, after int64, limit int) ([]Task, error) {
	for {
		tasks, err := r.read(ctx, after, limit)
		if err != nil {
			return nil, err
		}
		if r.DB.Dialect == db.SQLite || len(tasks) == 0 {
			return tasks, nil
		}
		cut := r.firstGap(after, tasks)
		if cut < 0 {
			return tasks, nil
		}
		if r.DB.Dialect == db.MySQL {
			return r.lockedRead(ctx, after, tasks[len(tasks)-1].ID, limit)
		}
		// Whatever comes before the gap can go now; the gap is waited for at the next call.
		seenMax := tasks[len(tasks)-1].ID
		if err := r.waitEnded(ctx); err != nil {
			return nil, err
		}
		r.final = max(r.final, seenMax)
		if cut > 0 {
			return tasks[:cut], nil
		}
	}
}

// firstGap is the index in tasks (read after the id after) of the first task that follows
// a gap not yet known to be final, or -1.
func (r *Reader) firstGap(after int64, tasks []Task) int {
	next := after + 1
	for i, t := range tasks {
		if t.ID != next && next > r.final {
			return i
		}
		next = t.ID + 1
	}
	return -1
}

const taskColumns = "id, type, data_type, resource_id, tenant_id, transaction_id, data"

// read reads the tasks after the id after, in id order.
func (r *Reader) read(ctx context.Context, after int64, limit int) ([]Task, error) {
	var out []Task
	err := r.DB.Read(ctx, func(tx *db.Tx) error {
		var err error
		out, err = scanTasks(tx.Query(ctx, "SELECT "+taskColumns+" FROM midonet_tasks WHERE id > ? ORDER BY id LIMIT ?", after, limit))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("journal: read tasks: %w", err)
	}
	return out, nil
}

// lockedRead reads again, on MySQL, the tasks after the id after up to the id upTo that a
// read saw past a gap, with a locking read: it sees every row committed, and waits for a row
// whose transaction is still ending. What it returns has no gap that may still fill, so
// the gaps below its last task are final.
func (r *Reader) lockedRead(ctx context.Context, after, upTo int64, limit int) ([]Task, error) {
	var out []Task
	err := r.DB.Write(ctx, func(tx *db.Tx) error {
		var err error
		out, err = scanTasks(tx.Query(ctx, "SELECT "+taskColumns+" FROM midonet_tasks WHERE id > ? AND id <= ? ORDER BY id LIMIT ? LOCK IN SHARE MODE", after, upTo, limit))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("journal: read tasks past a gap: %w", err)
	}
	if len(out) > 0 {
		r.final = max(r.final, out[len(out)-1].ID)
	}
	return out, nil
}

// scanTasks reads the rows of a query of taskColumns.
func scanTasks(rows *sql.Rows, err error) ([]Task, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		var t Task
		if err := rows.Scan(&t.ID, &t.Type, &t.DataType, &t.ResourceID, &t.TenantID, &t.TX, &t.Data); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// waitEnded waits until every transaction that was in progress when the snapshot of a read
// was taken has ended. Those with a transaction id below the snapshot's xmax are listed in
// it, but one that got its id later (after the latest one completed) is not; so the wait
// takes every transaction running now (each holds the lock on its own transaction id, in
// pg_locks): what was running at the read and has not ended since is among them.
func (r *Reader) waitEnded(ctx context.Context) error {
	poll := r.Poll
	if poll <= 0 {
		poll = time.Millisecond
	}
	var xids string
	err := r.DB.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT COALESCE(string_agg(transactionid::text, ','), '') FROM pg_locks WHERE locktype = 'transactionid' AND mode = 'ExclusiveLock' AND granted").Scan(&xids)
	})
	if err != nil {
		return fmt.Errorf("journal: transactions in progress: %w", err)
	}
	if xids == "" {
		return nil
	}
	slow := r.SlowWait
	if slow <= 0 {
		slow = 10 * time.Second
	}
	const holders = "FROM pg_locks WHERE locktype = 'transactionid' AND mode = 'ExclusiveLock' AND granted AND transactionid::text = ANY(string_to_array(?, ','))"
	start, warned := time.Now(), time.Duration(0)
	for {
		var running bool
		err := r.DB.Read(ctx, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 "+holders+")", xids).Scan(&running)
		})
		if err != nil {
			return fmt.Errorf("journal: wait for the transactions of a gap: %w", err)
		}
		if !running {
			return nil
		}
		if waited := time.Since(start); r.Log != nil && waited-warned >= slow {
			warned = waited
			var pids string
			_ = r.DB.Read(ctx, func(tx *db.Tx) error {
				return tx.QueryRow(ctx, "SELECT COALESCE(string_agg(DISTINCT pid::text, ','), '') "+holders, xids).Scan(&pids)
			})
			r.Log.Warn("task consumer waits at a gap in the task ids for transactions still open", "waited", waited.Round(time.Second), "pids", pids)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}
