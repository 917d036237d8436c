package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
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
