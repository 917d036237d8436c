package agent

import (
	"io"
	"log/slog"
	"sort"
	"testing"

	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
)

// TestApplyBundleEvents: a bundle's events change exactly the objects that differ between
// the bundle before and after, and mark only the ports among them; an event whose bundle
// before is unknown (etcd no longer had it) is refused, so the session reloads.
func TestApplyBundleEvents(t *testing.T) {
	a := New(nil, Options{HostID: "h", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	s := testState()
	const owner = "ports/00000001-5555-4555-8555-555555555555"
	key := nsdb.OwnedKey(1, owner)
	objs := portObjects(1)
	bundle := func(objs ...topology.Object) []byte {
		b, err := nsdb.BundleOf(objs)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	marked := func() []string {
		var out []string
		for id := range s.portsChanged {
			out = append(out, id)
		}
		sort.Strings(out)
		s.portsChanged = nil
		return out
	}
	v1 := bundle(objs...)
	if err := a.applyEvent(s, 1, nsdb.Event{Key: key, Value: v1, Version: 1, Revision: 10}); err != nil {
		t.Fatal(err)
	}
	if s.objects.len() != len(objs) || s.objects.rev != 10 {
		t.Fatalf("after create: %d objects at revision %d, want %d at 10", s.objects.len(), s.objects.rev, len(objs))
	}
	if m := marked(); len(m) != 1 || m[0] != objs[0].Base().ID {
		t.Errorf("after create: ports marked %v", m)
	}
	// A rule changed, another dropped: the port is not marked.
	rule := *objs[8].(*topology.Rule)
	rule.Action = "drop"
	changed := append(append([]topology.Object{}, objs[:8]...), &rule)
	changed = append(changed, objs[10:]...)
	v2 := bundle(changed...)
	if err := a.applyEvent(s, 1, nsdb.Event{Key: key, Value: v2, PrevValue: v1, Version: 2, Revision: 11}); err != nil {
		t.Fatal(err)
	}
	if s.objects.len() != len(objs)-1 || s.objects.get(topology.KindRule, objs[9].Base().ID) != nil {
		t.Errorf("after the change: %d objects, dropped rule present %v", s.objects.len(), s.objects.get(topology.KindRule, objs[9].Base().ID) != nil)
	}
	if r, ok := s.objects.held[topology.KindRule].owner(rule.ID); !ok || s.objects.owners.name(r) != owner {
		t.Errorf("the changed rule is not held as the owner's")
	}
	if m := marked(); len(m) != 0 {
		t.Errorf("ports marked %v when only rules changed", m)
	}
	if err := a.applyEvent(s, 1, nsdb.Event{Key: key, Value: v1, Version: 3, Revision: 12}); err == nil {
		t.Error("an update without the bundle before it: no error")
	}
	if err := a.applyEvent(s, 1, nsdb.Event{Key: key, Deleted: true, PrevValue: v2, Revision: 13}); err != nil {
		t.Fatal(err)
	}
	if s.objects.len() != 0 || len(s.objects.owners.index) != 0 {
		t.Errorf("after the delete: %d objects, %d owners kept", s.objects.len(), len(s.objects.owners.index))
	}
	if m := marked(); len(m) != 1 {
		t.Errorf("after the delete: ports marked %v", m)
	}
}
