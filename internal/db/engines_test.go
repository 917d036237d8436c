package db_test

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// engines runs fn once per engine on a fresh, empty database, passing its connection URL.
func engines(t *testing.T, shared bool, fn func(t *testing.T, url string)) {
	t.Helper()
	if !shared {
		t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite:///"+filepath.Join(t.TempDir(), "neutron.db")) })
	}
	t.Run("postgres", func(t *testing.T) { fn(t, testenv.NewDatabase(t)) })
	t.Run("mariadb", func(t *testing.T) { fn(t, testenv.NewMariaDBDatabase(t)) })
}

func open(t testing.TB, url string) *db.DB {
	t.Helper()
	d, err := db.Open(t.Context(), url, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// openKeyed is open with the schema upgraded and "items" keyed as the catalogue keys ports.
func openKeyed(t testing.TB, url string) *db.DB {
	t.Helper()
	d := open(t, url)
	d.Kinds = benchKinds{}
	if _, err := d.Upgrade(t.Context()); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestUpgradeTogether: servers that start together on one new database upgrade it one after
// the other; each migration is applied once, and a later upgrade has nothing to do.
func TestUpgradeTogether(t *testing.T) {
	engines(t, false, func(t *testing.T, url string) {
		ctx := t.Context()
		const servers = 4
		var wg sync.WaitGroup
		applied := make([][]string, servers)
		errs := make([]error, servers)
		for i := range servers {
			d := open(t, url)
			wg.Add(1)
			go func() {
				defer wg.Done()
				applied[i], errs[i] = d.Upgrade(ctx)
			}()
		}
		wg.Wait()
		d := open(t, url)
		ms, err := d.Migrations()
		if err != nil || len(ms) == 0 {
			t.Fatalf("migrations: %v %v", ms, err)
		}
		total := 0
		for i := range servers {
			if errs[i] != nil {
				t.Fatalf("upgrade %d: %v", i, errs[i])
			}
			total += len(applied[i])
		}
		if total != len(ms) {
			t.Errorf("%d migrations applied in all, want each of the %d once: %v", total, len(ms), applied)
		}
		cur, err := d.Current(ctx)
		if err != nil || cur != ms[len(ms)-1].Version {
			t.Fatalf("current = %d, %v; want %d", cur, err, ms[len(ms)-1].Version)
		}
		again, err := d.Upgrade(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second upgrade applied %v, %v; want nothing", again, err)
		}
		// The seed rows the cluster and db-manage rely on are there exactly once.
		err = d.Read(ctx, func(tx *db.Tx) error {
			for _, c := range []struct {
				q    string
				args []any
				want int
			}{
				{"SELECT COUNT(*) FROM midonet_task_state WHERE id = 1", nil, 1},
				{"SELECT COUNT(*) FROM midonet_data_state WHERE active_version = 1 AND readonly = ?", []any{false}, 1},
				{"SELECT COUNT(*) FROM midonet_data_versions WHERE id = 1 AND stale = ?", []any{false}, 1},
				{"SELECT COUNT(*) FROM schema_migrations", nil, len(ms)},
			} {
				var n int
				if err := tx.QueryRow(ctx, c.q, c.args...).Scan(&n); err != nil {
					return err
				}
				if n != c.want {
					t.Errorf("%s = %d, want %d", c.q, n, c.want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func upgraded(t *testing.T, url string) *db.DB {
	t.Helper()
	d := open(t, url)
	if _, err := d.Upgrade(t.Context()); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestInsertIgnoreAndIDs: a duplicate IP or MAC is reported, not an error, and leaves the
// transaction usable; ids the engine draws grow.
func TestInsertIgnoreAndIDs(t *testing.T) {
	engines(t, false, func(t *testing.T, url string) {
		d := upgraded(t, url)
		ctx := t.Context()
		err := d.Write(ctx, func(tx *db.Tx) error {
			ins := "INSERT INTO ip_allocations (subnet_id, ip_address, network_id, port_id) VALUES (?, ?, ?, ?)"
			first, err := tx.InsertIgnore(ctx, ins, "s1", "10.0.0.5", "n1", "p1")
			if err != nil || !first {
				t.Fatalf("first insert = %v, %v; want true", first, err)
			}
			again, err := tx.InsertIgnore(ctx, ins, "s1", "10.0.0.5", "n1", "p2")
			if err != nil || again {
				t.Fatalf("duplicate insert = %v, %v; want false without error", again, err)
			}
			var port string
			if err := tx.QueryRow(ctx, "SELECT port_id FROM ip_allocations WHERE subnet_id = ? AND ip_address = ?", "s1", "10.0.0.5").Scan(&port); err != nil {
				return err
			}
			if port != "p1" {
				t.Errorf("after a duplicate the address belongs to %q, want p1 (the first)", port)
			}
			a, err := tx.NextStandardAttrID(ctx, "ports")
			if err != nil {
				return err
			}
			b, err := tx.NextStandardAttrID(ctx, "ports")
			if err != nil {
				return err
			}
			if a <= 0 || b <= a {
				t.Errorf("standard_attr ids %d then %d: want positive and growing", a, b)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestDeadlockRetried: two transactions that lock two documents in opposite orders deadlock;
// the engine aborts one (MySQL error 1213, PostgreSQL 40P01) and Write runs it again, so both
// succeed and both increments are kept.
func TestDeadlockRetried(t *testing.T) {
	engines(t, true, func(t *testing.T, url string) {
		d := upgraded(t, url)
		ctx := t.Context()
		err := d.Write(ctx, func(tx *db.Tx) error {
			for _, id := range []string{"a", "b"} {
				if err := tx.Insert(ctx, "counters", db.Doc{"id": id, "n": 0}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Both transactions hold their first lock before either asks for its second, the
		// first time round; a retry goes straight through.
		var held sync.WaitGroup
		held.Add(2)
		var attempts [2]int
		bump := func(i int, first, second string) error {
			return d.Write(ctx, func(tx *db.Tx) error {
				attempts[i]++
				docs := map[string]db.Doc{}
				for k, id := range []string{first, second} {
					doc, err := tx.Get(ctx, "counters", id)
					if err != nil {
						return err
					}
					docs[id] = doc
					if k == 0 && attempts[i] == 1 {
						held.Done()
						held.Wait()
					}
				}
				for _, doc := range docs {
					n, _ := doc["n"].(interface{ Int64() (int64, error) }).Int64()
					doc["n"] = n + 1
					if err := tx.Put(ctx, "counters", doc); err != nil {
						return err
					}
				}
				return nil
			})
		}
		errs := make(chan error, 2)
		go func() { errs <- bump(0, "a", "b") }()
		go func() { errs <- bump(1, "b", "a") }()
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatalf("a transaction failed instead of being retried: %v", err)
			}
		}
		if attempts[0]+attempts[1] < 3 {
			t.Errorf("attempts %v: the deadlock should have made one transaction run again", attempts)
		}
		err = d.Read(ctx, func(tx *db.Tx) error {
			for _, id := range []string{"a", "b"} {
				doc, err := tx.Get(ctx, "counters", id)
				if err != nil {
					return err
				}
				if n, _ := doc["n"].(interface{ Int64() (int64, error) }).Int64(); n != 2 {
					t.Errorf("counter %s = %d, want 2 (an increment was lost)", id, n)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestTaskOrderLock: while one transaction holds the task order lock, another that asks for
// it waits until the first has committed, and then sees the first one's task: task ids are
// committed in the order they were drawn.
func TestTaskOrderLock(t *testing.T) {
	engines(t, true, func(t *testing.T, url string) {
		d := upgraded(t, url)
		ctx := t.Context()
		const ins = "INSERT INTO midonet_tasks (type, data_type, resource_id, tenant_id, transaction_id, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
		locked := make(chan struct{})
		firstDone := make(chan error, 1)
		go func() {
			firstDone <- d.Write(ctx, func(tx *db.Tx) error {
				if err := tx.LockTaskOrder(ctx); err != nil {
					return err
				}
				if _, err := tx.InsertID(ctx, ins, "CREATE", "NETWORK", "n1", "p", "t1", "{}", "now"); err != nil {
					return err
				}
				select {
				case <-locked:
				default:
					close(locked)
				}
				time.Sleep(500 * time.Millisecond) // a slow API write: the second must wait for it
				return nil
			})
		}()
		<-locked
		var seen int
		err := d.Write(ctx, func(tx *db.Tx) error {
			if err := tx.LockTaskOrder(ctx); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM midonet_tasks").Scan(&seen); err != nil {
				return err
			}
			_, err := tx.InsertID(ctx, ins, "CREATE", "NETWORK", "n2", "p", "t2", "{}", "now")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := <-firstDone; err != nil {
			t.Fatal(err)
		}
		if seen != 1 {
			t.Fatalf("the second transaction got the lock seeing %d tasks, want 1: it did not wait for the first to commit", seen)
		}
	})
}

// TestMariaDBSocketURL: the unix-socket form of the URL works as the TCP one.
func TestMariaDBSocketURL(t *testing.T) {
	url := testenv.NewMariaDBSocketDatabase(t)
	d := upgraded(t, url)
	if d.Dialect != db.MySQL {
		t.Fatalf("dialect %v, want mysql", d.Dialect)
	}
	cur, err := d.Current(t.Context())
	if err != nil || cur == 0 {
		t.Fatalf("current = %d, %v", cur, err)
	}
}

// TestPutUnchanged: writing a document back as it was is an update like any other (MySQL
// counts matched rows, not changed ones), while writing one another transaction deleted is
// ErrVanished.
func TestPutUnchanged(t *testing.T) {
	engines(t, false, func(t *testing.T, url string) {
		d := upgraded(t, url)
		ctx := t.Context()
		doc := db.Doc{"id": "n1", "project_id": "p", "name": "same"}
		if err := d.Write(ctx, func(tx *db.Tx) error { return tx.Insert(ctx, "networks", doc) }); err != nil {
			t.Fatal(err)
		}
		if err := d.Write(ctx, func(tx *db.Tx) error { return tx.Put(ctx, "networks", doc) }); err != nil {
			t.Fatalf("put of an unchanged document: %v", err)
		}
		err := d.Write(ctx, func(tx *db.Tx) error {
			err := tx.Put(ctx, "networks", db.Doc{"id": "gone", "project_id": "p"})
			if !errors.Is(err, db.ErrVanished) {
				t.Errorf("put of a missing document = %v, want ErrVanished", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
