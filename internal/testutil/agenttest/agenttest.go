// Package agenttest runs a control-plane agent (no datapath, no host interfaces) over an NSDB
// for one test.
package agenttest

import (
	"context"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/agent"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/testutil/nsdbtest"
	"github.com/midonet-go/midonet/internal/topology"
)

// Run starts an agent with the options o (no host interfaces, a 5 s lease, quiet logs) over
// store, stops it when the test ends, and returns it once it is ready.
func Run(ctx context.Context, t *testing.T, store *nsdb.Store, o agent.Options) *agent.Agent {
	t.Helper()
	o.Interfaces = func() []topology.HostInterface { return nil }
	o.LeaseTTL, o.Log = 5*time.Second, nsdbtest.Quiet
	a := agent.New(store, o)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		<-done
	})
	select {
	case <-a.Ready():
	case <-ctx.Done():
		t.Fatal("the agent never became ready")
	}
	return a
}
