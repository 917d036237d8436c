package policy

import (
	"testing"
)

// eval parses rule and evaluates it with an enforcer holding only extra
// rules on top of the defaults.
func eval(t *testing.T, rule string, target map[string]any, creds Credentials) bool {
	t.Helper()
	e, err := New(map[string]string{"under_test": rule})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e.Enforce("under_test", target, creds)
}

var (
	alice = Credentials{UserID: "u-alice", ProjectID: "p-alice", Roles: []string{"member"}}
	bob   = Credentials{UserID: "u-bob", ProjectID: "p-bob", Roles: []string{"member", "reader"}}
	admin = Credentials{UserID: "u-admin", ProjectID: "p-admin", Roles: []string{"admin"}}
	anon  = Credentials{}
)

func TestConstantsAndOperators(t *testing.T) {
	tests := []struct {
		rule string
		want bool
	}{
		{"", true},
		{"@", true},
		{"!", false},
		{"not !", true},
		{"not @", false},
		{"@ and !", false},
		{"@ or !", true},
		{"! or ! or @", true},
		{"! and ! or @", true},  // (! and !) or @
		{"@ or ! and !", true},  // @ or (! and !)
		{"! or @ and !", false}, // ! or (@ and !)
		{"(! or @) and !", false},
		{"(! or @) and @", true},
		{"not ! and !", false}, // (not !) and !
		{"not (! and !)", true},
		{"rule:undefined", false},
		{"not rule:undefined", true},
		{"rule:regular_user", true},
		{"http://example.com/check", false},
	}
	for _, tt := range tests {
		if got := eval(t, tt.rule, nil, alice); got != tt.want {
			t.Errorf("%q = %v, want %v", tt.rule, got, tt.want)
		}
	}
}

func TestRoleCheck(t *testing.T) {
	tests := []struct {
		rule   string
		target map[string]any
		creds  Credentials
		want   bool
	}{
		{"role:member", nil, alice, true},
		{"role:MEMBER", nil, alice, true},
		{"role:admin", nil, alice, false},
		{"role:admin", nil, admin, true},
		{"role:admin", nil, Credentials{IsAdmin: true}, true}, // is_admin implies the role
		{"role:Admin", nil, Credentials{Roles: []string{"ADMIN"}}, true},
		{"role:%(needed)s", map[string]any{"needed": "reader"}, bob, true},
		{"role:%(needed)s", map[string]any{"needed": "reader"}, alice, false},
		{"role:%(needed)s", nil, bob, false},
		{"role:member", nil, anon, false},
	}
	for _, tt := range tests {
		if got := eval(t, tt.rule, tt.target, tt.creds); got != tt.want {
			t.Errorf("%q target=%v creds=%+v = %v, want %v", tt.rule, tt.target, tt.creds, got, tt.want)
		}
	}
}

func TestGenericCheck(t *testing.T) {
	own := map[string]any{"tenant_id": "p-alice", "user_id": "u-alice", "enabled": true, "name": "Member", "count": 3}
	tests := []struct {
		name   string
		rule   string
		target map[string]any
		creds  Credentials
		want   bool
	}{
		{"tenant_id owner", "tenant_id:%(tenant_id)s", own, alice, true},
		{"tenant_id other", "tenant_id:%(tenant_id)s", own, bob, false},
		{"project_id reads tenant_id", "project_id:%(project_id)s", own, alice, true},
		{"tenant_id reads project_id", "tenant_id:%(tenant_id)s", map[string]any{"project_id": "p-alice"}, alice, true},
		{"missing attr is false", "tenant_id:%(tenant_id)s", map[string]any{}, alice, false},
		{"nil target is false", "tenant_id:%(tenant_id)s", nil, alice, false},
		{"empty project never owns", "tenant_id:%(tenant_id)s", map[string]any{"tenant_id": ""}, anon, false},
		{"user_id", "user_id:%(user_id)s", own, alice, true},
		{"user_id other", "user_id:%(user_id)s", own, bob, false},
		{"literal match", "tenant_id:p-alice", nil, alice, true},
		{"literal mismatch", "tenant_id:p-bob", nil, alice, false},
		{"is_admin True", "is_admin:True", nil, admin, true},
		{"is_admin True for member", "is_admin:True", nil, alice, false},
		{"is_admin False", "is_admin:False", nil, alice, true},
		{"is_admin flag", "is_admin:True", nil, Credentials{IsAdmin: true}, true},
		{"roles membership", "roles:reader", nil, bob, true},
		{"unknown credential", "domain_id:x", nil, alice, false},
		{"literal left True", "True:%(enabled)s", own, anon, true},
		{"literal left False", "False:%(enabled)s", own, anon, false},
		{"quoted literal left", "'Member':%(name)s", own, anon, true},
		{"double-quoted literal left", `"Member":%(name)s`, own, anon, true},
		{"quoted literal mismatch", "'member':%(name)s", own, anon, false},
		{"number literal", "3:%(count)s", own, anon, true},
		{"parent key", "tenant_id:%(network:tenant_id)s", map[string]any{"network:tenant_id": "p-alice"}, alice, true},
		{"parent key project alias", "tenant_id:%(network:tenant_id)s", map[string]any{"network:project_id": "p-alice"}, alice, true},
		{"parent key missing", "tenant_id:%(network:tenant_id)s", map[string]any{"tenant_id": "p-alice"}, alice, false},
		{"embedded substitution", "tenant_id:p-%(who)s", map[string]any{"who": "alice"}, alice, true},
		{"percent escape", "tenant_id:100%%", nil, Credentials{ProjectID: "100%"}, true},
	}
	for _, tt := range tests {
		if got := eval(t, tt.rule, tt.target, tt.creds); got != tt.want {
			t.Errorf("%s: %q = %v, want %v", tt.name, tt.rule, got, tt.want)
		}
	}
}

