// Package db is the Neutron database: one handle over SQLite (the embedded default),
// PostgreSQL or MySQL/MariaDB (both shared by many API servers), embedded schema migrations,
// transactions that retry on contention, and a document store for the API resources.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/midonet-go/midonet/internal/walvfs"
)

// Dialect names the SQL engine behind a DB.
type Dialect int

// The supported engines.
const (
	SQLite Dialect = iota
	Postgres
	MySQL // MySQL or MariaDB
)

func (d Dialect) String() string {
	switch d {
	case Postgres:
		return "postgresql"
	case MySQL:
		return "mysql"
	}
	return "sqlite"
}

// Shared reports whether the engine is a server that several API servers share (PostgreSQL,
// MySQL): their transactions run concurrently, so reads that precede a write lock their
// rows and the task journal serialises its writers. SQLite has a single writer.
func (d Dialect) Shared() bool { return d == Postgres || d == MySQL }

// busyTimeoutMS is how long an SQLite connection waits for a lock another holds before it
// gives up with SQLITE_BUSY.
const busyTimeoutMS = 10000

// ckptBusyMS is the checkpointer connection's busy timeout (checkpoint.go, trimIdle).
const ckptBusyMS = 20

// DB is an open Neutron database.
type DB struct {
	Dialect Dialect
	write   *sql.DB // writes (for SQLite: one connection, BEGIN IMMEDIATE)
	read    *sql.DB // reads (for PostgreSQL and MySQL the same pool as write)
	URL     string
	// Path is the SQLite file ("" on PostgreSQL and MySQL).
	Path string
	// Kinds describes the document kinds (the catalogue); set once, before the first
	// transaction. Without it no kind has a parent and the journal knows no data type.
	Kinds Kinds
	// group commits SQLite's writes in batches (group.go); nil on PostgreSQL and MySQL,
	// whose transactions run side by side on their own connections.
	group *grouper
	// ckpt runs SQLite's WAL checkpoints beside the writer (checkpoint.go); nil on
	// PostgreSQL and MySQL.
	ckpt *checkpointer
	// ckptConn is the checkpointer's own connection (SQLite).
	ckptConn *sql.DB
	// keyRowids says the key index carries its documents' rowids (SQLite from migration
	// 0008): sorted pages read documents by rowid (keys.go). Set at open and by Upgrade.
	keyRowids atomic.Bool
	// rowidsStale is set once a page found a key row whose rowid no longer names its
	// document (an outside VACUUM): pages then read by (kind, id) until the index is rebuilt.
	rowidsStale atomic.Bool
	// unindexed counts the lookups the key index could not answer (keys.go, ListBy), by
	// kind and attribute: each read its whole collection.
	unindexed sync.Map // [2]string{kind, attr} → *atomic.Int64
	// wholeReads counts the write transactions' reads of a whole collection (store.go,
	// list), by kind.
	wholeReads sync.Map // kind → *atomic.Int64
}

// Open connects to the database named by connection, an oslo.db-style URL:
// sqlite:///relative/or//absolute/path (?mmap_size=N maps the file for the readers),
// postgresql://user:pw@host:port/db (also
// postgresql+psycopg2://) or mysql+pymysql://user:pw@host:port/db?charset=utf8 (also
// mysql://, and ?unix_socket=/path for a local socket). An empty connection means SQLite
// at dataDir/neutron.db.
func Open(ctx context.Context, connection, dataDir string) (*DB, error) {
	if connection == "" {
		connection = "sqlite:///" + filepath.Join(dataDir, "neutron.db")
	}
	switch {
	case strings.HasPrefix(connection, "sqlite:"):
		return openSQLite(ctx, connection)
	case strings.HasPrefix(connection, "postgresql"), strings.HasPrefix(connection, "postgres"):
		return openPostgres(ctx, connection)
	case strings.HasPrefix(connection, "mysql:"), strings.HasPrefix(connection, "mysql+"), strings.HasPrefix(connection, "mariadb:"), strings.HasPrefix(connection, "mariadb+"):
		return openMySQL(ctx, connection)
	}
	scheme, _, _ := strings.Cut(connection, ":") // not the whole URL: it may hold a password
	return nil, fmt.Errorf("db: unsupported [database] connection scheme %q (want sqlite:///PATH, postgresql://... or mysql+pymysql://...)", scheme)
}

