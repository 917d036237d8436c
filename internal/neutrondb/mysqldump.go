package neutrondb

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// A mysqldump file (MySQL's or MariaDB's, the default options: CREATE TABLE statements, then
// extended INSERTs of the rows) is read like a pg_dump: the rows go to a scratch SQLite
// database, every value as text, which importFrom then reads like the upstream database.

var (
	myCreate = regexp.MustCompile("^CREATE TABLE (?:IF NOT EXISTS )?`([A-Za-z0-9_]+)` \\($")
	myColumn = regexp.MustCompile("^\\s+`([A-Za-z0-9_]+)` ")
	myInsert = regexp.MustCompile("^(?:INSERT|REPLACE) (?:IGNORE )?INTO `([A-Za-z0-9_]+)` (?:\\(([^)]*)\\) )?VALUES ")
)

// isMySQLDump reports whether the start of a dump is mysqldump's.
func isMySQLDump(head []byte) bool {
	s := string(head)
	return strings.Contains(s, "-- MySQL dump") || strings.Contains(s, "-- MariaDB dump") || strings.Contains(s, "INSERT INTO `")
}

// loadMySQLDump loads the rows of a mysqldump file into src.
func loadMySQLDump(ctx context.Context, r io.Reader, src *sql.DB) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxDumpLine)
	columns := map[string][]string{} // the columns of each CREATE TABLE, in order
	line, rows := 0, 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if m := myCreate.FindStringSubmatch(text); m != nil {
			table := m[1]
			var cols []string
			for sc.Scan() {
				line++
				if c := myColumn.FindStringSubmatch(sc.Text()); c != nil {
					cols = append(cols, c[1])
					continue
				}
				if strings.HasPrefix(sc.Text(), ")") {
					break
				}
			}
			if len(cols) == 0 {
				return fmt.Errorf("neutrondb: dump line %d: table %s has no columns", line, table)
			}
			if _, dup := columns[table]; dup {
				return fmt.Errorf("neutrondb: dump line %d: table %s created twice", line, table)
			}
			columns[table] = cols
			defs := make([]string, len(cols))
			for i, c := range cols {
				defs[i] = `"` + c + `" TEXT`
			}
			if _, err := src.ExecContext(ctx, `CREATE TABLE "`+table+`" (`+strings.Join(defs, ", ")+`)`); err != nil {
				return fmt.Errorf("neutrondb: dump line %d: table %s: %w", line, table, err)
			}
			continue
		}
		m := myInsert.FindStringSubmatchIndex(text)
		if m == nil {
			continue
		}
		table := text[m[2]:m[3]]
		cols := columns[table]
		if m[4] >= 0 { // an explicit column list (--complete-insert)
			cols = nil
			for _, c := range strings.Split(text[m[4]:m[5]], ",") {
				cols = append(cols, strings.Trim(strings.TrimSpace(c), "`"))
			}
		}
		if len(cols) == 0 {
			return fmt.Errorf("neutrondb: dump line %d: rows of %s before its CREATE TABLE", line, table)
		}
		tuples, err := parseTuples(text[m[1]:])
		if err != nil {
			return fmt.Errorf("neutrondb: dump line %d: %w", line, err)
		}
		quoted := make([]string, len(cols))
		for i, c := range cols {
			quoted[i] = `"` + c + `"`
		}
		ins := `INSERT INTO "` + table + `" (` + strings.Join(quoted, ", ") + `) VALUES (?` + strings.Repeat(", ?", len(cols)-1) + `)`
		for _, t := range tuples {
			if len(t) != len(cols) {
				return fmt.Errorf("neutrondb: dump line %d: %d values for the %d columns of %s", line, len(t), len(cols), table)
			}
			if _, err := src.ExecContext(ctx, ins, t...); err != nil {
				return fmt.Errorf("neutrondb: dump line %d: %w", line, err)
			}
			rows++
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("neutrondb: read the dump: %w", err)
	}
	if len(columns) == 0 {
		return fmt.Errorf("neutrondb: no CREATE TABLE in the dump: not a mysqldump of a Neutron database")
	}
	return nil
}

// parseTuples reads the VALUES of an INSERT: (v, …),(v, …); with NULL, numbers and other
// bare words, 'quoted strings' with MySQL's backslash escapes, _binary '…' and 0x… literals.
func parseTuples(s string) ([][]any, error) {
	var out [][]any
	i := 0
	for {
		if i >= len(s) || s[i] != '(' {
			return nil, fmt.Errorf("VALUES: '(' expected at offset %d", i)
		}
		i++
		var tuple []any
		for {
			v, n, err := parseValue(s[i:])
			if err != nil {
				return nil, fmt.Errorf("VALUES at offset %d: %w", i, err)
			}
			tuple = append(tuple, v)
			i += n
			if i >= len(s) {
				return nil, fmt.Errorf("VALUES: unterminated row")
			}
			if s[i] == ',' {
				i++
				continue
			}
			if s[i] == ')' {
				i++
				break
			}
			return nil, fmt.Errorf("VALUES: ',' or ')' expected at offset %d", i)
		}
		out = append(out, tuple)
		switch {
		case i < len(s) && s[i] == ',':
			i++
		case i < len(s) && s[i] == ';':
			return out, nil
		default:
			return nil, fmt.Errorf("VALUES: ',' or ';' expected at offset %d", i)
		}
	}
}

// parseValue reads one value at the start of s and how many bytes it took.
func parseValue(s string) (any, int, error) {
	if strings.HasPrefix(s, "_binary ") {
		v, n, err := parseValue(s[len("_binary "):])
		return v, n + len("_binary "), err
	}
	if s != "" && s[0] == '\'' {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			switch c := s[i]; {
			case c == '\\' && i+1 < len(s):
				i++
				switch s[i] {
				case '0':
					b.WriteByte(0)
				case 'n':
					b.WriteByte('\n')
				case 'r':
					b.WriteByte('\r')
				case 't':
					b.WriteByte('\t')
				case 'b':
					b.WriteByte('\b')
				case 'Z':
					b.WriteByte(26)
				default:
					b.WriteByte(s[i])
				}
			case c == '\'' && i+1 < len(s) && s[i+1] == '\'':
				b.WriteByte('\'')
				i++
			case c == '\'':
				return b.String(), i + 1, nil
			default:
				b.WriteByte(c)
			}
		}
		return nil, 0, fmt.Errorf("unterminated string")
	}
	n := strings.IndexAny(s, ",)")
	if n <= 0 {
		return nil, 0, fmt.Errorf("a value expected")
	}
	word := strings.TrimSpace(s[:n])
	switch {
	case strings.EqualFold(word, "NULL"):
		return nil, n, nil
	case strings.HasPrefix(word, "0x") || strings.HasPrefix(word, "0X"):
		raw, err := hex.DecodeString(word[2:])
		if err != nil {
			return nil, 0, fmt.Errorf("bad hex literal %q", word)
		}
		return string(raw), n, nil
	}
	return word, n, nil
}
