package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestPath(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"neither: standard error", Options{}, ""},
		{"log_file alone", Options{File: "/var/log/n.log"}, "/var/log/n.log"},
		{"relative log_file under log_dir", Options{File: "n.log", Dir: "/var/log/neutron"}, "/var/log/neutron/n.log"},
		{"absolute log_file ignores log_dir", Options{File: "/tmp/n.log", Dir: "/var/log/neutron"}, "/tmp/n.log"},
		{"log_dir alone: program.log", Options{Dir: "/var/log/neutron", Program: "midonet-serve"}, "/var/log/neutron/midonet-serve.log"},
		{"log_dir alone, no program", Options{Dir: "/d"}, "/d/midonet.log"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.o.Path(); got != tc.want {
				t.Errorf("Path() = %q, want %q", got, tc.want)
			}
		})
	}
}

// osloLine is oslo.log's default context format: time, pid, level, logger, [context], message.
var osloLine = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \d+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) (\S+) (\[[^\]]*\]) (.*)$`)

func TestTextLines(t *testing.T) {
	rq := &Request{ID: "req-1", UserID: "u1", ProjectID: "p1"}
	tests := []struct {
		name      string
		log       func(l *slog.Logger)
		level     string
		logger    string
		context   string
		message   string
		debugOnly bool
	}{
		{"plain info", func(l *slog.Logger) { l.Info("serving", "url", "http://127.0.0.1:9696") },
			"INFO", "midonet", "[-]", "serving url=http://127.0.0.1:9696", false},
		{"warning with quoting", func(l *slog.Logger) { l.Warn("unknown option", "option", "[foo] bar in x.conf", "empty", "") },
			"WARNING", "midonet", "[-]", `unknown option option="[foo] bar in x.conf" empty=""`, false},
		{"error value", func(l *slog.Logger) { l.Error("failed", "err", errors.New("boom")) },
			"ERROR", "midonet", "[-]", "failed err=boom", false},
		{"named logger and request context", func(l *slog.Logger) {
			Named(l, "midonet.api").InfoContext(WithRequest(context.Background(), rq), "x")
		}, "INFO", "midonet.api", "[req-1 u1 p1 - - -]", "x", false},
		{"request without user", func(l *slog.Logger) {
			l.InfoContext(WithRequest(context.Background(), &Request{ID: "req-2"}), "x")
		}, "INFO", "midonet", "[req-2 - - - - -]", "x", false},
		{"group", func(l *slog.Logger) { l.WithGroup("g").Info("x", "a", 1) },
			"INFO", "midonet", "[-]", "x g.a=1", false},
		{"debug", func(l *slog.Logger) { l.Debug("detail") }, "DEBUG", "midonet", "[-]", "detail", true},
	}
	for _, debug := range []bool{false, true} {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var buf bytes.Buffer
				l, _, err := New(Options{Stderr: &buf, Debug: debug})
				if err != nil {
					t.Fatal(err)
				}
				tc.log(l)
				out := strings.TrimSuffix(buf.String(), "\n")
				if tc.debugOnly && !debug {
					if out != "" {
						t.Errorf("debug line written without debug: %q", out)
					}
					return
				}
				m := osloLine.FindStringSubmatch(out)
				if m == nil {
					t.Fatalf("line %q is not in oslo.log's format", out)
				}
				if m[1] != tc.level || m[2] != tc.logger || m[3] != tc.context || m[4] != tc.message {
					t.Errorf("got level %q logger %q context %q message %q, want %q %q %q %q", m[1], m[2], m[3], m[4],
						tc.level, tc.logger, tc.context, tc.message)
				}
			})
		}
	}
}

func TestJSONLines(t *testing.T) {
	var buf bytes.Buffer
	l, _, err := New(Options{Stderr: &buf, JSON: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := WithRequest(context.Background(), &Request{ID: "req-9", UserID: "u", ProjectID: "p"})
	Named(l, "midonet.wsgi").LogAttrs(ctx, slog.LevelWarn, "hello", slog.String("k", "v"), slog.Group("g", slog.Int("n", 3)))
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, buf.String())
	}
	want := map[string]any{"levelname": "WARNING", "name": "midonet.wsgi", "message": "hello",
		"process": float64(os.Getpid())}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("%s = %v, want %v", k, doc[k], v)
		}
	}
	if c, _ := doc["context"].(map[string]any); c["request_id"] != "req-9" || c["user_id"] != "u" || c["project_id"] != "p" {
		t.Errorf("context = %v", doc["context"])
	}
	if e, _ := doc["extra"].(map[string]any); e["k"] != "v" || e["g"].(map[string]any)["n"] != float64(3) {
		t.Errorf("extra = %v", doc["extra"])
	}
	if _, ok := doc["asctime"].(string); !ok {
		t.Errorf("no asctime: %v", doc)
	}
}

func TestFileAndStderr(t *testing.T) {
	for _, useStderr := range []bool{false, true} {
		dir := t.TempDir()
		var stderr bytes.Buffer
		l, closeLog, err := New(Options{Dir: dir, File: "sub/n.log", UseStderr: useStderr, Stderr: &stderr})
		if err != nil {
			t.Fatal(err)
		}
		l.Info("to the file")
		if err := closeLog(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "sub/n.log"))
		if err != nil || !strings.Contains(string(b), "to the file") {
			t.Errorf("use_stderr=%v: file holds %q, %v", useStderr, b, err)
		}
		if got := strings.Contains(stderr.String(), "to the file"); got != useStderr {
			t.Errorf("use_stderr=%v: line on standard error = %v", useStderr, got)
		}
	}
}

func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	l, _, _ := New(Options{Stderr: &buf})
	h := AccessLog(l, func(p string) bool { return p == "/healthcheck" }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthcheck" {
			_, _ = w.Write([]byte("OK"))
			return
		}
		rq := RequestFrom(r.Context())
		rq.ID, rq.UserID, rq.ProjectID = "req-abc", "alice", "proj"
		w.Header().Set(RequestIDHeader, "req-abc")
		w.WriteHeader(http.StatusConflict)
		_, _ = w.Write([]byte(`{"NeutronError":{}}`))
	}))
	for _, path := range []string{"/v2.0/networks?name=x", "/healthcheck"} {
		r := httptest.NewRequest(http.MethodPost, path, nil)
		r.RemoteAddr = "192.0.2.7:5555"
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one INFO line (the probe is DEBUG), got %q", lines)
	}
	m := osloLine.FindStringSubmatch(lines[0])
	if m == nil {
		t.Fatalf("not an oslo line: %q", lines[0])
	}
	want := regexp.MustCompile(`^192\.0\.2\.7 "POST /v2\.0/networks\?name=x HTTP/1\.1" status: 409  len: 19 time: \d+\.\d{7}$`)
	if m[1] != "INFO" || m[2] != "midonet.wsgi" || m[3] != "[req-abc alice proj - - -]" || !want.MatchString(m[4]) {
		t.Errorf("access line = %q", lines[0])
	}
}
