package nsdb

import (
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

func TestKeyLayout(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{TopologyKey(3, topology.KindNetwork, "n1"), "/midonet/data/3/topology/Network/n1"},
		{NeutronKey(3, "ports", "p1"), "/midonet/data/3/neutron/ports/p1"},
		{TopologyPrefix(10, topology.KindPort), "/midonet/data/10/topology/Port/"},
		{ActiveVersionKey, "/midonet/active_version"},
		{LastTaskKey, "/midonet/cluster/last_task"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %s, want %s", tc.got, tc.want)
		}
	}
}

func TestObjects(t *testing.T) {
	s := openTemp(t)
	ctx := testCtx(t)
	owner := "networks/n1"
	objs := []topology.Object{
		&topology.Network{Meta: topology.Meta{ID: "n1", Owner: owner, Revision: 2}, Name: "net", AdminStateUp: true},
		&topology.Chain{Meta: topology.Meta{ID: "c-in", Owner: owner}, Name: "in"},
		&topology.Chain{Meta: topology.Meta{ID: "c-out", Owner: owner}, Name: "out"},
		&topology.Chain{Meta: topology.Meta{ID: "c-other", Owner: "networks/n10"}, Name: "other"},
		&topology.Host{Meta: topology.Meta{ID: "h1"}, Name: "host1"},
	}
	var ops []Op
	for _, o := range objs {
		o2, err := PutObjectOps(1, o)
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops, o2...)
	}
	if ok, _, err := s.Txn(ctx, nil, ops); err != nil || !ok {
		t.Fatal(ok, err)
	}

	got, err := s.Object(ctx, 1, topology.KindNetwork, "n1")
	if err != nil {
		t.Fatal(err)
	}
	n, ok := got.(*topology.Network)
	if !ok || n.Name != "net" || !n.AdminStateUp || n.Revision != 2 || n.Owner != owner {
		t.Fatalf("network = %#v", got)
	}
	if got, err := s.Object(ctx, 1, topology.KindNetwork, "missing"); got != nil || err != nil {
		t.Fatalf("missing object = %v, %v", got, err)
	}
	if got, err := s.Object(ctx, 2, topology.KindNetwork, "n1"); got != nil || err != nil {
		t.Fatalf("object of another version = %v, %v", got, err)
	}

	chains, err := s.Objects(ctx, 1, topology.KindChain)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range chains {
		names = append(names, c.(*topology.Chain).Name)
	}
	if !slices.Equal(names, []string{"in", "other", "out"}) { // id order: c-in, c-other, c-out
		t.Fatalf("chains %v", names)
	}

	// Deleting the owner's objects removes their keys.
	var del []Op
	for _, o := range objs[:3] {
		del = append(del, DeleteObjectOps(1, o)...)
	}
	if ok, _, err := s.Txn(ctx, nil, del); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if got, err := s.Object(ctx, 1, topology.KindNetwork, "n1"); got != nil || err != nil {
		t.Fatalf("deleted network = %v, %v", got, err)
	}
	if left, _ := s.Objects(ctx, 1, topology.KindChain); len(left) != 1 {
		t.Fatalf("chains left %v", left)
	}

	// A value that is not the kind's JSON is an error, not a silent zero object.
	put(t, s, TopologyKey(1, topology.KindRouter, "bad"), "not json")
	if _, err := s.Objects(ctx, 1, topology.KindRouter); err == nil {
		t.Fatal("decoding garbage succeeded")
	}
}
