package integration

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
)

// TestConntrackHelpers: a router's conntrack helpers on SQLite and PostgreSQL — Neutron's
// allowed helpers and their protocols, protocol numbers read as names, duplicates refused,
// updates checked the same way, the router's `conntrack_helpers`, deletion with the router;
// another project gets 404 for the router's helpers and cannot add one.
func TestConntrackHelpers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project, other = "it-cth", "it-cth-other"
		c := e.member(project)
		r, err := routers.Create(ctx(t), c, routers.CreateOpts{Name: "r"}).Extract()
		must(t, err)
		base := "routers/" + r.ID + "/conntrack_helpers"
		create := func(body map[string]any) (map[string]any, error) {
			out, _, err := raw(t, c, http.MethodPost, base, map[string]any{"conntrack_helper": body}, nil, 201)
			if err != nil {
				return nil, err
			}
			return out["conntrack_helper"].(map[string]any), nil
		}
		tftp, err := create(map[string]any{"protocol": "udp", "port": 69, "helper": "tftp"})
		must(t, err)
		if tftp["protocol"] != "udp" || fmt.Sprint(tftp["port"]) != "69" || tftp["helper"] != "tftp" || tftp["id"] == nil {
			t.Fatalf("helper %v", tftp)
		}
		for _, k := range []string{"router_id", "project_id", "tenant_id"} {
			if _, shown := tftp[k]; shown {
				t.Errorf("helper shows %s (Neutron does not)", k)
			}
		}
		ftp, err := create(map[string]any{"protocol": 6, "port": 21, "helper": "ftp"})
		must(t, err)
		if ftp["protocol"] != "tcp" {
			t.Errorf("protocol 6 shown as %v, want tcp", ftp["protocol"])
		}
		bad := []struct {
			name   string
			body   map[string]any
			status int
			typ    string
		}{
			{"unknown helper", map[string]any{"protocol": "udp", "port": 69, "helper": "gopher"}, 400, "ConntrackHelperNotAllowed"},
			{"wrong protocol", map[string]any{"protocol": "tcp", "port": 69, "helper": "tftp"}, 400, "InvalidProtocolForHelper"},
			{"duplicate", map[string]any{"protocol": "udp", "port": 69, "helper": "tftp"}, 400, "BadRequest"},
			{"port 0", map[string]any{"protocol": "udp", "port": 0, "helper": "tftp"}, 400, ""},
			{"protocol gre", map[string]any{"protocol": "gre", "port": 1, "helper": "pptp"}, 400, ""},
			{"no helper", map[string]any{"protocol": "udp", "port": 69}, 400, ""},
		}
		for _, b := range bad {
			_, err := create(b.body)
			if err == nil {
				t.Errorf("%s: accepted", b.name)
				continue
			}
			wantError(t, err, b.status, b.typ)
		}
		// Update: the same checks.
		out, _, err := raw(t, c, http.MethodPut, base+"/"+tftp["id"].(string), map[string]any{"conntrack_helper": map[string]any{"port": 6969}}, nil, 200)
		must(t, err)
		if fmt.Sprint(out["conntrack_helper"].(map[string]any)["port"]) != "6969" {
			t.Errorf("update answered %v", out)
		}
		_, _, err = raw(t, c, http.MethodPut, base+"/"+tftp["id"].(string), map[string]any{"conntrack_helper": map[string]any{"protocol": "tcp"}}, nil, 200)
		wantError(t, err, 400, "InvalidProtocolForHelper")
		// The router shows its helpers.
		got := get(t, c, "routers/"+r.ID)["router"].(map[string]any)["conntrack_helpers"].([]any)
		if len(got) != 2 {
			t.Fatalf("router conntrack_helpers %v", got)
		}
		for _, h := range got {
			if m := h.(map[string]any); len(m) != 3 || m["helper"] == nil || m["port"] == nil || m["protocol"] == nil {
				t.Errorf("router shows helper %v, want protocol, port and helper only", m)
			}
		}

		// Another project: the router's helpers are as missing as the router.
		b := e.member(other)
		_, _, err = raw(t, b, http.MethodGet, base, nil, nil, 200)
		wantError(t, err, 404, "RouterNotFound")
		_, _, err = raw(t, b, http.MethodGet, base+"/"+ftp["id"].(string), nil, nil, 200)
		wantError(t, err, 404, "RouterNotFound")
		_, _, err = raw(t, b, http.MethodPost, base, map[string]any{"conntrack_helper": map[string]any{"protocol": "tcp", "port": 2121, "helper": "ftp"}}, nil, 201)
		wantError(t, err, 404, "RouterNotFound")
		_, _, err = raw(t, b, http.MethodDelete, base+"/"+ftp["id"].(string), nil, nil, 204)
		wantError(t, err, 404, "RouterNotFound")

		// Deleting the router deletes its helpers.
		_, _, err = raw(t, c, http.MethodDelete, base+"/"+ftp["id"].(string), nil, nil, 204)
		must(t, err)
		_, _, err = raw(t, c, http.MethodGet, base+"/"+ftp["id"].(string), nil, nil, 200)
		wantError(t, err, 404, "ConntrackHelperNotFound")
		must(t, routers.Delete(ctx(t), c, r.ID).ExtractErr())
		_, _, err = raw(t, e.admin(project), http.MethodGet, base+"/"+tftp["id"].(string), nil, nil, 200)
		wantError(t, err, 404, "RouterNotFound")
	})
}