func openSQLite(ctx context.Context, connection string) (*DB, error) {
	path := strings.TrimPrefix(connection, "sqlite://")
	path = strings.TrimPrefix(path, "/") // sqlite:///rel -> rel ; sqlite:////abs -> /abs
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("db: sqlite needs a file path, got %q", connection)
	}
	readPragmas := ""
	if i := strings.IndexByte(path, '?'); i >= 0 {
		// ?mmap_size=N: the readers map up to N bytes of the file (SQLite's mmap_size)
		// instead of reading its pages with pread into each connection's 2 MB page cache.
		// Sorted pages at 100,000 ports miss that cache about twice a row (BENCHMARKS.md,
		// "Pages by every sort key"); the mapped pages count in the process's RSS.
		v, err := url.ParseQuery(path[i+1:])
		if err != nil {
			return nil, fmt.Errorf("db: sqlite connection options: %w", err)
		}
		if m := v.Get("mmap_size"); m != "" {
			n, err := strconv.ParseInt(m, 10, 64)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("db: sqlite mmap_size=%q: want a number of bytes", m)
			}
			readPragmas = "&_pragma=mmap_size(" + strconv.FormatInt(n, 10) + ")"
		}
		path = path[:i]
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("db: create directory for %s: %w", path, err)
	}
	settings := "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)"
	pragmas := "_pragma=busy_timeout(" + strconv.Itoa(busyTimeoutMS) + ")" + settings
	// The writer keeps its temporary files in memory (temp_store): the sub-journal of a
	// SAVEPOINT (one per write in a group commit) and of a multi-row INSERT (a document's
	// key rows); with the default every write opened, wrote and closed a temporary file.
	// The readers keep the default: a large sort may spill to disk. Its commits never
	// checkpoint the WAL (wal_autocheckpoint): the checkpointer does, beside it.
	// When the WAL starts over, the writer leaves its file as long as it is (no
	// journal_size_limit): the checkpointer cuts it once the writes pause (checkpoint.go).
	// Its WAL writes go through walvfs, which writes a commit's frames in one system call.
	if err := walvfs.Register(); err != nil {
		return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
	}
	w, err := openSQLiteCached("file:" + path + "?" + pragmas + "&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(0)" +
		"&_txlock=immediate&vfs=" + walvfs.Name)
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	r, err := openSQLiteCached("file:" + path + "?" + pragmas + readPragmas)
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	// The checkpointer has a connection of its own, through walvfs (its syncs are paced) and
	// with a short busy timeout: the one checkpoint that waits for others (trimIdle's)
	// gives up rather than hold a write back.
	c, err := openSQLiteCached("file:" + path + "?_pragma=busy_timeout(" + strconv.Itoa(ckptBusyMS) + ")" + settings +
		"&vfs=" + walvfs.Name)
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
	}
	c.SetMaxOpenConns(1)
	d := &DB{Dialect: SQLite, write: w, read: r, ckptConn: c, URL: connection, Path: path}
	if err := w.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("db: sqlite %s: %w", path, err)
	}
	d.group = newGrouper(d)
	d.ckpt = newCheckpointer(d)
	d.probeKeyRowids(ctx)
	return d, nil
}

func openPostgres(ctx context.Context, connection string) (*DB, error) {
	u, err := url.Parse(connection)
	if err != nil {
		return nil, fmt.Errorf("db: bad postgresql URL: %w", urlReason(err))
	}
	u.Scheme = "postgres" // drop any "+driver" suffix oslo.db accepts
	p, err := sql.Open("pgx", u.String())
	if err != nil {
		return nil, fmt.Errorf("db: open postgresql: %w", err)
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(32)
	p.SetConnMaxIdleTime(5 * time.Minute)
	if err := p.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("db: connect postgresql %s@%s%s: %w", u.User.Username(), u.Host, u.Path, err)
	}
	return &DB{Dialect: Postgres, write: p, read: p, URL: connection}, nil
}

