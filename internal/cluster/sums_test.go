package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"github.com/midonet-go/midonet/internal/topology"
)

func TestOwnerOf(t *testing.T) {
	rule, _ := json.Marshal(&topology.Rule{Meta: topology.Meta{ID: "r1", Owner: "ports/p1", Revision: 3}, ChainID: "c1"})
	host, _ := json.Marshal(&topology.Host{Meta: topology.Meta{ID: "h1"}, Name: "h"})
	for in, want := range map[string]string{
		string(rule): "ports/p1",
		string(host): "",
		`{"x": [1, {"owner": "nested"}], "owner": "routers/r"}`: "routers/r",
		`{"owner": 5}`:                            "",
		`{"id":"a\"b","owner":"ports/q"}`:         "ports/q", // escaped id: decoded
		`{"id":"a","owner":"ports/\u0070"}`:       "ports/p", // escaped owner: decoded
		`{"id":"a","owner":"ports/p"`:             "ports/p", // the fast path reads no further
		`{"id":"a","name":"n","owner":"ports/r"}`: "ports/r",
		`[1,2]`:    "",
		`not json`: "",
		``:         "",
	} {
		if got := ownerOf([]byte(in)); got != want {
			t.Errorf("ownerOf(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestSumOf(t *testing.T) {
	a, b := []byte(`{"id":"x","owner":"ports/p"}`), []byte(`{"id":"x","owner":"ports/q"}`)
	if sumOf(a) != sumOf(append([]byte(nil), a...)) {
		t.Error("equal encodings, different digests")
	}
	if sumOf(a) == sumOf(b) {
		t.Error("different encodings, equal digests")
	}
}

// TestObjectSums: the compact digests give back every key as added, with its last digest,
// whatever the id looks like.
func TestObjectSums(t *testing.T) {
	keys := []string{
		"Rule/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "Chain/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
		"Rule/00000000-0000-4000-8000-000000000001", "Port/0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0",
		"Rule/not-a-uuid", "TunnelZone/default", "Chain/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f", "Rule/x/y",
	}
	var s objectSums
	for i, k := range keys {
		s.add(k, sumOf([]byte{byte(i)}))
	}
	s.add(keys[0], sumOf([]byte("again"))) // the last digest wins
	s = s.sorted()
	if s.len() != len(keys) {
		t.Fatalf("len %d, want %d", s.len(), len(keys))
	}
	for i, k := range keys {
		want := sumOf([]byte{byte(i)})
		if i == 0 {
			want = sumOf([]byte("again"))
		}
		if got, ok := s.get(k); !ok || got != want {
			t.Errorf("get %s: %v %v", k, got, ok)
		}
	}
	for _, k := range []string{"Rule/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f1", "Port/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "Rule/absent", ""} {
		if _, ok := s.get(k); ok {
			t.Errorf("get %q found a digest", k)
		}
	}
	var got []string
	s.each(func(k string) { got = append(got, k) })
	slices.Sort(got)
	want := slices.Sorted(slices.Values(keys))
	if !slices.Equal(got, want) {
		t.Errorf("each gave %v, want %v", got, want)
	}
	var empty objectSums
	if _, ok := empty.get(keys[0]); ok || empty.len() != 0 {
		t.Error("an empty set has digests")
	}
}

// TestOwnerSummerIsTheBundleDigest: the digest ownerSummer computes for a translation is the
// one readOwned records for a bundle of exactly its objects as the cluster writes it (and not
// that of a bundle with any object changed, missing or added), with one summer reused from one
// owner to the next as verify's workers do. Objects whose JSON escapes characters and several
// objects of one kind and id (the last counts) included.
func TestOwnerSummerIsTheBundleDigest(t *testing.T) {
	meta := func(id string) topology.Meta { return topology.Meta{ID: id, Owner: "ports/p", Revision: 2} }
	sets := []struct {
		name string
		objs []topology.Object
	}{
		{"nothing", nil},
		{"one object", []topology.Object{&topology.Chain{Meta: meta("c1"), Name: "in"}}},
		{"a port's kinds, unsorted", []topology.Object{
			&topology.Rule{Meta: meta("r2"), ChainID: "c1", Order: 2},
			&topology.Chain{Meta: meta("c1"), Name: "in"},
			&topology.Rule{Meta: meta("r1"), ChainID: "c1", Order: 1},
			&topology.Port{Meta: meta("p"), NetworkID: "n", MAC: "fa:16:3e:00:00:01", FixedIPs: []string{"10.0.0.5"}},
		}},
		{"escaped characters", []topology.Object{&topology.Chain{Meta: meta("c<&>"), Name: "\"quoted\" <b>&amp;</b> \u2028 ünï\x01"}}},
		{"the same object twice", []topology.Object{&topology.Chain{Meta: meta("c1"), Name: "first"}, &topology.Chain{Meta: meta("c1"), Name: "last"}}},
	}
	// readOwned's digest of the bundle the cluster writes for objs.
	stored := func(t *testing.T, objs []topology.Object) (sum, bool) {
		t.Helper()
		bos, err := bundleObjects(objs)
		if err != nil {
			t.Fatal(err)
		}
		b, err := nsdb.EncodeBundle(bos)
		if err != nil {
			t.Fatal(err)
		}
		content, err := nsdb.AppendBundleContentOf(nil, b)
		if err != nil {
			t.Fatal(err)
		}
		return sumOf(content), len(content) > 0
	}
	var s ownerSummer
	for round := range 2 { // the second round with every buffer already used
		for _, set := range sets {
			got, owns, err := s.sum(set.objs)
			if err != nil {
				t.Fatalf("%s: %v", set.name, err)
			}
			want, wantOwns := stored(t, set.objs)
			if owns != wantOwns || (owns && got != want) {
				t.Errorf("round %d, %s: digest %v (owns %v), want %v (owns %v)", round, set.name, got, owns, want, wantOwns)
			}
		}
	}
	base := sets[2].objs
	changed := slices.Clone(base)
	changed[0] = &topology.Rule{Meta: meta("r2"), ChainID: "c1", Order: 3}
	for _, other := range [][]topology.Object{changed, base[1:], append(slices.Clone(base), &topology.Chain{Meta: meta("c2")})} {
		want, _ := stored(t, other)
		if got, _, _ := s.sum(base); got == want {
			t.Errorf("the translation's digest is that of a bundle of other objects (%d)", len(other))
		}
	}
	if _, _, err := s.sum([]topology.Object{base[1], unencodable{topology.Meta{ID: "u"}}}); err == nil || !strings.Contains(err.Error(), "Bad/u") {
		t.Errorf("an object that cannot be encoded: err %v, want one naming it", err)
	}
	if got, _, _ := s.sum(base); got != mustStored(t, stored, base) {
		t.Error("after a failed encoding, the next owner's digest is wrong")
	}
}

func mustStored(t *testing.T, stored func(*testing.T, []topology.Object) (sum, bool), objs []topology.Object) sum {
	t.Helper()
	s, _ := stored(t, objs)
	return s
}

// unencodable is an object whose JSON encoding fails.
type unencodable struct{ meta topology.Meta }

func (u unencodable) Kind() topology.Kind          { return "Bad" }
func (u unencodable) Base() *topology.Meta         { return &u.meta }
func (u unencodable) MarshalJSON() ([]byte, error) { return nil, errors.New("cannot be encoded") }

// BenchmarkOwnerSum is verify's digest of one VM port's translation (a port in a security
// group with the default group's four rules: about twenty objects), given the objects.
func BenchmarkOwnerSum(b *testing.B) {
	w := translate.NewWorld()
	w.Put("networks", netDoc(1))
	w.Put("subnets", translate.Doc{"id": subID, "network_id": netID, "cidr": "10.0.0.0/8", "ip_version": 4, "gateway_ip": "10.0.0.1"})
	w.Put("security_groups", translate.Doc{"id": sgID, "tenant_id": "t", "name": "default"})
	for i, r := range []struct{ dir, eth, remote string }{{"ingress", "IPv4", sgID}, {"ingress", "IPv6", sgID}, {"egress", "IPv4", ""}, {"egress", "IPv6", ""}} {
		d := translate.Doc{"id": fmt.Sprintf("77777777-7777-4777-8777-%012d", i), "security_group_id": sgID, "tenant_id": "t", "direction": r.dir, "ethertype": r.eth}
		if r.remote != "" {
			d["remote_group_id"] = r.remote
		}
		w.Put("security_group_rules", d)
	}
	w.Put("ports", portDoc(1))
	objs := builtin.Translators().Owned(w, translate.RefOf("ports", portID))
	b.Run("summer", func(b *testing.B) {
		var s ownerSummer
		b.ReportAllocs()
		for b.Loop() {
			if _, owns, err := s.sum(objs); err != nil || !owns {
				b.Fatal(owns, err)
			}
		}
		b.ReportMetric(float64(len(objs)), "objects")
	})
	// What verify did before ownerSummer: json.Marshal each object, then the content.
	b.Run("marshal-each", func(b *testing.B) {
		var buf []byte
		b.ReportAllocs()
		for b.Loop() {
			bos, err := bundleObjects(objs)
			if err != nil {
				b.Fatal(err)
			}
			buf = nsdb.AppendBundleContent(buf[:0], bos)
			_ = sumOf(buf)
		}
		b.ReportMetric(float64(len(objs)), "objects")
	})
}

// bundleObjects encodes each object's JSON as json.Marshal does, one object at a time: the
// plain way the summer's encoder must agree with.
func bundleObjects(objs []topology.Object) ([]nsdb.BundleObject, error) {
	bos := make([]nsdb.BundleObject, 0, len(objs))
	for _, o := range objs {
		b, err := json.Marshal(o)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", topology.Key(o), err)
		}
		bos = append(bos, nsdb.BundleObject{Kind: o.Kind(), ID: o.Base().ID, JSON: b})
	}
	return bos, nil
}
