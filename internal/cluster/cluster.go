// Package cluster turns Neutron changes into MidoNet topology in the NSDB. It is the single
// writer of the topology: it keeps the Neutron copies it translates from (the World) and the
// objects each resource owns, and applies every change — the resource's new copy, the
// re-translation of every resource it affects, and the bookkeeping of the last task — in ONE
// etcd transaction. Changes arrive from the task journal (Consumer), from the REST endpoint
// (the API server's REST client), or from a repair of drift (Reconcile).
package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/jsonenc"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/resource"
)

// Change is one Neutron change to apply.
type Change struct {
	Type       string // CREATE, UPDATE or DELETE
	Collection string
	ID         string
	Doc        translate.Doc // the resource after the change; nil for DELETE
	// Force applies the change even when the cluster's copy has a higher revision (repair).
	Force bool
}

// Stats are counters for /metrics.
type Stats struct {
	Applied int64
	// Objects counts the objects of the owners' bundles written (every object of a bundle
	// written again, not only those that changed).
	Objects       int64
	LastApplyTime time.Duration
}

// Cluster is the topology writer.
type Cluster struct {
	store       *nsdb.Store
	log         *slog.Logger
	catalog     *resource.Catalog
	translators translate.Translators

	mu      sync.Mutex
	version int64
	world   *translate.World
	// owned: owner → the digest of its bundle's content (see ownerSummer), for every owner with
	// a bundle of at least one object. One digest an owner, not one an object: an apply, the
	// startup repair and verify compare a translation's digest with it, and only verify,
	// for an owner whose digest differs, reads its bundle back to name the objects.
	owned map[translate.Ref]sum
	// legacy: the owners whose objects (some or all) are under their own keys
	// (.../topology/<Kind>/<id>, the layout before bundles), and those keys with the digests
	// of their JSON: the next apply of such an owner writes its bundle and deletes them (the
	// startup repair converts a data dir this way).
	legacy map[translate.Ref]objectSums
	// ownedFresh: owned is what the NSDB held when last read (Load, Repair) and nothing was
	// applied since, so Verify need not read the topology again.
	ownedFresh bool
	// summer is prepare's encoder and buffers for the owners' bundle contents, reused from one
	// owner and one apply to the next.
	summer   ownerSummer
	lastTask int64
	stats    Stats
	observe  func(time.Duration)
	leader   *nsdb.Guard // set while this cluster writes as the elected leader

	db *db.DB // the Neutron database, for tools that verify and repair

	waitMu sync.Mutex
	waitCh chan struct{} // closed and replaced whenever lastTask advances

	group applyGroup // ApplyGrouped's queue (group.go)

	// deleted remembers, for tombstoneTTL, the resources a change deleted: with the REST
	// client an update's call and a delete's call of one resource race each other after
	// their commits, and the update arriving last must not bring the resource back.
	deleted    map[translate.Ref]time.Time
	deletedLog []tombstone   // in deletion order, to forget them
	loaded     chan struct{} // closed once Load has read the NSDB
	loadedOnce sync.Once
}

// tombstone is one deletion deleted remembers.
type tombstone struct {
	ref translate.Ref
	at  time.Time
}

// tombstoneTTL is how long a deletion outlives a late call: far beyond the REST client's
// timeout of one call (30 s), after which no call of the API is still on its way.
const tombstoneTTL = 2 * time.Minute

// remember records the deletions of a committed apply and forgets those past the TTL.
func (c *Cluster) remember(refs []translate.Ref, now time.Time) {
	if c.deleted == nil {
		c.deleted = map[translate.Ref]time.Time{}
	}
	for _, r := range refs {
		c.deleted[r] = now
		c.deletedLog = append(c.deletedLog, tombstone{r, now})
	}
	n := 0
	for n < len(c.deletedLog) && now.Sub(c.deletedLog[n].at) > tombstoneTTL {
		if c.deleted[c.deletedLog[n].ref].Equal(c.deletedLog[n].at) {
			delete(c.deleted, c.deletedLog[n].ref)
		}
		n++
	}
	c.deletedLog = c.deletedLog[n:]
}

// lateAfterDelete reports whether a change (not a repair's, not a task's: tasks come in
// commit order) would bring back a resource deleted moments ago: the call of an update
// committed before the delete, arriving after it.
func (c *Cluster) lateAfterDelete(ch Change, lastTask int64, now time.Time, deletedHere map[translate.Ref]bool) bool {
	if ch.Force || lastTask > 0 || ch.Type == "DELETE" {
		return false
	}
	ref := translate.RefOf(ch.Collection, ch.ID)
	if deletedHere[ref] {
		return true // the delete's call came first in this very apply (a combined one)
	}
	at, ok := c.deleted[ref]
	return ok && now.Sub(at) <= tombstoneTTL
}

