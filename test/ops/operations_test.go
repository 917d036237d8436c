package ops

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/test/testenv"
)

// TestVersionAndBuildInfo: `midonet --version` prints one line, and /metrics exports the same
// version as midonet_build_info.
func TestVersionAndBuildInfo(t *testing.T) {
	out, errOut, code := run(t, "--version")
	m := regexp.MustCompile(`^midonet (\S+) \(revision \S+, go[0-9.]+\S*\)\n$`).FindStringSubmatch(out)
	if code != 0 || m == nil || errOut != "" {
		t.Fatalf("--version: exit %d, %q %q", code, out, errOut)
	}
	srv := testenv.StartServer(t, testenv.Options{Config: "[DEFAULT]\nauth_strategy = noauth\n"})
	metrics := string(call(t, "GET", srv.URL+"/metrics", nil, nil).body)
	want := regexp.MustCompile(`(?m)^midonet_build_info\{goversion="go[^"]+",revision="[^"]+",version="` + regexp.QuoteMeta(m[1]) + `"\} 1$`)
	if !want.MatchString(metrics) {
		t.Errorf("no midonet_build_info for version %s in /metrics", m[1])
	}
	if len(linesWith(srv.Logs(), "serving the Neutron API", "version=", m[1])) != 1 {
		t.Errorf("the start line does not name the version:\n%s", srv.Logs())
	}
}

// health asks /healthcheck: the status and body of a GET (text or, with json, the JSON form).
func health(t *testing.T, url string, json bool) (int, string) {
	t.Helper()
	h := map[string]string{}
	if json {
		h["Accept"] = "application/json"
	}
	a := call(t, "GET", url+"/healthcheck", nil, h)
	return a.status, string(a.body)
}

// TestHealthcheck: /healthcheck answers as oslo.middleware's does — 200 "OK" (HEAD 204) and
// {"detailed": false, "reasons": ["OK"]} with Accept: application/json — and 503 naming the
// database while the server's PostgreSQL is stopped, back to 200 once it runs again. With
// [healthcheck] detailed the JSON names each check and the error.
func TestHealthcheck(t *testing.T) {
	pg := testenv.StartPrivatePostgres(t)
	srv := testenv.StartServer(t, testenv.Options{Config: "[DEFAULT]\nauth_strategy = noauth\n[healthcheck]\ndetailed = true\n" +
		"[database]\nconnection = " + pg.DSN + "\n"})
	plain := testenv.StartServer(t, testenv.Options{Config: "[DEFAULT]\nauth_strategy = noauth\n"})

	if st, body := health(t, plain.URL, false); st != 200 || body != "OK" {
		t.Errorf("healthy: %d %q, want 200 OK", st, body)
	}
	if st, body := health(t, plain.URL, true); st != 200 || strings.TrimSpace(body) != `{"detailed":false,"reasons":["OK"]}` {
		t.Errorf("healthy JSON: %d %s", st, body)
	}
	req, _ := http.NewRequest(http.MethodHead, plain.URL+"/healthcheck", nil)
	if resp, err := client.Do(req); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Errorf("HEAD: %v %v, want 204", resp, err)
	} else {
		resp.Body.Close()
	}
	if st, body := health(t, srv.URL, false); st != 200 || body != "OK" {
		t.Fatalf("healthy on PostgreSQL: %d %q", st, body)
	}

	pg.Stop()
	if st, body := health(t, srv.URL, false); st != 503 || body != "database unreachable" {
		t.Errorf("PostgreSQL stopped: %d %q, want 503 database unreachable", st, body)
	}
	st, body := health(t, srv.URL, true)
	var doc struct {
		Detailed bool
		Reasons  []struct{ Class, Reason, Details string }
		Version  map[string]any
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil || st != 503 || !doc.Detailed || len(doc.Reasons) != 2 ||
		doc.Reasons[0].Class != "DatabaseCheck" || doc.Reasons[0].Reason != "database unreachable" || doc.Reasons[0].Details == "" ||
		doc.Reasons[1].Reason != "OK" || doc.Version["version"] == nil {
		t.Errorf("PostgreSQL stopped, detailed JSON: %d %s (%v)", st, body, err)
	}
	if a := call(t, "GET", srv.URL+"/v2.0/networks", nil, admin); a.status < 500 {
		t.Errorf("the API answers %d without its database", a.status)
	}

	pg.Start(t)
	if !waitFor(20*time.Second, func() bool { st, _ := health(t, srv.URL, false); return st == 200 }) {
		st, body := health(t, srv.URL, true)
		t.Errorf("PostgreSQL back: %d %s", st, body)
	}
}

