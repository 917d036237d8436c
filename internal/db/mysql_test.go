package db

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

func TestMySQLConfig(t *testing.T) {
	for _, c := range []struct {
		name, url                    string
		net, addr, user, pass, dbase string
		timeout                      time.Duration
		err                          string
	}{
		{name: "neutron's form", url: "mysql+pymysql://neutron:secret@db.example:3307/neutron?charset=utf8",
			net: "tcp", addr: "db.example:3307", user: "neutron", pass: "secret", dbase: "neutron"},
		{name: "plain mysql, default port", url: "mysql://neutron:secret@10.0.0.5/neutron",
			net: "tcp", addr: "10.0.0.5:3306", user: "neutron", pass: "secret", dbase: "neutron"},
		{name: "no host is localhost", url: "mysql+pymysql://u:p@/n?charset=utf8mb4",
			net: "tcp", addr: "localhost:3306", user: "u", pass: "p", dbase: "n"},
		{name: "unix socket", url: "mysql+pymysql://u:p@/neutron?unix_socket=/run/mysqld/mysqld.sock&charset=utf8",
			net: "unix", addr: "/run/mysqld/mysqld.sock", user: "u", pass: "p", dbase: "neutron"},
		{name: "ipv6 host", url: "mysql+pymysql://u:p@[fd00::5]:3306/n",
			net: "tcp", addr: "[fd00::5]:3306", user: "u", pass: "p", dbase: "n"},
		{name: "escaped password", url: "mysql+pymysql://u:p%40ss%2Fw@h/n",
			net: "tcp", addr: "h:3306", user: "u", pass: "p@ss/w", dbase: "n"},
		{name: "devstack's dbcounter plugin is ignored", url: "mysql+pymysql://u:p@h/n?charset=utf8&plugin=dbcounter",
			net: "tcp", addr: "h:3306", user: "u", pass: "p", dbase: "n"},
		{name: "connect timeout", url: "mysql+pymysql://u:p@h/n?connect_timeout=3",
			net: "tcp", addr: "h:3306", user: "u", pass: "p", dbase: "n", timeout: 3 * time.Second},
		{name: "mariadb scheme", url: "mariadb+pymysql://u:p@h/n",
			net: "tcp", addr: "h:3306", user: "u", pass: "p", dbase: "n"},
		{name: "no database", url: "mysql+pymysql://u:p@h/", err: "names no database"},
		{name: "tls options refused", url: "mysql+pymysql://u:p@h/n?ssl_ca=/etc/ca.pem", err: `"ssl_ca" is not supported`},
		{name: "other charset", url: "mysql+pymysql://u:p@h/n?charset=latin1", err: `charset "latin1"`},
		{name: "bad timeout", url: "mysql+pymysql://u:p@h/n?read_timeout=soon", err: "want seconds"},
		{name: "password not echoed", url: "mysql+pymysql://u:topsecret@h", err: "names no database"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := mysqlConfig(c.url)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("mysqlConfig(%q) = %v, want an error containing %q", c.url, err, c.err)
				}
				if strings.Contains(err.Error(), "topsecret") {
					t.Fatalf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("mysqlConfig(%q): %v", c.url, err)
			}
			if cfg.Net != c.net || cfg.Addr != c.addr || cfg.User != c.user || cfg.Passwd != c.pass || cfg.DBName != c.dbase {
				t.Fatalf("mysqlConfig(%q) = %s %s %s:%s /%s, want %s %s %s:%s /%s", c.url,
					cfg.Net, cfg.Addr, cfg.User, cfg.Passwd, cfg.DBName, c.net, c.addr, c.user, c.pass, c.dbase)
			}
			if !strings.HasPrefix(cfg.Collation, "utf8mb4") {
				t.Errorf("collation %q: want utf8mb4 whatever charset the URL names", cfg.Collation)
			}
			if c.timeout != 0 && cfg.Timeout != c.timeout {
				t.Errorf("connect timeout %v, want %v", cfg.Timeout, c.timeout)
			}
		})
	}
}

func TestMySQLErrorClasses(t *testing.T) {
	for _, c := range []struct {
		number    uint16
		retryable bool
		storage   string
	}{
		{1213, true, ""},  // deadlock
		{1205, true, ""},  // lock wait timeout
		{1062, false, ""}, // duplicate key: an answer, not contention
		{1114, false, "full"},
		{1021, false, "full"},
		{1026, false, "io"},
	} {
		err := fmt.Errorf("db: insert: %w", &mysql.MySQLError{Number: c.number, Message: "x"})
		if got := retryable(err); got != c.retryable {
			t.Errorf("retryable(%d) = %v, want %v", c.number, got, c.retryable)
		}
		if got := StorageError(err); got != c.storage {
			t.Errorf("StorageError(%d) = %q, want %q", c.number, got, c.storage)
		}
	}
	if retryable(errors.New("mysql: 1213")) {
		t.Error("a plain error is not contention")
	}
}

