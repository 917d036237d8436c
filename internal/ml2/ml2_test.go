package ml2

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
)

// TestParse: the options as neutron.conf writes them, and the entries neutron-server
// refuses to start with.
func TestParse(t *testing.T) {
	c, err := Parse(Options{VNIRanges: []string{"1:10", " 20:20 "}, NetworkVLANRanges: []string{"physnet1:100:200", "physnet2", "physnet1:300:301"},
		FlatNetworks: []string{"ext"}, PhysicalNetworkMTUs: []string{"physnet1:9000"}, GlobalPhysnetMTU: 1500})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.VNIRanges, []Range{{1, 10}, {20, 20}}) || !slices.Equal(c.VLANPhysnets, []string{"physnet1", "physnet2"}) ||
		!slices.Equal(c.VLANRanges["physnet1"], []Range{{100, 200}, {300, 301}}) || len(c.VLANRanges["physnet2"]) != 0 ||
		!c.KnownPhysnet("physnet2") || c.FlatAny || c.PhysnetMTUs["physnet1"] != 9000 || c.OverlayIPVersion != 4 {
		t.Errorf("parsed %+v", c)
	}
	if d := c.DefaultRanges(); len(d) != 4 || d[2] != (TypedRange{Type: TypeVLAN, Physnet: "physnet1", Range: Range{100, 200}}) {
		t.Errorf("default ranges %+v", d)
	}
	for _, bad := range []Options{
		{VNIRanges: []string{"10"}},
		{VNIRanges: []string{"10:1"}},
		{VNIRanges: []string{"0:5"}},
		{VNIRanges: []string{"1:16777216"}},
		{VNIRanges: []string{"a:b"}},
		{NetworkVLANRanges: []string{"physnet1:1:4095"}},
		{NetworkVLANRanges: []string{"physnet1:5"}},
		{NetworkVLANRanges: []string{":1:2"}},
		{PhysicalNetworkMTUs: []string{"physnet1"}},
		{PhysicalNetworkMTUs: []string{"physnet1:-3"}},
		{OverlayIPVersion: 5},
	} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// TestMTU: Neutron's MTUs — the VXLAN overhead off the smaller of global_physnet_mtu and
// path_mtu (IPv4 or IPv6 outer header), a VLAN's or flat network's physical MTU.
func TestMTU(t *testing.T) {
	for _, c := range []struct {
		name         string
		o            Options
		typ, physnet string
		want         int
	}{
		{"vxlan", Options{GlobalPhysnetMTU: 1500}, TypeVXLAN, "", 1450},
		{"vxlan, smaller path", Options{GlobalPhysnetMTU: 9000, PathMTU: 1400}, TypeVXLAN, "", 1350},
		{"vxlan, larger path", Options{GlobalPhysnetMTU: 1500, PathMTU: 9000}, TypeVXLAN, "", 1450},
		{"vxlan over IPv6", Options{GlobalPhysnetMTU: 1500, OverlayIPVersion: 6}, TypeVXLAN, "", 1430},
		{"vlan", Options{GlobalPhysnetMTU: 1500}, TypeVLAN, "physnet1", 1500},
		{"vlan, smaller physnet", Options{GlobalPhysnetMTU: 1500, PhysicalNetworkMTUs: []string{"physnet1:1400"}}, TypeVLAN, "physnet1", 1400},
		{"flat, another physnet", Options{GlobalPhysnetMTU: 1500, PhysicalNetworkMTUs: []string{"physnet1:1400"}}, TypeFlat, "ext", 1500},
		{"another type", Options{GlobalPhysnetMTU: 1500}, "midonet", "", 0},
	} {
		cfg, err := Parse(c.o)
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.MTU(c.typ, c.physnet); got != c.want {
			t.Errorf("%s: MTU %d, want %d", c.name, got, c.want)
		}
	}
}

