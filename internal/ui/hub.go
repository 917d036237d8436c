package ui

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/midonet-go/midonet/internal/hosts"
	"github.com/midonet-go/midonet/internal/nsdb"
)

// change is one thing the NSDB watch saw: a Neutron copy written or removed, a host's record
// or liveness, or the news that changes were lost (resync).
type change struct {
	Collection string // a key of collections, "agents", or "resync"
	ID         string
	Deleted    bool
}

// collections are the Neutron collections the page draws: the cluster's copy of each (its
// NSDB collection name) → the path under /v2.0/ and the member key of a show.
var collections = map[string]struct{ path, member string }{
	"networks":    {"networks", "network"},
	"subnets":     {"subnets", "subnet"},
	"ports":       {"ports", "port"},
	"routers":     {"routers", "router"},
	"floatingips": {"floatingips", "floatingip"},
}

// subscriber is one event stream's inbox. When the hub cannot deliver (the stream is slow),
// it drops the change and sets lost; the stream then tells the page to reload.
type subscriber struct {
	ch   chan change
	kick chan struct{} // one pending wake-up after lost was set
	mu   sync.Mutex
	lost bool
}

func (s *subscriber) takeLost() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.lost
	s.lost = false
	return l
}

// hub runs one NSDB watch for every open event stream: started by the first stream, stopped
// when the last one ends, so nobody pays for it while nobody looks.
type hub struct {
	store Store
	log   *slog.Logger

	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	cancel context.CancelFunc // of the running watch; nil when idle
}

func newHub(store Store, log *slog.Logger) *hub {
	return &hub{store: store, log: log, subs: map[*subscriber]struct{}{}}
}

// subscribe registers a stream. Every change committed after it returns is delivered (or
// the subscriber is marked lost).
func (h *hub) subscribe(ctx context.Context) (*subscriber, error) {
	s := &subscriber{ch: make(chan change, 4096), kick: make(chan struct{}, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cancel == nil {
		version, rev, err := h.position(ctx)
		if err != nil {
			return nil, err
		}
		wctx, cancel := context.WithCancel(context.Background())
		h.cancel = cancel
		go h.run(wctx, version, rev)
	}
	h.subs[s] = struct{}{}
	return s, nil
}

// unsubscribe removes a stream; the last one stops the watch.
func (h *hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, s)
	if len(h.subs) == 0 && h.cancel != nil {
		h.cancel()
		h.cancel = nil
	}
}

// position reads the active data version and the store revision the watch starts after.
func (h *hub) position(ctx context.Context) (int64, int64, error) {
	kvs, rev, err := h.store.List(ctx, nsdb.ActiveVersionKey)
	if err != nil {
		return 0, 0, fmt.Errorf("ui: read the active data version: %w", err)
	}
	version := int64(1)
	for _, kv := range kvs {
		if kv.Key == nsdb.ActiveVersionKey {
			if v, err := strconv.ParseInt(string(kv.Value), 10, 64); err == nil {
				version = v
			}
		}
	}
	return version, rev, nil
}

// broadcast hands a change to every stream without ever blocking the watch.
func (h *hub) broadcast(c change) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		select {
		case s.ch <- c:
		default:
			s.mu.Lock()
			s.lost = true
			s.mu.Unlock()
			select {
			case s.kick <- struct{}{}:
			default:
			}
		}
	}
}

// run watches the Neutron copies of the active version, the hosts and their liveness, and
// the active version itself, from rev+1. A new data version or a compacted history ends in
// a resync: every stream re-reads what its caller sees, and the watch starts over.
func (h *hub) run(ctx context.Context, version, rev int64) {
	for ctx.Err() == nil {
		neutron := nsdb.DataPrefix(version) + "neutron/"
		wctx, cancel := context.WithCancel(ctx)
		events := merge(wctx,
			h.store.Watch(wctx, neutron, rev+1),
			h.store.Watch(wctx, hosts.AlivePrefix, rev+1),
			h.store.Watch(wctx, hosts.HostPrefix, rev+1),
			h.store.Watch(wctx, nsdb.ActiveVersionKey, rev+1))
		restart := false
		for ev := range events {
			switch {
			case ev.Compacted || ev.Key == nsdb.ActiveVersionKey:
				restart = true
			case strings.HasPrefix(ev.Key, neutron):
				col, id, ok := strings.Cut(strings.TrimPrefix(ev.Key, neutron), "/")
				if _, drawn := collections[col]; ok && drawn && id != "" {
					h.broadcast(change{Collection: col, ID: id, Deleted: ev.Deleted})
				}
			default: // a host's record or liveness
				h.broadcast(change{Collection: "agents"})
			}
			if restart {
				break
			}
		}
		cancel()
		for range events { // let the merged watches end
		}
		if ctx.Err() != nil {
			return
		}
		if !restart { // the watch ended on its own: try again shortly
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
		pctx, pcancel := context.WithTimeout(ctx, 10*time.Second)
		v, r, err := h.position(pctx)
		pcancel()
		if err != nil {
			h.log.Warn("ui: event watch cannot restart", "err", err)
			continue
		}
		version, rev = v, r
		h.broadcast(change{Collection: "resync"})
	}
}

// merge fans several watches into one channel, closed when all of them are.
func merge(ctx context.Context, chans ...<-chan nsdb.Event) <-chan nsdb.Event {
	out := make(chan nsdb.Event, 256)
	var wg sync.WaitGroup
	for _, c := range chans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ev := range c {
				select {
				case out <- ev:
				case <-ctx.Done():
				}
			}
		}()
	}
	go func() { wg.Wait(); close(out) }()
	return out
}
