package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"github.com/midonet-go/midonet/internal/topology"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// testCatalog is the built-in catalogue the server runs with.
var testCatalog = builtin.Catalog()

// newCluster is New with the built-in catalogue and translators.
func newCluster(t testing.TB, store *nsdb.Store) *Cluster {
	t.Helper()
	c, err := New(store, testCatalog, builtin.Translators(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// env is a real embedded etcd and a real SQLite Neutron database.
type env struct {
	store *nsdb.Store
	db    *db.DB
	c     *Cluster
	dir   string
}

func newEnv(t testing.TB) *env { t.Helper(); return newEnvWith(t, nsdb.EmbeddedOptions{}) }

// newEnvWith is newEnv with the embedded etcd's options (its Dir and Logger are set here).
func newEnvWith(t testing.TB, o nsdb.EmbeddedOptions) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	o.Dir, o.Logger = filepath.Join(dir, "etcd"), quiet
	store, err := nsdb.OpenEmbedded(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	d, err := db.Open(ctx, "", dir)
	if d != nil {
		d.Kinds = testCatalog
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	c := newCluster(t, store)
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	return &env{store: store, db: d, c: c, dir: dir}
}

const (
	netID  = "11111111-1111-4111-8111-111111111111"
	subID  = "22222222-2222-4222-8222-222222222222"
	portID = "55555555-5555-4555-8555-555555555555"
	sgID   = "66666666-6666-4666-8666-666666666666"
)

func netDoc(rev int) translate.Doc {
	return translate.Doc{"id": netID, "tenant_id": "t", "name": "n", "admin_state_up": true, "provider:network_type": "midonet", "revision_number": rev}
}

func portDoc(rev int) translate.Doc {
	return translate.Doc{"id": portID, "network_id": netID, "tenant_id": "t", "device_owner": "compute:nova", "mac_address": "fa:16:3e:00:00:01",
		"fixed_ips": []any{map[string]any{"subnet_id": subID, "ip_address": "10.0.0.5"}}, "security_groups": []any{sgID},
		"port_security_enabled": true, "revision_number": rev}
}

func (e *env) object(t *testing.T, kind topology.Kind, id string) topology.Object {
	t.Helper()
	o, err := e.store.Object(context.Background(), e.c.Version(), kind, id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestApplyWritesTranslationAtomically(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	err := e.c.Apply(ctx, []Change{
		{Type: "CREATE", Collection: "networks", ID: netID, Doc: netDoc(1)},
		{Type: "CREATE", Collection: "subnets", ID: subID, Doc: translate.Doc{"id": subID, "network_id": netID, "cidr": "10.0.0.0/24", "ip_version": 4, "gateway_ip": "10.0.0.1"}},
		{Type: "CREATE", Collection: "security_groups", ID: sgID, Doc: translate.Doc{"id": sgID, "tenant_id": "t", "name": "default"}},
		{Type: "CREATE", Collection: "ports", ID: portID, Doc: portDoc(1)},
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := e.object(t, topology.KindNetwork, netID).(*topology.Network)
	if !ok || n.Name != "n" || n.Owner != "networks/"+netID || n.Revision != 1 {
		t.Fatalf("network = %+v", n)
	}
	p := e.object(t, topology.KindPort, portID).(*topology.Port)
	if p.InboundFilterID != topology.InChainID(portID) {
		t.Fatalf("port filters = %+v", p)
	}
	if e.object(t, topology.KindChain, topology.AntiSpoofChainID(portID)) == nil {
		t.Fatal("anti-spoof chain missing")
	}
	// An update re-translates: renaming the network rewrites the bridge with the new revision.
	d := netDoc(2)
	d["name"] = "renamed"
	if err := e.c.Apply(ctx, []Change{{Type: "UPDATE", Collection: "networks", ID: netID, Doc: d}}, 0); err != nil {
		t.Fatal(err)
	}
	if n := e.object(t, topology.KindNetwork, netID).(*topology.Network); n.Name != "renamed" || n.Revision != 2 {
		t.Fatalf("after update: %+v", n)
	}
	// A late update with an older revision is ignored.
	if err := e.c.Apply(ctx, []Change{{Type: "UPDATE", Collection: "networks", ID: netID, Doc: netDoc(1)}}, 0); err != nil {
		t.Fatal(err)
	}
	if n := e.object(t, topology.KindNetwork, netID).(*topology.Network); n.Name != "renamed" {
		t.Fatalf("stale update applied: %+v", n)
	}
	// Deleting the port removes everything it owned, and nothing else.
	if err := e.c.Apply(ctx, []Change{{Type: "DELETE", Collection: "ports", ID: portID}}, 0); err != nil {
		t.Fatal(err)
	}
	for _, k := range []struct {
		kind topology.Kind
		id   string
	}{{topology.KindPort, portID}, {topology.KindChain, topology.InChainID(portID)}, {topology.KindChain, topology.AntiSpoofChainID(portID)}} {
		if o := e.object(t, k.kind, k.id); o != nil {
			t.Errorf("%s %s survived the port delete", k.kind, k.id)
		}
	}
	if e.object(t, topology.KindNetwork, netID) == nil || e.object(t, topology.KindIPAddrGroup, sgID) == nil {
		t.Error("the port delete removed objects other resources own")
	}
}

func insertTask(t *testing.T, d *db.DB, typ, coll, id, txn string, data map[string]any) int64 {
	t.Helper()
	var taskID int64
	err := d.Write(context.Background(), func(tx *db.Tx) error {
		var err error
		taskID, err = journal.Insert(context.Background(), tx, typ, testCatalog.DataType(coll), id, "t", txn, data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return taskID
}

func TestConsumerAppliesTasksOnceInOrder(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	insertTask(t, e.db, journal.Create, "networks", netID, "req-1", netDoc(1))
	d2 := netDoc(2)
	d2["name"] = "second"
	insertTask(t, e.db, journal.Update, "networks", netID, "req-2", d2)
	last := insertTask(t, e.db, journal.Create, "security_groups", sgID, "req-2", translate.Doc{"id": sgID, "tenant_id": "t"})
	con := &Consumer{Cluster: e.c, DB: e.db, Log: quiet}
	n, err := con.Drain(ctx)
	if err != nil || n != 3 {
		t.Fatalf("drain = %d, %v", n, err)
	}
	if got := e.object(t, topology.KindNetwork, netID).(*topology.Network); got.Name != "second" {
		t.Fatalf("network name %q: tasks applied out of order", got.Name)
	}
	kv, err := e.store.Get(ctx, nsdb.LastTaskKey)
	if err != nil || kv == nil || string(kv.Value) != strconv.FormatInt(last, 10) {
		t.Fatalf("NSDB last task = %v, %v (want %d)", kv, err, last)
	}
	var dbLast int64
	if err := e.db.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT last_processed_id FROM midonet_task_state WHERE id = 1").Scan(&dbLast)
	}); err != nil || dbLast != last {
		t.Fatalf("Neutron DB last processed = %d, %v", dbLast, err)
	}
	if n, err := con.Drain(ctx); err != nil || n != 0 {
		t.Fatalf("second drain applied %d tasks (%v)", n, err)
	}
	// A restarted cluster resumes after the last task the NSDB recorded.
	c2 := newCluster(t, e.store)
	if err := c2.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if c2.LastTask() != last {
		t.Fatalf("reloaded last task %d, want %d", c2.LastTask(), last)
	}
	if c2.Neutron("networks", netID)["name"] != "second" {
		t.Fatal("reloaded world lost the network copy")
	}
}

func TestVerifyAndRepair(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// The Neutron DB holds a network and a port's group; the NSDB starts empty.
	if err := e.db.Write(ctx, func(tx *db.Tx) error {
		if err := tx.Insert(ctx, "networks", netDoc(3)); err != nil {
			return err
		}
		return tx.Insert(ctx, "security_groups", map[string]any{"id": sgID, "tenant_id": "t", "name": "web", "revision_number": 1})
	}); err != nil {
		t.Fatal(err)
	}
	d, err := e.c.Verify(ctx, e.db)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.MissingResources) != 2 {
		t.Fatalf("missing resources = %v", d.MissingResources)
	}
	if _, err := e.c.Repair(ctx, e.db); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.c.Verify(ctx, e.db); d.Total() != 0 {
		t.Fatalf("drift after repair: %+v", d)
	}
	// Tamper with the NSDB: drop an owned object, corrupt another, add an owned stray, and
	// add an object nobody owns (an operator's): repair must fix the first three only.
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
	d, _ = e.c.Verify(ctx, e.db)
	if len(d.MissingObjects) != 1 || len(d.StaleObjects) != 1 || len(d.ExtraObjects) != 1 {
		t.Fatalf("verify after tampering = %+v", d)
	}
	if _, err := e.c.Repair(ctx, e.db); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.c.Verify(ctx, e.db); d.Total() != 0 {
		t.Fatalf("drift after second repair: %+v", d)
	}
	if e.object(t, topology.KindChain, "operator") == nil {
		t.Fatal("repair deleted an object it does not own")
	}
	if e.object(t, topology.KindChain, "stray") != nil {
		t.Fatal("repair kept a stray owned object")
	}
	// A resource deleted from Neutron is removed from the NSDB.
	if err := e.db.Write(ctx, func(tx *db.Tx) error { _, err := tx.Delete(ctx, "networks", netID); return err }); err != nil {
		t.Fatal(err)
	}
	if d, _ := e.c.Verify(ctx, e.db); len(d.ExtraResources) != 1 {
		t.Fatalf("extra resources = %v", d.ExtraResources)
	}
	if _, err := e.c.Repair(ctx, e.db); err != nil {
		t.Fatal(err)
	}
	if e.object(t, topology.KindNetwork, netID) != nil {
		t.Fatal("the bridge of a deleted network survived repair")
	}
}

// TestVerifyPendingTasks: changes the consumer has not applied yet (their tasks are in the
// journal) are reported as pending, not as drift; a difference no task explains still is.
func TestVerifyPendingTasks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sg := map[string]any{"id": sgID, "tenant_id": "t", "name": "web", "revision_number": 1}
	// A network created and journaled (the task client's write), not applied yet; a
	// security group in the database with no task (drift).
	if err := e.db.Write(ctx, func(tx *db.Tx) error {
		if err := tx.Insert(ctx, "networks", netDoc(1)); err != nil {
			return err
		}
		if _, err := journal.Insert(ctx, tx, journal.Create, testCatalog.DataType("networks"), netID, "t", "req-1", netDoc(1)); err != nil {
			return err
		}
		return tx.Insert(ctx, "security_groups", sg)
	}); err != nil {
		t.Fatal(err)
	}
	d, err := e.c.Verify(ctx, e.db)
	if err != nil {
		t.Fatal(err)
	}
	if d.PendingTasks != 1 || strings.Join(d.PendingResources, ",") != "networks/"+netID ||
		strings.Join(d.MissingResources, ",") != "security_groups/"+sgID || d.Total() != 1 {
		t.Fatalf("verify with a pending task = %+v; want the network pending (1 task) and the group missing, total 1", d)
	}
	con := &Consumer{Cluster: e.c, DB: e.db, Log: quiet}
	if _, err := con.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	d, err = e.c.Verify(ctx, e.db)
	if err != nil {
		t.Fatal(err)
	}
	if d.PendingTasks != 0 || len(d.PendingResources) != 0 || strings.Join(d.MissingResources, ",") != "security_groups/"+sgID {
		t.Fatalf("verify after the drain = %+v; want nothing pending and the group still missing", d)
	}
}

// TestVerifySaysARepairRuns: while a repair runs (its mark in the NSDB), verify says so;
// a finished repair leaves no mark.
func TestVerifySaysARepairRuns(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.c.Repair(ctx, e.db); err != nil {
		t.Fatal(err)
	}
	if d, err := e.c.Verify(ctx, e.db); err != nil || d.RepairRunning != "" {
		t.Fatalf("after a finished repair: %+v, %v; want no repair running", d, err)
	}
	if _, _, err := e.store.Txn(ctx, nil, []nsdb.Op{{Key: nsdb.RepairKey, Value: []byte("since 2026-12-04T10:00:00Z, pid 42")}}); err != nil {
		t.Fatal(err)
	}
	if d, err := e.c.Verify(ctx, e.db); err != nil || d.RepairRunning != "since 2026-12-04T10:00:00Z, pid 42" {
		t.Fatalf("with a repair running: %+v, %v", d, err)
	}
}

// TestLateUpdateAfterDelete: with the REST client an update and a delete of one resource
// commit in that order but their calls may reach the cluster the other way round; the late
// update must not bring the deleted resource back (a repair's forced change still may, and a
// task — applied in commit order — is never taken for a late call).
func TestLateUpdateAfterDelete(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.c.ApplyGrouped(ctx, []Change{{Type: "CREATE", Collection: "networks", ID: netID, Doc: netDoc(1)}}); err != nil {
		t.Fatal(err)
	}
	if err := e.c.ApplyGrouped(ctx, []Change{{Type: "DELETE", Collection: "networks", ID: netID}}); err != nil {
		t.Fatal(err)
	}
	if err := e.c.ApplyGrouped(ctx, []Change{{Type: "UPDATE", Collection: "networks", ID: netID, Doc: netDoc(2)}}); err != nil {
		t.Fatal(err)
	}
	if e.c.Neutron("networks", netID) != nil || e.object(t, topology.KindNetwork, netID) != nil {
		t.Fatal("an update arriving after the delete brought the network back")
	}
	// The same when both calls are applied together (a combined apply), the delete first.
	const other = "77777777-7777-4777-8777-777777777777"
	doc := func(rev int) translate.Doc { d := netDoc(rev); d["id"] = other; return d }
	if err := e.c.ApplyGrouped(ctx, []Change{{Type: "CREATE", Collection: "networks", ID: other, Doc: doc(1)}}); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Apply(ctx, []Change{{Type: "DELETE", Collection: "networks", ID: other}, {Type: "UPDATE", Collection: "networks", ID: other, Doc: doc(2)}}, 0); err != nil {
		t.Fatal(err)
	}
	if e.c.Neutron("networks", other) != nil || e.object(t, topology.KindNetwork, other) != nil {
		t.Fatal("an update after the delete in one combined apply brought the network back")
	}
	if err := e.c.Apply(ctx, []Change{{Type: "UPDATE", Collection: "networks", ID: netID, Doc: netDoc(2), Force: true}}, 0); err != nil {
		t.Fatal(err)
	}
	if e.object(t, topology.KindNetwork, netID) == nil {
		t.Fatal("a forced change (repair) of a deleted resource was ignored")
	}
}

// TestHealReadsAgainBeforeApplying: a heal compares documents it read without the cluster's
// lock; what it applies is read again under it, so a resource deleted (its delete applied)
// after the heal's read is not brought back, and one changed since is applied as it is now.
func TestHealReadsAgainBeforeApplying(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// The network is in neither store now; the heal's earlier read still had it.
	stale := []Change{{Type: "UPDATE", Collection: "networks", ID: netID, Doc: netDoc(1), Force: true}}
	if err := e.c.applyConfirmed(ctx, e.db, stale); err != nil {
		t.Fatal(err)
	}
	if e.c.Neutron("networks", netID) != nil {
		t.Fatal("the heal brought back a network the database no longer has")
	}
	// Now in the database at revision 3: applied as read now, not as the heal saw it.
	if err := e.db.Write(ctx, func(tx *db.Tx) error { return tx.Insert(ctx, "networks", netDoc(3)) }); err != nil {
		t.Fatal(err)
	}
	if err := e.c.applyConfirmed(ctx, e.db, stale); err != nil {
		t.Fatal(err)
	}
	if got := revision(e.c.Neutron("networks", netID)); got != 3 {
		t.Fatalf("the heal applied revision %d, want the database's 3", got)
	}
}

func TestRESTRoundTrip(t *testing.T) {
	e := newEnv(t)
	srv := httptest.NewServer(&RESTServer{Cluster: e.c, Username: "admin", Password: "pw"})
	defer srv.Close()
	ctx := context.Background()
	bad := &RESTClient{Catalog: testCatalog, BaseURL: srv.URL + "/midonet-api", Username: "admin", Password: "wrong"}
	if err := bad.Send(ctx, []Change{{Type: "CREATE", Collection: "networks", ID: netID, Doc: netDoc(1)}}); err == nil {
		t.Fatal("a bad password was accepted")
	}
	cl := &RESTClient{Catalog: testCatalog, BaseURL: srv.URL + "/midonet-api", Username: "admin", Password: "pw"}
	if err := cl.Send(ctx, []Change{{Type: "CREATE", Collection: "networks", ID: netID, Doc: netDoc(1)}}); err != nil {
		t.Fatal(err)
	}
	if e.object(t, topology.KindNetwork, netID) == nil {
		t.Fatal("REST create did not reach the NSDB")
	}
	if err := cl.Send(ctx, []Change{{Type: "DELETE", Collection: "networks", ID: netID}}); err != nil {
		t.Fatal(err)
	}
	if e.object(t, topology.KindNetwork, netID) != nil {
		t.Fatal("REST delete did not reach the NSDB")
	}
}

func TestHealFindsAndFixesResourceDrift(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.db.Write(ctx, func(tx *db.Tx) error { return tx.Insert(ctx, "networks", netDoc(2)) }); err != nil {
		t.Fatal(err)
	}
	if n, _, err := e.c.Heal(ctx, e.db, false); err != nil || n != 1 {
		t.Fatalf("heal (check only) = %d, %v; want 1 missing resource", n, err)
	}
	if e.object(t, topology.KindNetwork, netID) != nil {
		t.Fatal("a check-only heal changed the NSDB")
	}
	if n, _, err := e.c.Heal(ctx, e.db, true); err != nil || n != 1 {
		t.Fatalf("heal = %d, %v", n, err)
	}
	if e.object(t, topology.KindNetwork, netID) == nil {
		t.Fatal("heal did not apply the missing network")
	}
	if n, _, _ := e.c.Heal(ctx, e.db, false); n != 0 {
		t.Fatalf("drift after heal: %d", n)
	}
	if err := e.db.Write(ctx, func(tx *db.Tx) error { _, err := tx.Delete(ctx, "networks", netID); return err }); err != nil {
		t.Fatal(err)
	}
	if n, _, err := e.c.Heal(ctx, e.db, true); err != nil || n != 1 || e.object(t, topology.KindNetwork, netID) != nil {
		t.Fatalf("heal of a deleted network = %d, %v", n, err)
	}
}

// TestDeposedLeaderCannotWrite: once the leadership key is gone (the lease ended and a
// standby took over), every write of the old leader is refused and leaves no trace.
func TestDeposedLeaderCannotWrite(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	lead, err := e.store.Campaign(ctx, "cluster-test", "a", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	e.c.SetLeader(lead.Guard())
	if err := e.c.Apply(ctx, []Change{{Type: "CREATE", Collection: "networks", ID: netID, Doc: netDoc(1)}}, 1); err != nil {
		t.Fatalf("the leader's write failed: %v", err)
	}
	if err := lead.Resign(ctx); err != nil {
		t.Fatal(err)
	}
	err = e.c.Apply(ctx, []Change{{Type: "DELETE", Collection: "networks", ID: netID}}, 2)
	if !errors.Is(err, errCommitRefused) {
		t.Fatalf("write after losing leadership: err = %v, want a refused commit", err)
	}
	if e.object(t, topology.KindNetwork, netID) == nil {
		t.Fatal("the deposed leader's delete reached the NSDB")
	}
	if kv, err := e.store.Get(ctx, nsdb.LastTaskKey); err != nil || string(kv.Value) != "1" {
		t.Fatalf("last task moved after the refused commit: %v %v", kv, err)
	}
}

// TestRepairSkipsWhatTheNSDBRefuses: a resource too large for the NSDB's request limit
// (planted in the Neutron database behind the API's limits) is skipped and reported by
// Repair and Heal, and everything else is applied all the same.
func TestRepairSkipsWhatTheNSDBRefuses(t *testing.T) {
	ctx := context.Background()
	e := newEnvWith(t, nsdb.EmbeddedOptions{MaxRequestBytes: 64 << 10})
	const bigID = "99999999-9999-4999-8999-999999999999"
	big := translate.Doc{"id": bigID, "tenant_id": "t", "name": strings.Repeat("x", 200<<10), "admin_state_up": true, "provider:network_type": "midonet", "revision_number": 1}
	if err := e.db.Write(ctx, func(tx *db.Tx) error {
		for _, doc := range []translate.Doc{netDoc(1), big} {
			if err := tx.Insert(ctx, "networks", doc); err != nil {
				return err
			}
		}
		return tx.Insert(ctx, "security_groups", map[string]any{"id": sgID, "tenant_id": "t", "name": "web", "revision_number": 1})
	}); err != nil {
		t.Fatal(err)
	}
	drift, err := e.c.Repair(ctx, e.db)
	if err != nil {
		t.Fatalf("repair stopped on the oversized network: %v", err)
	}
	if len(drift.Skipped) != 1 || drift.Skipped[0].Collection != "networks" || drift.Skipped[0].ID != bigID || !strings.Contains(drift.Skipped[0].Reason, "too large") {
		t.Fatalf("skipped = %+v, want the oversized network, too large", drift.Skipped)
	}
	if e.object(t, topology.KindNetwork, netID) == nil || e.object(t, topology.KindChain, topology.InChainID(sgID)) == nil {
		t.Fatal("repair did not apply the resources beside the oversized one")
	}
	after, err := e.c.Verify(ctx, e.db)
	if err != nil {
		t.Fatal(err)
	}
	if after.Total() != 1 || len(after.MissingResources) != 1 || after.MissingResources[0] != "networks/"+bigID {
		t.Fatalf("drift after repair = %+v, want only the oversized network missing", after)
	}
	// The periodic heal skips it too and applies a new resource beside it.
	const net2 = "77777777-7777-4777-8777-777777777777"
	n2 := netDoc(1)
	n2["id"] = net2
	if err := e.db.Write(ctx, func(tx *db.Tx) error { return tx.Insert(ctx, "networks", n2) }); err != nil {
		t.Fatal(err)
	}
	n, skipped, err := e.c.Heal(ctx, e.db, true)
	if err != nil {
		t.Fatalf("heal stopped on the oversized network: %v", err)
	}
	if n != 2 || len(skipped) != 1 || skipped[0].ID != bigID {
		t.Fatalf("heal = %d differences, skipped %+v; want 2 and the oversized network", n, skipped)
	}
	if e.object(t, topology.KindNetwork, net2) == nil {
		t.Fatal("heal did not apply the network beside the oversized one")
	}
}
