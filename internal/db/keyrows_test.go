package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

type (
	status  string
	fixedIP struct {
		SubnetID  string `json:"subnet_id"`
		IPAddress string `json:"ip_address"`
	}
)

// keyRows lists the key rows of one document, "attr=value" sorted (the table is read whole:
// it has no index by document any more).
func keyRows(ctx context.Context, t *testing.T, d *db.DB, id string) []string {
	t.Helper()
	var out []string
	err := d.Read(ctx, func(tx *db.Tx) error {
		rows, err := tx.Query(ctx, "SELECT attr, value, id FROM resource_keys WHERE kind = ?", "items")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var attr, value, rid string
			if err := rows.Scan(&attr, &value, &rid); err != nil {
				return err
			}
			if rid == id {
				out = append(out, attr+"="+value)
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// wantRows is what keyRows must find for doc: its keys as they read back from the store.
func wantRows(t *testing.T, doc db.Doc) []string {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	back, err := db.DecodeDoc(b)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	s, _ := benchKinds{}.KeyAttrs("items")
	for _, a := range s {
		out = append(out, a+"="+db.EncodeKey(a, back[a]))
	}
	seen := map[string]bool{}
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, tag := range back["tags"].([]any) {
		add("tags=" + db.EncodeKey("tags", tag))
	}
	for _, ip := range back["fixed_ips"].([]any) {
		add("fixed_ips.ip_address=" + db.EncodeKey("fixed_ips.ip_address", ip.(map[string]any)["ip_address"]))
		add("fixed_ips.subnet_id=" + db.EncodeKey("fixed_ips.subnet_id", ip.(map[string]any)["subnet_id"]))
	}
	slices.Sort(out)
	return out
}

// TestKeyRowsFollowTheDocument: the key rows of a document are exactly its keys after an
// insert, after updates that change sort attributes and multi-valued paths (with and without
// the document read first in the transaction), and none are left after its delete. Values
// held as other Go types than a decoded body has (a typed string, an int32, typed slices and
// structs) give the rows their stored form gives, so that an update or delete, which finds
// the rows to remove from the stored body, removes them all. On every engine.
func TestKeyRowsFollowTheDocument(t *testing.T) {
	engines(t, false, func(t *testing.T, url string) {
		ctx := t.Context()
		d := openKeyed(t, url)
		first := db.Doc{"id": "i1", "project_id": "p", "network_id": "n1", "name": "x", "status": status("DOWN"),
			"created_at": int32(7), "mac_address": "FA:16:3E:00:00:01",
			"tags":      []string{"red", "blue", "red"},
			"fixed_ips": []fixedIP{{SubnetID: "s1", IPAddress: "10.0.0.5"}, {SubnetID: "s1", IPAddress: "10.0.0.6"}}}
		second := db.Doc{"id": "i1", "project_id": "p", "network_id": "n1", "name": "y", "status": "ACTIVE",
			"created_at": 7, "mac_address": "fa:16:3e:00:00:01", "device_id": map[string]any{"b": 1, "a": []any{2.5}},
			"tags":      []any{"blue", "green"},
			"fixed_ips": []any{map[string]any{"subnet_id": "s2", "ip_address": "10.0.1.5"}}}
		third := db.Doc{"id": "i1", "project_id": "q", "network_id": "n1", "name": "y", "status": "ACTIVE",
			"created_at": json.Number("7"), "tags": []any{}, "fixed_ips": []any{}}
		// Past 16 rows of multi-valued paths the repeats are found through a map: 25 tags,
		// each twice, and the last ones repeated after the switch.
		var many []any
		for i := range 50 {
			many = append(many, fmt.Sprintf("t%d", i%25))
		}
		fourth := db.Doc{"id": "i1", "project_id": "q", "network_id": "n1", "name": "z", "status": "ACTIVE",
			"created_at": 8, "tags": many, "fixed_ips": []any{map[string]any{"subnet_id": "s2", "ip_address": "10.0.1.5"}}}
		other := db.Doc{"id": "i2", "project_id": "p", "name": "x", "status": "DOWN", "tags": []any{"red"}, "fixed_ips": []any{}}
		steps := []struct {
			name  string
			write func(tx *db.Tx) error
			want  []string
		}{
			{"insert", func(tx *db.Tx) error {
				if err := tx.Insert(ctx, "items", other); err != nil {
					return err
				}
				return tx.Insert(ctx, "items", first)
			}, wantRows(t, first)},
			{"update read first", func(tx *db.Tx) error {
				if _, err := tx.Get(ctx, "items", "i1"); err != nil {
					return err
				}
				return tx.Put(ctx, "items", second)
			}, wantRows(t, second)},
			{"update not read", func(tx *db.Tx) error { return tx.Put(ctx, "items", third) }, wantRows(t, third)},
			{"update with many tags", func(tx *db.Tx) error { return tx.Put(ctx, "items", fourth) }, wantRows(t, fourth)},
			{"delete", func(tx *db.Tx) error {
				ok, err := tx.Delete(ctx, "items", "i1")
				if err == nil && !ok {
					t.Error("delete found no document")
				}
				return err
			}, nil},
		}
		for _, s := range steps {
			if err := d.Write(ctx, s.write); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if got := keyRows(ctx, t, d, "i1"); !slices.Equal(got, s.want) {
				t.Errorf("after %s: key rows\n%q\nwant\n%q", s.name, got, s.want)
			}
		}
		if got, want := keyRows(ctx, t, d, "i2"), wantRows(t, other); !slices.Equal(got, want) {
			t.Errorf("the other document's rows changed: %q, want %q", got, want)
		}
	})
}
