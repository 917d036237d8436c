// Package keystone gives tests a real Keystone (v3) on loopback, started once
// per test binary by shared/tools/keystone-up.sh and left running afterwards
// (the script is idempotent and shares one instance between packages).
//
// Tests that call Start run unless MIDONET_TEST_KEYSTONE=0, in which case they
// skip. The first start on a machine may install packages with apt (minutes).
//
// Environment: MIDONET_TEST_KEYSTONE_PORT (default 5055),
// MIDONET_TEST_KEYSTONE_STATE (default /tmp/keystone-test-<port>),
// KEYSTONE_UP (path of keystone-up.sh; default: found by walking up from the
// working directory to shared/tools/keystone-up.sh).
package keystone

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Env describes the running Keystone and its test accounts (see the
// keystone-up.sh README: users admin, neutron (service), demo, alt_demo).
type Env struct {
	URL             string // http://127.0.0.1:<port>, without /v3
	ServicePassword string // user neutron, project service
	AdminPassword   string // user admin, project admin
	DemoPassword    string // users demo and alt_demo
	State           string // KEYSTONE_STATE
	Port            string
	Started         time.Duration // how long the start call took in this process

	script string
}

var (
	once   sync.Once
	env    *Env
	errEnv error
)

// Start makes sure Keystone runs and returns its Env. Only the first call in
// a process runs the script; later ones return the same Env (or failure).
func Start(t testing.TB) *Env {
	t.Helper()
	if os.Getenv("MIDONET_TEST_KEYSTONE") == "0" {
		t.Skip("MIDONET_TEST_KEYSTONE=0: skipping the test that needs a real Keystone")
	}
	once.Do(func() { env, errEnv = start() })
	if errEnv != nil {
		t.Fatalf("keystone: %v", errEnv)
	}
	return env
}

func start() (*Env, error) {
	script, err := findScript()
	if err != nil {
		return nil, err
	}
	port := os.Getenv("MIDONET_TEST_KEYSTONE_PORT")
	if port == "" {
		port = "5055"
	}
	state := os.Getenv("MIDONET_TEST_KEYSTONE_STATE")
	if state == "" {
		state = "/tmp/keystone-test-" + port
	}
	e := &Env{State: state, Port: port, script: script}
	t0 := time.Now()
	if _, err := e.run("start"); err != nil {
		return nil, err
	}
	e.Started = time.Since(t0)
	vars, err := readEnvFile(filepath.Join(state, "env"))
	if err != nil {
		return nil, err
	}
	e.URL = vars["KEYSTONE_URL"]
	e.ServicePassword = vars["KEYSTONE_SERVICE_PASSWORD"]
	e.AdminPassword = vars["KEYSTONE_ADMIN_PASSWORD"]
	e.DemoPassword = vars["KEYSTONE_DEMO_PASSWORD"]
	if e.URL == "" {
		return nil, fmt.Errorf("no KEYSTONE_URL in %s/env", state)
	}
	return e, nil
}

// Token returns a new project-scoped token for user on project (the
// password is the one keystone-up.sh gave that user).
// ServerConfig is the neutron.conf text that puts a server on this Keystone
// (auth_strategy = keystone, the neutron service user for keystonemiddleware).
func (e *Env) ServerConfig() string {
	return fmt.Sprintf(`[DEFAULT]
auth_strategy = keystone

[keystone_authtoken]
www_authenticate_uri = %[1]s
auth_url = %[1]s
auth_type = password
username = neutron
password = %[2]s
project_name = service
user_domain_name = Default
project_domain_name = Default
`, e.URL, e.ServicePassword)
}

func (e *Env) Token(t testing.TB, user, project string) string {
	t.Helper()
	out, err := e.run("token", user, project)
	if err != nil {
		t.Fatalf("keystone: token for %s on %s: %v", user, project, err)
	}
	tok := strings.TrimSpace(out)
	if tok == "" {
		t.Fatalf("keystone: empty token for %s on %s", user, project)
	}
	return tok
}

// run runs keystone-up.sh with this Env's port and state and returns stdout.
func (e *Env) run(args ...string) (string, error) {
	cmd := exec.Command(e.script, args...)
	cmd.Env = append(os.Environ(), "KEYSTONE_PORT="+e.Port, "KEYSTONE_STATE="+e.State)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", e.script, strings.Join(args, " "), err, tail(stderr.String(), 40))
	}
	return stdout.String(), nil
}

// findScript locates keystone-up.sh: $KEYSTONE_UP, else shared/tools/ in the
// working directory or one of its parents.
func findScript() (string, error) {
	if p := os.Getenv("KEYSTONE_UP"); p != "" {
		return p, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find keystone-up.sh: %w", err)
	}
	for {
		p := filepath.Join(dir, "shared", "tools", "keystone-up.sh")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find keystone-up.sh: no shared/tools/keystone-up.sh above the working directory; set KEYSTONE_UP")
		}
		dir = parent
	}
}

// readEnvFile reads the "export NAME='value'" lines keystone-up.sh writes.
func readEnvFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read keystone env: %w", err)
	}
	vars := map[string]string{}
	for line := range strings.SplitSeq(string(b), "\n") {
		line = strings.TrimSpace(line)
		rest, ok := strings.CutPrefix(line, "export ")
		if !ok {
			continue
		}
		name, val, ok := strings.Cut(rest, "=")
		if !ok {
			continue
		}
		v, err := unquote(val)
		if err != nil {
			return nil, fmt.Errorf("read keystone env %s: %s: %w", path, name, err)
		}
		vars[name] = v
	}
	return vars, nil
}

// unquote undoes shell quoting of one word: single quotes, double quotes
// (no expansions) and backslash escapes.
func unquote(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return "", errors.New("unterminated single quote")
			}
			b.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return "", errors.New("unterminated double quote")
			}
			b.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
