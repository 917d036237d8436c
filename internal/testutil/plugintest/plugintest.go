// Package plugintest drives the core and L3 plugins directly, without HTTP: a real SQLite
// database under t.TempDir(), the plugins' collections, and calls that parse a body the way
// the API does (defaults, converters, the owner) before handing it to the plugin inside one
// write transaction with a journal recorder. It is for the plugins' own package tests; the
// API's behaviour is tested through the API.
package plugintest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"github.com/midonet-go/midonet/internal/plugin/core"
	"github.com/midonet-go/midonet/internal/plugin/l3"
)

// Env is one database with the core and L3 plugins over it.
type Env struct {
	T      *testing.T
	DB     *db.DB
	Core   *core.Plugin
	L3     *l3.Plugin
	Caller *plugin.Caller // an admin of project "p1"
	cols   map[string]plugin.Collection
	// Changes are the journal changes of the last call.
	Changes []journal.Change
}

// OpenDB opens a fresh, migrated SQLite database under t.TempDir() that knows the given
// collections (nil: the default catalogue), closed when the test ends.
func OpenDB(t *testing.T, kinds db.Kinds) *db.DB {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:///"+filepath.Join(t.TempDir(), "neutron.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if kinds == nil {
		kinds = builtin.Catalog()
	}
	d.Kinds = kinds
	if _, err := d.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

// New opens a fresh database and builds the plugins with their default settings.
func New(t *testing.T) *Env {
	t.Helper()
	d := OpenDB(t, nil)
	c := core.New(core.DefaultSettings())
	l := l3.New(l3.Settings{MaxRoutes: 30, EnableSNATByDefault: true}, c)
	e := &Env{T: t, DB: d, Core: c, L3: l, Caller: &plugin.Caller{ProjectID: "p1", IsAdmin: true, RequestID: "req-test", Catalog: builtin.Catalog()},
		cols: map[string]plugin.Collection{}}
	for _, col := range append(c.Collections(), l.Collections()...) {
		e.cols[col.Resource().Collection] = col
	}
	return e
}

// Register adds a service's collections to the environment (a service folder's tests drive
// its own collections beside the core's).
func (e *Env) Register(cols ...plugin.Collection) {
	for _, col := range cols {
		e.cols[col.Resource().Collection] = col
	}
}

// write runs fn in one write transaction and records its journal changes.
func (e *Env) write(fn func(ctx context.Context, tx *db.Tx) error) error {
	ctx := context.Background()
	rec := &journal.Recorder{WriteTasks: true}
	err := e.DB.Write(ctx, func(tx *db.Tx) error {
		rec.Reset()
		journal.Attach(tx, rec)
		return fn(ctx, tx)
	})
	e.Changes = rec.Changes()
	return err
}

// Create parses body as the API does (project p1 unless it names one) and creates it.
func (e *Env) Create(collection string, body map[string]any) (db.Doc, error) {
	col := e.cols[collection]
	p, err := col.Resource().ParseCreate(body)
	if err != nil {
		return nil, err
	}
	if p["tenant_id"] == nil {
		p["tenant_id"] = e.Caller.ProjectID
	}
	p["project_id"] = p["tenant_id"]
	var out db.Doc
	err = e.write(func(ctx context.Context, tx *db.Tx) error {
		var err error
		out, err = col.Create(ctx, tx, e.Caller, p)
		return err
	})
	return out, err
}

// MustCreate is Create that fails the test on an error.
func (e *Env) MustCreate(collection string, body map[string]any) db.Doc {
	e.T.Helper()
	d, err := e.Create(collection, body)
	if err != nil {
		e.T.Fatalf("create %s %v: %v", collection, body, err)
	}
	return d
}

// Get reads one stored document (nil when there is none).
func (e *Env) Get(collection, id string) db.Doc {
	e.T.Helper()
	var d db.Doc
	err := e.DB.Read(context.Background(), func(tx *db.Tx) error {
		var err error
		d, err = tx.Get(context.Background(), collection, id)
		return err
	})
	if err != nil {
		e.T.Fatal(err)
	}
	return d
}

// Update parses changes as the API does and updates the stored document id.
func (e *Env) Update(collection, id string, changes map[string]any) (db.Doc, error) {
	col := e.cols[collection]
	p, err := col.Resource().ParseUpdate(changes)
	if err != nil {
		return nil, err
	}
	var out db.Doc
	err = e.write(func(ctx context.Context, tx *db.Tx) error {
		cur, err := tx.Get(ctx, collection, id)
		if err != nil {
			return err
		}
		out, err = col.Update(ctx, tx, e.Caller, cur, p)
		return err
	})
	return out, err
}

// Delete deletes the stored document id.
func (e *Env) Delete(collection, id string) error {
	col := e.cols[collection]
	return e.write(func(ctx context.Context, tx *db.Tx) error {
		cur, err := tx.Get(ctx, collection, id)
		if err != nil {
			return err
		}
		return col.Delete(ctx, tx, e.Caller, cur)
	})
}

// Action runs a member action (add_router_interface, …) on the stored document id.
func (e *Env) Action(collection, id, action string, body map[string]any) (any, error) {
	a, ok := plugin.As[plugin.Actioner](e.cols[collection])
	if !ok {
		e.T.Fatalf("%s has no actions", collection)
	}
	var out any
	err := e.write(func(ctx context.Context, tx *db.Tx) error {
		cur, err := tx.Get(ctx, collection, id)
		if err != nil {
			return err
		}
		out, err = a.Action(ctx, tx, e.Caller, cur, action, body)
		return err
	})
	return out, err
}

// Journaled finds the change of one resource among the last call's changes.
func (e *Env) Journaled(dataType, id string) (journal.Change, bool) {
	for _, ch := range e.Changes {
		if ch.DataType == dataType && ch.ResourceID == id {
			return ch, true
		}
	}
	return journal.Change{}, false
}

// WantFault reports (t.Errorf) unless err is the Neutron fault status and type.
func WantFault(t *testing.T, what string, err error, status int, typ string) {
	t.Helper()
	if f, ok := fault.As(err); !ok || f.Status != status || f.Type != typ {
		t.Errorf("%s: got %v, want %d %s", what, err, status, typ)
	}
}
