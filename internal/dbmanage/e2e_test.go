package dbmanage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"io"
	"net/http"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/dbmanage"
	"github.com/midonet-go/midonet/internal/journal"
	"github.com/midonet-go/midonet/test/testenv"
)

// cli runs `midonet db-manage` against a server's database.
type cli struct {
	t    *testing.T
	bin  string
	args []string // --data-dir or --config-file
}

func newCLI(t *testing.T, s *testenv.Server) *cli {
	t.Helper()
	return cliFor(t, s.DataDir, s.DSN)
}

// cliFor points db-manage at a PostgreSQL DSN, or else at the SQLite file of dataDir.
func cliFor(t *testing.T, dataDir, dsn string) *cli {
	t.Helper()
	c := &cli{t: t, bin: testenv.Binary(t)}
	if dsn != "" {
		conf := filepath.Join(t.TempDir(), "db.conf")
		if err := os.WriteFile(conf, []byte("[database]\nconnection = "+dsn+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		c.args = []string{"--config-file", conf}
	} else {
		c.args = []string{"--data-dir", dataDir}
	}
	return c
}

// run returns stdout, stderr and the exit code.
func (c *cli) run(args ...string) (string, string, int) {
	c.t.Helper()
	cmd := osexec.Command(c.bin, append(append([]string{"db-manage"}, c.args...), args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *osexec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// ok runs a command that must succeed and returns its stdout.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	out, errs, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("db-manage %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// refused runs a command that must fail with want in its error output.
func (c *cli) refused(want string, args ...string) {
	c.t.Helper()
	out, errs, code := c.run(args...)
	if code == 0 || !strings.Contains(errs, want) {
		c.t.Fatalf("db-manage %s: exit %d, want a failure mentioning %q\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errs)
	}
}

func serverDB(t *testing.T, s *testenv.Server) *db.DB {
	t.Helper()
	conn := s.DSN
	if conn == "" {
		conn = "sqlite:///" + filepath.Join(s.DataDir, "neutron.db")
	}
	d, err := db.Open(context.Background(), conn, "")
	if err != nil {
		t.Fatal(err)
	}
	d.Kinds = builtin.Catalog()
	t.Cleanup(func() { d.Close() })
	return d
}

func call(t *testing.T, method, url string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Project-Id", "p1")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m
}

func createNetwork(t *testing.T, s *testenv.Server, name string) string {
	t.Helper()
	code, body := call(t, "POST", s.URL+"/v2.0/networks", map[string]any{"network": map[string]any{"name": name}})
	if code != http.StatusCreated {
		t.Fatalf("create network: %d %v", code, body)
	}
	return body["network"].(map[string]any)["id"].(string)
}

// TestDataReadOnlyWhileServing runs `db-manage data-readonly` and `data-readwrite` against
// the database of a running `midonet serve`: the flag flips both ways.
func TestDataReadOnlyWhileServing(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts testenv.Options
	}{
		{"sqlite", testenv.Options{DataDir: t.TempDir()}},
		{"postgres", testenv.Options{Postgres: true}},
		{"mariadb", testenv.Options{MariaDB: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := testenv.StartServer(t, tc.opts)
			c := newCLI(t, s)
			d := serverDB(t, s)
			ctx := context.Background()
			createNetwork(t, s, "before")
			if out := c.ok("data-show"); !strings.Contains(out, "Readonly:               False") {
				t.Fatalf("data-show:\n%s", out)
			}
			if out := c.ok("data-readonly"); !strings.Contains(out, "now read-only") {
				t.Fatalf("data-readonly: %s", out)
			}
			if ro, err := dbmanage.ReadOnly(ctx, d); err != nil || !ro {
				t.Fatalf("ReadOnly after data-readonly: %v, %v", ro, err)
			}
			if out := c.ok("data-show"); !strings.Contains(out, "Readonly:               True") {
				t.Fatalf("data-show:\n%s", out)
			}
			if out := c.ok("data-readonly"); !strings.Contains(out, "already read-only") {
				t.Fatalf("second data-readonly: %s", out)
			}
			if code, body := call(t, "GET", s.URL+"/v2.0/networks", nil); code != http.StatusOK {
				t.Fatalf("GET while read-only: %d %v", code, body)
			}
			if out := c.ok("data-readwrite"); !strings.Contains(out, "now read-write") {
				t.Fatalf("data-readwrite: %s", out)
			}
			if ro, _ := dbmanage.ReadOnly(ctx, d); ro {
				t.Fatal("still read-only after data-readwrite")
			}
			c.refused("only in read-only mode", "data-version-sync")
			createNetwork(t, s, "after")
		})
	}
}

// TestCLIMaintenanceSession drives every db-manage command of the binary through a
// maintenance session, on SQLite, PostgreSQL and MariaDB, with the cluster's part played by runCluster.
func TestCLIMaintenanceSession(t *testing.T) {
	for _, tc := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(*testing.T) string { return "" }},
		{"postgres", func(t *testing.T) string { return testenv.NewDatabase(t) }},
		{"mariadb", func(t *testing.T) string { return testenv.NewMariaDBDatabase(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			dsn := tc.dsn(t)
			c := cliFor(t, dir, dsn)
			conn := dsn
			if conn == "" {
				conn = "sqlite:///" + filepath.Join(dir, "neutron.db")
			}
			d := openDB(t, conn)
			net := newDoc("name", "net", "password", "secret")
			journaled(t, d, journal.Create, "networks", net)
			journaled(t, d, journal.Create, "ports", newDoc("network_id", net["id"], "name", "port"))

			if out := c.ok("task-list"); strings.Count(out, "\n") != 3 || !strings.Contains(out, net["id"].(string)) {
				t.Fatalf("task-list:\n%s", out)
			}
			c.ok("data-readonly")
			c.refused("2 unprocessed tasks", "data-version-sync")
			runCluster(t, d)
			if out := c.ok("task-list", "-u"); strings.Count(out, "\n") != 1 {
				t.Fatalf("task-list -u after the cluster:\n%s", out)
			}
			if out := c.ok("task-resource", "-p"); !strings.HasPrefix(out, "NETWORKS:\n") || !strings.Contains(out, "PORTS:\n") || strings.Contains(out, "secret") {
				t.Fatalf("task-resource -p:\n%s", out)
			}
			out, errs, code := c.run("data-version-sync", "--progress")
			if code != 0 || !strings.Contains(out, "Data version 2:") || !strings.Contains(errs, "] 2/2 100%") {
				t.Fatalf("data-version-sync: exit %d\n%s\n%s", code, out, errs)
			}
			tl := c.ok("task-list")
			for _, want := range []string{"DATA_VERSION_SYNC", "CREATE", "NETWORK", "PORT", "DATA_VERSION_ACTIVATE"} {
				if !strings.Contains(tl, want) {
					t.Fatalf("task-list after the sync lacks %s:\n%s", want, tl)
				}
			}
			if out := c.ok("task-resource"); !strings.Contains(out, `"name": "net"`) || !strings.Contains(out, `"name": "port"`) {
				t.Fatalf("task-resource:\n%s", out)
			}
			if out := c.ok("task-resource", "-p"); out != "" {
				t.Fatalf("task-resource -p right after the sync (nothing processed):\n%s", out)
			}
			if out := c.ok("data-version-list"); !strings.Contains(out, "STARTED") {
				t.Fatalf("data-version-list:\n%s", out)
			}
			c.refused("in progress", "data-readwrite")
			c.refused("in progress", "data-version-activate", "1")
			runCluster(t, d)
			if out := c.ok("data-show"); !strings.Contains(out, "Active version:         2") || !strings.Contains(out, "Readonly:               True") {
				t.Fatalf("data-show:\n%s", out)
			}
			c.refused("already active", "data-version-activate", "2")
			c.refused("does not exist", "data-version-activate", "7")
			c.refused("positive integer", "data-version-activate", "x")
			// Roll back to the data from before the sync.
			if out := c.ok("data-version-activate", "1"); !strings.Contains(out, "data version 1 queued") {
				t.Fatalf("data-version-activate: %s", out)
			}
			runCluster(t, d)
			if out := c.ok("task-clean"); !strings.Contains(out, "Deleted 5 processed tasks") {
				t.Fatalf("task-clean: %s", out)
			}
			if out := c.ok("task-list"); strings.Count(out, "\n") != 1 {
				t.Fatalf("task-list after task-clean:\n%s", out)
			}
			if out := c.ok("data-show"); !strings.Contains(out, "Last processed task id: None") || !strings.Contains(out, "Active version:         1") {
				t.Fatalf("data-show:\n%s", out)
			}
			if out := c.ok("data-readwrite"); !strings.Contains(out, "(1 data versions marked stale)") {
				t.Fatalf("data-readwrite: %s", out)
			}
			c.refused("only in read-only mode", "data-version-activate", "2")
			c.ok("data-readonly")
			c.refused("stale", "data-version-activate", "2")
			vl := strings.Split(strings.TrimSpace(c.ok("data-version-list")), "\n")
			if len(vl) != 3 || !strings.HasSuffix(vl[1], "False") || !strings.HasSuffix(vl[2], "True") {
				t.Fatalf("data-version-list:\n%s", strings.Join(vl, "\n"))
			}
		})
	}
}

// TestReadOnlyRejectsWritesEndToEnd is the spec's promise: while the data is read-only the
// API answers 503 (ServiceUnavailable) to every POST, PUT and DELETE and changes nothing.
func TestReadOnlyRejectsWritesEndToEnd(t *testing.T) {
	s := testenv.StartServer(t, testenv.Options{DataDir: t.TempDir()})
	c := newCLI(t, s)
	d := serverDB(t, s)
	id := createNetwork(t, s, "kept")
	tasksBefore := len(tasks(t, d))
	c.ok("data-readonly")

	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/v2.0/networks", map[string]any{"network": map[string]any{"name": "new"}}},
		{"PUT", "/v2.0/networks/" + id, map[string]any{"network": map[string]any{"name": "changed"}}},
		{"DELETE", "/v2.0/networks/" + id, nil},
	} {
		code, body := call(t, tc.method, s.URL+tc.path, tc.body)
		if code != http.StatusServiceUnavailable {
			t.Errorf("%s %s while read-only: %d %v, want 503", tc.method, tc.path, code, body)
			continue
		}
		ne, _ := body["NeutronError"].(map[string]any)
		if msg, _ := ne["message"].(string); ne["type"] != "ServiceUnavailable" || !strings.Contains(msg, "read-only") {
			t.Errorf("%s %s: body %v", tc.method, tc.path, body)
		}
	}
	// Nothing changed.
	code, body := call(t, "GET", s.URL+"/v2.0/networks", nil)
	nets, _ := body["networks"].([]any)
	if code != http.StatusOK || len(nets) != 1 || nets[0].(map[string]any)["name"] != "kept" {
		t.Errorf("networks after the refused writes: %d %v", code, body)
	}
	if n := len(tasks(t, d)); n != tasksBefore {
		t.Errorf("%d tasks after the refused writes, want %d", n, tasksBefore)
	}
	// Reads keep working, and writes resume after data-readwrite.
	c.ok("data-readwrite")
	createNetwork(t, s, "after")
}

// TestSyncInterruptedBinary sends SIGINT to a running `db-manage data-version-sync`: the
// version ends ABORTED, DATA_VERSION_ACTIVATE of the active version (1) is queued,
// and the command exits non-zero.
func TestSyncInterruptedBinary(t *testing.T) {
	dir := t.TempDir()
	d := openDB(t, "sqlite:///"+filepath.Join(dir, "neutron.db"))
	ctx := context.Background()
	const n = 5000
	for start := 0; start < n; start += 1000 {
		write(t, d, func(ctx context.Context, tx *db.Tx) error {
			for i := start; i < start+1000; i++ {
				if err := tx.Insert(ctx, "networks", newDoc("name", "n")); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if _, err := dbmanage.SetReadOnly(ctx, d); err != nil {
		t.Fatal(err)
	}
	cmd := osexec.Command(testenv.Binary(t), "db-manage", "--data-dir", dir, "data-version-sync", "--progress", "--batch-size", "5")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the bar shows written resources, then interrupt.
	var errText bytes.Buffer
	buf := make([]byte, 4096)
	for !strings.Contains(errText.String(), "] 5/") {
		k, err := stderr.Read(buf)
		errText.Write(buf[:k])
		if err != nil {
			t.Fatalf("stderr ended before any progress: %v\n%s", err, errText.String())
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stderr)
	errText.Write(rest)
	err = cmd.Wait()
	var ee *osexec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 0 {
		t.Fatalf("interrupted sync exited with %v\n%s", err, errText.String())
	}
	if !strings.Contains(errText.String(), "aborted") {
		t.Fatalf("stderr:\n%s", errText.String())
	}
	v := version(t, d, dbmanage.InitialVersion+1)
	if v.SyncTasksStatus != dbmanage.StatusAborted || v.SyncStatus != dbmanage.StatusError {
		t.Fatalf("version after SIGINT %+v\n%s", v, errText.String())
	}
	ts := tasks(t, d)
	if len(ts) >= n+2 {
		t.Fatalf("the sync was not interrupted (%d tasks)", len(ts))
	}
	if last := ts[len(ts)-1]; last.Type != dbmanage.TaskDataVersionActivate || last.ResourceID != "1" {
		t.Fatalf("last task %+v", last)
	}
}
