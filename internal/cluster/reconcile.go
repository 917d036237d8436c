package cluster

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
)

// Drift is what differs between the Neutron database and the NSDB.
type Drift struct {
	MissingResources []string `json:"missing_resources"` // in Neutron, not in the NSDB
	StaleResources   []string `json:"stale_resources"`   // the NSDB copy differs (older revision)
	ExtraResources   []string `json:"extra_resources"`   // in the NSDB, deleted from Neutron
	MissingObjects   []string `json:"missing_objects"`   // topology objects a resource should own
	StaleObjects     []string `json:"stale_objects"`     // objects that differ from their translation
	ExtraObjects     []string `json:"extra_objects"`     // owned objects their owner no longer produces
	// Skipped is what a repair could not apply (set by Repair only): it stays drift.
	Skipped []Skipped `json:"skipped"`
	// PendingTasks counts the tasks of the journal (task client) the cluster has not
	// applied yet, and PendingResources the resources that differ and have such a task:
	// they wait for the consumer, which is not drift (not counted in Total).
	PendingTasks     int64    `json:"pending_tasks"`
	PendingResources []string `json:"pending_resources"`
	// RepairRunning says, when a repair was running as verify read (a server's startup
	// repair, or one interrupted by a crash, which the next start runs again), since when
	// and in which process: what it had not reached yet shows as differences. Verify only.
	RepairRunning string `json:"repair_running"`
}

// Skipped is a resource a repair or heal could not apply to the NSDB, and why. The rest of
// the pass goes on without it; it remains drift until it can be applied.
type Skipped struct {
	Collection string `json:"collection"`
	ID         string `json:"id"`
	Reason     string `json:"reason"`
}

// Total counts every difference.
func (d Drift) Total() int {
	return len(d.MissingResources) + len(d.StaleResources) + len(d.ExtraResources) +
		len(d.MissingObjects) + len(d.StaleObjects) + len(d.ExtraObjects)
}

// neutronDocs reads every translated resource from the Neutron database, decoded (a
// repair; a heal streams them, healChanges).
func (c *Cluster) neutronDocs(ctx context.Context, dbx *db.DB) (map[translate.Ref]translate.Doc, error) {
	out := map[translate.Ref]translate.Doc{}
	err := dbx.Read(ctx, func(tx *db.Tx) error {
		for _, coll := range c.catalog.Translated() {
			// Not through the decoded-document cache: a repair reads every document once.
			docs, err := tx.ListFresh(ctx, coll, db.Filter{})
			if err != nil {
				return err
			}
			for _, d := range docs {
				id, _ := d["id"].(string)
				// The cluster's copies carry secrets too (the consumer reads them from
				// the database; the agent needs a BGP peer's MD5 password).
				out[translate.RefOf(coll, id)] = d
			}
		}
		return nil
	})
	return out, err
}

func canonical(d translate.Doc) []byte {
	b, _ := json.Marshal(d)
	var v any
	_ = decode(b, &v)
	b, _ = json.Marshal(v)
	return b
}

// sameAs reports whether the cluster's copy of a resource is the database's doc: the doc's
// JSON is compared with the stored JSON first (the same bytes in the common case, one
// encoding and no decoding), the canonical forms only when those differ.
func (c *Cluster) sameAs(coll, id string, doc translate.Doc) bool {
	if b, err := json.Marshal(doc); err == nil && bytes.Equal(c.world.GetJSON(coll, id), b) {
		return true
	}
	return c.sameDoc(coll, id, canonical(doc))
}

// sameDoc reports whether the cluster's copy of a resource has the canonical JSON want: its
// stored JSON is compared first (the same bytes in the common case), the canonical form of
// the decoded copy only when those differ.
func (c *Cluster) sameDoc(coll, id string, want []byte) bool {
	if bytes.Equal(c.world.GetJSON(coll, id), want) {
		return true
	}
	have := c.world.Get(coll, id)
	return have != nil && bytes.Equal(canonical(have), want)
}

// Verify compares the Neutron database with the NSDB. It reads the database afresh; the
// NSDB's objects it takes from the read of Load or Repair when nothing was applied since
// (the tools call it right after Load: one read of the topology, not two), else it reads
// them again. It changes nothing.
func (c *Cluster) Verify(ctx context.Context, dbx *db.DB) (Drift, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, err := c.verify(ctx, dbx)
	if err != nil {
		return d, err
	}
	kv, err := c.store.Get(ctx, nsdb.RepairKey)
	if err != nil {
		return d, fmt.Errorf("cluster: verify: %w", err)
	}
	if kv != nil {
		d.RepairRunning = string(kv.Value)
	}
	return d, nil
}

