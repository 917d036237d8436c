package plugin_test

import (
	"context"
	"errors"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/testutil/plugintest"
)

// TestWrites runs each write helper in one transaction and checks the stored document, its
// revision and the journal entry it appended.
func TestWrites(t *testing.T) {
	ctx := context.Background()
	d := plugintest.OpenDB(t, resource.MustCatalog(&resource.Resource{Collection: "widgets", Member: "widget", DataType: "WIDGET"}))
	c := &plugin.Caller{ProjectID: "p1", RequestID: "req-1"}
	stored := func(tx *db.Tx, id string) db.Doc {
		t.Helper()
		doc, err := tx.Get(ctx, "widgets", id)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	revision := func(doc db.Doc) int64 {
		n, _ := model.Int(doc["revision_number"])
		return n
	}

	for _, tc := range []struct {
		name     string
		write    func(tx *db.Tx, w db.Doc) error
		typ      string
		revision int64 // of the stored document afterwards; -1: gone
	}{
		{"add", nil, journal.Create, 1},
		{"save", func(tx *db.Tx, w db.Doc) error { return plugin.Save(ctx, tx, c, "widgets", w) }, journal.Update, 2},
		{"save as is", func(tx *db.Tx, w db.Doc) error { return plugin.SaveAsIs(ctx, tx, c, "widgets", w) }, journal.Update, 1},
		{"remove", func(tx *db.Tx, w db.Doc) error { return plugin.Remove(ctx, tx, c, "widgets", w) }, journal.Delete, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &journal.Recorder{}
			err := d.Write(ctx, func(tx *db.Tx) error {
				rec.Reset()
				journal.Attach(tx, rec)
				w := db.Doc{"id": "w-" + tc.name, "tenant_id": "p1", "project_id": "p1", "name": "a"}
				plugin.Stamp(w, 1)
				if err := plugin.Add(ctx, tx, c, "widgets", w); err != nil {
					return err
				}
				if tc.write != nil {
					rec.Reset()
					w["name"] = "b"
					if err := tc.write(tx, w); err != nil {
						return err
					}
				}
				got := stored(tx, "w-"+tc.name)
				switch {
				case tc.revision < 0 && got != nil:
					t.Errorf("still stored: %v", got)
				case tc.revision >= 0 && got == nil:
					t.Errorf("not stored")
				case tc.revision >= 0 && revision(got) != tc.revision:
					t.Errorf("stored revision %d, want %d", revision(got), tc.revision)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			ch := rec.Changes()
			if len(ch) != 1 || ch[0].Type != tc.typ || ch[0].Collection != "widgets" || ch[0].ResourceID != "w-"+tc.name || ch[0].TenantID != "p1" {
				t.Fatalf("journal %+v, want one %s of widgets w-%s", ch, tc.typ, tc.name)
			}
			if (ch[0].Data == nil) != (tc.typ == journal.Delete) {
				t.Errorf("journal data %v for a %s", ch[0].Data, tc.typ)
			}
		})
	}

	t.Run("save of a vanished document", func(t *testing.T) {
		rec := &journal.Recorder{}
		var saveErr error
		if err := d.Write(ctx, func(tx *db.Tx) error {
			rec.Reset()
			journal.Attach(tx, rec)
			w := db.Doc{"id": "gone", "tenant_id": "p1", "project_id": "p1"}
			plugin.Stamp(w, 1)
			saveErr = plugin.Save(ctx, tx, c, "widgets", w)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !errors.Is(saveErr, db.ErrVanished) {
			t.Errorf("Save = %v, want db.ErrVanished", saveErr)
		}
		if ch := rec.Changes(); len(ch) != 0 {
			t.Errorf("journaled %+v for a document that is gone", ch)
		}
	})
}
