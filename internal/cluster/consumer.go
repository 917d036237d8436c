package cluster

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/resource"
)

// Data-version task types (written by `midonet db-manage data-version-sync/-activate`).
const (
	TaskDataVersionSync     = "DATA_VERSION_SYNC"
	TaskDataVersionActivate = "DATA_VERSION_ACTIVATE"
)

// Consumer applies the task journal to the NSDB in id order. The NSDB holds the
// authoritative last applied task (written in the same etcd transaction as the topology),
// and the Neutron database's midonet_task_state follows it, so a crash between the two
// loses nothing and applies nothing twice.
type Consumer struct {
	Cluster  *Cluster
	DB       *db.DB
	Interval time.Duration // poll period (default 500ms); Kick wakes it at once
	Log      *slog.Logger
	kick     chan struct{}
	kickOnce sync.Once
	reader   *journal.Reader // reads the journal without passing over a task still in flight
}

// kicks is the consumer's wake-up channel, made once whoever comes first.
func (t *Consumer) kicks() chan struct{} {
	t.kickOnce.Do(func() { t.kick = make(chan struct{}, 1) })
	return t.kick
}

// Kick asks the consumer to look for new tasks now.
// A kick before Run (writes the API takes while the cluster still loads) is kept for it.
func (t *Consumer) Kick() {
	select {
	case t.kicks() <- struct{}{}:
	default:
	}
}

