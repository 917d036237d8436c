package app

import (
	"context"
	"io"
	"log/slog"

	"github.com/midonet-go/midonet/internal/cluster"
	"github.com/midonet-go/midonet/internal/nsdb"
)

// quiet is the logger of the one-shot tools: their output is their answer, not a log.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// OpenClusterView opens the Neutron DB and the NSDB the way serve does (reaching a running
// serve's embedded etcd through its endpoint file) and loads a cluster view of the NSDB, for
// `db-manage verify` and `repair`. done closes both stores.
func OpenClusterView(ctx context.Context, o Options) (c *cluster.Cluster, done func(), err error) {
	cfg, err := LoadConfig(o)
	if err != nil {
		return nil, nil, err
	}
	d, err := OpenDB(ctx, cfg, o.DataDir)
	if err != nil {
		return nil, nil, err
	}
	store, err := OpenNSDB(ctx, cfg, o.DataDir, quiet)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	done = func() { store.Close(); d.Close() }
	if c, err = NewCluster(store, quiet); err == nil {
		err = c.Load(ctx)
	}
	if err != nil {
		done()
		return nil, nil, err
	}
	c.SetDB(d)
	return c, done, nil
}

// OpenNSDBOnly opens the NSDB alone (for `db-manage nsdb-compact`).
func OpenNSDBOnly(ctx context.Context, o Options) (*nsdb.Store, error) {
	cfg, err := LoadConfig(o)
	if err != nil {
		return nil, err
	}
	return OpenNSDB(ctx, cfg, o.DataDir, quiet)
}
