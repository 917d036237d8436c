package addrgroup_test

import (
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin/addrgroup"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

func addresses(d db.Doc) []string {
	var out []string
	for _, a := range d["addresses"].([]any) {
		out = append(out, a.(string))
	}
	slices.Sort(out)
	return out
}

// TestAddressGroups: addresses normalised on create, the actions' validation, and nothing
// changed by a refused action.
func TestAddressGroups(t *testing.T) {
	e := plugintest.New(t)
	e.Register(addrgroup.New())
	g := e.MustCreate("address_groups", map[string]any{"name": "g", "addresses": []any{"10.10.10.3/32", "192.168.0.10/24", "2001:db8::f00/64", "192.168.0.99/24"}})
	if got := addresses(g); !slices.Equal(got, []string{"10.10.10.3/32", "192.168.0.0/24", "2001:db8::/64"}) {
		t.Fatalf("addresses %v", got)
	}
	for _, bad := range []any{"10.20.30.40", "not an address", 7} {
		if _, err := e.Create("address_groups", map[string]any{"addresses": []any{bad}}); err == nil {
			t.Errorf("create with %v accepted", bad)
		}
	}
	id := g["id"].(string)
	tests := []struct {
		name, action string
		addresses    []any
		status       int
		typ          string
		want         []string
	}{
		{"add a host", "add_addresses", []any{"10.20.30.40/32"}, 0, "", []string{"10.10.10.3/32", "10.20.30.40/32", "192.168.0.0/24", "2001:db8::/64"}},
		{"add garbage", "add_addresses", []any{"this is bad IP address"}, 400, "InvalidInput", nil},
		{"remove what is not there", "remove_addresses", []any{"10.200.200.200"}, 404, "AddressesNotFound", nil},
		{"remove garbage", "remove_addresses", []any{"this is bad IP address"}, 400, "InvalidInput", nil},
		{"remove a bare host address", "remove_addresses", []any{"10.20.30.40"}, 0, "", []string{"10.10.10.3/32", "192.168.0.0/24", "2001:db8::/64"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := addresses(e.Get("address_groups", id))
			_, err := e.Action("address_groups", id, tc.action, map[string]any{"addresses": tc.addresses})
			if tc.status != 0 {
				if f, ok := fault.As(err); !ok || f.Status != tc.status || f.Type != tc.typ {
					t.Fatalf("= %v, want %d %s", err, tc.status, tc.typ)
				}
				if after := addresses(e.Get("address_groups", id)); !slices.Equal(after, before) {
					t.Errorf("a refused action changed the group: %v → %v", before, after)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := addresses(e.Get("address_groups", id)); !slices.Equal(got, tc.want) {
				t.Errorf("addresses %v, want %v", got, tc.want)
			}
		})
	}
}
