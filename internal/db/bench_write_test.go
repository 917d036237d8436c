package db_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/test/testenv"
)

// benchKinds keys "items" as the catalogue keys ports: sort attributes and multi-valued
// paths, so that an insert writes a dozen key rows.
type benchKinds struct{}

func (benchKinds) ParentKey(kind string) string {
	if kind == "items" {
		return "network_id"
	}
	return ""
}
func (benchKinds) DataType(string) string { return "" }
func (benchKinds) KeyAttrs(kind string) (sort, multi []string) {
	if kind == "refs" { // a collection keyed for lookups only (resource.Resource.Lookups)
		return nil, []string{"ref", "objs.ref"}
	}
	if kind != "items" {
		return nil, nil
	}
	return []string{"project_id", "created_at", "updated_at", "name", "status", "mac_address", "device_id", "device_owner", "network_id"},
		[]string{"tags", "fixed_ips.ip_address", "fixed_ips.subnet_id"}
}

// BenchmarkPortLikeWrite is the database part of a port create, on one client: a write
// transaction that reads its parent twice (as the API's parent check and the plugin do), a
// counter row, and inserts the document with its key rows. SQLite always; PostgreSQL too
// with MIDONET_BENCH_SHARED=1 (test/testenv's private instance). ns/op and allocs/op are
// per create.
func BenchmarkPortLikeWrite(b *testing.B) {
	engines := []string{"sqlite"}
	if os.Getenv("MIDONET_BENCH_SHARED") != "" {
		engines = append(engines, "postgres")
	}
	for _, engine := range engines {
		b.Run(engine, func(b *testing.B) {
			url := "sqlite:///" + filepath.Join(b.TempDir(), "neutron.db")
			if engine == "postgres" {
				url = testenv.NewDatabase(b)
			}
			ctx := context.Background()
			d := openKeyed(b, url)
			net := db.Doc{"id": "net-1", "project_id": "p", "name": "bench"}
			if err := d.Write(ctx, func(tx *db.Tx) error { return tx.Insert(ctx, "networks", net) }); err != nil {
				b.Fatal(err)
			}
			var n atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := processCPU()
			for range b.N {
				i := n.Add(1)
				err := d.Write(ctx, func(tx *db.Tx) error {
					for range 2 {
						if p, err := tx.Get(ctx, "networks", "net-1"); err != nil || p == nil {
							return fmt.Errorf("parent: %v %v", p, err)
						}
					}
					if _, err := tx.Count(ctx, "items", "p"); err != nil {
						return err
					}
					id := fmt.Sprintf("item-%08d", i)
					return tx.Insert(ctx, "items", db.Doc{
						"id": id, "project_id": "p", "network_id": "net-1", "name": id, "status": "DOWN",
						"created_at": "2026-12-04T13:00:00Z", "updated_at": "2026-12-04T13:00:00Z",
						"mac_address": fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", i>>16&0xff, i>>8&0xff, i&0xff),
						"device_id":   "", "device_owner": "", "tags": []any{},
						"fixed_ips": []any{map[string]any{"subnet_id": "sub-1", "ip_address": fmt.Sprintf("10.0.%d.%d", i>>8&0xff, i&0xff)}},
					})
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU is the CPU time the process used so far (user and system): on a machine shared
// with other work it varies less than wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
