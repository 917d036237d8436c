// Package neutrondb reads an upstream Neutron database — the one a networking-midonet
// deployment (monolithic v2 plugin or ML2) kept in PostgreSQL — and writes its resources into
// this server's database as the plugins store them (`midonet db-manage import`). See Import for
// what it covers.
package neutrondb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// row is one row of a query, by column name; SQL NULL is nil.
type row map[string]any

func (r row) str(k string) string {
	switch v := r[k].(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case nil:
		return ""
	}
	return fmt.Sprint(r[k])
}

// strOrNil is the string value, or nil for SQL NULL.
func (r row) strOrNil(k string) any {
	if r[k] == nil {
		return nil
	}
	return r.str(k)
}

func (r row) boolean(k string, def bool) bool {
	switch v := r[k].(type) {
	case bool:
		return v
	case int64:
		return v != 0
	case nil:
		return def
	}
	s := strings.ToLower(r.str(k))
	return s == "t" || s == "true" || s == "1"
}

func (r row) integer(k string) (int64, bool) {
	switch v := r[k].(type) {
	case int64:
		return v, true
	case int32:
		return int64(v), true
	case nil:
		return 0, false
	}
	var n int64
	_, err := fmt.Sscan(r.str(k), &n)
	return n, err == nil
}

func (r row) intOrNil(k string) any {
	if n, ok := r.integer(k); ok {
		return n
	}
	return nil
}

// timestamp renders a time column as Neutron shows it ("2006-01-02T15:04:05Z").
func (r row) timestamp(k string) string {
	switch v := r[k].(type) {
	case time.Time:
		return v.UTC().Format("2006-01-02T15:04:05Z")
	case nil:
		return time.Now().UTC().Format("2006-01-02T15:04:05Z")
	}
	s := r.str(k)
	if t, err := time.Parse("2006-01-02 15:04:05", s); err == nil {
		return t.UTC().Format("2006-01-02T15:04:05Z")
	}
	return s
}

// source is the upstream database.
type source struct {
	db     *sql.DB
	tables map[string]bool
}

func newSource(ctx context.Context, db *sql.DB) (*source, error) {
	s := &source{db: db, tables: map[string]bool{}}
	rs, err := db.QueryContext(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
	if err != nil {
		return nil, fmt.Errorf("neutrondb: list the tables: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var n string
		if err := rs.Scan(&n); err != nil {
			return nil, err
		}
		s.tables[n] = true
	}
	if !s.tables["networks"] || !s.tables["ports"] {
		return nil, fmt.Errorf("neutrondb: no networks or ports table: not a Neutron database")
	}
	return s, rs.Err()
}

// query reads every row of a query; a query on a table the database lacks (an older release,
// a plugin never installed) reads nothing.
func (s *source) query(ctx context.Context, table, q string, args ...any) ([]row, error) {
	if !s.tables[table] {
		return nil, nil
	}
	rs, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("neutrondb: read %s: %w", table, err)
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return nil, err
	}
	var out []row
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("neutrondb: read %s: %w", table, err)
		}
		r := row{}
		for i, c := range cols {
			r[c] = vals[i]
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// standard is the join that brings a resource's standard attributes.
func (s *source) standard(alias string) (cols, join string) {
	if !s.tables["standardattributes"] {
		return "NULL AS description, 0 AS revision_number, NULL AS created_at, NULL AS updated_at", ""
	}
	return "sa.description, sa.revision_number, sa.created_at, sa.updated_at",
		" LEFT JOIN standardattributes sa ON sa.id = " + alias + ".standard_attr_id"
}