// Run consumes until ctx ends.
func (t *Consumer) Run(ctx context.Context) error {
	kick := t.kicks()
	if t.Log == nil {
		t.Log = slog.Default()
	}
	iv := t.Interval
	if iv <= 0 {
		iv = 500 * time.Millisecond
	}
	tick := time.NewTicker(iv)
	defer tick.Stop()
	// A crash between the NSDB commit and the Neutron DB update leaves the DB one step
	// behind; bring it level at once instead of at the next task.
	if last := t.Cluster.LastTask(); last > 0 {
		_ = t.recordProcessed(ctx, last)
	}
	for {
		if _, err := t.Drain(ctx); err != nil && ctx.Err() == nil {
			t.Log.Error("task consumer", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-kick:
		}
	}
}

// Finish applies the journal up to task id upTo (and whatever else is pending on the way),
// for a server that stops: the tasks its API committed are applied before it closes the
// stores, even those of requests whose client did not wait for the apply. It returns
// ctx's error when ctx ends first; what is left is applied at the next start.
func (t *Consumer) Finish(ctx context.Context, upTo int64) error {
	if t.Log == nil {
		t.Log = slog.Default()
	}
	for t.Cluster.LastTask() < upTo {
		n, err := t.Drain(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			// A gap the reader waits to close (PostgreSQL): look again shortly.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	return nil
}

type taskRow struct {
	id                                int64
	typ, dataType, resID, tenant, txn string
	data                              string
}

// Drain applies every pending task and returns how many it applied.
func (t *Consumer) Drain(ctx context.Context) (int, error) {
	total := 0
	for {
		rows, err := t.pending(ctx, t.Cluster.LastTask(), 500)
		if err != nil {
			return total, err
		}
		if len(rows) == 0 {
			return total, nil
		}
		for len(rows) > 0 {
			// One Neutron transaction (same transaction_id, consecutive ids) is never split;
			// the transactions pending together are applied as one etcd transaction (one
			// WAL fsync for all of them), in id order, with the journal position of the last.
			n, groups := 0, 0
			for n < len(rows) {
				g := groupLen(rows[n:])
				if groups > 0 && (isVersionTask(rows[n]) || isVersionTask(rows[0]) || n+g > maxGroupChanges) {
					break
				}
				n += g
				groups++
			}
			if err := t.applyGroups(ctx, rows[:n], groups); err != nil {
				return total, err
			}
			total += n
			rows = rows[n:]
		}
	}
}

// groupLen is the length of the Neutron transaction rows starts with: the rows of one
// transaction_id with consecutive ids (a data-version task is a group of its own).
func groupLen(rows []taskRow) int {
	n := 1
	for n < len(rows) && rows[n].txn == rows[0].txn && rows[n].txn != "" && !isVersionTask(rows[n]) && !isVersionTask(rows[0]) {
		n++
	}
	return n
}

// applyGroups applies several Neutron transactions' tasks as one; if the NSDB refuses them
// as too large together (bytes or operations), it applies them transaction by transaction.
func (t *Consumer) applyGroups(ctx context.Context, rows []taskRow, groups int) error {
	err := t.applyGroup(ctx, rows)
	if err == nil || groups == 1 || !tooBig(err) {
		return err
	}
	for len(rows) > 0 {
		n := groupLen(rows)
		if err := t.applyGroup(ctx, rows[:n]); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

func isVersionTask(r taskRow) bool {
	return r.typ == TaskDataVersionSync || r.typ == TaskDataVersionActivate
}

func (t *Consumer) pending(ctx context.Context, after int64, limit int) ([]taskRow, error) {
	if t.reader == nil || t.reader.DB != t.DB {
		t.reader = &journal.Reader{DB: t.DB, Log: t.Log}
	}
	tasks, err := t.reader.Pending(ctx, after, limit)
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	out := make([]taskRow, len(tasks))
	for i, k := range tasks {
		out[i] = taskRow{id: k.ID, typ: k.Type, dataType: k.DataType, resID: k.ResourceID, tenant: k.TenantID, txn: k.TX, data: k.Data}
	}
	return out, nil
}

// dataTypePortBinding is networking-midonet's PORTBINDING task (internal/plugin/core).
const dataTypePortBinding = "PORTBINDING"

func (t *Consumer) applyGroup(ctx context.Context, rows []taskRow) error {
	last := rows[len(rows)-1].id
	if isVersionTask(rows[0]) {
		if err := t.versionTask(ctx, rows[0]); err != nil {
			return err
		}
	} else {
		var changes []Change
		for _, r := range rows {
			if r.dataType == dataTypePortBinding {
				continue // the port's own task carries the binding, which is what translation reads
			}
			res := t.Cluster.Catalog().ByDataType(r.dataType)
			if res == nil {
				t.Log.Warn("task of an unknown data type skipped", "id", r.id, "data_type", r.dataType)
				continue
			}
			ch := Change{Type: r.typ, Collection: res.Collection, ID: r.resID}
			if r.typ != journal.Delete {
				var d translate.Doc
				if err := decode([]byte(r.data), &d); err != nil {
					return fmt.Errorf("cluster: task %d: bad data: %w", r.id, err)
				}
				if err := t.withSecrets(ctx, res, r.resID, d); err != nil {
					return fmt.Errorf("cluster: task %d: %w", r.id, err)
				}
				ch.Doc = d
			}
			changes = append(changes, ch)
		}
		if err := t.Cluster.Apply(ctx, changes, last); err != nil {
			return fmt.Errorf("cluster: task %d: %w", rows[0].id, err)
		}
	}
	return t.recordProcessed(ctx, last)
}

// withSecrets fills in the secrets a task leaves out (a BGP peer's MD5 password) from the
// resource as the database holds it now: the backend needs them, the journal never keeps
// them. A resource deleted since is left as it is (its DELETE task follows).
func (t *Consumer) withSecrets(ctx context.Context, res *resource.Resource, id string, d translate.Doc) error {
	secrets := res.Secrets()
	if len(secrets) == 0 {
		return nil
	}
	return t.DB.Read(ctx, func(tx *db.Tx) error {
		cur, err := tx.Get(ctx, res.Collection, id)
		if err != nil || cur == nil {
			return err
		}
		for _, k := range secrets {
			if v, ok := cur[k]; ok {
				d[k] = v
			}
		}
		return nil
	})
}

// recordProcessed mirrors the last applied task into the Neutron database (best effort: the
// NSDB is authoritative and the next apply retries).
func (t *Consumer) recordProcessed(ctx context.Context, id int64) error {
	err := t.DB.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE midonet_task_state SET last_processed_id = ?, updated_at = ? WHERE id = 1", id, time.Now().UTC().Format(time.RFC3339))
		return err
	})
	if err != nil && ctx.Err() == nil {
		t.Log.Warn("could not record the last processed task in the Neutron database", "task", id, "err", err)
	}
	return nil
}

// versionTask starts (SYNC) or activates (ACTIVATE) a data version.
func (t *Consumer) versionTask(ctx context.Context, r taskRow) error {
	v, err := strconv.ParseInt(r.resID, 10, 64)
	if err != nil {
		return fmt.Errorf("cluster: task %d: bad data version %q", r.id, r.resID)
	}
	c := t.Cluster
	switch r.typ {
	case TaskDataVersionSync:
		if err := c.StartVersion(ctx, v, r.id); err != nil {
			return err
		}
	case TaskDataVersionActivate:
		status := "COMPLETED"
		if err := c.ActivateVersion(ctx, v, r.id); err != nil {
			status = "ERROR"
			t.Log.Error("data version activation failed", "version", v, "err", err)
		}
		err := t.DB.Write(ctx, func(tx *db.Tx) error {
			now := time.Now().UTC().Format(time.RFC3339)
			if _, err := tx.Exec(ctx, "UPDATE midonet_data_versions SET sync_status = ?, sync_finished_at = ? WHERE id = ?", status, now, v); err != nil {
				return err
			}
			if status == "COMPLETED" {
				_, err := tx.Exec(ctx, "UPDATE midonet_data_state SET active_version = ?, updated_at = ? WHERE id = 1", v, now)
				return err
			}
			return nil
		})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("cluster: record activation of version %d: %w", v, err)
		}
	}
	return nil
}
