package db

import (
	"context"
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
	_, err := t.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)
	return err
}

// Upgrade applies every embedded migration newer than the current version ("upgrade head").
// Concurrent upgrades from several servers on one PostgreSQL are serialised by an advisory lock.
func (d *DB) Upgrade(ctx context.Context) (applied []string, err error) {
	ms, err := d.Migrations()
	if err != nil {
		return nil, err
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

// splitSQL splits a migration file into statements (no semicolons inside literals here).
func splitSQL(s string) []string {
	var out []string
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "--") {
			continue
		}
		lines = append(lines, l)
	}
	for _, st := range strings.Split(strings.Join(lines, "\n"), ";") {
		if st = strings.TrimSpace(st); st != "" {
			out = append(out, st)
		}
	}
	return out
}
