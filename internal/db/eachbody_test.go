package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// TestEachBody: EachBody hands out every document of the kind asked, with the bytes it was
// stored as (json.Marshal's encoding of the document, what the cluster's copies are compared
// with), and stops at the first error of its callback.
func TestEachBody(t *testing.T) {
	ctx := context.Background()
	d := sqliteDB(t)
	docs := []db.Doc{
		{"id": "a", "name": "first", "revision_number": 1},
		{"id": "b", "name": "<second & html>", "tags": []string{"x"}},
	}
	if err := d.Write(ctx, func(tx *db.Tx) error {
		for _, doc := range docs {
			if err := tx.Insert(ctx, "networks", doc); err != nil {
				return err
			}
		}
		return tx.Insert(ctx, "ports", db.Doc{"id": "p", "network_id": "a"})
	}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, doc := range docs {
		b, _ := json.Marshal(doc)
		want[doc["id"].(string)] = string(b)
	}
	stop := errors.New("stop")
	for _, c := range []struct {
		name    string
		kind    string
		stopAt  int // the callback fails on this call (0: never)
		want    map[string]string
		wantErr error
	}{
		{name: "every network", kind: "networks", want: want},
		{name: "another kind", kind: "ports", want: map[string]string{"p": `{"id":"p","network_id":"a"}`}},
		{name: "a kind with nothing", kind: "routers", want: map[string]string{}},
		{name: "the callback's error", kind: "networks", stopAt: 1, want: map[string]string{"a": want["a"]}, wantErr: stop},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := map[string]string{}
			err := d.Read(ctx, func(tx *db.Tx) error {
				return tx.EachBody(ctx, c.kind, func(id string, body []byte) error {
					got[id] = string(body)
					if len(got) == c.stopAt {
						return stop
					}
					return nil
				})
			})
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("EachBody error = %v, want %v", err, c.wantErr)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("EachBody gave %v, want %v", got, c.want)
			}
		})
	}
}
