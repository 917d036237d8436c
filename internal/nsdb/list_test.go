package nsdb

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestKeyWindows(t *testing.T) {
	long := strings.Repeat("k", keyScale+10)
	for _, tc := range []struct {
		name   string
		from   string
		width  int64
		wantOK bool
	}{
		{"a step of one byte", "a", 1, true},
		{"within a kind", "topology/Rule/0a\x00", 1 << 20, true},
		{"past the end of the key space", strings.Repeat("\xff", keyScale), 1, false},
		{"a key longer than the scale", long, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hi, ok := keyPlus(tc.from, big.NewInt(tc.width))
			if ok != tc.wantOK {
				t.Fatalf("keyPlus(%q, %d) = %q, %v; want ok %v", tc.from, tc.width, hi, ok, tc.wantOK)
			}
			if ok && hi <= tc.from {
				t.Fatalf("keyPlus(%q, %d) = %q: not after the key", tc.from, tc.width, hi)
			}
			if ok && keyDistance(tc.from, hi).Cmp(big.NewInt(tc.width)) > 0 {
				t.Fatalf("keyPlus(%q, %d) = %q: further than the width", tc.from, tc.width, hi)
			}
		})
	}
	if d := keyDistance("b", "a"); d.Cmp(big.NewInt(1)) != 0 {
		t.Errorf("keyDistance of keys out of order = %v, want 1", d)
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

// TestScanPages: Scan hands out the same keys as List, in order, a page at a time, at the
// revision of the listing; keys of a dense stretch after a sparse one (the window widened
// over the gap) and keys longer than the window arithmetic reads are all there once.
func TestScanPages(t *testing.T) {
	ctx := context.Background()
	s, err := OpenEmbedded(ctx, EmbeddedOptions{Dir: filepath.Join(t.TempDir(), "etcd"), Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var want []string
	var ops []Op
	put := func(k string) {
		want = append(want, k)
		ops = append(ops, Op{Key: k, Value: []byte("v")})
		if len(ops) == 100 {
			if _, _, err := s.Txn(ctx, nil, ops); err != nil {
				t.Fatal(err)
			}
			ops = ops[:0]
		}
	}
	for i := 0; i < 10; i++ {
		put(fmt.Sprintf("/s/A/%02d", i)) // sparse
	}
	for i := 0; i < 3*listPage; i++ {
		put(fmt.Sprintf("/s/B/%06d", i)) // dense
	}
	for i := 0; i < 20; i++ {
		put(fmt.Sprintf("/s/C/%s%d", strings.Repeat("x", keyScale), i)) // long keys
	}
	for i := 0; i < listPage+7; i++ {
		put(fmt.Sprintf("/s/Z/%x", i*7919))
	}
	if _, _, err := s.Txn(ctx, nil, ops); err != nil {
		t.Fatal(err)
	}
	sort.Strings(want)
	var got []string
	pages := 0
	rev, err := s.Scan(ctx, "/s/", func(kvs []KV) error {
		pages++
		if len(kvs) > listPage {
			t.Errorf("a page of %d keys, more than %d", len(kvs), listPage)
		}
		for _, kv := range kvs {
			got = append(got, kv.Key)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rev == 0 || pages < len(want)/listPage {
		t.Fatalf("scan at revision %d in %d pages", rev, pages)
	}
	if len(got) != len(want) {
		t.Fatalf("scanned %d keys, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("key %d = %q, want %q", i, got[i], want[i])
		}
	}
	stop := errors.New("stop")
	if _, err := s.Scan(ctx, "/s/", func([]KV) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("scan stopped by its callback: %v, want the callback's error", err)
	}
}