func TestFieldCheck(t *testing.T) {
	tests := []struct {
		name   string
		rule   string
		target map[string]any
		want   bool
	}{
		{"network shared", "field:networks:shared=True", map[string]any{"_collection": "networks", "shared": true}, true},
		{"network not shared", "field:networks:shared=True", map[string]any{"_collection": "networks", "shared": false}, false},
		{"shared as string", "field:networks:shared=True", map[string]any{"_collection": "networks", "shared": "True"}, true},
		{"shared lower-case string", "field:networks:shared=True", map[string]any{"_collection": "networks", "shared": "true"}, true},
		{"False literal", "field:networks:shared=False", map[string]any{"_collection": "networks", "shared": false}, true},
		{"missing attr", "field:networks:shared=True", map[string]any{"_collection": "networks"}, false},
		{"nil attr", "field:networks:shared=True", map[string]any{"_collection": "networks", "shared": nil}, false},
		{"no collection reads target", "field:networks:shared=True", map[string]any{"shared": true}, true},
		{"external", "field:networks:router:external=True", map[string]any{"_collection": "networks", "router:external": true}, true},
		{"port reads parent network", "field:networks:shared=True", map[string]any{"_collection": "ports", "network:shared": true}, true},
		{"port ignores own attr", "field:networks:shared=True", map[string]any{"_collection": "ports", "shared": true}, false},
		{"port with unshared parent", "field:networks:shared=True", map[string]any{"_collection": "ports", "network:shared": false}, false},
		{"parent external", "field:networks:router:external=True", map[string]any{"_collection": "subnets", "network:router:external": true}, true},
		{"singular resource", "field:port:device_owner=network:dhcp", map[string]any{"_collection": "ports", "device_owner": "network:dhcp"}, true},
		{"regex prefix", "field:port:device_owner=~^network:", map[string]any{"_collection": "ports", "device_owner": "network:router_interface"}, true},
		{"regex miss", "field:port:device_owner=~^network:", map[string]any{"_collection": "ports", "device_owner": "compute:nova"}, false},
		{"regex anchored like re.match", "field:port:device_owner=~network", map[string]any{"_collection": "ports", "device_owner": "compute:network"}, false},
		{"wildcard literal", "field:rbac_policy:target_tenant=*", map[string]any{"_collection": "rbac_policies", "target_tenant": "*"}, true},
		{"wildcard literal miss", "field:rbac_policy:target_tenant=*", map[string]any{"_collection": "rbac_policies", "target_tenant": "p-bob"}, false},
		{"other collection without parent", "field:subnetpools:shared=True", map[string]any{"_collection": "networks", "shared": true}, false},
		{"number compares as text", "field:networks:mtu=1500", map[string]any{"_collection": "networks", "mtu": 1500}, true},
	}
	for _, tt := range tests {
		if got := eval(t, tt.rule, tt.target, alice); got != tt.want {
			t.Errorf("%s: %q on %v = %v, want %v", tt.name, tt.rule, tt.target, got, tt.want)
		}
	}
}

func TestSubstitute(t *testing.T) {
	target := map[string]any{"a": "x", "b": true, "n": nil, "f": 2.0, "l": []string{"p", "q"}, "odd(key)": "y"}
	tests := []struct {
		tmpl   string
		want   string
		wantOK bool
	}{
		{"plain", "plain", true},
		{"%(a)s", "x", true},
		{"%(b)s", "True", true},
		{"%(n)s", "None", true},
		{"%(f)s", "2.0", true},
		{"%(l)s", "['p', 'q']", true},
		{"%(odd(key))s", "y", true},
		{"<%(a)s|%(b)s>", "<x|True>", true},
		{"%(missing)s", "", false},
		{"100%%", "100%", true},
		{"50%", "50%", true},
		{"%(a)", "%(a)", true},
		{"%(a", "%(a", true},
	}
	for _, tt := range tests {
		got, ok := substitute(tt.tmpl, MapTarget(target))
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("substitute(%q) = %q, %v; want %q, %v", tt.tmpl, got, ok, tt.want, tt.wantOK)
		}
	}
}
