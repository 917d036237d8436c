package nsdb

import (
	"context"
	"errors"
	"testing"
	"time"
)

// waitAbsent polls until key is gone.
func waitAbsent(t *testing.T, s *Store, key string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < within {
		if value(t, s, key) == "<absent>" {
			return time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s still present after %v", key, within)
	return 0
}

func closed(ch <-chan struct{}, within time.Duration) bool {
	select {
	case <-ch:
		return true
	case <-time.After(within):
		return false
	}
}

func putLeased(t *testing.T, s *Store, key string, lease int64) {
	t.Helper()
	if ok, _, err := s.Txn(testCtx(t), nil, []Op{{Key: key, Value: []byte("alive"), Lease: lease}}); err != nil || !ok {
		t.Fatal(ok, err)
	}
}

func TestLeaseExpires(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	lease, err := s.GrantLease(testCtx(t), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	putLeased(t, s, "/hosts/h1", lease)
	if value(t, s, "/hosts/h1") != "alive" {
		t.Fatal("leased key missing")
	}
	waitAbsent(t, s, "/hosts/h1", 15*time.Second)
}

func TestLeaseKeepAliveAndRevoke(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	ctx := testCtx(t)
	lease, err := s.GrantLease(ctx, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	putLeased(t, s, "/hosts/h2", lease)
	lost, err := s.KeepAlive(ctx, lease)
	if err != nil {
		t.Fatal(err)
	}
	// Kept alive well past its TTL.
	time.Sleep(4 * time.Second)
	if value(t, s, "/hosts/h2") != "alive" {
		t.Fatal("kept-alive key expired")
	}
	if closed(lost, 0) {
		t.Fatal("lost closed while alive")
	}
	if err := s.RevokeLease(ctx, lease); err != nil {
		t.Fatal(err)
	}
	if value(t, s, "/hosts/h2") != "<absent>" {
		t.Fatal("key survives its revoked lease")
	}
	if !closed(lost, 10*time.Second) {
		t.Fatal("KeepAlive channel still open after revoke")
	}
	// Revoking again is harmless.
	if err := s.RevokeLease(ctx, lease); err != nil {
		t.Fatal(err)
	}
}

func TestKeepAliveStopsWithContext(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	lease, err := s.GrantLease(testCtx(t), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	putLeased(t, s, "/hosts/h3", lease)
	ctx, cancel := context.WithCancel(testCtx(t))
	lost, err := s.KeepAlive(ctx, lease)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if !closed(lost, 10*time.Second) {
		t.Fatal("KeepAlive channel open after its context ended")
	}
	waitAbsent(t, s, "/hosts/h3", 15*time.Second)
}

func TestCampaignResign(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	other, err := Connect(testCtx(t), s.Endpoints())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := testCtx(t)

	a, err := s.Campaign(ctx, "cluster", "a", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	won := make(chan Leadership, 1)
	go func() {
		b, err := other.Campaign(ctx, "cluster", "b", 5*time.Second)
		if err != nil {
			t.Error(err)
		}
		won <- b
	}()
	select {
	case <-won:
		t.Fatal("second contender leads while the first does")
	case <-time.After(1500 * time.Millisecond):
	}

	// The leader's guard holds; a write guarded by it applies.
	if ok, _, err := s.Txn(ctx, []Guard{a.Guard()}, []Op{{Key: LastTaskKey, Value: []byte("1")}}); err != nil || !ok {
		t.Fatalf("leader's guarded txn: %v %v", ok, err)
	}
	if err := a.Resign(ctx); err != nil {
		t.Fatal(err)
	}
	if !closed(a.Done(), 5*time.Second) {
		t.Fatal("Done open after Resign")
	}
	var b Leadership
	select {
	case b = <-won:
	case <-time.After(10 * time.Second):
		t.Fatal("second contender did not take over after resign")
	}
	if b == nil {
		t.FailNow()
	}
	defer b.Resign(ctx)
	// The deposed leader's guard no longer holds; the new one's does.
	if ok, _, err := s.Txn(ctx, []Guard{a.Guard()}, []Op{{Key: LastTaskKey, Value: []byte("stale")}}); err != nil || ok {
		t.Fatalf("deposed leader's txn applied=%v err=%v", ok, err)
	}
	if ok, _, err := other.Txn(ctx, []Guard{b.Guard()}, []Op{{Key: LastTaskKey, Value: []byte("2")}}); err != nil || !ok {
		t.Fatalf("new leader's txn applied=%v err=%v", ok, err)
	}
	if got := value(t, s, LastTaskKey); got != "2" {
		t.Fatalf("last task %q", got)
	}
}

func TestCampaignLeaseDeath(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	ctx := testCtx(t)
	// The first leader's process "dies": its client goes away without resigning.
	dying, err := Connect(ctx, s.Endpoints())
	if err != nil {
		t.Fatal(err)
	}
	a, err := dying.Campaign(ctx, "/midonet/cluster/leader", "a", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	won := make(chan Leadership, 1)
	go func() {
		b, err := s.Campaign(ctx, "/midonet/cluster/leader", "b", 2*time.Second)
		if err != nil {
			t.Error(err)
		}
		won <- b
	}()
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	dying.Close()
	if !closed(a.Done(), 5*time.Second) {
		t.Fatal("Done open after the leader's client went away")
	}
	var b Leadership
	select {
	case b = <-won:
	case <-time.After(20 * time.Second):
		t.Fatal("no takeover after the leader's lease died")
	}
	if b == nil {
		t.FailNow()
	}
	t.Logf("takeover after %v", time.Since(start).Round(100*time.Millisecond))
	if ok, _, err := s.Txn(ctx, []Guard{a.Guard()}, []Op{{Key: LastTaskKey, Value: []byte("stale")}}); err != nil || ok {
		t.Fatalf("dead leader's txn applied=%v err=%v", ok, err)
	}
	if ok, _, err := s.Txn(ctx, []Guard{b.Guard()}, []Op{{Key: LastTaskKey, Value: []byte("b")}}); err != nil || !ok {
		t.Fatalf("new leader's txn applied=%v err=%v", ok, err)
	}
	if err := b.Resign(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestCampaignCancelled(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	ctx := testCtx(t)
	a, err := s.Campaign(ctx, "c", "a", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Resign(ctx)
	cctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if _, err := s.Campaign(cctx, "c", "b", 5*time.Second); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("campaign with an expiring context: %v", err)
	}
	// The cancelled contender left no key behind.
	kvs, _, err := s.List(ctx, ElectionPrefix+"c/")
	if err != nil || len(kvs) != 1 {
		t.Fatalf("election keys %v %v", kvs, err)
	}
}
