package cluster

import (
	"context"
	"encoding/json"
	"maps"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
)

// queueBehindLeader holds the cluster, starts call 0 (it leads and waits for the cluster),
// then calls 1..n-1 (they queue behind it), and releases the cluster: call 0's transaction
// is in flight while calls 1..n-1 are translated as the next apply. It returns each call's
// answer.
func queueBehindLeader(t *testing.T, c *Cluster, calls []Change) []error {
	t.Helper()
	ctx := context.Background()
	waitFor := func(n int) {
		for {
			c.group.mu.Lock()
			led, queued := c.group.leading, len(c.group.queue)
			c.group.mu.Unlock()
			if led && queued == n {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}
	c.mu.Lock()
	errs := make([]error, len(calls))
	var wg sync.WaitGroup
	for i, ch := range calls {
		wg.Go(func() { errs[i] = c.ApplyGrouped(ctx, []Change{ch}) })
		if i == 0 {
			waitFor(0)
		}
	}
	waitFor(len(calls) - 1)
	c.mu.Unlock()
	wg.Wait()
	return errs
}

// sameAsReloaded checks that what the cluster holds in memory (Neutron copies, one digest
// per owner) is exactly what a cluster loading the NSDB afresh reads: nothing applied in
// memory is missing from the NSDB, nothing undone is left in either.
func sameAsReloaded(t *testing.T, e *env, ids []string) {
	t.Helper()
	fresh := newCluster(t, e.store)
	if err := fresh.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.c.mu.Lock()
	owned := maps.Clone(e.c.owned)
	e.c.mu.Unlock()
	if !maps.Equal(owned, fresh.owned) {
		t.Errorf("the cluster's owners (%d) differ from the NSDB's (%d)", len(owned), len(fresh.owned))
	}
	for _, id := range ids {
		a, _ := json.Marshal(e.c.Neutron("networks", id))
		b, _ := json.Marshal(fresh.Neutron("networks", id))
		if string(a) != string(b) {
			t.Errorf("network %s: the cluster holds %s, the NSDB %s", id, a, b)
		}
	}
}

// TestApplyGroupedPipelinesInOrder: an apply is translated while the previous one's etcd
// transaction is in flight, and the transactions reach the NSDB in the order the applies
// were made: the updates of one network, racing from several callers, leave in the NSDB's
// history a copy whose revision only ever grows, and the NSDB ends holding what the
// cluster holds.
func TestApplyGroupedPipelinesInOrder(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := netN(0, "", 0)["id"].(string)
	if err := e.c.ApplyGrouped(ctx, []Change{{Type: "CREATE", Collection: "networks", ID: id, Doc: netN(0, "rev1", 1)}}); err != nil {
		t.Fatal(err)
	}
	// Deterministically: the leader's update in flight, the seven others translated meanwhile.
	var calls []Change
	for r := 2; r <= 9; r++ {
		calls = append(calls, Change{Type: "UPDATE", Collection: "networks", ID: id, Doc: netN(0, "rev"+strconv.Itoa(r), r)})
	}
	for i, err := range queueBehindLeader(t, e.c, calls) {
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if _, _, pipelined := e.c.groupStats(); pipelined == 0 {
		t.Fatal("no apply was translated while the previous transaction was in flight")
	}
	// Then racing callers: updates with growing revisions, and creates of other networks.
	var rev atomic.Int64
	rev.Store(9)
	var wg sync.WaitGroup
	ids := []string{id}
	var idsMu sync.Mutex
	for w := 1; w <= 8; w++ {
		wg.Go(func() {
			for k := range 25 {
				r := int(rev.Add(1))
				ch := Change{Type: "UPDATE", Collection: "networks", ID: id, Doc: netN(0, "rev"+strconv.Itoa(r), r)}
				if k%5 == 0 {
					n := netN(w*100+k, "other", 1)
					ch = Change{Type: "CREATE", Collection: "networks", ID: n["id"].(string), Doc: n}
					idsMu.Lock()
					ids = append(ids, ch.ID)
					idsMu.Unlock()
				}
				if err := e.c.ApplyGrouped(ctx, []Change{ch}); err != nil {
					t.Errorf("apply: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	// The history of the network's copy in the NSDB: every put carries a higher revision.
	key := nsdb.NeutronKey(e.c.Version(), "networks", id)
	cli := e.store.Client()
	cur, err := cli.Get(ctx, key)
	if err != nil || len(cur.Kvs) == 0 {
		t.Fatalf("read %s: %v", key, err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var revs []int
	for resp := range cli.Watch(wctx, key, clientv3.WithRev(1)) {
		if err := resp.Err(); err != nil {
			t.Fatal(err)
		}
		done := false
		for _, ev := range resp.Events {
			var d struct {
				Rev int `json:"revision_number"`
			}
			if err := json.Unmarshal(ev.Kv.Value, &d); err != nil {
				t.Fatal(err)
			}
			revs = append(revs, d.Rev)
			done = ev.Kv.ModRevision >= cur.Kvs[0].ModRevision
		}
		if done {
			break
		}
	}
	for i := 1; i < len(revs); i++ {
		if revs[i] <= revs[i-1] {
			t.Fatalf("the network's copy in the NSDB went from revision %d to %d: transactions out of order (%v)", revs[i-1], revs[i], revs)
		}
	}
	if last, want := revs[len(revs)-1], revision(e.c.Neutron("networks", id)); int64(last) != want {
		t.Errorf("the NSDB's copy ends at revision %d, the cluster's at %d", last, want)
	}
	got := e.object(t, topology.KindNetwork, id).(*topology.Network)
	want := e.c.Neutron("networks", id)["name"]
	if got.Name != want {
		t.Errorf("the NSDB's bridge is named %q, the cluster's copy %q", got.Name, want)
	}
	sameAsReloaded(t, e, ids)
}

// TestApplyGroupedUndoesWhatFollowsAFailure: when the transaction in flight fails, the apply
// translated on top of it is undone with it and made again on the world as committed; the
// failed call gets its error, the others are applied, and the NSDB and the cluster's memory
// agree (nothing of the failed call in either).
func TestApplyGroupedUndoesWhatFollowsAFailure(t *testing.T) {
	e := newEnvWith(t, nsdb.EmbeddedOptions{MaxRequestBytes: 64 << 10})
	var calls []Change
	var ids []string
	for i := range 8 {
		doc := netN(i, "net"+strconv.Itoa(i), 1)
		if i == 0 {
			doc["name"] = strings.Repeat("x", 100<<10) // more than the NSDB takes in one request
		}
		calls = append(calls, Change{Type: "CREATE", Collection: "networks", ID: doc["id"].(string), Doc: doc})
		ids = append(ids, doc["id"].(string))
	}
	errs := queueBehindLeader(t, e.c, calls)
	for i, err := range errs {
		if (err != nil) != (i == 0) || (i == 0 && !nsdb.IsTooLarge(err)) {
			t.Errorf("call %d: error %v", i, err)
		}
	}
	if _, _, pipelined := e.c.groupStats(); pipelined == 0 {
		t.Fatal("the seven calls were not translated while the first one's transaction was in flight")
	}
	for i, id := range ids {
		inNSDB := e.object(t, topology.KindNetwork, id) != nil
		inMemory := e.c.Neutron("networks", id) != nil
		if inNSDB != (i != 0) || inMemory != (i != 0) {
			t.Errorf("network %d: in the NSDB %v, in the cluster's copies %v", i, inNSDB, inMemory)
		}
	}
	sameAsReloaded(t, e, ids)
}
