package nsdb

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
)

// TestEmbeddedTxnInProcess: the embedded store's transactions, which reach etcd in process
// rather than over its loopback listener, answer as before: committed and read back by the
// listener's client (what other processes use), a failed guard refused, and a request over
// the size or operation limits refused with the errors callers recognise.
func TestEmbeddedTxnInProcess(t *testing.T) {
	ctx := context.Background()
	s, err := OpenEmbedded(ctx, EmbeddedOptions{Dir: filepath.Join(t.TempDir(), "etcd"), Logger: testLogger(),
		MaxRequestBytes: 64 << 10, MaxTxnOps: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.local == nil {
		t.Fatal("the embedded store has no in-process client")
	}
	ok, rev, err := s.Txn(ctx, []Guard{{Key: "/t/a", Absent: true}}, []Op{{Key: "/t/a", Value: []byte("1")}})
	if err != nil || !ok || rev == 0 {
		t.Fatalf("txn: %v %d %v", ok, rev, err)
	}
	kv, err := s.Client().Get(ctx, "/t/a") // over the listener
	if err != nil || len(kv.Kvs) != 1 || string(kv.Kvs[0].Value) != "1" || kv.Kvs[0].ModRevision != rev {
		t.Fatalf("read back over the listener: %v %v", kv, err)
	}
	if ok, _, err := s.Txn(ctx, []Guard{{Key: "/t/a", Absent: true}}, []Op{{Key: "/t/a", Value: []byte("2")}}); err != nil || ok {
		t.Fatalf("txn with a failed guard: %v %v", ok, err)
	}
	if _, _, err := s.Txn(ctx, nil, []Op{{Key: "/t/big", Value: []byte(strings.Repeat("x", 100<<10))}}); !IsTooLarge(err) {
		t.Errorf("a request over MaxRequestBytes: %v", err)
	}
	var many []Op
	for i := range 17 {
		many = append(many, Op{Key: "/t/m" + strconv.Itoa(i), Value: []byte("x")})
	}
	if _, _, err := s.Txn(ctx, nil, many); err == nil || !strings.Contains(err.Error(), rpctypes.ErrTooManyOps.Error()) {
		t.Errorf("a request over MaxTxnOps: %v", err)
	}
	if got, err := s.Get(ctx, "/t/a"); err != nil || got == nil || string(got.Value) != "1" {
		t.Errorf("after the refusals /t/a = %v, %v", got, err)
	}
}
