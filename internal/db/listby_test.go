package db_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// TestListBy: ListBy finds the same documents, in id order, whether the catalogue keys the
// attribute (the key index names them) or not (every document is read), for a string
// attribute and a list of strings, on each engine; through the index it reads only those
// (counted by the decoded-document cache's lookups). AnyBy and FirstBy agree.
func TestListBy(t *testing.T) {
	engines(t, false, func(t *testing.T, url string) {
		ctx := t.Context()
		keyed, plain := listByItems(t, url)
		for _, tc := range []struct {
			attr   string
			values []string
			want   int
		}{
			{"device_id", []string{"dev-3"}, 5},
			{"device_id", []string{"dev-3", "dev-4", "nobody"}, 10},
			{"device_owner", []string{"network:router_interface"}, 4},
			{"device_id", []string{"nobody"}, 0},
			{"tags", []string{"t3"}, 20}, // a list attribute (a multi-valued path the catalogue keys)
			{"tags", []string{"t3", "t4"}, 40},
			// A field of the objects of a list (a path the catalogue keys).
			{"fixed_ips.subnet_id", []string{"s3"}, 25},
			{"fixed_ips.subnet_id", []string{"s3", "s-extra"}, 32}, // one holds both
			{"fixed_ips.ip_address", []string{"10.1.0.25"}, 1},
		} {
			ids := func(d *db.DB) ([]string, int64) {
				return readIDs(t, d, func(tx *db.Tx) ([]db.Doc, error) { return tx.ListBy(ctx, "items", tc.attr, tc.values...) },
					func(doc db.Doc) bool { return holds(doc, tc.attr, tc.values) })
			}
			got, readKeyed := ids(keyed)
			all, readPlain := ids(plain)
			if len(got) != tc.want || !slices.IsSorted(got) || !slices.Equal(got, all) {
				t.Errorf("%s %v: through the index %v, reading all %v; want %d in id order", tc.attr, tc.values, got, all, tc.want)
			}
			if readKeyed > int64(tc.want) || readPlain < 200 {
				t.Errorf("%s %v: read %d documents through the index (want %d), %d reading all (want 200)", tc.attr, tc.values, readKeyed, tc.want, readPlain)
			}
			for _, d := range []*db.DB{keyed, plain} {
				err := d.Read(ctx, func(tx *db.Tx) error {
					any, err := tx.AnyBy(ctx, "items", tc.attr, tc.values[0])
					if want := tc.want > 0; any != want && err == nil {
						t.Errorf("AnyBy %s %s = %v, want %v", tc.attr, tc.values[0], any, want)
					}
					if err != nil {
						return err
					}
					first, err := tx.FirstBy(ctx, "items", tc.attr, tc.values[0])
					want := ""
					if len(all) > 0 && len(tc.values) == 1 {
						want = all[0]
					}
					if err == nil && len(tc.values) == 1 && first != want {
						t.Errorf("FirstBy %s %s = %q, want %q", tc.attr, tc.values[0], first, want)
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		// What read the whole collection is counted (/metrics), what the index answered not.
		if got := keyed.UnindexedLookups(); len(got) != 0 {
			t.Errorf("lookups through the index counted as unindexed: %v", got)
		}
		if got := plain.UnindexedLookups()[[2]string{"items", "device_id"}]; got == 0 {
			t.Errorf("the lookups by device_id without a keying catalogue were not counted (%v)", plain.UnindexedLookups())
		}
	})
}

// TestListByBoth: ListByBoth finds the documents holding both values, in id order, the same
// through the index's join and reading all, on each engine; through the index it reads only
// those.
func TestListByBoth(t *testing.T) {
	engines(t, false, func(t *testing.T, url string) {
		ctx := t.Context()
		keyed, plain := listByItems(t, url)
		for _, tc := range []struct {
			attr, value string
			other       string
			others      []string
			want        int
		}{
			{"fixed_ips.subnet_id", "s7", "device_owner", []string{"network:router_interface"}, 1}, // a subnet's router interfaces
			{"fixed_ips.subnet_id", "s1", "device_owner", []string{"network:router_interface", "network:router_gateway"}, 1},
			{"device_owner", "network:router_interface", "device_id", []string{"dev-7", "dev-17", "nobody"}, 2},
			{"tags", "t5", "fixed_ips.subnet_id", []string{"s-extra"}, 4},
			{"tags", "t7", "fixed_ips.subnet_id", []string{"s-extra"}, 0},
		} {
			ids := func(d *db.DB) ([]string, int64) {
				return readIDs(t, d, func(tx *db.Tx) ([]db.Doc, error) {
					return tx.ListByBoth(ctx, "items", tc.attr, tc.value, tc.other, tc.others...)
				}, func(doc db.Doc) bool {
					return holds(doc, tc.attr, []string{tc.value}) && holds(doc, tc.other, tc.others)
				})
			}
			got, readKeyed := ids(keyed)
			all, _ := ids(plain)
			if len(got) != tc.want || !slices.IsSorted(got) || !slices.Equal(got, all) {
				t.Errorf("%s %s, %s %v: through the index %v, reading all %v; want %d in id order", tc.attr, tc.value, tc.other, tc.others, got, all, tc.want)
			}
			if readKeyed > int64(tc.want) {
				t.Errorf("%s %s, %s %v: read %d documents through the index, want %d", tc.attr, tc.value, tc.other, tc.others, readKeyed, tc.want)
			}
		}
	})
}

// readIDs returns the ids of the documents list reads from d, in its order, and how many
// documents the decoded-document cache was asked for meanwhile; it fails t for a document
// want refuses.
func readIDs(t *testing.T, d *db.DB, list func(*db.Tx) ([]db.Doc, error), want func(db.Doc) bool) ([]string, int64) {
	t.Helper()
	before := db.DocCacheReport()
	var out []string
	err := d.Read(t.Context(), func(tx *db.Tx) error {
		docs, err := list(tx)
		for _, doc := range docs {
			if !want(doc) {
				t.Errorf("read %v", doc)
			}
			out = append(out, doc["id"].(string))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	after := db.DocCacheReport()
	return out, after.Hits + after.Misses - before.Hits - before.Misses
}

// holds reports whether a document's attribute, a string or a list, is or holds one of
// values; for a path list.field, whether an object of the list holds one in field.
func holds(d db.Doc, attr string, values []string) bool {
	if field, sub, dotted := strings.Cut(attr, "."); dotted {
		l, _ := d[field].([]any)
		return slices.ContainsFunc(l, func(e any) bool {
			m, _ := e.(map[string]any)
			s, _ := m[sub].(string)
			return slices.Contains(values, s)
		})
	}
	if l, ok := d[attr].([]any); ok {
		return slices.ContainsFunc(l, func(e any) bool { s, _ := e.(string); return slices.Contains(values, s) })
	}
	s, _ := d[attr].(string)
	return slices.Contains(values, s)
}

// listByItems writes 200 items through a database whose catalogue keys them (benchKinds:
// device_id, device_owner, tags, fixed_ips' fields) and returns it with a second one on the
// same store that keys nothing.
func listByItems(t *testing.T, url string) (keyed, plain *db.DB) {
	t.Helper()
	ctx := t.Context()
	keyed = openKeyed(t, url)
	plain = open(t, url)
	err := keyed.Write(ctx, func(tx *db.Tx) error {
		for i := range 200 {
			owner := "compute:nova"
			if i%50 == 7 {
				owner = "network:router_interface"
			}
			ips := []any{map[string]any{"subnet_id": fmt.Sprintf("s%d", i%8), "ip_address": fmt.Sprintf("10.0.%d.%d", i/100, i%100)}}
			if i%25 == 0 {
				ips = append(ips, map[string]any{"subnet_id": "s-extra", "ip_address": fmt.Sprintf("10.1.0.%d", i)})
			}
			doc := db.Doc{"id": fmt.Sprintf("item-%03d", (i*37)%200), "device_id": fmt.Sprintf("dev-%d", i%40), "device_owner": owner, "network_id": "n",
				"tags": []any{fmt.Sprintf("t%d", i%10), "all"}, "fixed_ips": ips}
			if err := tx.Insert(ctx, "items", doc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keyed, plain
}

// TestListByLookups: a collection keyed for lookups only has its multi-valued paths hold a
// scalar attribute (a device's resource_id) and a field of a list's objects; ListBy and AnyBy
// find its documents through the index, reading only those, and follow an update and a
// delete on each engine. A null or absent value has no row.
func TestListByLookups(t *testing.T) {
	engines(t, false, func(t *testing.T, url string) {
		ctx := t.Context()
		d := openKeyed(t, url)
		err := d.Write(ctx, func(tx *db.Tx) error {
			for i := range 100 {
				doc := db.Doc{"id": fmt.Sprintf("ref-%03d", i), "objs": []any{map[string]any{"ref": fmt.Sprintf("o%d", i%5)}}}
				if i%10 != 9 {
					doc["ref"] = fmt.Sprintf("r%d", i%10)
				} else if i%20 == 9 {
					doc["ref"] = nil
				}
				if err := tx.Insert(ctx, "refs", doc); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		check := func(step, attr, value string, want int) {
			t.Helper()
			got, read := readIDs(t, d, func(tx *db.Tx) ([]db.Doc, error) { return tx.ListBy(ctx, "refs", attr, value) },
				func(doc db.Doc) bool { return holds(doc, attr, []string{value}) })
			if len(got) != want || !slices.IsSorted(got) || read > int64(want) {
				t.Errorf("%s: ListBy %s %s = %v (read %d documents), want %d in id order", step, attr, value, got, read, want)
			}
			err := d.Read(ctx, func(tx *db.Tx) error {
				any, err := tx.AnyBy(ctx, "refs", attr, value)
				if err == nil && any != (want > 0) {
					t.Errorf("%s: AnyBy %s %s = %v", step, attr, value, any)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		check("insert", "ref", "r3", 10)
		check("insert", "ref", "r9", 0)
		check("insert", "objs.ref", "o2", 20)
		err = d.Write(ctx, func(tx *db.Tx) error {
			doc, err := tx.Get(ctx, "refs", "ref-003")
			if err != nil {
				return err
			}
			doc["ref"] = "r4"
			if err := tx.Put(ctx, "refs", doc); err != nil {
				return err
			}
			_, err = tx.Delete(ctx, "refs", "ref-013")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		check("update", "ref", "r3", 8)
		check("update", "ref", "r4", 11)
	})
}
