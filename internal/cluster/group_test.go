package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
)

// netN is network number i of a test, named name.
func netN(i int, name string, rev int) translate.Doc {
	return translate.Doc{"id": fmt.Sprintf("00000000-0000-4000-8000-%012d", i), "tenant_id": "t", "name": name,
		"admin_state_up": true, "provider:network_type": "midonet", "revision_number": rev}
}

// TestApplyGroupedSharesOneTransaction: calls that queue while an apply is in flight are
// applied together as one etcd transaction; a call whose change cannot be applied fails
// alone (here: too large for the NSDB) and the others of its group are applied.
func TestApplyGroupedSharesOneTransaction(t *testing.T) {
	for _, bad := range []int{-1, 5} {
		t.Run(fmt.Sprintf("bad=%d", bad), func(t *testing.T) { applyGrouped(t, bad) })
	}
}

// applyGrouped runs 8 calls queued together; call bad (-1: none) is too large.
func applyGrouped(t *testing.T, bad int) {
	e := newEnvWith(t, nsdb.EmbeddedOptions{MaxRequestBytes: 64 << 10})
	ctx := context.Background()
	var applies atomic.Int64
	e.c.ObserveApply(func(time.Duration) { applies.Add(1) })
	// Hold the cluster so that the calls queue behind the first.
	e.c.mu.Lock()
	const calls = 8
	errs := make([]error, calls)
	var wg sync.WaitGroup
	// waitFor waits until the group is led and n calls queue behind the leader.
	waitFor := func(n int) {
		for {
			e.c.group.mu.Lock()
			led, queued := e.c.group.leading, len(e.c.group.queue)
			e.c.group.mu.Unlock()
			if led && queued == n {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}
	for i := range calls {
		doc := netN(i, "net"+strconv.Itoa(i), 1)
		if i == bad {
			doc["name"] = strings.Repeat("x", 100<<10) // more than the NSDB takes in one request
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.c.ApplyGrouped(ctx, []Change{{Type: "CREATE", Collection: "networks", ID: doc["id"].(string), Doc: doc}})
		}()
		if i == 0 {
			// Call 0 leads: it took its own call and waits for the cluster; the others
			// queue behind it (so the bad call is never the leader's own).
			waitFor(0)
		}
	}
	waitFor(calls - 1)
	e.c.mu.Unlock()
	wg.Wait()
	for i, err := range errs {
		if (err != nil) != (i == bad) || (i == bad && !nsdb.IsTooLarge(err)) {
			t.Errorf("call %d: error %v", i, err)
		}
	}
	for i := range calls {
		got := e.object(t, topology.KindNetwork, netN(i, "", 0)["id"].(string))
		if (got != nil) != (i != bad) {
			t.Errorf("network %d in the NSDB: %v", i, got != nil)
		}
	}
	batches, grouped := e.c.GroupStats()
	if batches != 1 || grouped != calls-1 {
		t.Fatalf("%d combined applies of %d calls; want the %d queued calls combined once", batches, grouped, calls-1)
	}
	// The leader's own apply and the combined one; when that fails, each of the seven
	// alone instead (the bad one failing).
	want := int64(2)
	if bad >= 0 {
		want = calls - 1
	}
	if n := applies.Load(); n != want {
		t.Errorf("%d applies succeeded, want %d", n, want)
	}
}

// TestConsumerBatchesTransactions: Neutron transactions pending together reach the NSDB in
// fewer etcd transactions than there are Neutron transactions, in task order (the last
// update of a network wins), never split, with the journal position of the last task; a
// batch too large for one etcd transaction is applied transaction by transaction.
func TestConsumerBatchesTransactions(t *testing.T) {
	e := newEnvWith(t, nsdb.EmbeddedOptions{MaxRequestBytes: 64 << 10})
	ctx := context.Background()
	var applies atomic.Int64
	e.c.ObserveApply(func(time.Duration) { applies.Add(1) })
	// 30 transactions: creates of networks 1..10, then 20 renames of network 1, each its
	// own transaction; then 12 creates of networks with 8 KiB names (about 100 KiB in all,
	// over the 64 KiB the NSDB accepts in one request).
	var last int64
	for i := 1; i <= 10; i++ {
		last = insertTask(t, e.db, journal.Create, "networks", netN(i, "", 0)["id"].(string), "req-c"+strconv.Itoa(i), netN(i, "n", 1))
	}
	for r := 2; r <= 21; r++ {
		last = insertTask(t, e.db, journal.Update, "networks", netN(1, "", 0)["id"].(string), "req-u"+strconv.Itoa(r), netN(1, "rename"+strconv.Itoa(r), r))
	}
	con := &Consumer{Cluster: e.c, DB: e.db, Log: quiet}
	n, err := con.Drain(ctx)
	if err != nil || n != 30 {
		t.Fatalf("drain = %d, %v", n, err)
	}
	if got := applies.Load(); got >= 30 {
		t.Errorf("%d applies for 30 pending transactions: not batched", got)
	}
	if got := e.object(t, topology.KindNetwork, netN(1, "", 0)["id"].(string)).(*topology.Network); got.Name != "rename21" {
		t.Fatalf("network 1 is named %q, want rename21: tasks applied out of order", got.Name)
	}
	if e.c.LastTask() != last {
		t.Fatalf("last task %d, want %d", e.c.LastTask(), last)
	}
	big := strings.Repeat("x", 8<<10)
	for i := 11; i <= 22; i++ {
		last = insertTask(t, e.db, journal.Create, "networks", netN(i, "", 0)["id"].(string), "req-b"+strconv.Itoa(i), netN(i, big, 1))
	}
	if n, err := con.Drain(ctx); err != nil || n != 12 {
		t.Fatalf("drain of the large ones = %d, %v", n, err)
	}
	for i := 11; i <= 22; i++ {
		if e.object(t, topology.KindNetwork, netN(i, "", 0)["id"].(string)) == nil {
			t.Fatalf("network %d missing after the large batch", i)
		}
	}
	kv, err := e.store.Get(ctx, nsdb.LastTaskKey)
	if err != nil || kv == nil || string(kv.Value) != strconv.FormatInt(last, 10) {
		t.Fatalf("NSDB last task = %v, %v (want %d)", kv, err, last)
	}
}

// TestConsumerBatchRefusedWhenLastTaskMoved: a batch of Neutron transactions prepared by a
// cluster whose journal position is stale (another writer, such as the leader that took
// over, advanced /midonet/cluster/last_task since this cluster read it) is refused as one:
// its etcd transaction is guarded by the last task this cluster wrote (or by the key's
// absence, before any). Nothing of the batch reaches the NSDB, the cluster's memory is
// what it was, the Neutron database's last processed task does not move, and a drain
// again is refused again. Once the cluster reads the NSDB again (Load, as at a start), the
// consumer resumes after the other writer's position and applies the rest as one batch,
// each task once.
func TestConsumerBatchRefusedWhenLastTaskMoved(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ownTx int // Neutron transactions this cluster applies before the other writer
	}{
		{"guard on the key's absence", 0},
		{"guard on the last task written", 1},
	} {
		t.Run(tc.name, func(t *testing.T) { batchRefusedWhenLastTaskMoved(t, tc.ownTx) })
	}
}

func batchRefusedWhenLastTaskMoved(t *testing.T, ownTx int) {
	e := newEnv(t)
	ctx := context.Background()
	id := func(i int) string { return netN(i, "", 0)["id"].(string) }
	var applies atomic.Int64
	e.c.ObserveApply(func(time.Duration) { applies.Add(1) })
	con := &Consumer{Cluster: e.c, DB: e.db, Log: quiet}
	// Networks 1..ownTx: this cluster's own transactions, applied.
	for i := 1; i <= ownTx; i++ {
		insertTask(t, e.db, journal.Create, "networks", id(i), "req-own"+strconv.Itoa(i), netN(i, "own", 1))
	}
	if n, err := con.Drain(ctx); err != nil || n != ownTx {
		t.Fatalf("drain of this cluster's own tasks = %d, %v", n, err)
	}
	mine := e.c.LastTask()
	// Another writer loads the NSDB and applies the next transaction (network 10) with its
	// own consumer: the journal position moves beyond what this cluster last wrote.
	other := newCluster(t, e.store)
	if err := other.Load(ctx); err != nil {
		t.Fatal(err)
	}
	theirs := insertTask(t, e.db, journal.Create, "networks", id(10), "req-other", netN(10, "other", 1))
	if n, err := (&Consumer{Cluster: other, DB: e.db, Log: quiet}).Drain(ctx); err != nil || n != 1 {
		t.Fatalf("the other writer's drain = %d, %v", n, err)
	}
	// Three more Neutron transactions: networks 11..16 created two by two, the last one
	// also renaming network 10. With the other writer's task they are pending for this
	// cluster together: one batch of four transactions.
	for tx := range 3 {
		for j := range 2 {
			i := 11 + 2*tx + j
			insertTask(t, e.db, journal.Create, "networks", id(i), "req-b"+strconv.Itoa(tx), netN(i, "batch", 1))
		}
	}
	last := insertTask(t, e.db, journal.Update, "networks", id(10), "req-b2", netN(10, "renamed", 2))
	ids := []string{id(10)}
	for i := 11; i <= 16; i++ {
		ids = append(ids, id(i))
	}
	before := e.nsdbRevision(t)

	for attempt := 1; attempt <= 2; attempt++ {
		n, err := con.Drain(ctx)
		if !errors.Is(err, errCommitRefused) || n != 0 {
			t.Fatalf("drain %d on a stale journal position = %d, %v; want 0 and a refused commit", attempt, n, err)
		}
		if rev := e.nsdbRevision(t); rev != before {
			t.Fatalf("drain %d: the NSDB went from revision %d to %d: the refused batch wrote", attempt, before, rev)
		}
		if got := e.c.LastTask(); got != mine {
			t.Errorf("drain %d: the cluster's last task moved from %d to %d", attempt, mine, got)
		}
		for _, nid := range ids[1:] {
			if e.c.Neutron("networks", nid) != nil {
				t.Errorf("drain %d: the cluster keeps network %s of the refused batch", attempt, nid)
			}
		}
		if got := e.lastProcessed(t); got != theirs {
			t.Errorf("drain %d: midonet_task_state.last_processed_id = %d, want %d (the other writer's)", attempt, got, theirs)
		}
	}
	if got := applies.Load(); got != int64(ownTx) {
		t.Errorf("%d applies of this cluster succeeded, want its own %d", got, ownTx)
	}

	// Read again, the cluster is level with the NSDB: the rest is applied as one batch, after
	// the other writer's task, which is not applied a second time.
	if err := e.c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.c.LastTask(); got != theirs {
		t.Fatalf("reloaded last task %d, want the other writer's %d", got, theirs)
	}
	applies.Store(0)
	if n, err := con.Drain(ctx); err != nil || n != 7 {
		t.Fatalf("drain after the reload = %d, %v; want the 7 tasks after %d", n, err, theirs)
	}
	if applies.Load() != 1 {
		t.Errorf("%d applies for 3 pending transactions, want 1 (one batch)", applies.Load())
	}
	for _, nid := range ids {
		if e.object(t, topology.KindNetwork, nid) == nil {
			t.Errorf("network %s missing after the drain", nid)
		}
	}
	if got := e.object(t, topology.KindNetwork, id(10)).(*topology.Network); got.Name != "renamed" {
		t.Errorf("network 10 is named %q, want renamed", got.Name)
	}
	if got := e.lastProcessed(t); got != last {
		t.Errorf("midonet_task_state.last_processed_id = %d, want %d", got, last)
	}
	// The journal position only ever advanced: each writer's apply once, the refused ones
	// never.
	want := []int64{theirs, last}
	if ownTx > 0 {
		want = append([]int64{mine}, want...)
	}
	if got := e.lastTaskHistory(t); !slices.Equal(got, want) {
		t.Errorf("%s took the values %v, want %v", nsdb.LastTaskKey, got, want)
	}
	sameAsReloaded(t, e, ids)
}

// nsdbRevision is the NSDB's current revision: it moves with every write.
func (e *env) nsdbRevision(t *testing.T) int64 {
	t.Helper()
	resp, err := e.store.Client().Get(context.Background(), nsdb.LastTaskKey)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Header.Revision
}

// lastTaskHistory is every value /midonet/cluster/last_task took, oldest first, read back
// through etcd's history (the tests never compact it).
func (e *env) lastTaskHistory(t *testing.T) []int64 {
	t.Helper()
	ctx := context.Background()
	var out []int64
	for rev := int64(0); ; { // 0: the current revision
		resp, err := e.store.Client().Get(ctx, nsdb.LastTaskKey, clientv3.WithRev(rev))
		if err != nil {
			t.Fatalf("read %s at revision %d: %v", nsdb.LastTaskKey, rev, err)
		}
		if len(resp.Kvs) == 0 {
			break
		}
		kv := resp.Kvs[0]
		n, err := strconv.ParseInt(string(kv.Value), 10, 64)
		if err != nil {
			t.Fatalf("%s = %q at revision %d", nsdb.LastTaskKey, kv.Value, kv.ModRevision)
		}
		out = append(out, n)
		if rev = kv.ModRevision - 1; rev <= 0 {
			break
		}
	}
	slices.Reverse(out)
	return out
}

// lastProcessed is midonet_task_state.last_processed_id, the Neutron database's copy of
// the journal position.
func (e *env) lastProcessed(t *testing.T) int64 {
	t.Helper()
	ctx := context.Background()
	var n int64
	if err := e.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT last_processed_id FROM midonet_task_state WHERE id = 1").Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}
