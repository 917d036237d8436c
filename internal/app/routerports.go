package app

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/midonet-go/midonet/internal/nsdb"
)

// activeVersion is the data version the agents read (1 before any was activated).
func activeVersion(ctx context.Context, store *nsdb.Store) (int64, error) {
	kv, err := store.Get(ctx, nsdb.ActiveVersionKey)
	if err != nil || kv == nil {
		return 1, err
	}
	v, err := strconv.ParseInt(string(kv.Value), 10, 64)
	if err != nil || v < 1 {
		return 1, nil
	}
	return v, nil
}

// portApplied reports whether the cluster has applied a port: its copy of the port is in the
// NSDB, written in the same etcd transaction as the port's topology.
func portApplied(store *nsdb.Store) func(ctx context.Context, id string) bool {
	return func(ctx context.Context, id string) bool {
		v, err := activeVersion(ctx, store)
		if err != nil {
			return false
		}
		kv, err := store.Get(ctx, nsdb.NeutronKey(v, "ports", id))
		return err == nil && kv != nil
	}
}

// routerPortStatusLoop makes router interface and gateway ports ACTIVE as soon as the
// cluster has applied them, by watching the cluster's copies of ports in the NSDB: clients
// such as gophercloud's router-interface helpers wait for that status. portStatusLoop's
// periodic pass heals what a watch missed.
func (s *Server) routerPortStatusLoop(ctx context.Context) {
	var once sync.Once
	started := func() { once.Do(s.statusStarted) }
	for ctx.Err() == nil {
		v, err := activeVersion(ctx, s.NSDB)
		if err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		}
		s.watchRouterPorts(ctx, v, started)
	}
}

// watchRouterPorts follows one data version's port copies until ctx ends, the watch ends,
// or (checked every 30 seconds) another version becomes active.
func (s *Server) watchRouterPorts(ctx context.Context, version int64, started func()) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	prefix := nsdb.NeutronKey(version, "ports", "")
	events := s.NSDB.Watch(wctx, prefix, 0)
	started()
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if v, err := activeVersion(ctx, s.NSDB); err == nil && v != version {
				return
			}
		case ev, ok := <-events:
			if !ok {
				return
			}
			id := routerPortToActivate(prefix, ev)
			if id == "" || !s.API.Writable(ctx) {
				continue
			}
			if err := s.portStatus.set(ctx, id, statusActive); err != nil && ctx.Err() == nil {
				s.log.Warn("router port status update failed", "port", id, "err", err)
			}
		}
	}
}

// routerPortToActivate is the id of the port an NSDB event shows the cluster applied, when
// it is a router port no host binds and not ACTIVE yet; otherwise "".
func routerPortToActivate(prefix string, ev nsdb.Event) string {
	if ev.Deleted || ev.Compacted || !strings.HasPrefix(ev.Key, prefix) {
		return ""
	}
	var p struct {
		DeviceOwner string `json:"device_owner"`
		Status      string `json:"status"`
		Host        string `json:"binding:host_id"`
	}
	if json.Unmarshal(ev.Value, &p) != nil || p.Host != "" || p.Status == statusActive || !routerOwned(p.DeviceOwner) {
		return ""
	}
	return strings.TrimPrefix(ev.Key, prefix)
}
