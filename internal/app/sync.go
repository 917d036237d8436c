package app

import (
	"context"
	"time"

	"github.com/midonet-go/midonet/internal/cluster"
	"github.com/midonet-go/midonet/internal/cluster/translate"
)

// The server answers as soon as its database is open and migrated and the NSDB open; the
// cluster and the agent of this process load the topology afterwards, in the background
// (as neutron-server answers while its agents sync). Until they have, /healthcheck says
// what is still syncing, a change sent to the cluster waits for it (or is refused 503,
// syncing) and the status loops wait.

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

// awaitSync closes s.synced once the cluster and the agent of this process have loaded,
// and logs how long that took from the start of Run.
func (s *Server) awaitSync(ctx context.Context) {
	start := time.Now()
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
