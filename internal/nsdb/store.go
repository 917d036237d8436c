// Package nsdb is the network state database: the MidoNet topology and the cluster's
// bookkeeping stored in etcd, either an embedded single-node etcd (the default, see
// OpenEmbedded) or an external etcd cluster (Connect).
//
// The cluster is the only writer: it applies each translated Neutron change as one
// guarded transaction (Txn) while it holds the leadership (Campaign). Agents and tools
// read (Get, List, Objects) and follow changes (Watch); agents keep their host alive with
// a lease (GrantLease, KeepAlive).
//
// Key layout (keys.go): /midonet/data/<version>/{topology,owners,neutron}/…,
// /midonet/active_version and /midonet/cluster/last_task.
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
	dir  string
	lock *fileutil.LockedFile

	closeOnce sync.Once
	closeErr  error

	writeGuard atomic.Pointer[func() error] // see SetWriteGuard
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
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

// Endpoints returns the client URLs of the store.
func (s *Store) Endpoints() []string { return slices.Clone(s.endpoints) }

// Client returns the underlying etcd client, for what this package does not wrap.
func (s *Store) Client() *clientv3.Client { return s.client }

// Get returns the key, or nil, nil when it is absent.
func (s *Store) Get(ctx context.Context, key string) (*KV, error) {
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

// Each calls f with every key under prefix in key order, all read at one store revision
// (which it returns), a page at a time: unlike List it never holds the whole listing, so a
// caller that keeps a digest of each value (the agent's cache, the cluster's sums) needs
// only a page in memory besides what it keeps. If the pinned revision is compacted while
// paging, the listing starts over: begin is called before each pass (and f's caller forgets
// what the pass before gave it there). f must not keep kv.Value.
func (s *Store) Each(ctx context.Context, prefix string, begin func(), f func(kv KV)) (int64, error) {
	for attempt := 0; ; attempt++ {
		begin()
		l := &lister{s: s, each: f}
		err := l.span(ctx, prefix, clientv3.GetPrefixRangeEnd(prefix))
		if errors.Is(err, rpctypes.ErrCompacted) && attempt < 3 {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("nsdb: list %s: %w", prefix, err)
		}
		return l.rev, nil
	}
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
	l := &lister{s: s, keysOnly: keysOnly}
	if err := l.span(ctx, prefix, clientv3.GetPrefixRangeEnd(prefix)); err != nil {
		return nil, 0, err
	}
	return l.out, l.rev, nil
}

// lister reads a range in pages at one revision. etcd counts every key of a range on each
// request, even with a limit, so paging one large range from start to end costs
// O(keys²/page): 2 million topology keys took minutes. Instead, when a page says more
// follows, the rest of the range is cut in two at the midpoint of its bounds and each half
// read the same way: every level of cuts counts each key about once, so a listing costs
// O(keys·log(keys/page)) and still returns every key once, in order.
type lister struct {
	s        *Store
	keysOnly bool
	rev      int64
	out      []KV
	each     func(KV) // when set, each key goes here instead of out
}

// span appends the keys of [from, end) in order.
func (l *lister) span(ctx context.Context, from, end string) error {
	for {
		opts := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithLimit(listPage)}
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
			if l.each == nil {
				l.out = make([]KV, 0, resp.Count)
			}
		}
		for _, kv := range resp.Kvs {
			if l.each != nil {
				l.each(KV{Key: string(kv.Key), Value: kv.Value, ModRevision: kv.ModRevision})
				continue
			}
			l.out = append(l.out, KV{Key: string(kv.Key), Value: kv.Value, ModRevision: kv.ModRevision})
		}
		if !resp.More || len(resp.Kvs) == 0 {
			return nil
		}
		from = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
		if mid, ok := midKey(from, end); ok {
			if err := l.span(ctx, from, mid); err != nil {
				return err
			}
			from = mid
		}
	}
}

// midKey returns a key strictly between lo and hi in byte order (hi "\x00" stands for the
// end of the key space, as etcd's range ends do), about halfway when both are read as
// fractions of base 256; ok is false when there is none.
func midKey(lo, hi string) (string, bool) {
	if hi == "\x00" {
		hi = ""
	}
	n := max(len(lo), len(hi)) + 1
	a := new(big.Int).SetBytes(padRight(lo, n))
	var b *big.Int
	if hi == "" {
		b = new(big.Int).Lsh(big.NewInt(1), uint(8*n))
	} else {
		b = new(big.Int).SetBytes(padRight(hi, n))
	}
	m := new(big.Int).Add(a, b)
	m.Rsh(m, 1)
	mb := m.Bytes()
	if len(mb) > n {
		return "", false
	}
	mid := string(append(make([]byte, n-len(mb)), mb...))
	mid = strings.TrimRight(mid, "\x00")
	if mid <= lo || (hi != "" && mid >= hi) {
		return "", false
	}
	return mid, true
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
	resp, err := s.client.Txn(ctx).If(cmps...).Then(writes...).Commit()
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
