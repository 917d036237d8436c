package db

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// rowidKinds keys "items" by status and name, and names the kinds it keys, so that SyncKeys
// can rebuild the index.
type rowidKinds struct{}

func (rowidKinds) ParentKey(string) string  { return "" }
func (rowidKinds) DataType(string) string   { return "" }
func (rowidKinds) KeyedKindNames() []string { return []string{"items"} }
func (rowidKinds) KeyAttrs(kind string) (sort, multi []string) {
	if kind != "items" {
		return nil, nil
	}
	return []string{"status", "name"}, nil
}

// rowidItem is a stored document as the test expects pages to return it.
type rowidItem struct{ id, project, status string }

// fillItems inserts 40 items in two projects and four statuses (ids not in status order),
// deletes every seventh (so that rowids have gaps) and renames one, and returns what is
// left.
func fillItems(t *testing.T, d *DB) []rowidItem {
	t.Helper()
	ctx := t.Context()
	var items []rowidItem
	err := d.Write(ctx, func(tx *Tx) error {
		items = items[:0]
		for i := range 40 {
			it := rowidItem{fmt.Sprintf("%02d", (i*17)%41), fmt.Sprintf("p%d", i%2), fmt.Sprintf("s%d", i%4)}
			if err := tx.Insert(ctx, "items", Doc{"id": it.id, "project_id": it.project, "status": it.status, "name": "n" + it.id}); err != nil {
				return err
			}
			items = append(items, it)
		}
		var kept []rowidItem
		for i, it := range items {
			if i%7 == 3 {
				if _, err := tx.Delete(ctx, "items", it.id); err != nil {
					return err
				}
				continue
			}
			kept = append(kept, it)
		}
		items = kept
		// An update that changes a keyed attribute writes a key row of an existing document.
		items[0].status = "s9"
		it := items[0]
		return tx.Put(ctx, "items", Doc{"id": it.id, "project_id": it.project, "status": it.status, "name": "n" + it.id})
	})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// checkWalks walks the items by status in both directions, with and without a project
// filter, in pages of 3, and compares each walk with the order sorted in memory.
func checkWalks(t *testing.T, d *DB, items []rowidItem) {
	t.Helper()
	ctx := t.Context()
	for _, desc := range []bool{false, true} {
		for _, project := range []string{"", "p1"} {
			var want []string
			sorted := slices.Clone(items)
			slices.SortFunc(sorted, func(a, b rowidItem) int {
				c := strings.Compare(a.status, b.status)
				if c == 0 {
					c = strings.Compare(a.id, b.id)
				}
				if desc {
					return -c
				}
				return c
			})
			for _, it := range sorted {
				if project == "" || it.project == project {
					want = append(want, it.id)
				}
			}
			q := PageQuery{Filter: Filter{ProjectID: project}, Sort: "status", KeyDesc: desc, IDDesc: desc, Limit: 3}
			var got []string
			for len(got) <= len(items) {
				var page []PageRow
				err := d.Read(ctx, func(tx *Tx) error {
					var err error
					page, err = tx.Page(ctx, "items", q)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range page {
					if r.Doc["id"] != r.Cursor.ID {
						t.Fatalf("key row %s holds document %v", r.Cursor.ID, r.Doc["id"])
					}
					got = append(got, r.Cursor.ID)
				}
				if len(page) < q.Limit {
					break
				}
				last := page[len(page)-1].Cursor
				q.After = &last
			}
			if !slices.Equal(got, want) {
				t.Errorf("status desc=%v project %q: pages give %v, want %v", desc, project, got, want)
			}
		}
	}
}

// rowidsMatch counts the key rows and those whose rid is their document's rowid.
func rowidsMatch(t *testing.T, d *DB) (rows, matching int) {
	t.Helper()
	ctx := t.Context()
	err := d.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(k.rid = r.rowid), 0) FROM resource_keys k JOIN resources r ON r.kind = k.kind AND r.id = k.id").Scan(&rows, &matching)
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows, matching
}

func openRowidDB(t *testing.T, path string) *DB {
	t.Helper()
	d, err := Open(t.Context(), "sqlite:///"+path, "")
	if err != nil {
		t.Fatal(err)
	}
	d.Kinds = rowidKinds{}
	return d
}

// TestUpgradeGivesKeyRowsRowids: a SQLite data dir written at schema 0005 (key rows without
// rowids, as the binaries before migration 0008 left it) is upgraded at the next start: every
// key row then carries its document's rowid, sorted pages read the documents by it (and find
// none stale), and later inserts and updates write the rowid too.
func TestUpgradeGivesKeyRowsRowids(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "neutron.db")
	old := openRowidDB(t, path)
	ms, err := old.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	// The schema an older binary left: the migrations up to 0005.
	err = old.Write(ctx, func(tx *Tx) error {
		if err := tx.ensureVersionTable(ctx); err != nil {
			return err
		}
		for _, m := range ms {
			if m.Version > 5 {
				continue
			}
			for _, stmt := range splitSQL(m.SQL) {
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", m.Name, err)
				}
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.Version, m.Name, "then"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.SyncKeys(ctx); err != nil { // the key index state as the old start left it
		t.Fatal(err)
	}
	old.probeKeyRowids(ctx)
	if old.keyRowids.Load() {
		t.Fatal("a schema 0005 database has key rowids")
	}
	items := fillItems(t, old)
	checkWalks(t, old, items) // pages by (kind, id) on the old schema
	old.Close()

	d := openRowidDB(t, path)
	defer d.Close()
	applied, err := d.Upgrade(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"0006_resource_keys_without_doc_index.sql", "0007_get_shared.sql", "0008_resource_keys_rowid.sql", "0009_resource_counts.sql", "0010_resource_counts_shards.sql"}; !slices.Equal(applied, want) {
		t.Fatalf("upgrade applied %v, want %v", applied, want)
	}
	if !d.keyRowids.Load() {
		t.Fatal("after the upgrade pages do not read by rowid")
	}
	checkCounts(t, d) // migration 0009 counted the documents already there
	if n, ok := rowidsMatch(t, d); n != 2*len(items) || ok != n {
		t.Fatalf("after the upgrade %d of %d key rows name their document's rowid; want %d of %d", ok, n, 2*len(items), 2*len(items))
	}
	checkWalks(t, d, items)
	if d.rowidsStale.Load() {
		t.Fatal("pages found stale rowids right after the upgrade")
	}
	// Writes after the upgrade keep the rowids: a new document, an update of a keyed value.
	err = d.Write(ctx, func(tx *Tx) error {
		if err := tx.Insert(ctx, "items", Doc{"id": "99", "project_id": "p1", "status": "s0", "name": "n99"}); err != nil {
			return err
		}
		it := items[1]
		return tx.Put(ctx, "items", Doc{"id": it.id, "project_id": it.project, "status": "s8", "name": "renamed"})
	})
	if err != nil {
		t.Fatal(err)
	}
	items = append(items, rowidItem{"99", "p1", "s0"})
	items[1].status = "s8"
	if n, ok := rowidsMatch(t, d); ok != n || n != 2*len(items) {
		t.Fatalf("after writes %d of %d key rows name their document's rowid", ok, n)
	}
	checkWalks(t, d, items)
	if d.rowidsStale.Load() {
		t.Fatal("pages found stale rowids after writes")
	}
}

// TestPagesWhenRowidsMoved: when the key rows' rowids no longer lead to their documents (what
// an outside VACUUM may do), pages still return the right documents in the right order, with
// and without a filter; the key index is marked for a rebuild, and the next start rebuilds
// it with the right rowids.
func TestPagesWhenRowidsMoved(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "neutron.db")
	d := openRowidDB(t, path)
	if _, err := d.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	items := fillItems(t, d)
	err := d.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "UPDATE resource_keys SET rid = rid + 1")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	checkWalks(t, d, items)
	if !d.rowidsStale.Load() {
		t.Fatal("pages did not notice the moved rowids")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var spec string
		err := d.Read(ctx, func(tx *Tx) error {
			return tx.QueryRow(ctx, "SELECT spec FROM resource_keys_state WHERE id = 1").Scan(&spec)
		})
		if err != nil {
			t.Fatal(err)
		}
		if spec == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the key index was not marked for a rebuild")
		}
		time.Sleep(10 * time.Millisecond)
	}
	d.Close()

	d = openRowidDB(t, path)
	defer d.Close()
	if _, err := d.Upgrade(context.WithoutCancel(ctx)); err != nil {
		t.Fatal(err)
	}
	if n, ok := rowidsMatch(t, d); n != 2*len(items) || ok != n {
		t.Fatalf("after the rebuild %d of %d key rows name their document's rowid", ok, n)
	}
	checkWalks(t, d, items)
	if d.rowidsStale.Load() {
		t.Fatal("pages found stale rowids after the rebuild")
	}
}

// checkCounts fails the test unless Count gives, for every kind and project with documents,
// the number of documents there are.
func checkCounts(t *testing.T, d *DB) {
	t.Helper()
	ctx := t.Context()
	err := d.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, "SELECT kind, project_id, COUNT(*) FROM resources GROUP BY kind, project_id")
		if err != nil {
			return err
		}
		type group struct {
			kind, project string
			n             int
		}
		var groups []group
		for rows.Next() {
			var g group
			if err := rows.Scan(&g.kind, &g.project, &g.n); err != nil {
				rows.Close()
				return err
			}
			groups = append(groups, g)
		}
		rows.Close()
		if len(groups) == 0 {
			t.Error("no documents to count")
		}
		for _, g := range groups {
			got, err := tx.Count(ctx, g.kind, g.project)
			if err != nil {
				return err
			}
			if got != g.n {
				t.Errorf("Count(%s, %s) = %d, want the %d documents there are", g.kind, g.project, got, g.n)
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
}
