package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestUnindexedLookupsMetric: one counter series per collection and attribute that had a
// lookup reading the whole collection, none before the first.
func TestUnindexedLookupsMetric(t *testing.T) {
	m := New(testPaths, nil)
	counts := map[[2]string]int64{}
	m.RegisterUnindexedLookups(func() map[[2]string]int64 { return counts })
	if body := scrape(m); strings.Contains(body, "midonet_db_unindexed_lookups_total{") {
		t.Errorf("series before any lookup:\n%s", body)
	}
	counts[[2]string{"logs", "target_id"}] = 3
	counts[[2]string{"subnetpools", "address_scope_id"}] = 1
	body := scrape(m)
	for _, want := range []string{
		"# TYPE midonet_db_unindexed_lookups_total counter",
		`midonet_db_unindexed_lookups_total{attribute="target_id",collection="logs"} 3`,
		`midonet_db_unindexed_lookups_total{attribute="address_scope_id",collection="subnetpools"} 1`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// TestWholeReadsMetric: one counter series per collection a write read whole, none before.
func TestWholeReadsMetric(t *testing.T) {
	m := New(testPaths, nil)
	counts := map[string]int64{}
	m.RegisterWholeReads(func() map[string]int64 { return counts })
	if body := scrape(m); strings.Contains(body, "midonet_db_whole_collection_reads_total{") {
		t.Errorf("series before any read:\n%s", body)
	}
	counts["firewalls"] = 2
	body := scrape(m)
	for _, want := range []string{
		"# TYPE midonet_db_whole_collection_reads_total counter",
		`midonet_db_whole_collection_reads_total{collection="firewalls"} 2`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// scrape returns what /metrics answers.
func scrape(m *Metrics) string {
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return w.Body.String()
}
