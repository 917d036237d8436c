package policy

import (
	"strings"
	"sync"
	"testing"
)

func defaultEnforcer(t *testing.T) *Enforcer {
	t.Helper()
	e, err := New(nil)
	if err != nil {
		t.Fatalf("New(nil): %v", err)
	}
	return e
}

var (
	advsvc = Credentials{UserID: "u-svc", ProjectID: "p-svc", Roles: []string{"advsvc"}}
	dpi    = Credentials{UserID: "u-dpi", ProjectID: "p-dpi", Roles: []string{"data_plane_integrator"}}
)

// Targets as the API layer builds them.
var (
	alicePrivateNet  = map[string]any{"_collection": "networks", "id": "n1", "tenant_id": "p-alice", "project_id": "p-alice", "shared": false, "router:external": false}
	aliceSharedNet   = map[string]any{"_collection": "networks", "id": "n2", "tenant_id": "p-alice", "project_id": "p-alice", "shared": true, "router:external": false}
	adminExternalNet = map[string]any{"_collection": "networks", "id": "n3", "tenant_id": "p-admin", "project_id": "p-admin", "shared": false, "router:external": true}

	// Bob's port on Alice's private network.
	bobPortOnAliceNet = map[string]any{
		"_collection": "ports", "tenant_id": "p-bob", "network_id": "n1", "device_owner": "compute:nova",
		"network:tenant_id": "p-alice", "network:shared": false, "network:router:external": false,
	}
	// Bob's port on Alice's shared network.
	bobPortOnSharedNet = map[string]any{
		"_collection": "ports", "tenant_id": "p-bob", "network_id": "n2", "device_owner": "",
		"network:tenant_id": "p-alice", "network:shared": true,
	}
	// A router interface port Bob wants on Alice's network.
	bobRouterPortOnAliceNet = map[string]any{
		"_collection": "ports", "tenant_id": "p-bob", "network_id": "n1", "device_owner": "network:router_interface",
		"network:tenant_id": "p-alice", "network:shared": false,
	}
)

