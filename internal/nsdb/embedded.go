package nsdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"go.etcd.io/etcd/client/pkg/v3/fileutil"
	"go.etcd.io/etcd/server/v3/embed"
	"go.etcd.io/etcd/server/v3/etcdserver/api/v3client"
	"go.etcd.io/etcd/server/v3/storage/wal"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// ErrLocked reports that another running process (or Store) owns the data directory; its
// client endpoint can be read with EndpointFile.
var ErrLocked = errors.New("nsdb: data directory is in use by another instance")

// DefaultMaxTxnOps is the operation limit of one transaction on the embedded server: one
// translated Neutron change (a router with many interfaces, a security group with many
// ports) is written in one transaction.
const DefaultMaxTxnOps = 16384

// DefaultSnapshotCount is the embedded server's interval between snapshots to disk, in raft
// entries (etcd's default: 10,000). A snapshot of a v3 server saves only the membership and
// commits the backend, so taking one every 2,000 entries costs little, and a restart
// replays at most 2,000 entries of the WAL into memory (BENCHMARKS.md, "Memory per port").
const DefaultSnapshotCount = 2000

// WALSegmentBytes is the size of the embedded server's write-ahead log files (etcd's
// default: 64 MB). A start replays the log from the beginning of the file that holds the
// last snapshot, so it decodes up to a file's worth of entries the snapshot already covers
// (after the conversion to bundles, whose transactions are large, 0.69 GB of allocations at
// every start of the 100,000-port dir). An 8 MB file bounds that, and the files etcd keeps
// (5) hold 40 MB instead of 320 MB. The start of that dir, compacted once with 8 MB files,
// was not measurably faster (synced 24 s vs 20 s, peak RSS 2.54 vs 2.70 GB, one run each,
// load 2). etcd reads the size from a package variable, set once here before any server
// starts.
const WALSegmentBytes = 8 << 20

func init() { wal.SegmentSizeBytes = WALSegmentBytes }

// DefaultSnapshotCatchUpEntries is how many applied raft entries the embedded server keeps
// in memory. They are there for a slow follower to catch up from; the embedded server is a
// single member and has none. etcd's default, 5,000 entries, held about 9 KB per port of
// raft log at a few thousand ports (one transaction of twenty objects a port).
const DefaultSnapshotCatchUpEntries = 100

// Files in EmbeddedOptions.Dir beside etcd's own member/ directory.
const (
	endpointFile = "endpoint"
	lockFile     = "lock"
)

// EmbeddedOptions configures OpenEmbedded.
type EmbeddedOptions struct {
	// Dir is the data directory (e.g. <data-dir>/etcd): etcd's member/ directory, the
	// lock file and, while the store runs, the endpoint file live here.
	Dir string
	// ClientURL is where clients connect; "" picks http://127.0.0.1:<free port>. The
	// chosen URL is written to Dir/endpoint once the server is ready.
	ClientURL string
	// PeerURL is the raft peer URL; "" picks http://127.0.0.1:<free port>.
	PeerURL string
	// MaxTxnOps is the operation limit of one transaction; 0 = DefaultMaxTxnOps.
	MaxTxnOps uint
	// MaxRequestBytes is the largest request the server accepts; 0 = 8 MiB.
	MaxRequestBytes uint
	// QuotaBytes is the size the backend may grow to before etcd raises its NOSPACE
	// alarm and refuses writes; 0 = etcd's default (2 GiB).
	QuotaBytes int64
	// SnapshotCount is how many raft entries etcd applies between snapshots to disk; 0 =
	// DefaultSnapshotCount. A restart replays up to this many entries of the WAL into
	// memory.
	SnapshotCount uint64
	// SnapshotCatchUpEntries is how many applied raft entries etcd keeps in memory (it
	// compacts its in-memory log every hundred entries down to these); 0 =
	// DefaultSnapshotCatchUpEntries.
	SnapshotCatchUpEntries uint64
	// Logger receives etcd's own logs: errors only, unless it is enabled at debug level.
	// nil = slog.Default().
	Logger *slog.Logger
}

