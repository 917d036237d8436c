package nsdb

import (
	"context"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"

	"github.com/midonet-go/midonet/internal/topology"
)

// A bundle is the value of an owner's key (OwnedKey): every object one Neutron resource's
// translation made, in one value instead of a key each. Its bytes are a format byte and the
// compressed content: the objects, sorted by kind then id, each as three length-prefixed
// (uvarint) fields: its kind, its id and its JSON. The same objects always have the same
// content, so comparing contents (or their digests) compares the objects.
//
// Bundles are written as S2 blocks against bundleDict (bundleS2): a VM port's 6.6 KB of
// content in about 1.4 KB, as zstd made it, for a quarter of zstd's CPU to write and a fifth
// to read. Bundles written before (bundleZstd) are still read.
const (
	bundleZstd = 'z' // a zstd frame (the format until session 12)
	bundleS2   = 's' // an S2 block against bundleDict
)

// bundleDict is the content of one VM port's bundle (its chains, rules, DHCP host, MAC and
// ARP entries, taken from a 100,000-port load): what the bundles of most owners repeat.
// Bundles refer to it by their format byte, so it must never change; a new dictionary
// needs a new format byte (TestBundleDictionaryIsPinned).
//
//go:embed bundle_dict.bin
var bundleDict []byte

// maxBundleContent bounds the content a bundle may say it holds (a damaged length must not
// allocate gigabytes); zstd's decoder has the same bound.
const maxBundleContent = 64 << 20

var s2Dict = sync.OnceValue(func() *s2.Dict {
	d := s2.MakeDict(bundleDict, nil)
	if d == nil {
		panic("nsdb: S2 bundle dictionary refused")
	}
	return d
})

// BundleObject is one object of a bundle: its kind, its id and its JSON as stored.
type BundleObject struct {
	Kind topology.Kind
	ID   string
	JSON []byte
}

// Key is the object's "<Kind>/<id>".
func (o BundleObject) Key() string { return string(o.Kind) + "/" + o.ID }

func compareBundleObjects(a, b BundleObject) int {
	if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// zstdDecoder reads the bundles written before bundleS2.
var zstdDecoder = sync.OnceValue(func() *zstd.Decoder {
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxBundleContent))
	if err != nil {
		panic(fmt.Sprintf("nsdb: zstd decoder: %v", err))
	}
	return d
})

// EncodeBundle returns the bundle of objs (in any order; objs itself is not reordered). Of
// several objects with the same kind and id the last one counts, as of several writes of one
// key in a Txn (a translation may make an object twice).
func EncodeBundle(objs []BundleObject) ([]byte, error) {
	return CompressBundleContent(AppendBundleContent(nil, objs)), nil
}

// AppendBundleContent appends to dst the content of the bundle of objs: its bytes before
// compression, the objects sorted by kind then id (the last of several with the same kind
// and id), each as its three length-prefixed fields. The same set of objects always has the
// same content, whatever their order in objs (which is not reordered): comparing contents,
// or digests of them, compares the objects.
func AppendBundleContent(dst []byte, objs []BundleObject) []byte {
	return AppendBundleContentSorting(dst, slices.Clone(objs))
}

// AppendBundleContentSorting is AppendBundleContent using objs itself as its scratch space
// instead of a copy of it: afterwards objs holds its elements in another order, some of them
// possibly twice (for a caller that reuses objs as a buffer, such as verify's digests).
func AppendBundleContentSorting(dst []byte, objs []BundleObject) []byte {
	all := objs
	slices.SortStableFunc(all, compareBundleObjects)
	sorted := all[:0]
	n := 0
	for i, o := range all {
		if i+1 < len(all) && compareBundleObjects(o, all[i+1]) == 0 {
			continue // a later one of the same kind and id wins
		}
		sorted = append(sorted, o)
		n += len(o.Kind) + len(o.ID) + len(o.JSON) + 3*binary.MaxVarintLen32
	}
	dst = slices.Grow(dst, n)
	for _, o := range sorted {
		dst = binary.AppendUvarint(dst, uint64(len(o.Kind)))
		dst = append(dst, o.Kind...)
		dst = binary.AppendUvarint(dst, uint64(len(o.ID)))
		dst = append(dst, o.ID...)
		dst = binary.AppendUvarint(dst, uint64(len(o.JSON)))
		dst = append(dst, o.JSON...)
	}
	return dst
}

// CompressBundleContent returns the bundle whose content (AppendBundleContent) is raw. It
// compresses into a pooled buffer sized for the worst case and returns an exact-size copy
// (a bundle is a fifth of its content or less, and the copy is what the NSDB's write keeps).
func CompressBundleContent(raw []byte) []byte {
	n := 1 + s2.MaxEncodedLen(len(raw))
	bp := compressScratch.Get().(*[]byte)
	if cap(*bp) < n {
		*bp = make([]byte, n)
	}
	buf := (*bp)[:n]
	buf[0] = bundleS2
	enc := buf[:1+len(s2Dict().Encode(buf[1:], raw))]
	out := make([]byte, len(enc))
	copy(out, enc)
	if cap(*bp) <= maxScratch {
		compressScratch.Put(bp)
	}
	return out
}

// compressScratch holds CompressBundleContent's buffers; one larger than maxScratch (a
// bundle of an owner with thousands of objects) is left to the collector.
var compressScratch = sync.Pool{New: func() any { return new([]byte) }}

const maxScratch = 1 << 20

