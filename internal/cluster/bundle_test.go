package cluster

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/agent"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/testutil/agenttest"
	"github.com/midonet-go/midonet/internal/topology"
)

// editBundleOp returns the write that replaces owner's bundle in data version v with its
// objects edited: each "<Kind>/<id>" of edit is set to its JSON, or dropped when that is nil
// (a tampering behind the cluster's back).
func editBundleOp(ctx context.Context, t *testing.T, s *nsdb.Store, v int64, owner string, edit map[string][]byte) nsdb.Op {
	t.Helper()
	kv, err := s.Get(ctx, nsdb.OwnedKey(v, owner))
	if err != nil || kv == nil {
		t.Fatalf("bundle of %s: %v, %v", owner, kv, err)
	}
	b, err := nsdb.EditBundle(kv.Value, edit)
	if err != nil {
		t.Fatal(err)
	}
	return nsdb.Op{Key: kv.Key, Value: b}
}

// toLegacyLayout rewrites data version v in the layout before bundles: every object of every
// bundle under its own key, the bundles deleted.
func toLegacyLayout(ctx context.Context, t *testing.T, s *nsdb.Store, v int64) {
	t.Helper()
	var ops []nsdb.Op
	flush := func() {
		if len(ops) > 0 {
			if _, _, err := s.Txn(ctx, nil, ops); err != nil {
				t.Fatal(err)
			}
			ops = nil
		}
	}
	kvs, _, err := s.List(ctx, nsdb.OwnedPrefix(v))
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range kvs {
		bos, err := nsdb.DecodeBundle(kv.Value)
		if err != nil {
			t.Fatal(err)
		}
		for _, bo := range bos {
			ops = append(ops, nsdb.Op{Key: nsdb.TopologyKey(v, bo.Kind, bo.ID), Value: bo.JSON})
		}
		ops = append(ops, nsdb.Op{Key: kv.Key, Delete: true})
		if len(ops) > 1000 {
			flush()
		}
	}
	flush()
}

// layout counts the owners' bundles and the objects under their own keys that name an owner.
func layout(ctx context.Context, t *testing.T, s *nsdb.Store, v int64) (bundles, ownedKeys int) {
	t.Helper()
	kvs, _, err := s.List(ctx, nsdb.OwnedPrefix(v))
	if err != nil {
		t.Fatal(err)
	}
	bundles = len(kvs)
	kvs, _, err = s.List(ctx, nsdb.DataPrefix(v)+"topology/")
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range kvs {
		if ownerOf(kv.Value) != "" {
			ownedKeys++
		}
	}
	return bundles, ownedKeys
}

// everyObject is every object of version v as the NSDB's readers get it, "<Kind>/<id> <JSON>".
func everyObject(ctx context.Context, t *testing.T, s *nsdb.Store, v int64) []string {
	t.Helper()
	var out []string
	for _, k := range topology.Kinds {
		objs, err := s.Objects(ctx, v, k)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			b, _ := json.Marshal(o)
			out = append(out, topology.Key(o)+" "+string(b))
		}
	}
	sort.Strings(out)
	return out
}

// agentObjects is every object an agent running over s holds, as everyObject gives them.
func agentObjects(ctx context.Context, t *testing.T, a *agent.Agent) []string {
	t.Helper()
	var out []string
	if err := a.Do(ctx, func(st *agent.State) {
		for _, o := range st.All() {
			b, _ := json.Marshal(o)
			out = append(out, topology.Key(o)+" "+string(b))
		}
	}); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// TestUpgradeToBundles: a data version written in the layout before bundles (every owned
// object under its own key) verifies clean as it is, and the startup repair converts it, in
// batches: afterwards every owner's objects are in its bundle, none under its own key, the
// objects are exactly what they were, verify is clean, and an agent that ran through the
// conversion holds what it held before, as does one started after it.
func TestUpgradeToBundles(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e := withPorts(t)
	v := e.c.Version()
	want := everyObject(ctx, t, e.store, v)
	owners := len(e.c.Owners())
	if b, k := layout(ctx, t, e.store, v); b != owners || k != 0 {
		t.Fatalf("as written: %d bundles, %d owned objects under their own keys; want %d, 0", b, k, owners)
	}
	toLegacyLayout(ctx, t, e.store, v)
	if b, k := layout(ctx, t, e.store, v); b != 0 || k != len(want) {
		t.Fatalf("old layout: %d bundles, %d owned objects under their own keys; want 0, %d", b, k, len(want))
	}
	if got := everyObject(ctx, t, e.store, v); !slices.Equal(got, want) {
		t.Fatalf("old layout: %d objects, want %d", len(got), len(want))
	}
	running := agenttest.Run(ctx, t, e.store, agent.Options{HostID: "11111111-1111-4111-8111-111111111111", HostName: "h"})
	before := agentObjects(ctx, t, running)
	if len(before) != len(want) {
		t.Fatalf("the agent holds %d objects of the old layout, want %d", len(before), len(want))
	}

	c := newCluster(t, e.store)
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if d, err := c.Verify(ctx, e.db); err != nil || d.Total() != 0 {
		t.Fatalf("verify of the old layout: %+v, %v", differences(d), err)
	}
	defer func(n int) { startupBatch = n }(startupBatch)
	startupBatch = 100
	if _, skipped, err := c.StartupRepair(ctx, e.db); err != nil || len(skipped) != 0 {
		t.Fatalf("startup repair: %v, skipped %v", err, skipped)
	}
	if b, k := layout(ctx, t, e.store, v); b != owners || k != 0 {
		t.Fatalf("converted: %d bundles, %d owned objects under their own keys; want %d, 0", b, k, owners)
	}
	if got := everyObject(ctx, t, e.store, v); !slices.Equal(got, want) {
		t.Fatalf("converted: %d objects, want %d", len(got), len(want))
	}
	view := newCluster(t, e.store)
	if err := view.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if d, err := view.Verify(ctx, e.db); err != nil || d.Total() != 0 {
		t.Fatalf("verify of the converted store: %+v, %v", differences(d), err)
	}
	fresh := agentObjects(ctx, t, agenttest.Run(ctx, t, e.store, agent.Options{HostID: "11111111-1111-4111-8111-111111111111", HostName: "h"}))
	if !slices.Equal(fresh, before) {
		t.Errorf("an agent started after the conversion holds %d objects, want the %d it held before", len(fresh), len(before))
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := agentObjects(ctx, t, running)
		if slices.Equal(got, before) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent that ran through the conversion holds %d objects, want the %d it held before", len(got), len(before))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
