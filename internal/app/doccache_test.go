package app

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// writeConf writes a configuration with [database] text added to a noauth server on a free
// port whose client is the task journal (a write waits a second at most for the cluster),
// and returns the server's options.
func writeConf(t *testing.T, database string) Options {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "neutron.conf")
	text := "[DEFAULT]\nauth_strategy = noauth\nbind_port = 0\n[MIDONET]\nclient = tasks\napply_timeout = 1\n[database]\n" + database
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return Options{ConfigFiles: []string{conf}, DataDir: filepath.Join(dir, "data"), Log: quiet}
}

// TestDocCacheSizeRefused: a size the cache cannot have stops the start with a sentence
// naming the option, before anything is opened.
func TestDocCacheSizeRefused(t *testing.T) {
	for _, c := range []struct {
		value, want string
	}{
		{"-1", "[database] doc_cache_size_mb -1: want 0 (no cache) or a size in MiB"},
		{"9000000000000", "[database] doc_cache_size_mb 9000000000000: want 0 (no cache) or a size in MiB"},
		{"lots", `[database] doc_cache_size_mb: "lots" is not an integer`},
	} {
		t.Run(c.value, func(t *testing.T) {
			o := writeConf(t, "doc_cache_size_mb = "+c.value+"\n")
			srv, err := NewServer(context.Background(), o)
			if err == nil {
				srv.close()
				t.Fatalf("doc_cache_size_mb = %s: the server started", c.value)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("doc_cache_size_mb = %s: %v, want it to say %q", c.value, err, c.want)
			}
			if _, statErr := os.Stat(o.DataDir); !os.IsNotExist(statErr) {
				t.Errorf("doc_cache_size_mb = %s: the data directory was made (%v) before the option was refused", c.value, statErr)
			}
		})
	}
}

// TestDocCacheSize: the option, or its default, is the cache's budget in MiB (0: off).
func TestDocCacheSize(t *testing.T) {
	for _, c := range []struct {
		database string
		want     int64
	}{
		{"", db.DefaultDocCacheBytes},
		{"doc_cache_size_mb = 1\n", 1 << 20},
		{"doc_cache_size_mb = 0\n", 0},
		{"doc_cache_size_mb = 4096\n", 4 << 30},
	} {
		cfg, err := LoadConfig(writeConf(t, c.database))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := docCacheBytes(cfg); err != nil || got != c.want {
			t.Errorf("[database] %q: budget %d (%v), want %d", c.database, got, err, c.want)
		}
	}
}

// TestDocCacheMetricsServed starts a server with a 1 MiB cache (its NSDB held closed: the API
// answers from its database) and reads /metrics around lists of networks: the budget is the
// configured one, a list adds its networks to the cache (a miss each) within the budget, and
// the same list again finds them (a hit each).
func TestDocCacheMetricsServed(t *testing.T) {
	t.Cleanup(func() { db.SetDocCacheBytes(db.DefaultDocCacheBytes) })
	o := writeConf(t, "doc_cache_size_mb = 1\n")
	o.nsdbGate = make(chan struct{}) // never opened
	_, call, stop := startGated(t, o)
	defer stop()
	if code, body := waitAPI(call); code != http.StatusOK {
		t.Fatalf("GET /v2.0/networks = %d %s", code, body)
	}
	const n = 20
	nets := make([]string, n)
	for i := range nets {
		nets[i] = fmt.Sprintf(`{"name": "n%d"}`, i)
	}
	if code, body := call("POST", "/v2.0/networks", `{"networks": [`+strings.Join(nets, ",")+`]}`); code != http.StatusCreated {
		t.Fatalf("POST /v2.0/networks = %d %s", code, body)
	}
	scrape := func() map[string]float64 {
		t.Helper()
		code, body := call("GET", "/metrics", "")
		if code != http.StatusOK {
			t.Fatalf("GET /metrics = %d", code)
		}
		out := map[string]float64{}
		for line := range strings.Lines(body) {
			name, value, ok := strings.Cut(strings.TrimSpace(line), " ")
			if ok && strings.HasPrefix(name, "midonet_doc_cache_") {
				v, err := strconv.ParseFloat(value, 64)
				if err != nil {
					t.Fatalf("/metrics line %q: %v", line, err)
				}
				out[name] = v
			}
		}
		for _, name := range []string{"entries", "bytes", "budget_bytes", "hits_total", "misses_total"} {
			if _, ok := out["midonet_doc_cache_"+name]; !ok {
				t.Fatalf("/metrics has no midonet_doc_cache_%s:\n%s", name, body)
			}
		}
		return out
	}
	list := func() {
		t.Helper()
		code, body := call("GET", "/v2.0/networks", "")
		if code != http.StatusOK || strings.Count(body, `"name":"n`) != n {
			t.Fatalf("GET /v2.0/networks = %d %s, want the %d networks", code, body, n)
		}
	}

	if got := scrape()["midonet_doc_cache_budget_bytes"]; got != 1<<20 {
		t.Fatalf("with doc_cache_size_mb = 1 the cache's budget is %v bytes, want %d", got, 1<<20)
	}
	db.SetDocCacheBytes(0) // empty it (the creates may have read through it), then the same budget again
	db.SetDocCacheBytes(1 << 20)
	before := scrape()
	if before["midonet_doc_cache_entries"] != 0 || before["midonet_doc_cache_bytes"] != 0 {
		t.Fatalf("an emptied cache reports %v", before)
	}
	list()
	listed := scrape()
	if got := listed["midonet_doc_cache_entries"]; got < n {
		t.Errorf("after a list of %d networks the cache holds %v entries", n, got)
	}
	if b := listed["midonet_doc_cache_bytes"]; b <= 0 || b > listed["midonet_doc_cache_budget_bytes"] {
		t.Errorf("after a list the cache holds %v bytes, want some and at most its budget %v", b, listed["midonet_doc_cache_budget_bytes"])
	}
	if got := listed["midonet_doc_cache_misses_total"] - before["midonet_doc_cache_misses_total"]; got < n {
		t.Errorf("a list of %d networks through an empty cache missed %v times", n, got)
	}
	list()
	again := scrape()
	if got := again["midonet_doc_cache_hits_total"] - listed["midonet_doc_cache_hits_total"]; got < n {
		t.Errorf("the same list of %d networks again hit the cache %v times", n, got)
	}
	if again["midonet_doc_cache_entries"] != listed["midonet_doc_cache_entries"] {
		t.Errorf("the same list again changed the cache's entries from %v to %v", listed["midonet_doc_cache_entries"], again["midonet_doc_cache_entries"])
	}
}
