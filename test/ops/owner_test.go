package ops

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/test/testenv"
)

// TestOneOwnerPerDataDir: a second serve, api or cluster on a data directory a server runs on
// exits at once with a message naming the running process (its pid and URL), without
// touching the stores; the running server goes on, and serve.url still names it.
func TestOneOwnerPerDataDir(t *testing.T) {
	srv := testenv.StartServer(t, testenv.Options{Config: "[DEFAULT]\nauth_strategy = noauth\n"})
	conf := filepath.Join(t.TempDir(), "noauth.conf")
	if err := os.WriteFile(conf, []byte("[DEFAULT]\nauth_strategy = noauth\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(srv.DataDir, "neutron.db")
	before := settledStat(t, db)
	for _, command := range []string{"serve", "api", "cluster"} {
		t.Run(command, func(t *testing.T) {
			port, err := testenv.FreePort()
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, stderr, code := run(t, command, "--data-dir", srv.DataDir, "--config-file", conf,
				"--bind-host", "127.0.0.1", "--bind-port", fmt.Sprint(port))
			if code == 0 || time.Since(start) > 10*time.Second {
				t.Fatalf("exit %d after %v, want a failure at once:\n%s", code, time.Since(start), stderr)
			}
			m := regexp.MustCompile(`is used by midonet serve \(pid (\d+), ` + regexp.QuoteMeta(srv.URL) + `\)`).FindStringSubmatch(stderr)
			if m == nil || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("want one line naming the running server's pid and URL:\n%s", stderr)
			}
			cmdline, err := os.ReadFile("/proc/" + m[1] + "/cmdline")
			if err != nil || !strings.Contains(string(cmdline), srv.DataDir) {
				t.Errorf("pid %s is not the running server (%v): %q", m[1], err, cmdline)
			}
		})
	}
	after, err := os.Stat(db)
	if err != nil || !after.ModTime().Equal(before.ModTime()) || after.Size() != before.Size() {
		t.Errorf("the database file changed under the running server: %v", err)
	}
	if a := call(t, "GET", srv.URL+"/v2.0/networks", nil, admin); a.status != 200 {
		t.Errorf("the running server answers %d", a.status)
	}
	if b, err := os.ReadFile(filepath.Join(srv.DataDir, "serve.url")); err != nil || strings.TrimSpace(string(b)) != srv.URL {
		t.Errorf("serve.url = %q, %v; want %s", b, err, srv.URL)
	}
}

// settledStat returns path's state once the running server's own checkpoints have copied
// its start-up writes into it: unchanged over three looks a second apart (the checkpointer
// runs every second). Without this the server's first checkpoint could land during the
// test and read as the second process touching the store.
func settledStat(t *testing.T, path string) os.FileInfo {
	t.Helper()
	var last os.FileInfo
	same := 0
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if last != nil && fi.ModTime().Equal(last.ModTime()) && fi.Size() == last.Size() {
			if same++; same == 2 {
				return fi
			}
		} else {
			same = 0
		}
		last = fi
	}
	t.Fatalf("%s kept changing for 30 s while the server was idle", path)
	return nil
}

// TestBusyPort: a port in use ends the start with one clear error before the database is
// created or upgraded.
func TestBusyPort(t *testing.T) {
	srv := testenv.StartServer(t, testenv.Options{Config: "[DEFAULT]\nauth_strategy = noauth\n"})
	dir := t.TempDir()
	_, stderr, code := run(t, "serve", "--data-dir", dir, "--bind-host", "127.0.0.1", "--bind-port", fmt.Sprint(srv.Port))
	if code == 0 {
		t.Fatal("serve on a busy port succeeded")
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	want := fmt.Sprintf("the Neutron API cannot listen on 127.0.0.1:%d", srv.Port)
	if len(lines) != 1 || !strings.Contains(lines[0], want) || strings.Count(lines[0], "address already in use") != 1 ||
		strings.Count(lines[0], fmt.Sprint(srv.Port)) != 1 {
		t.Errorf("want one line saying %q and why, once:\n%s", want, stderr)
	}
	for _, store := range []string{"neutron.db", "etcd"} {
		if _, err := os.Stat(filepath.Join(dir, store)); !os.IsNotExist(err) {
			t.Errorf("%s was created before the port was known to be free (%v)", store, err)
		}
	}
}
