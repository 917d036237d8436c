package testenv

import (
	"context"
	"database/sql"
	"fmt"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql" // registers the "mysql" database/sql driver
)

// mariaInstance is the MariaDB server started by StartMariaDB, one per test binary.
type mariaInstance struct {
	once   sync.Once
	err    error
	dir    string // temporary directory: data/, the socket, mariadb.log
	socket string
	port   int
	db     *sql.DB // root over the unix socket
	proc   *process
	seq    atomic.Int64
	// mariadbd and cred start the server again (a private instance's Start).
	mariadbd string
	cred     *syscall.Credential
}

var maria mariaInstance

// MariaDB's test account: the servers under test log in over TCP with a password, as a
// deployment's Neutron does; the admin connection is root over the socket.
const (
	mariaUser     = "midonet"
	mariaPassword = "midonet-test-pw"
)

// mariaInstallHint is the remedy for missing MariaDB binaries.
const mariaInstallHint = "install MariaDB with `apt-get install -y mariadb-server` (the system service is not used; tests start their own instance)"

// StartMariaDB starts, once per test binary, a private MariaDB server (mariadbd from Debian's
// mariadb-server) in a temporary directory, listening on a unix socket there and on a free
// loopback port, with an account that may create databases. When the tests run as root the
// server runs as the `mysql` OS user. Missing binaries fail the test. Main stops the server.
func StartMariaDB(t testing.TB) {
	t.Helper()
	maria.once.Do(func() { maria.err = maria.start() })
	if maria.err != nil {
		t.Fatalf("%v", maria.err)
	}
}

// NewMariaDBDatabase creates a database with a unique name on the test MariaDB (starting it
// if needed) and returns its connection URL as Neutron writes it
// (mysql+pymysql://user:pw@127.0.0.1:PORT/NAME?charset=utf8). The database is dropped when the
// test ends.
func NewMariaDBDatabase(t testing.TB) (url string) {
	t.Helper()
	name := newMariaDB(t)
	return fmt.Sprintf("mysql+pymysql://%s:%s@127.0.0.1:%d/%s?charset=utf8", mariaUser, mariaPassword, maria.port, name)
}

// NewMariaDBSocketDatabase is NewMariaDBDatabase with the unix socket form of the URL
// (mysql+pymysql://user:pw@/NAME?unix_socket=PATH&charset=utf8).
func NewMariaDBSocketDatabase(t testing.TB) (url string) {
	t.Helper()
	name := newMariaDB(t)
	return fmt.Sprintf("mysql+pymysql://%s:%s@/%s?unix_socket=%s&charset=utf8", mariaUser, mariaPassword, name, maria.socket)
}

func newMariaDB(t testing.TB) string {
	t.Helper()
	StartMariaDB(t)
	name := fmt.Sprintf("mn_%s_%d", identifier(t.Name(), 40), maria.seq.Add(1))
	tempDatabase(t, maria.db, name, "CREATE DATABASE `"+name+"`", "DROP DATABASE IF EXISTS `"+name+"`")
	return name
}

// MariaDBDriverDSN turns a URL from NewMariaDBDatabase into a DSN of the "mysql"
// database/sql driver, for tests that read the server's database directly.
func MariaDBDriverDSN(t testing.TB, url string) string {
	t.Helper()
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatalf("testenv: MariaDB URL %q: %v", url, err)
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	cfg.Net, cfg.Addr = "tcp", u.Host
	if sock := u.Query().Get("unix_socket"); sock != "" {
		cfg.Net, cfg.Addr = "unix", sock
	}
	return cfg.FormatDSN()
}

// mariaCredential returns the credential to run mariadbd with: nil unless we are root, then
// the mysql OS user's (the package creates it).
func mariaCredential() (*syscall.Credential, error) {
	return serverCredential("mysql", "MariaDB", mariaInstallHint)
}

// mariaServerArgs are mariadbd's options for a throw-away test instance: no binary log, no
// flush at commit, room for many servers' pools.
func mariaServerArgs(dir string) []string {
	return []string{
		"--no-defaults",
		"--datadir=" + filepath.Join(dir, "data"),
		// Its own temporary directory: bootstraps running side by side in /tmp collided on
		// their temporary tables' names ("Could not remove temporary table").
		"--tmpdir=" + dir,
		"--skip-name-resolve",
		"--skip-log-bin",
		"--innodb-flush-log-at-trx-commit=0",
		"--innodb-doublewrite=0",
		"--innodb-buffer-pool-size=128M",
		"--innodb-log-file-size=32M",
		"--max-connections=1000",
		"--character-set-server=utf8mb4",
		"--collation-server=utf8mb4_general_ci",
	}
}

