package plugin_test

import (
	"context"
	"errors"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

var widgets = &resource.Resource{Collection: "widgets", Member: "widget", Quota: "widget"}

// TestGatedWriter: each gate refuses with its own error, the in-transaction gate before the
// write's own work, and a refused write leaves nothing behind. Open asks Before and Probe
// (the in-transaction question asked outside one); a write never asks Probe.
func TestGatedWriter(t *testing.T) {
	ctx := context.Background()
	d := plugintest.OpenDB(t, resource.MustCatalog(widgets))
	full, readOnly := errors.New("disk full"), errors.New("read-only")
	for _, tc := range []struct {
		name       string
		before, in error
		want, open error
	}{
		{"open", nil, nil, nil, nil},
		{"before refuses", full, nil, full, full},
		{"in transaction refuses", nil, readOnly, readOnly, readOnly},
		{"before wins", full, readOnly, full, full},
	} {
		t.Run(tc.name, func(t *testing.T) {
			probed := 0
			g := plugin.GatedWriter{Writer: d,
				Before: func(context.Context) error { return tc.before },
				InTx:   func(context.Context, *db.Tx) error { return tc.in },
				Probe:  func(context.Context) error { probed++; return tc.in }}
			ran := false
			id := plugin.NewID()
			err := g.Write(ctx, func(tx *db.Tx) error {
				ran = true
				return tx.Insert(ctx, "widgets", db.Doc{"id": id, "tenant_id": "p"})
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Write = %v, want %v", err, tc.want)
			}
			if ran != (tc.want == nil) {
				t.Errorf("the write ran: %v, want %v", ran, tc.want == nil)
			}
			if probed != 0 {
				t.Errorf("Write asked Probe %d times, want 0 (InTx asks)", probed)
			}
			if got := g.Open(ctx); !errors.Is(got, tc.open) {
				t.Errorf("Open = %v, want %v", got, tc.open)
			}
			var stored db.Doc
			_ = d.Read(ctx, func(tx *db.Tx) error { stored, err = tx.Get(ctx, "widgets", id); return err })
			if (stored != nil) != (tc.want == nil) {
				t.Errorf("stored %v after Write = %v", stored, err)
			}
		})
	}
}

// fakeQuotas allows limit creates per project (an in-memory fake: the quota plugin's own
// tests use the real one).
type fakeQuotas struct {
	plugin.Quotas
	limit, used int
	checked     []string
}

func (q *fakeQuotas) CheckCreate(_ context.Context, _ *db.Tx, project string, res *resource.Resource) error {
	q.checked = append(q.checked, project+"/"+res.Quota)
	if q.used >= q.limit {
		return fault.OverQuota(res.Quota)
	}
	q.used++
	return nil
}

// widgetCollection records creates and has an action, to see capabilities through the wrapper.
type widgetCollection struct {
	plugin.Collection
	res     *resource.Resource
	created int
}

func (w *widgetCollection) Resource() *resource.Resource { return w.res }
func (w *widgetCollection) Create(context.Context, *db.Tx, *plugin.Caller, db.Doc) (db.Doc, error) {
	w.created++
	return db.Doc{}, nil
}
func (w *widgetCollection) Action(context.Context, *db.Tx, *plugin.Caller, db.Doc, string, map[string]any) (any, error) {
	return "acted", nil
}
func (w *widgetCollection) ActionMethod(string) string { return "PUT" }

func TestQuotaEnforced(t *testing.T) {
	ctx := context.Background()
	q := &fakeQuotas{limit: 2}
	inner := &widgetCollection{res: widgets}
	c := plugin.QuotaEnforced(inner, q)
	var errs []error
	for range 3 {
		_, err := c.Create(ctx, nil, &plugin.Caller{}, db.Doc{"tenant_id": "p1"})
		errs = append(errs, err)
	}
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("creates within the quota failed: %v", errs)
	}
	if f, ok := fault.As(errs[2]); !ok || f.Type != "OverQuota" || f.Status != 409 {
		t.Fatalf("third create = %v, want 409 OverQuota", errs[2])
	}
	if inner.created != 2 {
		t.Errorf("the plugin created %d, want 2 (the refused create must not reach it)", inner.created)
	}
	if len(q.checked) != 3 || q.checked[0] != "p1/widget" {
		t.Errorf("checks %v, want three for p1/widget", q.checked)
	}
	if a, ok := plugin.As[plugin.Actioner](c); !ok || a.ActionMethod("x") != "PUT" {
		t.Error("the wrapped collection's Actioner is not found through the decorator")
	}
	if _, ok := plugin.As[plugin.Getter](c); ok {
		t.Error("a capability the collection lacks was found")
	}
	unquoted := &widgetCollection{res: &resource.Resource{Collection: "things", Member: "thing"}}
	if plugin.QuotaEnforced(unquoted, q) != plugin.Collection(unquoted) {
		t.Error("a collection without a quota name was wrapped")
	}
}

// actionWidgets is a collection with one action, "poke".
type actionWidgets struct{ plugin.ReadOnly }

func (actionWidgets) Resource() *resource.Resource { return widgets }
func (actionWidgets) List(context.Context, *db.Tx, *plugin.Caller, map[string][]string) ([]db.Doc, error) {
	return nil, nil
}
func (actionWidgets) ActionMethod(a string) string {
	if a == "poke" {
		return "PUT"
	}
	return ""
}
func (actionWidgets) Action(context.Context, *db.Tx, *plugin.Caller, db.Doc, string, map[string]any) (any, error) {
	return "poked", nil
}

// refusing is a hook whose action check refuses "poke" with {"no": true}.
type refusing struct{ plugin.NoHook }

func (refusing) BeforeAction(_ context.Context, _ *db.Tx, _ *plugin.Caller, _ db.Doc, action string, body map[string]any) error {
	if action == "poke" && body["no"] == true {
		return fault.Conflict("Refused", "no")
	}
	return nil
}

// TestHookedActions: a hook with BeforeAction checks the wrapped collection's actions (found
// with As through the quota decorator too); a plain hook leaves them alone; a collection
// without actions stays without them.
func TestHookedActions(t *testing.T) {
	ctx := context.Background()
	c := plugin.QuotaEnforced(plugin.Hooked(actionWidgets{}, refusing{}), nil)
	a, ok := plugin.As[plugin.Actioner](c)
	if !ok || a.ActionMethod("poke") != "PUT" {
		t.Fatalf("the hooked collection lost its actions: %v", ok)
	}
	if out, err := a.Action(ctx, nil, nil, db.Doc{}, "poke", map[string]any{}); err != nil || out != "poked" {
		t.Errorf("allowed action = %v, %v", out, err)
	}
	if _, err := a.Action(ctx, nil, nil, db.Doc{}, "poke", map[string]any{"no": true}); !fault.IsType(err, "Refused") {
		t.Errorf("refused action = %v, want the hook's 409", err)
	}
	plain, _ := plugin.As[plugin.Actioner](plugin.Hooked(actionWidgets{}, plugin.NoHook{}))
	if _, err := plain.Action(ctx, nil, nil, db.Doc{}, "poke", map[string]any{"no": true}); err != nil {
		t.Errorf("a hook without BeforeAction checked the action: %v", err)
	}
	if _, ok := plugin.As[plugin.Actioner](plugin.Hooked(plugin.Collection(struct {
		plugin.ReadOnly
		listOnly
	}{}), refusing{})); ok {
		t.Error("a collection without actions gained them from the hook")
	}
}

type listOnly struct{}

func (listOnly) Resource() *resource.Resource { return widgets }
func (listOnly) List(context.Context, *db.Tx, *plugin.Caller, map[string][]string) ([]db.Doc, error) {
	return nil, nil
}
