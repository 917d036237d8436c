package db_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// TestPageLeavesOutTags: a page with NotTags or NotTagsAny leaves out, in the query itself,
// the documents the index says carry those tags, in every order the index walks (by id and
// by a sort attribute, both directions, after a cursor), on each engine. Nothing filters
// what comes back here, so a document that should have been left out fails the test.
func TestPageLeavesOutTags(t *testing.T) {
	engines(t, false, func(t *testing.T, url string) {
		ctx := t.Context()
		d := openKeyed(t, url)
		// Item i carries "red" when i%2 == 0 and "blue" when i%3 == 0.
		tagsOf := func(i int) []any {
			var tags []any
			if i%2 == 0 {
				tags = append(tags, "red")
			}
			if i%3 == 0 {
				tags = append(tags, "blue")
			}
			return tags
		}
		err := d.Write(ctx, func(tx *db.Tx) error {
			for i := range 30 {
				doc := db.Doc{"id": fmt.Sprintf("item-%02d", i), "name": fmt.Sprintf("n%d", i%4), "project_id": "p", "tags": tagsOf(i)}
				if err := tx.Insert(ctx, "items", doc); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name            string
			notTags, notAny []string
			keep            func(i int) bool
		}{
			{"not-tags red", []string{"red"}, nil, func(i int) bool { return i%2 != 0 }},
			{"not-tags red,blue", []string{"red", "blue"}, nil, func(i int) bool { return i%6 != 0 }},
			{"not-tags-any red,blue", nil, []string{"red", "blue"}, func(i int) bool { return i%2 != 0 && i%3 != 0 }},
			{"not-tags green", []string{"green"}, nil, func(int) bool { return true }},
			{"both", []string{"red"}, []string{"blue"}, func(i int) bool { return i%2 != 0 && i%3 != 0 }},
		} {
			for _, order := range []db.PageQuery{{}, {IDDesc: true}, {Sort: "name"}, {Sort: "name", KeyDesc: true, IDDesc: true}, {Sort: "name", KeyDesc: true}} {
				t.Run(fmt.Sprintf("%s/%s-%v-%v", tc.name, order.Sort, order.KeyDesc, order.IDDesc), func(t *testing.T) {
					q := order
					q.NotTags, q.NotTagsAny, q.Limit = tc.notTags, tc.notAny, 4
					var got []string
					for page := 0; page < 20; page++ {
						var rows []db.PageRow
						err := d.Read(ctx, func(tx *db.Tx) error {
							var err error
							rows, err = tx.Page(ctx, "items", q)
							return err
						})
						if err != nil {
							t.Fatal(err)
						}
						for _, r := range rows {
							got = append(got, r.Doc["id"].(string))
						}
						if len(rows) < q.Limit {
							break
						}
						last := rows[len(rows)-1].Cursor
						q.After = &last
					}
					var want []string
					for i := range 30 {
						if tc.keep(i) {
							want = append(want, fmt.Sprintf("item-%02d", i))
						}
					}
					slices.Sort(got)
					if !slices.Equal(got, want) {
						t.Errorf("pages give %v, want %v", got, want)
					}
				})
			}
		}
	})
}
