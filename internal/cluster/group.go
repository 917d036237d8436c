package cluster

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/midonet-go/midonet/internal/nsdb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
)

// Group apply. Every apply is one etcd transaction, and each etcd transaction waits for a
// WAL fsync; the cluster applies one at a time (it is the topology's single writer). Calls
// of ApplyGrouped that arrive while an apply is in flight are therefore applied together
// next, as ONE apply: their changes in arrival order, one etcd transaction, one fsync —
// what applying them one after the other would have left, since each change sees the world
// the earlier ones made. If that combined apply fails (too large for one transaction, a
// refused guard), nothing of it was written and each call is applied alone, so every caller
// gets its own answer.

// maxGroupChanges bounds the changes of one combined apply, well inside etcd's operation
// and request-size limits for ordinary writes (a larger one falls back to one apply per call).
const maxGroupChanges = 256

// groupTimeout bounds a combined apply, which belongs to no single caller's context.
const groupTimeout = 30 * time.Second

type applyCall struct {
	ctx     context.Context
	changes []Change
	err     error
	done    chan struct{}
	lead    chan struct{} // closed when this call becomes the one that applies for the others
}

// applyGroup queues the calls of ApplyGrouped; one of them at a time leads.
type applyGroup struct {
	mu      sync.Mutex
	queue   []*applyCall
	leading bool
	// batches and calls count the combined applies and the calls they held (tests).
	batches, calls int64
}

// ApplyGrouped applies changes (no task journal position) as Apply does, sharing one etcd
// transaction with the calls that arrive meanwhile.
func (c *Cluster) ApplyGrouped(ctx context.Context, changes []Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if st := stagesOf(ctx); st != nil {
		stamp(&st.entered, time.Now())
	}
	g := &c.group
	me := &applyCall{ctx: ctx, changes: changes, done: make(chan struct{}), lead: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, me)
	lead := !g.leading
	if lead {
		g.leading = true
	}
	g.mu.Unlock()
	if !lead {
		select {
		case <-me.done:
			return me.err
		case <-me.lead:
		}
	}
	// Lead: apply what is queued (this call among it), then hand over to the first call
	// still waiting, so that no caller serves the others for longer than one batch.
	g.mu.Lock()
	n := 0
	total := 0
	for n < len(g.queue) && (n == 0 || total+len(g.queue[n].changes) <= maxGroupChanges) {
		total += len(g.queue[n].changes)
		n++
	}
	batch := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()
	c.applyBatch(batch)
	g.mu.Lock()
	if len(g.queue) > 0 {
		close(g.queue[0].lead)
	} else {
		g.leading = false
	}
	g.mu.Unlock()
	// This call was in the batch: the queue is FIFO and it was queued before leading.
	<-me.done
	return me.err
}

// applyBatch applies the calls together, or each alone when together failed.
func (c *Cluster) applyBatch(batch []*applyCall) {
	defer func() {
		for _, a := range batch {
			close(a.done)
		}
	}()
	live := batch[:0:0]
	for _, a := range batch {
		if err := a.ctx.Err(); err != nil {
			a.err = err
			continue
		}
		live = append(live, a)
	}
	if len(live) == 1 {
		live[0].err = c.Apply(live[0].ctx, live[0].changes, 0)
		return
	}
	if len(live) == 0 {
		return
	}
	var all []Change
	for _, a := range live {
		all = append(all, a.changes...)
	}
	var st Stages // the combined apply's steps, each call's once it succeeded
	ctx, cancel := context.WithTimeout(WithStages(context.WithoutCancel(live[0].ctx), &st), groupTimeout)
	err := c.Apply(ctx, all, 0)
	cancel()
	if err == nil {
		for _, a := range live {
			if s := stagesOf(a.ctx); s != nil {
				s.copyApply(&st)
			}
		}
	}
	c.group.mu.Lock()
	c.group.batches++
	c.group.calls += int64(len(live))
	c.group.mu.Unlock()
	if err == nil {
		return
	}
	if !tooBig(err) {
		c.log.Warn("combined apply failed; applying its calls one by one", "calls", len(live), "err", err)
	}
	for _, a := range live {
		a.err = c.Apply(a.ctx, a.changes, 0)
	}
}

// tooBig reports whether the NSDB refused a transaction for its size (bytes or operations):
// smaller ones may still go through.
func tooBig(err error) bool {
	return nsdb.IsTooLarge(err) || (err != nil && strings.Contains(err.Error(), rpctypes.ErrTooManyOps.Error()))
}

// GroupStats reports how many combined applies ran and how many calls they held.
func (c *Cluster) GroupStats() (batches, calls int64) {
	c.group.mu.Lock()
	defer c.group.mu.Unlock()
	return c.group.batches, c.group.calls
}
