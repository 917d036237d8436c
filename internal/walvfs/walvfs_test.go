package walvfs_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/midonet-go/midonet/internal/walvfs"
)

const pragmas = "_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)&_pragma=wal_autocheckpoint(0)"

// open opens path with one connection, through walvfs when wrapped is true and through
// SQLite's default VFS otherwise.
func open(t *testing.T, path string, wrapped bool, extra string) *sql.DB {
	t.Helper()
	if err := walvfs.Register(); err != nil {
		t.Fatal(err)
	}
	dsn := "file:" + path + "?" + pragmas + extra
	if wrapped {
		dsn += "&vfs=" + walvfs.Name
	}
	d, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	d.SetMaxOpenConns(1)
	t.Cleanup(func() { d.Close() })
	if _, err := d.Exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, v BLOB)"); err != nil {
		t.Fatal(err)
	}
	return d
}

// insert commits one transaction of rows rows of size bytes each, with keys from first on.
func insert(t *testing.T, d *sql.DB, first, rows, size int) {
	t.Helper()
	tx, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := first; i < first+rows; i++ {
		if _, err := tx.Exec("INSERT INTO t (k, v) VALUES (?, randomblob(?))", fmt.Sprintf("key-%08d", i*7919%1000003), size); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, d *sql.DB) int {
	t.Helper()
	var n int
	if err := d.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func integrity(t *testing.T, d *sql.DB) {
	t.Helper()
	var res string
	if err := d.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil {
		t.Fatal(err)
	}
	if res != "ok" {
		t.Fatalf("integrity_check: %s", res)
	}
}

// writeSyscalls is this process's count of write system calls so far (/proc/self/io).
func writeSyscalls(t *testing.T) int {
	t.Helper()
	f, err := os.Open("/proc/self/io")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "syscw: "); ok {
			var n int
			fmt.Sscan(v, &n)
			return n
		}
	}
	t.Fatal("/proc/self/io has no syscw")
	return 0
}

// TestCommitIsFewWrites: a commit of about twenty pages costs SQLite's default VFS two
// write calls a page, and walvfs at most two a commit.
func TestCommitIsFewWrites(t *testing.T) {
	const commits = 40
	for _, tc := range []struct {
		wrapped  bool
		min, max int // write calls a commit
	}{
		{wrapped: false, min: 20, max: 1 << 30},
		{wrapped: true, min: 1, max: 2},
	} {
		t.Run(fmt.Sprintf("walvfs=%v", tc.wrapped), func(t *testing.T) {
			d := open(t, filepath.Join(t.TempDir(), "x.db"), tc.wrapped, "")
			insert(t, d, 0, 10, 100) // the WAL's header and the schema
			before := writeSyscalls(t)
			for c := range commits {
				insert(t, d, 1000+c*20, 20, 2000) // about 10 table pages and 10 index entries
			}
			perCommit := float64(writeSyscalls(t)-before) / commits
			if perCommit < float64(tc.min) || perCommit > float64(tc.max) {
				t.Errorf("%.1f write calls a commit, want %d to %d", perCommit, tc.min, tc.max)
			}
			if got := count(t, d); got != 10+commits*20 {
				t.Errorf("%d rows, want %d", got, 10+commits*20)
			}
			integrity(t, d)
		})
	}
}

