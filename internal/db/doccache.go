package db

import (
	"sync"
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
type docCache struct {
	mu     sync.RWMutex
	m      map[string]Doc
	bytes  int64 // estimated, of the entries in m
	budget int64
}

// DefaultDocCacheBytes is the cache's budget unless SetDocCacheBytes changes it: about
// 25,000 decoded ports.
const DefaultDocCacheBytes = 128 << 20

var decoded = &docCache{m: map[string]Doc{}, budget: DefaultDocCacheBytes}

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

func (c *docCache) get(body []byte) (Doc, bool) {
	d, ok := c.shared(body)
	if !ok {
		return nil, false
	}
	return cloneDoc(d), true
}

// shared returns the cached document itself: the caller must not change it, nor anything in
// it.
func (c *docCache) shared(body []byte) (Doc, bool) {
	c.mu.RLock()
	d, ok := c.m[string(body)]
	c.mu.RUnlock()
	return d, ok
}

// put caches a copy of d, which stays the caller's.
func (c *docCache) put(body []byte, d Doc) { c.store(body, d, true) }

// store caches d (a copy of it when clone is set; else d itself, which nobody may change
// from then on).
func (c *docCache) store(body []byte, d Doc, clone bool) {
	cost := entryCost(body)
	c.mu.Lock()
	defer c.mu.Unlock()
	if cost > c.budget/100 {
		return // no single document takes more than 1% of the budget
	}
	if _, ok := c.m[string(body)]; ok {
		return
	}
	if c.bytes+cost > c.budget {
		c.shrink(c.budget * 9 / 10)
	}
	if clone {
		d = cloneDoc(d)
	}
	c.m[string(body)] = d
	c.bytes += cost
}

// shrink drops arbitrary entries until the cache holds at most n bytes.
func (c *docCache) shrink(n int64) {
	for k := range c.m {
		if c.bytes <= n {
			return
		}
		delete(c.m, k)
		c.bytes -= costOf(len(k))
	}
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
