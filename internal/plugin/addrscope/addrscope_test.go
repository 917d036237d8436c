package addrscope_test

import (
	"context"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/addrscope"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

// member is a non-admin caller of project that sees, as get_address_scope and
// get_subnetpool let it, its own documents and the shared ones.
func member(project string) *plugin.Caller {
	return &plugin.Caller{ProjectID: project, RequestID: "req-test", Catalog: builtin.Catalog(),
		Sees: func(_ context.Context, _ *db.Tx, _ string, d db.Doc) (bool, error) {
			return plugin.Str(d, "tenant_id") == project || plugin.Bool(d, "shared"), nil
		}}
}

func newEnv(t *testing.T) (*plugintest.Env, *plugin.Caller) {
	e := plugintest.New(t)
	e.Register(addrscope.New())
	return e, e.Caller
}

// as runs fn with the environment's caller set to c.
func as(e *plugintest.Env, c *plugin.Caller, fn func()) {
	old := e.Caller
	e.Caller = c
	defer func() { e.Caller = old }()
	fn()
}

// TestScopes: create, the one-way shared flag, and delete refused while a pool is in the
// scope (any project's pool).
func TestScopes(t *testing.T) {
	e, _ := newEnv(t)
	scope := e.MustCreate("address_scopes", map[string]any{"name": "s", "ip_version": 4})
	if scope["shared"] != false || scope["ip_version"] != 4 || scope["tenant_id"] != "p1" {
		t.Fatalf("scope %v", scope)
	}
	for _, k := range []string{"created_at", "revision_number", "description", "tags"} {
		if _, ok := scope[k]; ok {
			t.Errorf("scope has %s; Neutron's address scopes have no standard attributes", k)
		}
	}
	id := scope["id"].(string)
	shared, err := e.Update("address_scopes", id, map[string]any{"shared": true, "name": "s2"})
	if err != nil || shared["shared"] != true || shared["name"] != "s2" {
		t.Fatalf("share: %v %v", shared, err)
	}
	_, err = e.Update("address_scopes", id, map[string]any{"shared": false})
	plugintest.WantFault(t, "unsharing", err, 400, "AddressScopeUpdateError")
	if _, err := e.Update("address_scopes", id, map[string]any{"shared": true}); err != nil {
		t.Errorf("shared again: %v", err)
	}
	// A pool of another project in the (shared) scope keeps it.
	pool := e.MustCreate("subnetpools", map[string]any{"name": "p", "prefixes": []any{"10.0.0.0/16"}, "address_scope_id": id, "tenant_id": "p2"})
	plugintest.WantFault(t, "deleting a scope in use", e.Delete("address_scopes", id), 409, "AddressScopeInUse")
	if err := e.Delete("subnetpools", pool["id"].(string)); err != nil {
		t.Fatal(err)
	}
	if err := e.Delete("address_scopes", id); err != nil {
		t.Errorf("deleting a free scope: %v", err)
	}
	if e.Get("address_scopes", id) != nil {
		t.Error("scope still stored")
	}
	_, err = e.Create("address_scopes", map[string]any{"name": "bad", "ip_version": 5})
	if err == nil {
		t.Error("ip_version 5 accepted")
	}
	_, err = e.Create("address_scopes", map[string]any{"name": "none"})
	if err == nil {
		t.Error("a scope without ip_version accepted")
	}
}

// TestPoolAssociation: the checks a pool's address_scope_id goes through on create and
// update, as Neutron's _validate_address_scope_id, by the caller who asks.
func TestPoolAssociation(t *testing.T) {
	e, admin := newEnv(t)
	v4 := e.MustCreate("address_scopes", map[string]any{"name": "v4", "ip_version": 4, "tenant_id": "p2"})["id"].(string)
	v6 := e.MustCreate("address_scopes", map[string]any{"name": "v6", "ip_version": 6, "tenant_id": "p2"})["id"].(string)
	private := e.MustCreate("address_scopes", map[string]any{"name": "private", "ip_version": 4, "tenant_id": "p3"})["id"].(string)
	shared := e.MustCreate("address_scopes", map[string]any{"name": "shared", "ip_version": 4, "shared": true})["id"].(string)
	e.MustCreate("subnetpools", map[string]any{"name": "in-v4", "prefixes": []any{"20.0.0.0/18", "30.0.0.0/18"}, "address_scope_id": v4, "tenant_id": "p2"})
	e.MustCreate("subnetpools", map[string]any{"name": "in-shared", "prefixes": []any{"40.0.0.0/16"}, "address_scope_id": shared})

	for _, c := range []struct {
		name     string
		caller   *plugin.Caller
		body     map[string]any
		status   int
		typ      string
		wantFail bool
	}{
		{"own scope", member("p2"), map[string]any{"prefixes": []any{"20.1.0.0/24"}, "address_scope_id": v4}, 0, "", false},
		{"another project's private scope", member("p2"), map[string]any{"prefixes": []any{"10.0.0.0/24"}, "address_scope_id": private}, 404, "AddressScopeNotFound", true},
		{"a scope that does not exist", member("p2"), map[string]any{"prefixes": []any{"10.0.0.0/24"}, "address_scope_id": "00000000-0000-4000-8000-000000000001"}, 404, "AddressScopeNotFound", true},
		{"a shared scope of another project", member("p2"), map[string]any{"prefixes": []any{"50.0.0.0/16"}, "address_scope_id": shared}, 0, "", false},
		{"admin: another project's private scope", admin, map[string]any{"prefixes": []any{"10.9.0.0/24"}, "address_scope_id": private}, 0, "", false},
		{"IPv4 pool in an IPv6 scope", member("p2"), map[string]any{"prefixes": []any{"10.1.0.0/24"}, "address_scope_id": v6}, 400, "IllegalSubnetPoolIpVersionAssociationToAddressScope", true},
		{"prefix inside another pool of the scope", member("p2"), map[string]any{"prefixes": []any{"20.0.0.13/24"}, "address_scope_id": v4}, 409, "AddressScopePrefixConflict", true},
		{"one of several prefixes overlaps", member("p2"), map[string]any{"prefixes": []any{"40.0.0.0/18", "50.0.0.0/18", "30.0.0.0/12"}, "address_scope_id": v4}, 409, "AddressScopePrefixConflict", true},
		{"overlap with another project's pool in a shared scope", member("p2"), map[string]any{"prefixes": []any{"40.0.1.0/24"}, "address_scope_id": shared}, 409, "AddressScopePrefixConflict", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := map[string]any{"name": c.name}
			for k, v := range c.body {
				body[k] = v
			}
			var err error
			as(e, c.caller, func() { _, err = e.Create("subnetpools", body) })
			if !c.wantFail {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			plugintest.WantFault(t, c.name, err, c.status, c.typ)
		})
	}
}

// TestPoolUpdates: moving pools between scopes, and a member's pool an admin put in a shared
// scope of another project is then the admin's to change (IllegalSubnetPoolUpdate).
func TestPoolUpdates(t *testing.T) {
	e, admin := newEnv(t)
	mine := e.MustCreate("address_scopes", map[string]any{"name": "a", "ip_version": 4, "tenant_id": "p2"})["id"].(string)
	other := e.MustCreate("address_scopes", map[string]any{"name": "b", "ip_version": 4, "tenant_id": "p2"})["id"].(string)
	v6 := e.MustCreate("address_scopes", map[string]any{"name": "v6", "ip_version": 6, "tenant_id": "p2"})["id"].(string)
	adminShared := e.MustCreate("address_scopes", map[string]any{"name": "s", "ip_version": 4, "shared": true})["id"].(string)
	adminPrivate := e.MustCreate("address_scopes", map[string]any{"name": "ap", "ip_version": 4})["id"].(string)
	p := e.MustCreate("subnetpools", map[string]any{"name": "p", "prefixes": []any{"20.0.0.0/18", "30.0.0.0/18"}, "tenant_id": "p2"})["id"].(string)
	e.MustCreate("subnetpools", map[string]any{"name": "q", "prefixes": []any{"20.10.0.0/24"}, "address_scope_id": other, "tenant_id": "p2"})
	m := member("p2")
	steps := []struct {
		name    string
		caller  *plugin.Caller
		changes map[string]any
		status  int
		typ     string
	}{
		{"associate", m, map[string]any{"address_scope_id": mine}, 0, ""},
		{"associate another", m, map[string]any{"address_scope_id": other}, 0, ""},
		{"grow into the other pool of the scope", m, map[string]any{"prefixes": []any{"20.0.0.0/12", "30.0.0.0/18"}}, 409, "AddressScopePrefixConflict"},
		{"disassociate", m, map[string]any{"address_scope_id": nil}, 0, ""},
		{"wrong IP version", m, map[string]any{"address_scope_id": v6}, 400, "IllegalSubnetPoolIpVersionAssociationToAddressScope"},
		{"admin's private scope", m, map[string]any{"address_scope_id": adminPrivate}, 404, "AddressScopeNotFound"},
		{"admin puts it in a shared scope", admin, map[string]any{"address_scope_id": adminShared}, 0, ""},
		{"member grows it", m, map[string]any{"prefixes": []any{"20.0.0.0/18", "30.0.0.0/18", "40.0.0.0/18"}}, 400, "IllegalSubnetPoolUpdate"},
		{"admin grows it", admin, map[string]any{"prefixes": []any{"20.0.0.0/18", "30.0.0.0/18", "40.0.0.0/18"}}, 0, ""},
	}
	for _, s := range steps {
		var err error
		as(e, s.caller, func() { _, err = e.Update("subnetpools", p, s.changes) })
		if s.status == 0 {
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			continue
		}
		plugintest.WantFault(t, s.name, err, s.status, s.typ)
	}
	if got := e.Get("subnetpools", p); got["address_scope_id"] != adminShared || len(plugin.List(got, "prefixes")) != 3 {
		t.Errorf("pool after the updates: %v", got)
	}
}

// TestNetworkScopes: a network shows the scope of its subnets' pool per IP version; a
// subnet from a pool of another scope (or none) cannot join it, and a pool whose subnets
// share networks with subnets from elsewhere cannot move into a scope.
func TestNetworkScopes(t *testing.T) {
	e, _ := newEnv(t)
	s4 := e.MustCreate("address_scopes", map[string]any{"name": "s4", "ip_version": 4})["id"].(string)
	s4b := e.MustCreate("address_scopes", map[string]any{"name": "s4b", "ip_version": 4})["id"].(string)
	s6 := e.MustCreate("address_scopes", map[string]any{"name": "s6", "ip_version": 6})["id"].(string)
	p4 := e.MustCreate("subnetpools", map[string]any{"name": "p4", "prefixes": []any{"10.10.0.0/16"}, "default_prefixlen": 24, "address_scope_id": s4})["id"].(string)
	p4same := e.MustCreate("subnetpools", map[string]any{"name": "p4same", "prefixes": []any{"10.11.0.0/16"}, "default_prefixlen": 24, "address_scope_id": s4})["id"].(string)
	p4b := e.MustCreate("subnetpools", map[string]any{"name": "p4b", "prefixes": []any{"10.12.0.0/16"}, "default_prefixlen": 24, "address_scope_id": s4b})["id"].(string)
	p6 := e.MustCreate("subnetpools", map[string]any{"name": "p6", "prefixes": []any{"2001:db8::/48"}, "default_prefixlen": 64, "address_scope_id": s6})["id"].(string)
	plain := e.MustCreate("subnetpools", map[string]any{"name": "plain", "prefixes": []any{"10.13.0.0/16"}, "default_prefixlen": 24})["id"].(string)

	net := e.MustCreate("networks", map[string]any{"name": "n"})
	netID := net["id"].(string)
	expand := func() db.Doc {
		d := e.Get("networks", netID)
		err := e.DB.Read(context.Background(), func(tx *db.Tx) error {
			return addrscope.Service().Hooks["networks"].Expand(context.Background(), tx, []db.Doc{d})
		})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := expand(); d["ipv4_address_scope"] != nil || d["ipv6_address_scope"] != nil {
		t.Errorf("a network without subnets shows scopes %v %v", d["ipv4_address_scope"], d["ipv6_address_scope"])
	}
	e.MustCreate("subnets", map[string]any{"network_id": netID, "ip_version": 4, "subnetpool_id": p4})
	e.MustCreate("subnets", map[string]any{"network_id": netID, "ip_version": 6, "subnetpool_id": p6})
	if d := expand(); d["ipv4_address_scope"] != s4 || d["ipv6_address_scope"] != s6 {
		t.Errorf("scopes %v %v, want %s %s", d["ipv4_address_scope"], d["ipv6_address_scope"], s4, s6)
	}
	// Another pool of the same scope may join; one of another scope, no pool, or a pool
	// outside scopes may not.
	e.MustCreate("subnets", map[string]any{"network_id": netID, "ip_version": 4, "subnetpool_id": p4same})
	for _, c := range []struct {
		name string
		body map[string]any
		typ  string
	}{
		{"a pool of another scope", map[string]any{"subnetpool_id": p4b}, "NetworkAddressScopeAffinityError"},
		{"a pool without a scope", map[string]any{"subnetpool_id": plain}, "NetworkAddressScopeAffinityError"},
		{"no pool", map[string]any{"cidr": "192.168.7.0/24"}, "NetworkSubnetPoolAffinityError"},
	} {
		body := map[string]any{"network_id": netID, "ip_version": 4}
		for k, v := range c.body {
			body[k] = v
		}
		_, err := e.Create("subnets", body)
		plugintest.WantFault(t, c.name, err, 400, c.typ)
	}
	// A network with a pool subnet and a plain subnet of one family: the pool cannot move
	// into a scope.
	mixed := e.MustCreate("networks", map[string]any{"name": "mixed"})["id"].(string)
	e.MustCreate("subnets", map[string]any{"network_id": mixed, "ip_version": 4, "cidr": "192.168.8.0/24"})
	loose := e.MustCreate("subnetpools", map[string]any{"name": "loose", "prefixes": []any{"10.14.0.0/16"}, "default_prefixlen": 24})["id"].(string)
	other := e.MustCreate("networks", map[string]any{"name": "other"})["id"].(string)
	e.MustCreate("subnets", map[string]any{"network_id": other, "ip_version": 4, "subnetpool_id": loose})
	e.MustCreate("subnets", map[string]any{"network_id": other, "ip_version": 4, "subnetpool_id": loose})
	if _, err := e.Update("subnetpools", loose, map[string]any{"address_scope_id": s4b}); err != nil {
		t.Errorf("moving a pool whose networks hold only its subnets: %v", err)
	}
	_, err := e.Create("subnets", map[string]any{"network_id": mixed, "ip_version": 4, "subnetpool_id": plain})
	plugintest.WantFault(t, "a pool subnet beside a plain one", err, 400, "NetworkSubnetPoolAffinityError")
}
