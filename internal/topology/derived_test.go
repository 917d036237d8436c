package topology

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestDerivedIDIsNameBasedUUID: a derived id is the version-5 UUID of its parts, each
// followed by a NUL byte, in the URL namespace — the ids stored in existing NSDBs.
func TestDerivedIDIsNameBasedUUID(t *testing.T) {
	for _, parts := range [][]string{
		nil,
		{""},
		{"sg-rule", "0b1c2d3e-1111-4222-8333-444455556666", "ingress"},
		{"mac", "fa:16:3e:00:00:01"},
		{strings.Repeat("x", 300), "y"}, // longer than the stack buffer
	} {
		var s string
		for _, p := range parts {
			s += p + "\x00"
		}
		want := uuid.NewSHA1(uuid.NameSpaceURL, []byte(s)).String()
		if got := DerivedID(parts...); got != want {
			t.Errorf("DerivedID(%q) = %s, want %s", parts, got, want)
		}
	}
}
