package db

import (
	"sync"
	"sync/atomic"
)

// docCache remembers decoded documents by their stored bytes (content addressed, so an
// update simply misses): lists of thousands of resources then skip JSON decoding, the
// larger part of their cost. Callers get a private deep copy, since they may change it,
// unless they ask for the shared document and promise to change nothing of it
// (PageQuery.Shared: a full list renders straight from it).
//
// The cache is bounded by an estimate of the memory it holds (entryCost: the key, the
// decoded maps and their strings), not by a count of entries, since a document's size varies
// by kind; TestDocCacheCost measures the estimate against the heap. When full, it drops
// arbitrary entries down to nine tenths of its budget: recently listed documents come back
// at once.
//
// Each entry has a Memo: a reader of shared documents may keep there what it derives from
// the document alone (the API keeps its encoded attributes), counted in the budget and
// dropped with the entry.
//
// Lookups are counted (hits and misses, for /metrics): two atomic counters beside the lock
// every lookup takes already.
type docCache struct {
	mu     sync.RWMutex
	hits   atomic.Int64
	misses atomic.Int64
	m      map[string]*cacheEntry
	bytes  int64 // estimated, of the entries in m
	budget int64
}

// cacheEntry is one cached document, its memo and what it is counted for.
type cacheEntry struct {
	doc  Doc
	cost int64 // entryCost of the body, plus what the memo holds
	memo Memo
}

// Memo holds what a reader derived from a cached document (and nothing else): it lives as
// long as the document stays cached. PageRow.Memo hands it out with a shared document.
type Memo struct {
	v     atomic.Pointer[any]
	entry *cacheEntry
	c     *docCache
	key   string // the entry's key in c.m
}

// Load returns what Store kept, or nil.
func (m *Memo) Load() any {
	if p := m.v.Load(); p != nil {
		return *p
	}
	return nil
}

// Store keeps v, which holds about cost bytes beyond what the cache counts already; the
// cache counts them from now on. v must be derived from the document only, and never change.
func (m *Memo) Store(v any, cost int64) {
	if !m.v.CompareAndSwap(nil, &v) {
		return // a concurrent reader kept the same already
	}
	c := m.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[m.key] != m.entry {
		return // dropped meanwhile: nobody counts it, and it goes with the entry
	}
	m.entry.cost += cost
	c.bytes += cost
}

// DefaultDocCacheBytes is the cache's budget unless SetDocCacheBytes changes it: about
// 25,000 decoded ports.
const DefaultDocCacheBytes = 128 << 20

var decoded = newDocCache(DefaultDocCacheBytes)

func newDocCache(budget int64) *docCache {
	return &docCache{m: map[string]*cacheEntry{}, budget: budget}
}

// entryCost estimates the heap an entry holds: the key (the body) and the decoded document,
// which TestDocCacheCost measures at about 5.7 times the body's length for ports (5.2 KB for
// a 916-byte port).
func entryCost(body []byte) int64 { return costOf(len(body)) }

func costOf(n int) int64 { return int64(n)*5 + 256 }

// SetDocCacheBytes sets the budget of the decoded-document cache (0 turns it off).
func SetDocCacheBytes(n int64) {
	decoded.mu.Lock()
	defer decoded.mu.Unlock()
	decoded.budget = n
	decoded.shrink(n)
}

// DocCacheStats reports the entries of the decoded-document cache and the memory they are
// estimated to hold.
func DocCacheStats() (entries int, bytes int64) {
	decoded.mu.RLock()
	defer decoded.mu.RUnlock()
	return len(decoded.m), decoded.bytes
}

// DocCacheState is what the decoded-document cache holds, and how its lookups went since the
// process started.
type DocCacheState struct {
	Entries int
	Bytes   int64 // estimated memory of the entries
	Budget  int64 // the most Bytes may reach (0: the cache is off)
	Hits    int64 // lookups that found the document decoded
	Misses  int64 // lookups that did not (the document was decoded, and kept if it fits)
}

// DocCacheReport reports the decoded-document cache's state, read at once.
func DocCacheReport() DocCacheState { return decoded.report() }

