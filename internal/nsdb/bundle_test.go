package nsdb

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"unsafe"

	"github.com/klauspost/compress/zstd"

	"github.com/midonet-go/midonet/internal/topology"
)

// portBundle is what a VM port's translation makes, roughly: the port, three chains, its
// DHCP host, MAC and ARP entries, an address-group member and rules.
func portBundle(i, rules int) []topology.Object {
	id := fmt.Sprintf("%08x-5555-4555-8555-555555555555", i)
	owner := "ports/" + id
	mac := fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", i>>16&0xff, i>>8&0xff, i&0xff)
	ip := fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff)
	meta := func(n int) topology.Meta {
		return topology.Meta{ID: fmt.Sprintf("%08x-%04x-4000-8000-000000000000", i, n), Owner: owner, Revision: 1}
	}
	in, out := meta(1), meta(2)
	objs := []topology.Object{
		&topology.Port{Meta: topology.Meta{ID: id, Owner: owner, Revision: 1}, NetworkID: "11111111-1111-4111-8111-111111111111",
			AdminStateUp: true, InboundFilterID: in.ID, OutboundFilterID: out.ID},
		&topology.Chain{Meta: in, Name: "OS_PORT_" + id + "_INBOUND"},
		&topology.Chain{Meta: out, Name: "OS_PORT_" + id + "_OUTBOUND"},
		&topology.DhcpHost{Meta: meta(4), DhcpID: "22222222-2222-4222-8222-222222222222", MAC: mac, IP: ip},
		&topology.MacEntry{Meta: meta(5), NetworkID: "11111111-1111-4111-8111-111111111111", MAC: mac, PortID: id},
		&topology.ArpEntry{Meta: meta(6), NetworkID: "11111111-1111-4111-8111-111111111111", IP: ip, MAC: mac},
		&topology.IPAddrMember{Meta: meta(7), GroupID: "66666666-6666-4666-8666-666666666666", IP: ip, PortID: id},
	}
	for r := 0; r < rules; r++ {
		objs = append(objs, &topology.Rule{Meta: meta(16 + r), ChainID: in.ID, Order: r, Type: "literal", Action: "accept",
			Condition: topology.Condition{DlType: 0x0800, NwSrcIP: ip + "/32", DlSrc: mac, InPortIDs: []string{id}}})
	}
	return objs
}

// TestBundleRoundTrip: a bundle gives back every object as stored, sorted by kind and id,
// and the same objects in any order encode to the same bytes.
func TestBundleRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		objs []topology.Object
	}{
		{"empty", nil},
		{"one", portBundle(1, 0)[:1]},
		{"port", portBundle(2, 13)},
		{"non-uuid ids", []topology.Object{&topology.Chain{Meta: topology.Meta{ID: "b", Owner: "x/y"}}, &topology.Chain{Meta: topology.Meta{ID: "a", Owner: "x/y"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := BundleOf(tc.objs)
			if err != nil {
				t.Fatal(err)
			}
			rev := slices.Clone(tc.objs)
			slices.Reverse(rev)
			b2, err := BundleOf(rev)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, b2) {
				t.Error("the same objects in another order encode to other bytes")
			}
			got, err := DecodeBundleObjects(b)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(tc.objs)
			slices.SortFunc(want, func(a, b topology.Object) int {
				return compareBundleObjects(BundleObject{Kind: a.Kind(), ID: a.Base().ID}, BundleObject{Kind: b.Kind(), ID: b.Base().ID})
			})
			if len(got) != len(want) {
				t.Fatalf("%d objects back, want %d", len(got), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("object %d: %+v, want %+v", i, got[i], want[i])
				}
			}
		})
	}
}

