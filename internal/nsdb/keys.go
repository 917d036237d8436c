package nsdb

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/midonet-go/midonet/internal/topology"
)

// Bookkeeping keys outside any data version.
const (
	// ActiveVersionKey holds the data version (decimal) agents read the topology of.
	ActiveVersionKey = "/midonet/active_version"
	// LastTaskKey holds the id of the last journal task the cluster applied.
	LastTaskKey = "/midonet/cluster/last_task"
	// RepairKey is there while a repair (the server's startup repair, `db-manage repair`)
	// runs: when and by which process it started.
	RepairKey = "/midonet/cluster/repair"
)

// DataPrefix is the root of one data version: "/midonet/data/<version>/".
func DataPrefix(version int64) string {
	return "/midonet/data/" + strconv.FormatInt(version, 10) + "/"
}

// LearnedPrefix is the root of the state agents learn at run time (BGP routes), one folder
// per host ("<prefix><host>/Route/<id>"), bound to the agent's lease; not translated, so the
// cluster neither writes nor verifies it.
func LearnedPrefix(version int64) string { return DataPrefix(version) + "learned/" }

// TopologyPrefix is where the objects of one kind live: ".../topology/<Kind>/".
func TopologyPrefix(version int64, kind topology.Kind) string {
	return DataPrefix(version) + "topology/" + string(kind) + "/"
}

// TopologyKey is the key of one object: ".../topology/<Kind>/<id>".
func TopologyKey(version int64, kind topology.Kind, id string) string {
	return TopologyPrefix(version, kind) + id
}

// OwnedPrefix is where the bundles of a data version live: ".../owned/". Every object a
// Neutron resource's translation made (its Meta.Owner set) is stored in its owner's bundle
// (bundle.go), one key a resource instead of one an object.
func OwnedPrefix(version int64) string { return DataPrefix(version) + "owned/" }

// OwnedKey is the key of one owner's bundle (owner "<collection>/<id>"):
// ".../owned/<collection>/<id>".
func OwnedKey(version int64, owner string) string { return OwnedPrefix(version) + owner }

// NeutronKey is the key of a copy of a Neutron resource: ".../neutron/<collection>/<id>".
func NeutronKey(version int64, collection, id string) string {
	return DataPrefix(version) + "neutron/" + collection + "/" + id
}

func jsonOf(o topology.Object) ([]byte, error) {
	b, err := topology.AppendJSON(nil, o)
	if err != nil {
		return nil, fmt.Errorf("nsdb: encode %s: %w", topology.Key(o), err)
	}
	return b, nil
}

// PutObjectOps returns the write that stores o under its own key (topology/): the layout of
// objects nobody translated (agents', hand-made ones) and, for owned objects, the layout
// before bundles (tests build such a store with it; the cluster writes owned objects as
// bundles).
func PutObjectOps(version int64, o topology.Object) ([]Op, error) {
	b, err := jsonOf(o)
	if err != nil {
		return nil, err
	}
	return []Op{{Key: TopologyKey(version, o.Kind(), o.Base().ID), Value: b}}, nil
}

// DeleteObjectOps returns the write that removes o's own key.
func DeleteObjectOps(version int64, o topology.Object) []Op {
	return []Op{{Key: TopologyKey(version, o.Kind(), o.Base().ID), Delete: true}}
}

// EachBundleObject calls f with each object the owners' bundles of a data version hold and
// the bundle's owner ("<collection>/<id>"), bundle by bundle in key order, and returns the
// store revision it read at. begin runs before the first bundle and again if the listing has
// to start over. It stops at the first undecodable bundle or error from f. Every bundle is
// decoded: a tool's read, not a hot path.
func (s *Store) EachBundleObject(ctx context.Context, version int64, begin func(), f func(owner string, bo BundleObject) error) (int64, error) {
	prefix := OwnedPrefix(version)
	var ferr error
	rev, err := s.Each(ctx, prefix, func() { ferr = nil; begin() }, func(kv KV) {
		if ferr != nil {
			return
		}
		bos, err := DecodeBundle(kv.Value)
		if err != nil {
			ferr = fmt.Errorf("nsdb: %s: %w", kv.Key, err)
			return
		}
		owner := strings.TrimPrefix(kv.Key, prefix)
		for _, bo := range bos {
			if ferr = f(owner, bo); ferr != nil {
				return
			}
		}
	})
	if err != nil {
		return 0, err
	}
	return rev, ferr
}

// Objects returns every object of a kind in a data version, in id order: those stored
// under their own key and those in owners' bundles (which it decodes all: a tool's read,
// not a hot path).
func (s *Store) Objects(ctx context.Context, version int64, kind topology.Kind) ([]topology.Object, error) {
	var out []topology.Object
	rev, err := s.EachBundleObject(ctx, version, func() { out = out[:0] }, func(owner string, bo BundleObject) error {
		if bo.Kind != kind {
			return nil
		}
		o, err := topology.Decode(kind, bo.JSON)
		if err != nil {
			return fmt.Errorf("nsdb: bundle of %s: %s: %w", owner, bo.Key(), err)
		}
		out = append(out, o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var decodeErr error
	err = s.EachAt(ctx, TopologyPrefix(version, kind), rev, func(kv KV) {
		if decodeErr != nil {
			return
		}
		o, err := topology.Decode(kind, kv.Value)
		if err != nil {
			decodeErr = fmt.Errorf("nsdb: %s: %w", kv.Key, err)
			return
		}
		out = append(out, o)
	})
	if err != nil {
		return nil, err
	}
	if decodeErr != nil {
		return nil, decodeErr
	}
	slices.SortStableFunc(out, func(a, b topology.Object) int { return strings.Compare(a.Base().ID, b.Base().ID) })
	return out, nil
}

// Object returns one object, or nil, nil when it is absent: the one under its own key, else
// the one an owner's bundle holds (found by reading every bundle: for tools and tests; a
// reader that knows the owner reads OwnedObjects).
func (s *Store) Object(ctx context.Context, version int64, kind topology.Kind, id string) (topology.Object, error) {
	kv, err := s.Get(ctx, TopologyKey(version, kind, id))
	if err != nil {
		return nil, err
	}
	if kv != nil {
		o, err := topology.Decode(kind, kv.Value)
		if err != nil {
			return nil, fmt.Errorf("nsdb: %s: %w", kv.Key, err)
		}
		return o, nil
	}
	var found topology.Object
	_, err = s.EachBundleObject(ctx, version, func() { found = nil }, func(owner string, bo BundleObject) error {
		if found != nil || bo.Kind != kind || bo.ID != id {
			return nil
		}
		o, err := topology.Decode(kind, bo.JSON)
		if err != nil {
			return fmt.Errorf("nsdb: bundle of %s: %s: %w", owner, bo.Key(), err)
		}
		found = o
		return nil
	})
	if err != nil {
		return nil, err
	}
	return found, nil
}
