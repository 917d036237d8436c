package journal_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// kinds is a catalogue of one collection, "things", journaled as THING tasks.
type kinds struct{}

func (kinds) ParentKey(string) string { return "" }
func (kinds) DataType(k string) string {
	if k == "things" {
		return "THING"
	}
	return ""
}

// openEngine opens a new, upgraded database of the named engine.
func openEngine(tb testing.TB, engine string) *db.DB {
	tb.Helper()
	var url string
	switch engine {
	case "sqlite":
		url = "sqlite:///" + filepath.Join(tb.TempDir(), "neutron.db")
	case "postgres":
		url = testenv.NewDatabase(tb)
	case "mariadb":
		url = testenv.NewMariaDBDatabase(tb)
	default:
		tb.Fatalf("unknown engine %q", engine)
	}
	d, err := db.Open(context.Background(), url, "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	if _, err := d.Upgrade(context.Background()); err != nil {
		tb.Fatal(err)
	}
	d.Kinds = kinds{}
	return d
}

// createThing is one API create: a document read, stored and journaled in one transaction.
func createThing(ctx context.Context, d *db.DB, id string) error {
	return d.Write(ctx, func(tx *db.Tx) error {
		if cur, err := tx.Get(ctx, "things", id); err != nil || cur != nil {
			return fmt.Errorf("get %s: %v %v", id, cur, err)
		}
		doc := db.Doc{"id": id, "project_id": "p", "name": "thing " + id}
		if err := tx.Insert(ctx, "things", doc); err != nil {
			return err
		}
		return journal.Append(ctx, tx, journal.Create, "things", id, "p", "req-"+id, doc)
	})
}

// benchEngines are the engines a benchmark runs on: SQLite always; PostgreSQL and MariaDB
// (test/testenv's private instances, fsync off) with MIDONET_BENCH_SHARED=1.
func benchEngines() []string {
	if os.Getenv("MIDONET_BENCH_SHARED") != "" {
		return []string{"sqlite", "postgres", "mariadb"}
	}
	return []string{"sqlite"}
}

// BenchmarkJournaledWrite: creates that each read, insert a document and append its task
// in one transaction, from 1 and from 8 concurrent clients: the write path every API create
// takes, without HTTP, policy or the backend. ns/op is wall time per create over all
// clients, so 8 clients sharing commits show as a lower ns/op than 1.
func BenchmarkJournaledWrite(b *testing.B) {
	for _, engine := range benchEngines() {
		for _, clients := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/clients=%d", engine, clients), func(b *testing.B) {
				d := openEngine(b, engine)
				ctx := context.Background()
				var next atomic.Int64
				var wg sync.WaitGroup
				b.ResetTimer()
				for range clients {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for next.Add(1) <= int64(b.N) {
							if err := createThing(ctx, d, uuid.NewString()); err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
			})
		}
	}
}
