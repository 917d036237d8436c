// Package nsdbtest opens a real embedded NSDB (etcd) for one test or benchmark, under its
// temporary directory, with its logs discarded.
package nsdbtest

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/midonet-go/midonet/internal/nsdb"
)

// Quiet is a logger that discards everything.
var Quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Open starts an embedded etcd in tb's temporary directory and closes it when tb ends.
func Open(ctx context.Context, tb testing.TB) *nsdb.Store {
	tb.Helper()
	store, err := nsdb.OpenEmbedded(ctx, nsdb.EmbeddedOptions{Dir: filepath.Join(tb.TempDir(), "etcd"), Logger: Quiet})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	return store
}