// markRepair records that a repair runs (nsdb.RepairKey) and returns what removes the mark.
// The mark only informs verify: a repair goes on without it (an NSDB out of space refuses
// it as it refuses the rest).
func (c *Cluster) markRepair(ctx context.Context) func() {
	mark := fmt.Sprintf("since %s, pid %d", time.Now().UTC().Format(time.RFC3339), os.Getpid())
	if _, _, err := c.store.Txn(ctx, c.guards(0), []nsdb.Op{{Key: nsdb.RepairKey, Value: []byte(mark)}}); err != nil {
		c.log.Warn("could not mark the repair as running", "key", nsdb.RepairKey, "err", err)
		return func() {}
	}
	return func() {
		// Even when the repair was cut short (the server stopping): the next start repairs
		// again. Only a process that dies leaves the mark.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if _, _, err := c.store.Txn(dctx, c.guards(0), []nsdb.Op{{Key: nsdb.RepairKey, Delete: true}}); err != nil {
			c.log.Warn("could not clear the repair mark", "key", nsdb.RepairKey, "err", err)
		}
	}
}

func (c *Cluster) verify(ctx context.Context, dbx *db.DB) (Drift, error) {
	d := Drift{MissingResources: []string{}, StaleResources: []string{}, ExtraResources: []string{},
		MissingObjects: []string{}, StaleObjects: []string{}, ExtraObjects: []string{}, Skipped: []Skipped{},
		PendingResources: []string{}}
	// The two halves are independent (both only read the world, under the caller's lock):
	// the resources are compared while the objects are, each on its own core.
	var res resourceDrift
	var resErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		res, resErr = c.compareResources(ctx, dbx)
	}()
	objs, objErr := c.compareObjects(ctx)
	<-done
	if resErr != nil {
		return d, resErr
	}
	if objErr != nil {
		return d, objErr
	}
	d.PendingTasks = res.pendingTasks
	for _, x := range []struct {
		from []translate.Ref
		to   *[]string
	}{{res.missing, &d.MissingResources}, {res.stale, &d.StaleResources}, {res.extra, &d.ExtraResources}} {
		for _, ref := range x.from {
			if res.pending[ref] {
				// A change the consumer has not applied yet: not drift.
				d.PendingResources = append(d.PendingResources, string(ref))
			} else {
				*x.to = append(*x.to, string(ref))
			}
		}
	}
	d.MissingObjects = append(d.MissingObjects, objs.missing...)
	d.StaleObjects = append(d.StaleObjects, objs.stale...)
	d.ExtraObjects = append(d.ExtraObjects, objs.extra...)
	for _, l := range [][]string{d.MissingResources, d.StaleResources, d.ExtraResources, d.MissingObjects, d.StaleObjects, d.ExtraObjects, d.PendingResources} {
		sort.Strings(l)
	}
	return d, nil
}

// resourceDrift is what compareResources found: the resources that differ (before the
// pending ones are told apart) and the journal's pending tasks.
type resourceDrift struct {
	missing, stale, extra []translate.Ref
	pending               map[translate.Ref]bool
	pendingTasks          int64
}

