// Package journal records each write's changes. With the task client the changes are rows of
// midonet_tasks appended inside the transaction of the Neutron change they describe (the
// outbox pattern), so no row changes without its task and no task exists without its change;
// the cluster consumes them in id order. With the REST client the same changes are collected
// for the API to send to the cluster after the commit.
package journal

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/midonet-go/midonet/internal/db"
)

// Task types.
const (
	Create = "CREATE"
	Update = "UPDATE"
	Delete = "DELETE"
)

// Change is one journaled change.
type Change struct {
	TaskID     int64 // the midonet_tasks id (0 when not written as a task)
	Type       string
	DataType   string
	Collection string
	ResourceID string
	TenantID   string
	Data       map[string]any // nil for deletes
	// Secrets are the top-level secrets Data leaves out (a BGP peer's password), for a
	// backend that is sent the change directly (the REST client); never written to a task.
	Secrets map[string]any
}

// Recorder collects the changes of one request. WriteTasks says whether they are also
// written to midonet_tasks (the task client).
type Recorder struct {
	WriteTasks bool
	mu         sync.Mutex
	changes    []Change
}

// Reset forgets what an aborted transaction attempt recorded.
func (r *Recorder) Reset() {
	r.mu.Lock()
	r.changes = nil
	r.mu.Unlock()
}

// Changes returns what was recorded.
func (r *Recorder) Changes() []Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Change(nil), r.changes...)
}

type recorderKey struct{}

// Attach makes the transaction record its changes in r.
func Attach(tx *db.Tx, r *Recorder) { tx.SetValue(recorderKey{}, r) }

func recorderOf(tx *db.Tx) *Recorder {
	r, _ := tx.Value(recorderKey{}).(*Recorder)
	return r
}

// secretKeys are never written to a task.
var secretKeys = []string{"password", "psk", "auth_key"}

// Append records one change: data is the resource as stored (nil for deletes). Without a
// recorder attached to tx the change is written as a task. On PostgreSQL and MySQL the task
// row is written at the end of the transaction (see deferred), so Change.TaskID is set once
// the transaction is about to commit.
func Append(ctx context.Context, tx *db.Tx, typ, collection, resourceID, tenantID, txnID string, data map[string]any) error {
	rec := recorderOf(tx)
	dataType := tx.Kinds().DataType(collection)
	if dataType == "" {
		return fmt.Errorf("journal: %s has no task data type in the catalogue", collection)
	}
	ch := Change{Type: typ, DataType: dataType, Collection: collection, ResourceID: resourceID, TenantID: tenantID, Data: scrub(data), Secrets: secretsOf(data)}
	write := rec == nil || rec.WriteTasks
	idx := -1
	if rec != nil {
		rec.mu.Lock()
		idx = len(rec.changes)
		rec.changes = append(rec.changes, ch)
		rec.mu.Unlock()
	}
	if !write {
		return nil
	}
	if tx.Dialect().Shared() {
		defer_(ctx, tx, pendingTask{ch: ch, txnID: txnID, rec: rec, idx: idx})
		return nil
	}
	id, err := insert(ctx, tx, ch, txnID)
	if err != nil {
		return err
	}
	if rec != nil {
		rec.mu.Lock()
		rec.changes[idx].TaskID = id
		rec.mu.Unlock()
	}
	return nil
}

// TaskOnly writes a task that only the task client carries (networking-midonet's
// PORTBINDING): written when tx writes tasks, never sent to the REST endpoint, which has no
// such resource.
func TaskOnly(ctx context.Context, tx *db.Tx, typ, dataType, resourceID, tenantID, txnID string, data map[string]any) error {
	if rec := recorderOf(tx); rec != nil && !rec.WriteTasks {
		return nil
	}
	ch := Change{Type: typ, DataType: dataType, ResourceID: resourceID, TenantID: tenantID, Data: scrub(data), Secrets: secretsOf(data)}
	if tx.Dialect().Shared() {
		defer_(ctx, tx, pendingTask{ch: ch, txnID: txnID, idx: -1})
		return nil
	}
	_, err := insert(ctx, tx, ch, txnID)
	return err
}

// Insert writes a task row of any type (db-manage's DATA_VERSION_* tasks included) now,
// after the tasks this transaction deferred, and returns its id.
func Insert(ctx context.Context, tx *db.Tx, typ, dataType, resourceID, tenantID, txnID string, data map[string]any) (int64, error) {
	if err := flush(ctx, tx); err != nil {
		return 0, err
	}
	return insert(ctx, tx, Change{Type: typ, DataType: dataType, ResourceID: resourceID, TenantID: tenantID, Data: scrub(data), Secrets: secretsOf(data)}, txnID)
}

// Deferred task rows. On PostgreSQL and MySQL, transactions of several API servers (and of
// one server's connections) journal side by side, and the consumer reads "id > last
// applied": a transaction must not commit a task id lower than one already committed. So
// ids are drawn under the task order lock (orderLock), held until the transaction ends. To
// hold it only for the commit rather than for the whole API write, the task rows wait in
// the transaction and are inserted, in the order they were appended, by a BeforeCommit
// hook: the lock is taken after every read, check and document write of the request. SQLite
// has a single writer and writes them at once.

