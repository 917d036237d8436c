package nsdb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"testing"
)

func TestMidKey(t *testing.T) {
	for _, tc := range []struct {
		lo, hi string
		ok     bool
	}{
		{"a", "c", true},
		{"topology/Rule/0a\x00", "topology0", true},
		{"topology/Rule/0a\x00", "topology/Rule/0a\x01", true},
		{"k\x00", "\x00", true}, // to the end of the key space
		{"a\x00", "a\x00\x00", false},
		{"b", "a", false},
	} {
		mid, ok := midKey(tc.lo, tc.hi)
		if ok != tc.ok {
			t.Errorf("midKey(%q, %q) = %q, %v; want ok %v", tc.lo, tc.hi, mid, ok, tc.ok)
			continue
		}
		hi := tc.hi
		if ok && (mid <= tc.lo || (hi != "\x00" && mid >= hi)) {
			t.Errorf("midKey(%q, %q) = %q: not strictly between", tc.lo, tc.hi, mid)
		}
	}
}

// TestListLargePrefix: a prefix of several pages, with keys of uneven shapes and a
// neighbour prefix on each side, lists every key once, in order, at one revision.
func TestListLargePrefix(t *testing.T) {
	ctx := context.Background()
	s, err := OpenEmbedded(ctx, EmbeddedOptions{Dir: filepath.Join(t.TempDir(), "etcd"), Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rnd := rand.New(rand.NewPCG(1, 2))
	var want []string
	var ops []Op
	flush := func() {
		if _, _, err := s.Txn(ctx, nil, ops); err != nil {
			t.Fatal(err)
		}
		ops = ops[:0]
	}
	for i := 0; i < 4*listPage+123; i++ {
		var k string
		switch i % 3 {
		case 0:
			k = fmt.Sprintf("/p/Rule/%08x-%04x", rnd.Uint32(), i)
		case 1:
			k = fmt.Sprintf("/p/Chain/%d", i)
		default:
			k = fmt.Sprintf("/p/%c\xff%d", 'A'+rune(i%26), i)
		}
		want = append(want, k)
		ops = append(ops, Op{Key: k, Value: []byte("v")})
		if len(ops) == 100 {
			flush()
		}
	}
	ops = append(ops, Op{Key: "/p", Value: []byte("outside")}, Op{Key: "/q/x", Value: []byte("outside")}, Op{Key: "/o/z", Value: []byte("outside")})
	flush()
	sort.Strings(want)
	got, rev, err := s.List(ctx, "/p/")
	if err != nil {
		t.Fatal(err)
	}
	if rev == 0 || len(got) != len(want) {
		t.Fatalf("listed %d keys at revision %d, want %d", len(got), rev, len(want))
	}
	for i := range want {
		if got[i].Key != want[i] {
			t.Fatalf("key %d = %q, want %q", i, got[i].Key, want[i])
		}
	}
	// Each gives the same keys in the same order, at the same revision, after one begin.
	var each []string
	begins := 0
	erev, err := s.Each(ctx, "/p/", func() { begins, each = begins+1, nil }, func(kv KV) {
		if string(kv.Value) != "v" {
			t.Errorf("%s = %q", kv.Key, kv.Value)
		}
		each = append(each, kv.Key)
	})
	if err != nil {
		t.Fatal(err)
	}
	if erev != rev || begins != 1 || !slices.Equal(each, want) {
		t.Fatalf("Each: %d keys at revision %d after %d begins, want %d at %d after 1", len(each), erev, begins, len(want), rev)
	}
}
