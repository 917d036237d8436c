package cluster

import (
	"context"
	"fmt"
	"strconv"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/nsdb"
)

// commitTask commits ops together with the last-task bookkeeping, guarded like apply.
func (c *Cluster) commitTask(ctx context.Context, ops []nsdb.Op, task int64) error {
	guards := c.guards(task)
	if task > 0 {
		ops = append(ops, nsdb.Op{Key: nsdb.LastTaskKey, Value: []byte(strconv.FormatInt(task, 10))})
	}
	ok, _, err := c.store.Txn(ctx, guards, ops)
	if err != nil {
		return fmt.Errorf("cluster: commit: %w", err)
	}
	if !ok {
		return errCommitRefused
	}
	if task > 0 {
		c.lastTask = task
		c.wake()
	}
	return nil
}

// StartVersion begins writing a new data version v (DATA_VERSION_SYNC): whatever a previous
// attempt left under v is cleared, and the following tasks fill it. The active version the
// agents read is untouched until ActivateVersion.
func (c *Cluster) StartVersion(ctx context.Context, v int64, task int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	kvs, _, err := c.store.List(ctx, nsdb.DataPrefix(v))
	if err != nil {
		return fmt.Errorf("cluster: clear version %d: %w", v, err)
	}
	var ops []nsdb.Op
	for _, kv := range kvs {
		ops = append(ops, nsdb.Op{Key: kv.Key, Delete: true})
	}
	if err := c.commitTask(ctx, ops, task); err != nil {
		return err
	}
	carried := c.world.All("config")
	c.version, c.world, c.owned, c.legacy = v, translate.NewWorld(), map[translate.Ref]sum{}, map[translate.Ref]objectSums{}
	// Global configuration (the DEFAULT tunnel zone) is not a Neutron resource the sync
	// recreates: carry it into the new version.
	var changes []Change
	for _, d := range carried {
		changes = append(changes, Change{Type: "CREATE", Collection: "config", ID: d["id"].(string), Doc: d})
	}
	return c.apply(ctx, changes, 0, nil)
}

// ActivateVersion makes v the version agents use (DATA_VERSION_ACTIVATE), also to roll back
// to an earlier version of the same read-only session.
func (c *Cluster) ActivateVersion(ctx context.Context, v int64, task int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	ops := []nsdb.Op{{Key: nsdb.ActiveVersionKey, Value: []byte(strconv.FormatInt(v, 10))}}
	if err := c.commitTask(ctx, ops, task); err != nil {
		return err
	}
	return c.loadVersion(ctx, v)
}
