package neutrondb

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/midonet-go/midonet/internal/db"

	_ "modernc.org/sqlite" // the scratch copy of a dump
)

// copyHeader is pg_dump's plain-format COPY line: COPY [schema.]table (columns) FROM stdin;
var copyHeader = regexp.MustCompile(`^COPY (?:"?[A-Za-z0-9_]+"?\.)?"?([A-Za-z0-9_]+)"? \(([^)]*)\) FROM stdin;$`)

// maxDumpLine bounds one line of a dump (a row of a table; upstream's widest columns are a
// few kilobytes).
const maxDumpLine = 16 << 20

// ImportDump is Import from a plain-format pg_dump file (`pg_dump -F p`, the default) or a
// mysqldump file (mysqldump.go): the rows are loaded into a scratch in-memory SQLite
// database, which is then read like the upstream database itself. Of a pg_dump only the COPY
// blocks are read (schema, indexes and INSERTs are skipped): the importer needs only the rows.
func ImportDump(ctx context.Context, r io.Reader, dst *db.DB) (Summary, error) {
	src, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, fmt.Errorf("neutrondb: scratch database: %w", err)
	}
	defer src.Close()
	src.SetMaxOpenConns(1)
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4096) // shorter at the end of a small dump; the loaders see the error
	load := loadDump
	if isMySQLDump(head) {
		load = loadMySQLDump
	}
	if err := load(ctx, br, src); err != nil {
		return nil, err
	}
	return importFrom(ctx, src, true, dst)
}

func loadDump(ctx context.Context, r io.Reader, src *sql.DB) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxDumpLine)
	line := 0
	tables := 0
	for sc.Scan() {
		line++
		m := copyHeader.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		table := m[1]
		var cols []string
		for _, c := range strings.Split(m[2], ",") {
			cols = append(cols, `"`+strings.Trim(strings.TrimSpace(c), `"`)+`"`)
		}
		defs := make([]string, len(cols))
		for i, c := range cols {
			defs[i] = c + " TEXT"
		}
		if _, err := src.ExecContext(ctx, `CREATE TABLE "`+table+`" (`+strings.Join(defs, ", ")+`)`); err != nil {
			return fmt.Errorf("neutrondb: dump line %d: table %s: %w", line, table, err)
		}
		tables++
		ins := `INSERT INTO "` + table + `" (` + strings.Join(cols, ", ") + `) VALUES (?` + strings.Repeat(", ?", len(cols)-1) + `)`
		for sc.Scan() {
			line++
			if sc.Text() == `\.` {
				break
			}
			fields := strings.Split(sc.Text(), "\t")
			if len(fields) != len(cols) {
				return fmt.Errorf("neutrondb: dump line %d: %d fields for the %d columns of %s", line, len(fields), len(cols), table)
			}
			args := make([]any, len(fields))
			for i, f := range fields {
				args[i] = copyValue(f)
			}
			if _, err := src.ExecContext(ctx, ins, args...); err != nil {
				return fmt.Errorf("neutrondb: dump line %d: %w", line, err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("neutrondb: read the dump: %w", err)
	}
	if tables == 0 {
		return fmt.Errorf("neutrondb: no COPY block in the dump: not a plain-format pg_dump of a Neutron database")
	}
	return nil
}

// copyValue reads one field of COPY's text format: \N is NULL, backslash escapes as COPY
// writes them.
func copyValue(f string) any {
	if f == `\N` {
		return nil
	}
	if !strings.Contains(f, `\`) {
		return f
	}
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '\\' || i+1 == len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		default:
			b.WriteByte(f[i])
		}
	}
	return b.String()
}
