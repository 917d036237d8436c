package policy

import (
	"strings"
	"testing"
)

func TestParseStructure(t *testing.T) {
	tests := []struct {
		rule string
		want string
	}{
		{"", "@"},
		{"   ", "@"},
		{"@", "@"},
		{"!", "!"},
		{"role:admin", "role:admin"},
		{"rule:a or rule:b", "(rule:a or rule:b)"},
		{"rule:a and rule:b", "(rule:a and rule:b)"},
		// and binds tighter than or, on either side.
		{"rule:a or rule:b and rule:c", "(rule:a or (rule:b and rule:c))"},
		{"rule:a and rule:b or rule:c", "((rule:a and rule:b) or rule:c)"},
		{"rule:a and rule:b or rule:c and rule:d", "((rule:a and rule:b) or (rule:c and rule:d))"},
		// not binds tightest.
		{"not rule:a and rule:b", "(not rule:a and rule:b)"},
		{"not rule:a or rule:b", "(not rule:a or rule:b)"},
		{"not not rule:a", "not not rule:a"},
		{"not (rule:a or rule:b)", "not (rule:a or rule:b)"},
		// Parentheses override, and may be glued to the checks.
		{"(rule:a or rule:b) and rule:c", "((rule:a or rule:b) and rule:c)"},
		{"((rule:a))", "rule:a"},
		{"(rule:a or (rule:b and (rule:c or rule:d)))", "(rule:a or (rule:b and (rule:c or rule:d)))"},
		// Operators are case-insensitive.
		{"rule:a OR rule:b AND NOT rule:c", "(rule:a or (rule:b and not rule:c))"},
		{"rule:a or rule:b or rule:c", "(rule:a or rule:b or rule:c)"},
		{"field:networks:router:external=True", "field:networks:router:external=True"},
		{"field:port:device_owner=~^network:", "field:port:device_owner=~^network:"},
		{"tenant_id:%(network:tenant_id)s", "tenant_id:%(network:tenant_id)s"},
		{"'Member':%(role.name)s", "'Member':%(role.name)s"},
		{"(not field:rbac_policy:target_tenant=*) or rule:admin_only", "(not field:rbac_policy:target_tenant=* or rule:admin_only)"},
	}
	for _, tt := range tests {
		c, err := Parse(tt.rule)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.rule, err)
			continue
		}
		if got := c.String(); got != tt.want {
			t.Errorf("Parse(%q) = %s, want %s", tt.rule, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		rule    string
		wantErr string
	}{
		{"rule:a or", "unexpected end"},
		{"and rule:a", "unexpected \"and\""},
		{"rule:a rule:b", "unexpected \"rule:b\""},
		{"(rule:a or rule:b", "missing ')'"},
		{"rule:a)", "unexpected \")\""},
		{"()", "unexpected \")\""},
		{"not", "unexpected end"},
		{"admin", "not of the form kind:match"},
		{":x", "not of the form kind:match"},
		{"'quoted'", "bare string"},
		{"rule:", "needs a rule name"},
		{"field:networks", "resource:attr=value"},
		{"field:networks:shared", "resource:attr=value"},
		{"field:ports:device_owner=~(", "field check"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.rule)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tt.rule, err, tt.wantErr)
		}
	}
}

func TestCollectionNames(t *testing.T) {
	tests := []struct{ in, plural, singular string }{
		{"networks", "networks", "network"},
		{"port", "ports", "port"},
		{"subnetpools", "subnetpools", "subnetpool"},
		{"address_scopes", "address_scopes", "address_scope"},
		{"rbac_policy", "rbac_policies", "rbac_policy"},
		{"policies", "policies", "policy"},
		{"security_groups", "security_groups", "security_group"},
		{"firewall_policies", "firewall_policies", "firewall_policy"},
	}
	for _, tt := range tests {
		p, s := collectionNames(tt.in)
		if p != tt.plural || s != tt.singular {
			t.Errorf("collectionNames(%q) = %q, %q; want %q, %q", tt.in, p, s, tt.plural, tt.singular)
		}
	}
}
