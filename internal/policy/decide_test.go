package policy

import "testing"

// TestDecide checks that a rule decided without a target gives, for every target, what
// Enforce gives, and that a rule whose answer depends on the target is left undecided.
func TestDecide(t *testing.T) {
	e, err := New(map[string]string{
		"owner_and_admin":    "tenant_id:%(tenant_id)s and role:admin",
		"not_owner":          "not tenant_id:%(tenant_id)s",
		"not_member":         "not role:member",
		"member_or_shared":   "role:member or field:networks:shared=True",
		"undefined_or_owner": "rule:nothing_such or tenant_id:%(tenant_id)s",
	})
	if err != nil {
		t.Fatal(err)
	}
	targets := []map[string]any{bobPortOnAliceNet, bobPortOnSharedNet, bobRouterPortOnAliceNet, alicePrivateNet, aliceSharedNet, nil}
	tests := []struct {
		action      string
		creds       Credentials
		decided     bool
		wantAllowed bool
	}{
		{"get_port", admin, true, true},  // context_is_admin passes before owner is needed
		{"get_port", bob, false, false},  // owner, or owner of the network
		{"get_port", advsvc, true, true}, // context_is_advsvc
		{"get_port:binding:host_id", admin, true, true},
		{"get_port:binding:host_id", bob, true, false}, // admin only
		{"get_network", bob, false, false},
		{"owner_and_admin", bob, true, false}, // not admin: false whoever owns it
		{"owner_and_admin", admin, false, false},
		{"not_owner", bob, false, false},
		{"not_member", bob, true, false},
		{"not_member", admin, true, true},
		{"member_or_shared", bob, true, true},
		{"member_or_shared", advsvc, false, false},
		{"undefined_or_owner", bob, false, false},
		{"no_such_rule_falls_back_to_default", bob, false, false},
	}
	for _, tt := range tests {
		allowed, decided := e.Decide(tt.action, tt.creds)
		if decided != tt.decided || (decided && allowed != tt.wantAllowed) {
			t.Errorf("Decide(%s, %s) = %v, decided %v; want %v, decided %v", tt.action, tt.creds.ProjectID, allowed, decided, tt.wantAllowed, tt.decided)
			continue
		}
		if !decided {
			continue
		}
		for _, target := range targets {
			if got := e.Enforce(tt.action, target, tt.creds); got != allowed {
				t.Errorf("%s for %s on %v: Enforce %v, Decide %v", tt.action, tt.creds.ProjectID, target, got, allowed)
			}
		}
	}
}
