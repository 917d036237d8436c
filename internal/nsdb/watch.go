package nsdb

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Event is one change under a watched prefix, or the news that the history the watch needs
// was compacted away.
type Event struct {
	Key      string
	Value    []byte // nil for a delete
	Deleted  bool
	Revision int64 // the change's ModRevision; for Compacted, the compaction revision
	// Version is the key's version after the change (1: created by it; 0: deleted).
	Version int64
	// PrevValue is the key's value before the change (WatchRange only; nil when the key
	// did not exist, or when etcd no longer had it: then Version > 1 or Deleted).
	PrevValue []byte
	// Compacted means changes were lost: the caller must List again and Watch from the
	// listing's revision+1. It is the last event of its channel.
	Compacted bool
}

// Watch streams changes under prefix, starting at revision fromRev (0 = changes after now),
// in revision order, until ctx ends; then the channel is closed. It survives disconnects and
// leader changes by watching again from the revision after the last event delivered. When
// that history is compacted it sends one Event with Compacted set and closes the channel.
func (s *Store) Watch(ctx context.Context, prefix string, fromRev int64) <-chan Event {
	return s.watchRange(ctx, prefix, clientv3.GetPrefixRangeEnd(prefix), fromRev, false)
}

// WatchRange is Watch for the keys in [from, end), with each event's previous value
// (PrevValue): one stream, in revision order, over neighbouring prefixes.
func (s *Store) WatchRange(ctx context.Context, from, end string, fromRev int64) <-chan Event {
	return s.watchRange(ctx, from, end, fromRev, true)
}

func (s *Store) watchRange(ctx context.Context, from, end string, fromRev int64, prev bool) <-chan Event {
	out := make(chan Event, 256)
	go func() {
		defer close(out)
		if s.wait(ctx) != nil {
			return // ctx ended first, or the store never opened
		}
		s.watch(ctx, from, end, prev, fromRev, out)
	}()
	return out
}

func (s *Store) watch(ctx context.Context, prefix, end string, prev bool, next int64, out chan<- Event) {
	send := func(ev Event) bool {
		select {
		case out <- ev:
			return true
		case <-ctx.Done():
			return false
		}
	}
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		// Each round has its own context so that the client's watch stream is released
		// before watching again.
		wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
		opts := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithCreatedNotify()}
		if prev {
			opts = append(opts, clientv3.WithPrevKV())
		}
		if next > 0 {
			opts = append(opts, clientv3.WithRev(next))
		}
		for resp := range s.client.Watch(wctx, prefix, opts...) {
			if resp.CompactRevision != 0 {
				cancel()
				send(Event{Revision: resp.CompactRevision, Compacted: true})
				return
			}
			if resp.Canceled || resp.Err() != nil {
				s.log.Debug("nsdb: watch interrupted", "prefix", prefix, "next", next, "err", resp.Err())
				break
			}
			if resp.Created {
				// A watch "from now" is pinned to the revision it started at, so that
				// watching again after a disconnect skips nothing.
				if next == 0 {
					next = resp.Header.Revision + 1
				}
				continue
			}
			for _, ev := range resp.Events {
				e := Event{Key: string(ev.Kv.Key), Revision: ev.Kv.ModRevision, Version: ev.Kv.Version}
				if ev.PrevKv != nil {
					e.PrevValue = ev.PrevKv.Value
				}
				if ev.Type == clientv3.EventTypeDelete {
					e.Deleted = true
				} else {
					e.Value = ev.Kv.Value
				}
				if !send(e) {
					cancel()
					return
				}
				next = ev.Kv.ModRevision + 1
				backoff = 50 * time.Millisecond
			}
		}
		cancel()
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// PrefixEnd is the end of the key range of a prefix (for WatchRange).
func PrefixEnd(prefix string) string { return clientv3.GetPrefixRangeEnd(prefix) }
