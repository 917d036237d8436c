package policy

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestScope checks the bound Scope gives against the rules, and that every target Enforce
// passes holds one of the bound's values.
func TestScope(t *testing.T) {
	e, err := New(map[string]string{
		"owner_and_admin":     "tenant_id:%(tenant_id)s and role:admin",
		"owner_and_shared":    "tenant_id:%(tenant_id)s and field:networks:shared=True",
		"not_owner":           "not tenant_id:%(tenant_id)s",
		"user_owner":          "user_id:%(user_id)s",
		"owner_prefixed":      "tenant_id:p-%(tenant_id)s",
		"member_or_owner":     "role:member or tenant_id:%(tenant_id)s",
		"reader_and_owner":    "role:reader and (tenant_id:%(tenant_id)s or tenant_id:%(network:tenant_id)s)",
		"undefined_or_owner":  "rule:nothing_such or tenant_id:%(tenant_id)s",
		"literal_of_target":   "'ACTIVE':%(status)s",
		"owner_or_never":      "tenant_id:%(tenant_id)s or !",
		"never":               "!",
		"shared_or_owner":     "field:networks:shared=True or tenant_id:%(tenant_id)s",
		"owner_of_both_sides": "tenant_id:%(tenant_id)s or project_id:%(network:project_id)s",
		"regex_field":         "field:networks:name=~^a.*",
	})
	if err != nil {
		t.Fatal(err)
	}
	bobOwn := func(keys ...string) []Eq {
		var out []Eq
		for _, k := range keys {
			out = append(out, Eq{k, "p-bob"})
		}
		return out
	}
	tests := []struct {
		action  string
		creds   Credentials
		bounded bool
		eqs     []Eq
	}{
		{"get_port", bob, true, bobOwn("tenant_id", "network:tenant_id")}, // owner, or owner of the network
		{"get_port", admin, false, nil},                                   // an admin passes every port
		{"get_port", advsvc, false, nil},
		{"get_network", bob, true, []Eq{{"tenant_id", "p-bob"}, {FieldKey("networks", "shared"), "True"}, {FieldKey("networks", "router:external"), "True"}}}, // shared and external networks too
		{"get_network", admin, false, nil},
		{"regex_field", bob, false, nil},
		{"owner_and_admin", bob, true, nil},
		{"owner_and_admin", admin, true, []Eq{{"tenant_id", "p-admin"}}},
		{"owner_and_shared", bob, true, bobOwn("tenant_id")},
		{"not_owner", bob, false, nil},
		{"user_owner", bob, true, []Eq{{"user_id", "u-bob"}}},
		{"owner_prefixed", bob, false, nil},
		{"member_or_owner", bob, false, nil},
		{"member_or_owner", advsvc, true, []Eq{{"tenant_id", "p-svc"}}},
		{"reader_and_owner", bob, true, bobOwn("tenant_id", "network:tenant_id")},
		{"undefined_or_owner", bob, true, bobOwn("tenant_id")},
		{"literal_of_target", bob, false, nil},
		{"owner_or_never", bob, true, bobOwn("tenant_id")},
		{"never", bob, true, nil},
		{"shared_or_owner", bob, true, []Eq{{FieldKey("networks", "shared"), "True"}, {"tenant_id", "p-bob"}}},
		{"owner_of_both_sides", bob, true, bobOwn("tenant_id", "network:project_id")},
		{"owner_of_both_sides", Credentials{UserID: "u-anon", Roles: []string{"member"}}, false, nil}, // no project: no bound
	}
	targets := []map[string]any{bobPortOnAliceNet, bobPortOnSharedNet, bobRouterPortOnAliceNet, alicePrivateNet, aliceSharedNet, adminExternalNet,
		{"_collection": "ports", "tenant_id": "p-alice", "project_id": "p-alice", "user_id": "u-bob", "network:tenant_id": "p-bob", "network:project_id": "p-bob", "status": "ACTIVE"},
		{"_collection": "networks", "tenant_id": "p-bob", "project_id": "p-bob", "shared": true},
		{"_collection": "ports", "tenant_id": "p-svc", "project_id": "p-svc", "network:tenant_id": "p-alice", "network:project_id": "p-alice"},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s/%s", tt.action, tt.creds.UserID)
		eqs, bounded := e.Scope(tt.action, tt.creds)
		if bounded != tt.bounded || !slices.Equal(eqs, tt.eqs) {
			t.Errorf("%s: Scope = %v, bounded %v; want %v, bounded %v", name, eqs, bounded, tt.eqs, tt.bounded)
			continue
		}
		if !bounded {
			continue
		}
		for _, target := range targets {
			if !e.Enforce(tt.action, target, tt.creds) {
				continue
			}
			if !slices.ContainsFunc(eqs, func(q Eq) bool {
				if field, ok := strings.CutPrefix(q.Key, "field:"); ok {
					collection, attr, _ := strings.Cut(field, ":")
					v, ok := MapTarget(target).Lookup(attr)
					return target["_collection"] == collection && ok && fieldEqual(v, q.Value)
				}
				v, ok := lookupTarget(MapTarget(target), q.Key)
				return ok && pyString(v) == q.Value
			}) {
				t.Errorf("%s passes %v, which holds none of the bound %v", name, target, eqs)
			}
		}
	}
}
