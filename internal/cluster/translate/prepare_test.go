package translate

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sync"
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
)

// TestPreparedWorldsAreTheSame: a world whose documents were prepared on several goroutines
// at once and added in another order holds exactly what
// PutJSON one at a time gives: the same JSON, documents, revisions, ids, index answers and
// translations of every resource. A replaced document leaves no trace of its old index keys,
// and a document that is not JSON is refused naming its collection.
func TestPreparedWorldsAreTheSame(t *testing.T) {
	ref := world()
	// A port moved to another network and device: the index entries of its first version
	// must go.
	moved := ref.Get("ports", vmPort)
	moved["network_id"], moved["device_id"], moved["revision_number"] = extNet, "vm-1", json.Number("7")
	ref.Put("ports", moved)
	var raws []struct {
		coll string
		raw  []byte
	}
	for _, coll := range ref.Collections() {
		for _, id := range ref.IDs(coll) {
			raws = append(raws, struct {
				coll string
				raw  []byte
			}{coll, ref.GetJSON(coll, id)})
		}
	}
	first, _ := json.Marshal(world().Get("ports", vmPort)) // the port before it moved
	for _, tc := range []struct {
		name  string
		world *World
	}{{"packed", NewWorld()}} {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.world
			if err := w.PutJSON("ports", first); err != nil {
				t.Fatal(err)
			}
			prepared := make([]Prepared, len(raws))
			var wg sync.WaitGroup
			for i := range raws {
				wg.Go(func() {
					p, err := w.PrepareJSON(raws[i].coll, raws[i].raw)
					if err != nil {
						t.Error(err)
					}
					prepared[i] = p
				})
			}
			wg.Wait()
			for i := len(prepared) - 1; i >= 0; i-- { // another order than the listing's
				w.Add(prepared[i])
			}
			if !reflect.DeepEqual(w.Collections(), ref.Collections()) {
				t.Fatalf("collections %v, want %v", w.Collections(), ref.Collections())
			}
			for _, coll := range ref.Collections() {
				if !reflect.DeepEqual(w.IDs(coll), ref.IDs(coll)) {
					t.Errorf("%s: ids %v, want %v", coll, w.IDs(coll), ref.IDs(coll))
				}
				for _, id := range ref.IDs(coll) {
					got := w.GetJSON(coll, id)
					if !bytes.Equal(got, ref.GetJSON(coll, id)) {
						t.Errorf("%s/%s: JSON %s, want %s", coll, id, got, ref.GetJSON(coll, id))
					}
					got[0] = 'X' // the caller's own copy
					if w.GetJSON(coll, id)[0] != '{' {
						t.Fatalf("%s/%s: changing what GetJSON gave changed the world", coll, id)
					}
					if !reflect.DeepEqual(w.Get(coll, id), ref.Get(coll, id)) {
						t.Errorf("%s/%s: document %v, want %v", coll, id, w.Get(coll, id), ref.Get(coll, id))
					}
					if w.Revision(coll, id) != ref.Revision(coll, id) {
						t.Errorf("%s/%s: revision %d, want %d", coll, id, w.Revision(coll, id), ref.Revision(coll, id))
					}
					r := RefOf(coll, id)
					if got, want := keys(Builtin().Owned(w, r)), keys(Builtin().Owned(ref, r)); !reflect.DeepEqual(got, want) {
						t.Errorf("%s: translates to %v, want %v", r, got, want)
					}
				}
			}
			for _, q := range []struct {
				name      string
				got, want []string
			}{
				{"ports on netA", portIDsOn(w, netA), portIDsOn(ref, netA)},
				{"ports on extNet", portIDsOn(w, extNet), portIDsOn(ref, extNet)},
				{"trusted ports on netA", portIDs(w.TrustedPortsOn(netA)), portIDs(ref.TrustedPortsOn(netA))},
				{"trusted ports on extNet", portIDs(w.TrustedPortsOn(extNet)), portIDs(ref.TrustedPortsOn(extNet))},
				{"ports of vm-1", portIDs(w.PortsOf("vm-1")), portIDs(ref.PortsOf("vm-1"))},
				{"ports of the router", portIDs(w.PortsOf(rtr)), portIDs(ref.PortsOf(rtr))},
			} {
				if !reflect.DeepEqual(q.got, q.want) {
					t.Errorf("%s: %v, want %v", q.name, q.got, q.want)
				}
			}
			if got := portIDsOn(w, netA); len(got) != 1 || got[0] != rifA {
				t.Errorf("ports on netA after the VM port moved: %v, want only the router interface", got)
			}
			if _, err := w.PrepareJSON("ports", []byte(`{"id":`)); err == nil || !bytes.Contains([]byte(err.Error()), []byte("ports document")) {
				t.Errorf("a truncated document: err %v, want one naming the ports document", err)
			}
		})
	}
}

// portIDsOn are the ids of a network's ports, sorted (the ports.network index).
func portIDsOn(w *World, network string) []string { return w.idx["ports.network"][network].sorted() }

func portIDs[T interface{ GetID() string }](xs []T) []string { return ids(xs) }

// keys are the objects' keys with their JSON, in order.
func keys(objs []topology.Object) []string {
	var out []string
	for _, o := range objs {
		b, _ := json.Marshal(o)
		out = append(out, topology.Key(o)+" "+string(b))
	}
	return out
}
