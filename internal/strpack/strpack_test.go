package strpack

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"unsafe"
)

type kind string

type inner struct {
	SubnetID  string `json:"subnet_id"`
	IPAddress string `json:"ip_address"`
}

type base struct {
	ID        string `json:"id"`
	ProjectID string `json:"project_id"`
}

type value struct {
	base
	Kind      kind              `json:"kind"`
	NetworkID string            `json:"network_id"`
	MAC       string            `json:"mac"`
	Groups    []string          `json:"groups"`
	FixedIPs  []inner           `json:"fixed_ips"`
	Nested    inner             `json:"nested"`
	Ptr       *inner            `json:"ptr"`
	Labels    map[string]string `json:"labels"`
	Count     int               `json:"count"`
	name      string
}

const doc = `{"id":"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0","project_id":"p1","kind":"Port",
	"network_id":"8e1b7c6a-5d4e-4f3a-9b2c-1d0e9f8a7b6c","mac":"fa:16:3e:00:00:01",
	"groups":["sg-a","sg-b"],"fixed_ips":[{"subnet_id":"s1","ip_address":"10.0.0.5"},{"subnet_id":"s1","ip_address":"10.0.0.6"}],
	"nested":{"subnet_id":"s2","ip_address":"10.1.0.1"},"ptr":{"subnet_id":"s3","ip_address":"10.2.0.1"},
	"labels":{"a":"b"},"count":3}`

func decode(t testing.TB) *value {
	var v value
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	v.name = "private-name"
	return &v
}

// span is the address range of one string's bytes.
func span(s string) (uintptr, uintptr) {
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	return p, p + uintptr(len(s))
}

func TestPackKeepsContents(t *testing.T) {
	pk := New("NetworkID", "ProjectID", "SubnetID")
	v := decode(t)
	want := decode(t)
	ptr := v.Ptr
	pk.Pack(v)
	if !reflect.DeepEqual(v, want) {
		t.Fatalf("packing changed the value:\n got %+v\nwant %+v", v, want)
	}
	if v.Ptr != ptr {
		t.Error("Pack replaced a pointer field")
	}
}

func TestPackPutsPrivateStringsInOneAllocation(t *testing.T) {
	pk := New("NetworkID", "ProjectID", "SubnetID")
	v := decode(t)
	pk.Pack(v)
	packed := []string{v.ID, string(v.Kind), v.MAC, v.Groups[0], v.Groups[1], v.FixedIPs[0].IPAddress,
		v.FixedIPs[1].IPAddress, v.Nested.IPAddress, v.name}
	lo, hi := span(packed[0])
	for _, s := range packed[1:] {
		a, b := span(s)
		lo, hi = min(lo, a), max(hi, b)
	}
	total := 0
	for _, s := range packed {
		total += len(s)
	}
	if int(hi-lo) != total {
		t.Errorf("the packed strings span %d bytes, want them back to back in %d", hi-lo, total)
	}
	// The pointer's target and the map are not the value's own: left alone.
	if a, _ := span(v.Ptr.IPAddress); a >= lo && a < hi {
		t.Error("a string behind a pointer was packed")
	}
}

func TestPackInternsSharedFields(t *testing.T) {
	pk := New("NetworkID", "ProjectID", "SubnetID")
	a, b := decode(t), decode(t)
	if unsafe.StringData(a.NetworkID) == unsafe.StringData(b.NetworkID) {
		t.Fatal("two decodes already share their bytes; the test shows nothing")
	}
	pk.Pack(a)
	pk.Pack(b)
	for _, c := range []struct{ name, x, y string }{
		{"NetworkID", a.NetworkID, b.NetworkID},
		{"ProjectID", a.ProjectID, b.ProjectID},
		{"FixedIPs[0].SubnetID", a.FixedIPs[0].SubnetID, b.FixedIPs[0].SubnetID},
		{"FixedIPs[1].SubnetID", a.FixedIPs[0].SubnetID, b.FixedIPs[1].SubnetID},
		{"Nested.SubnetID", a.Nested.SubnetID, b.Nested.SubnetID},
	} {
		if unsafe.StringData(c.x) != unsafe.StringData(c.y) {
			t.Errorf("%s: two values hold separate copies of %q", c.name, c.x)
		}
	}
	if unsafe.StringData(a.MAC) == unsafe.StringData(b.MAC) {
		t.Error("MAC is not a shared field, yet the two values share it")
	}
}

