package testenv

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ReadyTimeout is how long StartServer and Start wait for `GET /` to answer
// 200.
const ReadyTimeout = 60 * time.Second

// stopTimeout is how long Stop waits after SIGTERM before it sends SIGKILL: longer than the
// server's own limit for the requests in flight (graceful_shutdown_timeout, 60 s by default),
// so that a slow machine sees the server's stop, not the harness's kill.
const stopTimeout = 90 * time.Second

// Options configures StartServer.
type Options struct {
	// DataDir is the server's --data-dir; t.TempDir() when empty.
	DataDir string
	// ConfigFiles are passed as --config-file, in order.
	ConfigFiles []string
	// Config, if non-empty, is written to a temporary file passed as the
	// last --config-file.
	Config string
	// Postgres puts the server on a new database of the shared test
	// PostgreSQL (see NewDatabase). The connection goes into a config file
	// passed before ConfigFiles and Config, together with
	// `[DEFAULT] auth_strategy = noauth`; later files may override both.
	Postgres bool
	// MariaDB puts the server on a new database of the shared test MariaDB (see
	// NewMariaDBDatabase), configured as Postgres is.
	MariaDB bool
	// Args are extra arguments appended to the serve command line.
	Args []string
	// Env holds extra KEY=value environment entries for the server.
	Env []string
	// TLS, when set, is the client side of a server configured with [ssl] cert_file and
	// key_file: URL is https and readiness is checked with it.
	TLS *tls.Config
}

// Server is a running (or stopped) `midonet serve` process.
type Server struct {
	URL     string // base URL, http://127.0.0.1:PORT
	Port    int
	DataDir string
	DSN     string // database URL when Options.Postgres or Options.MariaDB, else ""

	bin         string
	configFiles []string
	opts        Options
	logs        *tailBuffer

	mu   sync.Mutex
	proc *process
}

// StartServer starts `midonet serve` on a free loopback port, waits until it
// answers `GET /` with 200 and registers t.Cleanup(s.Stop). It fails the test,
// with the end of the server's output, if the server does not become ready
// within ReadyTimeout.
func StartServer(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{
		bin:     Binary(t),
		DataDir: o.DataDir,
		opts:    o,
		logs:    newTailBuffer(4 << 20),
	}
	if s.DataDir == "" {
		s.DataDir = t.TempDir()
	}
	confDir := t.TempDir()
	if o.Postgres || o.MariaDB {
		name := "postgres.conf"
		if o.MariaDB {
			s.DSN, name = NewMariaDBDatabase(t), "mariadb.conf"
		} else {
			s.DSN = NewDatabase(t)
		}
		path := filepath.Join(confDir, name)
		text := "[DEFAULT]\nauth_strategy = noauth\n\n[database]\nconnection = " + s.DSN + "\n"
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatalf("testenv: %v", err)
		}
		s.configFiles = append(s.configFiles, path)
	}
	s.configFiles = append(s.configFiles, o.ConfigFiles...)
	if o.Config != "" {
		path := filepath.Join(confDir, "extra.conf")
		if err := os.WriteFile(path, []byte(o.Config), 0o644); err != nil {
			t.Fatalf("testenv: %v", err)
		}
		s.configFiles = append(s.configFiles, path)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			s.checkLookupsIndexed(t)
		}
		s.Stop()
		if t.Failed() {
			t.Logf("testenv: last lines of the midonet server's output (%s):\n%s",
				s.URL, lastLines(s.Logs(), 40))
		}
	})
	// The free port may be taken between the probe and the bind: retry.
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if s.Port, err = freePort(); err != nil {
			t.Fatalf("%v", err)
		}
		s.URL = "http://127.0.0.1:" + strconv.Itoa(s.Port)
		if o.TLS != nil {
			s.URL = "https://127.0.0.1:" + strconv.Itoa(s.Port)
		}
		if err = s.launch(); err == nil {
			return s
		}
		if !strings.Contains(strings.ToLower(s.Logs()), "address already in use") {
			break
		}
	}
	t.Fatalf("%v", err)
	return nil
}

// Start starts a stopped server again, with the same options, port and data
// directory, and waits until it is ready.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	running := s.proc != nil && !s.proc.exited()
	s.mu.Unlock()
	if running {
		t.Fatalf("testenv: Start: the server at %s is still running", s.URL)
	}
	t.Cleanup(s.Stop)
	if err := s.launch(); err != nil {
		t.Fatalf("%v", err)
	}
}