// TestValidate: the provider segments Neutron's type drivers refuse, each with InvalidInput.
func TestValidate(t *testing.T) {
	cfg, err := Parse(Options{NetworkVLANRanges: []string{"physnet1:100:200", "physnet2"}, FlatNetworks: []string{"ext"}, GlobalPhysnetMTU: 1500})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		s    Segment
		ok   bool
	}{
		{"vlan from the ranges", Segment{Type: TypeVLAN}, true},
		{"vlan of a physnet", Segment{Type: TypeVLAN, Physnet: "physnet1"}, true},
		{"vlan with an id", Segment{Type: TypeVLAN, Physnet: "physnet2", SegID: 4094, HasID: true}, true},
		{"vlan of an unknown physnet", Segment{Type: TypeVLAN, Physnet: "x"}, false},
		{"vlan 0", Segment{Type: TypeVLAN, Physnet: "physnet2", HasID: true}, false},
		{"vlan without ranges or id", Segment{Type: TypeVLAN, Physnet: "physnet2"}, false},
		{"vlan id without physnet", Segment{Type: TypeVLAN, SegID: 5, HasID: true}, false},
		{"vxlan", Segment{Type: TypeVXLAN}, true},
		{"vxlan with the largest VNI", Segment{Type: TypeVXLAN, SegID: MaxVNI, HasID: true}, true},
		{"vxlan past it", Segment{Type: TypeVXLAN, SegID: MaxVNI + 1, HasID: true}, false},
		{"vxlan with a physnet", Segment{Type: TypeVXLAN, Physnet: "physnet1"}, false},
		{"flat", Segment{Type: TypeFlat, Physnet: "ext"}, true},
		{"flat without physnet", Segment{Type: TypeFlat}, false},
		{"flat on another physnet", Segment{Type: TypeFlat, Physnet: "physnet1"}, false},
		{"flat with an id", Segment{Type: TypeFlat, Physnet: "ext", SegID: 3, HasID: true}, false},
	} {
		err := cfg.Validate(c.s)
		if c.ok != (err == nil) {
			t.Errorf("%s: %v", c.name, err)
		}
		if err != nil && !fault.IsType(err, "InvalidInput") {
			t.Errorf("%s: %v is not InvalidInput", c.name, err)
		}
	}
	disabled, _ := Parse(Options{})
	if err := disabled.Validate(Segment{Type: TypeFlat, Physnet: "ext"}); err == nil {
		t.Error("flat networks accepted with flat_networks empty")
	}
}

// TestAllocate: a project's own range first, the shared ids less other projects' ranges,
// every id once, Release gives it back, Reserve refuses an id in use.
func TestAllocate(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:///"+filepath.Join(t.TempDir(), "n.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	cfg, _ := Parse(Options{VNIRanges: []string{"1:4"}, GlobalPhysnetMTU: 1500})
	write := func(fn func(tx *db.Tx) error) {
		t.Helper()
		if err := d.Write(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	write(func(tx *db.Tx) error {
		for _, r := range []db.Doc{
			{"id": "own", "network_type": "vxlan", "minimum": 10, "maximum": 11, "shared": false, "project_id": "a"},
			{"id": "theirs", "network_type": "vxlan", "minimum": 3, "maximum": 4, "shared": false, "project_id": "b"},
		} {
			if err := tx.Insert(ctx, RangeKind, r); err != nil {
				return err
			}
		}
		return nil
	})
	n := 0
	alloc := func(project string) (int, bool) {
		var s Segment
		var ok bool
		write(func(tx *db.Tx) error {
			n++
			s = Segment{ID: fmt.Sprintf("seg-%d", n), NetworkID: "n", ProjectID: project, Type: TypeVXLAN}
			var err error
			ok, err = cfg.Allocate(ctx, tx, &s)
			return err
		})
		return s.SegID, ok
	}
	var got []int
	for i := 0; i < 4; i++ {
		id, ok := alloc("a")
		if !ok {
			break
		}
		got = append(got, id)
	}
	slices.Sort(got)
	// a: its own 10 and 11 first, then 1 and 2 (3 and 4 are b's range), then none.
	if !slices.Equal(got, []int{1, 2, 10, 11}) {
		t.Errorf("project a got %v", got)
	}
	if _, ok := alloc("a"); ok {
		t.Error("a fifth VNI for a")
	}
	if id, ok := alloc("b"); !ok || (id != 3 && id != 4) {
		t.Errorf("project b got %d %v; want its own 3 or 4", id, ok)
	}
	write(func(tx *db.Tx) error {
		err := Reserve(ctx, tx, Segment{ID: "x", Type: TypeVXLAN, SegID: 10, HasID: true})
		if !fault.IsType(err, "TunnelIdInUse") {
			t.Errorf("reserving VNI 10 again: %v", err)
		}
		used, err := Used(ctx, tx, TypeVXLAN, "", 1, 11)
		if err != nil || len(used) != 5 || used[10] != "a" {
			t.Errorf("used %v %v", used, err)
		}
		return nil
	})
}

// FuzzParse: no configuration makes Parse panic, and what it accepts is within the ids' bounds.
func FuzzParse(f *testing.F) {
	f.Add("1:100", "physnet1:10:20", "ext", "physnet1:9000")
	f.Add("5:1", "p:4095:1", "*", "x")
	f.Fuzz(func(t *testing.T, vni, vlan, flat, mtus string) {
		c, err := Parse(Options{VNIRanges: []string{vni}, NetworkVLANRanges: []string{vlan}, FlatNetworks: []string{flat},
			PhysicalNetworkMTUs: []string{mtus}, GlobalPhysnetMTU: 1500})
		if err != nil {
			return
		}
		for _, r := range c.DefaultRanges() {
			max := MaxVNI
			if r.Type == TypeVLAN {
				max = MaxVLAN
			}
			if r.Min < 1 || r.Max > max || r.Max < r.Min {
				t.Errorf("accepted range %+v", r)
			}
		}
	})
}