// compareResources compares every translated resource of the database with the cluster's
// copy. The database's stored bodies are compared with the copies' JSON as bytes (both are
// json.Marshal's encoding of the document: the same bytes unless the resource differs), and
// only a body whose bytes differ is decoded and compared in canonical form. The world is
// only read (the caller holds c.mu).
func (c *Cluster) compareResources(ctx context.Context, dbx *db.DB) (resourceDrift, error) {
	var r resourceDrift
	seen := map[string]map[string]struct{}{}
	err := dbx.Read(ctx, func(tx *db.Tx) error {
		for _, coll := range c.catalog.Translated() {
			ids := make(map[string]struct{}, c.world.Len(coll))
			seen[coll] = ids
			err := tx.EachBody(ctx, coll, func(id string, body []byte) error {
				ids[id] = struct{}{}
				have := c.world.GetJSON(coll, id)
				switch {
				case have == nil:
					r.missing = append(r.missing, translate.RefOf(coll, id))
				case bytes.Equal(have, body):
				default:
					doc, err := db.DecodeDoc(body)
					if err != nil {
						return fmt.Errorf("decode %s %s: %w", coll, id, err)
					}
					if !c.sameDoc(coll, id, canonical(doc)) {
						r.stale = append(r.stale, translate.RefOf(coll, id))
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("cluster: verify: read neutron: %w", err)
	}
	// Read after the documents: every change they show that the cluster has not applied
	// has its task among these (a change and its task commit together).
	if r.pending, r.pendingTasks, err = c.pendingTasks(ctx, dbx); err != nil {
		return r, fmt.Errorf("cluster: verify: read the task journal: %w", err)
	}
	for _, coll := range c.catalog.Translated() {
		for _, id := range c.world.IDs(coll) {
			if _, ok := seen[coll][id]; !ok {
				r.extra = append(r.extra, translate.RefOf(coll, id))
			}
		}
	}
	return r, nil
}

// objectDrift is what compareObjects found, as "<Kind>/<id>" keys.
type objectDrift struct{ missing, stale, extra []string }

// compareObjects compares what every resource of the world translates to with what it owns
// in the NSDB (as read by Load or Repair when nothing was applied since, else read again).
// The owners are translated by one worker per core, and each translation's digest is
// compared with the digest of the owner's bundle; only the owners whose digests differ (and
// those with objects under their own keys, and those the world no longer has) have their
// objects read back and compared one by one, to name the objects that differ. The world is
// only read (the caller holds c.mu).
func (c *Cluster) compareObjects(ctx context.Context) (objectDrift, error) {
	var out objectDrift
	actual, legacy := c.owned, c.legacy
	if !c.ownedFresh {
		r, err := c.readOwned(ctx, c.version)
		if err != nil {
			return out, err
		}
		actual, legacy = r.owned, r.legacy
	}
	var refs []translate.Ref
	wantOwners := map[translate.Ref]bool{}
	for _, coll := range c.world.Collections() {
		for _, id := range c.world.IDs(coll) {
			ref := translate.RefOf(coll, id)
			wantOwners[ref] = true
			refs = append(refs, ref)
		}
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), len(refs)/verifyChunk))
	differ := make([][]translate.Ref, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var summer ownerSummer
			// Worker w takes every workers-th chunk, so that an expensive stretch (one
			// collection's owners) is shared.
			for lo := w * verifyChunk; lo < len(refs); lo += workers * verifyChunk {
				for _, ref := range refs[lo:min(lo+verifyChunk, len(refs))] {
					want, owns, err := summer.sum(c.translators.Owned(c.world, ref))
					have, had := actual[ref]
					if err != nil || owns != had || want != have || legacy[ref].len() > 0 {
						differ[w] = append(differ[w], ref)
					}
				}
			}
		}()
	}
	wg.Wait()
	var check []translate.Ref
	for _, d := range differ {
		check = append(check, d...)
	}
	for ref := range actual {
		if !wantOwners[ref] {
			check = append(check, ref)
		}
	}
	for ref := range legacy {
		if _, ok := actual[ref]; !ok && !wantOwners[ref] {
			check = append(check, ref)
		}
	}
	if len(check) == 0 {
		return out, nil
	}
	have, err := c.readOwnedObjects(ctx, check, legacy)
	if err != nil {
		return out, err
	}
	for _, ref := range check {
		if wantOwners[ref] {
			c.compareOwner(ref, have[ref], &out)
		} else {
			have[ref].each(func(k string) { out.extra = append(out.extra, k) })
		}
	}
	return out, nil
}

// verifyChunk is how many owners a worker of compareObjects translates at a time.
const verifyChunk = 256

// readAllBundles is from how many owners on readOwnedObjects reads their objects with one
// listing of every bundle rather than with a read of each (a variable for tests).
var readAllBundles = 2000

// readOwnedObjects reads the objects the owners refs own in the NSDB now, as digests by
// "<Kind>/<id>": those of their bundles (an undecodable one as undecodableBundle), then those
// under their own keys as legacy holds them (which win, as in readOwned's order).
func (c *Cluster) readOwnedObjects(ctx context.Context, refs []translate.Ref, legacy map[translate.Ref]objectSums) (map[translate.Ref]objectSums, error) {
	out := make(map[translate.Ref]objectSums, len(refs))
	add := func(ref translate.Ref, key string, b []byte) {
		sums := out[ref]
		bos, err := nsdb.DecodeBundle(b)
		if err != nil {
			c.log.Warn("undecodable bundle", "key", key, "err", err)
			sums.add(undecodableBundle, sum{})
		}
		for _, bo := range bos {
			sums.add(bo.Key(), sumOf(bo.JSON))
		}
		out[ref] = sums
	}
	if len(refs) > readAllBundles {
		want := make(map[translate.Ref]bool, len(refs))
		for _, ref := range refs {
			want[ref] = true
		}
		prefix := nsdb.OwnedPrefix(c.version)
		_, err := c.store.Each(ctx, prefix, func() { clear(out) }, func(kv nsdb.KV) {
			if ref := translate.Ref(strings.TrimPrefix(kv.Key, prefix)); want[ref] {
				add(ref, kv.Key, kv.Value)
			}
		})
		if err != nil {
			return nil, fmt.Errorf("cluster: verify: read bundles: %w", err)
		}
	} else {
		for _, ref := range refs {
			key := nsdb.OwnedKey(c.version, string(ref))
			kv, err := c.store.Get(ctx, key)
			if err != nil {
				return nil, fmt.Errorf("cluster: verify: read %s: %w", key, err)
			}
			if kv != nil {
				add(ref, key, kv.Value)
			}
		}
	}
	for _, ref := range refs {
		sums := out[ref]
		legacy[ref].each(func(k string) {
			v, _ := legacy[ref].get(k)
			sums.add(k, v)
		})
		out[ref] = sums.sorted()
	}
	return out, nil
}

// compareOwner adds to d how the objects ref owns in the NSDB (have) differ from its
// translation. It only reads the world and the translators.
func (c *Cluster) compareOwner(ref translate.Ref, have objectSums, d *objectDrift) {
	objs := c.translators.Owned(c.world, ref)
	want := make(map[string]bool, len(objs))
	for _, o := range objs {
		k := topology.Key(o)
		want[k] = true
		b, _ := topology.AppendJSON(nil, o)
		switch cur, ok := have.get(k); {
		case !ok:
			d.missing = append(d.missing, k)
		case cur != sumOf(b):
			d.stale = append(d.stale, k)
		}
	}
	have.each(func(k string) {
		if !want[k] {
			d.extra = append(d.extra, k)
		}
	})
}

// pendingTasks reads the tasks of the journal after the last one the cluster applied: the
// resources they change, and how many there are. With the REST client nothing is journaled.
func (c *Cluster) pendingTasks(ctx context.Context, dbx *db.DB) (map[translate.Ref]bool, int64, error) {
	refs := map[translate.Ref]bool{}
	var n int64
	err := dbx.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT data_type, resource_id FROM midonet_tasks WHERE id > ?", c.lastTask)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var dataType, id sql.NullString
			if err := rows.Scan(&dataType, &id); err != nil {
				return err
			}
			n++
			if res := c.catalog.ByDataType(dataType.String); res != nil {
				refs[translate.RefOf(res.Collection, id.String)] = true
			}
		}
		return rows.Err()
	})
	return refs, n, err
}

