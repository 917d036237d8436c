package stored_test

import (
	"context"
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

// widgets and their gadgets: a parent with standard attributes and a child listed by parent.
var (
	widgets = &resource.Resource{Collection: "widgets", Member: "widget", Path: "widgets", DataType: "WIDGET",
		Attrs: append(resource.StandardAttrs(),
			&resource.Attr{Name: "name", Post: true, Put: true, Validate: resource.String(8), Default: ""})}
	gadgets = &resource.Resource{Collection: "gadgets", Member: "gadget", Path: "gadgets", DataType: "GADGET",
		Parent: &resource.Parent{Attr: "widget_id", Collection: "widgets"},
		Attrs: []*resource.Attr{
			{Name: "id", Validate: resource.UUID},
			{Name: "tenant_id", Post: true, Validate: resource.String(255)},
			{Name: "project_id", Post: true, Validate: resource.String(255)},
			{Name: "widget_id", Post: true, Required: true, Validate: resource.UUID},
			{Name: "size", Post: true, Put: true, Convert: resource.ToInt, Default: 1},
			{Name: "secret", Hidden: true},
		}}
)

var errTooBig = fault.BadRequestOf("gadget", "too big")

func setup(t *testing.T) *plugintest.Env {
	t.Helper()
	cat, err := resource.NewCatalog(append(builtin.Resources(), widgets, gadgets)...)
	if err != nil {
		t.Fatal(err)
	}
	e := plugintest.New(t)
	e.DB.Kinds = cat
	tooBig := func(d db.Doc) error {
		if n, _ := model.Int(d["size"]); n > 9 {
			return errTooBig
		}
		return nil
	}
	e.Register(
		stored.Collection{Res: widgets, Standard: true, Children: []string{gadgets.Collection}},
		stored.Collection{Res: gadgets, ParentQuery: "widget_id",
			Prepare: func(_ context.Context, _ *db.Tx, _ *plugin.Caller, d db.Doc) error { return tooBig(d) },
			Check:   func(_ context.Context, _ *db.Tx, _ *plugin.Caller, _, _, d db.Doc) error { return tooBig(d) }},
	)
	return e
}

func list(t *testing.T, e *plugintest.Env, col stored.Collection, f map[string][]string) []string {
	t.Helper()
	var ids []string
	err := e.DB.Read(context.Background(), func(tx *db.Tx) error {
		docs, err := col.List(context.Background(), tx, e.Caller, f)
		for _, d := range docs {
			ids = append(ids, plugin.Str(d, "id"))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	return ids
}

// TestCollection: a create gets an id (and the standard attributes when asked) and is
// journaled; a refused create or update stores nothing; updates bump the revision only of
// standard resources; lists narrow by project and parent; a delete takes the children.
func TestCollection(t *testing.T) {
	e := setup(t)
	w := e.MustCreate("widgets", map[string]any{"name": "w"})
	if plugin.Str(w, "id") == "" || w["revision_number"] != 0 || plugin.Str(w, "created_at") == "" || w["tags"] == nil {
		t.Fatalf("created widget without its standard attributes: %v", w)
	}
	if ch, ok := e.Journaled("WIDGET", plugin.Str(w, "id")); !ok || ch.Type != journal.Create {
		t.Errorf("widget create journaled as %+v", e.Changes)
	}
	other := e.MustCreate("widgets", map[string]any{"name": "o", "tenant_id": "p2"})
	g := e.MustCreate("gadgets", map[string]any{"widget_id": w["id"], "size": 3})
	if _, ok := g["created_at"]; ok {
		t.Errorf("a non-standard resource got timestamps: %v", g)
	}
	g2 := e.MustCreate("gadgets", map[string]any{"widget_id": other["id"], "tenant_id": "p2"})

	_, err := e.Create("gadgets", map[string]any{"widget_id": w["id"], "size": 10})
	plugintest.WantFault(t, "create refused by Prepare", err, 400, "BadRequest")
	if len(e.Changes) != 0 {
		t.Errorf("a refused create journaled %+v", e.Changes)
	}

	tests := []struct {
		name    string
		col     stored.Collection
		f       map[string][]string
		wantIDs []any
	}{
		{"all widgets", stored.Collection{Res: widgets}, nil, []any{w["id"], other["id"]}},
		{"one project by tenant_id", stored.Collection{Res: widgets}, map[string][]string{"tenant_id": {"p2"}}, []any{other["id"]}},
		{"one project by project_id", stored.Collection{Res: widgets}, map[string][]string{"project_id": {"p1"}}, []any{w["id"]}},
		{"two projects: no narrowing", stored.Collection{Res: widgets}, map[string][]string{"tenant_id": {"p1", "p2"}}, []any{w["id"], other["id"]}},
		{"unscoped ignores the project", stored.Collection{Res: widgets, Unscoped: true}, map[string][]string{"tenant_id": {"p2"}}, []any{w["id"], other["id"]}},
		{"one parent", stored.Collection{Res: gadgets, ParentQuery: "widget_id"}, map[string][]string{"widget_id": {plugin.Str(w, "id")}}, []any{g["id"]}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for _, id := range tc.wantIDs {
				want = append(want, id.(string))
			}
			slices.Sort(want)
			if got := list(t, e, tc.col, tc.f); !slices.Equal(got, want) {
				t.Errorf("listed %v, want %v", got, want)
			}
		})
	}

	u, err := e.Update("widgets", plugin.Str(w, "id"), map[string]any{"name": "w2"})
	if err != nil || u["revision_number"] != 1 || u["name"] != "w2" {
		t.Fatalf("widget update = %v, %v; want name w2 at revision 1", u, err)
	}
	gu, err := e.Update("gadgets", plugin.Str(g, "id"), map[string]any{"size": 4})
	if err != nil || gu["size"] != 4 || gu["revision_number"] != nil {
		t.Fatalf("gadget update = %v, %v; want size 4 and no revision", gu, err)
	}
	_, err = e.Update("gadgets", plugin.Str(g, "id"), map[string]any{"size": 12})
	plugintest.WantFault(t, "update refused by Check", err, 400, "BadRequest")
	if n, _ := model.Int(e.Get("gadgets", plugin.Str(g, "id"))["size"]); n != 4 {
		t.Errorf("a refused update stored size %v", n)
	}

	if err := e.Delete("widgets", plugin.Str(w, "id")); err != nil {
		t.Fatal(err)
	}
	if e.Get("widgets", plugin.Str(w, "id")) != nil || e.Get("gadgets", plugin.Str(g, "id")) != nil {
		t.Error("the widget or its gadget survived the widget's delete")
	}
	if ch, ok := e.Journaled("GADGET", plugin.Str(g, "id")); !ok || ch.Type != journal.Delete {
		t.Errorf("the gadget's delete was not journaled: %+v", e.Changes)
	}
	if e.Get("gadgets", plugin.Str(g2, "id")) == nil {
		t.Error("another widget's gadget went too")
	}
}

// TestVisible: hidden attributes stay out of what Visible shows.
func TestVisible(t *testing.T) {
	got := stored.Visible(gadgets, db.Doc{"id": "x", "size": 2, "secret": "s", "unknown": 1})
	if len(got) != 2 || got["id"] != "x" || got["size"] != 2 {
		t.Errorf("Visible = %v, want id and size only", got)
	}
}

// TestFrozen: an update of a frozen collection answers the document and writes nothing.
func TestFrozen(t *testing.T) {
	e := setup(t)
	e.Register(stored.Collection{Res: widgets, Frozen: true})
	w := e.MustCreate("widgets", map[string]any{"name": "w"})
	u, err := e.Update("widgets", plugin.Str(w, "id"), map[string]any{})
	if err != nil || u["revision_number"] != w["revision_number"] {
		t.Fatalf("frozen update = %v, %v", u, err)
	}
	if len(e.Changes) != 0 {
		t.Errorf("a frozen update journaled %+v", e.Changes)
	}
}

// TestStampUntagged: standard attributes but tags, the project from the tenant.
func TestStampUntagged(t *testing.T) {
	d := db.Doc{"tenant_id": "p1"}
	stored.StampUntagged(d)
	if _, tagged := d["tags"]; tagged || d["project_id"] != "p1" || d["revision_number"] != 0 || plugin.Str(d, "id") == "" || plugin.Str(d, "created_at") == "" {
		t.Errorf("StampUntagged = %v", d)
	}
}

// TestUnjournaled: the writes of an unjournaled collection store and delete without a task.
func TestUnjournaled(t *testing.T) {
	e := setup(t)
	e.Register(stored.Collection{Res: widgets, Unjournaled: true})
	w := e.MustCreate("widgets", map[string]any{"name": "w"})
	if len(e.Changes) != 0 {
		t.Errorf("an unjournaled create journaled %+v", e.Changes)
	}
	if _, err := e.Update("widgets", plugin.Str(w, "id"), map[string]any{"name": "v"}); err != nil {
		t.Fatal(err)
	}
	if got := e.Get("widgets", plugin.Str(w, "id")); got["name"] != "v" {
		t.Errorf("stored %v", got)
	}
	if err := e.Delete("widgets", plugin.Str(w, "id")); err != nil {
		t.Fatal(err)
	}
	if e.Get("widgets", plugin.Str(w, "id")) != nil {
		t.Error("the widget survived its delete")
	}
	if len(e.Changes) != 0 {
		t.Errorf("unjournaled writes journaled %+v", e.Changes)
	}
}

// TestWhere: Where finds the documents naming a value in any project; RemoveWhere removes
// and journals exactly those.
func TestWhere(t *testing.T) {
	e := setup(t)
	w1 := e.MustCreate("widgets", map[string]any{"name": "a"})
	w2 := e.MustCreate("widgets", map[string]any{"name": "b", "tenant_id": "p2"})
	g1 := e.MustCreate("gadgets", map[string]any{"widget_id": w1["id"]})
	g2 := e.MustCreate("gadgets", map[string]any{"widget_id": w2["id"], "tenant_id": "p2"})
	err := e.DB.Write(context.Background(), func(tx *db.Tx) error {
		found, err := stored.Where(context.Background(), tx, "gadgets", "widget_id", plugin.Str(w2, "id"))
		if err != nil {
			return err
		}
		if len(found) != 1 || plugin.Str(found[0], "id") != plugin.Str(g2, "id") {
			t.Errorf("Where found %v, want %s", found, g2["id"])
		}
		return stored.RemoveWhere(context.Background(), tx, e.Caller, "gadgets", "widget_id", plugin.Str(w2, "id"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if e.Get("gadgets", plugin.Str(g2, "id")) != nil || e.Get("gadgets", plugin.Str(g1, "id")) == nil {
		t.Error("RemoveWhere removed the wrong gadgets")
	}
}

// TestInUse: a widget a gadget names cannot go (the refusal's fault, nothing removed); once
// the gadget is gone it can.
func TestInUse(t *testing.T) {
	e := setup(t)
	e.Register(stored.Collection{Res: widgets, Refuse: stored.InUse("gadgets", "widget_id", func(id string) *fault.Fault {
		return fault.Conflict("WidgetInUse", "Widget %s is in use.", id)
	})})
	w := e.MustCreate("widgets", map[string]any{"name": "w"})
	g := e.MustCreate("gadgets", map[string]any{"widget_id": w["id"]})
	plugintest.WantFault(t, "delete of a widget in use", e.Delete("widgets", plugin.Str(w, "id")), 409, "WidgetInUse")
	if e.Get("widgets", plugin.Str(w, "id")) == nil {
		t.Fatal("the refused delete removed the widget")
	}
	if err := e.Delete("gadgets", plugin.Str(g, "id")); err != nil {
		t.Fatal(err)
	}
	if err := e.Delete("widgets", plugin.Str(w, "id")); err != nil {
		t.Errorf("delete of an unused widget: %v", err)
	}
}