// OpenEmbedded starts a single-member etcd on loopback with its data in o.Dir, waits until
// it serves, and connects to it. It fails with ErrLocked at once (rather than waiting) when
// another instance owns o.Dir.
func OpenEmbedded(ctx context.Context, o EmbeddedOptions) (*Store, error) {
	if o.Dir == "" {
		return nil, errors.New("nsdb: open embedded: no data directory")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("nsdb: open embedded: %w", err)
	}
	// etcd waits forever on the flock of its bolt file; our own lock fails fast instead.
	lock, err := fileutil.TryLockFile(filepath.Join(o.Dir, lockFile), os.O_WRONLY|os.O_CREATE, fileutil.PrivateFileMode)
	if errors.Is(err, fileutil.ErrLocked) {
		return nil, fmt.Errorf("%w: %s", ErrLocked, o.Dir)
	}
	if err != nil {
		return nil, fmt.Errorf("nsdb: open embedded: lock %s: %w", o.Dir, err)
	}
	if boltLocked(o.Dir) {
		lock.Close()
		return nil, fmt.Errorf("%w: %s (its etcd database is open in another process)", ErrLocked, o.Dir)
	}
	// A previous run that did not close cleanly may have left its endpoint behind.
	_ = os.Remove(filepath.Join(o.Dir, endpointFile))

	level := etcdLevel(o.Logger)
	e, clientURL, err := startEtcd(ctx, o, level)
	if err != nil {
		lock.Close()
		return nil, err
	}
	s, err := connect(ctx, []string{clientURL}, o.Logger, level)
	if err != nil {
		level.SetLevel(zapcore.FatalLevel)
		e.Close()
		lock.Close()
		return nil, err
	}
	s.etcd, s.dir, s.lock = e, o.Dir, lock
	s.local = v3client.New(e.Server)
	if err := writeFileAtomic(filepath.Join(o.Dir, endpointFile), []byte(clientURL+"\n")); err != nil {
		s.Close()
		return nil, fmt.Errorf("nsdb: open embedded: %w", err)
	}
	return s, nil
}

// OpenOrConnect opens the embedded store in o.Dir or, when a running process owns that
// directory, connects to that process's etcd through Dir/endpoint (what `db-manage` does
// beside a running `serve`).
func OpenOrConnect(ctx context.Context, o EmbeddedOptions) (*Store, error) {
	s, err := OpenEmbedded(ctx, o)
	if !errors.Is(err, ErrLocked) {
		return s, err
	}
	ep, eerr := EndpointFile(o.Dir)
	if eerr != nil {
		return nil, fmt.Errorf("%w (%w)", err, eerr)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return connect(ctx, []string{ep}, o.Logger, etcdLevel(o.Logger))
}

// EndpointFile returns the client URL that a running embedded store in dir wrote to
// dir/endpoint. The error wraps fs.ErrNotExist when no store is running there.
func EndpointFile(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, endpointFile))
	if err != nil {
		return "", fmt.Errorf("nsdb: endpoint file: %w", err)
	}
	ep := strings.TrimSpace(string(b))
	if ep == "" {
		return "", fmt.Errorf("nsdb: endpoint file %s is empty", filepath.Join(dir, endpointFile))
	}
	return ep, nil
}

