package policy

import (
	"strings"
	"testing"
)

func TestSample(t *testing.T) {
	s := Sample()
	for _, want := range []string{
		"# Create a BGP speaker with ``logical_router`` attribute\n# POST /bgp-speakers\n#\"create_bgp_speaker:logical_router\": \"rule:admin_only\"\n",
		"# Get gateway devices\n# GET /gw/gateway-devices\n# GET /gw/gateway-devices/{id}\n#\"get_gateway_device\": \"rule:admin_or_owner\"\n",
		"#\"create_gateway_device\": \"rule:admin_or_owner\"\n",
		"#\"update_gateway_device\": \"rule:admin_or_owner\"\n",
		"#\"delete_gateway_device\": \"rule:admin_or_owner\"\n",
		"# Rule for cloud admin access\n#\"context_is_admin\": \"role:admin\"\n",
		"#\"regular_user\": \"\"\n",
		"# Get a network\n# GET /networks\n# GET /networks/{id}\n#\"get_network\": \"rule:admin_or_owner or rule:shared or rule:external or rule:context_is_advsvc\"\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("Sample() lacks %q", want)
		}
	}
	for i, line := range strings.Split(s, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			t.Errorf("line %d is not commented out: %q", i+1, line)
		}
		text, isComment := strings.CutPrefix(line, "# ")
		if isComment && len(line) > sampleWidth && !isOperationLine(line) && strings.Contains(text, " ") {
			t.Errorf("line %d is wider than %d: %q", i+1, sampleWidth, line)
		}
	}
}

func isOperationLine(line string) bool {
	for _, m := range []string{"GET", "POST", "PUT", "DELETE"} {
		if strings.HasPrefix(line, "# "+m+" /") {
			return true
		}
	}
	return false
}

// Uncommenting the rule lines of the sample gives a file LoadFile reads back
// to exactly the defaults.
func TestSampleRoundTrip(t *testing.T) {
	var b strings.Builder
	for _, line := range strings.Split(Sample(), "\n") {
		if strings.HasPrefix(line, "#\"") {
			line = line[1:]
		}
		b.WriteString(line + "\n")
	}
	rules, err := LoadFile(writeTemp(t, "policy.yaml", b.String()))
	if err != nil {
		t.Fatal(err)
	}
	defaults := Defaults()
	if len(rules) != len(defaults) {
		t.Errorf("round trip has %d rules, want %d", len(rules), len(defaults))
	}
	for _, r := range defaults {
		if got, ok := rules[r.Name]; !ok || got != r.Check {
			t.Errorf("rule %q = %q (present %v), want %q", r.Name, got, ok, r.Check)
		}
	}
	if _, ok := rules["create_bgp_speaker:logical_router"]; !ok {
		t.Error("create_bgp_speaker:logical_router lost")
	}
	if _, err := New(rules); err != nil {
		t.Errorf("New(sample): %v", err)
	}
}

func TestWriteComment(t *testing.T) {
	var b strings.Builder
	writeComment(&b, "Get a flavor associated with a given service profiles. There is no corresponding GET operations in API currently.")
	want := "# Get a flavor associated with a given service profiles. There is no\n# corresponding GET operations in API currently.\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
