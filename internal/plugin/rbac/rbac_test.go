package rbac

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"github.com/midonet-go/midonet/internal/plugin/core"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

// TestView: what a caller sees of a document RBAC policies name, as plugin.Caller.View
// decides it from the targets the document records.
func TestView(t *testing.T) {
	net := func(owner string, shared, external []any, flags ...string) db.Doc {
		d := db.Doc{"tenant_id": owner, resource.RBACShared: shared, resource.RBACExternal: external}
		for _, f := range flags {
			d[f] = true
		}
		return d
	}
	for _, c := range []struct {
		name          string
		collection    string
		doc           db.Doc
		caller        plugin.Caller
		shared, shown bool
	}{
		{"owner of a private network", "networks", net("a", []any{}, []any{}), plugin.Caller{ProjectID: "a"}, false, true},
		{"stranger, private network", "networks", net("a", []any{}, []any{}), plugin.Caller{ProjectID: "c"}, false, false},
		{"target of a share", "networks", net("a", []any{"b"}, []any{}), plugin.Caller{ProjectID: "b"}, true, true},
		{"owner of a network shared with b", "networks", net("a", []any{"b"}, []any{}), plugin.Caller{ProjectID: "a"}, false, true},
		{"stranger, shared with b", "networks", net("a", []any{"b"}, []any{}), plugin.Caller{ProjectID: "c"}, false, false},
		{"anyone, wildcard share", "networks", net("a", []any{"*"}, []any{}), plugin.Caller{ProjectID: "c"}, true, true},
		{"admin, shared with b", "networks", net("a", []any{"b"}, []any{}), plugin.Caller{ProjectID: "x", IsAdmin: true}, false, true},
		{"target of access_as_external", "networks", net("a", []any{}, []any{"b"}, "router:external"), plugin.Caller{ProjectID: "b"}, false, true},
		{"stranger, external to b only", "networks", net("a", []any{}, []any{"b"}, "router:external"), plugin.Caller{ProjectID: "c"}, false, false},
		{"anyone, external to all", "networks", net("a", []any{}, []any{"*"}, "router:external"), plugin.Caller{ProjectID: "c"}, false, true},
		{"legacy shared flag", "networks", db.Doc{"tenant_id": "a", "shared": true}, plugin.Caller{ProjectID: "c"}, true, true},
		{"legacy external flag", "networks", db.Doc{"tenant_id": "a", "router:external": true}, plugin.Caller{ProjectID: "c"}, false, true},
		{"group shared with b", "security_groups", db.Doc{"tenant_id": "a", resource.RBACShared: []any{"b"}}, plugin.Caller{ProjectID: "b"}, true, true},
		{"group, stranger", "security_groups", db.Doc{"tenant_id": "a", resource.RBACShared: []any{"b"}}, plugin.Caller{ProjectID: "c"}, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := plugin.Copy(c.doc)
			shown := c.caller.View(c.collection, d)
			if shown != c.shown || d["shared"] != c.shared {
				t.Errorf("shown %v shared %v, want %v %v", shown, d["shared"], c.shown, c.shared)
			}
		})
	}
	// A collection RBAC does not name is left alone.
	d := db.Doc{"tenant_id": "a"}
	if !(&plugin.Caller{ProjectID: "c"}).View("routers", d) || d["shared"] != nil {
		t.Errorf("a router was viewed: %v", d)
	}
}

// env is a database with the core collections, the RBAC collection and its hooks.
type env struct {
	t    *testing.T
	db   *db.DB
	cols map[string]plugin.Collection
}

func newEnv(t *testing.T) *env {
	cat := resource.MustCatalog(append(builtin.Resources(), Policies)...)
	e := &env{t: t, db: plugintest.OpenDB(t, cat), cols: map[string]plugin.Collection{Policies.Collection: Collection{}}}
	hooks := Service().Hooks
	for _, c := range core.New(core.DefaultSettings()).Collections() {
		if h, ok := hooks[c.Resource().Collection]; ok {
			c = plugin.Hooked(c, h)
		}
		e.cols[c.Resource().Collection] = c
	}
	return e
}

func caller(project string, admin bool) *plugin.Caller {
	return &plugin.Caller{ProjectID: project, IsAdmin: admin, RequestID: "req-test"}
}

// create parses and creates a document as the API would, for caller c.
func (e *env) create(c *plugin.Caller, collection string, body map[string]any) (db.Doc, error) {
	col := e.cols[collection]
	p, err := col.Resource().ParseCreate(body)
	if err != nil {
		return nil, err
	}
	if p["tenant_id"] == nil {
		p["tenant_id"], p["project_id"] = c.ProjectID, c.ProjectID
	}
	var out db.Doc
	err = e.db.Write(context.Background(), func(tx *db.Tx) error {
		out, err = col.Create(context.Background(), tx, c, p)
		return err
	})
	return out, err
}