// SetPool sizes the PostgreSQL or MySQL pool as oslo.db's QueuePool: idle connections kept
// open, at most idle+overflow open at once, each replaced after recycle (0: kept). SQLite
// keeps its one writer and eight readers.
func (d *DB) SetPool(idle, overflow int, recycle time.Duration) {
	if !d.Dialect.Shared() {
		return
	}
	if idle < 1 {
		idle = 1
	}
	d.write.SetMaxIdleConns(idle)
	d.write.SetMaxOpenConns(idle + max(overflow, 0))
	d.write.SetConnMaxLifetime(recycle)
}

// Close closes the pools.
func (d *DB) Close() error {
	if d.group != nil {
		d.group.close()
	}
	if d.ckpt != nil {
		d.ckpt.close()
	}
	var err error
	if d.ckptConn != nil {
		err = d.ckptConn.Close()
	}
	err = errors.Join(err, d.write.Close())
	if d.read != d.write {
		err = errors.Join(err, d.read.Close())
	}
	return err
}

// Tx is one transaction.
type Tx struct {
	tx       *sql.Tx
	db       *DB
	readOnly bool
	// batched: the transaction is one request's savepoint in a group commit (group.go).
	batched bool
	values  map[any]any
	// After holds functions to run once the transaction committed.
	after []func()
	// before holds functions to run last inside the transaction, just before it commits.
	before []func() error
	// seen holds the bodies Get read in this transaction (store.go, remember).
	seen map[docRef][]byte
	// unlocked: Get takes no row lock any more (EndLocking).
	unlocked bool
	// inserted names the documents Insert stored in this transaction (Inserted).
	inserted map[docRef]struct{}
	// exclusive names the documents of share-locked kinds this transaction holds the
	// exclusive advisory lock of (sharelock.go).
	exclusive map[docRef]struct{}
	// sweep: the transaction passes over whole collections on purpose (Sweep).
	sweep bool
}

// Sweep marks the transaction as a pass over whole collections (a data conversion at start):
// reading every document of a kind is what it is for, and is not counted (DB.WholeReads).
func (t *Tx) Sweep() { t.sweep = true }

// SetValue attaches a value to the transaction (e.g. the journal's recorder).
func (t *Tx) SetValue(key, v any) {
	if t.values == nil {
		t.values = map[any]any{}
	}
	t.values[key] = v
}

// Value returns a value attached with SetValue.
func (t *Tx) Value(key any) any { return t.values[key] }

// AfterCommit registers fn to run after a successful commit.
func (t *Tx) AfterCommit(fn func()) { t.after = append(t.after, fn) }

// BeforeCommit registers fn to run last inside the transaction, once the write function
// returned without error and just before the commit (the journal draws its task ids there,
// so that it holds the task order lock only for the commit). An error fails the
// transaction as an error of the write function would.
func (t *Tx) BeforeCommit(fn func() error) { t.before = append(t.before, fn) }

// finish runs fn and then the BeforeCommit functions it registered.
func (t *Tx) finish(fn func(*Tx) error) error {
	if err := fn(t); err != nil {
		return err
	}
	for i := 0; i < len(t.before); i++ { // a function may register another
		if err := t.before[i](); err != nil {
			return err
		}
	}
	return nil
}

// Dialect returns the engine.
func (t *Tx) Dialect() Dialect { return t.db.Dialect }

// Write runs fn in a read-write transaction, retrying it on lock contention and
// serialization failures. fn must be safe to run more than once. On SQLite, writes that
// arrive together share one commit (group.go); each still succeeds or fails on its own.
func (d *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	if d.group != nil {
		return d.group.write(ctx, fn)
	}
	return d.run(ctx, d.write, false, fn)
}

// Read runs fn in a read-only transaction.
func (d *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	return d.run(ctx, d.read, true, fn)
}

