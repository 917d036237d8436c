package cluster

import (
	"context"
	"fmt"
	"maps"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/topology"
)

// healedNetworks stores n networks in the database and heals them into the cluster.
func (e *env) healedNetworks(t testing.TB, n int) []translate.Doc {
	t.Helper()
	ctx := context.Background()
	docs := make([]translate.Doc, n)
	for i := range docs {
		docs[i] = translate.Doc{"id": fmt.Sprintf("11111111-1111-4111-8111-%012d", i), "tenant_id": "t", "name": fmt.Sprintf("net-%d", i),
			"admin_state_up": true, "provider:network_type": "midonet", "revision_number": 1, "mtu": 1500, "status": "ACTIVE",
			"description": "", "tags": []any{}, "created_at": "2026-12-07T08:00:00Z", "updated_at": "2026-12-07T08:00:00Z"}
	}
	err := e.db.Write(ctx, func(tx *db.Tx) error {
		for _, d := range docs {
			if err := tx.Insert(ctx, "networks", db.Doc(d)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _, err := e.c.Heal(ctx, e.db, true); err != nil || got != n {
		t.Fatalf("first heal = %d, %v; want %d missing networks", got, err, n)
	}
	return docs
}

// BenchmarkHealUnchanged: the periodic heal of 5,000 networks the cluster holds as the
// database does (what it allocates is what a heal at start-up holds, per resource).
func BenchmarkHealUnchanged(b *testing.B) {
	e := newEnv(b)
	e.healedNetworks(b, 5000)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if got, _, err := e.c.Heal(ctx, e.db, false); err != nil || got != 0 {
			b.Fatalf("heal = %d, %v", got, err)
		}
	}
}

// TestHealAcrossBatches: a heal compares the stored documents healBatch at a time; drift in
// the first, a middle and the last, partial batch is found and fixed, and nothing else is.
func TestHealAcrossBatches(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const n = 2*healBatch + 7
	docs := e.healedNetworks(t, n)
	// A name changed in the first batch, one in the middle one (the cluster not told), and
	// a network of the last batch gone from the database.
	renamed := []int{3, healBatch + 11}
	gone := docs[n-2]["id"].(string)
	err := e.db.Write(ctx, func(tx *db.Tx) error {
		for _, i := range renamed {
			d := maps.Clone(docs[i])
			d["name"], d["revision_number"] = "renamed", 2
			if err := tx.Put(ctx, "networks", db.Doc(d)); err != nil {
				return err
			}
		}
		_, err := tx.Delete(ctx, "networks", gone)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _, err := e.c.Heal(ctx, e.db, true); err != nil || got != 3 {
		t.Fatalf("heal = %d, %v; want 2 stale and 1 extra", got, err)
	}
	for _, i := range renamed {
		if name := e.c.world.Get("networks", docs[i]["id"].(string))["name"]; name != "renamed" {
			t.Errorf("network %d: the cluster's copy is named %v", i, name)
		}
	}
	if e.object(t, topology.KindNetwork, gone) != nil {
		t.Error("the deleted network stayed in the NSDB")
	}
	if got, _, _ := e.c.Heal(ctx, e.db, false); got != 0 {
		t.Fatalf("drift after the heal: %d", got)
	}
}
