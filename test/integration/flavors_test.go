package integration

import (
	"net/http"
	"testing"
)

// TestFlavors: an admin makes a service profile with a known L3 driver and an L3 flavor and
// binds them; a member sees the flavor (not the profile), makes a router with it, and may not
// make flavors; a flavor in use, a bound profile and a second binding are refused; unknown
// drivers, empty profiles, unknown service types, disabled and non-L3 flavors are refused
// with Neutron's errors. SQLite and PostgreSQL.
func TestFlavors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		admin, m := e.admin("it-flv-admin"), e.member("it-flv")
		out, _, err := raw(t, admin, http.MethodPost, "service_profiles", doc{"service_profile": doc{"driver": "neutron.services.l3_router.service_providers.single_node.SingleNodeDriver", "metainfo": `{"a": 1}`}}, nil, 201)
		must(t, err)
		sp := out["service_profile"].(map[string]any)
		if sp["enabled"] != true || sp["metainfo"] != `{"a": 1}` {
			t.Errorf("profile %v", sp)
		}
		spID := sp["id"].(string)
		out, _, err = raw(t, admin, http.MethodPost, "flavors", doc{"flavor": doc{"name": "gold", "service_type": "L3_ROUTER_NAT"}}, nil, 201)
		must(t, err)
		flID := out["flavor"].(map[string]any)["id"].(string)
		out, _, err = raw(t, admin, http.MethodPost, "flavors/"+flID+"/service_profiles", doc{"service_profile": doc{"id": spID}}, nil, 201)
		must(t, err)
		if out["service_profile"].(map[string]any)["id"] != spID {
			t.Errorf("binding answer %v", out)
		}
		_, _, err = raw(t, admin, http.MethodPost, "flavors/"+flID+"/service_profiles", doc{"service_profile": doc{"id": spID}}, nil, 201)
		wantError(t, err, 409, "FlavorServiceProfileBindingExists")
		if got := get(t, admin, "flavors/"+flID)["flavor"].(map[string]any)["service_profiles"].([]any); len(got) != 1 || got[0] != spID {
			t.Errorf("flavor's profiles %v", got)
		}

		if got := get(t, m, "flavors?id="+flID)["flavors"].([]any); len(got) != 1 {
			t.Errorf("member sees flavors %v", got)
		}
		_, _, err = raw(t, m, http.MethodGet, "service_profiles/"+spID, nil, nil, 200)
		wantError(t, err, 404, "ServiceProfileNotFound")
		_, _, err = raw(t, m, http.MethodPost, "flavors", doc{"flavor": doc{"name": "x", "service_type": "L3_ROUTER_NAT"}}, nil, 201)
		wantError(t, err, 403, "PolicyNotAuthorized")
		out, _, err = raw(t, m, http.MethodPost, "routers", doc{"router": doc{"name": "r", "flavor_id": flID}}, nil, 201)
		must(t, err)
		if out["router"].(map[string]any)["flavor_id"] != flID {
			t.Errorf("router flavor %v", out["router"])
		}
		_, _, err = raw(t, admin, http.MethodDelete, "flavors/"+flID, nil, nil, 204)
		wantError(t, err, 409, "FlavorInUse")
		_, _, err = raw(t, admin, http.MethodDelete, "service_profiles/"+spID, nil, nil, 204)
		wantError(t, err, 409, "ServiceProfileInUse")

		cases := []struct {
			name, path string
			body       doc
			status     int
			typ        string
		}{
			{"unknown driver", "service_profiles", doc{"service_profile": doc{"driver": "acme.Driver"}}, 404, "ServiceProfileDriverNotFound"},
			{"empty profile", "service_profiles", doc{"service_profile": doc{}}, 400, "ServiceProfileEmpty"},
			{"unknown service type", "flavors", doc{"flavor": doc{"name": "x", "service_type": "WIDGETS"}}, 400, "HTTPBadRequest"},
			{"router with a missing flavor", "routers", doc{"router": doc{"name": "r", "flavor_id": "8d6ec4a2-6f3b-4a52-9d1e-2a9e2c0e1f00"}}, 404, "FlavorNotFound"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := raw(t, admin, http.MethodPost, tc.path, tc.body, nil, 201)
				wantError(t, err, tc.status, tc.typ)
			})
		}
		out, _, err = raw(t, admin, http.MethodPost, "flavors", doc{"flavor": doc{"name": "qos", "service_type": "QOS"}}, nil, 201)
		must(t, err)
		_, _, err = raw(t, m, http.MethodPost, "routers", doc{"router": doc{"name": "r", "flavor_id": out["flavor"].(map[string]any)["id"]}}, nil, 201)
		wantError(t, err, 400, "InvalidFlavorServiceType")
		_, _, err = raw(t, admin, http.MethodPut, "flavors/"+flID, doc{"flavor": doc{"enabled": false}}, nil, 200)
		must(t, err)
		_, _, err = raw(t, m, http.MethodPost, "routers", doc{"router": doc{"name": "r", "flavor_id": flID}}, nil, 201)
		wantError(t, err, 503, "FlavorDisabled")

		_, _, err = raw(t, admin, http.MethodDelete, "flavors/"+flID+"/service_profiles/"+spID, nil, nil, 204)
		must(t, err)
		_, _, err = raw(t, admin, http.MethodDelete, "service_profiles/"+spID, nil, nil, 204)
		must(t, err)
		if got := get(t, m, "service-providers")["service_providers"].([]any); len(got) == 0 {
			t.Errorf("no service providers")
		}
	})
}