// New returns a cluster over an NSDB that keeps and translates the catalogue's translated
// collections with the given translators; call Load before use.
func New(store *nsdb.Store, cat *resource.Catalog, ts translate.Translators, log *slog.Logger) (*Cluster, error) {
	if log == nil {
		log = slog.Default()
	}
	for _, coll := range append(cat.Translated(), "config") {
		if _, ok := ts[coll]; !ok {
			return nil, fmt.Errorf("cluster: no translator for %s", coll)
		}
	}
	return &Cluster{store: store, log: log, catalog: cat, translators: ts, world: translate.NewWorld(),
		owned: map[translate.Ref]sum{}, legacy: map[translate.Ref]objectSums{}, waitCh: make(chan struct{}), version: 1, loaded: make(chan struct{})}, nil
}

// Catalog is the catalogue the cluster was built with.
func (c *Cluster) Catalog() *resource.Catalog { return c.catalog }

// SetDB records the Neutron database the cluster verifies against.
func (c *Cluster) SetDB(d *db.DB) { c.db = d }

// DB returns the Neutron database set with SetDB.
func (c *Cluster) DB() *db.DB { return c.db }

// ObserveApply sets a callback timing each apply (translation + commit).
func (c *Cluster) ObserveApply(f func(time.Duration)) { c.observe = f }

// Store returns the NSDB.
func (c *Cluster) Store() *nsdb.Store { return c.store }

// Version is the data version being written.
func (c *Cluster) Version() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version
}

// LastTask is the id of the last task applied.
func (c *Cluster) LastTask() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastTask
}

// Stats returns a copy of the counters.
func (c *Cluster) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// Load reads the active data version, the last applied task and that version's Neutron
// copies and owned objects from the NSDB. The reading is done without the cluster's lock, so
// that callers (metrics, /healthcheck) are not held up while a large topology loads; what was
// read is installed at once at the end, and Loaded is closed.
func (c *Cluster) Load(ctx context.Context) error {
	v := int64(1)
	if kv, err := c.store.Get(ctx, nsdb.ActiveVersionKey); err != nil {
		return fmt.Errorf("cluster: active version: %w", err)
	} else if kv != nil {
		v, _ = strconv.ParseInt(string(kv.Value), 10, 64)
	}
	var lastTask int64
	if kv, err := c.store.Get(ctx, nsdb.LastTaskKey); err != nil {
		return fmt.Errorf("cluster: last task: %w", err)
	} else if kv != nil {
		lastTask, _ = strconv.ParseInt(string(kv.Value), 10, 64)
	}
	world, owned, err := c.readVersion(ctx, v)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.version, c.world, c.owned, c.legacy, c.lastTask, c.ownedFresh = v, world, owned.owned, owned.legacy, lastTask, true
	c.mu.Unlock()
	c.loadedOnce.Do(func() { close(c.loaded) })
	c.wake()
	return nil
}

// Loaded is closed once Load has read the NSDB: before, the cluster holds no topology and
// must not apply changes or answer for its state.
func (c *Cluster) Loaded() <-chan struct{} { return c.loaded }

// IsLoaded reports whether Load has completed.
func (c *Cluster) IsLoaded() bool {
	select {
	case <-c.loaded:
		return true
	default:
		return false
	}
}

// loadVersion reads a version and installs it; callers hold c.mu.
func (c *Cluster) loadVersion(ctx context.Context, v int64) error {
	world, owned, err := c.readVersion(ctx, v)
	if err != nil {
		return err
	}
	c.version, c.world, c.owned, c.legacy, c.ownedFresh = v, world, owned.owned, owned.legacy, true
	return nil
}

// readVersion reads a version's Neutron copies and owned objects, page by page (the pages
// are dropped once decoded). The two are read at once: the bundles' digests by one
// goroutine, the copies by readWorld's.
func (c *Cluster) readVersion(ctx context.Context, v int64) (*translate.World, ownedRead, error) {
	var owned ownedRead
	var ownedErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		owned, ownedErr = c.readOwned(ctx, v)
	}()
	world, err := c.readWorld(ctx, v)
	<-done
	if err != nil {
		return nil, ownedRead{}, fmt.Errorf("cluster: load neutron copies: %w", err)
	}
	if ownedErr != nil {
		return nil, ownedRead{}, ownedErr
	}
	return world, owned, nil
}