// startEtcd starts the server and waits until it serves. Ports picked here may be taken by
// someone else before etcd binds them; then it tries again with new ones.
func startEtcd(ctx context.Context, o EmbeddedOptions, level zap.AtomicLevel) (*embed.Etcd, string, error) {
	for attempt := 0; ; attempt++ {
		cfg, err := embeddedConfig(o, level)
		if err != nil {
			return nil, "", err
		}
		clientURL := cfg.AdvertiseClientUrls[0].String()
		e, err := embed.StartEtcd(cfg)
		if err != nil {
			if errors.Is(err, syscall.EADDRINUSE) && (o.ClientURL == "" || o.PeerURL == "") && attempt < 5 {
				continue
			}
			return nil, "", fmt.Errorf("nsdb: start etcd in %s: %w", o.Dir, err)
		}
		select {
		case <-e.Server.ReadyNotify():
			return e, clientURL, nil
		case err = <-e.Err():
		case <-e.Server.StopNotify():
			err = errors.New("server stopped while starting")
		case <-ctx.Done():
			err = ctx.Err()
		}
		e.Close()
		return nil, "", fmt.Errorf("nsdb: start etcd in %s: %w", o.Dir, err)
	}
}

func embeddedConfig(o EmbeddedOptions, level zap.AtomicLevel) (*embed.Config, error) {
	client, err := urlOrFree(o.ClientURL)
	if err != nil {
		return nil, fmt.Errorf("nsdb: client url: %w", err)
	}
	peer, err := urlOrFree(o.PeerURL)
	if err != nil {
		return nil, fmt.Errorf("nsdb: peer url: %w", err)
	}
	cfg := embed.NewConfig()
	cfg.Name = "nsdb"
	cfg.Dir = o.Dir
	cfg.ListenClientUrls = []url.URL{*client}
	cfg.AdvertiseClientUrls = []url.URL{*client}
	cfg.ListenPeerUrls = []url.URL{*peer}
	cfg.AdvertisePeerUrls = []url.URL{*peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.InitialClusterToken = "midonet-nsdb"
	cfg.ClusterState = embed.ClusterStateFlagNew
	cfg.MaxTxnOps = o.MaxTxnOps
	if cfg.MaxTxnOps == 0 {
		cfg.MaxTxnOps = DefaultMaxTxnOps
	}
	cfg.MaxRequestBytes = maxRequestBytes
	if o.MaxRequestBytes > 0 {
		cfg.MaxRequestBytes = o.MaxRequestBytes
	}
	cfg.QuotaBackendBytes = o.QuotaBytes
	// Keep an hour of history so that watchers can resume after a restart or a network
	// blip; etcd compacts every tenth of the retention.
	cfg.AutoCompactionMode = embed.CompactorModePeriodic
	cfg.AutoCompactionRetention = "1h"
	cfg.SnapshotCount = o.SnapshotCount
	if cfg.SnapshotCount == 0 {
		cfg.SnapshotCount = DefaultSnapshotCount
	}
	cfg.SnapshotCatchUpEntries = o.SnapshotCatchUpEntries
	if cfg.SnapshotCatchUpEntries == 0 {
		cfg.SnapshotCatchUpEntries = DefaultSnapshotCatchUpEntries
	}
	cfg.Logger = "zap"
	cfg.LogLevel = "error"
	if o.Logger.Enabled(context.Background(), slog.LevelDebug) {
		cfg.LogLevel = "debug"
	}
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zapLogger(o.Logger, level))
	return cfg, nil
}

// urlOrFree parses raw, or returns http://127.0.0.1:<a port free right now>.
func urlOrFree(raw string) (*url.URL, error) {
	if raw != "" {
		return url.Parse(raw)
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	return &url.URL{Scheme: "http", Host: net.JoinHostPort("127.0.0.1", fmt.Sprint(port))}, nil
}

// FreePort returns a loopback TCP port that nothing listens on at the moment.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func writeFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func (s *Store) close() error {
	// Stopping makes etcd log errors about closed listeners and connections.
	s.logLevel.SetLevel(zapcore.FatalLevel)
	var errs []error
	if err := s.client.Close(); err != nil && !errors.Is(err, context.Canceled) {
		errs = append(errs, err)
	}
	if s.local != nil {
		_ = s.local.Close() // its calls end with the server's
	}
	if s.etcd != nil {
		if err := os.Remove(filepath.Join(s.dir, endpointFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
		s.etcd.Close()
		if err := s.lock.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("nsdb: close: %w", err)
	}
	return nil
}
