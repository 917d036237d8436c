package dbmanage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/journal"
)

// Version is one row of midonet_data_versions ("" for NULL columns).
type Version struct {
	ID              int64
	SyncStartedAt   string
	SyncFinishedAt  string
	SyncStatus      string
	SyncTasksStatus string
	Stale           bool
}

func queryVersions(ctx context.Context, tx *db.Tx, rest string, args ...any) ([]Version, error) {
	rows, err := tx.Query(ctx, "SELECT id, sync_started_at, sync_finished_at, sync_status, sync_tasks_status, stale FROM midonet_data_versions"+rest, args...)
	if err != nil {
		return nil, fmt.Errorf("read midonet_data_versions: %w", err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var started, finished, status, tasks sql.NullString
		if err := rows.Scan(&v.ID, &started, &finished, &status, &tasks, &v.Stale); err != nil {
			return nil, err
		}
		v.SyncStartedAt, v.SyncFinishedAt, v.SyncStatus, v.SyncTasksStatus = started.String, finished.String, status.String, tasks.String
		out = append(out, v)
	}
	return out, rows.Err()
}

// ListVersions lists the data versions by id (data-version-list).
func ListVersions(ctx context.Context, d *db.DB) ([]Version, error) {
	var out []Version
	err := d.Read(ctx, func(tx *db.Tx) error {
		var err error
		out, err = queryVersions(ctx, tx, " ORDER BY id")
		return err
	})
	return out, err
}

// SyncKinds is the order in which data-version-sync writes the CREATE tasks: a resource comes
// after what it refers to where the references allow it (a router's gateway port and interface
// ports come after the router, which they name as device_id). Kinds found in the resources
// table but not listed here follow, by name.
var SyncKinds = []string{
	"networks",
	"subnetpools",
	"subnets",
	"security_groups",
	"security_group_rules",
	"routers",
	"ports",
	"floatingips",
}

// DefaultBatchSize is how many CREATE tasks data-version-sync writes per transaction.
const DefaultBatchSize = 1000

// SyncOptions tune Sync.
type SyncOptions struct {
	// BatchSize is the number of tasks per transaction (DefaultBatchSize when <= 0).
	BatchSize int
	// Progress, when set, is called with the number of resources written so far and the
	// total, once before the first batch and after every batch.
	Progress func(done, total int)
}

// SyncResult describes a sync, complete or not.
type SyncResult struct {
	Version       int64  // the data version created (0 if none was)
	TransactionID string // transaction_id of every task the sync wrote
	Resources     int    // CREATE tasks written
	Total         int    // resources to sync
	Status        string // final sync_tasks_status
	Activated     string // resource_id of the DATA_VERSION_ACTIVATE written ("" if none was)
}

// Sync runs data-version-sync: in read-only mode, with no sync running and no unprocessed
// task, it creates a data version, replaces the processed tasks by DATA_VERSION_SYNC, the
// last CONFIG task, one CREATE task per Neutron resource and DATA_VERSION_ACTIVATE, and
// marks the version's tasks COMPLETED (see the package documentation for the exact
// contract). When ctx is cancelled (SIGINT) the version's sync_tasks_status becomes ABORTED,
// on any other failure ERROR; its sync_status becomes ERROR, and a DATA_VERSION_ACTIVATE of
// the currently active version is written instead. The error is returned with the result.
func Sync(ctx context.Context, d *db.DB, o SyncOptions) (*SyncResult, error) {
	batch := o.BatchSize
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	res := &SyncResult{TransactionID: "req-" + uuid.NewString()}
	var kinds []string
	err := d.Write(ctx, func(tx *db.Tx) error {
		res.Version, res.Total, kinds = 0, 0, nil
		s, err := readState(ctx, tx, true)
		if err != nil {
			return err
		}
		if !s.readOnly {
			return refuse("data-version-sync is allowed only in read-only mode: run data-readonly first")
		}
		if v, err := runningVersion(ctx, tx); err != nil {
			return err
		} else if v != nil {
			return refuse("a data sync or activation is already in progress: data version %d has sync_status %s, sync_tasks_status %s",
				v.ID, orNone(v.SyncStatus), orNone(v.SyncTasksStatus))
		}
		last, _, err := lastProcessed(ctx, tx, true)
		if err != nil {
			return err
		}
		var pending int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM midonet_tasks WHERE id > ?", processedBound(last)).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			return refuse("there are %d unprocessed tasks (see task-list -u): wait until the cluster has processed them, since the sync deletes the task table", pending)
		}
		var cfg *Task
		err = scanTasks(ctx, tx, func(t Task) error { cfg = &t; return nil }, " WHERE data_type = ? AND id = (SELECT MAX(id) FROM midonet_tasks WHERE data_type = ?)", "CONFIG", "CONFIG")
		if err != nil {
			return err
		}
		if last.Valid {
			if _, err := tx.Exec(ctx, "DELETE FROM midonet_tasks WHERE id <= ?", last.Int64); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE midonet_task_state SET last_processed_id = NULL WHERE id = 1"); err != nil {
			return err
		}
		t := now()
		id, err := tx.InsertID(ctx, `INSERT INTO midonet_data_versions (sync_started_at, sync_status, sync_tasks_status, stale)
			VALUES (?, ?, ?, ?)`, t, StatusStarted, StatusStarted, false)
		if err != nil {
			return fmt.Errorf("create data version: %w", err)
		}
		res.Version = id
		rows := [][]any{taskRow(TaskDataVersionSync, "", versionID(res.Version), "", res.TransactionID, "{}", t)}
		if cfg != nil {
			rows = append(rows, taskRow(cfg.Type, cfg.DataType, cfg.ResourceID, cfg.TenantID, res.TransactionID, cfg.Data, t))
		}
		if err := insertTasks(ctx, tx, rows); err != nil {
			return err
		}
		if kinds, err = resourceKinds(ctx, tx); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT COUNT(*) FROM resources").Scan(&res.Total)
	})
	if err != nil {
		return res, err
	}
	res.Status = StatusStarted
	if o.Progress != nil {
		o.Progress(0, res.Total)
	}
	for _, kind := range kinds {
		after := ""
		for {
			if err := ctx.Err(); err != nil {
				return res, abandon(ctx, d, res, err)
			}
			var n int
			var lastID string
			err := d.Write(ctx, func(tx *db.Tx) error {
				n, lastID = 0, ""
				rows, err := tx.Query(ctx, "SELECT id, body FROM resources WHERE kind = ? AND id > ? ORDER BY id LIMIT ?", kind, after, batch)
				if err != nil {
					return fmt.Errorf("read %s: %w", kind, err)
				}
				dataType := dataTypeOf(tx.Kinds(), kind)
				t := now()
				var tasks [][]any
				for rows.Next() {
					var id string
					var body []byte
					if err := rows.Scan(&id, &body); err != nil {
						rows.Close()
						return err
					}
					data, tenant, err := taskData(body)
					if err != nil {
						rows.Close()
						return fmt.Errorf("%s %s: %w", kind, id, err)
					}
					tasks = append(tasks, taskRow(journal.Create, dataType, id, tenant, res.TransactionID, data, t))
					lastID = id
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
				n = len(tasks)
				return insertTasks(ctx, tx, tasks)
			})
			if err != nil {
				return res, abandon(ctx, d, res, err)
			}
			if n > 0 {
				res.Resources += n
				after = lastID
				if o.Progress != nil {
					o.Progress(res.Resources, max(res.Total, res.Resources))
				}
			}
			if n < batch {
				break
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return res, abandon(ctx, d, res, err)
	}
	err = d.Write(ctx, func(tx *db.Tx) error {
		if err := insertTasks(ctx, tx, [][]any{taskRow(TaskDataVersionActivate, "", versionID(res.Version), "", res.TransactionID, "{}", now())}); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "UPDATE midonet_data_versions SET sync_tasks_status = ? WHERE id = ?", StatusCompleted, res.Version)
		return err
	})
	if err != nil {
		return res, abandon(ctx, d, res, err)
	}
	res.Status = StatusCompleted
	res.Activated = versionID(res.Version)
	return res, nil
}

// abandon ends a sync that started but cannot finish: sync_tasks_status ABORTED when ctx was
// cancelled, ERROR otherwise, and a DATA_VERSION_ACTIVATE of the currently active version.
// The version's sync_status becomes ERROR here: the cluster never receives an activation of
// it, so nothing else would ever end it (and data-readwrite would stay refused).
func abandon(ctx context.Context, d *db.DB, res *SyncResult, cause error) error {
	status := StatusError
	if ctx.Err() != nil {
		status = StatusAborted
	}
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	var active string
	err := d.Write(bg, func(tx *db.Tx) error {
		s, err := readState(bg, tx, true)
		if err != nil {
			return err
		}
		active = s.activeID()
		if _, err := tx.Exec(bg, "UPDATE midonet_data_versions SET sync_status = ?, sync_tasks_status = ? WHERE id = ?", StatusError, status, res.Version); err != nil {
			return err
		}
		return insertTasks(bg, tx, [][]any{taskRow(TaskDataVersionActivate, "", active, "", res.TransactionID, "{}", now())})
	})
	what := "failed"
	if status == StatusAborted {
		what = "aborted"
		cause = fmt.Errorf("interrupted: %w", cause)
	}
	if err != nil {
		return fmt.Errorf("data version %d sync %s after %d of %d resources (%w), and recording it failed: %v; fix midonet_data_versions.sync_tasks_status by hand",
			res.Version, what, res.Resources, res.Total, cause, err)
	}
	res.Status = status
	res.Activated = active
	target := "data version " + active + " stays active"
	return fmt.Errorf("data version %d sync %s after %d of %d resources: %w; sync_tasks_status set to %s and DATA_VERSION_ACTIVATE queued (%s)",
		res.Version, what, res.Resources, res.Total, cause, status, target)
}

// Activate runs data-version-activate: in read-only mode, it asks the cluster to make version
// the active one (a rollback). Only a version synced in the current read-only session can be
// activated: not stale, with sync_status and sync_tasks_status COMPLETED, and not the active
// one; nothing else may be in progress. The version's sync_status becomes STARTED (the cluster
// sets it COMPLETED once it has switched) and a DATA_VERSION_ACTIVATE task is written.
func Activate(ctx context.Context, d *db.DB, version int64) error {
	return d.Write(ctx, func(tx *db.Tx) error {
		s, err := readState(ctx, tx, true)
		if err != nil {
			return err
		}
		if !s.readOnly {
			return refuse("data-version-activate is allowed only in read-only mode: run data-readonly first")
		}
		vs, err := queryVersions(ctx, tx, " WHERE id = ?", version)
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			return refuse("data version %d does not exist (see data-version-list)", version)
		}
		v := vs[0]
		if r, err := runningVersion(ctx, tx); err != nil {
			return err
		} else if r != nil {
			return refuse("a data sync or activation is already in progress: data version %d has sync_status %s, sync_tasks_status %s",
				r.ID, orNone(r.SyncStatus), orNone(r.SyncTasksStatus))
		}
		switch {
		case v.Stale:
			return refuse("data version %d is stale: only a version synced in the current read-only session can be activated", version)
		case v.SyncStatus != StatusCompleted || v.SyncTasksStatus != StatusCompleted:
			return refuse("data version %d cannot be activated: its sync did not complete (sync_status %s, sync_tasks_status %s)",
				version, orNone(v.SyncStatus), orNone(v.SyncTasksStatus))
		case s.active.Valid && s.active.Int64 == version:
			return refuse("data version %d is already active", version)
		}
		// The spec sets both statuses STARTED, writes the task, then sets the tasks status
		// COMPLETED; in one transaction that is the net effect below.
		if _, err := tx.Exec(ctx, "UPDATE midonet_data_versions SET sync_status = ?, sync_tasks_status = ? WHERE id = ?",
			StatusStarted, StatusCompleted, version); err != nil {
			return err
		}
		return insertTasks(ctx, tx, [][]any{taskRow(TaskDataVersionActivate, "", versionID(version), "", "req-"+uuid.NewString(), "{}", now())})
	})
}

func versionID(v int64) string { return strconv.FormatInt(v, 10) }

// resourceKinds lists the kinds of the resources table in sync order.
func resourceKinds(ctx context.Context, tx *db.Tx) ([]string, error) {
	rows, err := tx.Query(ctx, "SELECT DISTINCT kind FROM resources")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	present := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		present[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out, rest []string
	for _, k := range SyncKinds {
		if present[k] {
			out = append(out, k)
			delete(present, k)
		}
	}
	for k := range present {
		rest = append(rest, k)
	}
	sort.Strings(rest)
	return append(out, rest...), nil
}

func taskRow(typ, dataType, resourceID, tenantID, txnID, data, createdAt string) []any {
	return []any{typ, dataType, resourceID, tenantID, txnID, data, createdAt}
}

// insertTasks writes rows (taskRow values) with multi-row INSERTs, prepared as the API's
// journal prepares its own (journal.PrepareTaskIDs: the order lock on MySQL, a transaction
// id first on PostgreSQL), so the consumer never passes over them.
func insertTasks(ctx context.Context, tx *db.Tx, rows [][]any) error {
	if err := journal.PrepareTaskIDs(ctx, tx); err != nil {
		return fmt.Errorf("insert tasks: %w", err)
	}
	const perStatement = 1000 // 7000 parameters: under SQLite's, PostgreSQL's and MySQL's limits
	// A statement also stays under 4 MiB of task data: MySQL refuses a statement longer than
	// its max_allowed_packet (16 MiB by default on MariaDB, 64 MiB on MySQL 8), and a data
	// version's tasks carry whole documents.
	const bytesPerStatement = 4 << 20
	for len(rows) > 0 {
		n, size := 0, 0
		for n < len(rows) && n < perStatement && (n == 0 || size+taskSize(rows[n]) <= bytesPerStatement) {
			size += taskSize(rows[n])
			n++
		}
		var b strings.Builder
		b.WriteString("INSERT INTO midonet_tasks (type, data_type, resource_id, tenant_id, transaction_id, data, created_at) VALUES ")
		args := make([]any, 0, n*7)
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?,?,?,?,?,?,?)")
			args = append(args, r...)
		}
		if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert tasks: %w", err)
		}
		rows = rows[n:]
	}
	return nil
}

// taskSize is about the bytes a task row adds to an INSERT statement.
func taskSize(r []any) int {
	n := 64
	for _, v := range r {
		if s, ok := v.(string); ok {
			n += len(s)
		}
	}
	return n
}

// taskData turns a stored resource body into the data and tenant of its CREATE task, as
// plugin.Journal and journal.Append do: the document without secrets, tenant from tenant_id.
func taskData(body []byte) (data, tenant string, err error) {
	doc, err := db.DecodeDoc(body)
	if err != nil {
		return "", "", fmt.Errorf("decode stored body: %w", err)
	}
	tenant, _ = doc["tenant_id"].(string)
	b, err := json.Marshal(journal.Scrub(doc))
	if err != nil {
		return "", "", err
	}
	return string(b), tenant, nil
}

// dataTypeOf is the task data type of kind: the catalogue's, or for a kind it does not
// describe (rows an older or newer version left) the kind's name in MidoNet's spelling.
func dataTypeOf(k db.Kinds, kind string) string {
	if t := k.DataType(kind); t != "" {
		return t
	}
	return strings.ToUpper(strings.ReplaceAll(kind, "_", ""))
}
