package neutrondb

import (
	"context"
	"database/sql"
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
