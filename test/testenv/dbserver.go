package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// What the PostgreSQL and MariaDB instances of the tests share: the OS user a server runs
// as under root, its temporary directory, the wait until it answers, its shutdown, and the
// databases made on it.

// serverCredential returns the credential to run a database server with: nil unless we are
// root, then the credential of the OS user the server's package creates (name), which
// server and hint name in the error when the user is missing.
func serverCredential(name, server, hint string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("testenv: running as root, %s runs as the %s OS user, which is missing (%v): %s", server, name, err, hint)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("testenv: %s user has a non-numeric uid/gid %q/%q", name, u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// serverDir makes the temporary directory of a server instance, owned by cred's user when
// there is one (then under /tmp, which that user reaches, unlike a root-only TMPDIR).
func serverDir(prefix string, cred *syscall.Credential) (string, error) {
	base := "" // os.TempDir()
	if cred != nil {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, prefix)
	if err != nil {
		return "", fmt.Errorf("testenv: %w", err)
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return dir, fmt.Errorf("testenv: chown %s: %w", dir, err)
		}
	}
	return dir, nil
}

// waitServer waits (up to a minute) until db answers; a server that exits or never answers
// fails with the end of its log.
func waitServer(db *sql.DB, proc *process, server string, port int, logPath string) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := db.PingContext(ctx)
		cancel()
		if err == nil {
			return nil
		}
		if proc.exited() || time.Now().After(deadline) {
			logText, _ := os.ReadFile(logPath)
			return fmt.Errorf("testenv: %s on port %d did not come up: %v\n%s", server, port, err, lastLines(string(logText), 30))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// haltServer stops a server process, if one runs: sig (its fast shutdown), then SIGKILL
// after grace; it waits for the exit.
func haltServer(proc *process, sig syscall.Signal, grace time.Duration) {
	if proc == nil {
		return
	}
	proc.signal(sig)
	select {
	case <-proc.done:
	case <-time.After(grace):
		proc.signal(syscall.SIGKILL)
		<-proc.done
	}
}

// stopServer closes the admin connection, halts the server and removes its directory.
func stopServer(db *sql.DB, halt func(), dir string) {
	if db != nil {
		_ = db.Close()
	}
	halt()
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
}

// execOrFail runs one admin statement (within 30 seconds), failing the test on an error.
func execOrFail(t testing.TB, db *sql.DB, what, query string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, query); err != nil {
		t.Fatalf("testenv: %s: %v", what, err)
	}
}

// tempDatabase creates a database with create and drops it with drop when the test ends.
func tempDatabase(t testing.TB, db *sql.DB, name, create, drop string) {
	t.Helper()
	execOrFail(t, db, "create database "+name, create)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = db.ExecContext(ctx, drop)
	})
}

// privateServer starts a server instance for one test (start fills db), stopped and
// removed when the test ends, with a database "midonet".
func privateServer(t testing.TB, start func() error, stop func(), db func() *sql.DB) {
	t.Helper()
	err := start()
	t.Cleanup(stop)
	if err != nil {
		t.Fatalf("%v", err)
	}
	execOrFail(t, db(), "create database midonet", "CREATE DATABASE midonet")
}
