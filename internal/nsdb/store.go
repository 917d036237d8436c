// Package nsdb is the network state database: the MidoNet topology and the cluster's
// bookkeeping stored in etcd, either an embedded single-node etcd (the default, see
// OpenEmbedded) or an external etcd cluster (Connect).
//
// The cluster is the only writer: it applies each translated Neutron change as one
// guarded transaction (Txn) while it holds the leadership (Campaign). Agents and tools
// read (Get, List, Objects) and follow changes (Watch); agents keep their host alive with
// a lease (GrantLease, KeepAlive).
//
// Key layout (keys.go): under /midonet/data/<version>/,
//   - owned/<collection>/<id>: the bundle of one Neutron resource (bundle.go): every object
//     its translation made (Meta.Owner set), sorted, in one zstd-compressed value — one key a
//     resource instead of one an object;
//   - topology/<Kind>/<id>: an object nobody translated (agents', hand-made ones), one key
//     each (and, in a data version written before bundles, owned objects too, until the
//     cluster's startup repair converts them into bundles);
//   - neutron/<collection>/<id>: the cluster's copy of a Neutron resource;
//   - learned/<host>/Route/<id>: routes an agent learned;
//
// (owners/, which sorts between owned/ and topology/, is no longer written: it was an index
// of owned objects no reader used; readers of that range skip it.)
//
// and /midonet/active_version, /midonet/cluster/last_task, /midonet/cluster/repair.
package nsdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"go.etcd.io/etcd/client/pkg/v3/fileutil"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

const (
	// maxRequestBytes is the largest request the embedded server accepts (one big Txn).
	maxRequestBytes = 8 << 20
	// clientSendBytes is what the client lets through: the server limit plus gRPC framing.
	clientSendBytes = maxRequestBytes + 1<<20
	// listPage is how many keys one range request of List returns.
	listPage = 1000
	// dialTimeout bounds establishing the first connection of a client.
	dialTimeout = 5 * time.Second
)

// Store is an open NSDB: an embedded single-node etcd or a client of an external cluster.
// It is safe for concurrent use.
type Store struct {
	client    *clientv3.Client
	endpoints []string
	log       *slog.Logger
	// logLevel gates the etcd logs of this store (client and embedded server).
	logLevel zap.AtomicLevel

	// Embedded only.
	etcd *embed.Etcd
	// local reaches the embedded etcd in process (no loopback gRPC connection): Txn, the
	// cluster's write path, goes through it.
	local *clientv3.Client
	dir   string
	lock  *fileutil.LockedFile

	closeOnce sync.Once
	closeErr  error

	writeGuard atomic.Pointer[func() error] // see SetWriteGuard

	// A store made by Opening (opening.go): opened is closed by Adopt; the fields above are
	// set before it is, and read only after. nil: open from the start.
	opened  chan struct{}
	openErr error
	openMu  sync.Mutex
	closing bool // Close was called (under openMu)
}

// KV is one stored key.
type KV struct {
	Key         string
	Value       []byte
	ModRevision int64
}

// Guard is a condition of a Txn on one key. Exactly one form is used:
//   - Value != nil: the key exists and its value equals Value;
//   - Absent: the key does not exist;
//   - CheckRev: the key's ModRevision equals ModRevision (0 also means absent).
type Guard struct {
	Key         string
	Value       []byte
	Absent      bool
	ModRevision int64
	CheckRev    bool
}

// Op is one write of a Txn: a put (with an optional lease) or a delete of a single key.
type Op struct {
	Key    string
	Value  []byte
	Delete bool
	Lease  int64
}

// Connect opens a client of an external etcd cluster (or of a running embedded store, see
// EndpointFile) and checks that the cluster answers a quorum read before returning.
func Connect(ctx context.Context, endpoints []string) (*Store, error) {
	l := slog.Default()
	return connect(ctx, endpoints, l, etcdLevel(l))
}

