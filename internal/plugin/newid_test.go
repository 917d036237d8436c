package plugin_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/midonet-go/midonet/internal/plugin"
)

// TestNewIDIsATimeOrderedUUID: a new resource's id is a canonical version 7 UUID (RFC 4122
// variant), ids made one after another increase (so indexes take them at the end of their
// range), and 10,000 of them are distinct.
func TestNewIDIsATimeOrderedUUID(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for i := range 10000 {
		id := plugin.NewID()
		u, err := uuid.Parse(id)
		if err != nil || u.String() != id {
			t.Fatalf("id %d: %q is not a canonical UUID (%v)", i, id, err)
		}
		if u.Version() != 7 || u.Variant() != uuid.RFC4122 {
			t.Fatalf("id %d: %s is version %d, variant %v; want 7, RFC 4122", i, id, u.Version(), u.Variant())
		}
		if id <= prev {
			t.Fatalf("id %d: %s does not sort after the one before, %s", i, id, prev)
		}
		if seen[id] {
			t.Fatalf("id %d: %s made twice", i, id)
		}
		seen[id], prev = true, id
	}
}
