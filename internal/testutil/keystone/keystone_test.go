package keystone

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestUnquote(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "'plain'", want: "plain"},
		{in: "bare", want: "bare"},
		{in: `'it'\''s'`, want: "it's"},
		{in: `"dq"`, want: "dq"},
		{in: `a\ b`, want: "a b"},
		{in: "''", want: ""},
		{in: "'open", bad: true},
		{in: `"open`, bad: true},
	}
	for _, tc := range tests {
		got, err := unquote(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("unquote(%q) = %q, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("unquote(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestReadEnvFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "env")
	body := "# Written by keystone-up.sh start.\n" +
		"export KEYSTONE_URL='http://127.0.0.1:5055'\n" +
		"export KEYSTONE_ADMIN_PASSWORD='a'\\''b'\n" +
		"not an export\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := readEnvFile(p)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"KEYSTONE_URL": "http://127.0.0.1:5055", "KEYSTONE_ADMIN_PASSWORD": "a'b"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := readEnvFile(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing file: no error")
	}
}

func TestStartAndToken(t *testing.T) {
	e := Start(t)
	if e.URL == "" || e.ServicePassword == "" || e.AdminPassword == "" || e.DemoPassword == "" {
		t.Fatalf("incomplete Env %+v", e)
	}
	if e2 := Start(t); e2 != e {
		t.Error("second Start returned a different Env")
	}
	if tok := e.Token(t, "demo", "demo"); len(tok) < 20 {
		t.Errorf("token %q looks wrong", tok)
	}
}