// AppendBundleContentOf appends to dst the content of bundle b (its bytes after
// decompression, as AppendBundleContent made them), without decoding its objects.
func AppendBundleContentOf(dst, b []byte) ([]byte, error) {
	if len(b) == 0 {
		return dst, errors.New("nsdb: not a bundle")
	}
	switch b[0] {
	case bundleS2:
		n, err := s2.DecodedLen(b[1:])
		if err != nil {
			return dst, fmt.Errorf("nsdb: bundle: %w", err)
		}
		if n > maxBundleContent {
			return dst, fmt.Errorf("nsdb: bundle: says it holds %d bytes, more than %d", n, maxBundleContent)
		}
		dst = slices.Grow(dst, n)
		out, err := s2Dict().Decode(dst[len(dst):len(dst)+n], b[1:])
		if err != nil {
			return dst, fmt.Errorf("nsdb: bundle: %w", err)
		}
		return append(dst, out...), nil // out is dst's spare room: the copy is in place
	case bundleZstd:
		out, err := zstdDecoder().DecodeAll(b[1:], dst)
		if err != nil {
			return dst, fmt.Errorf("nsdb: bundle: %w", err)
		}
		return out, nil
	}
	return dst, errors.New("nsdb: not a bundle")
}

// DecodeBundle returns a bundle's objects, sorted by kind then id.
func DecodeBundle(b []byte) ([]BundleObject, error) {
	objs, _, err := DecodeBundleInto(nil, nil, b)
	if err != nil {
		return nil, err
	}
	return objs, nil
}

// DecodeBundleInto is DecodeBundle into the caller's buffers, for a caller that decodes
// bundle after bundle: objs and content are overwritten (reused when large enough) and
// returned. The objects' JSON are slices of the returned content, valid until the caller
// reuses it; their ids are strings of their own.
func DecodeBundleInto(objs []BundleObject, content, b []byte) ([]BundleObject, []byte, error) {
	objs = objs[:0]
	content, err := AppendBundleContentOf(content[:0], b)
	if err != nil {
		return objs, content, err
	}
	raw := content
	field := func() ([]byte, error) {
		l, n := binary.Uvarint(raw)
		if n <= 0 || uint64(len(raw)-n) < l {
			return nil, errors.New("nsdb: bundle: truncated")
		}
		f := raw[n : n+int(l) : n+int(l)]
		raw = raw[n+int(l):]
		return f, nil
	}
	for len(raw) > 0 {
		kind, err := field()
		if err != nil {
			return objs, content, err
		}
		id, err := field()
		if err != nil {
			return objs, content, err
		}
		js, err := field()
		if err != nil {
			return objs, content, err
		}
		objs = append(objs, BundleObject{Kind: kindOf(kind), ID: string(id), JSON: js})
	}
	return objs, content, nil
}

// knownKinds maps the name of every kind the translators write to itself, so that a decoded
// bundle's kinds are the constants, not a string each.
var knownKinds = func() map[string]topology.Kind {
	m := make(map[string]topology.Kind, len(topology.Kinds))
	for _, k := range topology.Kinds {
		m[string(k)] = k
	}
	return m
}()

func kindOf(b []byte) topology.Kind {
	if k, ok := knownKinds[string(b)]; ok {
		return k
	}
	return topology.Kind(b)
}

// BundleOf encodes objects as a bundle (see EncodeBundle).
func BundleOf(objs []topology.Object) ([]byte, error) {
	bos, err := BundleObjects(objs)
	if err != nil {
		return nil, err
	}
	return EncodeBundle(bos)
}

// BundleObjects encodes each object's JSON.
func BundleObjects(objs []topology.Object) ([]BundleObject, error) {
	bos := make([]BundleObject, 0, len(objs))
	for _, o := range objs {
		b, err := jsonOf(o)
		if err != nil {
			return nil, err
		}
		bos = append(bos, BundleObject{Kind: o.Kind(), ID: o.Base().ID, JSON: b})
	}
	return bos, nil
}

// DecodeBundleObjects decodes a bundle into topology objects, sorted by kind then id.
func DecodeBundleObjects(b []byte) ([]topology.Object, error) {
	bos, err := DecodeBundle(b)
	if err != nil {
		return nil, err
	}
	out := make([]topology.Object, 0, len(bos))
	for _, bo := range bos {
		o, err := topology.Decode(bo.Kind, bo.JSON)
		if err != nil {
			return nil, fmt.Errorf("nsdb: bundle: %s: %w", bo.Key(), err)
		}
		out = append(out, o)
	}
	return out, nil
}

// OwnedObjects returns the objects of one owner's bundle, sorted by kind then id (none when
// it has no bundle).
func (s *Store) OwnedObjects(ctx context.Context, version int64, owner string) ([]topology.Object, error) {
	kv, err := s.Get(ctx, OwnedKey(version, owner))
	if err != nil || kv == nil {
		return nil, err
	}
	objs, err := DecodeBundleObjects(kv.Value)
	if err != nil {
		return nil, fmt.Errorf("nsdb: %s: %w", kv.Key, err)
	}
	return objs, nil
}

// EditBundle returns bundle b with each "<Kind>/<id>" of edit set to its JSON (added when
// absent), or removed when that is nil: how tools and tests make an NSDB drift.
func EditBundle(b []byte, edit map[string][]byte) ([]byte, error) {
	bos, err := DecodeBundle(b)
	if err != nil {
		return nil, err
	}
	out := make([]BundleObject, 0, len(bos)+len(edit))
	for _, bo := range bos {
		if _, ok := edit[bo.Key()]; !ok {
			out = append(out, bo)
		}
	}
	for k, js := range edit {
		if js == nil {
			continue
		}
		kind, id, ok := strings.Cut(k, "/")
		if !ok {
			return nil, fmt.Errorf("nsdb: edit bundle: %q is not <Kind>/<id>", k)
		}
		out = append(out, BundleObject{Kind: topology.Kind(kind), ID: id, JSON: js})
	}
	return EncodeBundle(out)
}
