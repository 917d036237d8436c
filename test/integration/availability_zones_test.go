package integration

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
)

// TestAvailabilityZones: the one configured zone, nova, is listed for networks and routers
// (filtered by resource); a network or router that names it in its hints is in it, one
// without hints is in none; a hint naming no zone is AvailabilityZoneNotFound and a repeated
// hint is 400; hints cannot be changed afterwards. SQLite and PostgreSQL.
func TestAvailabilityZones(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		m := e.member("it-az")
		zones := get(t, m, "availability_zones")["availability_zones"].([]any)
		want := []any{
			map[string]any{"name": "nova", "resource": "network", "state": "available"},
			map[string]any{"name": "nova", "resource": "router", "state": "available"},
		}
		if !reflect.DeepEqual(zones, want) {
			t.Errorf("zones = %v, want %v", zones, want)
		}
		if got := get(t, m, "availability_zones?resource=router&fields=name")["availability_zones"].([]any); len(got) != 1 {
			t.Errorf("router zones = %v", got)
		}

		n := createNetwork(t, m, networks.CreateOpts{Name: "az", AvailabilityZoneHints: []string{"nova"}})
		shown := get(t, m, "networks/"+n.ID)["network"].(map[string]any)
		if !reflect.DeepEqual(shown["availability_zones"], []any{"nova"}) || !reflect.DeepEqual(shown["availability_zone_hints"], []any{"nova"}) {
			t.Errorf("network zones %v hints %v", shown["availability_zones"], shown["availability_zone_hints"])
		}
		plain := createNetwork(t, m, networks.CreateOpts{Name: "az-none"})
		if z := get(t, m, "networks/"+plain.ID)["network"].(map[string]any)["availability_zones"]; !reflect.DeepEqual(z, []any{}) {
			t.Errorf("a network without hints is in zones %v", z)
		}
		_, err := networks.Create(ctx(t), m, networks.CreateOpts{Name: "az-bad", AvailabilityZoneHints: []string{"mars"}}).Extract()
		wantErrorMentions(t, err, 404, "AvailabilityZoneNotFound", "mars")
		_, err = networks.Create(ctx(t), m, networks.CreateOpts{Name: "az-dup", AvailabilityZoneHints: []string{"nova", "nova"}}).Extract()
		wantError(t, err, 400, "HTTPBadRequest")
		_, _, err = raw(t, m, http.MethodPut, "networks/"+n.ID, doc{"network": doc{"availability_zone_hints": []string{}}}, nil, 200)
		wantError(t, err, 400, "HTTPBadRequest")

		r, err := routers.Create(ctx(t), m, routers.CreateOpts{Name: "az", AvailabilityZoneHints: []string{"nova"}}).Extract()
		must(t, err)
		if z := get(t, m, "routers/"+r.ID)["router"].(map[string]any)["availability_zones"]; !reflect.DeepEqual(z, []any{"nova"}) {
			t.Errorf("router zones %v", z)
		}
		_, err = routers.Create(ctx(t), m, routers.CreateOpts{Name: "az-bad", AvailabilityZoneHints: []string{"mars"}}).Extract()
		wantError(t, err, 404, "AvailabilityZoneNotFound")
	})
}
