package agent_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/agent"
	"github.com/midonet-go/midonet/internal/hosts"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/testutil/agenttest"
	"github.com/midonet-go/midonet/internal/testutil/nsdbtest"
	"github.com/midonet-go/midonet/internal/topology"
)

// TestCacheFollowsTheNSDB: an agent on a real embedded etcd loads the topology, follows every
// write by its watch, and answers many concurrent readers (Do, Status) while the writes come
// in — the cache has one owner, its loop; run under -race in CI.
func TestCacheFollowsTheNSDB(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, put := embeddedNSDB(ctx, t)
	put(&topology.Network{Meta: topology.Meta{ID: "net-0"}, Name: "before the agent"})
	a := agenttest.Run(ctx, t, store, agent.Options{HostID: "11111111-1111-4111-8111-111111111111", HostName: "h"})

	const writes = 50
	var readers sync.WaitGroup
	for range 8 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for range 100 {
				if err := a.Do(ctx, func(st *agent.State) { _ = len(st.Objects(topology.KindNetwork)) }); err != nil {
					t.Error(err)
					return
				}
				if _, err := a.Status(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := 1; i <= writes; i++ {
		put(&topology.Network{Meta: topology.Meta{ID: fmt.Sprintf("net-%d", i)}})
	}
	readers.Wait()

	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int
		if err := a.Do(ctx, func(st *agent.State) { n = len(st.Objects(topology.KindNetwork)) }); err != nil {
			t.Fatal(err)
		}
		if n == writes+1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent's cache holds %d networks, want %d", n, writes+1)
		}
		time.Sleep(20 * time.Millisecond)
	}
	st, err := a.Status(ctx)
	if err != nil || st.Objects != writes+1 || st.Version != 1 {
		t.Errorf("status %+v, %v; want %d objects of data version 1", st, err, writes+1)
	}
}

// TestPortsPluggedOnEvents: between resyncs (an hour apart here), a port bound to the
// agent's host is marked active as soon as its binding reaches the NSDB, a port bound
// elsewhere is not, and unbinding or deleting a port removes its mark.
func TestPortsPluggedOnEvents(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, put := embeddedNSDB(ctx, t)
	const host = "11111111-1111-4111-8111-111111111111"
	port := func(id, hostID string) *topology.Port {
		return &topology.Port{Meta: topology.Meta{ID: id}, HostID: hostID, InterfaceName: "tap" + id}
	}
	put(port("at-start", host)) // plugged by the session's first, full pass
	agenttest.Run(ctx, t, store, agent.Options{HostID: host, HostName: "h", Resync: time.Hour})

	active := func() map[string]bool {
		got, err := hosts.ActivePorts(ctx, store)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for id, act := range got {
			if act.HostID == host {
				out[id] = true
			}
		}
		return out
	}
	waitFor := func(step string, want ...string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			got := active()
			ok := len(got) == len(want)
			for _, id := range want {
				ok = ok && got[id]
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: active ports %v, want %v", step, got, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("at start", "at-start")
	put(port("here", host))
	put(port("elsewhere", "22222222-2222-4222-8222-222222222222"))
	put(port("unbound", ""))
	waitFor("bound here", "at-start", "here")
	put(port("here", "")) // unbound
	waitFor("unbound", "at-start")
	if _, _, err := store.Txn(ctx, nil, []nsdb.Op{{Key: nsdb.TopologyKey(1, topology.KindPort, "at-start"), Delete: true}}); err != nil {
		t.Fatal(err)
	}
	waitFor("deleted")
	put(port("elsewhere", host)) // moved here
	waitFor("moved here", "elsewhere")
}

// TestLazyKindsFollowTheNSDB: the agent `midonet serve` runs reads rules and chains from the
// NSDB when asked instead of keeping them; what Find, All and Status give still follows every
// write, the agent's answers as they were when it kept them.
func TestLazyKindsFollowTheNSDB(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store := nsdbtest.Open(ctx, t)
	write := func(ops []nsdb.Op, err error) {
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := store.Txn(ctx, nil, ops); err != nil {
			t.Fatal(err)
		}
	}
	const ruleID = "33333333-3333-4333-8333-333333333333"
	rule := func(action string) *topology.Rule {
		return &topology.Rule{Meta: topology.Meta{ID: ruleID}, ChainID: "chain-1", Type: "literal", Action: action}
	}
	write(nsdb.PutObjectOps(1, &topology.Chain{Meta: topology.Meta{ID: "chain-1"}, Name: "c"}))
	write(nsdb.PutObjectOps(1, rule("accept")))

	a := agenttest.Run(ctx, t, store, agent.Options{HostID: "11111111-1111-4111-8111-111111111111", HostName: "h"})
	describe := func() string {
		var out []string
		if err := a.Do(ctx, func(st *agent.State) {
			for _, o := range st.All() {
				s := topology.Key(o)
				if r, ok := o.(*topology.Rule); ok {
					s += ":" + r.Action
				}
				out = append(out, s)
			}
			for _, o := range st.Find(map[string]bool{ruleID: true}) {
				out = append(out, "found "+o.(*topology.Rule).Action)
			}
		}); err != nil {
			t.Fatal(err)
		}
		sort.Strings(out)
		st, err := a.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%v objects=%d", out, st.Objects)
	}
	waitFor := func(want string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			got := describe()
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the agent gives %s, want %s", got, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("[Chain/chain-1 Rule/" + ruleID + ":accept found accept] objects=2")
	write(nsdb.PutObjectOps(1, rule("drop")))
	waitFor("[Chain/chain-1 Rule/" + ruleID + ":drop found drop] objects=2")
	write(nsdb.DeleteObjectOps(1, rule("drop")), nil)
	waitFor("[Chain/chain-1] objects=1")
}

// embeddedNSDB opens a real embedded etcd for one test, and returns it with a function that
// writes an object into data version 1.
func embeddedNSDB(ctx context.Context, t *testing.T) (*nsdb.Store, func(topology.Object)) {
	t.Helper()
	store := nsdbtest.Open(ctx, t)
	return store, func(o topology.Object) {
		t.Helper()
		ops, err := nsdb.PutObjectOps(1, o)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := store.Txn(ctx, nil, ops); err != nil {
			t.Fatal(err)
		}
	}
}
