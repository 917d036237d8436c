package testenv

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// fakeServerEnv makes the test binary act as a stand-in for `midonet serve`,
// so the Server life cycle is tested without the real binary.
const fakeServerEnv = "TESTENV_FAKE_SERVE"

func TestMain(m *testing.M) {
	if os.Getenv(fakeServerEnv) == "1" {
		fakeServe(os.Args[1:])
		return
	}
	Main(m)
}

// fakeServe answers GET / with 200 and the number of starts recorded in the
// data directory, and exits 0 on SIGTERM.
func fakeServe(args []string) {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	dataDir := fs.String("data-dir", "", "")
	host := fs.String("bind-host", "", "")
	port := fs.Int("bind-port", 0, "")
	var configs []string
	fs.Func("config-file", "", func(s string) error { configs = append(configs, s); return nil })
	if len(args) == 0 || args[0] != "serve" {
		fmt.Fprintln(os.Stderr, "fake: want serve")
		os.Exit(2)
	}
	_ = fs.Parse(args[1:])
	marker := filepath.Join(*dataDir, "starts")
	old, _ := os.ReadFile(marker)
	starts := string(old) + "x"
	_ = os.WriteFile(marker, []byte(starts), 0o644)
	fmt.Fprintf(os.Stderr, "fake serve starting; configs=%d\n", len(configs))
	for _, c := range configs {
		text, _ := os.ReadFile(c)
		fmt.Fprintf(os.Stderr, "config %s\n", strings.ReplaceAll(string(text), "\n", "|"))
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, len(starts))
	})
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, "fake serve: SIGTERM")
		os.Exit(0)
	}()
	err := http.ListenAndServe(fmt.Sprintf("%s:%d", *host, *port), nil)
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

// useFakeBinary points Binary at the test binary itself.
func useFakeBinary(t *testing.T) {
	t.Helper()
	buildOnce.Do(func() { buildPath = os.Args[0] })
	if buildPath != os.Args[0] {
		t.Skip("Binary already built the real midonet in this test binary")
	}
	t.Setenv(fakeServerEnv, "1")
}