type pendingTask struct {
	ch    Change
	txnID string
	rec   *Recorder // nil: no recorder to give the id to
	idx   int       // the change's index in rec
}

type pendingKey struct{}

type pendingTasks struct{ tasks []pendingTask }

func defer_(ctx context.Context, tx *db.Tx, p pendingTask) {
	ps, _ := tx.Value(pendingKey{}).(*pendingTasks)
	if ps == nil {
		ps = &pendingTasks{}
		tx.SetValue(pendingKey{}, ps)
		tx.BeforeCommit(func() error { return flush(ctx, tx) })
	}
	ps.tasks = append(ps.tasks, p)
}

// flush inserts the deferred task rows of tx, in order, under the task order lock.
func flush(ctx context.Context, tx *db.Tx) error {
	ps, _ := tx.Value(pendingKey{}).(*pendingTasks)
	if ps == nil || len(ps.tasks) == 0 {
		return nil
	}
	for len(ps.tasks) > 0 {
		p := ps.tasks[0]
		id, err := insert(ctx, tx, p.ch, p.txnID)
		if err != nil {
			return err
		}
		ps.tasks = ps.tasks[1:]
		if p.rec != nil {
			p.rec.mu.Lock()
			if p.idx < len(p.rec.changes) {
				p.rec.changes[p.idx].TaskID = id
			}
			p.rec.mu.Unlock()
		}
	}
	return nil
}

type orderedKey struct{}

// orderLock keeps task ids from reaching the consumer out of order when several
// transactions journal side by side (the consumer reads "id > last applied" and must never
// pass over a task that commits later with a lower id). SQLite has a single writer.
//
//   - MySQL/MariaDB: the first task row a transaction inserts locks the one row of
//     midonet_task_order (db.Tx.LockTaskOrder) until the transaction ends, so ids commit in
//     the order they were drawn. The rows are inserted at the end of the transaction (flush),
//     so the lock is held for the commit only. (Rows may still become visible a moment out
//     of order; the Reader reads past a gap with a locking read.)
//   - PostgreSQL: no lock. The transaction makes sure it has a transaction id before it draws
//     its first task id (pg_current_xact_id), and the Reader waits, at a gap in the ids, for
//     the transactions that were in progress when it read to end (see Reader).
func orderLock(ctx context.Context, tx *db.Tx) error {
	if !tx.Dialect().Shared() || tx.Value(orderedKey{}) != nil {
		return nil
	}
	if err := PrepareTaskIDs(ctx, tx); err != nil {
		return err
	}
	tx.SetValue(orderedKey{}, true)
	return nil
}

// PrepareTaskIDs is what a transaction does before it draws task ids from midonet_tasks on
// the shared engines (orderLock): db-manage's own task inserts call it too.
func PrepareTaskIDs(ctx context.Context, tx *db.Tx) error {
	switch tx.Dialect() {
	case db.Postgres:
		if _, err := tx.Exec(ctx, "SELECT pg_current_xact_id()"); err != nil {
			return fmt.Errorf("journal: transaction id: %w", err)
		}
	case db.MySQL:
		if err := tx.LockTaskOrder(ctx); err != nil {
			return fmt.Errorf("journal: order lock: %w", err)
		}
	}
	return nil
}

func insert(ctx context.Context, tx *db.Tx, ch Change, txnID string) (int64, error) {
	if err := orderLock(ctx, tx); err != nil {
		return 0, err
	}
	b := []byte("{}")
	if ch.Data != nil {
		var err error
		if b, err = json.Marshal(ch.Data); err != nil {
			return 0, fmt.Errorf("journal: encode %s %s: %w", ch.DataType, ch.ResourceID, err)
		}
	}
	q := `INSERT INTO midonet_tasks (type, data_type, resource_id, tenant_id, transaction_id, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
	args := []any{ch.Type, ch.DataType, ch.ResourceID, ch.TenantID, txnID, string(b), time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")}
	id, err := tx.InsertID(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("journal: append %s %s %s: %w", ch.Type, ch.DataType, ch.ResourceID, err)
	}
	return id, nil
}

// isSecret reports whether a key names a secret.
func isSecret(k string) bool {
	for _, s := range secretKeys {
		if strings.Contains(strings.ToLower(k), s) {
			return true
		}
	}
	return false
}

// secretsOf returns the top-level secrets of m, or nil.
func secretsOf(m map[string]any) map[string]any {
	var out map[string]any
	for k, v := range m {
		if isSecret(k) {
			if out == nil {
				out = map[string]any{}
			}
			out[k] = v
		}
	}
	return out
}

// Scrub returns a copy of m without secrets (passwords, pre-shared keys), at any depth: what
// every task's data is made of.
func Scrub(m map[string]any) map[string]any { return scrub(m) }

func scrub(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if isSecret(k) {
			continue
		}
		if sub, ok := v.(map[string]any); ok {
			v = scrub(sub)
		}
		out[k] = v
	}
	return out
}
