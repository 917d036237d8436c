package nsdb

import (
	"errors"
	"fmt"
	"testing"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
)

func TestWriteGuardRefusesTxn(t *testing.T) {
	s := openTemp(t)
	put(t, s, "/k", "v1")
	full := errors.New("disk below the reserve")
	s.SetWriteGuard(func() error { return full })
	ok, _, err := s.Txn(testCtx(t), nil, []Op{{Key: "/k", Value: []byte("v2")}})
	if ok || !errors.Is(err, full) || !IsNoSpace(err) {
		t.Fatalf("Txn with the guard refusing = applied %v, err %v; want refused with an out-of-space error", ok, err)
	}
	if got := value(t, s, "/k"); got != "v1" {
		t.Errorf("/k = %q after a refused write, want v1", got)
	}
	// Reads go on; once the guard allows writes, they apply again.
	s.SetWriteGuard(func() error { return nil })
	put(t, s, "/k", "v3")
	s.SetWriteGuard(nil)
	put(t, s, "/k", "v4")
	if got := value(t, s, "/k"); got != "v4" {
		t.Errorf("/k = %q, want v4", got)
	}
}

func TestIsNoSpace(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{rpctypes.ErrNoSpace, true},
		{rpctypes.ErrGRPCNoSpace, true},
		{fmt.Errorf("nsdb: txn (0 guards, 3 ops): %w", rpctypes.ErrNoSpace), true},
		{errors.New("etcdserver: mvcc: database space exceeded"), true}, // as text, e.g. through the REST client
		{fmt.Errorf("%w: low disk", ErrNoSpace), true},
		{rpctypes.ErrRequestTooLarge, false},
		{errors.New("context deadline exceeded"), false},
	} {
		if got := IsNoSpace(c.err); got != c.want {
			t.Errorf("IsNoSpace(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
