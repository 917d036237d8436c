package db_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// TestGetWithinTransaction: a document read twice in one transaction reads the same, a change
// of the first copy does not show in the second, and a Put, Delete or Insert of the
// transaction shows in the Get after it, on every engine.
func TestGetWithinTransaction(t *testing.T) {
	engines(t, false, func(t *testing.T, url string) {
		ctx := context.Background()
		d := upgraded(t, url)
		if err := d.Write(ctx, func(tx *db.Tx) error {
			return tx.Insert(ctx, "things", db.Doc{"id": "a", "project_id": "p", "name": "one"})
		}); err != nil {
			t.Fatal(err)
		}
		name := func(tx *db.Tx, id string) any {
			t.Helper()
			doc, err := tx.Get(ctx, "things", id)
			if err != nil {
				t.Fatal(err)
			}
			if doc == nil {
				return nil
			}
			return doc["name"]
		}
		err := d.Write(ctx, func(tx *db.Tx) error {
			first, err := tx.Get(ctx, "things", "a")
			if err != nil {
				return err
			}
			first["name"] = "changed in memory"
			steps := []struct {
				what string
				do   func() error
				id   string
				want any
			}{
				{"read again", func() error { return nil }, "a", "one"},
				{"put", func() error { return tx.Put(ctx, "things", db.Doc{"id": "a", "project_id": "p", "name": "two"}) }, "a", "two"},
				{"read after put", func() error { return nil }, "a", "two"},
				{"delete", func() error { _, err := tx.Delete(ctx, "things", "a"); return err }, "a", nil},
				{"insert", func() error { return tx.Insert(ctx, "things", db.Doc{"id": "a", "project_id": "p", "name": "three"}) }, "a", "three"},
				{"missing", func() error { return nil }, "b", nil},
				{"insert missing", func() error { return tx.Insert(ctx, "things", db.Doc{"id": "b", "project_id": "p", "name": "b"}) }, "b", "b"},
			}
			for _, s := range steps {
				if err := s.do(); err != nil {
					t.Fatalf("%s: %v", s.what, err)
				}
				if got := name(tx, s.id); got != s.want {
					t.Errorf("%s: name %v, want %v", s.what, got, s.want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Read(ctx, func(tx *db.Tx) error {
			if got := name(tx, "a"); got != "three" {
				t.Errorf("after commit: name %v, want three", got)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestInsertWritesKeyRows: an inserted document of a keyed kind is found through each of its
// key rows, on every engine (PostgreSQL writes the document and its rows in one statement),
// and a second insert of its id fails without adding rows.
func TestInsertWritesKeyRows(t *testing.T) {
	engines(t, false, func(t *testing.T, url string) {
		ctx := context.Background()
		d := openKeyed(t, url)
		doc := db.Doc{"id": "i1", "project_id": "p", "network_id": "n1", "name": "x", "status": "DOWN",
			"tags":      []any{"red", "blue"},
			"fixed_ips": []any{map[string]any{"subnet_id": "s1", "ip_address": "10.0.0.5"}}}
		if err := d.Write(ctx, func(tx *db.Tx) error { return tx.Insert(ctx, "items", doc) }); err != nil {
			t.Fatal(err)
		}
		if err := d.Write(ctx, func(tx *db.Tx) error { return tx.Insert(ctx, "items", doc) }); err == nil {
			t.Fatal("second insert of i1 succeeded")
		}
		lookups := []struct{ attr, value string }{
			{"name", "x"}, {"status", "DOWN"}, {"network_id", "n1"}, {"tags", "red"}, {"tags", "blue"},
			{"fixed_ips.ip_address", "10.0.0.5"}, {"fixed_ips.subnet_id", "s1"},
		}
		err := d.Read(ctx, func(tx *db.Tx) error {
			for _, l := range lookups {
				ids, err := tx.KeyIDs(ctx, "items", l.attr, []string{l.value}, 10)
				if err != nil {
					return err
				}
				if len(ids) != 1 || ids[0] != "i1" {
					t.Errorf("%s = %s: %v, want [i1]", l.attr, l.value, ids)
				}
			}
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM resource_keys WHERE kind = ? AND id = ?", "items", "i1").Scan(&n); err != nil {
				return err
			}
			if n != 13 { // 9 sort attributes, 2 tags, 2 fixed_ips paths
				t.Errorf("%d key rows, want 13", n)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestWriteGetsShareTheDocCache: a write transaction's Get of a document it does not change
// (a port create reads its network and subnets) is served from the decoded-document cache
// once the document was decoded, and still hands out a copy of its own: a change to one
// transaction's copy shows neither in the next transaction's nor in what is stored.
func TestWriteGetsShareTheDocCache(t *testing.T) {
	engines(t, false, func(t *testing.T, url string) {
		ctx := context.Background()
		d := upgraded(t, url)
		if err := d.Write(ctx, func(tx *db.Tx) error {
			return tx.Insert(ctx, "things", db.Doc{"id": "net", "project_id": "p", "name": "net", "subnets": []any{"s1"}})
		}); err != nil {
			t.Fatal(err)
		}
		// get reads the document in a write transaction, then changes its copy.
		get := func() (name, subnet any) {
			t.Helper()
			if err := d.Write(ctx, func(tx *db.Tx) error {
				doc, err := tx.Get(ctx, "things", "net")
				if err != nil {
					return err
				}
				subnets := doc["subnets"].([]any)
				name, subnet = doc["name"], subnets[0]
				doc["name"], subnets[0] = "changed in memory", "changed too"
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return name, subnet
		}
		get()
		hits := db.DocCacheReport().Hits
		for i := range 2 {
			if name, subnet := get(); name != "net" || subnet != "s1" {
				t.Fatalf("read %d: name %v, first subnet %v; want net, s1", i, name, subnet)
			}
		}
		if got := db.DocCacheReport().Hits - hits; got < 2 {
			t.Errorf("two write transactions' Gets of an unchanged document hit the cache %d times, want 2", got)
		}
	})
}

// TestPeekSharesOneCopy: Peek, PeekForShare and PeekList hand every transaction the
// decoded-document cache's one copy of an unchanged document, where Get hands each call a
// copy of its own with the same content; a missing document is nil; a document the
// transaction wrote is read as written.
func TestPeekSharesOneCopy(t *testing.T) {
	engines(t, false, func(t *testing.T, url string) {
		ctx := context.Background()
		d := upgraded(t, url)
		if err := d.Write(ctx, func(tx *db.Tx) error {
			return tx.Insert(ctx, "things", db.Doc{"id": "net", "name": "net", "subnets": []any{"s1"}})
		}); err != nil {
			t.Fatal(err)
		}
		same := func(a, b db.Doc) bool {
			return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
		}
		var peeked []db.Doc
		for _, peek := range []func(*db.Tx, context.Context, string, string) (db.Doc, error){(*db.Tx).Peek, (*db.Tx).PeekForShare} {
			if err := d.Write(ctx, func(tx *db.Tx) error {
				for range 2 { // the second from what the transaction remembers
					p, err := peek(tx, ctx, "things", "net")
					if err != nil {
						return err
					}
					peeked = append(peeked, p)
				}
				got, err := tx.Get(ctx, "things", "net")
				if err != nil {
					return err
				}
				if same(got, peeked[0]) || !reflect.DeepEqual(got, peeked[0]) {
					t.Errorf("Get gave %v (the cache's copy: %v), want a copy of its own of %v", got, same(got, peeked[0]), peeked[0])
				}
				if missing, err := peek(tx, ctx, "things", "none"); err != nil || missing != nil {
					t.Errorf("peek of a missing document: %v, %v", missing, err)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.Read(ctx, func(tx *db.Tx) error {
			listed, err := tx.PeekList(ctx, "things", db.Filter{})
			if len(listed) == 1 {
				peeked = append(peeked, listed[0])
			} else if err == nil {
				t.Errorf("PeekList listed %v", listed)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for i, p := range peeked {
			if !same(p, peeked[0]) {
				t.Errorf("peek %d handed out another copy", i)
			}
		}
		if p := peeked[0]; p["name"] != "net" || !reflect.DeepEqual(p["subnets"], []any{"s1"}) {
			t.Errorf("peeked %v", p)
		}
		if err := d.Write(ctx, func(tx *db.Tx) error {
			if err := tx.Put(ctx, "things", db.Doc{"id": "net", "name": "renamed"}); err != nil {
				return err
			}
			p, err := tx.Peek(ctx, "things", "net")
			if err == nil && (p["name"] != "renamed" || same(p, peeked[0])) {
				t.Errorf("peek after a put in the transaction: %v", p)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	})
}