// Repair re-applies what is missing or stale and removes what Neutron no longer has, then
// re-translates every resource whose objects drifted. It only ever deletes objects it owns.
// It returns the drift it found.
func (c *Cluster) Repair(ctx context.Context, dbx *db.DB) (Drift, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.markRepair(ctx)()
	// Start from what the NSDB really holds, in case it was changed behind our back.
	owned, err := c.readOwned(ctx, c.version)
	if err != nil {
		return Drift{}, err
	}
	c.owned, c.legacy, c.ownedFresh = owned.owned, owned.legacy, true
	drift, err := c.verify(ctx, dbx)
	if err != nil || drift.Total() == 0 {
		return drift, err
	}
	docs, err := c.neutronDocs(ctx, dbx)
	if err != nil {
		return drift, err
	}
	var changes []Change
	for _, coll := range c.catalog.Translated() {
		var ids []string
		for ref := range docs {
			if rc, id := ref.Split(); rc == coll {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		for _, id := range ids {
			ref := translate.RefOf(coll, id)
			if !c.world.Has(coll, id) || !c.sameAs(coll, id, docs[ref]) {
				changes = append(changes, Change{Type: "UPDATE", Collection: coll, ID: id, Doc: docs[ref], Force: true})
			}
		}
	}
	translated := c.catalog.Translated()
	for i := len(translated) - 1; i >= 0; i-- {
		coll := translated[i]
		for _, id := range c.world.IDs(coll) {
			if _, ok := docs[translate.RefOf(coll, id)]; !ok {
				changes = append(changes, Change{Type: "DELETE", Collection: coll, ID: id})
			}
		}
	}
	// Every owner is re-translated, which also removes objects of owners that are gone.
	var refs []translate.Ref
	c.eachOwner(func(ref translate.Ref) { refs = append(refs, ref) })
	for _, coll := range c.world.Collections() {
		for _, id := range c.world.IDs(coll) {
			refs = append(refs, translate.RefOf(coll, id))
		}
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i] < refs[j] })
	// In batches: one etcd transaction stays well below the request size limit.
	const batch = 200
	skipped, err := applyOrSkip(ctx, changes, batch, func(chs []Change) error { return c.apply(ctx, chs, 0, nil) })
	drift.Skipped = append(drift.Skipped, skipped...)
	if err != nil {
		return drift, fmt.Errorf("cluster: repair: %w", err)
	}
	// Owners re-translated as changes without a document of their own.
	owners := make([]Change, len(refs))
	for i, ref := range refs {
		coll, id := ref.Split()
		owners[i] = Change{Collection: coll, ID: id}
	}
	skipped, err = applyOrSkip(ctx, owners, batch, func(chs []Change) error {
		rs := make([]translate.Ref, len(chs))
		for i, ch := range chs {
			rs[i] = translate.RefOf(ch.Collection, ch.ID)
		}
		return c.apply(ctx, nil, 0, rs)
	})
	drift.Skipped = append(drift.Skipped, skipped...)
	if err != nil {
		return drift, fmt.Errorf("cluster: repair: %w", err)
	}
	for _, sk := range drift.Skipped {
		c.log.Warn("repair skipped a resource it cannot apply", "collection", sk.Collection, "id", sk.ID, "reason", sk.Reason)
	}
	return drift, nil
}

