package db_test

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// TestPageWalksTheOrder walks a keyed kind page by page (Tx.Page, each page starting after
// the last row of the one before) for every combination of the two directions and page
// sizes that end inside, at and across value groups of 1 to 7 documents, and compares the
// walk with the order sorted in memory: the value in its direction, then the id in its own.
// On each engine: SQLite reads after a cursor in one query when the directions agree, the
// others in two, and a page whose directions differ reads its last group again only when
// the group goes on past the page.
func TestPageWalksTheOrder(t *testing.T) {
	engines(t, false, func(t *testing.T, url string) {
		ctx := t.Context()
		d := openKeyed(t, url)
		// Groups of 1, 2, ..., 7 documents share a status; ids are not in the order of
		// the groups, so that a group's ids interleave with its neighbours'.
		type row struct{ key, id string }
		var all []row
		err := d.Write(ctx, func(tx *db.Tx) error {
			n := 0
			for g := 1; g <= 7; g++ {
				for i := range g {
					id := fmt.Sprintf("%02d-%d", (n*37)%97, i)
					status := fmt.Sprintf("s%d", g)
					n++
					all = append(all, row{db.EncodeKey("status", status), id})
					if err := tx.Insert(ctx, "items", db.Doc{"id": id, "status": status, "name": id}); err != nil {
						return fmt.Errorf("insert %s: %w", id, err)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name            string
			keyDesc, idDesc bool
		}{{"asc-asc", false, false}, {"desc-desc", true, true}, {"desc-asc", true, false}, {"asc-desc", false, true}} {
			want := slices.Clone(all)
			slices.SortFunc(want, func(a, b row) int {
				k := cmp.Compare(a.key, b.key)
				if c.keyDesc {
					k = -k
				}
				if k != 0 {
					return k
				}
				if c.idDesc {
					return cmp.Compare(b.id, a.id)
				}
				return cmp.Compare(a.id, b.id)
			})
			for limit := 1; limit <= 8; limit++ {
				t.Run(fmt.Sprintf("%s/limit-%d", c.name, limit), func(t *testing.T) {
					var got []row
					q := db.PageQuery{Sort: "status", KeyDesc: c.keyDesc, IDDesc: c.idDesc, Limit: limit}
					for pages := 0; ; pages++ {
						if pages > len(all) {
							t.Fatal("the walk does not end")
						}
						var page []db.PageRow
						err := d.Read(ctx, func(tx *db.Tx) error {
							var err error
							page, err = tx.Page(ctx, "items", q)
							return err
						})
						if err != nil {
							t.Fatal(err)
						}
						if len(page) > limit {
							t.Fatalf("a page of %d holds %d rows", limit, len(page))
						}
						for _, r := range page {
							if r.Doc["id"] != r.Cursor.ID {
								t.Fatalf("row %s holds document %v", r.Cursor.ID, r.Doc["id"])
							}
							got = append(got, row{r.Cursor.Key, r.Cursor.ID})
						}
						if len(page) < limit {
							break
						}
						last := page[len(page)-1].Cursor
						q.After = &last
					}
					if !slices.Equal(got, want) {
						t.Fatalf("pages of %d give\n%v\nwant\n%v", limit, got, want)
					}
				})
			}
		}
	})
}

// TestSQLiteMmapSize: a SQLite connection URL's ?mmap_size=N maps the file for the readers
// (PRAGMA mmap_size answers N in a read transaction), none maps nothing, and a value that is
// not a number of bytes is refused.
func TestSQLiteMmapSize(t *testing.T) {
	for _, c := range []struct {
		name, query string
		want        int64
		fails       bool
	}{
		{"none", "", 0, false},
		{"1 MiB", "?mmap_size=1048576", 1048576, false},
		{"zero", "?mmap_size=0", 0, false},
		{"negative", "?mmap_size=-1", 0, true},
		{"words", "?mmap_size=lots", 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			url := "sqlite:///" + filepath.Join(t.TempDir(), "neutron.db") + c.query
			d, err := db.Open(t.Context(), url, "")
			if c.fails {
				if err == nil {
					d.Close()
					t.Fatalf("%s opens", url)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			var got int64
			err = d.Read(t.Context(), func(tx *db.Tx) error {
				return tx.QueryRow(t.Context(), "PRAGMA mmap_size").Scan(&got)
			})
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("a reader's mmap_size is %d, want %d", got, c.want)
			}
		})
	}
}
