package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
)

// verifyPorts is how many ports TestVerifyFindsDriftBehindTheServersBack writes: several
// chunks of owners, so that more than one worker compares objects.
const verifyPorts = 3*verifyChunk + 10

func nthPortID(i int) string { return fmt.Sprintf("55555555-5555-4555-8555-%012d", i) }

func nthPort(i int) translate.Doc {
	d := portDoc(1)
	d["id"] = nthPortID(i)
	d["mac_address"] = fmt.Sprintf("fa:16:3e:00:%02x:%02x", i/256, i%256)
	d["fixed_ips"] = []any{map[string]any{"subnet_id": subID, "ip_address": fmt.Sprintf("10.0.%d.%d", i/250, 2+i%250)}}
	return d
}

// withPorts writes a network, its subnet, a security group and verifyPorts ports to the
// database and applies them to the cluster, as the server does.
func withPorts(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	docs := []Change{
		{Type: "CREATE", Collection: "networks", ID: netID, Doc: netDoc(1)},
		{Type: "CREATE", Collection: "subnets", ID: subID, Doc: translate.Doc{"id": subID, "network_id": netID, "tenant_id": "t", "cidr": "10.0.0.0/16", "ip_version": 4, "gateway_ip": "10.0.0.1", "revision_number": 1}},
		{Type: "CREATE", Collection: "security_groups", ID: sgID, Doc: translate.Doc{"id": sgID, "tenant_id": "t", "name": "default", "revision_number": 1}},
	}
	for i := range verifyPorts {
		docs = append(docs, Change{Type: "CREATE", Collection: "ports", ID: nthPortID(i), Doc: nthPort(i)})
	}
	if err := e.db.Write(ctx, func(tx *db.Tx) error {
		for _, ch := range docs {
			if err := tx.Insert(ctx, ch.Collection, ch.Doc); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for len(docs) > 0 {
		k := min(50, len(docs))
		if err := e.c.Apply(ctx, docs[:k], 0); err != nil {
			t.Fatal(err)
		}
		docs = docs[k:]
	}
	return e
}

// TestVerifyFindsDriftBehindTheServersBack: whatever is changed in the database or in the
// NSDB behind the server's back, a verify of a freshly loaded view (what `db-manage verify`
// does) names exactly it; a stored body that differs from the NSDB's copy only in its
// encoding is no drift.
func TestVerifyFindsDriftBehindTheServersBack(t *testing.T) {
	ctx := context.Background()
	const mid = verifyPorts / 2 // an owner in the middle: another worker than the first's
	port := func(i int) string { return "ports/" + nthPortID(i) }
	obj := func(kind topology.Kind, id string) string { return string(kind) + "/" + id }
	sql := func(q string, args ...any) func(*testing.T, *env) {
		return func(t *testing.T, e *env) {
			t.Helper()
			if err := e.db.Write(ctx, func(tx *db.Tx) error { _, err := tx.Exec(ctx, q, args...); return err }); err != nil {
				t.Fatal(err)
			}
		}
	}
	nsdbOps := func(ops ...nsdb.Op) func(*testing.T, *env) {
		return func(t *testing.T, e *env) {
			t.Helper()
			if _, _, err := e.store.Txn(ctx, nil, ops); err != nil {
				t.Fatal(err)
			}
		}
	}
	topo := func(kind topology.Kind, id string) string { return nsdb.TopologyKey(1, kind, id) }
	renamed := nthPort(mid)
	renamed["name"] = "renamed"
	renamedJSON, _ := json.Marshal(renamed)
	stray, _ := json.Marshal(&topology.Chain{Meta: topology.Meta{ID: "stray", Owner: port(mid)}, Name: "x"})
	orphan, _ := json.Marshal(&topology.Chain{Meta: topology.Meta{ID: "orphan", Owner: "ports/gone"}, Name: "x"})
	orphanBundle, err := nsdb.EncodeBundle([]nsdb.BundleObject{{Kind: topology.KindChain, ID: "orphan", JSON: orphan}})
	if err != nil {
		t.Fatal(err)
	}
	corrupt := []byte(`{"id":"` + topology.InChainID(nthPortID(verifyPorts-1)) + `","owner":"` + port(verifyPorts-1) + `","name":"corrupt"}`)
	bundleEdit := func(owner string, edit map[string][]byte) func(*testing.T, *env) {
		return func(t *testing.T, e *env) {
			t.Helper()
			nsdbOps(editBundleOp(ctx, t, e.store, 1, owner, edit))(t, e)
		}
	}
	// The bundle of port(mid) with its objects in reverse order: other bytes, other
	// content, the same objects.
	reordered := func(t *testing.T, e *env) {
		t.Helper()
		kv, err := e.store.Get(ctx, nsdb.OwnedKey(1, port(mid)))
		if err != nil || kv == nil {
			t.Fatalf("bundle of %s: %v %v", port(mid), kv, err)
		}
		bos, err := nsdb.DecodeBundle(kv.Value)
		if err != nil || len(bos) < 2 {
			t.Fatalf("bundle of %s: %d objects, %v", port(mid), len(bos), err)
		}
		var content []byte
		for i := len(bos) - 1; i >= 0; i-- {
			content = nsdb.AppendBundleContent(content, bos[i:i+1])
		}
		nsdbOps(nsdb.Op{Key: kv.Key, Value: nsdb.CompressBundleContent(content)})(t, e)
	}
	changed := obj(topology.KindChain, topology.InChainID(nthPortID(verifyPorts-1)))
	for _, c := range []struct {
		name   string
		tamper func(*testing.T, *env)
		want   Drift
		// listAll: the bundles of the owners whose digests differ are read back with one
		// listing of every bundle (as when many differ), not one read each.
		listAll bool
	}{
		{name: "nothing changed", tamper: func(*testing.T, *env) {}},
		{name: "a body stored in another encoding", tamper: sql("UPDATE resources SET body = ? WHERE kind = 'ports' AND id = ?",
			" "+string(mustJSON(t, nthPort(mid)))+"\n", nthPortID(mid))},
		{name: "a resource changed in the database", tamper: sql("UPDATE resources SET body = ? WHERE kind = 'ports' AND id = ?", string(renamedJSON), nthPortID(mid)),
			want: Drift{StaleResources: []string{port(mid)}}},
		{name: "a resource deleted from the database", tamper: sql("DELETE FROM resources WHERE kind = 'ports' AND id = ?", nthPortID(mid)),
			want: Drift{ExtraResources: []string{port(mid)}}},
		{name: "a resource the NSDB lacks", tamper: nsdbOps(nsdb.Op{Key: nsdb.NeutronKey(1, "ports", nthPortID(mid)), Delete: true}),
			// The view holds no copy of the port, so it produces nothing: its objects are
			// extra (filled in below).
			want: Drift{MissingResources: []string{port(mid)}}},
		{name: "a resource changed in the NSDB", tamper: nsdbOps(nsdb.Op{Key: nsdb.NeutronKey(1, "ports", nthPortID(mid)), Value: renamedJSON}),
			want: Drift{StaleResources: []string{port(mid)}}},
		{name: "an object deleted", tamper: bundleEdit(port(mid), map[string][]byte{obj(topology.KindPort, nthPortID(mid)): nil}),
			want: Drift{MissingObjects: []string{obj(topology.KindPort, nthPortID(mid))}}},
		{name: "an object changed", tamper: bundleEdit(port(verifyPorts-1), map[string][]byte{changed: corrupt}),
			want: Drift{StaleObjects: []string{changed}}},
		{name: "an object changed, bundles read by one listing", tamper: bundleEdit(port(verifyPorts-1), map[string][]byte{changed: corrupt}),
			want: Drift{StaleObjects: []string{changed}}, listAll: true},
		{name: "an object changed and one deleted in one bundle", tamper: bundleEdit(port(verifyPorts-1), map[string][]byte{changed: corrupt, obj(topology.KindPort, nthPortID(verifyPorts-1)): nil}),
			want: Drift{StaleObjects: []string{changed}, MissingObjects: []string{obj(topology.KindPort, nthPortID(verifyPorts-1))}}},
		{name: "a bundle of the same objects in other bytes", tamper: reordered},
		{name: "an object its owner does not produce", tamper: bundleEdit(port(mid), map[string][]byte{obj(topology.KindChain, "stray"): stray}),
			want: Drift{ExtraObjects: []string{obj(topology.KindChain, "stray")}}},
		{name: "an object of an owner that is gone", tamper: nsdbOps(nsdb.Op{Key: nsdb.OwnedKey(1, "ports/gone"), Value: orphanBundle}),
			want: Drift{ExtraObjects: []string{obj(topology.KindChain, "orphan")}}},
		{name: "an undecodable bundle", tamper: nsdbOps(nsdb.Op{Key: nsdb.OwnedKey(1, port(mid)), Value: []byte("garbage")}),
			want: Drift{ExtraObjects: []string{undecodableBundle}}}, // and every object of the port missing (filled in below)
		// The layout before bundles: owned objects under their own keys.
		{name: "an object changed under its own key", tamper: nsdbOps(nsdb.Op{Key: topo(topology.KindChain, topology.InChainID(nthPortID(verifyPorts-1))), Value: corrupt}),
			want: Drift{StaleObjects: []string{obj(topology.KindChain, topology.InChainID(nthPortID(verifyPorts-1)))}}},
		{name: "an object its owner does not produce under its own key", tamper: nsdbOps(nsdb.Op{Key: topo(topology.KindChain, "stray"), Value: stray}),
			want: Drift{ExtraObjects: []string{obj(topology.KindChain, "stray")}}},
		{name: "an object of an owner that is gone under its own key", tamper: nsdbOps(nsdb.Op{Key: topo(topology.KindChain, "orphan"), Value: orphan}),
			want: Drift{ExtraObjects: []string{obj(topology.KindChain, "orphan")}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := withPorts(t)
			switch c.name {
			case "a resource the NSDB lacks":
				c.want.ExtraObjects = ownedKeys(t, e.c, port(mid))
			case "an undecodable bundle":
				c.want.MissingObjects = ownedKeys(t, e.c, port(mid))
			}
			c.tamper(t, e)
			if c.listAll {
				old := readAllBundles
				readAllBundles = 0
				t.Cleanup(func() { readAllBundles = old })
			}
			// A new view of the stores, as `db-manage verify` loads.
			view := newCluster(t, e.store)
			if err := view.Load(ctx); err != nil {
				t.Fatal(err)
			}
			got, err := view.Verify(ctx, e.db)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(differences(got), differences(c.want)) {
				t.Fatalf("verify = %+v\nwant %+v", differences(got), differences(c.want))
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ownedKeys lists, sorted, the keys of the objects ref owns in c's NSDB (its bundle).
func ownedKeys(t *testing.T, c *Cluster, ref string) []string {
	t.Helper()
	objs, err := c.store.OwnedObjects(context.Background(), c.Version(), ref)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range objs {
		out = append(out, topology.Key(o))
	}
	sort.Strings(out)
	return out
}

// differences are a drift's six lists, empty lists as nil.
func differences(d Drift) [6][]string {
	var out [6][]string
	for i, l := range [][]string{d.MissingResources, d.StaleResources, d.ExtraResources, d.MissingObjects, d.StaleObjects, d.ExtraObjects} {
		if len(l) > 0 {
			out[i] = l
		}
	}
	return out
}

// TestLoadReadsEveryCopy: Load, which prepares the Neutron copies on several goroutines as the
// listing hands out its pages, holds every copy of several pages exactly,
// with its typed form and index entries; a copy that cannot be decoded fails the Load naming
// its key.
func TestLoadReadsEveryCopy(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	const n = 2500 // more than two pages of the listing
	want := map[string][]byte{}
	var ops []nsdb.Op
	put := func(ops []nsdb.Op) {
		t.Helper()
		if _, _, err := e.store.Txn(ctx, nil, ops); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		b := mustJSON(t, nthPort(i))
		want[nthPortID(i)] = b
		ops = append(ops, nsdb.Op{Key: nsdb.NeutronKey(1, "ports", nthPortID(i)), Value: b})
		if len(ops) == 100 {
			put(ops)
			ops = nil
		}
	}
	put(append(ops, nsdb.Op{Key: nsdb.NeutronKey(1, "networks", netID), Value: mustJSON(t, netDoc(3))}))
	view := newCluster(t, e.store)
	if err := view.Load(ctx); err != nil {
		t.Fatal(err)
	}
	w := view.world
	if got := w.Len("ports"); got != n {
		t.Fatalf("%d ports, want %d", got, n)
	}
	for id, b := range want {
		if got := w.GetJSON("ports", id); !bytes.Equal(got, b) {
			t.Fatalf("port %s is %s, want %s", id, got, b)
		}
		if p := w.Port(id); p == nil || p.ID != id || p.NetworkID != netID {
			t.Fatalf("typed port %s: %+v", id, p)
		}
	}
	if got := len(w.PortIDsMentioning(netID, netID)); got != n {
		t.Errorf("%d ports on the network, want %d", got, n)
	}
	if got := w.Revision("networks", netID); got != 3 {
		t.Errorf("the network's revision %d, want 3", got)
	}
	bad := nsdb.NeutronKey(1, "ports", nthPortID(n/2)+"-bad")
	put([]nsdb.Op{{Key: bad, Value: []byte(`{"id":`)}})
	if err := newCluster(t, e.store).Load(ctx); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("Load with an undecodable copy: err %v, want one naming %s", err, bad)
	}
}
