package integration

import (
	"net/http"
	"strings"
	"testing"
)

// TestMetering: labels and rules under /v2.0/metering on SQLite and PostgreSQL — Neutron's
// validation of rules (prefixes, remote or source/destination, overlaps), cascading deletes,
// no updates; only admins write; a project reads its own labels and rules and gets 404 for
// another project's.
func TestMetering(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project, other = "it-meter", "it-meter-other"
		admin := e.admin(project)
		create := func(path, member string, body map[string]any) map[string]any {
			t.Helper()
			out, _, err := raw(t, admin, http.MethodPost, path, map[string]any{member: body}, nil, 201)
			must(t, err)
			return out[member].(map[string]any)
		}
		label := create("metering/metering-labels", "metering_label", map[string]any{"name": "l", "description": "d", "tenant_id": project})
		id := label["id"].(string)
		if label["shared"] != false || label["project_id"] != project || label["tenant_id"] != project || label["name"] != "l" {
			t.Fatalf("label %v", label)
		}
		r := create("metering/metering-label-rules", "metering_label_rule", map[string]any{"metering_label_id": id, "direction": "ingress", "remote_ip_prefix": "10.0.0.0/24"})
		for k, want := range map[string]any{"direction": "ingress", "excluded": false, "remote_ip_prefix": "10.0.0.0/24", "source_ip_prefix": nil, "destination_ip_prefix": nil, "metering_label_id": id} {
			if r[k] != want {
				t.Errorf("rule %s = %v, want %v", k, r[k], want)
			}
		}
		if _, has := r["tenant_id"]; has {
			t.Errorf("rule shows tenant_id (Neutron does not): %v", r)
		}
		create("metering/metering-label-rules", "metering_label_rule", map[string]any{"metering_label_id": id, "direction": "egress",
			"source_ip_prefix": "10.0.0.0/24", "destination_ip_prefix": "fd00::1"})

		bad := []struct {
			name   string
			body   map[string]any
			status int
			typ    string
		}{
			{"remote with source", map[string]any{"direction": "ingress", "remote_ip_prefix": "10.1.0.0/24", "source_ip_prefix": "10.2.0.0/24"}, 400, "Invalid"},
			{"no prefix", map[string]any{"direction": "ingress"}, 400, "Invalid"},
			{"bad prefix", map[string]any{"direction": "ingress", "destination_ip_prefix": "10.0.0.0/33"}, 400, "Invalid"},
			{"overlapping remote", map[string]any{"direction": "ingress", "remote_ip_prefix": "10.0.0.128/25"}, 409, "MeteringLabelRuleOverlaps"},
			{"bad direction", map[string]any{"direction": "up", "remote_ip_prefix": "10.9.0.0/24"}, 400, ""},
			{"unknown label", map[string]any{"direction": "ingress", "remote_ip_prefix": "10.9.0.0/24", "metering_label_id": "00000000-0000-4000-8000-000000000000"}, 404, "MeteringLabelNotFound"},
		}
		for _, b := range bad {
			body := map[string]any{"metering_label_id": id}
			for k, v := range b.body {
				body[k] = v
			}
			_, _, err := raw(t, admin, http.MethodPost, "metering/metering-label-rules", map[string]any{"metering_label_rule": body}, nil, 201)
			if err == nil {
				t.Errorf("%s: accepted", b.name)
				continue
			}
			wantError(t, err, b.status, b.typ)
		}
		// The same remote prefix excluded does not overlap the counted one.
		create("metering/metering-label-rules", "metering_label_rule", map[string]any{"metering_label_id": id, "direction": "ingress", "remote_ip_prefix": "10.0.0.7/32", "excluded": true})
		_, _, err := raw(t, admin, http.MethodPost, "metering/metering-labels", map[string]any{"metering_label": map[string]any{"name": strings.Repeat("x", 256)}}, nil, 201)
		wantError(t, err, 400, "")
		_, _, err = raw(t, admin, http.MethodPut, "metering/metering-labels/"+id, map[string]any{"metering_label": map[string]any{"name": "new"}}, nil, 200)
		wantError(t, err, 400, "")

		// The project reads its own label and rules; it cannot write them.
		member := e.member(project)
		if got := get(t, member, "metering/metering-labels/"+id)["metering_label"].(map[string]any); got["id"] != id {
			t.Fatalf("member sees %v", got)
		}
		if l := get(t, member, "metering/metering-label-rules?metering_label_id="+id)["metering_label_rules"].([]any); len(l) != 3 {
			t.Fatalf("member lists %d rules, want 3", len(l))
		}
		_, _, err = raw(t, member, http.MethodPost, "metering/metering-labels", map[string]any{"metering_label": map[string]any{"name": "mine"}}, nil, 201)
		wantError(t, err, 403, "PolicyNotAuthorized")
		_, _, err = raw(t, member, http.MethodDelete, "metering/metering-labels/"+id, nil, nil, 204)
		wantError(t, err, 403, "PolicyNotAuthorized")

		// Another project sees nothing of it.
		b := e.member(other)
		_, _, err = raw(t, b, http.MethodGet, "metering/metering-labels/"+id, nil, nil, 200)
		wantError(t, err, 404, "MeteringLabelNotFound")
		if l := get(t, b, "metering/metering-labels")["metering_labels"].([]any); len(l) != 0 {
			t.Errorf("project B lists %d labels", len(l))
		}
		if l := get(t, b, "metering/metering-label-rules")["metering_label_rules"].([]any); len(l) != 0 {
			t.Errorf("project B lists %d rules", len(l))
		}
		_, _, err = raw(t, b, http.MethodDelete, "metering/metering-labels/"+id, nil, nil, 204)
		wantError(t, err, 404, "MeteringLabelNotFound")
		_, _, err = raw(t, b, http.MethodDelete, "metering/metering-label-rules/"+r["id"].(string), nil, nil, 204)
		wantError(t, err, 404, "MeteringLabelRuleNotFound")

		// Deleting the label deletes its rules.
		_, _, err = raw(t, admin, http.MethodDelete, "metering/metering-labels/"+id, nil, nil, 204)
		must(t, err)
		if l := get(t, admin, "metering/metering-label-rules")["metering_label_rules"].([]any); len(l) != 0 {
			t.Errorf("%d rules left after their label was deleted", len(l))
		}
	})
}