// TestBundleLastWins: of an object given twice, the bundle keeps the last one.
func TestBundleLastWins(t *testing.T) {
	objs := portBundle(1, 1)
	port := *objs[0].(*topology.Port)
	port.AdminStateUp = false
	b, err := BundleOf(append(objs, &port))
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeBundleObjects(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(objs) {
		t.Fatalf("%d objects, want %d", len(got), len(objs))
	}
	for _, o := range got {
		if p, ok := o.(*topology.Port); ok && p.AdminStateUp {
			t.Error("the first of the port's two versions was kept")
		}
	}
}

// TestBundleContentSorting: sorting the caller's objects in place gives the same content as
// AppendBundleContent, which leaves them as they were; an object given twice counts once.
func TestBundleContentSorting(t *testing.T) {
	objs := []BundleObject{
		{Kind: "Rule", ID: "b", JSON: []byte(`{"id":"b"}`)}, {Kind: "Chain", ID: "z", JSON: []byte(`{"id":"z"}`)},
		{Kind: "Rule", ID: "a", JSON: []byte(`{"id":"a","v":1}`)}, {Kind: "Rule", ID: "a", JSON: []byte(`{"id":"a","v":2}`)},
	}
	before := slices.Clone(objs)
	want := AppendBundleContent(nil, objs)
	if !slices.EqualFunc(objs, before, func(a, b BundleObject) bool { return a.Key() == b.Key() && string(a.JSON) == string(b.JSON) }) {
		t.Fatal("AppendBundleContent reordered its objects")
	}
	if got := AppendBundleContentSorting([]byte("x"), objs); string(got) != "x"+string(want) {
		t.Errorf("sorting in place: %q, want %q", got, want)
	}
	bos, err := DecodeBundle(CompressBundleContent(want))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range bos {
		got = append(got, o.Key()+" "+string(o.JSON))
	}
	if w := []string{`Chain/z {"id":"z"}`, `Rule/a {"id":"a","v":2}`, `Rule/b {"id":"b"}`}; !slices.Equal(got, w) {
		t.Errorf("content holds %v, want %v", got, w)
	}
}

func TestBundleErrors(t *testing.T) {
	good, err := BundleOf(portBundle(1, 2))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"empty": nil, "json": []byte(`{"id":"x"}`), "truncated": good[:len(good)/2],
		"bad frame":          append([]byte{bundleZstd}, "garbage"...),
		"bad block":          append([]byte{bundleS2}, "garbage"...),
		"says it holds 1 GB": binary.AppendUvarint([]byte{bundleS2}, 1<<30),
		"unknown format":     append([]byte{'x'}, good[1:]...),
	} {
		if _, err := DecodeBundle(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestObjectsInBundles: Objects and Object find objects in owners' bundles and under their
// own keys alike; OwnedObjects reads one owner's bundle.
func TestObjectsInBundles(t *testing.T) {
	s := openTemp(t)
	ctx := testCtx(t)
	objs := portBundle(7, 3)
	b, err := BundleOf(objs)
	if err != nil {
		t.Fatal(err)
	}
	own := &topology.Rule{Meta: topology.Meta{ID: "00000000-0000-4000-8000-000000000001"}, Type: "literal", Action: "drop"}
	ops, err := PutObjectOps(1, own)
	if err != nil {
		t.Fatal(err)
	}
	ops = append(ops, Op{Key: OwnedKey(1, "ports/"+objs[0].Base().ID), Value: b})
	if _, _, err := s.Txn(ctx, nil, ops); err != nil {
		t.Fatal(err)
	}
	rules, err := s.Objects(ctx, 1, topology.KindRule)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 4 || rules[0].Base().ID != own.ID {
		t.Errorf("rules: %d, first %s", len(rules), rules[0].Base().ID)
	}
	got, err := s.Object(ctx, 1, topology.KindPort, objs[0].Base().ID)
	if err != nil || !reflect.DeepEqual(got, objs[0]) {
		t.Errorf("port from its bundle: %+v, %v", got, err)
	}
	if got, err := s.Object(ctx, 1, topology.KindPort, "absent"); got != nil || err != nil {
		t.Errorf("absent: %v, %v", got, err)
	}
	owned, err := s.OwnedObjects(ctx, 1, "ports/"+objs[0].Base().ID)
	if err != nil || len(owned) != len(objs) {
		t.Errorf("owned objects: %d, %v", len(owned), err)
	}
}

// BenchmarkBundle encodes and decodes the bundle of a VM port (twenty objects); it reports
// the JSON's and the bundle's bytes.
func BenchmarkBundle(b *testing.B) {
	objs := portBundle(42, 13)
	bos, err := BundleObjects(objs)
	if err != nil {
		b.Fatal(err)
	}
	raw := 0
	for _, o := range bos {
		raw += len(o.JSON)
	}
	enc, err := EncodeBundle(bos)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := EncodeBundle(bos); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(raw), "json-bytes")
		b.ReportMetric(float64(len(enc)), "bundle-bytes")
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeBundle(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode-objects", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeBundleObjects(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestEditBundle: an edit replaces, adds and removes objects by "<Kind>/<id>" and leaves the
// others as they were; a key without a kind is refused.
func TestEditBundle(t *testing.T) {
	b, err := EncodeBundle([]BundleObject{
		{Kind: topology.KindChain, ID: "c1", JSON: []byte(`{"id":"c1"}`)},
		{Kind: topology.KindChain, ID: "c2", JSON: []byte(`{"id":"c2"}`)},
		{Kind: topology.KindPort, ID: "p1", JSON: []byte(`{"id":"p1"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit map[string][]byte
		want []string // "<Kind>/<id>=<JSON>", in the bundle's order
	}{
		{"replace", map[string][]byte{"Chain/c1": []byte(`{"id":"c1","name":"x"}`)},
			[]string{`Chain/c1={"id":"c1","name":"x"}`, `Chain/c2={"id":"c2"}`, `Port/p1={"id":"p1"}`}},
		{"add", map[string][]byte{"Rule/r1": []byte(`{"id":"r1"}`)},
			[]string{`Chain/c1={"id":"c1"}`, `Chain/c2={"id":"c2"}`, `Port/p1={"id":"p1"}`, `Rule/r1={"id":"r1"}`}},
		{"remove", map[string][]byte{"Chain/c2": nil, "Rule/absent": nil},
			[]string{`Chain/c1={"id":"c1"}`, `Port/p1={"id":"p1"}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := EditBundle(b, tc.edit)
			if err != nil {
				t.Fatal(err)
			}
			bos, err := DecodeBundle(out)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, bo := range bos {
				got = append(got, bo.Key()+"="+string(bo.JSON))
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("edited bundle %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := EditBundle(b, map[string][]byte{"no-kind": []byte(`{}`)}); err == nil {
		t.Fatal("an edit key without a kind was accepted")
	}
}

// TestZstdBundlesStillRead: a bundle written as a zstd frame, the format before S2, decodes
// to the same objects and content as the S2 bundle of the same objects.
func TestZstdBundlesStillRead(t *testing.T) {
	bos, err := BundleObjects(portBundle(3, 4))
	if err != nil {
		t.Fatal(err)
	}
	content := AppendBundleContent(nil, bos)
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	old := enc.EncodeAll(content, []byte{bundleZstd})
	current := CompressBundleContent(content)
	if current[0] != bundleS2 {
		t.Fatalf("new bundles start with %q, want %q", current[0], bundleS2)
	}
	for name, b := range map[string][]byte{"zstd": old, "s2": current} {
		got, err := AppendBundleContentOf([]byte("kept"), b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, append([]byte("kept"), content...)) {
			t.Errorf("%s: content differs (or what dst held was lost)", name)
		}
		objs, err := DecodeBundle(b)
		if err != nil || len(objs) != len(bos) {
			t.Errorf("%s: %d objects, %v; want %d", name, len(objs), err, len(bos))
		}
	}
	if len(current) > len(old)*11/10 {
		t.Errorf("S2 bundle %d bytes, zstd %d: the dictionary should keep them about the same", len(current), len(old))
	}
}

// TestBundleDictionaryIsPinned: S2 bundles in every NSDB were compressed against
// bundle_dict.bin; a changed dictionary would make them unreadable. A new dictionary needs a
// new format byte, with this one kept for the bundles already written.
func TestBundleDictionaryIsPinned(t *testing.T) {
	sum := sha256.Sum256(bundleDict)
	if got := hex.EncodeToString(sum[:]); got != "e9452b59924634f08a73f9364fe52d677b113ac611c91029a24bbb4a360927f2" {
		t.Fatalf("bundle_dict.bin changed (sha256 %s): bundles already stored cannot be read with it", got)
	}
}

// FuzzBundleContent: any content survives a bundle, and no bytes make AppendBundleContentOf
// panic.
func FuzzBundleContent(f *testing.F) {
	f.Add([]byte{}, []byte{bundleS2})
	f.Add(bundleDict, []byte{bundleZstd, 0x28, 0xb5, 0x2f, 0xfd})
	f.Fuzz(func(t *testing.T, content, b []byte) {
		got, err := AppendBundleContentOf(nil, CompressBundleContent(content))
		if err != nil || !bytes.Equal(got, content) {
			t.Fatalf("content %q came back as %q, %v", content, got, err)
		}
		_, _ = AppendBundleContentOf(nil, b)
	})
}

// TestCompressBundleContentOwnsItsBytes: bundles compressed one after another (and side by
// side) through the pooled buffer are each exactly their size and each its own: none changes
// when the buffer is reused, and each decompresses to its content.
func TestCompressBundleContentOwnsItsBytes(t *testing.T) {
	contents := make([][]byte, 64)
	for i := range contents {
		contents[i] = bytes.Repeat([]byte(fmt.Sprintf(`{"id":"%d","name":"port-%d"}`, i, i)), 1+i*7)
	}
	contents = append(contents, bytes.Repeat([]byte("x"), maxScratch+1)) // past the pool's bound
	bundles := make([][]byte, len(contents))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(contents); i += 4 {
				bundles[i] = CompressBundleContent(contents[i])
			}
		})
	}
	wg.Wait()
	bundles = append(bundles, CompressBundleContent(contents[0])) // through a buffer the others used
	contents = append(contents, contents[0])
	for i, b := range bundles {
		if cap(b) != len(b) {
			t.Errorf("bundle %d: %d bytes in a buffer of %d", i, len(b), cap(b))
		}
		got, err := AppendBundleContentOf(nil, b)
		if err != nil || !bytes.Equal(got, contents[i]) {
			t.Errorf("bundle %d decompressed to %d bytes (%v), want its %d", i, len(got), err, len(contents[i]))
		}
	}
}

// TestDecodeBundleInto decodes bundle after bundle into the same buffers, as the agent does:
// each gives its own objects (a shorter one after a longer one too), their kinds are the
// constants, an error keeps the buffers usable, and DecodeBundle agrees.
func TestDecodeBundleInto(t *testing.T) {
	port := func(i int) BundleObject {
		return BundleObject{Kind: topology.KindPort, ID: fmt.Sprintf("p%d", i), JSON: []byte(fmt.Sprintf(`{"id":"p%d","name":"port %d"}`, i, i))}
	}
	bundles := [][]BundleObject{
		{port(1), port(2), port(3), {Kind: topology.KindChain, ID: "c1", JSON: []byte(`{"id":"c1"}`)}},
		{port(4)},
		{{Kind: "SomeKindNotKnown", ID: "x", JSON: []byte(`{}`)}, port(5), port(6)},
	}
	var objs []BundleObject
	var content []byte
	for round := range 2 {
		for i, bos := range bundles {
			b, err := EncodeBundle(bos)
			if err != nil {
				t.Fatal(err)
			}
			var got []BundleObject
			got, content, err = DecodeBundleInto(objs, content, b)
			if err != nil {
				t.Fatalf("round %d, bundle %d: %v", round, i, err)
			}
			objs = got
			want, err := DecodeBundle(b)
			if err != nil || !reflect.DeepEqual(got, want) || len(got) != len(bos) {
				t.Fatalf("round %d, bundle %d: decoded into the buffers %v, DecodeBundle %v (%v)", round, i, got, want, err)
			}
			for _, o := range got {
				if o.Kind == topology.KindPort && unsafe.StringData(string(o.Kind)) != unsafe.StringData(string(topology.KindPort)) {
					t.Errorf("kind %q is a string of its own, not the constant", o.Kind)
				}
			}
		}
		if _, _, err := DecodeBundleInto(objs, content, []byte{bundleS2, 0xff}); err == nil {
			t.Fatal("a broken bundle decoded")
		}
	}
}