// copyFiles copies the database and its WAL as they are in the file system now, as a
// process killed at this point would leave them (the shared-memory index is not copied:
// the copy's first open rebuilds it from the WAL).
func copyFiles(t *testing.T, path string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst+suffix, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestCommittedIsInTheFile: once a commit returns, its frames are in the WAL file, whatever
// the transaction: small, larger than one gathered write, larger than what walvfs gathers
// at all, spilled to the WAL before its commit by a small page cache, rolled back after a
// spill, or the first after the WAL started over. A copy of the files taken right after
// each commit holds exactly the rows committed.
func TestCommittedIsInTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	d := open(t, path, true, "&_pragma=cache_size(20)") // 20 pages: large transactions spill
	rows := 0
	check := func(what string) {
		t.Helper()
		c := open(t, copyFiles(t, path), false, "")
		if got := count(t, c); got != rows {
			t.Fatalf("after %s: the copy holds %d rows, want %d", what, got, rows)
		}
		integrity(t, c)
		c.Close()
	}
	steps := []struct {
		name       string
		rows, size int
	}{
		{"one small row", 1, 10},
		{"a commit of about 50 pages (two gathered writes)", 100, 2000},
		{"a commit of about 700 pages (spilled, and past the gathering limit)", 700, 4000},
		{"another small row", 1, 10},
	}
	for _, s := range steps {
		insert(t, d, rows, s.rows, s.size)
		rows += s.rows
		check(s.name)
	}

	// A spilled transaction rolled back: its frames are in the WAL, never committed.
	tx, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 500 {
		if _, err := tx.Exec("INSERT INTO t (k, v) VALUES (?, randomblob(4000))", fmt.Sprintf("gone-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	insert(t, d, rows, 30, 1000)
	rows += 30
	check("a rollback after a spill, then a commit")

	// The WAL starts over after a checkpoint that copied all of it back.
	if _, err := d.Exec("PRAGMA wal_checkpoint(RESTART)"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		insert(t, d, rows, 20, 1000)
		rows += 20
		check("commits after the WAL started over")
	}
	integrity(t, d)
}

// TestReadersSeeWholeCommits: readers on SQLite's default VFS, in the same process, read
// while a walvfs writer commits. Every transaction moves amounts between accounts and
// counts itself, so a reader that saw part of a commit, or a page the file did not have
// yet, would find a total or a count out of line.
func TestReadersSeeWholeCommits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	w := open(t, path, true, "")
	const accounts, commits = 2000, 100
	if _, err := w.Exec(`CREATE TABLE acct (id INTEGER PRIMARY KEY, bal INTEGER, pad BLOB);
		CREATE TABLE n (c INTEGER)`); err != nil {
		t.Fatal(err)
	}
	tx, err := w.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range accounts {
		if _, err := tx.Exec("INSERT INTO acct VALUES (?, 100, randomblob(300))", i); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.Exec("INSERT INTO n VALUES (0)"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 3 {
		r := open(t, path, false, "")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				rtx, err := r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
				if err != nil {
					if ctx.Err() == nil {
						errs <- err
					}
					return
				}
				var sum, c, moved int
				err = rtx.QueryRow("SELECT sum(bal) FROM acct").Scan(&sum)
				if err == nil {
					err = rtx.QueryRow("SELECT c FROM n").Scan(&c)
				}
				if err == nil {
					err = rtx.QueryRow("SELECT count(*) FROM acct WHERE bal <> 100").Scan(&moved)
				}
				rtx.Rollback()
				if err != nil {
					if ctx.Err() == nil {
						errs <- err
					}
					return
				}
				if sum != accounts*100 || (c == 0) != (moved == 0) {
					errs <- fmt.Errorf("a reader saw a total of %d after %d commits (%d balances moved), want %d", sum, c, moved, accounts*100)
					return
				}
			}
		}()
	}
	for c := 1; c <= commits; c++ {
		tx, err := w.Begin()
		if err != nil {
			t.Fatal(err)
		}
		for j := range 40 { // 40 moves over accounts spread through the table: many pages
			from, to := (c*97+j*131)%accounts, (c*53+j*211+1)%accounts
			if from == to {
				continue
			}
			if _, err := tx.Exec("UPDATE acct SET bal = bal - 1 WHERE id = ?", from); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec("UPDATE acct SET bal = bal + 1 WHERE id = ?", to); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := tx.Exec("UPDATE n SET c = ?", c); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var c int
	if err := w.QueryRow("SELECT c FROM n").Scan(&c); err != nil || c != commits {
		t.Errorf("the writer counts %d commits (%v), want %d", c, err, commits)
	}
	integrity(t, w)
}

func TestRegisterTwice(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := walvfs.Register(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

// TestRollbackAfterSpillThenAnotherWriter: a transaction spills frames to the WAL (a 20-page
// cache) and rolls back; a second writer connection then commits where those frames lay,
// and the first commits again. The second writer's rows must survive: what the first had
// gathered of its rolled-back frames reaches the file before it releases the write lock,
// never over the second writer's commit.
func TestRollbackAfterSpillThenAnotherWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	a := open(t, path, true, "&_pragma=cache_size(20)")
	b := open(t, path, true, "")
	insert(t, a, 0, 500, 1000)
	// Everything copied back into the database file and the WAL emptied: the transaction
	// below reads no page from the WAL, so nothing it does writes the gathered frames early.
	if _, err := a.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}

	// Rewrite every row in place: about 150 pages dirty, spilled to the WAL by the 20-page
	// cache, and none of them page 1, which a rollback would read back.
	tx, err := a.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("UPDATE t SET v = randomblob(1000)"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	insert(t, b, 500, 40, 1000)
	insert(t, a, 540, 1, 10)

	for _, d := range []*sql.DB{open(t, path, false, ""), open(t, copyFiles(t, path), false, "")} {
		if got := count(t, d); got != 541 {
			t.Errorf("%d rows, want 541", got)
		}
		integrity(t, d)
	}
}