func (m *mariaInstance) start() error {
	installDB, err := exec.LookPath("mariadb-install-db")
	if err != nil {
		return fmt.Errorf("testenv: no mariadb-install-db: %s", mariaInstallHint)
	}
	mariadbd := "/usr/sbin/mariadbd"
	if p, err := exec.LookPath("mariadbd"); err == nil {
		mariadbd = p
	} else if _, err := os.Stat(mariadbd); err != nil {
		return fmt.Errorf("testenv: no mariadbd: %s", mariaInstallHint)
	}
	cred, err := mariaCredential()
	if err != nil {
		return err
	}
	if m.dir, err = serverDir("midonet-mariadb-", cred); err != nil {
		return err
	}
	args := append(mariaServerArgs(m.dir), "--auth-root-authentication-method=normal", "--skip-test-db")
	if cred != nil {
		args = append(args, "--user=mysql")
	}
	install := exec.Command(installDB, args...)
	install.Dir = m.dir
	if out, err := install.CombinedOutput(); err != nil {
		return fmt.Errorf("testenv: mariadb-install-db: %v\n%s", err, out)
	}
	if m.port, err = freePort(); err != nil {
		return err
	}
	m.socket = filepath.Join(m.dir, "mysqld.sock")
	m.mariadbd, m.cred = mariadbd, cred
	if err := m.launch(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, q := range []string{
		"CREATE USER '" + mariaUser + "'@'%' IDENTIFIED BY '" + mariaPassword + "'",
		"GRANT ALL PRIVILEGES ON *.* TO '" + mariaUser + "'@'%'",
	} {
		if _, err := m.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("testenv: MariaDB set-up %q: %w", q, err)
		}
	}
	return nil
}

// launch starts mariadbd on an initialised data directory and waits until it answers.
func (m *mariaInstance) launch() error {
	logPath := filepath.Join(m.dir, "mariadb.log")
	cmd := exec.Command(m.mariadbd, append(mariaServerArgs(m.dir),
		"--socket="+m.socket,
		"--port="+strconv.Itoa(m.port),
		"--bind-address=127.0.0.1",
		"--pid-file="+filepath.Join(m.dir, "mariadb.pid"),
		"--log-error="+logPath,
	)...)
	cmd.Dir = m.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: m.cred}
	var err error
	if m.proc, err = startProcess(cmd); err != nil {
		return fmt.Errorf("testenv: start mariadbd: %w", err)
	}
	if m.db == nil {
		cfg := mysql.NewConfig()
		cfg.User, cfg.Net, cfg.Addr = "root", "unix", m.socket
		conn, err := mysql.NewConnector(cfg)
		if err != nil {
			return fmt.Errorf("testenv: %w", err)
		}
		m.db = sql.OpenDB(conn)
	}
	return waitServer(m.db, m.proc, "MariaDB", m.port, logPath)
}

// halt stops the server process of m, if it runs, and waits for it to exit (InnoDB's fast
// shutdown by default).
func (m *mariaInstance) halt() { haltServer(m.proc, syscall.SIGTERM, 30*time.Second) }

// stop halts m and removes its directory.
func (m *mariaInstance) stop() { stopServer(m.db, m.halt, m.dir) }

// MariaDB is a MariaDB instance of one test, which the test may stop (to see what a server
// does without its database) and start again on the same port and data.
type MariaDB struct {
	URL string // of the database "midonet" on it, in Neutron's form
	m   *mariaInstance
}

// StartPrivateMariaDB starts a MariaDB instance for this test alone, with a database
// "midonet"; it is stopped and removed when the test ends.
func StartPrivateMariaDB(t testing.TB) *MariaDB {
	t.Helper()
	m := &mariaInstance{}
	privateServer(t, m.start, m.stop, func() *sql.DB { return m.db })
	return &MariaDB{URL: fmt.Sprintf("mysql+pymysql://%s:%s@127.0.0.1:%d/midonet?charset=utf8", mariaUser, mariaPassword, m.port), m: m}
}

// Stop shuts the instance down and waits for it to exit.
func (db *MariaDB) Stop() { db.m.halt() }

// Start starts the stopped instance again and waits until it answers.
func (db *MariaDB) Start(t testing.TB) {
	t.Helper()
	if err := db.m.launch(); err != nil {
		t.Fatalf("%v", err)
	}
}

// stopMariaDB shuts the test MariaDB down and removes its directory.
func stopMariaDB() { maria.stop() }