func (d *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, fn func(*Tx) error) error {
	tx, err := d.attempts(ctx, pool, readOnly, fn)
	if err != nil {
		return err
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

// attempts runs fn in a transaction until it commits, retrying on contention, and returns
// the attempt that committed; its after-commit hooks are the caller's to run. A panic of fn
// rolls its transaction back before it goes on up.
//
// A write transaction is bound to a context that ctx's cancellation does not reach: its
// statements still run on ctx (a request that ends stops at its next statement, and the
// transaction rolls back), but once fn has succeeded the COMMIT is not interrupted. A
// COMMIT cut by a cancelled context (PostgreSQL's driver cancels it on the server) may have
// committed all the same while the caller is told it failed: the caller would then skip
// what must follow a commit (the journal's REST calls), leaving the NSDB behind.
func (d *DB) attempts(ctx context.Context, pool *sql.DB, readOnly bool, fn func(*Tx) error) (*Tx, error) {
	var err error
	txCtx := ctx
	if !readOnly {
		txCtx = context.WithoutCancel(ctx)
	}
	for attempt := 0; attempt < 10; attempt++ {
		if err = ctx.Err(); err != nil {
			return nil, fmt.Errorf("db: begin: %w", err)
		}
		var stx *sql.Tx
		stx, err = pool.BeginTx(txCtx, d.txOptions(readOnly))
		if err != nil {
			if retryable(err) {
				backoff(ctx, attempt)
				continue
			}
			return nil, fmt.Errorf("db: begin: %w", err)
		}
		tx := &Tx{tx: stx, db: d, readOnly: readOnly}
		err = runRollingBack(stx, fn, tx)
		if err != nil {
			_ = stx.Rollback()
			if retryable(err) {
				backoff(ctx, attempt)
				continue
			}
			return nil, err
		}
		if err = stx.Commit(); err != nil {
			if retryable(err) {
				backoff(ctx, attempt)
				continue
			}
			return nil, fmt.Errorf("db: commit: %w", err)
		}
		return tx, nil
	}
	return nil, fmt.Errorf("db: gave up after repeated contention: %w", ErrBusy{err})
}

// runRollingBack runs fn; if it panics, the transaction is rolled back first (SQLite's one
// writer connection must not stay inside it).
func runRollingBack(stx *sql.Tx, fn func(*Tx) error, tx *Tx) error {
	ok := false
	defer func() {
		if !ok {
			_ = stx.Rollback()
		}
	}()
	err := tx.finish(fn)
	ok = true
	return err
}

// ErrBusy says the database stayed contended; the API answers 503.
type ErrBusy struct{ Err error }

func (e ErrBusy) Error() string { return "database busy: " + e.Err.Error() }
func (e ErrBusy) Unwrap() error { return e.Err }

// StorageError classifies an error of the database's storage: "full" when the disk (or
// the database's space) is exhausted, "io" for another I/O failure, "" otherwise. The API
// answers both with 503: the request was fine, the server cannot store it now.
func StorageError(err error) string {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return "full"
		case sqlite3.SQLITE_IOERR:
			return "io"
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "53100": // disk_full
			return "full"
		case "58030": // io_error
			return "io"
		}
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1021, 1114: // ER_DISK_FULL, ER_RECORD_FILE_FULL ("The table is full")
			return "full"
		case 1026, 1030: // ER_ERROR_ON_WRITE, ER_GET_ERRNO (the storage engine's I/O error)
			return "io"
		}
	}
	return ""
}

func backoff(ctx context.Context, attempt int) {
	d := time.Duration(1<<min(attempt, 6)) * time.Millisecond
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func retryable(err error) bool {
	if errors.Is(err, ErrVanished) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01" || pe.Code == "55P03"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		// ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT, and MariaDB's "record has changed since last
		// read" (ER_CHECKREAD, innodb_snapshot_isolation): the transaction was rolled back or
		// must be; running it again on fresh reads is what oslo.db's retry does too.
		return me.Number == 1213 || me.Number == 1205 || me.Number == 1020
	}
	return false
}

// ReadRow runs one single-row query with ? placeholders on the read pool, outside any
// explicit transaction: one statement, atomic on its own, costs one round trip on
// PostgreSQL and MySQL where Read costs three (BEGIN, the query, COMMIT). For a check that
// reads one row ahead of a write (the read-only flag).
func (d *DB) ReadRow(ctx context.Context, q string, args ...any) *sql.Row {
	return d.read.QueryRowContext(ctx, d.rebind(q), args...)
}

