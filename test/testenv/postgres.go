package testenv

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// pgInstance is the PostgreSQL started by StartPostgres, one per test binary.
type pgInstance struct {
	once  sync.Once
	err   error
	dir   string // temporary directory: data/, the socket, postgres.log
	admin string // admin DSN
	port  int
	db    *sql.DB
	proc  *process
	seq   atomic.Int64
	// binDir and cred start the server again (a private instance's Start).
	binDir string
	cred   *syscall.Credential
}

var pg pgInstance

// pgInstallHint is the remedy for missing PostgreSQL binaries.
const pgInstallHint = "install PostgreSQL with `apt-get install -y postgresql` (the system service is not used; tests start their own instance)"

// StartPostgres starts, once per test binary, a private PostgreSQL server in a
// temporary directory on a free loopback port with trust authentication, and
// returns its admin DSN (user postgres, database postgres). When the tests run
// as root the server runs as the `postgres` OS user, since initdb refuses
// root. Missing PostgreSQL binaries fail the test. Main stops the server.
func StartPostgres(t testing.TB) (adminDSN string) {
	t.Helper()
	pg.once.Do(func() { pg.err = pg.start() })
	if pg.err != nil {
		t.Fatalf("%v", pg.err)
	}
	return pg.admin
}

// NewDatabase creates a database with a unique name on the test PostgreSQL
// (starting it if needed) and returns its DSN. The database is dropped when
// the test ends.
func NewDatabase(t testing.TB) (dsn string) {
	t.Helper()
	StartPostgres(t)
	name := fmt.Sprintf("mn_%s_%d", identifier(t.Name(), 40), pg.seq.Add(1))
	tempDatabase(t, pg.db, name, `CREATE DATABASE "`+name+`"`, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`)
	return pgDSN(pg.port, name)
}

// Main runs the tests, then stops the PostgreSQL started by StartPostgres and the MariaDB
// started by StartMariaDB and removes the binary built by Binary. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	stopPostgres()
	stopMariaDB()
	removeBinary()
	os.Exit(code)
}

func pgDSN(port int, dbname string) string {
	return fmt.Sprintf("postgresql://postgres@127.0.0.1:%d/%s?sslmode=disable", port, dbname)
}

// identifier turns s into a lower-case SQL identifier fragment of at most n
// bytes.
func identifier(s string, n int) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if b.Len() >= n {
			break
		}
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// pgBinDir returns the directory holding initdb and postgres: the newest
// /usr/lib/postgresql/<version>/bin, or MIDONET_PG_BINDIR.
func pgBinDir() (string, error) {
	if dir := os.Getenv("MIDONET_PG_BINDIR"); dir != "" {
		return dir, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	var dirs []string
	for _, m := range matches {
		if _, err := os.Stat(filepath.Join(filepath.Dir(m), "initdb")); err == nil {
			dirs = append(dirs, filepath.Dir(m))
		}
	}
	if len(dirs) == 0 {
		return "", fmt.Errorf("testenv: no PostgreSQL server binaries (initdb, postgres) in /usr/lib/postgresql/*/bin: %s", pgInstallHint)
	}
	version := func(dir string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
		return v
	}
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	return dirs[0], nil
}

// pgCredential returns the credential to run PostgreSQL with: nil unless we are root, then
// the postgres OS user's (initdb refuses root).
func pgCredential() (*syscall.Credential, error) {
	return serverCredential("postgres", "PostgreSQL", pgInstallHint)
}

func (p *pgInstance) start() error {
	binDir, err := pgBinDir()
	if err != nil {
		return err
	}
	cred, err := pgCredential()
	if err != nil {
		return err
	}
	if p.dir, err = serverDir("midonet-pg-", cred); err != nil {
		return err
	}
	data := filepath.Join(p.dir, "data")
	initdb := exec.Command(filepath.Join(binDir, "initdb"),
		"-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.Dir = p.dir
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("testenv: initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	p.port = port
	p.binDir, p.cred = binDir, cred
	return p.launch()
}

// launch starts the postgres server of an initialised instance and waits until it answers.
func (p *pgInstance) launch() error {
	binDir, cred, port, data := p.binDir, p.cred, p.port, filepath.Join(p.dir, "data")
	logPath := filepath.Join(p.dir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("testenv: %w", err)
	}
	defer logFile.Close() // the child keeps its own descriptor
	cmd := exec.Command(filepath.Join(binDir, "postgres"),
		"-D", data,
		"-p", strconv.Itoa(port),
		"-k", p.dir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "max_connections=300",
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "dynamic_shared_memory_type=mmap",
	)
	cmd.Dir = p.dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if p.proc, err = startProcess(cmd); err != nil {
		return fmt.Errorf("testenv: start postgres: %w", err)
	}
	p.admin = pgDSN(port, "postgres")
	if p.db == nil {
		if p.db, err = sql.Open("pgx", p.admin); err != nil {
			return fmt.Errorf("testenv: %w", err)
		}
	}
	return waitServer(p.db, p.proc, "PostgreSQL", port, logPath)
}

// Postgres is a PostgreSQL instance of one test, which the test may stop (to see what a
// server does without its database) and start again on the same port and data.
type Postgres struct {
	DSN string // of the database "midonet" on it
	p   *pgInstance
}

// StartPrivatePostgres starts a PostgreSQL instance for this test alone, with a database
// "midonet"; it is stopped and removed when the test ends.
func StartPrivatePostgres(t testing.TB) *Postgres {
	t.Helper()
	p := &pgInstance{}
	privateServer(t, p.start, p.stop, func() *sql.DB { return p.db })
	return &Postgres{DSN: pgDSN(p.port, "midonet"), p: p}
}

// Stop shuts the instance down (fast shutdown: sessions are cut) and waits for it to exit.
func (pg *Postgres) Stop() { pg.p.halt() }

// Start starts the stopped instance again and waits until it answers.
func (pg *Postgres) Start(t testing.TB) {
	t.Helper()
	if err := pg.p.launch(); err != nil {
		t.Fatalf("%v", err)
	}
}

// halt stops the server process of p, if it runs (fast shutdown: sessions are cut).
func (p *pgInstance) halt() { haltServer(p.proc, syscall.SIGINT, 20*time.Second) }

// stop halts p and removes its directory.
func (p *pgInstance) stop() { stopServer(p.db, p.halt, p.dir) }

// stopPostgres shuts the test PostgreSQL down (fast shutdown) and removes its directory.
func stopPostgres() { pg.stop() }
