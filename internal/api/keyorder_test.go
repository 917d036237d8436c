package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/resource"
)

// TestKeyOrderIsListOrder checks that the key index orders one attribute's values as the
// in-memory sort does (compareValues): pages walked through the index and lists sorted in
// memory must agree for every value a document can hold.
func TestKeyOrderIsListOrder(t *testing.T) {
	groups := [][]any{
		{nil, "", " ", "a", "a ", "a b", "ab", "b", "B", "é", "z\u2028", "\u00ff", "日本"},
		{nil, false, true},
		{nil, json.Number("-9223372036854775808"), json.Number("-10"), json.Number("-9"), json.Number("-1"), json.Number("0"),
			json.Number("1"), json.Number("9"), json.Number("10"), json.Number("9223372036854775807"), 5, int64(7)},
		{"2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "2026-12-31T23:59:59Z"},
		{"fa:16:3e:00:00:0a", "fa:16:3e:00:00:0b", "fa:16:3e:00:00:ff"},
	}
	sign := func(n int) int {
		switch {
		case n < 0:
			return -1
		case n > 0:
			return 1
		}
		return 0
	}
	for _, g := range groups {
		for _, a := range g {
			for _, b := range g {
				want := sign(compareValues(a, b))
				got := sign(strings.Compare(db.EncodeKey("name", a), db.EncodeKey("name", b)))
				if got != want {
					t.Errorf("%#v vs %#v: the index orders %d, the list %d", a, b, got, want)
				}
			}
		}
	}
	// MAC addresses are filtered case-insensitively: their keys ignore case.
	if db.EncodeKey("mac_address", "FA:16:3E:00:00:0A") != db.EncodeKey("mac_address", "fa:16:3e:00:00:0a") {
		t.Errorf("a MAC address's key depends on its case")
	}
}

// TestIndexOrder checks which sorts of ports walk the key index, and in which directions:
// every sort key Neutron allows on ports (is_sort_key in neutron-lib: id, name, network_id,
// admin_state_up, mac_address, device_id, device_owner, tenant_id, status), alone or followed
// by id, does; two attributes, or one the index does not hold, are sorted in memory.
func TestIndexOrder(t *testing.T) {
	type want struct {
		sort            string
		keyDesc, idDesc bool
		throughTheIndex bool
	}
	for _, tc := range []struct {
		keys []string
		dirs []string
		want want
	}{
		{nil, nil, want{"", false, false, true}},
		{[]string{"id"}, []string{"desc"}, want{"", false, true, true}},
		{[]string{"id", "name"}, []string{"asc", "desc"}, want{"", false, false, true}},
		{[]string{"name"}, []string{"desc"}, want{"name", true, false, true}},
		{[]string{"network_id"}, []string{"asc"}, want{"network_id", false, false, true}},
		{[]string{"admin_state_up"}, []string{"desc"}, want{"admin_state_up", true, false, true}},
		{[]string{"mac_address"}, []string{"asc"}, want{"mac_address", false, false, true}},
		{[]string{"device_id"}, []string{"asc"}, want{"device_id", false, false, true}},
		{[]string{"device_owner"}, []string{"asc"}, want{"device_owner", false, false, true}},
		{[]string{"status"}, []string{"asc"}, want{"status", false, false, true}},
		{[]string{"tenant_id"}, []string{"desc"}, want{"project_id", true, false, true}},
		{[]string{"project_id"}, []string{"asc"}, want{"project_id", false, false, true}},
		{[]string{"name", "id"}, []string{"asc", "desc"}, want{"name", false, true, true}},
		{[]string{"status", "id"}, []string{"desc", "desc"}, want{"status", true, true, true}},
		{[]string{"name", "status"}, []string{"asc", "asc"}, want{throughTheIndex: false}},
		{[]string{"name", "id", "status"}, []string{"asc", "asc", "asc"}, want{throughTheIndex: false}},
		{[]string{"id", "id"}, []string{"asc", "asc"}, want{throughTheIndex: false}},
		{[]string{"revision_number"}, []string{"asc"}, want{throughTheIndex: false}},
		{[]string{"description", "id"}, []string{"asc", "asc"}, want{throughTheIndex: false}},
	} {
		q := &query{sortKeys: tc.keys}
		for _, d := range tc.dirs {
			q.sortAsc = append(q.sortAsc, d == "asc")
		}
		pq, ok := indexOrder(resource.Ports, q)
		got := want{pq.Sort, pq.KeyDesc, pq.IDDesc, ok}
		if !ok {
			got = want{throughTheIndex: false}
		}
		if got != tc.want {
			t.Errorf("sort %v %v: %+v, want %+v", tc.keys, tc.dirs, got, tc.want)
		}
	}
}