func (c *docCache) report() DocCacheState {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return DocCacheState{Entries: len(c.m), Bytes: c.bytes, Budget: c.budget, Hits: c.hits.Load(), Misses: c.misses.Load()}
}

func (c *docCache) get(body []byte) (Doc, bool) {
	e := c.lookup(body)
	if e == nil {
		return nil, false
	}
	return cloneDoc(e.doc), true
}

// shared returns the cached document itself and its memo: the caller must not change the
// document, nor anything in it.
func (c *docCache) shared(body []byte) (Doc, *Memo, bool) {
	e := c.lookup(body)
	if e == nil {
		return nil, nil, false
	}
	return e.doc, &e.memo, true
}

func (c *docCache) lookup(body []byte) *cacheEntry {
	c.mu.RLock()
	e := c.m[string(body)]
	c.mu.RUnlock()
	if e == nil {
		c.misses.Add(1)
	} else {
		c.hits.Add(1)
	}
	return e
}

// put caches a copy of d, which stays the caller's.
func (c *docCache) put(body []byte, d Doc) { c.store(body, d) }

// store caches a copy of d whose keys are interned (internKey) and returns it, which nobody
// may change, and its memo; or d and no memo when the cache does not keep it.
func (c *docCache) store(body []byte, d Doc) (Doc, *Memo) {
	if cost := entryCost(body); cost > c.budget/100 {
		return d, nil
	}
	return c.keep(string(body), internDoc(d), nil, 0)
}

// keep caches d itself under key (the body, as a string): nobody else may hold d, and its
// keys are interned. memo, when not nil, is what the entry's Memo holds from the start,
// about memoCost bytes.
func (c *docCache) keep(key string, d Doc, memo any, memoCost int64) (Doc, *Memo) {
	cost := costOf(len(key))
	if cost > c.budget/100 {
		return d, nil // no single document takes more than 1% of the budget
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		return e.doc, &e.memo
	}
	if memo != nil {
		cost += memoCost
	}
	if c.bytes+cost > c.budget {
		c.shrink(c.budget * 9 / 10)
	}
	e := &cacheEntry{doc: d, cost: cost}
	e.memo = Memo{entry: e, c: c, key: key}
	if memo != nil {
		e.memo.v.Store(&memo)
	}
	c.m[key] = e
	c.bytes += cost
	return d, &e.memo
}

// shrink drops arbitrary entries until the cache holds at most n bytes.
func (c *docCache) shrink(n int64) {
	for k, e := range c.m {
		if c.bytes <= n {
			return
		}
		delete(c.m, k)
		c.bytes -= e.cost
	}
}

// internDoc copies d as cloneDoc does, but with every key of it and of the maps in it
// interned: the cached documents share one string per attribute name, so that looking an
// attribute up in thousands of them (a full list: the policy, the filters, the expanders)
// compares keys in memory the processor holds rather than in each document's own copy.
func internDoc(d Doc) Doc {
	out := make(Doc, len(d))
	for k, v := range d {
		out[internKey(k)] = internValue(v)
	}
	return out
}

func internValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return internDoc(t)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = internValue(x)
		}
		return out
	}
	return v
}

// keyNames holds the interned keys: at most maxInterned of them, each at most
// maxInternedLen bytes (attribute names; keys of user-given maps such as binding:profile
// may be anything, and those beyond the bound stay as decoded).
var keyNames = struct {
	sync.RWMutex
	m map[string]string
}{m: map[string]string{}}

const (
	maxInterned    = 4096
	maxInternedLen = 64
)

func internKey(k string) string {
	keyNames.RLock()
	s, ok := keyNames.m[k]
	keyNames.RUnlock()
	if ok {
		return s
	}
	if len(k) > maxInternedLen {
		return k
	}
	keyNames.Lock()
	defer keyNames.Unlock()
	if s, ok := keyNames.m[k]; ok {
		return s
	}
	if len(keyNames.m) < maxInterned {
		keyNames.m[k] = k
	}
	return k
}

func cloneDoc(d Doc) Doc {
	out := make(Doc, len(d))
	for k, v := range d {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return cloneDoc(t)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = cloneValue(x)
		}
		return out
	}
	return v
}
