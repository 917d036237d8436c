package cluster

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"sync"

	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
)

// objectSums are the objects one resource owns: "<Kind>/<id>" → the digest of the object's
// JSON as written to the NSDB. The cluster keeps them only for objects under their own keys
// (Cluster.legacy), and verify builds them for the owners whose bundle digest differs from
// their translation's, to name the objects that differ; every other owner is one digest
// (Cluster.owned).
//
// They are kept compactly, as a slice sorted by key of 40-byte entries (the kind as an index
// into a table of kinds, a lowercase UUID id as its sixteen bytes, the digest): a map of
// "<Kind>/<id>" strings cost about 2.1 KB a VM port, the slice 0.8 KB. Keys whose id is not
// such a UUID are kept in a map beside it (rare: hand-made objects). Build one with add,
// then sorted; read it with get, each and len.
type objectSums struct {
	e     []ownedSum
	other map[string]sum // keys whose id is not a lowercase UUID
}

// ownedSum is one object's entry: its key as kind index and UUID, and its digest.
type ownedSum struct {
	sum  sum
	id   [16]byte
	kind uint8
}

// add records a key's digest (a key added twice keeps the last digest once the sums are
// sorted). Call sorted before reading.
func (s *objectSums) add(key string, v sum) {
	if k, id, ok := splitSumKey(key); ok {
		s.e = append(s.e, ownedSum{sum: v, id: id, kind: k})
		return
	}
	if s.other == nil {
		s.other = map[string]sum{}
	}
	s.other[strings.Clone(key)] = v
}

// sorted sorts the entries (keeping the last of duplicates) and copies them to a slice of
// their size; it returns s.
func (s objectSums) sorted() objectSums {
	slices.SortStableFunc(s.e, compareSums)
	out := s.e[:0]
	for i, e := range s.e {
		if i+1 < len(s.e) && compareSums(e, s.e[i+1]) == 0 {
			continue // a later add of the same key wins
		}
		out = append(out, e)
	}
	if cap(out) > len(out) {
		out = append(make([]ownedSum, 0, len(out)), out...) // the appends' spare room is not kept
	}
	s.e = out
	return s
}

func compareSums(a, b ownedSum) int {
	if a.kind != b.kind {
		return int(a.kind) - int(b.kind)
	}
	return bytes.Compare(a.id[:], b.id[:])
}

// get returns a key's digest.
func (s objectSums) get(key string) (sum, bool) {
	if k, id, ok := splitSumKey(key); ok {
		i, found := slices.BinarySearchFunc(s.e, ownedSum{id: id, kind: k}, compareSums)
		if !found {
			return sum{}, false
		}
		return s.e[i].sum, true
	}
	v, ok := s.other[key]
	return v, ok
}

// len is the number of objects.
func (s objectSums) len() int { return len(s.e) + len(s.other) }

// each calls f with every key, in no particular order.
func (s objectSums) each(f func(key string)) {
	for _, e := range s.e {
		f(sumKindName(e.kind) + "/" + topology.UUIDString(e.id))
	}
	for k := range s.other {
		f(k)
	}
}

// sumKinds numbers the kinds of the keys digested (a few dozen topology kinds, append-only).
var sumKinds struct {
	sync.RWMutex
	idx   map[string]uint8
	names []string
}

func sumKindIndex(kind string) (uint8, bool) {
	sumKinds.RLock()
	i, ok := sumKinds.idx[kind]
	sumKinds.RUnlock()
	if ok {
		return i, true
	}
	sumKinds.Lock()
	defer sumKinds.Unlock()
	if i, ok := sumKinds.idx[kind]; ok {
		return i, true
	}
	if len(sumKinds.names) >= 256 {
		return 0, false
	}
	if sumKinds.idx == nil {
		sumKinds.idx = map[string]uint8{}
	}
	i = uint8(len(sumKinds.names))
	sumKinds.idx[kind] = i
	sumKinds.names = append(sumKinds.names, strings.Clone(kind))
	return i, true
}

func sumKindName(i uint8) string {
	sumKinds.RLock()
	defer sumKinds.RUnlock()
	return sumKinds.names[i]
}

