package neutrondb

import (
	"context"
	"database/sql"
	"reflect"
	"strings"
	"testing"
)

// TestCopyValue reads COPY's text format.
func TestCopyValue(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{`\N`, nil},
		{`plain`, "plain"},
		{`a\tb\nc\\d`, "a\tb\nc\\d"},
		{`{"interface_name": "eth1"}`, `{"interface_name": "eth1"}`},
		{`ends\`, `ends\`},
	}
	for _, tc := range tests {
		if got := copyValue(tc.in); got != tc.want {
			t.Errorf("copyValue(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}

// TestLoadDumpErrors: a dump without rows, or with a row of the wrong width, says where.
func TestLoadDumpErrors(t *testing.T) {
	for _, tc := range []struct{ dump, want string }{
		{"CREATE TABLE x (a int);\n", "no COPY block"},
		{"COPY public.ports (id, name) FROM stdin;\n1\tone\n2\n\\.\n", "dump line 3: 1 fields for the 2 columns of ports"},
	} {
		src, err := sql.Open("sqlite", ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		src.SetMaxOpenConns(1)
		err = loadDump(context.Background(), strings.NewReader(tc.dump), src)
		src.Close()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.dump, err, tc.want)
		}
	}
}

// FuzzLoadDump: whatever a dump holds, loading it ends in rows or an error, never a panic.
func FuzzLoadDump(f *testing.F) {
	f.Add("COPY public.networks (id, name) FROM stdin;\nn1\tnet\n\\.\n")
	f.Add("COPY \"ports\" (\"id\") FROM stdin;\n\\N\n\\.\n")
	f.Add("COPY x () FROM stdin;\n\n")
	f.Fuzz(func(t *testing.T, dump string) {
		src, err := sql.Open("sqlite", ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		src.SetMaxOpenConns(1)
		_ = loadDump(context.Background(), strings.NewReader(dump), src)
	})
}

// TestParseTuples reads mysqldump's VALUES.
func TestParseTuples(t *testing.T) {
	tests := []struct {
		in      string
		want    [][]any
		wantErr string
	}{
		{`(1,'a',NULL),(2,'it\'s',_binary 'x');`, [][]any{{"1", "a", nil}, {"2", "it's", "x"}}, ""},
		{`('a\\b\nc','o''k',0x6869);`, [][]any{{"a\\b\nc", "o'k", "hi"}}, ""},
		{`('{\"interface_name\": \"eth1\"}');`, [][]any{{`{"interface_name": "eth1"}`}}, ""},
		{`(1,'unterminated);`, nil, "unterminated string"},
		{`(1,2)`, nil, "';' expected"},
		{`1,2);`, nil, "'(' expected"},
		{`(0xZZ);`, nil, "bad hex literal"},
	}
	for _, tc := range tests {
		got, err := parseTuples(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %#v %v, want %#v", tc.in, got, err, tc.want)
		}
	}
}

// TestLoadMySQLDump: rows of a mysqldump land in the scratch tables; rows of a table without
// its CREATE TABLE, or of the wrong width, say where.
func TestLoadMySQLDump(t *testing.T) {
	load := func(dump string) (*sql.DB, error) {
		src, err := sql.Open("sqlite", ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { src.Close() })
		src.SetMaxOpenConns(1)
		return src, loadMySQLDump(context.Background(), strings.NewReader(dump), src)
	}
	src, err := load("-- MariaDB dump 10.19\nCREATE TABLE `networks` (\n  `id` varchar(36) NOT NULL,\n  `name` varchar(255) DEFAULT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;\nINSERT INTO `networks` VALUES ('n1','one'),('n2',NULL);\n")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := src.QueryRow(`SELECT count(*) FROM networks WHERE name IS NULL OR name = 'one'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("rows %d, %v", n, err)
	}
	for _, tc := range []struct{ dump, want string }{
		{"INSERT INTO `ports` VALUES ('p');\n", "dump line 1: rows of ports before its CREATE TABLE"},
		{"CREATE TABLE `ports` (\n  `id` int,\n  `name` int\n);\nINSERT INTO `ports` VALUES ('p');\n", "dump line 5: 1 values for the 2 columns of ports"},
		{"-- MySQL dump\n", "no CREATE TABLE"},
	} {
		if _, err := load(tc.dump); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.dump, err, tc.want)
		}
	}
}

// FuzzParseTuples: whatever the VALUES hold, reading them ends in rows or an error.
func FuzzParseTuples(f *testing.F) {
	f.Add(`(1,'a',NULL),(2,'b\'c',_binary 'x');`)
	f.Add(`(0x41,'\\');`)
	f.Add(`(`)
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parseTuples(s)
	})
}
