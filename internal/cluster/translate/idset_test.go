package translate

import (
	"encoding/json"
	"fmt"
	"reflect"
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
		for _, p := range w.PortsOf(device) {
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

// TestTrustedPortsFollowTheOwner follows a port that becomes a router interface and then a
// VM's port again: TrustedPortsOn lists it only while the network owns it, the world keeps
// its typed form only then, and Port reads it as it is stored each time.
func TestTrustedPortsFollowTheOwner(t *testing.T) {
	w := NewWorld()
	put := func(id, owner string, rev int) {
		w.Put("ports", Doc{"id": id, "network_id": "n1", "device_id": "d-" + id, "device_owner": owner,
			"fixed_ips": []any{map[string]any{"subnet_id": "s1", "ip_address": "10.0.0.9"}}, "revision_number": rev})
	}
	trusted := func() []string { return portIDs(w.TrustedPortsOn("n1")) }
	put("p1", "compute:nova", 1)
	put("p2", model.OwnerDHCP, 1)
	check := func(when string, wantTrusted []string, wantTyped bool, wantOwner string) {
		t.Helper()
		if got := trusted(); !slices.Equal(got, wantTrusted) {
			t.Errorf("%s: trusted ports %v, want %v", when, got, wantTrusted)
		}
		if got := portIDsOn(w, "n1"); !slices.Equal(got, []string{"p1", "p2"}) {
			t.Errorf("%s: ports on n1 %v, want both", when, got)
		}
		if _, typed := w.typed["ports"]["p1"]; typed != wantTyped {
			t.Errorf("%s: p1 kept typed %v, want %v", when, typed, wantTyped)
		}
		p := w.Port("p1")
		if p == nil || p.DeviceOwner != wantOwner || len(p.FixedIPs) != 1 || p.FixedIPs[0].IPAddress != "10.0.0.9" || !p.AdminStateUp {
			t.Errorf("%s: Port(p1) = %+v, want owner %q, its address and admin_state_up's default", when, p, wantOwner)
		}
	}
	check("a VM port", []string{"p2"}, false, "compute:nova")
	put("p1", model.OwnerRouterInterface, 2)
	check("a router interface", []string{"p1", "p2"}, true, model.OwnerRouterInterface)
	put("p1", "compute:nova", 3)
	check("a VM port again", []string{"p2"}, false, "compute:nova")
	if got := w.PortsOf("d-p1"); len(got) != 1 || got[0].ID != "p1" {
		t.Errorf("PortsOf(d-p1) = %v, want p1 decoded", got)
	}
	w.Delete("ports", "p2")
	if got := trusted(); len(got) != 0 {
		t.Errorf("after the DHCP port's delete: trusted ports %v", got)
	}
	if w.Port("p2") != nil {
		t.Error("a deleted port still reads")
	}
}

// TestDecodedPortsAreThePreparedOnes: a VM port read through Port (decoded from its JSON
// on demand) is what the typed form prepare made from the decoded document was, for the
// fixture's ports and a port with every attribute set.
func TestDecodedPortsAreThePreparedOnes(t *testing.T) {
	w := benchWorld(3)
	full, _ := json.Marshal(Doc{"id": "p-full", "network_id": netA, "device_owner": "compute:az1", "admin_state_up": false,
		"port_security_enabled": false, "binding:profile": map[string]any{"interface_name": "eth9"}, "tags": []any{"a", "b"},
		"allowed_address_pairs": []any{map[string]any{"ip_address": "10.0.0.0/24", "mac_address": "fa:16:3e:00:00:09"}},
		"extra_dhcp_opts":       []any{map[string]any{"opt_name": "mtu", "opt_value": "1400", "ip_version": 4}},
		"security_groups":       []any{sgWeb, "sg-2"}, "qos_policy_id": "q1", "revision_number": 4})
	if err := w.PutJSON("ports", full); err != nil {
		t.Fatal(err)
	}
	for _, id := range w.IDs("ports") {
		raw := w.GetJSON("ports", id)
		d, err := decodeDoc(raw)
		if err != nil {
			t.Fatal(err)
		}
		want := decoders["ports"](d).(*model.Port)
		if len(want.Profile) == 0 {
			want.Profile = nil
		}
		if got := w.Port(id); !reflect.DeepEqual(got, want) {
			t.Errorf("port %s:\n got %+v\nwant %+v", id, got, want)
		}
	}
}

// TestMentioning: the documents whose JSON holds a text, sorted by id and decoded; none for
// a text no document holds or a collection the world does not have.
func TestMentioning(t *testing.T) {
	w := NewWorld()
	for _, d := range []Doc{
		{"id": "f2", "source_port": "port-a", "direction": "IN"},
		{"id": "f1", "source_port": "port-a", "direction": "OUT"},
		{"id": "f3", "source_port": "port-b"},
	} {
		w.Put("tap_flows", d)
	}
	var got []string
	for _, d := range w.Mentioning("tap_flows", "port-a") {
		got = append(got, fmt.Sprintf("%s:%s", d["id"], d["direction"]))
	}
	if want := []string{"f1:OUT", "f2:IN"}; !slices.Equal(got, want) {
		t.Errorf("Mentioning(port-a) = %v, want %v", got, want)
	}
	if n := len(w.Mentioning("tap_flows", "port-c")) + len(w.Mentioning("nothing", "port-a")); n != 0 {
		t.Errorf("%d documents for a text none holds or a collection not there", n)
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
