package journal_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

var errRolledBack = errors.New("rolled back on purpose")

// TestTasksCommitInIDOrder: writers on two database handles (two API servers on one
// database) journal side by side, some transactions slower than others and some rolled back
// after drawing a task id, while a consumer reads the journal with the cluster's
// journal.Reader. Every task committed is read, once, in increasing id order: the reader
// never passes over a task that commits later with a lower id (PostgreSQL: it waits at gaps;
// MySQL: the order lock, and a locking read at gaps), and a gap left by a rollback does not stop it. Each write's
// recorded change carries its task id once Write returns.
func TestTasksCommitInIDOrder(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres", "mariadb"} {
		t.Run(engine, func(t *testing.T) {
			a := openEngine(t, engine)
			b := a
			if engine != "sqlite" {
				var err error
				if b, err = db.Open(t.Context(), a.URL, ""); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { b.Close() })
				b.Kinds = kinds{}
			}
			ctx := t.Context()
			const writers, each = 8, 25
			var wg sync.WaitGroup
			errs := make(chan error, writers)
			for w := range writers {
				d := a
				if w%2 == 1 {
					d = b
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						id := fmt.Sprintf("w%d-%d", w, i)
						rec := &journal.Recorder{WriteTasks: true}
						err := d.Write(ctx, func(tx *db.Tx) error {
							rec.Reset()
							journal.Attach(tx, rec)
							doc := db.Doc{"id": id, "project_id": "p"}
							if err := tx.Insert(ctx, "things", doc); err != nil {
								return err
							}
							if err := journal.Append(ctx, tx, journal.Create, "things", id, "p", "req-"+id, doc); err != nil {
								return err
							}
							if i%5 == w%5 {
								time.Sleep(3 * time.Millisecond) // a slow request, still in flight
							}
							return journal.Append(ctx, tx, journal.Update, "things", id, "p", "req-"+id, doc)
						})
						if err != nil {
							errs <- err
							return
						}
						if i%7 == 3 {
							// A transaction that drew a task id and rolled back: a gap
							// that never fills, which the reader must pass in the end.
							err := d.Write(ctx, func(tx *db.Tx) error {
								if _, err := journal.Insert(ctx, tx, journal.Create, "THING", id+"-x", "p", "req-x", nil); err != nil {
									return err
								}
								return errRolledBack
							})
							if !errors.Is(err, errRolledBack) {
								errs <- fmt.Errorf("rolled-back write: %v", err)
								return
							}
						}
						chs := rec.Changes()
						if len(chs) != 2 || chs[0].TaskID <= 0 || chs[1].TaskID <= chs[0].TaskID {
							errs <- fmt.Errorf("write %s recorded %+v: want two task ids in order", id, chs)
							return
						}
					}
				}()
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			seen := map[int64]bool{}
			var last int64
			reader := &journal.Reader{DB: a}
			poll := func() int {
				tasks, err := reader.Pending(ctx, last, 1000)
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range tasks {
					if k.ID <= last {
						t.Fatalf("task %d read after %d", k.ID, last)
					}
					seen[k.ID], last = true, k.ID
				}
				return len(tasks)
			}
		loop:
			for {
				select {
				case <-done:
					break loop
				default:
					poll()
				}
			}
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			for poll() > 0 {
			}
			var all []int64
			err := a.Read(ctx, func(tx *db.Tx) error {
				rows, err := tx.Query(ctx, "SELECT id FROM midonet_tasks ORDER BY id")
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var id int64
					if err := rows.Scan(&id); err != nil {
						return err
					}
					all = append(all, id)
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			if want := 2 * writers * each; len(all) != want {
				t.Fatalf("%d tasks, want %d", len(all), want)
			}
			var missed []int64
			for _, id := range all {
				if !seen[id] {
					missed = append(missed, id)
				}
			}
			if len(missed) > 0 {
				t.Fatalf("the consumer passed over %d tasks committed below ids it had already read: %v", len(missed), missed)
			}
		})
	}
}

