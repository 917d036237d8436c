package db

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// mysqlOptions are the query parameters of a mysql:// URL that Open understands; oslo.db
// passes them to PyMySQL, which knows the same names. Anything else (ssl_*, read_default_file)
// is refused rather than silently dropped.
var mysqlOptions = map[string]bool{
	"charset": true, "unix_socket": true, "plugin": true,
	"connect_timeout": true, "read_timeout": true, "write_timeout": true,
}

// mysqlConfig turns an oslo.db MySQL URL (mysql+pymysql://user:pw@host:port/db?charset=utf8,
// mysql://..., ?unix_socket=/run/mysqld/mysqld.sock for a local socket) into the driver's
// configuration.
func mysqlConfig(connection string) (*mysql.Config, error) {
	u, err := url.Parse(connection)
	if err != nil {
		return nil, fmt.Errorf("db: bad mysql URL: %w", err)
	}
	if u.Opaque != "" {
		return nil, fmt.Errorf("db: bad mysql URL %q: want mysql+pymysql://user:password@host:port/database", redact(u))
	}
	cfg := mysql.NewConfig()
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	if cfg.DBName == "" || strings.Contains(cfg.DBName, "/") {
		return nil, fmt.Errorf("db: mysql URL %q names no database (want .../DATABASE)", redact(u))
	}
	q := u.Query()
	for k := range q {
		if !mysqlOptions[k] {
			return nil, fmt.Errorf("db: mysql connection option %q is not supported (known: charset, unix_socket, plugin, connect_timeout, read_timeout, write_timeout)", k)
		}
	}
	if cs := strings.ToLower(q.Get("charset")); cs != "" && cs != "utf8" && cs != "utf8mb3" && cs != "utf8mb4" {
		return nil, fmt.Errorf("db: mysql charset %q is not supported (the tables are utf8mb4; use charset=utf8 or utf8mb4)", cs)
	}
	// charset=utf8 is what Neutron's guides write; the connection uses utf8mb4 so that every
	// character a client may send (emoji in a description) is stored as sent.
	cfg.Collation = "utf8mb4_general_ci"
	for k, dst := range map[string]*time.Duration{"connect_timeout": &cfg.Timeout, "read_timeout": &cfg.ReadTimeout, "write_timeout": &cfg.WriteTimeout} {
		if v := q.Get(k); v != "" {
			secs, err := strconv.ParseFloat(v, 64)
			if err != nil || secs < 0 {
				return nil, fmt.Errorf("db: mysql %s %q: want seconds", k, v)
			}
			*dst = time.Duration(secs * float64(time.Second))
		}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if sock := q.Get("unix_socket"); sock != "" {
		cfg.Net, cfg.Addr = "unix", sock
	} else {
		host, port := u.Hostname(), u.Port()
		if host == "" {
			host = "localhost" // as PyMySQL: TCP to localhost unless a unix_socket is given
		}
		if port == "" {
			port = "3306"
		}
		cfg.Net, cfg.Addr = "tcp", net.JoinHostPort(host, port)
	}
	// Placeholders are filled in by the driver: one round trip per statement instead of
	// prepare, execute, close. Safe with utf8mb4.
	cfg.InterpolateParams = true
	// An UPDATE counts the rows it matched, as on PostgreSQL and SQLite, not only those it
	// changed: Put tells "written back unchanged" from "deleted meanwhile" (ErrVanished) by it.
	cfg.ClientFoundRows = true
	cfg.Params = map[string]string{"sql_mode": "'TRADITIONAL,NO_ENGINE_SUBSTITUTION'"}
	return cfg, nil
}

// redact prints a URL without its password.
func redact(u *url.URL) string { return u.Redacted() }

func openMySQL(ctx context.Context, connection string) (*DB, error) {
	cfg, err := mysqlConfig(connection)
	if err != nil {
		return nil, err
	}
	where := cfg.User + "@" + cfg.Addr + "/" + cfg.DBName
	// Transactions run at READ COMMITTED, as on PostgreSQL: every statement sees what has
	// committed, and locking reads (FOR UPDATE) decide conflicts. The session variable is
	// tx_isolation on MariaDB before 11.1 and transaction_isolation on MySQL 8 and later
	// MariaDB; ask the server which one it knows.
	probe, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, fmt.Errorf("db: open mysql %s: %w", where, err)
	}
	defer probe.Close()
	variable := "transaction_isolation"
	var level string
	if err := probe.QueryRowContext(ctx, "SELECT @@SESSION.transaction_isolation").Scan(&level); err != nil {
		if err2 := probe.QueryRowContext(ctx, "SELECT @@SESSION.tx_isolation").Scan(&level); err2 != nil {
			return nil, fmt.Errorf("db: connect mysql %s: %w", where, err)
		}
		variable = "tx_isolation"
	}
	cfg.Params[variable] = "'READ-COMMITTED'"
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("db: open mysql %s: %w", where, err)
	}
	p := sql.OpenDB(conn)
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(32)
	p.SetConnMaxIdleTime(5 * time.Minute)
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("db: connect mysql %s: %w", where, err)
	}
	return &DB{Dialect: MySQL, write: p, read: p, URL: connection}, nil
}

// txOptions are the options of a transaction on this engine.
func (d *DB) txOptions(readOnly bool) *sql.TxOptions {
	return &sql.TxOptions{ReadOnly: readOnly && d.Dialect.Shared()}
}