func TestNeutronScenarios(t *testing.T) {
	e := defaultEnforcer(t)
	tests := []struct {
		name   string
		action string
		target map[string]any
		creds  Credentials
		want   bool
	}{
		// get_network: admin_or_owner or shared or external or advsvc.
		{"owner gets private network", "get_network", alicePrivateNet, alice, true},
		{"non-owner cannot get private network", "get_network", alicePrivateNet, bob, false},
		{"non-owner gets shared network", "get_network", aliceSharedNet, bob, true},
		{"non-owner gets external network", "get_network", adminExternalNet, bob, true},
		{"admin gets any network", "get_network", alicePrivateNet, admin, true},
		{"is_admin flag gets any network", "get_network", alicePrivateNet, Credentials{ProjectID: "p-x", IsAdmin: true}, true},
		{"advsvc gets any network", "get_network", alicePrivateNet, advsvc, true},
		{"anonymous cannot get private network", "get_network", alicePrivateNet, anon, false},
		{"project_id-only target", "get_network", map[string]any{"_collection": "networks", "project_id": "p-alice"}, alice, true},

		// Network attributes.
		{"member creates network", "create_network", map[string]any{"tenant_id": "p-alice"}, alice, true},
		{"member cannot create shared network", "create_network:shared", map[string]any{"_collection": "networks", "tenant_id": "p-alice"}, alice, false},
		{"admin creates shared network", "create_network:shared", map[string]any{"_collection": "networks", "tenant_id": "p-admin"}, admin, true},
		{"member cannot create external network", "create_network:router:external", alicePrivateNet, alice, false},
		{"member cannot set provider type", "create_network:provider:network_type", alicePrivateNet, alice, false},
		{"member may set port security", "create_network:port_security_enabled", alicePrivateNet, alice, true},
		{"anyone sees router:external", "get_network:router:external", adminExternalNet, bob, true},
		{"member cannot see segments", "get_network:segments", alicePrivateNet, alice, false},
		{"owner updates network", "update_network", alicePrivateNet, alice, true},
		{"non-owner cannot update shared network", "update_network", aliceSharedNet, bob, false},
		{"owner cannot make network shared", "update_network:shared", alicePrivateNet, alice, false},
		{"owner deletes network", "delete_network", alicePrivateNet, alice, true},
		{"non-owner cannot delete", "delete_network", alicePrivateNet, bob, false},

		// Subnets are governed by the network owner.
		{"network owner creates subnet", "create_subnet", map[string]any{"_collection": "subnets", "tenant_id": "p-alice", "network:tenant_id": "p-alice"}, alice, true},
		{"cannot create subnet on others' network", "create_subnet", map[string]any{"_collection": "subnets", "tenant_id": "p-bob", "network:tenant_id": "p-alice"}, bob, false},
		{"subnet of shared network is visible", "get_subnet", map[string]any{"_collection": "subnets", "tenant_id": "p-alice", "network:shared": true}, bob, true},
		{"subnet of private network is hidden", "get_subnet", map[string]any{"_collection": "subnets", "tenant_id": "p-alice", "network:shared": false}, bob, false},

		// Ports.
		{"member creates port", "create_port", bobPortOnSharedNet, bob, true},
		{"get_port:binding:host_id admin only (owner)", "get_port:binding:host_id", bobPortOnSharedNet, bob, false},
		{"get_port:binding:host_id admin only (admin)", "get_port:binding:host_id", bobPortOnSharedNet, admin, true},
		{"get_port:binding:vif_type admin only", "get_port:binding:vif_type", bobPortOnSharedNet, bob, false},
		{"create_port:binding:profile admin only", "create_port:binding:profile", bobPortOnSharedNet, bob, false},
		{"port owner gets port", "get_port", bobPortOnAliceNet, bob, true},
		{"network owner gets port on her network", "get_port", bobPortOnAliceNet, alice, true},
		{"stranger cannot get port", "get_port", bobPortOnAliceNet, Credentials{ProjectID: "p-eve", Roles: []string{"member"}}, false},
		{"port owner updates own port", "update_port", bobPortOnAliceNet, bob, true},
		// update_port is admin_or_owner, not network-owner: the network owner
		// cannot update someone else's port...
		{"network owner cannot update others' port", "update_port", bobPortOnAliceNet, alice, false},
		// ...but attribute rules use admin_or_network_owner.
		{"network owner sets fixed_ips", "update_port:fixed_ips", bobPortOnAliceNet, alice, true},
		{"port owner cannot set fixed_ips on others' network", "update_port:fixed_ips", bobPortOnAliceNet, bob, false},
		{"port owner sets fixed_ips subnet on shared network", "update_port:fixed_ips:subnet_id", bobPortOnSharedNet, bob, true},
		{"port owner cannot pick ip on shared network", "update_port:fixed_ips:ip_address", bobPortOnSharedNet, bob, false},
		{"create_port:fixed_ips on shared network", "create_port:fixed_ips", bobPortOnSharedNet, bob, true},
		{"create_port:mac_address needs network owner", "create_port:mac_address", bobPortOnAliceNet, bob, false},
		{"create_port:mac_address by network owner", "create_port:mac_address", bobPortOnAliceNet, alice, true},
		{"mac_learning_enabled by network owner", "create_port:mac_learning_enabled", bobPortOnAliceNet, alice, true},
		{"mac_learning_enabled denied", "create_port:mac_learning_enabled", bobPortOnAliceNet, bob, false},
		{"allowed_address_pairs denied on others' network", "create_port:allowed_address_pairs", bobPortOnAliceNet, bob, false},
		{"port security by advsvc", "create_port:port_security_enabled", bobPortOnAliceNet, advsvc, true},
		{"ordinary device_owner is free", "create_port:device_owner", bobPortOnAliceNet, bob, true},
		{"network: device_owner needs network owner", "create_port:device_owner", bobRouterPortOnAliceNet, bob, false},
		{"network: device_owner by network owner", "create_port:device_owner", bobRouterPortOnAliceNet, alice, true},
		{"update_port:mac_address admin or advsvc", "update_port:mac_address", bobPortOnAliceNet, alice, false},
		{"data plane status by integrator", "update_port:data_plane_status", bobPortOnAliceNet, dpi, true},
		{"data plane status denied to owner", "update_port:data_plane_status", bobPortOnAliceNet, bob, false},
		{"network owner deletes port", "delete_port", bobPortOnAliceNet, alice, true},

		// Security groups.
		{"security groups are scoped to their project", "get_security_group", map[string]any{"_collection": "security_groups", "tenant_id": "p-alice"}, bob, false},
		{"owner reads her security group", "get_security_group", map[string]any{"_collection": "security_groups", "tenant_id": "p-alice"}, alice, true},
		{"non-owner cannot update SG", "update_security_group", map[string]any{"_collection": "security_groups", "tenant_id": "p-alice"}, bob, false},
		{"SG owner reads others' rule in her group", "get_security_group_rule", map[string]any{"_collection": "security_group_rules", "tenant_id": "p-admin", "security_group:tenant_id": "p-alice"}, alice, true},

		// Quotas.
		{"member cannot read others' quota", "get_quota", map[string]any{"tenant_id": "p-bob"}, alice, false},
		{"admin updates quota", "update_quota", map[string]any{"tenant_id": "p-bob"}, admin, true},
		{"member cannot update own quota", "update_quota", map[string]any{"tenant_id": "p-alice"}, alice, false},
		{"member cannot delete quota", "delete_quota", map[string]any{"tenant_id": "p-alice"}, alice, false},

		// Routers and floating IPs.
		{"member creates router", "create_router", map[string]any{"tenant_id": "p-alice"}, alice, true},
		{"member sets gateway network", "create_router:external_gateway_info:network_id", map[string]any{"tenant_id": "p-alice"}, alice, true},
		{"member cannot disable SNAT", "create_router:external_gateway_info:enable_snat", map[string]any{"tenant_id": "p-alice"}, alice, false},
		{"member cannot pick gateway IPs", "update_router:external_gateway_info:external_fixed_ips", map[string]any{"tenant_id": "p-alice"}, alice, false},
		{"owner adds router interface", "add_router_interface", map[string]any{"tenant_id": "p-alice"}, alice, true},
		{"member cannot choose FIP address", "create_floatingip:floating_ip_address", map[string]any{"tenant_id": "p-alice"}, alice, false},
		{"owner gets own FIP", "get_floatingip", map[string]any{"tenant_id": "p-alice"}, alice, true},
		{"port forwarding by FIP owner", "create_floatingip_port_forwarding", map[string]any{"ext_parent:tenant_id": "p-alice"}, alice, true},

		// RBAC wildcard.
		{"member shares to one project", "create_rbac_policy:target_tenant", map[string]any{"_collection": "rbac_policies", "target_tenant": "p-bob"}, alice, true},
		{"member cannot share to everyone", "create_rbac_policy:target_tenant", map[string]any{"_collection": "rbac_policies", "target_tenant": "*"}, alice, false},
		{"admin shares to everyone", "create_rbac_policy:target_tenant", map[string]any{"_collection": "rbac_policies", "target_tenant": "*"}, admin, true},

		// Agents and admin-only services.
		{"member cannot list agents", "get_agent", nil, alice, false},
		{"admin lists agents", "get_agent", nil, admin, true},
		{"member cannot create BGP speaker", "create_bgp_speaker", map[string]any{"tenant_id": "p-alice"}, alice, false},
		{"member cannot create L2 gateway", "create_l2_gateway", map[string]any{"tenant_id": "p-alice"}, alice, false},
		{"member creates VPN service", "create_vpnservice", map[string]any{"tenant_id": "p-alice"}, alice, true},

		// networking-midonet.
		{"bgp logical_router admin only", "create_bgp_speaker:logical_router", map[string]any{"tenant_id": "p-alice"}, alice, false},
		{"bgp logical_router admin", "create_bgp_speaker:logical_router", map[string]any{"tenant_id": "p-admin"}, admin, true},
		{"gateway device owner", "create_gateway_device", map[string]any{"tenant_id": "p-alice"}, alice, true},
		{"gateway device non-owner", "update_gateway_device", map[string]any{"tenant_id": "p-alice"}, bob, false},
		{"gateway device admin", "delete_gateway_device", map[string]any{"tenant_id": "p-alice"}, admin, true},

		// Unknown actions fall back to "default" (admin_or_owner).
		{"default for owner", "frobnicate_widget", map[string]any{"tenant_id": "p-alice"}, alice, true},
		{"default for non-owner", "frobnicate_widget", map[string]any{"tenant_id": "p-alice"}, bob, false},
		{"default for admin", "frobnicate_widget", map[string]any{"tenant_id": "p-alice"}, admin, true},
	}
	for _, tt := range tests {
		if got := e.Enforce(tt.action, tt.target, tt.creds); got != tt.want {
			t.Errorf("%s: Enforce(%q) = %v, want %v", tt.name, tt.action, got, tt.want)
		}
	}
}

func TestDefaultsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Defaults() {
		if seen[r.Name] {
			t.Errorf("rule %q defined twice", r.Name)
		}
		seen[r.Name] = true
		if _, err := Parse(r.Check); err != nil {
			t.Errorf("rule %q: %v", r.Name, err)
		}
		for _, op := range r.Operations {
			switch op.Method {
			case "GET", "POST", "PUT", "DELETE":
			default:
				t.Errorf("rule %q: method %q", r.Name, op.Method)
			}
			if !strings.HasPrefix(op.Path, "/") {
				t.Errorf("rule %q: path %q", r.Name, op.Path)
			}
		}
		// Every rule:NAME in a default must name a default.
		c, _ := Parse(r.Check)
		walkRefs(c, func(ref string) {
			if !isDefault(ref) {
				t.Errorf("rule %q refers to undefined rule %q", r.Name, ref)
			}
		})
	}
	for _, name := range []string{
		"context_is_admin", "owner", "admin_or_owner", "context_is_advsvc", "admin_or_network_owner",
		"admin_owner_or_network_owner", "network_owner", "admin_only", "regular_user", "admin_or_data_plane_int",
		"shared", "shared_subnetpools", "shared_address_scopes", "external", "default",
		"create_network:provider:segmentation_id", "get_port:resource_request", "create_port:allowed_address_pairs:mac_address",
		"update_quota", "delete_quota", "get_quota", "create_router:external_gateway_info:enable_snat",
		"create_bgp_speaker:logical_router", "create_gateway_device", "get_gateway_device",
	} {
		if !seen[name] {
			t.Errorf("default rule %q missing", name)
		}
	}
}

