package journal

import (
	"context"
	"fmt"
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
// On SQLite (one writer) and MySQL (the order lock) tasks commit in id order, so a plain
// "id > last" read is enough. On PostgreSQL writers draw ids without a lock, so a read may
// see a gap: an id drawn by a transaction still in flight, or by one that rolled back (or a
// sequence jump after a crash), and nothing in the table tells which. The Reader stops
// before the first gap and, before it reads past it, waits until every transaction that
// was in progress at the read (pg_snapshot_xip of the statement's snapshot) has ended: the
// holder of a gap id drew it before a later id that the read saw committed, and had a
// transaction id by then (orderLock), so it is one of them. Read again after that, a gap
// still there is final.
type Reader struct {
	DB *db.DB
	// Poll is the wait between two checks of the transactions a gap waits for (default 1ms).
	Poll time.Duration

	final int64 // gaps at or below this id are final (their transactions ended)
}

// Pending returns up to limit tasks after the id after, in id order, up to the first gap
// that may still fill.
func (r *Reader) Pending(ctx context.Context, after int64, limit int) ([]Task, error) {
	for {
		tasks, snap, err := r.read(ctx, after, limit)
		if err != nil {
			return nil, err
		}
		if r.DB.Dialect != db.Postgres || len(tasks) == 0 {
			return tasks, nil
		}
		next := after + 1
		cut := -1
		for i, t := range tasks {
			if t.ID != next && next > r.final {
				cut = i
				break
			}
			next = t.ID + 1
		}
		if cut < 0 {
			return tasks, nil
		}
		// Whatever comes before the gap can go now; the gap is waited for at the next call.
		seenMax := tasks[len(tasks)-1].ID
		if err := r.waitEnded(ctx, snap); err != nil {
			return nil, err
		}
		r.final = max(r.final, seenMax)
		if cut > 0 {
			return tasks[:cut], nil
		}
	}
}

// read is one statement, so the rows and the snapshot are the same snapshot.
func (r *Reader) read(ctx context.Context, after int64, limit int) ([]Task, string, error) {
	var out []Task
	var snap string
	err := r.DB.Read(ctx, func(tx *db.Tx) error {
		out, snap = out[:0], ""
		cols := "id, type, data_type, resource_id, tenant_id, transaction_id, data"
		if tx.Dialect() == db.Postgres {
			cols += ", pg_current_snapshot()::text"
		}
		rows, err := tx.Query(ctx, "SELECT "+cols+" FROM midonet_tasks WHERE id > ? ORDER BY id LIMIT ?", after, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t Task
			dest := []any{&t.ID, &t.Type, &t.DataType, &t.ResourceID, &t.TenantID, &t.TX, &t.Data}
			if tx.Dialect() == db.Postgres {
				dest = append(dest, &snap)
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", fmt.Errorf("journal: read tasks: %w", err)
	}
	return out, snap, nil
}

// waitEnded waits until none of the transactions in progress in snap is in progress.
func (r *Reader) waitEnded(ctx context.Context, snap string) error {
	poll := r.Poll
	if poll <= 0 {
		poll = time.Millisecond
	}
	for {
		var running bool
		err := r.DB.Read(ctx, func(tx *db.Tx) error {
			return tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_snapshot_xip(?::pg_snapshot) AS x WHERE pg_xact_status(x) = 'in progress')", snap).Scan(&running)
		})
		if err != nil {
			return fmt.Errorf("journal: wait for the transactions of a gap: %w", err)
		}
		if !running {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}