// rebind turns ? placeholders into $1.. for PostgreSQL.
func (t *Tx) rebind(q string) string { return t.db.rebind(q) }

func (d *DB) rebind(q string) string {
	if d.Dialect != Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// stmtContext is the context a statement runs under: in a group commit, one that is never
// cancelled (a cancelled SQLite statement interrupts the connection, and an interrupted
// write rolls back the whole batch, other requests' work included).
func (t *Tx) stmtContext(ctx context.Context) context.Context {
	if t.batched {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// Exec runs a statement with ? placeholders.
func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx = t.stmtContext(ctx)
	return t.tx.ExecContext(ctx, t.rebind(q), args...)
}

// Query runs a query with ? placeholders.
func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx = t.stmtContext(ctx)
	return t.tx.QueryContext(ctx, t.rebind(q), args...)
}

// QueryRow runs a single-row query with ? placeholders.
func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	ctx = t.stmtContext(ctx)
	return t.tx.QueryRowContext(ctx, t.rebind(q), args...)
}

// InsertIgnore runs an INSERT INTO table (col, ...) VALUES ... that does nothing on a
// duplicate key and reports whether a row went in. It never aborts the transaction on a
// duplicate, on any engine.
func (t *Tx) InsertIgnore(ctx context.Context, q string, args ...any) (bool, error) {
	if t.db.Dialect == MySQL {
		// INSERT IGNORE counts no row for a duplicate. (ON DUPLICATE KEY UPDATE would count
		// one either way, since the connection counts matched rows.) IGNORE would also turn a
		// value too long into a truncation warning: the callers' values (ids, addresses) are
		// bounded well under the columns' sizes.
		rest, ok := strings.CutPrefix(strings.TrimSpace(q), "INSERT INTO ")
		if !ok {
			return false, fmt.Errorf("db: InsertIgnore wants an INSERT INTO statement: %q", q)
		}
		q = "INSERT IGNORE INTO " + rest
	} else {
		q += " ON CONFLICT DO NOTHING"
	}
	res, err := t.Exec(ctx, q, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// InsertID runs an INSERT into a table whose id the engine draws (BIGSERIAL, AUTO_INCREMENT,
// INTEGER PRIMARY KEY) and returns the id.
func (t *Tx) InsertID(ctx context.Context, q string, args ...any) (int64, error) {
	if t.db.Dialect == Postgres {
		var id int64
		err := t.QueryRow(ctx, q+" RETURNING id", args...).Scan(&id)
		return id, err
	}
	res, err := t.Exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// ForUpdate is the suffix that makes a SELECT lock the rows it reads against concurrent
// writers until the transaction ends ("" on SQLite, whose writer is alone).
func (t *Tx) ForUpdate() string {
	if !t.db.Dialect.Shared() {
		return ""
	}
	return " FOR UPDATE"
}

// ForShare is the suffix that makes a SELECT take a shared lock on the rows it reads: other
// transactions may read them the same way but not change them until this one ends.
func (t *Tx) ForShare() string {
	switch t.db.Dialect {
	case Postgres:
		return " FOR SHARE"
	case MySQL:
		return " LOCK IN SHARE MODE" // MariaDB has no FOR SHARE; MySQL 8 accepts both
	}
	return ""
}

// LockTaskOrder makes this transaction the only one holding the task order lock until it
// ends. PostgreSQL takes a transaction-scoped advisory lock, MySQL locks the one row of
// midonet_task_order; SQLite has one writer already. The journal takes it on MySQL only, so
// that task ids commit in id order (journal.PrepareTaskIDs); on PostgreSQL the consumer waits
// at gaps instead (journal.Reader), and the lock only serialises its other users.
func (t *Tx) LockTaskOrder(ctx context.Context) error {
	switch t.db.Dialect {
	case Postgres:
		_, err := t.Exec(ctx, "SELECT pg_advisory_xact_lock(7012)")
		return err
	case MySQL:
		var id int
		return t.QueryRow(ctx, "SELECT id FROM midonet_task_order WHERE id = 1 FOR UPDATE").Scan(&id)
	}
	return nil
}
