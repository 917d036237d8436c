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
// WAL fsync; the cluster is the topology's single writer. Calls of ApplyGrouped that arrive
// while an apply is in flight are therefore applied together next, as ONE apply: their
// changes in arrival order, one etcd transaction, one fsync — what applying them one after
// the other would have left, since each change sees the world the earlier ones made. If
// that combined apply fails (too large for one transaction, a refused guard), nothing of it
// was written and each call is applied alone, so every caller gets its own answer.
//
// The applies are pipelined: while one's etcd transaction is in flight, the calls queued
// meanwhile are translated as the next apply (on the world the one in flight leaves), and
// its transaction is sent the moment the previous one is answered. Transactions are thus
// sent one at a time, in order (no later one can reach etcd first), and no write waits for
// a translation that could have run during the previous fsync. If the transaction in flight
// fails, the apply prepared on top of it is undone first, then its own, and each is applied
// again (the failed one call by call). The cluster's lock is held from the first prepare
// until the pipeline drains, at most maxPipelined applies in a row, so that the task
// consumer, a repair or a reader get their turn.

// maxGroupChanges bounds the changes of one combined apply, well inside etcd's operation
// and request-size limits for ordinary writes (a larger one falls back to one apply per call).
const maxGroupChanges = 256

// maxPipelined is how many applies may follow each other with the cluster's lock held (each
// translated while the previous one's transaction was in flight) before the pipeline
// drains and lets others take the lock.
const maxPipelined = 8

type applyCall struct {
	ctx     context.Context
	changes []Change
	err     error
	done    chan struct{}
	lead    chan struct{} // closed when this call becomes the one that applies for the others
	// flight is what the previous leader hands over with the lead: its apply, whose
	// transaction is in flight, and the cluster's lock, which it holds (nil: neither).
	flight *inFlight
}

// inFlight is an apply whose etcd transaction has been sent.
type inFlight struct {
	calls  []*applyCall
	p      *prepared
	st     *Stages    // the apply's steps, copied to each call's once committed
	result chan error // the transaction's outcome (buffered)
	run    int        // applies before it with the lock held in a row
}

// applyGroup queues the calls of ApplyGrouped; one of them at a time leads.
type applyGroup struct {
	mu      sync.Mutex
	queue   []*applyCall
	leading bool
	// batches and calls count the combined applies and the calls they held, pipelined the
	// applies translated while the previous one's transaction was in flight (tests).
	batches, calls, pipelined int64
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
	prev := me.flight
	g.mu.Unlock()
	c.leadBatch(batch, prev)
	// This call was in the batch: the queue is FIFO and it was queued before leading.
	<-me.done
	return me.err
}

// leadBatch prepares batch, settles the apply in flight before it (prev, with the lock
// held; nil: none), sends the batch's transaction, and either hands the lead over with it
// in flight or waits for it and releases the lock.
func (c *Cluster) leadBatch(batch []*applyCall, prev *inFlight) {
	if prev == nil {
		c.mu.Lock()
	}
	live := batch[:0:0]
	for _, a := range batch {
		if err := a.ctx.Err(); err != nil {
			a.err = err
			close(a.done)
			continue
		}
		live = append(live, a)
	}
	var cur *inFlight
	for {
		var perr error
		cur, perr = c.prepareBatch(live, prev)
		if prev != nil {
			err := <-prev.result
			if err != nil {
				// cur was translated on the world prev left: undo it first, then prev.
				if cur != nil {
					cur.p.undo()
				}
				prev.p.undo()
				c.settleAlone(prev.calls, err)
				prev = nil
				continue // prepare the batch again, on the world as committed
			}
			c.settle(prev)
			prev = nil
		}
		if perr != nil {
			c.settleAlone(live, perr)
			cur = nil
		}
		break
	}
	if cur == nil {
		c.mu.Unlock()
		c.handOver(nil)
		return
	}
	go func() { cur.result <- cur.p.send(cur.p.ctx) }() // send bounds it (commitTimeout)
	g := &c.group
	g.mu.Lock()
	if len(g.queue) > 0 && cur.run+1 < maxPipelined {
		// The next leader translates its batch while this transaction is in flight.
		g.queue[0].flight = cur
		close(g.queue[0].lead)
		g.mu.Unlock()
		return
	}
	g.mu.Unlock()
	if err := <-cur.result; err != nil {
		cur.p.undo()
		c.settleAlone(cur.calls, err)
	} else {
		c.settle(cur)
	}
	c.mu.Unlock()
	c.handOver(nil)
}

// handOver gives the lead to the first call waiting (with the apply in flight, if any), or
// ends the leading.
func (c *Cluster) handOver(f *inFlight) {
	g := &c.group
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.queue) > 0 {
		g.queue[0].flight = f
		close(g.queue[0].lead)
	} else {
		g.leading = false
	}
}

// prepareBatch prepares the live calls as one apply (nil, nil when there are none). prev is
// the apply in flight before it, if any.
func (c *Cluster) prepareBatch(live []*applyCall, prev *inFlight) (*inFlight, error) {
	if len(live) == 0 {
		return nil, nil
	}
	var all []Change
	for _, a := range live {
		all = append(all, a.changes...)
	}
	f := &inFlight{calls: live, st: &Stages{}, result: make(chan error, 1)}
	if prev != nil {
		f.run = prev.run + 1
		c.group.mu.Lock()
		c.group.pipelined++
		c.group.mu.Unlock()
	}
	ctx := WithStages(context.WithoutCancel(live[0].ctx), f.st)
	p, err := c.prepare(ctx, all, 0, nil)
	if err != nil {
		return nil, err
	}
	p.ctx = ctx
	f.p = p
	return f, nil
}

// settle records a committed apply and answers its calls. Call with c.mu held.
func (c *Cluster) settle(f *inFlight) {
	f.p.finish()
	if len(f.calls) > 1 {
		c.countCombined(len(f.calls))
	}
	for _, a := range f.calls {
		if s := stagesOf(a.ctx); s != nil {
			s.copyApply(f.st)
		}
		close(a.done)
	}
}

// settleAlone answers the calls of an apply that failed with err (nothing of it in the NSDB
// or in memory): a call alone gets err; calls combined are applied one by one, each getting
// its own answer. Call with c.mu held and nothing in flight.
func (c *Cluster) settleAlone(calls []*applyCall, err error) {
	if len(calls) == 1 {
		calls[0].err = err
		close(calls[0].done)
		return
	}
	c.countCombined(len(calls))
	if !tooBig(err) {
		c.log.Warn("combined apply failed; applying its calls one by one", "calls", len(calls), "err", err)
	}
	for _, a := range calls {
		a.err = c.apply(a.ctx, a.changes, 0, nil)
		close(a.done)
	}
}

func (c *Cluster) countCombined(calls int) {
	c.group.mu.Lock()
	c.group.batches++
	c.group.calls += int64(calls)
	c.group.mu.Unlock()
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

// groupStats is GroupStats and the count of pipelined applies (tests).
func (c *Cluster) groupStats() (batches, calls, pipelined int64) {
	c.group.mu.Lock()
	defer c.group.mu.Unlock()
	return c.group.batches, c.group.calls, c.group.pipelined
}

// PipelinedApplies is how many applies were translated while the previous one's etcd
// transaction was in flight.
func (c *Cluster) PipelinedApplies() int64 {
	_, _, n := c.groupStats()
	return n
}
