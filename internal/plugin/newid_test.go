package plugin_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/midonet-go/midonet/internal/plugin"
)

// TestNewIDsKeepDistinctDeviceNames: ids made one after another differ in their first 11
// characters, which Nova, os-vif and Neutron's agents put in a port's device name ("tap" +
// id[:11]); time-ordered ids (version 7) share them for 256 ms and were reverted for that.
// Each id is a canonical random (version 4) UUID.
func TestNewIDsKeepDistinctDeviceNames(t *testing.T) {
	names := map[string]string{}
	for i := range 2000 {
		id := plugin.NewID()
		u, err := uuid.Parse(id)
		if err != nil || u.String() != id || u.Version() != 4 {
			t.Fatalf("id %d: %q is not a canonical version 4 UUID (%v)", i, id, err)
		}
		if prev, ok := names[id[:11]]; ok {
			t.Fatalf("ids %s and %s give the same device name tap%s", prev, id, id[:11])
		}
		names[id[:11]] = id
	}
}