// splitSumKey reads "<Kind>/<lowercase UUID>"; ok is false for any other key.
func splitSumKey(key string) (uint8, [16]byte, bool) {
	kind, id, found := strings.Cut(key, "/")
	if !found || kind == "" {
		return 0, [16]byte{}, false
	}
	u, ok := topology.UUIDBytes(id)
	if !ok {
		return 0, [16]byte{}, false
	}
	k, ok := sumKindIndex(kind)
	return k, u, ok
}

// sum is a 128-bit digest of an object's JSON: two 64-bit maphashes under seeds chosen once
// per process. It is only ever compared within the process; two different encodings
// collide with probability 2⁻¹²⁸.
type sum [2]uint64

var sumSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func sumOf(b []byte) sum {
	return sum{maphash.Bytes(sumSeeds[0], b), maphash.Bytes(sumSeeds[1], b)}
}

// ownerOf reads an object's owner without decoding the rest of the object: the members of
// topology.Meta lead every object's JSON (id, then owner), so the scan stops after the
// second member of a translated object. It returns "" for anything without an owner.
func ownerOf(b []byte) string {
	if owner, ok := ownerFast(b); ok {
		return owner
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return ""
		}
		if k == "owner" {
			var owner string
			if dec.Decode(&owner) != nil {
				return ""
			}
			return owner
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return ""
		}
	}
	return ""
}

// ownerFast reads the owner of an object as the cluster writes it — {"id":"…","owner":"…",
// with neither string escaped — by slicing, without a decoder: start-up reads a million of
// them. ok is false for any other shape (ownerOf then decodes).
func ownerFast(b []byte) (string, bool) {
	rest, ok := bytes.CutPrefix(b, []byte(`{"id":"`))
	if !ok {
		return "", false
	}
	i := bytes.IndexByte(rest, '"')
	if i < 0 || bytes.IndexByte(rest[:i], '\\') >= 0 {
		return "", false
	}
	rest, ok = bytes.CutPrefix(rest[i+1:], []byte(`,"owner":"`))
	if !ok {
		return "", false
	}
	j := bytes.IndexByte(rest, '"')
	if j < 0 || bytes.IndexByte(rest[:j], '\\') >= 0 {
		return "", false
	}
	return string(rest[:j]), true
}

// ownerNext is what an apply computed for one owner: whether its translation makes objects,
// and the digest of their bundle's content.
type ownerNext struct {
	sum  sum
	owns bool
}

// ownerSummer computes the digest of the bundle content of owners' translations, the one
// readOwned records for an owner's bundle when it holds exactly the same objects, with its
// buffers reused from one owner to the next: verify digests every owner, and one
// json.Marshal result and one content buffer an object were most of its allocations. Use
// one per goroutine; the zero value is ready.
type ownerSummer struct {
	js      []byte // the objects' JSON (json.Marshal's) one after another
	ends    []int  // where each object's JSON ends in js
	bos     []nsdb.BundleObject
	content []byte
}

// sum returns the digest of the bundle content of an owner's translation, objs, and whether
// it makes any object.
func (s *ownerSummer) sum(objs []topology.Object) (sum, bool, error) {
	s.js = s.js[:0]
	s.ends = s.ends[:0]
	for _, o := range objs {
		var err error
		if s.js, err = topology.AppendJSON(s.js, o); err != nil {
			return sum{}, false, fmt.Errorf("encode %s: %w", topology.Key(o), err)
		}
		s.ends = append(s.ends, len(s.js))
	}
	s.bos = s.bos[:0]
	start := 0
	for i, o := range objs {
		s.bos = append(s.bos, nsdb.BundleObject{Kind: o.Kind(), ID: o.Base().ID, JSON: s.js[start:s.ends[i]]})
		start = s.ends[i]
	}
	s.content = nsdb.AppendBundleContentSorting(s.content[:0], s.bos)
	clear(s.bos) // keeps no object's id past this call
	if len(s.content) == 0 {
		return sum{}, false, nil
	}
	return sumOf(s.content), true, nil
}
