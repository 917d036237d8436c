package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"
)

// Prepared-statement cache for SQLite. database/sql hands a statement with arguments to the
// driver's ExecContext/QueryContext, and modernc.org/sqlite prepares it (parses the SQL,
// plans it) and finalizes it on every call: about a quarter of the writer's CPU per port
// create went to sqlite3_prepare. Each SQLite connection here keeps the statements it ran
// prepared, by their text, and runs them again from there (the driver resets a prepared
// statement after each use, so it holds no lock and no snapshot between uses).
//
// A statement whose rows are still open is not reused by a second query of the same text
// on that connection (it runs prepared afresh, as before); transaction control (BEGIN,
// savepoints) and scripts of several statements (the migrations) are not cached. A connection keeps at most maxCachedStmts statements.

// maxCachedStmts bounds the statements one connection keeps prepared (texts that vary with
// a list's length or a page's limit would otherwise accumulate).
const maxCachedStmts = 256

// sqliteDriver is the driver modernc.org/sqlite registers as "sqlite".
var sqliteDriver = sync.OnceValues(func() (driver.Driver, error) {
	d, err := sql.Open("sqlite", "")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.Driver(), nil
})

// openSQLiteCached opens a pool whose connections keep their statements prepared.
func openSQLiteCached(dsn string) (*sql.DB, error) {
	drv, err := sqliteDriver()
	if err != nil {
		return nil, fmt.Errorf("db: sqlite driver: %w", err)
	}
	return sql.OpenDB(cachingConnector{drv: drv, dsn: dsn}), nil
}

type cachingConnector struct {
	drv driver.Driver
	dsn string
}

func (c cachingConnector) Connect(context.Context) (driver.Conn, error) {
	cn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	sc, ok := cn.(sqliteConn)
	if !ok {
		_ = cn.Close()
		return nil, fmt.Errorf("db: sqlite connection %T lacks the context interfaces", cn)
	}
	return &cachedConn{sqliteConn: sc, stmts: map[string]*cachedStmt{}}, nil
}

func (c cachingConnector) Driver() driver.Driver { return c.drv }

// sqliteConn is what modernc.org/sqlite's connection implements and database/sql uses.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachedConn is one SQLite connection with its prepared statements. database/sql uses a
// connection from one goroutine at a time, so the map needs no lock.
type cachedConn struct {
	sqliteConn
	stmts map[string]*cachedStmt
}

type cachedStmt struct {
	stmt interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	}
	busy bool // rows of it are open
}

// cacheable: one statement, not a transaction's control (savepoints are named per request
// of a batch, and cost little to prepare).
func cacheable(q string, _ []driver.NamedValue) bool {
	if strings.Contains(q, ";") {
		return false
	}
	verb, _, _ := strings.Cut(strings.TrimSpace(q), " ")
	switch strings.ToUpper(verb) {
	case "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "END":
		return false
	}
	return true
}

// prepared returns the connection's prepared statement for q, preparing it first, or nil
// when q is to run unprepared (not cacheable, in use, or the cache is full of statements
// in use).
func (c *cachedConn) prepared(ctx context.Context, q string) (*cachedStmt, error) {
	if s, ok := c.stmts[q]; ok {
		if s.busy {
			return nil, nil
		}
		return s, nil
	}
	if len(c.stmts) >= maxCachedStmts && !c.evict() {
		return nil, nil
	}
	ds, err := c.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	st, ok := ds.(interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	})
	if !ok {
		_ = ds.Close()
		return nil, nil
	}
	s := &cachedStmt{stmt: st}
	c.stmts[q] = s
	return s, nil
}

// evict closes one statement not in use; it reports false when all are in use.
func (c *cachedConn) evict() bool {
	for q, s := range c.stmts {
		if !s.busy {
			_ = s.stmt.Close()
			delete(c.stmts, q)
			return true
		}
	}
	return false
}

// ExecContext runs q from its prepared statement.
func (c *cachedConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if !cacheable(q, args) {
		return c.sqliteConn.ExecContext(ctx, q, args)
	}
	s, err := c.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.sqliteConn.ExecContext(ctx, q, args)
	}
	return s.stmt.ExecContext(ctx, args)
}

// QueryContext runs q from its prepared statement; the statement is in use until its rows
// are closed.
func (c *cachedConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if !cacheable(q, args) {
		return c.sqliteConn.QueryContext(ctx, q, args)
	}
	s, err := c.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.sqliteConn.QueryContext(ctx, q, args)
	}
	rows, err := s.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	s.busy = true
	return &cachedRows{Rows: rows, s: s}, nil
}

// Close finalizes the prepared statements, then closes the connection.
func (c *cachedConn) Close() error {
	for q, s := range c.stmts {
		_ = s.stmt.Close()
		delete(c.stmts, q)
	}
	return c.sqliteConn.Close()
}

// cachedRows releases its statement when closed.
type cachedRows struct {
	driver.Rows
	s *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if r.s != nil {
		r.s.busy = false
		r.s = nil
	}
	return err
}