// applyOrSkip applies changes in batches of at most n. When the NSDB refuses a batch for
// what it carries (a request too large, an object that cannot be encoded), the batch is
// applied one change at a time and a change that still fails is skipped and reported, so
// that one bad resource never holds up the others. Failures that no retry can fix — the
// context ended, the NSDB is out of space, this cluster lost its leadership — stop the pass.
func applyOrSkip(ctx context.Context, changes []Change, n int, apply func([]Change) error) ([]Skipped, error) {
	skipped := []Skipped{}
	for len(changes) > 0 {
		k := min(n, len(changes))
		err := apply(changes[:k])
		if err != nil && !fatalApplyError(ctx, err) {
			for _, ch := range changes[:k] {
				if err := apply([]Change{ch}); err != nil {
					if fatalApplyError(ctx, err) {
						return skipped, err
					}
					skipped = append(skipped, Skipped{Collection: ch.Collection, ID: ch.ID, Reason: err.Error()})
				}
			}
			err = nil
		}
		if err != nil {
			return skipped, err
		}
		changes = changes[k:]
	}
	return skipped, nil
}

// fatalApplyError reports whether an apply failure would fail for any change alike.
func fatalApplyError(ctx context.Context, err error) bool {
	return ctx.Err() != nil || nsdb.IsNoSpace(err) || errors.Is(err, errCommitRefused)
}

// Heal is the server's periodic, cheap reconciliation: it compares the Neutron resources
// with the cluster's copies (not the whole topology) and, when apply is set, re-applies
// what is missing or differs and removes what Neutron no longer has — in small batches, so
// that API writes are never held up for long. It returns how many resources differed and
// those it could not apply (skipped and reported, the rest applied all the same).
func (c *Cluster) Heal(ctx context.Context, dbx *db.DB, apply bool) (int, []Skipped, error) {
	changes, seen, err := c.healChanges(ctx, dbx)
	if err != nil {
		return 0, nil, fmt.Errorf("cluster: heal: %w", err)
	}
	var extra []translate.Ref
	c.mu.Lock()
	for _, coll := range c.catalog.Translated() {
		for _, id := range c.world.IDs(coll) {
			if _, ok := seen[coll][id]; !ok {
				extra = append(extra, translate.RefOf(coll, id))
			}
		}
	}
	c.mu.Unlock()
	// A resource created after the read above is in the cluster but was not seen: delete
	// only what the database still does not have.
	if len(extra) > 0 {
		err := dbx.Read(ctx, func(tx *db.Tx) error {
			for _, ref := range extra {
				coll, id := ref.Split()
				d, err := tx.Get(ctx, coll, id)
				if err != nil {
					return err
				}
				if d == nil {
					changes = append(changes, Change{Type: "DELETE", Collection: coll, ID: id})
				}
			}
			return nil
		})
		if err != nil {
			return 0, nil, fmt.Errorf("cluster: heal: %w", err)
		}
	}
	if !apply {
		return len(changes), nil, nil
	}
	translated := c.catalog.Translated()
	sort.SliceStable(changes, func(i, j int) bool { return order(translated, changes[i]) < order(translated, changes[j]) })
	skipped, err := applyOrSkip(ctx, changes, 100, func(chs []Change) error { return c.applyConfirmed(ctx, dbx, chs) })
	for _, sk := range skipped {
		c.log.Warn("heal skipped a resource it cannot apply", "collection", sk.Collection, "id", sk.ID, "reason", sk.Reason)
	}
	if err != nil {
		return len(changes), skipped, fmt.Errorf("cluster: heal: %w", err)
	}
	return len(changes), skipped, nil
}

