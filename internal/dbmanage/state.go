package dbmanage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
)

// Task types beyond journal's CREATE/UPDATE/DELETE, written only by data-version-sync and
// data-version-activate; resource_id is the data version id, data_type "" and data {}.
const (
	TaskDataVersionSync     = "DATA_VERSION_SYNC"
	TaskDataVersionActivate = "DATA_VERSION_ACTIVATE"
)

// Values of midonet_data_versions.sync_status (STARTED, COMPLETED, ERROR) and
// sync_tasks_status (all four).
const (
	StatusStarted   = "STARTED"
	StatusCompleted = "COMPLETED"
	StatusError     = "ERROR"
	StatusAborted   = "ABORTED"
)

// ErrReadOnly is what the API answers to POST, PUT and DELETE while the data is read-only.
var ErrReadOnly = fault.ServiceUnavailable("The Neutron API is in read-only mode for MidoNet data maintenance")

// Refused says a command's preconditions do not hold; nothing was changed.
type Refused struct{ Reason string }

func (e *Refused) Error() string { return e.Reason }

func refuse(format string, args ...any) error { return &Refused{Reason: fmt.Sprintf(format, args...)} }

// IsRefused reports whether err is a refusal.
func IsRefused(err error) bool {
	var r *Refused
	return errors.As(err, &r)
}

// timestamp is the time format of the task and state tables (journal.Append's).
const timestamp = "2006-01-02T15:04:05.000000Z"

func now() string { return time.Now().UTC().Format(timestamp) }

// State is what data-show prints.
type State struct {
	LastProcessedID *int64 // nil: NULL
	LastUpdated     string // midonet_task_state.updated_at; "" when NULL
	ActiveVersion   *int64 // nil: no version active
	ReadOnly        bool
}

// dataState is the locked midonet_data_state row.
type dataState struct {
	readOnly bool
	active   sql.NullInt64
}

// InitialVersion is the data version of what the cluster built from the task stream before
// any data-version-sync; migration 0002 records it as completed and active.
const InitialVersion = 1

// activeID is the active version as a task resource id; InitialVersion when active_version
// is NULL (only if someone cleared it by hand).
func (s dataState) activeID() string {
	if !s.active.Valid {
		return fmt.Sprint(InitialVersion)
	}
	return fmt.Sprint(s.active.Int64)
}

// readState reads the single midonet_data_state row; with lock on PostgreSQL or MySQL it is taken FOR
// UPDATE, which serialises every state change (and, through CheckWritable's FOR SHARE, API
// writes) on that row. SQLite has one writer anyway.
func readState(ctx context.Context, tx *db.Tx, lock bool) (dataState, error) {
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM midonet_data_state").Scan(&n); err != nil {
		return dataState{}, fmt.Errorf("read midonet_data_state: %w", err)
	}
	if n != 1 {
		return dataState{}, fmt.Errorf("invalid midonet_data_state: %d rows, expected exactly one (run db-manage upgrade head)", n)
	}
	q := "SELECT readonly, active_version FROM midonet_data_state WHERE id = 1"
	if lock {
		q += tx.ForUpdate()
	}
	var s dataState
	if err := tx.QueryRow(ctx, q).Scan(&s.readOnly, &s.active); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return s, errors.New("invalid midonet_data_state: the row has id other than 1")
		}
		return s, fmt.Errorf("read midonet_data_state: %w", err)
	}
	return s, nil
}

// lastProcessed reads midonet_task_state.last_processed_id (locked FOR UPDATE on PostgreSQL
// and MySQL when lock).
func lastProcessed(ctx context.Context, tx *db.Tx, lock bool) (sql.NullInt64, sql.NullString, error) {
	q := "SELECT last_processed_id, updated_at FROM midonet_task_state WHERE id = 1"
	if lock {
		q += tx.ForUpdate()
	}
	var last sql.NullInt64
	var updated sql.NullString
	err := tx.QueryRow(ctx, q).Scan(&last, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return last, updated, errors.New("invalid midonet_task_state: no row with id 1 (run db-manage upgrade head)")
	}
	if err != nil {
		return last, updated, fmt.Errorf("read midonet_task_state: %w", err)
	}
	return last, updated, nil
}

// processedBound is the greatest processed task id (0 when NULL: nothing processed).
func processedBound(last sql.NullInt64) int64 {
	if last.Valid {
		return last.Int64
	}
	return 0
}

