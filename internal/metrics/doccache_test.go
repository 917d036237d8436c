package metrics

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// scrapeText serves GET /metrics and returns its unlabelled samples by name, and each
// family's type by name.
func scrapeText(t *testing.T, h http.Handler) (values map[string]float64, types map[string]string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", w.Code, w.Body.String())
	}
	values, types = map[string]float64{}, map[string]string{}
	for line := range strings.Lines(w.Body.String()) {
		f := strings.Fields(line)
		switch {
		case len(f) == 4 && f[0] == "#" && f[1] == "TYPE":
			types[f[2]] = f[3]
		case len(f) == 2 && !strings.HasPrefix(f[0], "#") && !strings.Contains(f[0], "{"):
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				t.Fatalf("/metrics line %q: %v", line, err)
			}
			values[f[0]] = v
		}
	}
	return values, types
}

// TestDocCacheMetrics: /metrics reads the cache at each scrape, one series per figure with
// the type it has (counters for the lookups), and follows what the cache reports.
func TestDocCacheMetrics(t *testing.T) {
	m := New(testPaths, nil)
	state := DocCache{Budget: 128 << 20}
	m.RegisterDocCache(func() DocCache { return state })
	for _, c := range []struct {
		name  string
		state DocCache
	}{
		{"empty", DocCache{Budget: 128 << 20}},
		{"after a list", DocCache{Entries: 40, Bytes: 40 * 5000, Budget: 128 << 20, Misses: 40}},
		{"listed again", DocCache{Entries: 40, Bytes: 40 * 5000, Budget: 128 << 20, Hits: 40, Misses: 40}},
		{"off", DocCache{Hits: 40, Misses: 90}},
	} {
		t.Run(c.name, func(t *testing.T) {
			state = c.state
			values, types := scrapeText(t, m.Handler())
			for _, w := range []struct {
				name, typ string
				want      float64
			}{
				{"midonet_doc_cache_entries", "gauge", float64(c.state.Entries)},
				{"midonet_doc_cache_bytes", "gauge", float64(c.state.Bytes)},
				{"midonet_doc_cache_budget_bytes", "gauge", float64(c.state.Budget)},
				{"midonet_doc_cache_hits_total", "counter", float64(c.state.Hits)},
				{"midonet_doc_cache_misses_total", "counter", float64(c.state.Misses)},
			} {
				if got, ok := values[w.name]; !ok || got != w.want {
					t.Errorf("%s = %v (exported %v), want %v", w.name, got, ok, w.want)
				}
				if types[w.name] != w.typ {
					t.Errorf("%s is a %q, want a %s", w.name, types[w.name], w.typ)
				}
			}
		})
	}
}
