package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadFile(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content string
		want    map[string]string
	}{
		{"yaml", "policy.yaml", `
# operators may comment
"get_network": "rule:admin_only"
create_network:shared: "@"
"regular_user": ""
`, map[string]string{"get_network": "rule:admin_only", "create_network:shared": "@", "regular_user": ""}},
		{"json", "policy.json", `{
    "get_network": "rule:admin_only",
    "create_network:shared": "@",
    "regular_user": ""
}`, map[string]string{"get_network": "rule:admin_only", "create_network:shared": "@", "regular_user": ""}},
		{"json duplicate keys, last wins", "policy.json", `{"a": "!", "a": "@"}`, map[string]string{"a": "@"}},
		{"yaml flow mapping", "policy.yaml", `{a: "@", b: "!"}`, map[string]string{"a": "@", "b": "!"}},
		{"json with BOM", "policy.json", "\ufeff{\"a\": \"@\"}", map[string]string{"a": "@"}},
		{"empty", "policy.yaml", "\n# nothing\n", map[string]string{}},
	}
	for _, tt := range tests {
		got, err := LoadFile(writeTemp(t, tt.file, tt.content))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
		for k, v := range tt.want {
			if g, ok := got[k]; !ok || g != v {
				t.Errorf("%s: rule %q = %q (present %v), want %q", tt.name, k, g, ok, v)
			}
		}
	}
}

func TestLoadFileErrors(t *testing.T) {
	tests := []struct {
		name, content, wantErr string
	}{
		{"list form", `{"a": [["role:admin"]]}`, `rule "a"`},
		{"unquoted bool", "a: true\n", `rule "a"`},
		{"bad yaml", "a: [\n", "policy:"},
		{"not a mapping", "- a\n- b\n", "policy:"},
	}
	for _, tt := range tests {
		_, err := LoadFile(writeTemp(t, "p.yaml", tt.content))
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.wantErr)
		}
	}
	if _, err := LoadFile(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("missing file: no error")
	}
}

// An operator's file overrides the defaults end to end.
func TestOverrideFromFiles(t *testing.T) {
	files := map[string]string{
		"policy.yaml": "\"get_network\": \"rule:admin_only\"\n\"create_network:shared\": \"role:netadmin\"\n",
		"policy.json": `{"get_network": "rule:admin_only", "create_network:shared": "role:netadmin"}`,
	}
	for name, content := range files {
		rules, err := LoadFile(writeTemp(t, name, content))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		e, err := New(rules)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if e.Enforce("get_network", aliceSharedNet, bob) {
			t.Errorf("%s: bob still sees alice's shared network", name)
		}
		if !e.Enforce("get_network", aliceSharedNet, admin) {
			t.Errorf("%s: admin denied", name)
		}
		netadmin := Credentials{ProjectID: "p-n", Roles: []string{"netadmin"}}
		if !e.Enforce("create_network:shared", nil, netadmin) || e.Enforce("create_network:shared", nil, admin) {
			t.Errorf("%s: create_network:shared override not applied", name)
		}
		// Untouched defaults stay.
		if !e.Enforce("get_port:binding:host_id", nil, admin) || e.Enforce("get_port:binding:host_id", nil, alice) {
			t.Errorf("%s: default get_port:binding:host_id changed", name)
		}
	}
}