// TestReaderWaitsAtAGap: on PostgreSQL a task committed after a later one is not passed
// over: the reader waits at the gap while the slow transaction is open (and logs which
// session holds it), then returns both tasks in id order.
func TestReaderWaitsAtAGap(t *testing.T) {
	d := openEngine(t, "postgres")
	ctx := t.Context()
	drawn, release := make(chan struct{}), make(chan struct{})
	slow := make(chan error, 1)
	go func() {
		slow <- d.Write(ctx, func(tx *db.Tx) error {
			if _, err := journal.Insert(ctx, tx, journal.Create, "THING", "slow", "p", "req-slow", nil); err != nil {
				return err
			}
			select {
			case <-drawn:
			default:
				close(drawn)
			}
			<-release
			return nil
		})
	}()
	<-drawn
	if err := d.Write(ctx, func(tx *db.Tx) error {
		_, err := journal.Insert(ctx, tx, journal.Create, "THING", "fast", "p", "req-fast", nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	var logMu sync.Mutex
	r := &journal.Reader{DB: d, SlowWait: 50 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &logMu}, nil))}
	got := make(chan []journal.Task, 1)
	go func() {
		tasks, err := r.Pending(ctx, 0, 10)
		if err != nil {
			t.Error(err)
		}
		got <- tasks
	}()
	select {
	case tasks := <-got:
		t.Fatalf("the reader returned %v while the first task's transaction was open", tasks)
	case <-time.After(300 * time.Millisecond):
	}
	logMu.Lock()
	if !strings.Contains(logs.String(), "waits at a gap") || !regexp.MustCompile(`pids=[0-9]+`).MatchString(logs.String()) {
		t.Errorf("no warning naming the open session: %q", logs.String())
	}
	logMu.Unlock()
	close(release)
	if err := <-slow; err != nil {
		t.Fatal(err)
	}
	tasks := <-got
	if len(tasks) != 2 || tasks[0].ResourceID != "slow" || tasks[1].ResourceID != "fast" || tasks[0].ID >= tasks[1].ID {
		t.Fatalf("read %+v; want the slow task then the fast one", tasks)
	}
}

type lockedWriter struct {
	w  *strings.Builder
	mu *sync.Mutex
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// TestMySQLReaderWaitsForARowStillCommitting: on MySQL the order lock makes task ids commit
// in order, but InnoDB can show a task to a read a moment before the rows of the previous
// holder of the lock. The test makes that moment last: a task row inserted without the
// order lock in a transaction left open, and a later task committed beside it. The reader
// does not pass over the first: it waits for its transaction and returns both in id order;
// and a gap whose transaction rolled back is passed.
func TestMySQLReaderWaitsForARowStillCommitting(t *testing.T) {
	d := openEngine(t, "mariadb")
	ctx := t.Context()
	raw := func(tx *db.Tx, resource string) error {
		_, err := tx.InsertID(ctx, `INSERT INTO midonet_tasks (type, data_type, resource_id, tenant_id, transaction_id, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			journal.Create, "THING", resource, "p", "req-"+resource, "{}", "2026-01-01T00:00:00.000000Z")
		return err
	}
	var last int64
	r := &journal.Reader{DB: d}
	for _, outcome := range []error{nil, errRolledBack} {
		drawn, release := make(chan struct{}), make(chan struct{})
		slow := make(chan error, 1)
		go func() {
			slow <- d.Write(ctx, func(tx *db.Tx) error {
				if err := raw(tx, "slow"); err != nil {
					return err
				}
				close(drawn)
				<-release
				return outcome
			})
		}()
		<-drawn
		if err := d.Write(ctx, func(tx *db.Tx) error { return raw(tx, "fast") }); err != nil {
			t.Fatal(err)
		}
		got := make(chan []journal.Task, 1)
		go func() {
			tasks, err := r.Pending(ctx, last, 10)
			if err != nil {
				t.Error(err)
			}
			got <- tasks
		}()
		select {
		case tasks := <-got:
			t.Fatalf("the reader returned %+v while the first task's transaction was open", tasks)
		case <-time.After(300 * time.Millisecond):
		}
		close(release)
		if err := <-slow; !errors.Is(err, outcome) {
			t.Fatal(err)
		}
		tasks := <-got
		var names []string
		for _, k := range tasks {
			names = append(names, k.ResourceID)
		}
		want := "slow fast"
		if outcome != nil {
			want = "fast"
		}
		if strings.Join(names, " ") != want || !slices.IsSortedFunc(tasks, func(a, b journal.Task) int { return int(a.ID - b.ID) }) {
			t.Fatalf("read %+v; want %s in id order", tasks, want)
		}
		last = tasks[len(tasks)-1].ID
	}
}