func connect(ctx context.Context, endpoints []string, l *slog.Logger, level zap.AtomicLevel) (*Store, error) {
	if len(endpoints) == 0 {
		return nil, errors.New("nsdb: connect: no endpoints")
	}
	c, err := clientv3.New(clientv3.Config{
		Endpoints:            slices.Clone(endpoints),
		DialTimeout:          dialTimeout,
		DialKeepAliveTime:    10 * time.Second,
		DialKeepAliveTimeout: 5 * time.Second,
		MaxCallSendMsgSize:   clientSendBytes,
		Logger:               zapLogger(l, level),
	})
	if err != nil {
		return nil, fmt.Errorf("nsdb: connect %v: %w", endpoints, err)
	}
	// A linearizable read proves the endpoints are reachable and the cluster has a leader.
	rctx, cancel := context.WithTimeout(ctx, 2*dialTimeout)
	defer cancel()
	if _, err := c.Get(rctx, ActiveVersionKey, clientv3.WithCountOnly()); err != nil {
		c.Close()
		return nil, fmt.Errorf("nsdb: connect %v: %w", endpoints, err)
	}
	return &Store{client: c, endpoints: slices.Clone(endpoints), log: l, logLevel: level}, nil
}

// Close closes the client and, for an embedded store, stops etcd, removes Dir/endpoint and
// releases the data directory. Closing twice is harmless. etcd lets open requests of other
// clients finish first: with an external client watching, stopping takes etcd's request
// timeout (about 7 s) before those streams are cut.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.opened != nil {
			s.openMu.Lock()
			s.closing = true
			open := isDone(s.opened) && s.openErr == nil
			s.openMu.Unlock()
			if !open {
				return // Adopt closes what opens later
			}
		}
		s.closeErr = s.close()
	})
	return s.closeErr
}

// Endpoints returns the client URLs of the store.
func (s *Store) Endpoints() []string { return slices.Clone(s.endpoints) }

// Client returns the underlying etcd client, for what this package does not wrap (nil
// while a store made by Opening is not open).
func (s *Store) Client() *clientv3.Client {
	if !s.IsOpen() {
		return nil
	}
	return s.client
}

// Get returns the key, or nil, nil when it is absent.
func (s *Store) Get(ctx context.Context, key string) (*KV, error) {
	if err := s.wait(ctx); err != nil {
		return nil, fmt.Errorf("nsdb: get %s: %w", key, err)
	}
	resp, err := s.client.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("nsdb: get %s: %w", key, err)
	}
	if len(resp.Kvs) == 0 {
		return nil, nil
	}
	kv := resp.Kvs[0]
	return &KV{Key: string(kv.Key), Value: kv.Value, ModRevision: kv.ModRevision}, nil
}

// List returns every key under prefix in key order, all read at one store revision (which
// it returns too, so a Watch from revision+1 misses nothing). Large prefixes are read in
// pages; if the pinned revision is compacted while paging, the listing starts over.
func (s *Store) List(ctx context.Context, prefix string) ([]KV, int64, error) {
	return s.list(ctx, prefix, false)
}

// Scan reads every key under prefix at one revision, in key order, handing fn one page at a
// time (fn must not keep the slice; it may keep the values), and returns that revision.
// Unlike List it never holds the whole prefix in memory: the cluster's and the agent's
// start-up read a million topology objects this way. An error of fn stops the scan.
func (s *Store) Scan(ctx context.Context, prefix string, fn func([]KV) error) (int64, error) {
	l := &lister{s: s, emit: fn}
	if err := l.span(ctx, prefix, clientv3.GetPrefixRangeEnd(prefix)); err != nil {
		return 0, fmt.Errorf("nsdb: scan %s: %w", prefix, err)
	}
	return l.rev, nil
}

// Each calls f with every key under prefix in key order, all read at one store revision
// (which it returns), a page at a time through Scan: a caller that keeps a digest of each
// value (the agent's cache, the cluster's sums) needs only a page in memory besides what it
// keeps. If the pinned revision is compacted while paging, the listing starts over: begin is
// called before each pass (and f's caller forgets there what the pass before gave it). f must
// not keep kv.Value.
func (s *Store) Each(ctx context.Context, prefix string, begin func(), f func(kv KV)) (int64, error) {
	for attempt := 0; ; attempt++ {
		begin()
		rev, err := s.Scan(ctx, prefix, func(page []KV) error {
			for _, kv := range page {
				f(kv)
			}
			return nil
		})
		if errors.Is(err, rpctypes.ErrCompacted) && attempt < 3 {
			continue
		}
		return rev, err
	}
}

// EachAt is Each at a given store revision (0: the current one), for a reader that must see
// exactly what a listing and the watch events after it gave (the agent reads the objects it
// does not keep at the revision of its cache). It fails with an error wrapping
// rpctypes.ErrCompacted when rev is compacted.
func (s *Store) EachAt(ctx context.Context, prefix string, rev int64, f func(kv KV)) error {
	l := &lister{s: s, rev: rev, emit: func(page []KV) error {
		for _, kv := range page {
			f(kv)
		}
		return nil
	}}
	if err := l.span(ctx, prefix, clientv3.GetPrefixRangeEnd(prefix)); err != nil {
		return fmt.Errorf("nsdb: scan %s at revision %d: %w", prefix, rev, err)
	}
	return nil
}