// TestHealthcheckMariaDB: the same on MariaDB: 503 "database unreachable" while the server's
// MariaDB is stopped, writes refused with a 5xx, and 200 again once it runs, on fresh
// connections (the pool's old ones died with the server).
func TestHealthcheckMariaDB(t *testing.T) {
	my := testenv.StartPrivateMariaDB(t)
	srv := testenv.StartServer(t, testenv.Options{Config: "[DEFAULT]\nauth_strategy = noauth\n[database]\nconnection = " + my.URL + "\n"})
	if st, body := health(t, srv.URL, false); st != 200 || body != "OK" {
		t.Fatalf("healthy on MariaDB: %d %q", st, body)
	}
	my.Stop()
	if st, body := health(t, srv.URL, false); st != 503 || body != "database unreachable" {
		t.Errorf("MariaDB stopped: %d %q, want 503 database unreachable", st, body)
	}
	if a := call(t, "POST", srv.URL+"/v2.0/networks", map[string]any{"network": map[string]any{"name": "while-down"}}, admin); a.status < 500 {
		t.Errorf("a write answers %d without its database", a.status)
	}
	my.Start(t)
	if !waitFor(20*time.Second, func() bool { st, _ := health(t, srv.URL, false); return st == 200 }) {
		st, body := health(t, srv.URL, true)
		t.Fatalf("MariaDB back: %d %s", st, body)
	}
	if a := call(t, "POST", srv.URL+"/v2.0/networks", map[string]any{"network": map[string]any{"name": "after"}}, admin); a.status != 201 {
		t.Errorf("a write after MariaDB came back: %d %s", a.status, a.body)
	}
}

// TestConfigCommands: `config sample` is a commented sample of every option, by section;
// `config show` prints the configuration in force with secrets masked; an empty
// configuration file says that auth_strategy defaulted to keystone, before any store is made.
func TestConfigCommands(t *testing.T) {
	out, _, code := run(t, "config", "sample")
	for _, want := range []string{"[DEFAULT]\n", "# (integer value)", "#graceful_shutdown_timeout = 60\n", "[database]\n",
		"#max_overflow = 50\n", "[midonet]\n", "#log_format = text\n", "[healthcheck]\n"} {
		if code != 0 || !strings.Contains(out, strings.TrimPrefix(want, "# ")) {
			t.Errorf("config sample (exit %d) lacks %q", code, want)
		}
	}

	dir := t.TempDir()
	conf := filepath.Join(dir, "neutron.conf")
	text := "[DEFAULT]\nauth_strategy = noauth\ndebug = true\nmystery = 1\n[database]\nconnection = postgresql://neutron:t0psecret@db.example:5432/neutron\n" +
		"[MIDONET]\npassword = alsosecret\n"
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, "config", "show", "--config-file", conf)
	if code != 0 || strings.Contains(out, "t0psecret") || strings.Contains(out, "alsosecret") ||
		!strings.Contains(out, "# set in "+conf+"\ndebug = true\n") ||
		!strings.Contains(out, "connection = postgresql://neutron:****@db.example:5432/neutron\n") ||
		!strings.Contains(errOut, "[DEFAULT] mystery") {
		t.Errorf("config show: exit %d\n%s\n%s", code, out, errOut)
	}

	empty := filepath.Join(dir, "empty.conf")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	_, errOut, code = run(t, "serve", "--data-dir", data, "--config-file", empty, "--bind-port", fmt.Sprint(0))
	if code == 0 || !strings.Contains(errOut, "auth_strategy is not set") || !strings.Contains(errOut, "so it is keystone") ||
		!strings.Contains(errOut, "auth_strategy = noauth") {
		t.Errorf("serve with an empty config: exit %d\n%s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(data, "neutron.db")); !os.IsNotExist(err) {
		t.Errorf("an empty config made a database (%v)", err)
	}
}
