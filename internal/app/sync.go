package app

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/midonet-go/midonet/internal/cluster"
	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/config"
	"github.com/midonet-go/midonet/internal/fault"
)

// The server answers as soon as its database is open and migrated. The embedded NSDB opens
// in the background (etcd rebuilds its key index from its file: seconds at 100,000 ports),
// and the cluster and the agent of this process load the topology once it is open (as
// neutron-server answers while its agents sync). Until they have, /healthcheck says what is
// still syncing, what reads the NSDB for a request answers 503 (syncing), a change sent to
// the cluster waits for it (or is refused 503, syncing), a task waits in the journal, and
// the status loops wait.

// nsdbOpening is the embedded NSDB's open in the background.
type nsdbOpening struct {
	cancel  context.CancelFunc // nil: nothing opens in the background
	done    chan struct{}      // closed once the open has returned and its store is adopted
	waiting atomic.Bool        // waiting for a db-manage command to close the embedded NSDB
	once    sync.Once
}

// openNSDBInBackground opens the embedded NSDB into s.NSDB (made by nsdb.Opening), waiting
// first for gate when it is not nil (a test's hook).
func (s *Server) openNSDBInBackground(cfg *config.Config, dataDir string, gate <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	s.nsdbOpening.cancel, s.nsdbOpening.done = cancel, make(chan struct{})
	go func() {
		defer close(s.nsdbOpening.done)
		if gate != nil {
			select {
			case <-gate:
			case <-ctx.Done():
				s.NSDB.Adopt(nil, ctx.Err())
				return
			}
		}
		start := time.Now()
		store, err := openServerNSDB(ctx, cfg, dataDir, s.log, toolWait, s.nsdbOpening.waiting.Store)
		s.NSDB.Adopt(store, err)
		if err == nil {
			s.log.Info("NSDB open", "seconds", time.Since(start).Seconds())
		}
	}()
}

// stop ends an open still under way (one waiting for a db-manage command; etcd's own start
// runs to its end) and waits for it, so that its store is adopted and can be closed.
func (o *nsdbOpening) stop() {
	o.once.Do(func() {
		if o.cancel != nil {
			o.cancel()
			<-o.done
		}
	})
}

// waitNSDB waits until the NSDB is open, and returns why it could not be opened (or ctx's
// error).
func (s *Server) waitNSDB(ctx context.Context) error {
	select {
	case <-s.NSDB.Ready():
		if err := s.NSDB.OpenErr(); err != nil {
			return fmt.Errorf("app: open the NSDB: %w", err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// nsdbSyncing is the reason the NSDB cannot be read yet ("" once it is open).
func (s *Server) nsdbSyncing() string {
	switch {
	case s.NSDB == nil || s.NSDB.IsOpen():
		return ""
	case s.nsdbOpening.waiting.Load():
		return "syncing: the NSDB is opening (waiting for a midonet db-manage command to close the embedded NSDB)"
	default:
		return "syncing: the NSDB is opening"
	}
}

// errNSDBSyncing is the answer to a request that reads the NSDB while it opens.
func errNSDBSyncing() error {
	return fault.ServiceUnavailable("The MidoNet NSDB is still opening (the server is syncing); try again shortly.")
}

// loadCluster loads the cluster's topology from the NSDB and applies the DEFAULT tunnel
// zone of [MIDONET] tunnel_protocol (networking-midonet's CONFIG task).
func (s *Server) loadCluster(ctx context.Context) error {
	start := time.Now()
	if s.loadGate != nil {
		select {
		case <-s.loadGate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := s.Cluster.Load(ctx); err != nil {
		return err
	}
	if err := s.Cluster.Apply(ctx, []cluster.Change{{Type: "UPDATE", Collection: "config", ID: translate.DefaultTunnelZone,
		Doc: translate.Doc{"id": translate.DefaultTunnelZone, "tunnel_protocol": s.tunnelProtocol}}}, 0); err != nil {
		return err
	}
	s.log.Info("cluster loaded the topology", "owners", len(s.Cluster.Owners()), "seconds", time.Since(start).Seconds())
	return nil
}

// syncing says what of this process is still loading the topology (nil: nothing).
func (s *Server) syncing() []string {
	var out []string
	if msg := s.nsdbSyncing(); msg != "" {
		out = append(out, msg)
	}
	if s.Cluster != nil && !s.Cluster.IsLoaded() {
		out = append(out, "syncing: the MidoNet cluster is loading the topology")
	}
	if s.Agent != nil && !isClosed(s.Agent.Ready()) {
		out = append(out, "syncing: the agent is loading the topology")
	}
	if s.statusPending.Load() > 0 {
		out = append(out, "syncing: the port statuses are being brought up to date")
	}
	return out
}

// awaitSync closes s.synced once the NSDB is open and the cluster and the agent of this
// process have loaded,
// and logs how long that took from the start of Run.
func (s *Server) awaitSync(ctx context.Context) {
	start := time.Now()
	if s.waitNSDB(ctx) != nil {
		return
	}
	var loaded, ready <-chan struct{}
	if s.Cluster != nil {
		loaded = s.Cluster.Loaded()
	}
	if s.Agent != nil {
		ready = s.Agent.Ready()
	}
	for _, ch := range []<-chan struct{}{loaded, ready} {
		if ch == nil {
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return
		}
	}
	close(s.synced)
	s.log.Info("synced: the cluster and the agent have loaded the topology", "seconds", time.Since(start).Seconds())
}

// afterSync runs loop once the server has synced (or not at all when ctx ends first).
func (s *Server) afterSync(ctx context.Context, loop func(context.Context)) {
	select {
	case <-s.synced:
		loop(ctx)
	case <-ctx.Done():
	}
}

// statusStarted records that one status loop has made its first pass (or, for router
// ports, started following the cluster's copies).
func (s *Server) statusStarted() { s.statusPending.Add(-1) }

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// releaseStartupPeak returns the heap the start-up left free to the operating system once
// the start-up's work is done: the cluster's and the agent's loads, the status loops' first
// passes and, with the cluster role, the startup repair and the reconciliation's first pass.
// Those read the whole topology (twenty NSDB keys a VM port) and the heap grows to about
// twice what stays live; Go's scavenger would give the difference back only over minutes
// (the resident size of a 100,000-port server stayed above 5 GB for them, with 1.1 GB live).
// One forced collection, once per start.
func (s *Server) releaseStartupPeak(ctx context.Context) {
	select {
	case <-s.synced:
	case <-ctx.Done():
		return
	}
	if s.Cluster != nil {
		select {
		case <-s.repaired:
		case <-ctx.Done():
			return
		}
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for s.statusPending.Load() > 0 {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s.log.Info("start-up done: free heap returned to the operating system", "heap_live_bytes", m.HeapAlloc,
		"heap_from_os_bytes", m.HeapSys-m.HeapReleased)
}