// healBatch is the number of stored documents a heal compares under one hold of the
// cluster's lock.
const healBatch = 500

// healChanges streams every translated resource of the database and returns an update for
// each the cluster lacks or holds an older, different copy of, and the ids it read. The
// stored bodies are compared with the copies' JSON as bytes (compareResources); only a body
// that differs is decoded. The bodies are compared healBatch at a time under the cluster's
// lock, so API changes are applied in between and the heal holds no more than one batch
// of documents (a 100,000-port deployment's documents decoded at once cost 300 MB).
func (c *Cluster) healChanges(ctx context.Context, dbx *db.DB) ([]Change, map[string]map[string]struct{}, error) {
	type stored struct {
		id   string
		body []byte
	}
	var changes []Change
	seen := map[string]map[string]struct{}{}
	compare := func(coll string, batch []stored) error {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, b := range batch {
			if c.world.Has(coll, b.id) && bytes.Equal(c.world.GetJSON(coll, b.id), b.body) {
				continue
			}
			d, err := db.DecodeBody(b.body)
			if err != nil {
				return fmt.Errorf("decode %s %s: %w", coll, b.id, err)
			}
			// The cluster's copies carry secrets too (the consumer reads them from the
			// database; the agent needs a BGP peer's MD5 password).
			doc := translate.Doc(d)
			if !c.world.Has(coll, b.id) || (c.world.Revision(coll, b.id) <= revision(doc) && !c.sameDoc(coll, b.id, canonical(doc))) {
				changes = append(changes, Change{Type: "UPDATE", Collection: coll, ID: b.id, Doc: doc, Force: true})
			}
		}
		return nil
	}
	err := dbx.Read(ctx, func(tx *db.Tx) error {
		changes = changes[:0]
		for _, coll := range c.catalog.Translated() {
			ids := map[string]struct{}{}
			seen[coll] = ids
			var batch []stored
			err := tx.EachBody(ctx, coll, func(id string, body []byte) error {
				ids[id] = struct{}{}
				batch = append(batch, stored{id, bytes.Clone(body)})
				if len(batch) < healBatch {
					return nil
				}
				err := compare(coll, batch)
				batch = batch[:0]
				return err
			})
			if err == nil {
				err = compare(coll, batch)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return changes, seen, err
}

// applyConfirmed applies a heal's changes after reading each resource from the database
// again, under the cluster's lock: the documents the heal compared were read without it, and
// a resource deleted (and its delete applied) since would otherwise come back from that older
// read. Under the lock no API change can be applied in between: one committed after this
// read has its call (or task) applied after this apply.
func (c *Cluster) applyConfirmed(ctx context.Context, dbx *db.DB, changes []Change) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var confirmed []Change
	err := dbx.Read(ctx, func(tx *db.Tx) error {
		confirmed = confirmed[:0]
		for _, ch := range changes {
			cur, err := tx.Get(ctx, ch.Collection, ch.ID)
			if err != nil {
				return err
			}
			switch {
			case cur != nil:
				confirmed = append(confirmed, Change{Type: "UPDATE", Collection: ch.Collection, ID: ch.ID, Doc: translate.Doc(cur), Force: true})
			case c.world.Has(ch.Collection, ch.ID):
				confirmed = append(confirmed, Change{Type: "DELETE", Collection: ch.Collection, ID: ch.ID})
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cluster: heal: read again: %w", err)
	}
	return c.apply(ctx, confirmed, 0, nil)
}

// order puts creates and updates in dependency order and deletes after them, in reverse.
func order(translated []string, ch Change) int {
	for i, c := range translated {
		if c == ch.Collection {
			if ch.Type == "DELETE" {
				return 2*len(translated) - i
			}
			return i
		}
	}
	return len(translated)
}
