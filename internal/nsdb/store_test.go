package nsdb

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// openTemp starts an embedded store in a fresh directory, closed when the test ends.
func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := OpenEmbedded(testCtx(t), EmbeddedOptions{Dir: t.TempDir(), Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func put(t *testing.T, s *Store, kv ...string) int64 {
	t.Helper()
	var ops []Op
	for i := 0; i < len(kv); i += 2 {
		ops = append(ops, Op{Key: kv[i], Value: []byte(kv[i+1])})
	}
	ok, rev, err := s.Txn(testCtx(t), nil, ops)
	if err != nil || !ok {
		t.Fatalf("put %v: applied=%v err=%v", kv, ok, err)
	}
	return rev
}

func value(t *testing.T, s *Store, key string) string {
	t.Helper()
	kv, err := s.Get(testCtx(t), key)
	if err != nil {
		t.Fatal(err)
	}
	if kv == nil {
		return "<absent>"
	}
	return string(kv.Value)
}

func TestTxnGuards(t *testing.T) {
	s := openTemp(t)
	ctx := testCtx(t)
	rev := put(t, s, "/g/a", "1", "/g/b", "2")
	a, _ := s.Get(ctx, "/g/a")

	tests := []struct {
		name   string
		guards []Guard
		want   bool
	}{
		{"no guards", nil, true},
		{"value equal", []Guard{{Key: "/g/a", Value: []byte("1")}}, true},
		{"value differs", []Guard{{Key: "/g/a", Value: []byte("9")}}, false},
		{"value of absent key", []Guard{{Key: "/g/none", Value: []byte("")}}, false},
		{"absent holds", []Guard{{Key: "/g/none", Absent: true}}, true},
		{"absent fails", []Guard{{Key: "/g/a", Absent: true}}, false},
		{"mod revision equal", []Guard{{Key: "/g/a", ModRevision: a.ModRevision, CheckRev: true}}, true},
		{"mod revision differs", []Guard{{Key: "/g/a", ModRevision: rev + 100, CheckRev: true}}, false},
		{"mod revision 0 = absent", []Guard{{Key: "/g/none", CheckRev: true}}, true},
		{"one of many fails", []Guard{
			{Key: "/g/a", Value: []byte("1")},
			{Key: "/g/none", Absent: true},
			{Key: "/g/b", Value: []byte("3")},
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, beforeRev, err := s.List(ctx, "/g/")
			if err != nil {
				t.Fatal(err)
			}
			ops := []Op{
				{Key: "/g/c", Value: []byte("new")},
				{Key: "/g/b", Delete: true},
			}
			ok, txRev, err := s.Txn(ctx, tc.guards, ops)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tc.want {
				t.Fatalf("applied = %v, want %v", ok, tc.want)
			}
			after, _, err := s.List(ctx, "/g/")
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				// A failed guard applies nothing and does not move the revision.
				if txRev != beforeRev || !sameKVs(before, after) {
					t.Fatalf("failed txn changed the store: rev %d→%d, %v → %v", beforeRev, txRev, before, after)
				}
				return
			}
			if value(t, s, "/g/c") != "new" || value(t, s, "/g/b") != "<absent>" {
				t.Fatalf("applied txn: %v", after)
			}
			put(t, s, "/g/b", "2") // restore for the next case
			s.Txn(ctx, nil, []Op{{Key: "/g/c", Delete: true}})
		})
	}
}

func sameKVs(a, b []KV) bool {
	return slices.EqualFunc(a, b, func(x, y KV) bool {
		return x.Key == y.Key && bytes.Equal(x.Value, y.Value) && x.ModRevision == y.ModRevision
	})
}

func TestTxnRejectsBadGuard(t *testing.T) {
	s := openTemp(t)
	for _, g := range []Guard{
		{},
		{Key: "/x"},
		{Key: "/x", Absent: true, CheckRev: true},
		{Key: "/x", Value: []byte("v"), Absent: true},
	} {
		if _, _, err := s.Txn(testCtx(t), []Guard{g}, []Op{{Key: "/x", Value: []byte("v")}}); err == nil {
			t.Errorf("guard %+v accepted", g)
		}
	}
	if got := value(t, s, "/x"); got != "<absent>" {
		t.Fatalf("a rejected txn wrote /x = %q", got)
	}
}

func TestTxnSameKeyTwiceLastWins(t *testing.T) {
	s := openTemp(t)
	put(t, s, "/d/gone", "x")
	ok, _, err := s.Txn(testCtx(t), nil, []Op{
		{Key: "/d/k", Value: []byte("first")},
		{Key: "/d/gone", Value: []byte("y")},
		{Key: "/d/k", Value: []byte("second")},
		{Key: "/d/gone", Delete: true},
	})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if value(t, s, "/d/k") != "second" || value(t, s, "/d/gone") != "<absent>" {
		t.Fatalf("got %q %q", value(t, s, "/d/k"), value(t, s, "/d/gone"))
	}
}

func TestTxnFiveThousandOps(t *testing.T) {
	s := openTemp(t)
	ctx := testCtx(t)
	payload := bytes.Repeat([]byte("x"), 200)
	ops := make([]Op, 5000)
	for i := range ops {
		ops[i] = Op{Key: fmt.Sprintf("/big/%05d", i), Value: payload}
	}
	ok, rev, err := s.Txn(ctx, []Guard{{Key: "/big/marker", Absent: true}}, ops)
	if err != nil || !ok {
		t.Fatalf("5000-op txn: applied=%v err=%v", ok, err)
	}
	kvs, _, err := s.List(ctx, "/big/")
	if err != nil {
		t.Fatal(err)
	}
	if len(kvs) != 5000 {
		t.Fatalf("listed %d keys", len(kvs))
	}
	for _, kv := range kvs {
		if kv.ModRevision != rev {
			t.Fatalf("%s at revision %d, txn at %d: not one transaction", kv.Key, kv.ModRevision, rev)
		}
	}
	// Deleting them all is one transaction too.
	del := make([]Op, len(ops))
	for i, o := range ops {
		del[i] = Op{Key: o.Key, Delete: true}
	}
	if ok, _, err := s.Txn(ctx, nil, del); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if kvs, _, _ := s.List(ctx, "/big/"); len(kvs) != 0 {
		t.Fatalf("%d keys left", len(kvs))
	}
}

func TestListTwentyThousandKeys(t *testing.T) {
	s := openTemp(t)
	ctx := testCtx(t)
	const n = 20000
	var last int64
	for batch := 0; batch < n/5000; batch++ {
		ops := make([]Op, 5000)
		for i := range ops {
			k := batch*5000 + i
			ops[i] = Op{Key: fmt.Sprintf("/list/%06d", k), Value: []byte(fmt.Sprint(k))}
		}
		ok, rev, err := s.Txn(ctx, nil, ops)
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		last = rev
	}
	put(t, s, "/list0", "outside", "/lis", "outside")
	last++

	kvs, rev, err := s.List(ctx, "/list/")
	if err != nil {
		t.Fatal(err)
	}
	if rev != last {
		t.Fatalf("list revision %d, want %d", rev, last)
	}
	if len(kvs) != n {
		t.Fatalf("listed %d keys, want %d", len(kvs), n)
	}
	for i, kv := range kvs {
		if want := fmt.Sprintf("/list/%06d", i); kv.Key != want || string(kv.Value) != fmt.Sprint(i) {
			t.Fatalf("key %d = %s=%s, want %s", i, kv.Key, kv.Value, want)
		}
	}
	if kvs, _, err := s.List(ctx, "/nothing/"); err != nil || len(kvs) != 0 {
		t.Fatalf("empty prefix: %v %v", kvs, err)
	}
}

func TestGetAbsent(t *testing.T) {
	s := openTemp(t)
	kv, err := s.Get(testCtx(t), "/none")
	if kv != nil || err != nil {
		t.Fatalf("Get of an absent key = %v, %v", kv, err)
	}
}

// TestWALFilesAreSmall: the embedded server's write-ahead log is cut into files of
// WALSegmentBytes, so a start, which replays the log from the beginning of the file holding
// the last snapshot, decodes at most that much of what the snapshot covers; what was written
// across several files reads back after a restart.
func TestWALFilesAreSmall(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenEmbedded(testCtx(t), EmbeddedOptions{Dir: dir, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	value := strings.Repeat("x", 512<<10)
	for i := range 24 { // 12 MB: more than one file
		put(t, s, fmt.Sprintf("/k/%02d", i), value)
	}
	s.Close()
	files, err := filepath.Glob(filepath.Join(dir, "member", "wal", "*.wal"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("%d WAL files after 12 MB of writes, want the log cut into several", len(files))
	}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > WALSegmentBytes+(1<<20) {
			t.Errorf("%s is %d bytes, want about %d", filepath.Base(f), fi.Size(), WALSegmentBytes)
		}
	}
	s, err = OpenEmbedded(testCtx(t), EmbeddedOptions{Dir: dir, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	kv, err := s.Get(testCtx(t), "/k/23")
	if err != nil || kv == nil || len(kv.Value) != len(value) {
		t.Fatalf("after a restart: %v, %v", kv, err)
	}
}
