package db_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// TestGetShared reads several documents of a kind at once: those that exist, each once
// however often it is asked for, with the values Get gives; the same in a read-only and in a
// write transaction; and a document written in the write transaction as written.
func TestGetShared(t *testing.T) {
	ctx := context.Background()
	d := sqliteDB(t)
	docs := []db.Doc{
		{"id": "a", "name": "first", "qos_policy_id": "q1"},
		{"id": "b", "name": "second", "qos_policy_id": nil, "tags": []any{"x"}},
		{"id": "c", "name": "third"},
	}
	if err := d.Write(ctx, func(tx *db.Tx) error {
		for _, doc := range docs {
			if err := tx.Insert(ctx, "networks", doc); err != nil {
				return err
			}
		}
		return tx.Insert(ctx, "ports", db.Doc{"id": "a", "network_id": "a"})
	}); err != nil {
		t.Fatal(err)
	}
	asStored := func(doc db.Doc) db.Doc {
		b, _ := json.Marshal(doc)
		out, err := db.DecodeDoc(b)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	ids := []string{"b", "a", "missing", "b", ""}
	want := map[string]db.Doc{"a": asStored(docs[0]), "b": asStored(docs[1])}
	for _, c := range []struct {
		name string
		run  func(func(*db.Tx) error) error
	}{
		{"read-only", func(fn func(*db.Tx) error) error { return d.Read(ctx, fn) }},
		{"write", func(fn func(*db.Tx) error) error { return d.Write(ctx, fn) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			for round := range 2 { // the second from the decoded-document cache
				var got map[string]db.Doc
				if err := c.run(func(tx *db.Tx) error {
					var err error
					got, err = tx.GetShared(ctx, "networks", ids)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("round %d: got %v, want %v", round, got, want)
				}
			}
		})
	}
	// Many ids: read in several queries.
	var many []string
	for range 1200 {
		many = append(many, "c", "zz")
	}
	if err := d.Read(ctx, func(tx *db.Tx) error {
		got, err := tx.GetShared(ctx, "networks", many)
		if err == nil && !reflect.DeepEqual(got, map[string]db.Doc{"c": asStored(docs[2])}) {
			t.Errorf("1,200 ids: got %v", got)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// A write transaction sees what it wrote.
	if err := d.Write(ctx, func(tx *db.Tx) error {
		if err := tx.Put(ctx, "networks", db.Doc{"id": "a", "name": "renamed"}); err != nil {
			return err
		}
		got, err := tx.GetShared(ctx, "networks", []string{"a"})
		if err == nil && got["a"]["name"] != "renamed" {
			t.Errorf("after a Put in the same transaction: %v", got["a"])
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