// TestMigrationsAlignedAcrossEngines: every engine has the same numbered migrations, so a
// schema change made for one is not forgotten for another and `db-manage current` means the
// same on all three.
func TestMigrationsAlignedAcrossEngines(t *testing.T) {
	versions := map[Dialect][]int{}
	for _, d := range []Dialect{SQLite, Postgres, MySQL} {
		ms, err := (&DB{Dialect: d}).Migrations()
		if err != nil || len(ms) == 0 {
			t.Fatalf("%v: migrations %v, %v", d, ms, err)
		}
		for _, m := range ms {
			versions[d] = append(versions[d], m.Version)
		}
	}
	for _, d := range []Dialect{Postgres, MySQL} {
		if fmt.Sprint(versions[d]) != fmt.Sprint(versions[SQLite]) {
			t.Errorf("%v migrations %v, sqlite %v: every engine needs each version", d, versions[d], versions[SQLite])
		}
	}
}

func TestDriverLogGoesThroughTheServerLog(t *testing.T) {
	var buf strings.Builder
	driverLog{slog.New(slog.NewTextHandler(&buf, nil))}.Print("connection.go:808 closing bad idle connection: EOF\n")
	if got := buf.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, `msg="mysql driver: connection.go:808 closing bad idle connection: EOF"`) {
		t.Fatalf("logged %q", got)
	}
}

// FuzzMySQLConfig: any connection string is parsed without a panic, and an error never
// shows the password (it ends up in logs).
func FuzzMySQLConfig(f *testing.F) {
	for _, s := range []string{
		"mysql+pymysql://neutron:pw@db:3306/neutron?charset=utf8",
		"mysql://u:p@/n?unix_socket=/run/mysqld/mysqld.sock",
		"mysql+pymysql://u:p@[::1]:3306/n?connect_timeout=1.5&plugin=dbcounter",
		"mysql://u:p@h/n?ssl_ca=x", "mysql:opaque", "mysql://%zz",
	} {
		f.Add(s, "s3cretPW")
	}
	f.Fuzz(func(t *testing.T, url, password string) {
		if len(password) < 6 || strings.ContainsAny(password, "@/:?#%[]") {
			return
		}
		full := strings.Replace(url, ":p@", ":"+password+"@", 1)
		cfg, err := mysqlConfig(full)
		if err != nil {
			if strings.Contains(full, ":"+password+"@") && strings.Contains(err.Error(), password) {
				t.Fatalf("error shows the password: %v", err)
			}
			return
		}
		if cfg.Net != "tcp" && cfg.Net != "unix" {
			t.Fatalf("network %q", cfg.Net)
		}
	})
}

// TestOpenErrorsHideThePassword: a URL Open cannot use is named in the error without its
// password, whatever is wrong with it.
func TestOpenErrorsHideThePassword(t *testing.T) {
	for _, url := range []string{
		"mysq://neutron:Pw0rd-S3cret@db/neutron",              // a typo in the scheme
		"mysql+pymysql://neutron:Pw0rd-S3cret@db:port/n",      // a bad port
		"postgresql://neutron:Pw0rd-S3cret@db:port/neutron",   // the same on PostgreSQL
		"mysql+pymysql://neutron:Pw0rd-S3cret@db/n?ssl_key=k", // an option refused
	} {
		_, err := Open(t.Context(), url, t.TempDir())
		if err == nil {
			t.Fatalf("Open(%q) succeeded", url)
		}
		if strings.Contains(err.Error(), "Pw0rd-S3cret") {
			t.Errorf("Open(%q): the error shows the password: %v", url, err)
		}
	}
}

// TestSplitSQLKeepsDollarQuotedBodies: a function's body ($$ … $$) is one statement with
// its semicolons; comment lines go.
func TestSplitSQLKeepsDollarQuotedBodies(t *testing.T) {
	got := splitSQL("-- a comment; with a semicolon\nCREATE TABLE a (x INT);\nCREATE FUNCTION f() RETURNS INT LANGUAGE plpgsql AS $$\nBEGIN\n    PERFORM 1;\n    RETURN 2;\nEND\n$$;\nDROP TABLE b")
	want := []string{"CREATE TABLE a (x INT)", "CREATE FUNCTION f() RETURNS INT LANGUAGE plpgsql AS $$\nBEGIN\n    PERFORM 1;\n    RETURN 2;\nEND\n$$", "DROP TABLE b"}
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Errorf("splitSQL = %q\nwant %q", got, want)
	}
}

// TestSplitSQLKeepsTriggerBodies: a SQLite trigger's BEGIN … END is one statement with its
// semicolons.
func TestSplitSQLKeepsTriggerBodies(t *testing.T) {
	trigger := "CREATE TRIGGER t AFTER INSERT ON a WHEN NEW.x > 0 BEGIN\n    UPDATE b SET n = n + 1;\n    UPDATE c SET y = legend;\nEND"
	got := splitSQL("CREATE TABLE a (x INT);\n" + trigger + ";\nINSERT INTO a VALUES (1);")
	want := []string{"CREATE TABLE a (x INT)", trigger, "INSERT INTO a VALUES (1)"}
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Errorf("splitSQL = %q\nwant %q", got, want)
	}
}