func TestPackLeavesWhatIsNotAStructPointer(t *testing.T) {
	pk := New()
	s := "x"
	for _, v := range []any{nil, 3, "s", &s, value{}, (*value)(nil), map[string]string{"a": "b"}} {
		pk.Pack(v) // must not panic
	}
}

func TestPackAlsoStrings(t *testing.T) {
	pk := New("NetworkID", "ProjectID", "SubnetID")
	v := decode(t)
	id, network, device := string([]byte(v.ID)), string([]byte(v.NetworkID)), string([]byte("vm-1"))
	alias, empty := device, ""
	pk.Pack(v, &id, &network, &device, &alias, &empty)
	if id != v.ID || network != v.NetworkID || device != "vm-1" || alias != "vm-1" || empty != "" {
		t.Fatalf("contents changed: %q %q %q %q %q", id, network, device, alias, empty)
	}
	for _, c := range []struct{ name, x, y string }{
		{"id and the value's ID", id, v.ID},
		{"network and the interned NetworkID", network, v.NetworkID},
		{"two also strings that shared their bytes", device, alias},
	} {
		if !sameBytes(c.x, c.y) {
			t.Errorf("%s: separate copies", c.name)
		}
	}
	lo, hi := span(v.ID)
	for _, s := range []string{v.MAC, v.Groups[0], v.name} {
		a, b := span(s)
		lo, hi = min(lo, a), max(hi, b)
	}
	if a, b := span(device); a < lo || b > hi+uintptr(len(device)) {
		t.Error("an also string that no field holds was not packed with the value's strings")
	}

	// Without a value: only the also strings, back to back.
	a, b := string([]byte("alpha")), string([]byte("beta"))
	pk.Pack(nil, &a, &b)
	if pa, _ := span(a); a != "alpha" || b != "beta" || pa+5 != uintptr(unsafe.Pointer(unsafe.StringData(b))) {
		t.Errorf("Pack(nil, ...) gave %q %q, not back to back", a, b)
	}
}

// BenchmarkPack is the cost of packing one decoded port-like value.
func BenchmarkPack(b *testing.B) {
	pk := New("NetworkID", "ProjectID", "SubnetID")
	v := decode(b)
	b.ReportAllocs()
	for b.Loop() {
		pk.Pack(v)
	}
}

// FuzzPack decodes arbitrary JSON into a value twice, packs one copy (with also strings taken
// from it and from the input) and checks that packing changed no content.
func FuzzPack(f *testing.F) {
	f.Add([]byte(doc), "extra")
	f.Add([]byte(`{"id":"","groups":["a","a",""],"fixed_ips":[{},{"subnet_id":"s"}]}`), "")
	f.Add([]byte(`{"network_id":"n","project_id":"n","nested":{"subnet_id":"n","ip_address":"n"}}`), "n")
	pk := New("NetworkID", "ProjectID", "SubnetID")
	f.Fuzz(func(t *testing.T, in []byte, extra string) {
		var a, b value
		if json.Unmarshal(in, &a) != nil || json.Unmarshal(in, &b) != nil {
			return
		}
		x, y := string([]byte(extra)), a.ID
		pk.Pack(&a, &x, &y)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("packing changed the value:\n got %+v\nwant %+v", a, b)
		}
		if x != extra || y != b.ID {
			t.Fatalf("packing changed the also strings: %q %q, want %q %q", x, y, extra, b.ID)
		}
	})
}

// TestPackConcurrently packs values of several types from many goroutines with one Packer, as
// the cluster's start-up prepares documents on every core (run it with -race).
func TestPackConcurrently(t *testing.T) {
	pk := New("NetworkID", "ProjectID", "SubnetID")
	done := make(chan error)
	for g := range 8 {
		go func() {
			for i := range 200 {
				v, want := decode(t), decode(t)
				in, wantIn := &inner{SubnetID: "s", IPAddress: fmt.Sprint(g, i)}, inner{SubnetID: "s", IPAddress: fmt.Sprint(g, i)}
				pk.Pack(v)
				pk.Pack(in)
				if !reflect.DeepEqual(v, want) || *in != wantIn {
					done <- fmt.Errorf("goroutine %d, value %d: packing changed it", g, i)
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
