package ui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// chromium finds the browser: $MIDONET_TEST_CHROMIUM, else Debian's chromium.
func chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("MIDONET_TEST_CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("MIDONET_TEST_CHROMIUM=%s: %v", p, err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("no chromium on PATH: the browser tests need Debian's chromium (apt-get install chromium, " +
		"or scripts/install-test-deps.sh), or MIDONET_TEST_CHROMIUM=/path/to/chrome")
	return ""
}

// browser is one headless chromium tab for a test, with its console collected.
type browser struct {
	t       testing.TB
	ctx     context.Context
	console *consoleLog
}

type consoleLog struct {
	mu    sync.Mutex
	lines []string
}

// on is the same tab, failing t (a subtest) rather than the test that opened it.
func (b *browser) on(t testing.TB) *browser {
	c := *b
	c.t = t
	return &c
}

// newBrowser starts chromium with a fresh profile, no network services of its own and no
// sandbox (the tests run as root), and a 1600×1000 window.
func newBrowser(t testing.TB) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1600, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	b := &browser{t: t, ctx: ctx, console: &consoleLog{}}
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// Start the browser now, so that a missing or broken chromium fails here, clearly. The
	// first action runs on the tab's own context: the browser lives as long as it does.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium %s: %v", chromium(t), err)
	}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			b.console.mu.Lock()
			b.console.lines = append(b.console.lines, string(m.Type)+": "+m.Text)
			b.console.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		b.console.mu.Lock()
		defer b.console.mu.Unlock()
		// The page must run clean: no uncaught exception, nothing its CSP refused.
		for _, l := range b.console.lines {
			if strings.HasPrefix(l, string(chromedp.ConsoleException)+":") || strings.Contains(l, "Content Security Policy") {
				t.Errorf("browser console: %s", l)
			}
		}
		if t.Failed() {
			t.Logf("browser console:\n%s", strings.Join(b.console.lines, "\n"))
		}
	})
	return b
}

// do runs actions with a deadline.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.shot("failed-" + what)
		b.t.Fatalf("browser: %s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression into v.
func (b *browser) eval(expr string, v any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("browser: evaluate %s: %v", expr, err)
	}
	if v != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			b.t.Fatalf("browser: evaluate %s: decode %s: %v", expr, raw, err)
		}
	}
}

// waitFor polls a JavaScript predicate until it is true, failing after timeout.
func (b *browser) waitFor(what, predicate string, timeout time.Duration) time.Duration {
	b.t.Helper()
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(b.ctx, timeout+5*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](predicate,
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	if err != nil {
		b.shot("timeout-" + what)
		b.t.Fatalf("browser: waiting for %s (%s): %v", what, predicate, err)
	}
	return time.Since(t0)
}

// shot writes a screenshot of the window to the test's artifact directory.
func (b *browser) shot(name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	dir := b.t.(interface{ ArtifactDir() string }).ArtifactDir()
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	b.t.Logf("screenshot: %s", path)
	if dst := os.Getenv("MIDONET_UI_SCREENSHOT_DIR"); dst != "" {
		_ = os.WriteFile(filepath.Join(dst, name+".png"), png, 0o644)
	}
	return path
}

// snapshot is what the page has drawn (window.midonetUI.snapshot()).
type snapshot struct {
	Nodes []struct {
		ID, Kind, Label, Parent, Classes string
	} `json:"nodes"`
	Edges []struct {
		ID, Source, Target, Label, Classes string
	} `json:"edges"`
}

func (s snapshot) node(id string) (parent, classes string, ok bool) {
	for _, n := range s.Nodes {
		if n.ID == id {
			return n.Parent, n.Classes, true
		}
	}
	return "", "", false
}

func (s snapshot) edge(a, b string) (classes string, ok bool) {
	for _, e := range s.Edges {
		if (e.Source == a && e.Target == b) || (e.Source == b && e.Target == a) {
			return e.Classes, true
		}
	}
	return "", false
}

func hasClass(classes, c string) bool {
	for _, f := range strings.Fields(classes) {
		if f == c {
			return true
		}
	}
	return false
}

func (b *browser) snapshot() snapshot {
	b.t.Helper()
	var s snapshot
	b.eval(`window.midonetUI.snapshot()`, &s)
	return s
}

// pageState is window.midonetUI.state().
type pageState struct {
	Loaded     bool `json:"loaded"`
	Live       bool `json:"live"`
	Renders    int  `json:"renders"`
	LastRender *struct {
		MS       float64 `json:"ms"`
		BuildMS  float64 `json:"build_ms"`
		LayoutMS float64 `json:"layout_ms"`
		ApplyMS  float64 `json:"apply_ms"`
		DrawMS   float64 `json:"draw_ms"`
		Nodes    int     `json:"nodes"`
		Edges    int     `json:"edges"`
	} `json:"lastRender"`
	LastLoad *struct {
		FetchMS float64 `json:"fetch_ms"`
		TotalMS float64 `json:"total_ms"`
	} `json:"lastLoad"`
	Counts map[string]int `json:"counts"`
}

func (b *browser) state() pageState {
	b.t.Helper()
	var s pageState
	b.eval(`window.midonetUI.state()`, &s)
	return s
}

// open loads the page and waits until the topology is drawn and the live feed is on.
func (b *browser) open(url string) {
	b.t.Helper()
	b.do("open "+url, chromedp.Navigate(url+"/ui/"))
	b.waitFor("the topology", `window.midonetUI && window.midonetUI.state().loaded && window.midonetUI.state().live && window.midonetUI.state().renders > 0`, 30*time.Second)
}

// client is the Neutron API as one caller (a Keystone token, or noauth as admin).
type client struct {
	t     testing.TB
	url   string
	token string
}

func (c *client) call(method, path string, body any) map[string]any {
	c.t.Helper()
	out, status := c.try(method, path, body)
	if status >= 300 {
		c.t.Fatalf("%s %s: %d %v", method, path, status, out)
	}
	return out
}

func (c *client) try(method, path string, body any) (map[string]any, int) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.url+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("X-Auth-Token", c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return out, resp.StatusCode
}

// create POSTs one resource and returns its document.
func (c *client) create(path, member string, body map[string]any) map[string]any {
	c.t.Helper()
	return c.call("POST", "/v2.0/"+path, map[string]any{member: body})[member].(map[string]any)
}

func id(d map[string]any) string { return d["id"].(string) }

// testenvServer starts `midonet serve` with extra configuration.
func testenvServer(t *testing.T, conf string) *testenv.Server {
	t.Helper()
	return testenv.StartServer(t, testenv.Options{Config: conf})
}
