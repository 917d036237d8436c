package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrations embed.FS

// Migration is one embedded schema step.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded steps for this engine, oldest first.
func (d *DB) Migrations() ([]Migration, error) {
	dir := "migrations/" + d.Dialect.String()
	if d.Dialect == Postgres {
		dir = "migrations/postgres"
	}
	// MySQL and MariaDB share one schema (the SQL there is what both accept).
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, fmt.Errorf("db: read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		v, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("db: migration %s: name must start with a number", name)
		}
		b, err := migrations.ReadFile(dir + "/" + name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Current returns the applied schema version (0 for an empty database).
func (d *DB) Current(ctx context.Context) (int, error) {
	var v int
	err := d.Write(ctx, func(tx *Tx) error {
		if err := tx.ensureVersionTable(ctx); err != nil {
			return err
		}
		return tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	})
	return v, err
}

func (t *Tx) ensureVersionTable(ctx context.Context) error {
	_, err := t.Exec(ctx, versionTableSQL)
	return err
}

// versionTableSQL creates the table of applied migrations; the same SQL serves every engine.
const versionTableSQL = `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`

// Upgrade applies every embedded migration newer than the current version ("upgrade head").
// Concurrent upgrades from several servers on one PostgreSQL are serialised by an advisory
// lock, on one MySQL by a named lock (GET_LOCK).
func (d *DB) Upgrade(ctx context.Context) (applied []string, err error) {
	applied, err = d.upgrade(ctx)
	if err != nil {
		return applied, err
	}
	d.probeKeyRowids(ctx)
	// The key index follows the catalogue (a no-op when it already does).
	if _, err := d.SyncKeys(ctx); err != nil {
		return applied, err
	}
	return applied, d.FoldCounts(ctx)
}

func (d *DB) upgrade(ctx context.Context) (applied []string, err error) {
	ms, err := d.Migrations()
	if err != nil {
		return nil, err
	}
	if d.Dialect == MySQL {
		return d.upgradeMySQL(ctx, ms)
	}
	err = d.Write(ctx, func(tx *Tx) error {
		applied = applied[:0]
		if d.Dialect == Postgres {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(7011)"); err != nil {
				return fmt.Errorf("db: migration lock: %w", err)
			}
		}
		if err := tx.ensureVersionTable(ctx); err != nil {
			return fmt.Errorf("db: schema_migrations: %w", err)
		}
		var cur int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&cur); err != nil {
			return err
		}
		for _, m := range ms {
			if m.Version <= cur {
				continue
			}
			for _, stmt := range splitSQL(m.SQL) {
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("db: migration %s: %w", m.Name, err)
				}
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
				return err
			}
			applied = append(applied, m.Name)
		}
		return nil
	})
	return applied, err
}

// upgradeMySQL applies migrations on MySQL, where every CREATE TABLE commits on its own: a
// migration cannot be one transaction, so its statements are written to be run again (see
// migrations/mysql) and the version row is written once all of them ran. One connection holds
// the named lock, so servers starting together on one database upgrade one after the other.
func (d *DB) upgradeMySQL(ctx context.Context, ms []Migration) (applied []string, err error) {
	conn, err := d.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: migration connection: %w", err)
	}
	defer conn.Close()
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK('midonet_schema_upgrade', 600)").Scan(&got); err != nil {
		return nil, fmt.Errorf("db: migration lock: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		return nil, fmt.Errorf("db: migration lock: another upgrade held midonet_schema_upgrade for 10 minutes")
	}
	defer func() {
		// A fresh context: the lock must go even when ctx was cancelled.
		rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = conn.ExecContext(rctx, "SELECT RELEASE_LOCK('midonet_schema_upgrade')")
	}()
	if _, err := conn.ExecContext(ctx, versionTableSQL); err != nil {
		return nil, fmt.Errorf("db: schema_migrations: %w", err)
	}
	var cur int
	if err := conn.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&cur); err != nil {
		return nil, fmt.Errorf("db: schema_migrations: %w", err)
	}
	for _, m := range ms {
		if m.Version <= cur {
			continue
		}
		for _, stmt := range splitSQL(m.SQL) {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				return applied, fmt.Errorf("db: migration %s: %w", m.Name, err)
			}
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return applied, fmt.Errorf("db: migration %s: %w", m.Name, err)
		}
		applied = append(applied, m.Name)
	}
	return applied, nil
}

// splitSQL splits a migration file into statements (no semicolons inside literals here).
// A statement ends at a semicolon outside a dollar-quoted body ($$ … $$, a PostgreSQL
// function's) and outside a SQLite trigger's BEGIN … END.
func splitSQL(s string) []string {
	var out []string
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "--") {
			continue
		}
		lines = append(lines, l)
	}
	rest := strings.Join(lines, "\n")
	start, quoted := 0, false
	for i := 0; i < len(rest); i++ {
		switch {
		case strings.HasPrefix(rest[i:], "$$"):
			quoted = !quoted
			i++
		case rest[i] == ';' && !quoted:
			st := strings.TrimSpace(rest[start:i])
			if inTriggerBody(st) {
				continue
			}
			if st != "" {
				out = append(out, st)
			}
			start = i + 1
		}
	}
	if st := strings.TrimSpace(rest[start:]); st != "" {
		out = append(out, st)
	}
	return out
}

// inTriggerBody reports whether st, the text of a statement up to a semicolon, is a SQLite
// CREATE TRIGGER whose BEGIN … END body is not closed yet.
func inTriggerBody(st string) bool {
	up := strings.ToUpper(st)
	if !strings.HasPrefix(up, "CREATE TRIGGER") || !strings.Contains(up, " BEGIN") {
		return false
	}
	body, closed := strings.CutSuffix(up, "END") // the keyword END, not a word ending so
	return !closed || body != "" && !strings.ContainsAny(body[len(body)-1:], " \t\n;")
}
