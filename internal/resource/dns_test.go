package resource

import (
	"strings"
	"testing"
)

func TestDNSValidators(t *testing.T) {
	long := strings.Repeat("a", 63)
	cases := []struct {
		name  string
		check func(any) string
		in    any
		ok    bool
	}{
		{"host: empty", DNSHostName, "", true},
		{"host: relative", DNSHostName, "web-1", true},
		{"host: fqdn", DNSHostName, "web.example.org.", true},
		{"host: 63-char label", DNSHostName, long, true},
		{"host: 64-char label", DNSHostName, long + "a", false},
		{"host: leading hyphen", DNSHostName, "-web", false},
		{"host: empty label", DNSHostName, "a..b", false},
		{"host: numeric TLD", DNSHostName, "web.123", false},
		{"host: underscore", DNSHostName, "we_b", false},
		{"host: not a string", DNSHostName, 7, false},
		{"fip: relative", FIPDNSHostName, "vm", true},
		{"fip: fqdn refused", FIPDNSHostName, "vm.example.org.", false},
		{"domain: empty", DNSDomainName, "", true},
		{"domain: fqdn", DNSDomainName, "example.org.", true},
		{"domain: without its dot", DNSDomainName, "example.org", false},
		{"domain: too long", DNSDomainName, strings.Repeat(long+".", 4), false},
		{"domain: project keyword", DNSDomainName, "<project_id>.example.org.", true},
		{"domain: every keyword", DNSDomainName, "<user_name>.<user_id>.<project_name>.<project_id>.example.org.", true},
		{"domain: unknown keyword", DNSDomainName, "<tenant_id>.example.org.", false},
		{"domain: keyword inside a label", DNSDomainName, "x<project_id>.example.org.", false},
		{"az hints: list", azHints, []any{"nova", "az2"}, true},
		{"az hints: duplicate", azHints, []any{"nova", "nova"}, false},
		{"az hints: not strings", azHints, []any{1}, false},
		{"az hints: not a list", azHints, "nova", false},
		{"az hints: over 255 characters", azHints, []any{strings.Repeat("z", 250), "y"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.check(tc.in)
			if (msg == "") != tc.ok {
				t.Errorf("%v: message %q, want ok=%v", tc.in, msg, tc.ok)
			}
		})
	}
	if v, err := ToLower("Web"); err != nil || v != "web" {
		t.Errorf("ToLower(Web) = %v, %v", v, err)
	}
	if _, err := ToLower(3); err == nil {
		t.Errorf("ToLower(3) accepted")
	}
}
