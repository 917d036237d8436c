package fwaas

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"github.com/midonet-go/midonet/internal/plugin/core"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

// TestGroupsHoldingAPort: a port's delete takes it out of the firewall group holding it, and
// a group cannot take a port another group holds (FirewallGroupPortInUse); both find that
// group through the key rows of the groups' ports, reading fewer documents than the 40
// other groups.
func TestGroupsHoldingAPort(t *testing.T) {
	ctx := context.Background()
	d := plugintest.OpenDB(t, resource.MustCatalog(append(builtin.Resources(), Service().Resources...)...))
	cols := map[string]plugin.Collection{Groups.Collection: GroupCollection{}}
	for _, c := range core.New(core.DefaultSettings()).Collections() {
		if c.Resource().Collection == "ports" {
			c = plugin.Hooked(c, portHook{})
		}
		cols[c.Resource().Collection] = c
	}
	caller := &plugin.Caller{ProjectID: "p", IsAdmin: true, RequestID: "req-test"}
	create := func(collection string, body map[string]any) (db.Doc, error) {
		p, err := cols[collection].Resource().ParseCreate(body)
		if err != nil {
			return nil, err
		}
		p["tenant_id"], p["project_id"] = "p", "p"
		var out db.Doc
		err = d.Write(ctx, func(tx *db.Tx) error {
			out, err = cols[collection].Create(ctx, tx, caller, p)
			return err
		})
		return out, err
	}
	must := func(collection string, body map[string]any) db.Doc {
		t.Helper()
		out, err := create(collection, body)
		if err != nil {
			t.Fatalf("create %s: %v", collection, err)
		}
		return out
	}
	net := must("networks", map[string]any{"name": "n"})
	vm := func() string {
		return plugin.Str(must("ports", map[string]any{"network_id": net["id"], "device_owner": "compute:nova"}), "id")
	}
	const others = 40
	for range others {
		must(Groups.Collection, map[string]any{"ports": []any{vm()}})
	}
	held, other := vm(), vm()
	group := must(Groups.Collection, map[string]any{"ports": []any{held, other}})
	count := func(f func()) int64 {
		before := db.DocCacheReport()
		f()
		after := db.DocCacheReport()
		return after.Hits + after.Misses - before.Hits - before.Misses
	}
	var err error
	if n := count(func() { _, err = create(Groups.Collection, map[string]any{"ports": []any{held}}) }); n >= others {
		t.Errorf("a group on a held port read %d documents", n)
	}
	plugintest.WantFault(t, "a group on a held port", err, http.StatusConflict, "FirewallGroupPortInUse")
	n := count(func() {
		err = d.Write(ctx, func(tx *db.Tx) error {
			cur, err := tx.Get(ctx, "ports", held)
			if err != nil {
				return err
			}
			return cols["ports"].Delete(ctx, tx, caller, cur)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if n >= others {
		t.Errorf("a held port's delete read %d documents", n)
	}
	err = d.Read(ctx, func(tx *db.Tx) error {
		g, err := tx.Get(ctx, Groups.Collection, plugin.Str(group, "id"))
		if err == nil && !slices.Equal(plugin.Strings(g, "ports"), []string{other}) {
			t.Errorf("the group holds %v after the delete, want [%s]", g["ports"], other)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
