package cluster

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/cluster/translate"
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