func isDefault(name string) bool {
	for _, r := range Defaults() {
		if r.Name == name {
			return true
		}
	}
	return false
}

func TestNewOverrides(t *testing.T) {
	e, err := New(map[string]string{
		"get_network":    "rule:admin_only",
		"my_custom_rule": "role:auditor",
		"create_network": "not role:restricted",
		"default":        "!",
	})
	if err != nil {
		t.Fatal(err)
	}
	if e.Enforce("get_network", aliceSharedNet, bob) {
		t.Error("overridden get_network still lets a non-admin see a shared network")
	}
	if !e.Has("my_custom_rule") || !e.Has("get_port") || e.Has("get_port:nonexistent") {
		t.Error("Has disagrees with defaults plus overrides")
	}
	if !e.Enforce("my_custom_rule", nil, Credentials{Roles: []string{"auditor"}}) {
		t.Error("custom rule not enforced")
	}
	if e.Enforce("create_network", nil, Credentials{Roles: []string{"member", "restricted"}}) {
		t.Error("not role:restricted let a restricted user in")
	}
	if e.Enforce("unknown_action", map[string]any{"tenant_id": "p-alice"}, alice) {
		t.Error("unknown action did not fall back to the overridden default")
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		overrides map[string]string
		wantErr   []string
	}{
		{map[string]string{"get_network": "rule:admin_only or"}, []string{`"get_network"`, "unexpected end"}},
		{map[string]string{"broken": "(role:admin"}, []string{`"broken"`, "missing ')'"}},
		{map[string]string{"a": "rule:b", "b": "rule:a"}, []string{"refers to itself", "a -> b -> a"}},
		{map[string]string{"self": "role:x or rule:self"}, []string{`"self"`, "refers to itself"}},
		// A cycle through the defaults: admin_only -> context_is_admin -> admin_only.
		{map[string]string{"context_is_admin": "rule:admin_only"}, []string{"refers to itself"}},
		{map[string]string{"": "@"}, []string{"empty name"}},
	}
	for _, tt := range tests {
		_, err := New(tt.overrides)
		if err == nil {
			t.Errorf("New(%v) succeeded", tt.overrides)
			continue
		}
		for _, w := range tt.wantErr {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("New(%v) error %q does not contain %q", tt.overrides, err, w)
			}
		}
	}
}