// launch starts the process and waits for readiness.
func (s *Server) launch() error {
	args := []string{"serve",
		"--data-dir", s.DataDir,
		"--bind-host", "127.0.0.1",
		"--bind-port", strconv.Itoa(s.Port),
	}
	for _, f := range s.configFiles {
		args = append(args, "--config-file", f)
	}
	args = append(args, s.opts.Args...)
	cmd := exec.Command(s.bin, args...)
	cmd.Env = append(os.Environ(), s.opts.Env...)
	cmd.Stdout = s.logs
	cmd.Stderr = s.logs
	cmd.WaitDelay = 5 * time.Second
	fmt.Fprintf(s.logs, "=== testenv: %s %s\n", s.bin, strings.Join(args, " "))
	p, err := startProcess(cmd)
	if err != nil {
		return fmt.Errorf("testenv: start %s: %w", s.bin, err)
	}
	s.mu.Lock()
	s.proc = p
	s.mu.Unlock()
	if err := s.waitReady(p); err != nil {
		p.signal(syscall.SIGKILL)
		<-p.done
		return fmt.Errorf("%w\nlast lines of the server's output:\n%s", err, lastLines(s.Logs(), 40))
	}
	return nil
}

// checkLookupsIndexed fails the test when the running server counted a plugin's lookup by
// an attribute its catalogue does not key (midonet_db_unindexed_lookups_total), or a write
// that read a whole collection not marked Few (midonet_db_whole_collection_reads_total):
// either reads its whole collection, so what the test did would slow down as the
// deployment grows. A server that is stopped or does not answer /metrics is not checked.
func (s *Server) checkLookupsIndexed(t testing.TB) {
	p := s.running()
	if p == nil || p.exited() {
		return
	}
	resp, err := s.client(5 * time.Second).Get(s.URL + "/metrics")
	if err != nil {
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return
	}
	var lookups, reads []string
	for line := range strings.Lines(string(body)) {
		switch {
		case strings.HasPrefix(line, "midonet_db_unindexed_lookups_total{"):
			lookups = append(lookups, strings.TrimSpace(line))
		case strings.HasPrefix(line, "midonet_db_whole_collection_reads_total{"):
			reads = append(reads, strings.TrimSpace(line))
		}
	}
	if len(lookups) > 0 {
		t.Errorf("testenv: the server read whole collections for lookups by attributes its catalogue does not key "+
			"(add them to the collection's Lookups):\n%s", strings.Join(lookups, "\n"))
	}
	if len(reads) > 0 {
		t.Errorf("testenv: the server's writes read whole collections (look the documents up through the key index, "+
			"or mark a collection that stays small Few):\n%s", strings.Join(reads, "\n"))
	}
}

// client is an HTTP client for the server's own URL (its TLS configuration, if any).
func (s *Server) client(timeout time.Duration) *http.Client {
	c := &http.Client{Timeout: timeout}
	if s.opts.TLS != nil {
		c.Transport = &http.Transport{TLSClientConfig: s.opts.TLS}
	}
	return c
}

func (s *Server) waitReady(p *process) error {
	client := s.client(2 * time.Second)
	deadline := time.Now().Add(ReadyTimeout)
	for {
		resp, err := client.Get(s.URL + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s.waitSynced(client, p, deadline)
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("testenv: midonet serve exited before it was ready: %v", p.err)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			last := "no answer"
			if err != nil {
				last = err.Error()
			} else {
				last = "status " + resp.Status
			}
			return fmt.Errorf("testenv: midonet serve at %s not ready after %v (last: %s)", s.URL, ReadyTimeout, last)
		}
	}
}

// waitSynced waits, after the API answers, until /healthcheck no longer says that the
// cluster or the agent is still loading the topology (the server answers while they sync):
// a test starts from a server whose parts have all loaded, as before they loaded in the
// background. Any other answer of /healthcheck (a store down on purpose) ends the wait.
func (s *Server) waitSynced(client *http.Client, p *process, deadline time.Time) error {
	for {
		resp, err := client.Get(s.URL + "/healthcheck")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(b), "syncing:") {
				return nil
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("testenv: midonet serve exited while it synced: %v", p.err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("testenv: midonet serve at %s still syncing after %v", s.URL, ReadyTimeout)
		}
	}
}

// Stop sends SIGTERM and waits for the server to exit (SIGKILL after 30 s).
// Stopping a stopped server does nothing.
func (s *Server) Stop() {
	p := s.running()
	if p == nil {
		return
	}
	p.signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		fmt.Fprintf(s.logs, "=== testenv: no exit %v after SIGTERM, sending SIGKILL\n", stopTimeout)
		p.signal(syscall.SIGKILL)
		<-p.done
	}
}

// Kill sends SIGKILL and waits for the server to exit.
func (s *Server) Kill() {
	if p := s.running(); p != nil {
		p.signal(syscall.SIGKILL)
		<-p.done
	}
}

// running is the server's current process (nil before the first start).
func (s *Server) running() *process {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc
}

// Logs returns the server's combined stdout and stderr (the last 4 MiB,
// across restarts).
func (s *Server) Logs() string { return s.logs.String() }

// WaitLog waits up to timeout for the server's output to contain text and
// reports whether it did. A log line is written by the server's own goroutine
// and reaches the pipe after the answer that caused it, so a test that checks
// a line right after a request must wait for it.
func (s *Server) WaitLog(text string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if strings.Contains(s.Logs(), text) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}