// readWorld reads a version's Neutron copies into a new world. Decoding a copy, its typed
// form and packing it (translate.PrepareJSON) are most of the work and need no world, so
// the pages are prepared by one worker per core as the listing hands them out and only
// added to the world under a lock; at most a page per worker and one more wait, so the
// memory stays a few pages. The world is the same whatever order the pages are added in
// (each copy has its own key).
func (c *Cluster) readWorld(ctx context.Context, v int64) (*translate.World, error) {
	world := translate.NewWorld()
	prefix := nsdb.DataPrefix(v) + "neutron/"
	pages := make(chan []nsdb.KV, 1)
	var (
		mu       sync.Mutex // guards world and firstErr
		firstErr error
		wg       sync.WaitGroup
	)
	failed := func() error {
		mu.Lock()
		defer mu.Unlock()
		return firstErr
	}
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var prepared []translate.Prepared
			for kvs := range pages {
				prepared = prepared[:0]
				var err error
				for _, kv := range kvs {
					coll, _, _ := strings.Cut(strings.TrimPrefix(kv.Key, prefix), "/")
					p, perr := world.PrepareJSON(coll, kv.Value)
					if perr != nil {
						err = fmt.Errorf("cluster: decode %s: %w", kv.Key, perr)
						break
					}
					prepared = append(prepared, p)
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if firstErr == nil {
					for _, p := range prepared {
						world.Add(p)
					}
				}
				mu.Unlock()
				clear(prepared) // the world holds them now; the slice is reused
			}
		}()
	}
	_, err := c.store.Scan(ctx, prefix, func(kvs []nsdb.KV) error {
		if err := failed(); err != nil {
			return err
		}
		select {
		case pages <- kvs:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(pages)
	wg.Wait()
	if err == nil {
		err = failed()
	}
	if err != nil {
		return nil, err
	}
	return world, nil
}

// ownedRead is what readOwned read: every owner's bundle as its digest (owned), and the
// objects under their own keys, by owner (legacy, see Cluster.legacy).
type ownedRead struct {
	owned  map[translate.Ref]sum
	legacy map[translate.Ref]objectSums
}

// undecodableBundle is the key an owner's undecodable bundle is reported under: an object no
// translation makes, so verify reports it and the owner's next apply writes its bundle again.
const undecodableBundle = "Bundle/undecodable"

// undecodableSum is the digest recorded for a bundle that cannot be decompressed: no
// translation's digest is it (but with probability 2⁻¹²⁸), so the owner counts as drifted.
var undecodableSum = sum{}

// readOwned reads the owned objects of a version, grouped by owner: each owner's bundle as
// the digest of its content (decompressed, never decoded), then, at the same revision, the
// objects under their own keys that name an owner, each as its digest (the layout before
// bundles; agents' and hand-made objects name none).
func (c *Cluster) readOwned(ctx context.Context, v int64) (ownedRead, error) {
	ownedPrefix := nsdb.OwnedPrefix(v)
	objPrefix := nsdb.DataPrefix(v) + "topology/"
	var r ownedRead
	var content []byte // one buffer for every bundle's content
	for attempt := 0; ; attempt++ {
		// A page at a time: only the digests are kept, never the whole listing.
		rev, err := c.store.Each(ctx, ownedPrefix, func() { r = ownedRead{owned: map[translate.Ref]sum{}, legacy: map[translate.Ref]objectSums{}} }, func(kv nsdb.KV) {
			ref := translate.Ref(strings.TrimPrefix(kv.Key, ownedPrefix))
			b, err := nsdb.AppendBundleContentOf(content[:0], kv.Value)
			switch {
			case err != nil:
				c.log.Warn("undecodable bundle", "key", kv.Key, "err", err)
				r.owned[ref] = undecodableSum
			case len(b) > 0: // a bundle of no objects owns nothing
				content = b
				r.owned[ref] = sumOf(b)
			}
		})
		if err != nil {
			return ownedRead{}, fmt.Errorf("cluster: load topology: %w", err)
		}
		err = c.store.EachAt(ctx, objPrefix, rev, func(kv nsdb.KV) {
			owner := ownerOf(kv.Value)
			if owner == "" {
				return // not ours (agents' objects, hand-made objects)
			}
			ref := translate.Ref(owner)
			l := r.legacy[ref]
			l.add(strings.TrimPrefix(kv.Key, objPrefix), sumOf(kv.Value))
			r.legacy[ref] = l
		})
		if err == nil {
			break
		}
		if !nsdb.IsCompacted(err) || attempt >= 3 {
			return ownedRead{}, fmt.Errorf("cluster: load topology: %w", err)
		}
	}
	for ref, sums := range r.legacy {
		r.legacy[ref] = sums.sorted()
	}
	return r, nil
}

func decode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// opSet collects the NSDB operations of one apply, one per key (the last wins).
type opSet struct {
	order []string
	ops   map[string]nsdb.Op
}

func (s *opSet) add(op nsdb.Op) {
	if s.ops == nil {
		s.ops = map[string]nsdb.Op{}
	}
	if _, ok := s.ops[op.Key]; !ok {
		s.order = append(s.order, op.Key)
	}
	s.ops[op.Key] = op
}

func (s *opSet) list() []nsdb.Op {
	out := make([]nsdb.Op, 0, len(s.order))
	for _, k := range s.order {
		out = append(out, s.ops[k])
	}
	return out
}

// Apply applies changes (and, when lastTask > 0, records it as the last applied task) in
// one NSDB transaction. On failure nothing changes, in the NSDB or in memory.
func (c *Cluster) Apply(ctx context.Context, changes []Change, lastTask int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.apply(ctx, changes, lastTask, nil)
}

// Refresh re-translates the given resources (repair of topology drift).
func (c *Cluster) Refresh(ctx context.Context, refs []translate.Ref) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.apply(ctx, nil, 0, refs)
}

func (c *Cluster) apply(ctx context.Context, changes []Change, lastTask int64, extra []translate.Ref) error {
	p, err := c.prepare(ctx, changes, lastTask, extra)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil && len(p.list) > 0 {
		p.undo()
		return fmt.Errorf("cluster: commit: %w", err)
	}
	if err := p.send(ctx); err != nil {
		p.undo()
		return err
	}
	p.finish()
	return nil
}

// prepared is one apply translated, its effect already in the cluster's memory (the
// world, the owners' digests, the deletions remembered), its etcd transaction not yet
// answered: send it, then finish it (committed) or undo it (not). Callers hold c.mu from
// prepare until finish or undo; an apply prepared after it (a pipelined one, group.go) is
// undone first.
type prepared struct {
	c        *Cluster
	list     []nsdb.Op
	guards   []nsdb.Guard
	lastTask int64
	start    time.Time
	st       *Stages
	changes  int
	objects  int
	undo     func()
	ctx      context.Context // what a pipelined apply sends with (group.go)
}

// prepare translates changes (and the extra resources) into one NSDB transaction and
// applies their effect to the cluster's memory. On error nothing changed. Call with c.mu
// held.
func (c *Cluster) prepare(ctx context.Context, changes []Change, lastTask int64, extra []translate.Ref) (*prepared, error) {
	start := time.Now()
	st := stagesOf(ctx)
	if st != nil {
		stamp(&st.started, start)
	}
	type undo struct {
		coll, id string
		old      []byte // the document's JSON before, nil when it was absent
	}
	var undos []undo
	var deps []translate.Ref
	seen := map[translate.Ref]bool{}
	addDeps := func(rs []translate.Ref) {
		for _, r := range rs {
			if !seen[r] {
				seen[r] = true
				deps = append(deps, r)
			}
		}
	}
	addDeps(extra)
	// rollback puts the world back as it was before this call.
	rollback := func() {
		for i := len(undos) - 1; i >= 0; i-- {
			u := undos[i]
			if u.old == nil {
				c.world.Delete(u.coll, u.id)
			} else {
				_ = c.world.PutJSON(u.coll, u.old) // it was stored from this JSON before
			}
		}
	}
	var ops opSet
	var deletions []translate.Ref
	var deletedHere map[translate.Ref]bool
	for _, ch := range changes {
		old := c.world.Get(ch.Collection, ch.ID)
		after := ch.Doc
		if ch.Type == "DELETE" {
			after = nil
			ref := translate.RefOf(ch.Collection, ch.ID)
			deletions = append(deletions, ref)
			if deletedHere == nil {
				deletedHere = map[translate.Ref]bool{}
			}
			deletedHere[ref] = true
		}
		if after != nil && old != nil && !ch.Force && revision(after) < revision(old) {
			// A late REST call carrying an older state than one already applied.
			continue
		}
		if old == nil && after != nil && c.lateAfterDelete(ch, lastTask, start, deletedHere) {
			// A late REST call of an update the resource's delete overtook.
			c.log.Debug("late change of a deleted resource ignored", "collection", ch.Collection, "id", ch.ID)
			continue
		}
		addDeps(c.translators.Dependents(c.world, ch.Collection, ch.ID, old, after, translate.Before))
		undos = append(undos, undo{ch.Collection, ch.ID, c.world.GetJSON(ch.Collection, ch.ID)})
		key := nsdb.NeutronKey(c.version, ch.Collection, ch.ID)
		if after == nil {
			c.world.Delete(ch.Collection, ch.ID)
			ops.add(nsdb.Op{Key: key, Delete: true})
		} else {
			// The world keeps its own copy, decoded from the encoding the NSDB gets (the fast
			// decoder: the encoding is json.Marshal's).
			b, err := jsonenc.Marshal(after)
			var own translate.Doc
			if err == nil {
				own, err = db.DecodeBody(b)
			}
			if err == nil {
				c.world.PutDoc(ch.Collection, own, b)
			}
			if err != nil {
				rollback()
				return nil, fmt.Errorf("cluster: encode %s %s: %w", ch.Collection, ch.ID, err)
			}
			ops.add(nsdb.Op{Key: key, Value: b})
		}
		addDeps(c.translators.Dependents(c.world, ch.Collection, ch.ID, old, after, translate.After))
	}
	// Translate every affected resource and diff against what it owns now: an owner whose
	// objects changed (or that still has objects under their own keys) gets its bundle
	// written again, or deleted when it owns nothing any more.
	next := map[translate.Ref]ownerNext{}
	objects := 0
	for _, ref := range deps {
		objs := c.translators.Owned(c.world, ref)
		var want ownerNext
		var err error
		want.sum, want.owns, err = c.summer.sum(objs)
		if err != nil {
			rollback()
			return nil, fmt.Errorf("cluster: %w", err)
		}
		content := c.summer.content // the summer's buffer: used before the next owner's sum
		have, had := c.owned[ref]
		legacy := c.legacy[ref]
		if want.owns != had || want.sum != have || legacy.len() > 0 {
			// The keys of the layout before bundles go first: a watcher (the agent) sees
			// them deleted, then the bundle holding their objects put, in this order.
			legacy.each(func(k string) { ops.add(nsdb.Op{Key: topoKey(c.version, k), Delete: true}) })
			key := nsdb.OwnedKey(c.version, string(ref))
			if !want.owns {
				ops.add(nsdb.Op{Key: key, Delete: true})
			} else {
				ops.add(nsdb.Op{Key: key, Value: nsdb.CompressBundleContent(content)})
			}
			objects += len(objs)
		}
		next[ref] = want
	}
	if lastTask > 0 {
		ops.add(nsdb.Op{Key: nsdb.LastTaskKey, Value: []byte(strconv.FormatInt(lastTask, 10))})
	}
	if st != nil {
		stamp(&st.prepared, time.Now())
	}
	p := &prepared{c: c, list: ops.list(), guards: c.guards(lastTask), lastTask: lastTask, start: start, st: st,
		changes: len(changes), objects: objects}
	// The owners' digests and the deletions take effect now, as the world did, so that an
	// apply prepared next sees them; undo puts back what they replaced.
	type ownedWas struct {
		sum         sum
		had         bool
		legacy      objectSums
		legacyThere bool
	}
	was := make(map[translate.Ref]ownedWas, len(next))
	for ref, want := range next {
		s, had := c.owned[ref]
		l, lt := c.legacy[ref]
		was[ref] = ownedWas{s, had, l, lt}
		if want.owns {
			c.owned[ref] = want.sum
		} else {
			delete(c.owned, ref)
		}
		delete(c.legacy, ref)
	}
	deletedWas := map[translate.Ref]time.Time{}
	if len(deletions) > 0 {
		for _, r := range deletions {
			if at, ok := c.deleted[r]; ok {
				deletedWas[r] = at
			}
		}
		c.remember(deletions, start)
	}
	if len(p.list) > 0 {
		c.ownedFresh = false // what the NSDB holds is now read back, not assumed
	}
	p.undo = func() {
		// ownedFresh stays false: a transaction that timed out may still have committed.
		for _, r := range deletions {
			if at, ok := deletedWas[r]; ok {
				c.deleted[r] = at
			} else {
				delete(c.deleted, r)
			}
		}
		for ref, w := range was {
			if w.had {
				c.owned[ref] = w.sum
			} else {
				delete(c.owned, ref)
			}
			if w.legacyThere {
				c.legacy[ref] = w.legacy
			}
		}
		rollback()
	}
	return p, nil
}

// send commits the prepared transaction in the NSDB; nil means it was committed. The
// cluster's lock need not be held (group.go sends while preparing the next apply).
func (p *prepared) send(ctx context.Context) error {
	if len(p.list) == 0 {
		if p.st != nil {
			now := time.Now() // nothing to write: translated and done
			stamp(&p.st.sent, now)
			stamp(&p.st.committed, now)
		}
		return nil
	}
	// Once sent, a commit is seen through: a caller that gives up meanwhile (its client
	// gone, its loop stopping) must not leave the NSDB committed and this cluster's
	// copies and last task rolled back, which every later guarded apply would then be
	// refused for.
	tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	if p.st != nil {
		stamp(&p.st.sent, time.Now())
	}
	ok, _, err := p.c.store.Txn(tctx, p.guards, p.list)
	if p.st != nil {
		stamp(&p.st.committed, time.Now())
	}
	if err != nil {
		return fmt.Errorf("cluster: commit: %w", err)
	}
	if !ok {
		return errCommitRefused
	}
	return nil
}

// finish records a committed apply: the journal position, the counters. Call with c.mu
// held.
func (p *prepared) finish() {
	c := p.c
	if p.lastTask > 0 {
		c.lastTask = p.lastTask
		c.wake()
	}
	d := time.Since(p.start)
	c.stats.Applied += int64(p.changes)
	c.stats.Objects += int64(p.objects)
	c.stats.LastApplyTime = d
	if c.observe != nil {
		c.observe(d)
	}
}

// commitTimeout bounds one NSDB transaction of an apply, which no caller can cut short.
const commitTimeout = 30 * time.Second

// errCommitRefused: a guard of the transaction failed, so nothing was written.
var errCommitRefused = errors.New("cluster: commit refused: this cluster lost its leadership or another writer advanced the task journal")

// SetLeader makes every later write conditional on the leadership g guards, so that a
// deposed leader cannot write after its successor has started.
func (c *Cluster) SetLeader(g nsdb.Guard) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.leader = &g
}

