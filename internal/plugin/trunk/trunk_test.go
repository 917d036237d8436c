package trunk

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/topology"
)

const (
	p1 = "11111111-1111-4111-8111-111111111111"
	p2 = "22222222-2222-4222-8222-222222222222"
)

func TestValidateSubports(t *testing.T) {
	sp := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name string
		in   any
		want string // "" valid, else a fragment of the reason
	}{
		{"empty", []any{}, ""},
		{"one vlan", []any{sp("port_id", p1, "segmentation_type", "vlan", "segmentation_id", 2)}, ""},
		{"port only (remove_subports)", []any{sp("port_id", p1)}, ""},
		{"inherit without id", []any{sp("port_id", p1, "segmentation_type", "inherit")}, ""},
		{"not a list", sp("port_id", p1), "is not a list"},
		{"item not a dict", []any{"x"}, "is not a dict"},
		{"no port_id", []any{sp("segmentation_type", "vlan", "segmentation_id", 2)}, "A valid port UUID must be specified"},
		{"bad uuid", []any{sp("port_id", "nope", "segmentation_type", "vlan", "segmentation_id", 2)}, "Invalid UUID"},
		{"port twice", []any{sp("port_id", p1, "segmentation_type", "vlan", "segmentation_id", 2), sp("port_id", p1, "segmentation_type", "vlan", "segmentation_id", 3)}, "Non unique UUID"},
		{"no id", []any{sp("port_id", p1, "segmentation_type", "vlan")}, "missing segmentation information"},
		{"no type", []any{sp("port_id", p1, "segmentation_id", 2)}, "missing segmentation information"},
		{"vlan twice", []any{sp("port_id", p1, "segmentation_type", "vlan", "segmentation_id", 2), sp("port_id", p2, "segmentation_type", "vlan", "segmentation_id", json.Number("2"))}, "is not unique"},
		{"same id other type", []any{sp("port_id", p1, "segmentation_type", "vlan", "segmentation_id", 2), sp("port_id", p2, "segmentation_type", "x", "segmentation_id", 2)}, ""},
		{"inherit does not hide a later error", []any{sp("port_id", p1, "segmentation_type", "inherit"), sp("port_id", "bad")}, "Invalid UUID"},
	}
	for _, tc := range cases {
		got := validateSubports(tc.in)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: got %q; want %q", tc.name, got, tc.want)
		}
	}
}

func TestValidVLAN(t *testing.T) {
	for id, want := range map[int64]bool{0: false, 1: true, 4094: true, 4095: false, -1: false} {
		if validVLAN(id) != want {
			t.Errorf("validVLAN(%d) = %v", id, !want)
		}
	}
}

// TestOwned: one TrunkSubport per VLAN subport, named by the subport's port, pointing at
// the parent; nothing for a trunk that is gone.
func TestOwned(t *testing.T) {
	w := translate.NewWorld()
	w.Put(Trunks.Collection, map[string]any{"id": "t1", "port_id": "parent", "sub_ports": []any{
		map[string]any{"port_id": p1, "segmentation_type": "vlan", "segmentation_id": json.Number("10")},
		map[string]any{"port_id": p2, "segmentation_type": "vlan", "segmentation_id": 4094},
	}})
	objs := owned(w, "t1")
	if len(objs) != 2 {
		t.Fatalf("owned %d objects; want 2", len(objs))
	}
	s := objs[0].(*topology.TrunkSubport)
	if s.ID != p1 || s.PortID != p1 || s.ParentPortID != "parent" || s.VLAN != 10 || s.TrunkID != "t1" {
		t.Errorf("subport object %+v", s)
	}
	if objs[1].(*topology.TrunkSubport).VLAN != 4094 {
		t.Errorf("second subport %+v", objs[1])
	}
	if got := owned(w, "gone"); got != nil {
		t.Errorf("a missing trunk owns %v", got)
	}
}

// FuzzValidateSubports: any JSON body's sub_ports is validated without a panic, and what
// passes is readable as requests.
func FuzzValidateSubports(f *testing.F) {
	f.Add(`[{"port_id":"` + p1 + `","segmentation_type":"vlan","segmentation_id":2}]`)
	f.Add(`[{"port_id":"` + p1 + `","segmentation_type":"inherit"},{"port_id":null}]`)
	f.Add(`{"port_id":1}`)
	f.Add(`[[],1,"x",null]`)
	f.Fuzz(func(t *testing.T, body string) {
		dec := json.NewDecoder(strings.NewReader(body))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			return
		}
		if validateSubports(v) == "" {
			for _, r := range requests(v.([]any)) {
				if r.portID == "" {
					t.Fatalf("valid subports %s with an empty port id", body)
				}
			}
		}
	})
}
