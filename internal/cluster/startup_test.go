package cluster

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
)

// TestStartupRepair: a server restarted over an NSDB that drifted (changed behind its back,
// or missing a write whose REST call a crash lost) repairs every difference Repair would,
// one batch of owners at a time, and an API write made between two batches is applied at
// once and kept.
func TestStartupRepair(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sg2 := "77777777-7777-4777-8777-777777777777"
	if err := e.db.Write(ctx, func(tx *db.Tx) error {
		if err := tx.Insert(ctx, "networks", netDoc(3)); err != nil {
			return err
		}
		return tx.Insert(ctx, "security_groups", map[string]any{"id": sgID, "tenant_id": "t", "name": "web", "revision_number": 1})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Repair(ctx, e.db); err != nil {
		t.Fatal(err)
	}
	// Behind the cluster's back: an owned object dropped, another corrupted, an owned stray
	// and an operator's object added; in the database a group the NSDB never got (the
	// crash between the commit and the REST call).
	v := e.c.Version()
	stray, _ := json.Marshal(&topology.Chain{Meta: topology.Meta{ID: "stray", Owner: "networks/" + netID}, Name: "x"})
	foreign, _ := json.Marshal(&topology.Chain{Meta: topology.Meta{ID: "operator"}, Name: "hand-made"})
	if _, _, err := e.store.Txn(ctx, nil, []nsdb.Op{
		editBundleOp(ctx, t, e.store, v, "networks/"+netID, map[string][]byte{"Network/" + netID: nil, "Chain/stray": stray}),
		editBundleOp(ctx, t, e.store, v, "security_groups/"+sgID, map[string][]byte{"Chain/" + topology.InChainID(sgID): []byte(`{"id":"` + topology.InChainID(sgID) + `","owner":"security_groups/` + sgID + `","name":"corrupt"}`)}),
		{Key: nsdb.TopologyKey(v, topology.KindChain, "operator"), Value: foreign},
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.Write(ctx, func(tx *db.Tx) error {
		return tx.Insert(ctx, "security_groups", map[string]any{"id": sg2, "tenant_id": "t", "name": "db", "revision_number": 1})
	}); err != nil {
		t.Fatal(err)
	}

	// The restart: a new cluster loads the NSDB, then repairs one owner per batch.
	c := newCluster(t, e.store)
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if d, _ := c.Verify(ctx, e.db); len(d.MissingResources) != 1 || len(d.MissingObjects) != 1 || len(d.StaleObjects) != 1 || len(d.ExtraObjects) != 1 {
		t.Fatalf("drift before the startup repair = %+v", d)
	}
	defer func(n int, f func()) { startupBatch, afterStartupBatch = n, f }(startupBatch, afterStartupBatch)
	startupBatch = 1
	batches, renamed := 0, false
	afterStartupBatch = func() {
		batches++
		if renamed {
			return
		}
		// An API write between two batches: committed, then applied by the cluster. It
		// must not wait for the repair to end (it would deadlock here if the lock were held).
		renamed = true
		doc := netDoc(4)
		doc["name"] = "renamed"
		if err := e.db.Write(ctx, func(tx *db.Tx) error { return tx.Put(ctx, "networks", doc) }); err != nil {
			t.Error(err)
			return
		}
		if err := c.Apply(ctx, []Change{{Type: "UPDATE", Collection: "networks", ID: netID, Doc: doc}}, 0); err != nil {
			t.Errorf("a write during the startup repair: %v", err)
		}
	}
	n, skipped, err := c.StartupRepair(ctx, e.db)
	if err != nil || len(skipped) != 0 {
		t.Fatalf("startup repair: %v, skipped %v", err, skipped)
	}
	// The missing group (a resource), then the network (bridge missing, stray) and the first
	// group (corrupt chain) as owners; the new group's objects came with its resource.
	if n < 3 {
		t.Errorf("startup repair fixed %d differences, want at least 3", n)
	}
	if batches < 3 {
		t.Errorf("%d batches for 3 owners of one each", batches)
	}
	if d, err := c.Verify(ctx, e.db); err != nil || d.Total() != 0 {
		t.Fatalf("drift after the startup repair: %+v (%v)", d, err)
	}
	if c.Neutron("networks", netID)["name"] != "renamed" {
		t.Error("the write made during the repair was lost")
	}
	if e.object(t, topology.KindChain, "operator") == nil {
		t.Error("the startup repair deleted an object it does not own")
	}
	if e.object(t, topology.KindChain, "stray") != nil {
		t.Error("the startup repair kept a stray owned object")
	}
	if e.object(t, topology.KindNetwork, netID) == nil {
		t.Error("the dropped bridge was not put back")
	}
	if !c.world.Has("security_groups", sg2) {
		t.Error("the group the NSDB never got is still missing")
	}
	if kv, _ := e.store.Get(ctx, nsdb.RepairKey); kv != nil {
		t.Errorf("repair mark left behind: %s", kv.Value)
	}

	// A second start over a clean NSDB repairs nothing.
	c2 := newCluster(t, e.store)
	if err := c2.Load(ctx); err != nil {
		t.Fatal(err)
	}
	afterStartupBatch = nil
	if n, _, err := c2.StartupRepair(ctx, e.db); err != nil || n != 0 {
		t.Errorf("second startup repair: %d differences (%v), want none", n, err)
	}
}
