package cluster

import (
	"context"
	"fmt"
	"sort"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
)

// startupBatch is how many owners the startup repair compares (and re-translates when they
// drifted) in one hold of the cluster's lock: an API write waits for at most one batch.
var startupBatch = 500

// afterStartupBatch, when set (tests), runs after each batch, outside the lock.
var afterStartupBatch func()

// StartupRepair is the server's repair at start with the REST client (a crash between a
// commit and its REST call heals here; a new version's translation replaces the old one's
// objects). It fixes what Repair fixes but never holds the cluster's lock for long, so the
// API's writes go on while it runs, however big the topology:
//
//   - resources, as Heal does: the database is read without the lock, compared with the
//     cluster's copies under it, and each difference read again and applied under it;
//   - objects, owner by owner in batches of startupBatch: under the lock, each owner is
//     translated and compared with the digest of its bundle in the NSDB (read by Load
//     just before, and kept current by every apply since), and only the owners that
//     differ — objects missing, different or no longer produced, owners that are gone —
//     are re-translated.
//
// It must follow Load (the owned digests are Load's read); it returns the differences it
// repaired and what it could not apply.
func (c *Cluster) StartupRepair(ctx context.Context, dbx *db.DB) (int, []Skipped, error) {
	c.mu.Lock()
	unmark := c.markRepair(ctx)
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		unmark()
	}()
	n, skipped, err := c.Heal(ctx, dbx, true)
	if err != nil {
		return n, skipped, fmt.Errorf("cluster: startup repair: %w", err)
	}
	c.mu.Lock()
	refs := c.ownerRefs()
	c.mu.Unlock()
	for len(refs) > 0 {
		if err := ctx.Err(); err != nil {
			return n, skipped, fmt.Errorf("cluster: startup repair: %w", err)
		}
		k := min(startupBatch, len(refs))
		fixed, sk, err := c.repairOwners(ctx, refs[:k])
		n += fixed
		skipped = append(skipped, sk...)
		if err != nil {
			return n, skipped, fmt.Errorf("cluster: startup repair: %w", err)
		}
		refs = refs[k:]
		if afterStartupBatch != nil {
			afterStartupBatch()
		}
	}
	for _, sk := range skipped {
		c.log.Warn("startup repair skipped a resource it cannot apply", "collection", sk.Collection, "id", sk.ID, "reason", sk.Reason)
	}
	return n, skipped, nil
}

// ownerRefs lists, sorted, every resource of the world and every owner of objects in the
// NSDB (an owner the world no longer has still owns objects to remove). Call with c.mu held.
func (c *Cluster) ownerRefs() []translate.Ref {
	seen := make(map[translate.Ref]bool, len(c.owned))
	var refs []translate.Ref
	add := func(r translate.Ref) {
		if !seen[r] {
			seen[r] = true
			refs = append(refs, r)
		}
	}
	for _, coll := range c.world.Collections() {
		for _, id := range c.world.IDs(coll) {
			add(translate.RefOf(coll, id))
		}
	}
	c.eachOwner(add)
	sort.Slice(refs, func(i, j int) bool { return refs[i] < refs[j] })
	return refs
}

// repairOwners re-translates, in one hold of the lock, the owners of refs whose objects in
// the NSDB differ from their translation. It returns how many it re-translated.
func (c *Cluster) repairOwners(ctx context.Context, refs []translate.Ref) (int, []Skipped, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var drifted []Change
	for _, ref := range refs {
		if c.ownerDrifted(ref) {
			coll, id := ref.Split()
			drifted = append(drifted, Change{Collection: coll, ID: id})
		}
	}
	if len(drifted) == 0 {
		return 0, nil, nil
	}
	skipped, err := applyOrSkip(ctx, drifted, len(drifted), func(chs []Change) error {
		rs := make([]translate.Ref, len(chs))
		for i, ch := range chs {
			rs[i] = translate.RefOf(ch.Collection, ch.ID)
		}
		return c.apply(ctx, nil, 0, rs)
	})
	return len(drifted) - len(skipped), skipped, err
}

// ownerDrifted reports whether what ref owns in the NSDB differs from its translation now.
// Call with c.mu held.
func (c *Cluster) ownerDrifted(ref translate.Ref) bool {
	if c.legacy[ref].len() > 0 {
		return true // stored in the layout before bundles: converted by its re-translation
	}
	var summer ownerSummer
	want, owns, err := summer.sum(c.translators.Owned(c.world, ref))
	if err != nil {
		return true
	}
	have, had := c.owned[ref]
	return owns != had || want != have
}
