package db_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// BenchmarkKeyedPage is the store's part of a page of 100 ports (Tx.Page, as the API's
// pages call it: shared documents, a cursor): SQLite, MIDONET_BENCH_PAGE_DOCS port-like
// documents of about 1 KB (default 50,000, so that the file, about 80 MB, is many times
// SQLite's page cache, as at 100,000 ports), pages starting after eight cursors spread over
// the order in turn. By id (the primary key), and by keyed attributes in both directions:
// unique values (name, mac_address), one value a second (created_at) and four values
// (status). ns/op and cpu-ns/op are per page.
func BenchmarkKeyedPage(b *testing.B) {
	n := 50000
	if v, err := strconv.Atoi(os.Getenv("MIDONET_BENCH_PAGE_DOCS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	d := openKeyed(b, "sqlite:///"+filepath.Join(b.TempDir(), "neutron.db"))
	filler := strings.Repeat("x", 500)
	doc := func(i int) db.Doc {
		h := uint32(i) * 2654435761 // ids, names and addresses in orders unlike each other's
		return db.Doc{
			"id": fmt.Sprintf("%08x-0000-4000-8000-%012d", h, i), "project_id": "p", "network_id": "net-1",
			"name": fmt.Sprintf("port-%08x", h^0x5bd1e995), "status": []string{"ACTIVE", "DOWN", "BUILD", "ERROR"}[i%4],
			"created_at": fmt.Sprintf("2026-12-04T%02d:%02d:%02dZ", i/3600%24, i/60%60, i%60), "updated_at": "2026-12-04T13:00:00Z",
			"mac_address": fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", h>>16&0xff, h>>8&0xff, h&0xff),
			"device_id":   fmt.Sprintf("dev-%d", i/4), "device_owner": "compute:nova", "tags": []any{}, "description": filler,
			"fixed_ips": []any{map[string]any{"subnet_id": "sub-1", "ip_address": fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff)}},
		}
	}
	for i := 0; i < n; i += 500 {
		err := d.Write(ctx, func(tx *db.Tx) error {
			for j := i; j < min(i+500, n); j++ {
				if err := tx.Insert(ctx, "items", doc(j)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct {
		name string
		sort string
		desc bool
	}{
		{"id-asc", "", false}, {"id-desc", "", true},
		{"name-asc", "name", false}, {"name-desc", "name", true},
		{"mac-asc", "mac_address", false}, {"mac-desc", "mac_address", true},
		{"created_at-asc", "created_at", false}, {"created_at-desc", "created_at", true},
		{"status-asc", "status", false}, {"status-desc", "status", true},
	} {
		b.Run(c.name, func(b *testing.B) {
			// Eight cursors spread over the order: the first 8 × 100 documents of a walk.
			q := db.PageQuery{Sort: c.sort, KeyDesc: c.desc, IDDesc: c.desc, Limit: n / 9, Shared: true}
			var cursors []db.Cursor
			for k := 0; k < 8; k++ {
				var page []db.PageRow
				err := d.Read(ctx, func(tx *db.Tx) error {
					var err error
					page, err = tx.Page(ctx, "items", q)
					return err
				})
				if err != nil || len(page) == 0 {
					b.Fatalf("cursor %d: %d rows, %v", k, len(page), err)
				}
				last := page[len(page)-1].Cursor
				cursors = append(cursors, last)
				q.After = &last
			}
			q.Limit = 100
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := processCPU()
			for i := range b.N {
				q.After = &cursors[i%len(cursors)]
				err := d.Read(ctx, func(tx *db.Tx) error {
					page, err := tx.Page(ctx, "items", q)
					if err == nil && len(page) != 100 {
						err = fmt.Errorf("a page of %d rows", len(page))
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}
