package dbmanage

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/journal"
)

// Task is one row of midonet_tasks.
type Task struct {
	ID            int64
	Type          string
	DataType      string
	ResourceID    string
	TenantID      string
	TransactionID string
	Data          string
	CreatedAt     string
}

const taskColumns = "id, type, data_type, resource_id, tenant_id, transaction_id, data, created_at"

func scanTasks(ctx context.Context, tx *db.Tx, fn func(Task) error, where string, args ...any) error {
	rows, err := tx.Query(ctx, "SELECT "+taskColumns+" FROM midonet_tasks"+where+" ORDER BY id", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var t Task
		if err := rows.Scan(&t.ID, &t.Type, &t.DataType, &t.ResourceID, &t.TenantID, &t.TransactionID, &t.Data, &t.CreatedAt); err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ListTasks lists the tasks in id order (task-list); unprocessed keeps those with an id above
// the last processed one (all of them when last_processed_id is NULL).
func ListTasks(ctx context.Context, d *db.DB, unprocessed bool) ([]Task, error) {
	var out []Task
	err := d.Read(ctx, func(tx *db.Tx) error {
		out = nil
		where, args := "", []any(nil)
		if unprocessed {
			last, _, err := lastProcessed(ctx, tx, false)
			if err != nil {
				return err
			}
			where, args = " WHERE id > ?", []any{processedBound(last)}
		}
		return scanTasks(ctx, tx, func(t Task) error { out = append(out, t); return nil }, where, args...)
	})
	return out, err
}

// CleanTasks deletes the processed tasks (id <= last_processed_id) and resets
// last_processed_id to NULL (task-clean). It returns how many tasks it deleted; with
// last_processed_id NULL there is nothing to delete.
func CleanTasks(ctx context.Context, d *db.DB) (deleted int64, err error) {
	err = d.Write(ctx, func(tx *db.Tx) error {
		deleted = 0
		last, _, err := lastProcessed(ctx, tx, true)
		if err != nil || !last.Valid {
			return err
		}
		res, err := tx.Exec(ctx, "DELETE FROM midonet_tasks WHERE id <= ?", last.Int64)
		if err != nil {
			return err
		}
		deleted, _ = res.RowsAffected()
		_, err = tx.Exec(ctx, "UPDATE midonet_task_state SET last_processed_id = NULL WHERE id = 1")
		return err
	})
	return deleted, err
}

// Resource is one resource as the tasks describe it.
type Resource struct {
	ID   string
	Data json.RawMessage // the data of its last CREATE or UPDATE task
}

// ResourceGroup is the surviving resources of one data type, in the order they were created.
type ResourceGroup struct {
	DataType  string
	Resources []Resource
}

// TaskResources replays the task table (task-resource): per data type a DELETE drops the
// resource, a CREATE or UPDATE replaces it. Only CREATE, UPDATE and DELETE count (not CONFIG
// nor the DATA_VERSION_* tasks). processedOnly replays only the processed tasks (none when
// last_processed_id is NULL). Best effort: the table may not hold the whole history. Groups
// come in SyncKinds order, then the other data types by name.
func TaskResources(ctx context.Context, d *db.DB, processedOnly bool) ([]ResourceGroup, error) {
	type group struct {
		pos  map[string]int // when the resource was (last) created
		data map[string]json.RawMessage
	}
	seq := 0
	var groups map[string]*group
	err := d.Read(ctx, func(tx *db.Tx) error {
		groups = map[string]*group{}
		seq = 0
		where, args := "", []any(nil)
		if processedOnly {
			last, _, err := lastProcessed(ctx, tx, false)
			if err != nil {
				return err
			}
			where, args = " WHERE id <= ?", []any{processedBound(last)}
		}
		return scanTasks(ctx, tx, func(t Task) error {
			if t.Type != journal.Create && t.Type != journal.Update && t.Type != journal.Delete {
				return nil
			}
			if t.DataType == "CONFIG" {
				return nil
			}
			g := groups[t.DataType]
			if g == nil {
				g = &group{pos: map[string]int{}, data: map[string]json.RawMessage{}}
				groups[t.DataType] = g
			}
			_, exists := g.data[t.ResourceID]
			if t.Type == journal.Delete {
				if exists {
					delete(g.data, t.ResourceID)
				}
				return nil
			}
			if !exists {
				seq++
				g.pos[t.ResourceID] = seq
			}
			g.data[t.ResourceID] = json.RawMessage(t.Data)
			return nil
		}, where, args...)
	})
	if err != nil {
		return nil, err
	}
	var types []string
	for dt := range groups {
		types = append(types, dt)
	}
	rank := map[string]int{}
	for i, k := range SyncKinds {
		rank[dataTypeOf(d.Kinds, k)] = i + 1
	}
	sort.Slice(types, func(i, j int) bool {
		ri, rj := rank[types[i]], rank[types[j]]
		if ri == 0 {
			ri = len(rank) + 1
		}
		if rj == 0 {
			rj = len(rank) + 1
		}
		if ri != rj {
			return ri < rj
		}
		return types[i] < types[j]
	})
	var out []ResourceGroup
	for _, dt := range types {
		g := groups[dt]
		rg := ResourceGroup{DataType: dt}
		for id, data := range g.data {
			rg.Resources = append(rg.Resources, Resource{ID: id, Data: data})
		}
		sort.Slice(rg.Resources, func(i, j int) bool { return g.pos[rg.Resources[i].ID] < g.pos[rg.Resources[j].ID] })
		if len(rg.Resources) > 0 {
			out = append(out, rg)
		}
	}
	return out, nil
}

// prettyJSON indents data with sorted keys (numbers kept exact); data that is not JSON is
// returned as it is.
func prettyJSON(data []byte) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return string(data)
	}
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return string(data)
	}
	return string(b)
}