// GetAt is Get at a given store revision (0: the current one); it fails with an error
// wrapping rpctypes.ErrCompacted when rev is compacted.
func (s *Store) GetAt(ctx context.Context, key string, rev int64) (*KV, error) {
	var opts []clientv3.OpOption
	if rev != 0 {
		opts = append(opts, clientv3.WithRev(rev))
	}
	resp, err := s.client.Get(ctx, key, opts...)
	if err != nil {
		return nil, fmt.Errorf("nsdb: get %s at revision %d: %w", key, rev, err)
	}
	if len(resp.Kvs) == 0 {
		return nil, nil
	}
	kv := resp.Kvs[0]
	return &KV{Key: string(kv.Key), Value: kv.Value, ModRevision: kv.ModRevision}, nil
}

func (s *Store) list(ctx context.Context, prefix string, keysOnly bool) ([]KV, int64, error) {
	for attempt := 0; ; attempt++ {
		kvs, rev, err := s.listOnce(ctx, prefix, keysOnly)
		if errors.Is(err, rpctypes.ErrCompacted) && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, 0, fmt.Errorf("nsdb: list %s: %w", prefix, err)
		}
		return kvs, rev, nil
	}
}

func (s *Store) listOnce(ctx context.Context, prefix string, keysOnly bool) ([]KV, int64, error) {
	var out []KV
	l := &lister{s: s, keysOnly: keysOnly, emit: func(kvs []KV) error {
		out = append(out, kvs...)
		return nil
	}}
	if err := l.span(ctx, prefix, clientv3.GetPrefixRangeEnd(prefix)); err != nil {
		return nil, 0, err
	}
	return out, l.rev, nil
}

// lister reads a range in pages at one revision. etcd counts every key of a range on each
// request, even with a limit, so paging one large range from start to end costs
// O(keys²/page): 2 million topology keys took minutes. Instead each request reads a window
// of the key space sized to hold about one page: after a page that said more follows, the
// next window is as wide (in the key space read as base-256 fractions) as that page was;
// after a window with less than half a page, the next one is twice as wide. A request thus
// counts about a page of keys, plus, once per crossing from a sparse stretch into a dense
// one, the part of the dense stretch the widened window covers: a listing costs a few
// counts of each key (it cost log₂(keys/page) with the halving used before) and returns
// every key once, in order.
type lister struct {
	s        *Store
	keysOnly bool
	rev      int64
	emit     func([]KV) error
}

// span hands out the keys of [from, end) in order (end "\x00": the end of the key space).
func (l *lister) span(ctx context.Context, from, end string) error {
	if err := l.s.wait(ctx); err != nil {
		return err
	}
	var width *big.Int // nil: the whole rest of the range
	for {
		hi := end
		if width != nil {
			if h, ok := keyPlus(from, width); ok && (end == "\x00" || h < end) {
				hi = h
			}
		}
		opts := []clientv3.OpOption{clientv3.WithRange(hi), clientv3.WithLimit(listPage)}
		if l.rev != 0 {
			opts = append(opts, clientv3.WithRev(l.rev))
		}
		if l.keysOnly {
			opts = append(opts, clientv3.WithKeysOnly())
		}
		resp, err := l.s.client.Get(ctx, from, opts...)
		if err != nil {
			return err
		}
		if l.rev == 0 {
			l.rev = resp.Header.Revision
		}
		if len(resp.Kvs) > 0 {
			page := make([]KV, len(resp.Kvs))
			for i, kv := range resp.Kvs {
				page[i] = KV{Key: string(kv.Key), Value: kv.Value, ModRevision: kv.ModRevision}
			}
			if err := l.emit(page); err != nil {
				return err
			}
		}
		switch {
		case resp.More && len(resp.Kvs) > 0:
			// More than a page in the window: the next windows hold about what this page did.
			last := string(resp.Kvs[len(resp.Kvs)-1].Key)
			width = keyDistance(from, last)
			from = last + "\x00"
		case hi == end:
			return nil
		default:
			from = hi
			if len(resp.Kvs) < listPage/2 {
				width.Lsh(width, 1)
			}
		}
	}
}

