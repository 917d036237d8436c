package dbmanage_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/dbmanage"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// backends runs fn on a fresh, migrated database of each engine.
func backends(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		d := openDB(t, "sqlite:///"+filepath.Join(t.TempDir(), "neutron.db"))
		fn(t, d)
	})
	t.Run("postgres", func(t *testing.T) {
		d := openDB(t, testenv.NewDatabase(t))
		fn(t, d)
	})
	t.Run("mariadb", func(t *testing.T) {
		d := openDB(t, testenv.NewMariaDBDatabase(t))
		fn(t, d)
	})
}

func openDB(t *testing.T, conn string) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, conn, "")
	if err != nil {
		t.Fatal(err)
	}
	d.Kinds = builtin.Catalog()
	t.Cleanup(func() { d.Close() })
	if _, err := d.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

func write(t *testing.T, d *db.DB, fn func(ctx context.Context, tx *db.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := d.Write(ctx, func(tx *db.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

func exec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	write(t, d, func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.Exec(ctx, q, args...)
		return err
	})
}

// journaled does what a plugin does for one write: the document change and its task, in one
// transaction.
func journaled(t *testing.T, d *db.DB, typ, kind string, doc db.Doc) {
	t.Helper()
	write(t, d, func(ctx context.Context, tx *db.Tx) error {
		var err error
		switch typ {
		case journal.Create:
			err = tx.Insert(ctx, kind, doc)
		case journal.Update:
			err = tx.Put(ctx, kind, doc)
		case journal.Delete:
			_, err = tx.Delete(ctx, kind, doc["id"].(string))
		}
		if err != nil {
			return err
		}
		data := doc
		if typ == journal.Delete {
			data = nil
		}
		tenant, _ := doc["tenant_id"].(string)
		if tx.Kinds().DataType(kind) == "" {
			// A kind the catalogue does not describe (another version's): its task as that
			// version wrote it.
			_, err := journal.Insert(ctx, tx, typ, strings.ToUpper(strings.ReplaceAll(kind, "_", "")), doc["id"].(string), tenant, "req-test", data)
			return err
		}
		return journal.Append(ctx, tx, typ, kind, doc["id"].(string), tenant, "req-test", data)
	})
}

func newDoc(fields ...any) db.Doc {
	d := db.Doc{"id": uuid.NewString(), "tenant_id": "p1", "project_id": "p1", "revision_number": 1}
	for i := 0; i+1 < len(fields); i += 2 {
		d[fields[i].(string)] = fields[i+1]
	}
	return d
}

func tasks(t *testing.T, d *db.DB) []dbmanage.Task {
	t.Helper()
	ts, err := dbmanage.ListTasks(context.Background(), d, false)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func maxTaskID(t *testing.T, d *db.DB) int64 {
	t.Helper()
	ts := tasks(t, d)
	if len(ts) == 0 {
		return 0
	}
	return ts[len(ts)-1].ID
}

func setProcessed(t *testing.T, d *db.DB, id int64) {
	t.Helper()
	exec(t, d, "UPDATE midonet_task_state SET last_processed_id = ?, updated_at = ? WHERE id = 1", id, "2024-01-02T03:04:05.000000Z")
}

func lastProcessed(t *testing.T, d *db.DB) *int64 {
	t.Helper()
	s, err := dbmanage.Show(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return s.LastProcessedID
}

func version(t *testing.T, d *db.DB, id int64) dbmanage.Version {
	t.Helper()
	vs, err := dbmanage.ListVersions(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.ID == id {
			return v
		}
	}
	t.Fatalf("no data version %d in %+v", id, vs)
	return dbmanage.Version{}
}

func activeVersion(t *testing.T, d *db.DB) *int64 {
	t.Helper()
	s, err := dbmanage.Show(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return s.ActiveVersion
}

func addVersion(t *testing.T, d *db.DB, status, tasksStatus string, stale bool) int64 {
	t.Helper()
	var id int64
	write(t, d, func(ctx context.Context, tx *db.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO midonet_data_versions (sync_started_at, sync_status, sync_tasks_status, stale)
			VALUES (?, ?, ?, ?)`, "2024-01-01T00:00:00.000000Z", status, tasksStatus, stale)
		return err
	})
	return id
}

// runCluster plays the cluster's part of the contract in the package documentation: it
// processes every unprocessed task and records the last id; DATA_VERSION_ACTIVATE x completes
// x and makes it active.
func runCluster(t *testing.T, d *db.DB) {
	t.Helper()
	write(t, d, func(ctx context.Context, tx *db.Tx) error {
		var last sql.NullInt64
		if err := tx.QueryRow(ctx, "SELECT last_processed_id FROM midonet_task_state WHERE id = 1").Scan(&last); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT id, type, resource_id FROM midonet_tasks WHERE id > ? ORDER BY id", last.Int64)
		if err != nil {
			return err
		}
		type task struct {
			id       int64
			typ, res string
		}
		var ts []task
		for rows.Next() {
			var k task
			if err := rows.Scan(&k.id, &k.typ, &k.res); err != nil {
				return err
			}
			ts = append(ts, k)
		}
		rows.Close()
		if len(ts) == 0 {
			return nil
		}
		now := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
		for _, k := range ts {
			if k.typ != dbmanage.TaskDataVersionActivate {
				continue
			}
			x, err := strconv.ParseInt(k.res, 10, 64)
			if err != nil {
				return fmt.Errorf("DATA_VERSION_ACTIVATE %d names no version: %q", k.id, k.res)
			}
			if _, err := tx.Exec(ctx, "UPDATE midonet_data_versions SET sync_status = ?, sync_finished_at = ? WHERE id = ?", dbmanage.StatusCompleted, now, x); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "UPDATE midonet_data_state SET active_version = ? WHERE id = 1", x); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, "UPDATE midonet_task_state SET last_processed_id = ?, updated_at = ? WHERE id = 1", ts[len(ts)-1].id, now)
		return err
	})
}

func mustJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad JSON %q: %v", s, err)
	}
	return m
}

func ids(ts []dbmanage.Task) []string {
	var out []string
	for _, t := range ts {
		out = append(out, fmt.Sprintf("%d:%s:%s:%s", t.ID, t.Type, t.DataType, t.ResourceID))
	}
	return out
}
