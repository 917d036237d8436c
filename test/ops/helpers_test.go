package ops

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var client = &http.Client{Timeout: 2 * time.Minute}

// answer is one HTTP exchange.
type answer struct {
	status int
	body   []byte
	header http.Header
}

// call sends a JSON request (body nil for none) with headers and returns the answer.
func call(t *testing.T, method, url string, body any, headers map[string]string) answer {
	t.Helper()
	a, err := try(method, url, body, headers)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return a
}

// try is call without failing the test: a connection error is returned.
func try(method, url string, body any, headers map[string]string) (answer, error) {
	return tryCtx(context.Background(), method, url, body, headers)
}

// tryCtx is try on ctx: the client gives up (closes its connection) when ctx ends.
func tryCtx(ctx context.Context, method, url string, body any, headers map[string]string) (answer, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return answer{}, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: b, header: resp.Header}, err
}

// decode reads a JSON document.
func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	return m
}

// project is the noauth identity of a member of one project.
func project(id string) map[string]string {
	return map[string]string{"X-Project-Id": id, "X-User-Id": "user-" + id, "X-Roles": "member"}
}

// admin is the noauth identity of an admin.
var admin = map[string]string{"X-Project-Id": "admin-project", "X-User-Id": "admin-user", "X-Roles": "admin"}

// waitFor polls cond until it holds or within passes.
func waitFor(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

// run runs the binary with args and returns its standard output, standard error and exit code.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(testenv.Binary(t), args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code = cmd.ProcessState.ExitCode()
	if err != nil && code < 0 {
		t.Fatalf("midonet %s: %v", strings.Join(args, " "), err)
	}
	return o.String(), e.String(), code
}

// linesWith returns the lines of text that contain every one of parts.
func linesWith(text string, parts ...string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		all := true
		for _, p := range parts {
			if !strings.Contains(l, p) {
				all = false
				break
			}
		}
		if all && l != "" {
			out = append(out, l)
		}
	}
	return out
}