// Show reads the global state (data-show).
func Show(ctx context.Context, d *db.DB) (State, error) {
	var out State
	err := d.Read(ctx, func(tx *db.Tx) error {
		out = State{}
		s, err := readState(ctx, tx, false)
		if err != nil {
			return err
		}
		last, updated, err := lastProcessed(ctx, tx, false)
		if err != nil {
			return err
		}
		if last.Valid {
			v := last.Int64
			out.LastProcessedID = &v
		}
		out.LastUpdated = updated.String
		if s.active.Valid {
			v := s.active.Int64
			out.ActiveVersion = &v
		}
		out.ReadOnly = s.readOnly
		return nil
	})
	return out, err
}

// ReadOnly reports whether the Neutron data is read-only (outside any transaction).
func ReadOnly(ctx context.Context, d *db.DB) (bool, error) {
	var ro bool
	err := d.Read(ctx, func(tx *db.Tx) error {
		s, err := readState(ctx, tx, false)
		ro = s.readOnly
		return err
	})
	return ro, err
}

// CheckWritable returns ErrReadOnly when the data is read-only. Call it inside the API's write
// transaction (db.Write), before anything is written: on PostgreSQL and MySQL the flag is
// read with a shared lock, so a concurrent data-readonly waits for this transaction and this transaction waits
// for a data-readonly in flight, and no task can be journaled once the switch has committed.
func CheckWritable(ctx context.Context, tx *db.Tx) error {
	q := "SELECT readonly FROM midonet_data_state WHERE id = 1"
	q += tx.ForShare()
	var ro bool
	err := tx.QueryRow(ctx, q).Scan(&ro)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // no state row: nothing ever made the data read-only
	}
	if err != nil {
		return fmt.Errorf("read midonet_data_state: %w", err)
	}
	if ro {
		return ErrReadOnly
	}
	return nil
}

// SetReadOnly makes the Neutron data read-only (data-readonly). It reports whether it already
// was.
func SetReadOnly(ctx context.Context, d *db.DB) (already bool, err error) {
	err = d.Write(ctx, func(tx *db.Tx) error {
		s, err := readState(ctx, tx, true)
		if err != nil {
			return err
		}
		already = s.readOnly
		_, err = tx.Exec(ctx, "UPDATE midonet_data_state SET readonly = ?, updated_at = ? WHERE id = 1", true, now())
		return err
	})
	return already, err
}

// runningVersion returns the first version whose sync_status or sync_tasks_status is STARTED.
func runningVersion(ctx context.Context, tx *db.Tx) (*Version, error) {
	vs, err := queryVersions(ctx, tx, " WHERE sync_status = ? OR sync_tasks_status = ? ORDER BY id LIMIT 1", StatusStarted, StatusStarted)
	if err != nil || len(vs) == 0 {
		return nil, err
	}
	return &vs[0], nil
}

// SetReadWrite makes the Neutron data writable again (data-readwrite). It is refused while a
// data version has sync_status or sync_tasks_status STARTED. On success every version other
// than the active one becomes stale, so it can no longer be activated; staled counts the
// versions that were not stale before.
func SetReadWrite(ctx context.Context, d *db.DB) (staled int64, err error) {
	err = d.Write(ctx, func(tx *db.Tx) error {
		staled = 0
		s, err := readState(ctx, tx, true)
		if err != nil {
			return err
		}
		if v, err := runningVersion(ctx, tx); err != nil {
			return err
		} else if v != nil {
			return refuse("cannot switch to read-write: data version %d is in progress (sync_status %s, sync_tasks_status %s); wait until the cluster has processed it (see data-version-list)",
				v.ID, orNone(v.SyncStatus), orNone(v.SyncTasksStatus))
		}
		if _, err := tx.Exec(ctx, "UPDATE midonet_data_state SET readonly = ?, updated_at = ? WHERE id = 1", false, now()); err != nil {
			return err
		}
		q := "UPDATE midonet_data_versions SET stale = ? WHERE stale = ?"
		args := []any{true, false}
		if s.active.Valid {
			q += " AND id <> ?"
			args = append(args, s.active.Int64)
		}
		res, err := tx.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		staled, _ = res.RowsAffected()
		return nil
	})
	return staled, err
}

func orNone(s string) string {
	if s == "" {
		return "None"
	}
	return s
}