func TestEnforceConcurrent(t *testing.T) {
	e := defaultEnforcer(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				creds := []Credentials{alice, bob, admin}[i%3]
				e.Enforce("get_port", bobPortOnAliceNet, creds)
				e.Enforce("create_port:device_owner", bobRouterPortOnAliceNet, creds)
			}
		}()
	}
	wg.Wait()
}

func TestCredentialsNotMutated(t *testing.T) {
	roles := make([]string, 1, 4)
	roles[0] = "member"
	c := Credentials{ProjectID: "p", Roles: roles, IsAdmin: true}
	e := defaultEnforcer(t)
	if !e.Enforce("get_agent", nil, c) {
		t.Fatal("IsAdmin caller denied an admin-only action")
	}
	if len(c.Roles) != 1 || roles[:2][1] != "" {
		t.Errorf("Enforce changed the caller's roles: %v", roles[:2])
	}
}

func TestTargetFree(t *testing.T) {
	e, err := New(map[string]string{"custom_owner": "tenant_id:%(tenant_id)s", "custom_field": "field:networks:shared=True", "custom_role": "role:admin or role:reader"})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]bool{
		"get_port:binding:host_id": true, // admin_only
		"custom_role":              true,
		"get_network":              false, // owner or shared
		"custom_owner":             false,
		"custom_field":             false,
	}
	for rule, want := range cases {
		if got := e.TargetFree(rule); got != want {
			t.Errorf("TargetFree(%s) = %v, want %v", rule, got, want)
		}
	}
}

// TestServiceRules: a service's rules join the defaults and the sample, and the policy file
// still overrides them.
func TestServiceRules(t *testing.T) {
	extra := []Rule{{Name: "create_widget", Check: AdminOnly, Description: "Create a widget", Operations: Post("/widgets")}}
	member := Credentials{UserID: "u", ProjectID: "p", Roles: []string{"member"}}
	e, err := New(nil, extra)
	if err != nil {
		t.Fatal(err)
	}
	if e.Enforce("create_widget", map[string]any{"tenant_id": "p"}, member) {
		t.Error("a member may create a widget; the service's rule says admin only")
	}
	if !strings.Contains(Sample(extra), `#"create_widget": "rule:admin_only"`) {
		t.Error("the sample lacks the service's rule")
	}
	e, err = New(map[string]string{"create_widget": "rule:admin_or_owner"}, extra)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Enforce("create_widget", map[string]any{"tenant_id": "p"}, member) {
		t.Error("the policy file did not override the service's rule")
	}
}
