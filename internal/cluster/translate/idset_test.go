package translate

import (
	"fmt"
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/model"
)

// TestIDSet walks an index key's set through its three forms (one id, a slice, a map) and
// back, checking its ids after every step against a plain map.
func TestIDSet(t *testing.T) {
	id := func(i int) string { return fmt.Sprintf("id-%03d", i) }
	var steps []struct {
		add bool
		id  string
	}
	step := func(add bool, ids ...string) {
		for _, x := range ids {
			steps = append(steps, struct {
				add bool
				id  string
			}{add, x})
		}
	}
	step(true, id(5))          // one
	step(true, id(5))          // again: no change
	step(false, id(9))         // absent: no change
	step(true, id(1))          // a slice
	step(false, id(5))         // back to one id, in the slice
	step(false, id(1))         // empty
	step(true, id(2))          // one again
	for i := 10; i < 40; i++ { // past maxFew: a map
		step(true, id(i))
	}
	step(true, id(20)) // again, in the map
	for i := 10; i < 40; i++ {
		step(false, id(i))
	}
	var s idSet
	want := map[string]bool{}
	for n, st := range steps {
		if st.add {
			s.add(st.id)
			want[st.id] = true
		} else {
			s.remove(st.id)
			delete(want, st.id)
		}
		var w []string
		for x := range want {
			w = append(w, x)
		}
		slices.Sort(w)
		if got := s.sorted(); !slices.Equal(got, w) || s.len() != len(w) {
			t.Fatalf("step %d (add %v %s): set holds %v (len %d), want %v", n, st.add, st.id, got, s.len(), w)
		}
	}
}

// TestWorldIndexFollowsChanges checks the ports.device index through a port's create, a move
// to another device, and its delete, with other ports on the same devices.
func TestWorldIndexFollowsChanges(t *testing.T) {
	w := NewWorld()
	put := func(id, device string) {
		w.Put("ports", Doc{"id": id, "network_id": "n1", "device_id": device, "revision_number": 1})
	}
	devices := func(device string) []string {
		var out []string
		for _, p := range byIndex[model.Port](w, "ports.device", "ports", device) {
			out = append(out, p.ID)
		}
		return out
	}
	put("p1", "vm-a")
	put("p2", "vm-a")
	put("p3", "vm-b")
	if got := devices("vm-a"); !slices.Equal(got, []string{"p1", "p2"}) {
		t.Fatalf("vm-a: %v", got)
	}
	put("p1", "vm-b") // moved
	if got, got2 := devices("vm-a"), devices("vm-b"); !slices.Equal(got, []string{"p2"}) || !slices.Equal(got2, []string{"p1", "p3"}) {
		t.Fatalf("after the move: vm-a %v, vm-b %v", got, got2)
	}
	w.Delete("ports", "p2")
	if _, ok := w.idx["ports.device"]["vm-a"]; ok {
		t.Fatal("an emptied key stays in the index")
	}
}

// TestIndexesFitTheEntry: an entry holds at most maxIndexes index keys.
func TestIndexesFitTheEntry(t *testing.T) {
	for collection, ix := range indexes {
		if len(ix) > maxIndexes {
			t.Errorf("%s has %d indexes; an entry holds %d (raise maxIndexes)", collection, len(ix), maxIndexes)
		}
	}
}
