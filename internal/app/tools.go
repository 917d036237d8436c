package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/midonet-go/midonet/internal/cluster"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/neutrondb"
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

// OpenNSDBOnly opens the NSDB alone (for `midonet metering`).
func OpenNSDBOnly(ctx context.Context, o Options) (*nsdb.Store, error) {
	cfg, err := LoadConfig(o)
	if err != nil {
		return nil, err
	}
	return OpenNSDB(ctx, cfg, o.DataDir, quiet)
}

// WithDB opens the configured Neutron database for one db-manage command, runs fn on it and
// closes it.
func WithDB(ctx context.Context, o Options, fn func(ctx context.Context, d *db.DB) error) error {
	cfg, err := LoadConfig(o)
	if err != nil {
		return err
	}
	d, err := OpenDB(ctx, cfg, o.DataDir)
	if err != nil {
		return err
	}
	defer d.Close()
	return fn(ctx, d)
}

// Verify is `db-manage verify`: it compares the Neutron database with the NSDB (read-only),
// writes the drift to w (one JSON document when asJSON, see ARCHITECTURE.md "Machine-readable
// output") and returns how many differences it found. The stores are closed on return.
func Verify(ctx context.Context, o Options, w io.Writer, asJSON bool) (int, error) {
	c, done, err := OpenClusterView(ctx, o)
	if err != nil {
		return 0, err
	}
	defer done()
	d, err := c.Verify(ctx, c.DB())
	if err != nil {
		return 0, err
	}
	if asJSON {
		return d.Total(), WriteJSON(w, map[string]any{"total": d.Total(), "drift": d})
	}
	writeDrift(w, d)
	return d.Total(), nil
}

// Repair is `db-manage repair`: it re-applies what the NSDB misses or has stale, removes what
// Neutron no longer has (only objects it owns), verifies again and writes what it found, what
// it could not apply and the drift left (one JSON document when asJSON).
func Repair(ctx context.Context, o Options, w io.Writer, asJSON bool) error {
	c, done, err := OpenClusterView(ctx, o)
	if err != nil {
		return err
	}
	defer done()
	d, err := c.Repair(ctx, c.DB())
	if err != nil {
		return err
	}
	after, err := c.Verify(ctx, c.DB())
	if err != nil {
		return err
	}
	if asJSON {
		// One document: what was found, what could not be applied, what is left.
		return WriteJSON(w, map[string]any{"total": d.Total(), "drift": d, "skipped": d.Skipped, "drift_after": after.Total()})
	}
	writeDrift(w, d)
	for _, sk := range d.Skipped {
		fmt.Fprintf(w, "skipped: %s/%s: %s\n", sk.Collection, sk.ID, sk.Reason)
	}
	_, err = fmt.Fprintf(w, "repaired; drift now: %d\n", after.Total())
	return err
}

// CompactNSDB is `db-manage nsdb-compact`: it compacts the NSDB's history, defragments every
// member and clears a NOSPACE alarm, and writes what it did (one JSON document when asJSON).
// When it starts the embedded NSDB itself (no server has it open), that member takes a raft
// snapshot at the compaction's own entry (SnapshotCount 1), so the next start replays none of
// the log written before: after a data dir's conversion to bundles, the large transactions
// since the last snapshot were replayed into memory at every start (91 MB at 100,000 ports).
func CompactNSDB(ctx context.Context, o Options, w io.Writer, asJSON bool) error {
	cfg, err := LoadConfig(o)
	if err != nil {
		return err
	}
	store, err := openNSDB(ctx, cfg, o.DataDir, quiet, func(ctx context.Context, eo nsdb.EmbeddedOptions) (*nsdb.Store, error) {
		eo.SnapshotCount = 1
		return nsdb.OpenOrConnect(ctx, eo)
	})
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := store.Compact(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return WriteJSON(w, res)
	}
	fmt.Fprintf(w, "compacted to revision %d\n", res.Revision)
	for _, m := range res.Members {
		fmt.Fprintf(w, "%s: %d bytes -> %d bytes\n", m.Endpoint, m.BytesBefore, m.BytesAfter)
	}
	for _, a := range res.AlarmsCleared {
		fmt.Fprintf(w, "NOSPACE alarm cleared on member %s\n", a)
	}
	return nil
}

// WriteJSON writes v as one indented JSON document, the form of every --json output.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeDrift writes a drift for people: one line per difference, then the total.
func writeDrift(w io.Writer, d cluster.Drift) {
	for _, sec := range []struct {
		name string
		l    []string
	}{{"missing resources", d.MissingResources}, {"stale resources", d.StaleResources}, {"extra resources", d.ExtraResources},
		{"missing objects", d.MissingObjects}, {"stale objects", d.StaleObjects}, {"extra objects", d.ExtraObjects}} {
		for _, x := range sec.l {
			fmt.Fprintf(w, "%s: %s\n", sec.name, x)
		}
	}
	for _, x := range d.PendingResources {
		fmt.Fprintf(w, "pending: %s\n", x)
	}
	if d.RepairRunning != "" {
		// The server's startup repair (or one a crash cut short, which the next start runs
		// again): what it has not reached yet is listed above.
		fmt.Fprintf(w, "a repair is running (%s): it has not reached everything listed yet; run verify again once it has finished\n", d.RepairRunning)
	}
	if d.PendingTasks > 0 {
		// Not drift: the cluster has not caught up with the journal yet.
		fmt.Fprintf(w, "%d tasks not applied by the cluster yet; %d resources differ only by them (not drift): run verify again once the cluster has caught up\n",
			d.PendingTasks, len(d.PendingResources))
	}
	fmt.Fprintf(w, "drift: %d\n", d.Total())
}

// ImportNeutron is `db-manage import SOURCE`: it copies the upstream Neutron database at
// SOURCE — a postgresql:// URL, or a plain-format pg_dump or a mysqldump file — into the configured
// database, upgraded first and holding no network yet (neutrondb.Import says what is
// copied). The next `serve` converts the monolithic v2 plugin's rows it brought
// (internal/migratev2).
func ImportNeutron(ctx context.Context, o Options, source string, w io.Writer) error {
	var run func(ctx context.Context, d *db.DB) (neutrondb.Summary, error)
	if strings.HasPrefix(source, "postgres://") || strings.HasPrefix(source, "postgresql://") {
		src, err := sql.Open("pgx", source)
		if err != nil {
			return fmt.Errorf("app: import: %w", err)
		}
		defer src.Close()
		if err := src.PingContext(ctx); err != nil {
			return fmt.Errorf("app: import: reach the upstream database: %w", err)
		}
		run = func(ctx context.Context, d *db.DB) (neutrondb.Summary, error) { return neutrondb.Import(ctx, src, d) }
	} else {
		f, err := os.Open(source)
		if err != nil {
			return fmt.Errorf("app: import: the source is neither a postgresql:// URL nor a readable pg_dump or mysqldump file: %w", err)
		}
		defer f.Close()
		run = func(ctx context.Context, d *db.DB) (neutrondb.Summary, error) { return neutrondb.ImportDump(ctx, f, d) }
	}
	return WithDB(ctx, o, func(ctx context.Context, d *db.DB) error {
		if _, err := d.Upgrade(ctx); err != nil {
			return err
		}
		sum, err := run(ctx, d)
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(sum))
		for k := range sum {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "%s: %d\n", k, sum[k])
		}
		return nil
	})
}
