package db

import (
	"sync"
	"sync/atomic"
)

// The counters behind the two guards on how writes read the store: lookups that read their
// whole collection because the attribute has no key rows (UnindexedLookups), and write
// transactions that listed a whole collection (WholeReads). /metrics exports both and
// test/testenv fails a test whose server counted one.

// noteUnindexed counts a lookup by attr that read every document of kind.
func (d *DB) noteUnindexed(kind, attr string) { count(&d.unindexed, [2]string{kind, attr}) }

// count adds one to the counter of key k in counters (a map of *atomic.Int64).
func count(counters *sync.Map, k any) {
	n, ok := counters.Load(k)
	if !ok {
		n, _ = counters.LoadOrStore(k, new(atomic.Int64))
	}
	n.(*atomic.Int64).Add(1)
}

// counts reads counters (a map of *atomic.Int64 by keys of type K).
func counts[K comparable](counters *sync.Map) map[K]int64 {
	out := map[K]int64{}
	counters.Range(func(k, v any) bool {
		out[k.(K)] = v.(*atomic.Int64).Load()
		return true
	})
	return out
}

// UnindexedLookups returns how many lookups (ListBy, ListByBoth, AnyBy, FirstBy) read their
// whole collection because the catalogue does not key the attribute, by kind and attribute
// ([2]string{kind, attr}): a plugin's lookup that will slow down as the collection grows
// (/metrics, midonet_db_unindexed_lookups_total).
func (d *DB) UnindexedLookups() map[[2]string]int64 { return counts[[2]string](&d.unindexed) }

// WholeReads returns how many times a write transaction read every document of a kind
// (List and its variants without a filter), by kind: a write that will slow down as the
// collection grows, unless the collection stays small (/metrics,
// midonet_db_whole_collection_reads_total, which leaves out the catalogue's Few
// collections).
func (d *DB) WholeReads() map[string]int64 { return counts[string](&d.wholeReads) }