// keyScale is how many leading bytes of a key the window arithmetic reads: keys are
// numbers in [0, 256^keyScale). Longer keys still list correctly (a window's end is only a
// boundary), they just size their windows by their first keyScale bytes.
const keyScale = 128

func keyInt(k string) *big.Int {
	if len(k) > keyScale {
		k = k[:keyScale]
	}
	return new(big.Int).SetBytes(padRight(k, keyScale))
}

// keyDistance is hi − lo in the key space, at least 1.
func keyDistance(lo, hi string) *big.Int {
	d := new(big.Int).Sub(keyInt(hi), keyInt(lo))
	if d.Sign() <= 0 {
		d.SetInt64(1)
	}
	return d
}

// keyPlus is the key w after k in the key space (trailing zero bytes dropped); ok is false
// when that is past the end of the key space or not after k.
func keyPlus(k string, w *big.Int) (string, bool) {
	x := new(big.Int).Add(keyInt(k), w)
	b := x.Bytes()
	if len(b) > keyScale {
		return "", false
	}
	h := strings.TrimRight(string(append(make([]byte, keyScale-len(b)), b...)), "\x00")
	return h, h > k
}

func padRight(s string, n int) []byte {
	b := make([]byte, n)
	copy(b, s)
	return b
}

// Txn applies all ops atomically iff every guard holds, and returns whether it did and the
// store revision after it (the revision of the writes when applied). Ops apply in order:
// when several name the same key only the last one counts (etcd refuses a transaction that
// writes one key twice).
func (s *Store) Txn(ctx context.Context, guards []Guard, ops []Op) (bool, int64, error) {
	if err := s.wait(ctx); err != nil {
		return false, 0, fmt.Errorf("nsdb: txn: %w", err)
	}
	if err := s.checkSpace(); err != nil {
		return false, 0, err
	}
	cmps := make([]clientv3.Cmp, 0, len(guards))
	for _, g := range guards {
		c, err := g.cmp()
		if err != nil {
			return false, 0, fmt.Errorf("nsdb: txn: %w", err)
		}
		cmps = append(cmps, c)
	}
	writes := make([]clientv3.Op, 0, len(ops))
	for _, o := range dedupe(ops) {
		switch {
		case o.Delete:
			writes = append(writes, clientv3.OpDelete(o.Key))
		case o.Lease != 0:
			writes = append(writes, clientv3.OpPut(o.Key, string(o.Value), clientv3.WithLease(clientv3.LeaseID(o.Lease))))
		default:
			writes = append(writes, clientv3.OpPut(o.Key, string(o.Value)))
		}
	}
	kv := clientv3.KV(s.client)
	if s.local != nil {
		kv = s.local
	}
	resp, err := kv.Txn(ctx).If(cmps...).Then(writes...).Commit()
	if err != nil {
		return false, 0, fmt.Errorf("nsdb: txn (%d guards, %d ops): %w", len(cmps), len(writes), err)
	}
	return resp.Succeeded, resp.Header.Revision, nil
}

func (g Guard) cmp() (clientv3.Cmp, error) {
	switch {
	case g.Key == "":
		return clientv3.Cmp{}, errors.New("guard without a key")
	case g.CheckRev && !g.Absent && g.Value == nil:
		return clientv3.Compare(clientv3.ModRevision(g.Key), "=", g.ModRevision), nil
	case g.Absent && !g.CheckRev && g.Value == nil:
		return clientv3.Compare(clientv3.CreateRevision(g.Key), "=", 0), nil
	case g.Value != nil && !g.CheckRev && !g.Absent:
		return clientv3.Compare(clientv3.Value(g.Key), "=", string(g.Value)), nil
	}
	return clientv3.Cmp{}, fmt.Errorf("guard on %s must set exactly one of Value, Absent, CheckRev", g.Key)
}

// dedupe keeps the last op of each key, in the order of those last ops.
func dedupe(ops []Op) []Op {
	last := make(map[string]int, len(ops))
	for i, o := range ops {
		last[o.Key] = i
	}
	if len(last) == len(ops) {
		return ops
	}
	out := make([]Op, 0, len(last))
	for i, o := range ops {
		if last[o.Key] == i {
			out = append(out, o)
		}
	}
	return out
}

// IsCompacted reports whether err says the revision read was compacted away.
func IsCompacted(err error) bool { return errors.Is(err, rpctypes.ErrCompacted) }