func get(t *testing.T, url string) (string, error) {
	t.Helper()
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// TestServerLifeCycle starts, stops, restarts and kills a server, checking
// that the port and data directory are kept.
func TestServerLifeCycle(t *testing.T) {
	useFakeBinary(t)
	s := StartServer(t, Options{Config: "[DEFAULT]\ndebug = true\n", Postgres: true})
	if s.DSN == "" || !strings.Contains(s.DSN, "sslmode=disable") {
		t.Errorf("DSN = %q, want a PostgreSQL DSN", s.DSN)
	}
	steps := []struct {
		name     string
		action   func()
		wantBody string // "" means the server must not answer
	}{
		{"started", func() {}, "1"},
		{"stopped", s.Stop, ""},
		{"stopped twice", s.Stop, ""},
		{"started again", func() { s.Start(t) }, "2"},
		{"killed", s.Kill, ""},
		{"started after kill", func() { s.Start(t) }, "3"},
	}
	for _, st := range steps {
		st.action()
		body, err := get(t, s.URL+"/")
		if st.wantBody == "" {
			if err == nil {
				t.Errorf("%s: server still answers: %q", st.name, body)
			}
			continue
		}
		if err != nil || body != st.wantBody {
			t.Errorf("%s: GET / = %q, %v; want %q", st.name, body, err, st.wantBody)
		}
	}
	logs := s.Logs()
	for _, want := range []string{
		"fake serve: SIGTERM",
		"config [DEFAULT]|auth_strategy = noauth||[database]|connection = postgresql://",
		"config [DEFAULT]|debug = true|",
		"configs=2",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

// TestServerNotReady checks that a server that exits early fails StartServer
// with its output.
func TestServerNotReady(t *testing.T) {
	useFakeBinary(t)
	ft := &fakeT{TB: t}
	func() {
		defer func() { _ = recover() }()
		StartServer(ft, Options{Args: []string{"--bogus-flag"}})
	}()
	if !strings.Contains(ft.fatal, "exited before it was ready") || !strings.Contains(ft.fatal, "bogus-flag") {
		t.Errorf("fatal message = %q, want the exit and the server output", ft.fatal)
	}
}

// fakeT records Fatalf instead of ending the real test.
type fakeT struct {
	testing.TB
	fatal string
}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
	panic("fatal")
}

// TestNewDatabase checks that two databases are distinct and usable: a table
// created in one is absent from the other.
func TestNewDatabase(t *testing.T) {
	admin := StartPostgres(t)
	if admin == "" {
		t.Fatal("empty admin DSN")
	}
	dsnA, dsnB := NewDatabase(t), NewDatabase(t)
	if dsnA == dsnB {
		t.Fatalf("NewDatabase returned the same DSN twice: %s", dsnA)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	open := func(dsn string) *sql.DB {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatalf("open %s: %v", dsn, err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(dsnA), open(dsnB)
	if _, err := a.ExecContext(ctx, `CREATE TABLE marker (v text)`); err != nil {
		t.Fatalf("create table in A: %v", err)
	}
	if _, err := a.ExecContext(ctx, `INSERT INTO marker VALUES ('a')`); err != nil {
		t.Fatalf("insert in A: %v", err)
	}
	tests := []struct {
		name      string
		db        *sql.DB
		wantTable bool
	}{
		{"database A has the table", a, true},
		{"database B does not", b, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var n int
			err := tc.db.QueryRowContext(ctx,
				`SELECT count(*) FROM information_schema.tables WHERE table_name = 'marker'`).Scan(&n)
			if err != nil {
				t.Fatalf("query: %v", err)
			}
			if got := n == 1; got != tc.wantTable {
				t.Errorf("table present = %v, want %v", got, tc.wantTable)
			}
		})
	}
	var name string
	if err := b.QueryRowContext(ctx, `SELECT current_database()`).Scan(&name); err != nil {
		t.Fatalf("database B unusable: %v", err)
	}
}

func TestIdentifier(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"TestFoo/sub-test", 40, "testfoo_sub_test"},
		{"abcdef", 3, "abc"},
		{"Ünïcode", 40, "_n_code"},
	}
	for _, tc := range tests {
		if got := identifier(tc.in, tc.n); got != tc.want {
			t.Errorf("identifier(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestLastLines(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"a\nb\nc\n", 2, "b\nc"},
		{"a", 5, "a"},
		{"", 3, ""},
	}
	for _, tc := range tests {
		if got := lastLines(tc.in, tc.n); got != tc.want {
			t.Errorf("lastLines(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestTailBuffer(t *testing.T) {
	b := newTailBuffer(8)
	for _, s := range []string{"0123", "4567", "89ab"} {
		b.Write([]byte(s))
	}
	if got := b.String(); len(got) > 8 || got[len(got)-1] != 'b' {
		t.Errorf("tail buffer kept %q, want at most 8 bytes ending in b", got)
	}
}

// TestNewMariaDBDatabase checks that the private MariaDB gives each test its own database,
// reachable with the URL a server gets (TCP with a password) and with the unix-socket form,
// and that a test's database is dropped when it ends.
func TestNewMariaDBDatabase(t *testing.T) {
	var names []string
	for _, form := range []string{"tcp", "socket"} {
		t.Run(form, func(t *testing.T) {
			newDB := NewMariaDBDatabase
			if form == "socket" {
				newDB = NewMariaDBSocketDatabase
			}
			url := newDB(t)
			if !strings.HasPrefix(url, "mysql+pymysql://"+mariaUser+":") || !strings.Contains(url, "charset=utf8") {
				t.Fatalf("URL %q is not in Neutron's form", url)
			}
			u, err := neturl.Parse(url)
			if err != nil {
				t.Fatalf("URL %q: %v", url, err)
			}
			name := strings.TrimPrefix(u.Path, "/")
			names = append(names, name)
			cfg := mysql.NewConfig()
			cfg.User, cfg.Passwd, cfg.DBName = mariaUser, mariaPassword, name
			cfg.Net, cfg.Addr = "tcp", fmt.Sprintf("127.0.0.1:%d", maria.port)
			if form == "socket" {
				cfg.Net, cfg.Addr = "unix", maria.socket
			}
			conn, err := mysql.NewConnector(cfg)
			if err != nil {
				t.Fatal(err)
			}
			db := sql.OpenDB(conn)
			defer db.Close()
			var got string
			if err := db.QueryRowContext(t.Context(), "SELECT DATABASE()").Scan(&got); err != nil || got != name {
				t.Fatalf("SELECT DATABASE() = %q, %v; want %q", got, err, name)
			}
		})
	}
	if len(names) != 2 || names[0] == names[1] {
		t.Fatalf("databases %v: want two distinct ones", names)
	}
	for _, name := range names {
		var n int
		if err := maria.db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("database %s is still there after its test ended", name)
		}
	}
}

// TestSyncBuffer: concurrent writers lose nothing and String shows what was written.
func TestSyncBuffer(t *testing.T) {
	var b SyncBuffer
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				_, _ = b.Write([]byte("x"))
			}
		}()
	}
	wg.Wait()
	if n := len(b.String()); n != 800 {
		t.Errorf("%d bytes, want 800", n)
	}
}
