package nsdb

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"
)

// ElectionPrefix is where elections named without a leading "/" live.
const ElectionPrefix = "/midonet/election/"

// GrantLease creates a lease of ttl (rounded up to whole seconds; etcd may raise very short
// ones to its minimum). Keys put with it (Op.Lease) vanish when it expires or is revoked.
func (s *Store) GrantLease(ctx context.Context, ttl time.Duration) (int64, error) {
	if err := s.wait(ctx); err != nil {
		return 0, fmt.Errorf("nsdb: grant lease: %w", err)
	}
	resp, err := s.client.Grant(ctx, ttlSeconds(ttl))
	if err != nil {
		return 0, fmt.Errorf("nsdb: grant lease: %w", err)
	}
	return int64(resp.ID), nil
}

// KeepAlive renews the lease until ctx ends. The returned channel is closed when the lease
// is lost: it expired (renewals did not get through in time), it was revoked, or ctx ended.
func (s *Store) KeepAlive(ctx context.Context, lease int64) (<-chan struct{}, error) {
	if err := s.wait(ctx); err != nil {
		return nil, fmt.Errorf("nsdb: keep lease %x alive: %w", lease, err)
	}
	ch, err := s.client.KeepAlive(ctx, clientv3.LeaseID(lease))
	if err != nil {
		return nil, fmt.Errorf("nsdb: keep lease %x alive: %w", lease, err)
	}
	lost := make(chan struct{})
	go func() {
		defer close(lost)
		for range ch {
		}
	}()
	return lost, nil
}

// RevokeLease ends the lease now and deletes its keys. Revoking a lease that is already
// gone is not an error.
func (s *Store) RevokeLease(ctx context.Context, lease int64) error {
	if err := s.wait(ctx); err != nil {
		return fmt.Errorf("nsdb: revoke lease %x: %w", lease, err)
	}
	_, err := s.client.Revoke(ctx, clientv3.LeaseID(lease))
	if err != nil && !errors.Is(err, rpctypes.ErrLeaseNotFound) {
		return fmt.Errorf("nsdb: revoke lease %x: %w", lease, err)
	}
	return nil
}

func ttlSeconds(ttl time.Duration) int64 {
	return max(1, int64(math.Ceil(ttl.Seconds())))
}

// Leadership is won by Campaign and held while its lease lives.
type Leadership interface {
	// Done is closed when leadership is lost (lease expired or revoked) or given up.
	Done() <-chan struct{}
	// Resign gives up leadership so that another contender takes over at once.
	Resign(ctx context.Context) error
	// Guard holds only while this leadership does: put it in every Txn of the leader so
	// that a deposed leader cannot write.
	Guard() Guard
}

// Campaign blocks until id leads the election name (or ctx ends). The leadership lives on
// a lease of ttl that this Store keeps alive; if the process stops or loses etcd for
// longer than ttl, another contender takes over. A name beginning with "/" is used as the
// election's key prefix as is; any other is placed under ElectionPrefix.
func (s *Store) Campaign(ctx context.Context, name, id string, ttl time.Duration) (Leadership, error) {
	prefix := name
	if !strings.HasPrefix(prefix, "/") {
		prefix = ElectionPrefix + name
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	if err := s.wait(ctx); err != nil {
		return nil, fmt.Errorf("nsdb: campaign %s: %w", name, err)
	}
	sess, err := concurrency.NewSession(s.client, concurrency.WithTTL(int(ttlSeconds(ttl))))
	if err != nil {
		return nil, fmt.Errorf("nsdb: campaign %s: session: %w", name, err)
	}
	el := concurrency.NewElection(sess, prefix)
	if err := el.Campaign(ctx, id); err != nil {
		sess.Close()
		return nil, fmt.Errorf("nsdb: campaign %s: %w", name, err)
	}
	// Campaign returns once every earlier contender is gone; our own key must still be
	// there (our lease may have expired while we waited).
	kv, err := s.Get(ctx, el.Key())
	if err == nil && (kv == nil || kv.ModRevision == 0) {
		err = errors.New("leadership lost while campaigning")
	}
	if err != nil {
		sess.Close()
		return nil, fmt.Errorf("nsdb: campaign %s: %w", name, err)
	}
	return &leadership{sess: sess, el: el, guard: Guard{Key: kv.Key, ModRevision: kv.ModRevision, CheckRev: true}}, nil
}

type leadership struct {
	sess  *concurrency.Session
	el    *concurrency.Election
	guard Guard
	once  sync.Once
	err   error
}

func (l *leadership) Done() <-chan struct{} { return l.sess.Done() }
func (l *leadership) Guard() Guard          { return l.guard }

func (l *leadership) Resign(ctx context.Context) error {
	l.once.Do(func() {
		err := l.el.Resign(ctx)
		// Closing the session revokes the lease, which also deletes the key if Resign
		// could not.
		if cerr := l.sess.Close(); err == nil && cerr != nil && !errors.Is(cerr, rpctypes.ErrLeaseNotFound) {
			err = cerr
		}
		if err != nil {
			l.err = fmt.Errorf("nsdb: resign: %w", err)
		}
	})
	return l.err
}