func (e *env) get(collection, id string) db.Doc {
	var d db.Doc
	err := e.db.Read(context.Background(), func(tx *db.Tx) error {
		var err error
		d, err = tx.Get(context.Background(), collection, id)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func (e *env) remove(c *plugin.Caller, collection, id string) error {
	return e.db.Write(context.Background(), func(tx *db.Tx) error {
		cur, err := tx.Get(context.Background(), collection, id)
		if err != nil {
			return err
		}
		return e.cols[collection].Delete(context.Background(), tx, c, cur)
	})
}

// TestPolicies: creating policies, table-driven, and what they do to the network they name.
func TestPolicies(t *testing.T) {
	e := newEnv(t)
	owner, other, admin := caller("a", false), caller("b", false), caller("admin", true)
	net, err := e.create(owner, "networks", map[string]any{"name": "n"})
	if err != nil {
		t.Fatal(err)
	}
	id := plugin.Str(net, "id")
	rev, _ := model.Int(net["revision_number"])
	body := func(typ, action, target string) map[string]any {
		return map[string]any{"object_type": typ, "object_id": id, "action": action, "target_tenant": target}
	}
	for _, c := range []struct {
		name   string
		caller *plugin.Caller
		body   map[string]any
		status int
		typ    string
	}{
		{"owner shares with b", owner, body("network", Shared, "b"), 0, ""},
		{"the same again", owner, body("network", Shared, "b"), http.StatusConflict, "DuplicateRbacPolicy"},
		{"type spelled loosely", owner, body(" Network ", Shared, "c"), 0, ""},
		{"an action networks do not take", owner, body("network", "access_as_owner", "d"), http.StatusBadRequest, "InvalidActionForType"},
		{"a type nothing serves", owner, body("router", Shared, "d"), http.StatusBadRequest, "InvalidInput"},
		{"b names a network it cannot see", other, body("network", Shared, "d"), http.StatusNotFound, "NetworkNotFound"},
		{"admin makes it external to b", admin, body("network", External, "b"), 0, ""},
		{"a group that does not exist", admin, map[string]any{"object_type": "security_group", "object_id": "6bdbd3b6-1a14-4c5e-9d0b-0b4a4b6f0c1d", "action": Shared, "target_tenant": "b"}, http.StatusNotFound, "SecurityGroupNotFound"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.create(c.caller, Policies.Collection, c.body)
			if c.status == 0 {
				if err != nil {
					t.Fatalf("create: %v", err)
				}
				return
			}
			plugintest.WantFault(t, c.name, err, c.status, c.typ)
		})
	}
	got := e.get("networks", id)
	if s := plugin.SharedTargets(got); !slices.Equal(s, []string{"b", "c"}) {
		t.Errorf("shared targets %v, want [b c]", s)
	}
	if x := plugin.ExternalTargets(got); !slices.Equal(x, []string{"b"}) || !plugin.Bool(got, "router:external") || plugin.Bool(got, "shared") {
		t.Errorf("external targets %v router:external %v shared %v; want [b], true, false", x, got["router:external"], got["shared"])
	}
	if r, _ := model.Int(got["revision_number"]); r != rev+3 {
		t.Errorf("revision %d, want %d (one per policy)", r, rev+3)
	}
	// Deleting the network deletes its policies.
	if err := e.remove(admin, "networks", id); err != nil {
		t.Fatal(err)
	}
	err = e.db.Read(context.Background(), func(tx *db.Tx) error {
		left, err := entriesOf(context.Background(), tx, id)
		if err == nil && len(left) != 0 {
			t.Errorf("%d policies outlived their network", len(left))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSharedFlag: shared=True on create is a wildcard policy of the owner, and
// shared=False removes it.
func TestSharedFlag(t *testing.T) {
	e := newEnv(t)
	admin := caller("admin", true)
	net, err := e.create(admin, "networks", map[string]any{"name": "wide", "shared": true, "router:external": true})
	if err != nil {
		t.Fatal(err)
	}
	id := plugin.Str(net, "id")
	var entries []db.Doc
	err = e.db.Read(context.Background(), func(tx *db.Tx) error {
		entries, err = entriesOf(context.Background(), tx, id)
		return err
	})
	if err != nil || len(entries) != 2 || !has(entries, Shared, "*") || !has(entries, External, "*") {
		t.Fatalf("policies of a shared external network: %v, %v; want the two wildcards", entries, err)
	}
	if plugin.Str(entries[0], "tenant_id") != "admin" {
		t.Errorf("wildcard policy owned by %q, want the network's project", plugin.Str(entries[0], "tenant_id"))
	}
}

// TestGroupShareInUse: the share of a security group cannot be deleted while a port of the
// project it names uses the group (RbacPolicyInUse), and the check reads the ports using the
// group through the key index, not the 40 other ports; a share nothing uses goes.
func TestGroupShareInUse(t *testing.T) {
	e := newEnv(t)
	owner, admin := caller("a", false), caller("admin", true)
	net, err := e.create(owner, "networks", map[string]any{"name": "n"})
	if err != nil {
		t.Fatal(err)
	}
	const others = 40
	for range others {
		if _, err := e.create(owner, "ports", map[string]any{"network_id": net["id"]}); err != nil {
			t.Fatal(err)
		}
	}
	share := func(group db.Doc, target string) string {
		p, err := e.create(owner, Policies.Collection, map[string]any{"object_type": "security_group",
			"object_id": group["id"], "action": Shared, "target_tenant": target})
		if err != nil {
			t.Fatal(err)
		}
		return plugin.Str(p, "id")
	}
	used, err := e.create(owner, "security_groups", map[string]any{"name": "used"})
	if err != nil {
		t.Fatal(err)
	}
	unused, err := e.create(owner, "security_groups", map[string]any{"name": "unused"})
	if err != nil {
		t.Fatal(err)
	}
	usedShare, unusedShare := share(used, "b"), share(unused, "b")
	if _, err := e.create(admin, "ports", map[string]any{"network_id": net["id"], "tenant_id": "b",
		"security_groups": []any{used["id"]}}); err != nil {
		t.Fatal(err)
	}
	before := db.DocCacheReport()
	err = e.remove(owner, Policies.Collection, usedShare)
	after := db.DocCacheReport()
	plugintest.WantFault(t, "the share of a group in use", err, http.StatusConflict, "RbacPolicyInUse")
	if n := after.Hits + after.Misses - before.Hits - before.Misses; n >= others {
		t.Errorf("the in-use check read %d documents", n)
	}
	if err := e.remove(owner, Policies.Collection, unusedShare); err != nil {
		t.Errorf("the share of a group nothing uses: %v", err)
	}
}
