package db

import (
	"sync"
)

// docCache remembers decoded documents by their stored bytes (content addressed, so an
// update simply misses): lists of thousands of resources then skip JSON decoding, the
// larger part of their cost. Callers get a private deep copy, since they may change it.
type docCache struct {
	mu  sync.RWMutex
	m   map[string]Doc
	max int
}

var decoded = &docCache{m: map[string]Doc{}, max: 100_000}

func (c *docCache) get(body []byte) (Doc, bool) {
	c.mu.RLock()
	d, ok := c.m[string(body)]
	c.mu.RUnlock()
	if !ok {
		return nil, false
	}
	return cloneDoc(d), true
}

func (c *docCache) put(body []byte, d Doc) {
	c.mu.Lock()
	if len(c.m) >= c.max {
		// Drop an arbitrary tenth; recently listed documents come back at once.
		n := c.max / 10
		for k := range c.m {
			delete(c.m, k)
			if n--; n == 0 {
				break
			}
		}
	}
	c.m[string(body)] = cloneDoc(d)
	c.mu.Unlock()
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