// guards are the conditions of a commit: the leadership, if any, and, for a task, that the
// journal position is still the one this cluster last wrote. Callers hold c.mu.
func (c *Cluster) guards(task int64) []nsdb.Guard {
	var gs []nsdb.Guard
	if c.leader != nil {
		gs = append(gs, *c.leader)
	}
	if task > 0 {
		if c.lastTask > 0 {
			gs = append(gs, nsdb.Guard{Key: nsdb.LastTaskKey, Value: []byte(strconv.FormatInt(c.lastTask, 10))})
		} else {
			gs = append(gs, nsdb.Guard{Key: nsdb.LastTaskKey, Absent: true})
		}
	}
	return gs
}

func (c *Cluster) wake() {
	c.waitMu.Lock()
	close(c.waitCh)
	c.waitCh = make(chan struct{})
	c.waitMu.Unlock()
}

// WaitTask blocks until the task id has been applied (or ctx ends).
func (c *Cluster) WaitTask(ctx context.Context, id int64) error {
	for {
		c.waitMu.Lock()
		ch := c.waitCh
		c.waitMu.Unlock()
		if c.LastTask() >= id {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster: task %d not applied yet: %w", id, ctx.Err())
		case <-ch:
		}
	}
}

// Neutron returns the cluster's copy of a Neutron resource (nil when it has none).
func (c *Cluster) Neutron(collection, id string) translate.Doc {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.world.Get(collection, id)
}

// Owners lists the resources that own objects, sorted.
func (c *Cluster) Owners() []translate.Ref {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]translate.Ref, 0, len(c.owned))
	c.eachOwner(func(r translate.Ref) { out = append(out, r) })
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// eachOwner calls f once with every resource that owns objects in the NSDB: in a bundle, or
// under their own keys. Call with c.mu held.
func (c *Cluster) eachOwner(f func(translate.Ref)) {
	for r := range c.owned {
		f(r)
	}
	for r := range c.legacy {
		if _, ok := c.owned[r]; !ok {
			f(r)
		}
	}
}

// topoKey is the NSDB key of an object given its "<Kind>/<id>".
func topoKey(v int64, kindID string) string { return nsdb.DataPrefix(v) + "topology/" + kindID }

func revision(d translate.Doc) int64 {
	n, _ := model.Int(d["revision_number"])
	return n
}
