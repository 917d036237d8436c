package ops

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/test/testenv"
)

// osloLine is oslo.log's default line: time, pid, level, logger, [context], message.
var osloLine = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \d+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) (\S+) \[([^\]]*)\] (.*)$`)

// TestRequestLog: every API request, whatever its answer, leaves one INFO line in the oslo
// style with the request id the client was sent, the user and project that made it, the
// method, the path, the status and the time taken; the server logs its start once and an
// unknown option of the configuration by name.
func TestRequestLog(t *testing.T) {
	srv := testenv.StartServer(t, testenv.Options{Config: "[DEFAULT]\nauth_strategy = noauth\nno_such_knob = 1\n[bogus]\nx = y\n"})
	net := decode(t, call(t, "POST", srv.URL+"/v2.0/networks", map[string]any{"network": map[string]any{"name": "n"}}, project("p-log")).body)
	netID := net["network"].(map[string]any)["id"].(string)
	requests := []struct {
		name, method, path string
		body               any
		who                map[string]string
		status             int
	}{
		{"list", "GET", "/v2.0/networks?name=n", nil, project("p-log"), 200},
		{"create", "POST", "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": netID}}, project("p-log"), 201},
		{"not found", "GET", "/v2.0/networks/00000000-0000-0000-0000-000000000000", nil, project("p-log"), 404},
		{"bad request", "POST", "/v2.0/networks", map[string]any{"network": map[string]any{"bogus": 1}}, project("p-log"), 400},
		{"in use", "DELETE", "/v2.0/networks/" + netID, nil, project("p-log"), 409},
		{"other project", "GET", "/v2.0/networks/" + netID, nil, project("p-other"), 404},
		{"admin", "GET", "/v2.0/ports", nil, admin, 200},
		{"unknown collection", "GET", "/v2.0/nothing", nil, admin, 404},
	}
	for _, rq := range requests {
		t.Run(rq.name, func(t *testing.T) {
			a := call(t, rq.method, srv.URL+rq.path, rq.body, rq.who)
			if a.status != rq.status {
				t.Fatalf("status %d, want %d: %s", a.status, rq.status, a.body)
			}
			id := a.header.Get("X-Openstack-Request-Id")
			if !strings.HasPrefix(id, "req-") {
				t.Fatalf("X-Openstack-Request-Id = %q", id)
			}
			if !srv.WaitLog(id, 5*time.Second) {
				t.Fatalf("request id %s is not in the log", id)
			}
			lines := linesWith(srv.Logs(), id)
			if len(lines) != 1 {
				t.Fatalf("want one line with %s, got %q", id, lines)
			}
			m := osloLine.FindStringSubmatch(lines[0])
			if m == nil {
				t.Fatalf("not an oslo.log line: %q", lines[0])
			}
			wantCtx := fmt.Sprintf("%s %s %s - - -", id, rq.who["X-User-Id"], rq.who["X-Project-Id"])
			wantMsg := regexp.MustCompile(fmt.Sprintf(`^127\.0\.0\.1 "%s %s HTTP/1\.1" status: %d  len: \d+ time: \d+\.\d{7}$`,
				rq.method, regexp.QuoteMeta(rq.path), rq.status))
			if m[1] != "INFO" || m[2] != "midonet.wsgi" || m[3] != wantCtx || !wantMsg.MatchString(m[4]) {
				t.Errorf("access line %q: want INFO midonet.wsgi [%s] and %v", lines[0], wantCtx, wantMsg)
			}
		})
	}
	logs := srv.Logs()
	for _, want := range []string{"[DEFAULT] no_such_knob in ", "[bogus] x in "} {
		if len(linesWith(logs, "WARNING", "unknown configuration option ignored", want)) != 1 {
			t.Errorf("no single warning naming %q:\n%s", want, logs)
		}
	}
	if n := len(linesWith(logs, "INFO midonet [-] serving the Neutron API url="+srv.URL)); n != 1 {
		t.Errorf("%d start lines, want 1:\n%s", n, logs)
	}
}

// TestLogDestinationsAndFormats: log_file and log_dir put the log in a file (standard error
// too with use_stderr), debug adds DEBUG lines (a /metrics scrape is one), and log_format =
// json or --log-json write one oslo.log JSON document per line whose context carries the
// request id the client got.
func TestLogDestinationsAndFormats(t *testing.T) {
	tests := []struct {
		name      string
		conf      string // [DEFAULT] lines; LOGDIR is replaced by a directory of the test
		args      []string
		file      string // where the log is, relative to LOGDIR; "" for standard error
		onStderr  bool   // the lines reach standard error as well
		json      bool
		debugLine bool
	}{
		{"stderr text", "", nil, "", true, false, false},
		{"log_file under log_dir", "log_dir = LOGDIR\nlog_file = neutron/server.log\n", nil, "neutron/server.log", false, false, false},
		{"log_dir alone", "log_dir = LOGDIR\n", nil, "midonet-serve.log", false, false, false},
		{"absolute log_file and use_stderr", "log_file = LOGDIR/abs.log\nuse_stderr = true\n", nil, "abs.log", true, false, false},
		{"debug", "debug = true\n", nil, "", true, false, true},
		{"log_format json", "log_format = json\n", nil, "", true, true, false},
		{"use_json", "use_json = true\nlog_file = LOGDIR/j.log\n", nil, "j.log", false, true, false},
		{"--log-json", "", []string{"--log-json"}, "", true, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			conf := "[DEFAULT]\nauth_strategy = noauth\n" + strings.ReplaceAll(tc.conf, "LOGDIR", dir)
			srv := testenv.StartServer(t, testenv.Options{Config: conf, Args: tc.args})
			// The scrape first: on the same connection its line is written before the next
			// request is read.
			call(t, "GET", srv.URL+"/metrics", nil, nil)
			a := call(t, "GET", srv.URL+"/v2.0/networks", nil, project("p-dest"))
			id := a.header.Get("X-Openstack-Request-Id")
			read := func() string {
				if tc.file == "" {
					return srv.Logs()
				}
				b, _ := os.ReadFile(filepath.Join(dir, tc.file))
				return string(b)
			}
			if !waitFor(5*time.Second, func() bool { return strings.Contains(read(), id) }) {
				t.Fatalf("request %s not logged in %q; standard error:\n%s", id, tc.file, srv.Logs())
			}
			// Standard error is a pipe: its copy of the line may come after the file's.
			onStderr := waitFor(map[bool]time.Duration{true: 5 * time.Second}[tc.onStderr], func() bool {
				return strings.Contains(srv.Logs(), id)
			})
			if got := onStderr; got != tc.onStderr {
				t.Errorf("request line on standard error = %v, want %v", got, tc.onStderr)
			}
			log := read()
			line := linesWith(log, id)[0]
			if tc.json {
				var doc struct {
					Levelname, Name, Message string
					Context                  map[string]string
					Extra                    map[string]map[string]any
				}
				if err := json.Unmarshal([]byte(line), &doc); err != nil {
					t.Fatalf("not a JSON line: %v: %s", err, line)
				}
				if doc.Levelname != "INFO" || doc.Name != "midonet.wsgi" || doc.Context["request_id"] != id ||
					doc.Context["project_id"] != "p-dest" || doc.Extra["http"]["status"] != float64(200) ||
					doc.Extra["http"]["path"] != "/v2.0/networks" || doc.Extra["http"]["method"] != "GET" {
					t.Errorf("JSON access line %s", line)
				}
				for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
					if !json.Valid([]byte(l)) && !strings.HasPrefix(l, "=== testenv") {
						t.Errorf("a line of the JSON log is not JSON: %q", l)
					}
				}
			} else if !osloLine.MatchString(line) {
				t.Errorf("not an oslo line: %q", line)
			}
			scraped := waitFor(map[bool]time.Duration{true: 5 * time.Second}[tc.debugLine], func() bool {
				return len(linesWith(read(), "GET /metrics")) > 0
			})
			if scraped != tc.debugLine {
				t.Errorf("DEBUG line of the /metrics scrape present = %v, want %v", scraped, tc.debugLine)
			}
			srv.Stop()
			if !strings.Contains(read(), "stopped") {
				t.Errorf("no stop line in the log:\n%s", read())
			}
		})
	}
}

// TestAgentLogs: `midonet agent` says when it starts, when its host is registered and when
// it stops.
func TestAgentLogs(t *testing.T) {
	srv := testenv.StartServer(t, testenv.Options{Config: "[DEFAULT]\nauth_strategy = noauth\n"})
	var out testenv.SyncBuffer
	cmd := exec.Command(testenv.Binary(t), "agent", "--data-dir", srv.DataDir, "--host-name", "compute-7",
		"--host-id-file", filepath.Join(t.TempDir(), "id"))
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if !waitFor(30*time.Second, func() bool { return strings.Contains(out.String(), "host registered") }) {
		t.Fatalf("no registration line:\n%s", out.String())
	}
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
	logs := out.String()
	for _, want := range [][]string{
		{"INFO", "agent starting", "nsdb="},
		{"INFO", "agent: host registered in the NSDB", "host=compute-7", "host_id="},
		{"INFO", "agent: stopped"},
	} {
		if len(linesWith(logs, want...)) != 1 {
			t.Errorf("want one line with %q:\n%s", want, logs)
		}
	}
}
