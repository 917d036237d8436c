package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// cacheEntry is a remembered answer: an identity, or a rejection (ctx nil).
type cacheEntry struct {
	ctx   *Context // Token left empty
	err   error
	until time.Time
}

// validation is one Keystone round trip that concurrent requests for the same
// token share.
type validation struct {
	done chan struct{}
	ctx  *Context
	err  error
}

// Authenticate validates the request's X-Auth-Token.
func (k *Keystone) Authenticate(ctx context.Context, r *http.Request) (*Context, error) {
	token := strings.TrimSpace(r.Header.Get("X-Auth-Token"))
	if token == "" {
		return nil, fmt.Errorf("no X-Auth-Token header: %w", ErrUnauthorized)
	}
	key := sha256.Sum256([]byte(token))

	k.mu.Lock()
	if e, ok := k.cache[key]; ok {
		if k.now().Before(e.until) {
			k.mu.Unlock()
			return withToken(e.ctx, e.err, token)
		}
		delete(k.cache, key)
	}
	v, ok := k.inflight[key]
	if !ok {
		v = &validation{done: make(chan struct{})}
		k.inflight[key] = v
		// Detached from this request: others may wait for the same answer.
		go k.run(context.WithoutCancel(ctx), key, token, v)
	}
	k.mu.Unlock()

	select {
	case <-v.done:
		return withToken(v.ctx, v.err, token)
	case <-ctx.Done():
		return nil, fmt.Errorf("auth: validate token: %w", ctx.Err())
	}
}

func withToken(c *Context, err error, token string) (*Context, error) {
	if err != nil {
		return nil, err
	}
	out := c.clone()
	out.Token = token
	return out, nil
}

// run validates a token once, remembers the answer and wakes the waiters.
func (k *Keystone) run(ctx context.Context, key [sha256.Size]byte, token string, v *validation) {
	ctx, cancel := context.WithTimeout(ctx, validateTimeout)
	defer cancel()
	c, err := k.validate(ctx, token)

	now := k.now()
	k.mu.Lock()
	delete(k.inflight, key)
	switch {
	case err == nil && k.opts.CacheTTL > 0:
		until := now.Add(k.opts.CacheTTL)
		if !c.ExpiresAt.IsZero() && c.ExpiresAt.Before(until) {
			until = c.ExpiresAt
		}
		if until.After(now) {
			k.store(key, cacheEntry{ctx: c, until: until}, now)
		}
	case errors.Is(err, ErrUnauthorized) && k.opts.NegativeTTL > 0:
		k.store(key, cacheEntry{err: err, until: now.Add(k.opts.NegativeTTL)}, now)
	}
	v.ctx, v.err = c, err
	k.mu.Unlock()
	close(v.done)
}

// store adds an entry, first evicting expired ones (and then arbitrary ones)
// when the cache is full. k.mu must be held.
func (k *Keystone) store(key [sha256.Size]byte, e cacheEntry, now time.Time) {
	if len(k.cache) >= k.opts.MaxCacheEntries {
		for kk, old := range k.cache {
			if !now.Before(old.until) {
				delete(k.cache, kk)
			}
		}
		for kk := range k.cache { // map order is random: a random eviction
			if len(k.cache) < k.opts.MaxCacheEntries*9/10 {
				break
			}
			delete(k.cache, kk)
		}
	}
	k.cache[key] = e
}
