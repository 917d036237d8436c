package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/midonet-go/midonet/internal/plugin/builtin"
	"github.com/midonet-go/midonet/internal/plugin/quota"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/api"
	"github.com/midonet-go/midonet/internal/auth"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/plugin/core"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
)

func apiServer(t *testing.T) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:///"+filepath.Join(t.TempDir(), "neutron.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	d.Kinds = builtin.Catalog()
	t.Cleanup(func() { d.Close() })
	if _, err := d.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	enf, err := policy.New(nil, builtin.Policies()...)
	if err != nil {
		t.Fatal(err)
	}
	p := core.New(core.DefaultSettings())
	srv := api.New(&api.Server{DB: d, Auth: auth.NoAuth(), Policy: enf, NoAuth: true, Quotas: quota.New(builtin.Catalog(), map[string]int{"port": 500}),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Extensions: resource.NewRegistry()}, p.Collections()...)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs
}

func TestRun(t *testing.T) {
	hs := apiServer(t)
	// 600 ports exceed the default port quota (500): Run must lift it.
	rep, err := Run(context.Background(), Config{URL: hs.URL + "/", Concurrency: 4, Ports: 600, ListRuns: 2, Cleanup: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Create.OK != 600 || len(rep.Create.Failed) != 0 || rep.Create.Count != 600 {
		t.Fatalf("creates: ok %d of %d, failed %v (%s)", rep.Create.OK, rep.Create.Count, rep.Create.Failed, rep.Create.FirstError)
	}
	if len(rep.CIDRs) != 1 || rep.CIDRs[0] != "10.0.0.0/16" || len(rep.NetworkIDs) != 1 || rep.Project != "loadgen" {
		t.Errorf("cidrs %v networks %v project %s", rep.CIDRs, rep.NetworkIDs, rep.Project)
	}
	c := rep.Create.Stats
	if !(c.Min > 0 && c.Min <= c.P50 && c.P50 <= c.P90 && c.P90 <= c.P99 && c.P99 <= c.Max) || c.Throughput <= 0 {
		t.Errorf("create stats out of order: %+v", c)
	}
	if rep.List.Count != 2 || rep.List.Ports != 600 || rep.List.Bytes == 0 {
		t.Errorf("list: %d runs, %d ports, %d bytes", rep.List.Count, rep.List.Ports, rep.List.Bytes)
	}
	if len(rep.Warnings) != 0 {
		t.Errorf("warnings: %v", rep.Warnings)
	}
	if rep.Server != nil {
		t.Errorf("server figures from a server without /metrics: %+v", rep.Server)
	}
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"port create", "port list (600 ports)", "p99", "throughput"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if pc, _ := back["port_create"].(map[string]any); pc["ok"] != float64(600) || pc["p50_ns"] == nil {
		t.Errorf("JSON port_create = %v", back["port_create"])
	}
	// Cleanup removed everything the run made.
	rep2, err := Run(context.Background(), Config{URL: hs.URL, Ports: 0, ListRuns: 1, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if rep2.List.Ports != 0 {
		t.Errorf("after cleanup the server lists %d ports", rep2.List.Ports)
	}
}

// fakeNeutron refuses quota updates and every third port create.
func fakeNeutron(t *testing.T) *httptest.Server {
	var mu sync.Mutex
	creates := 0
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v2.0/quotas/tenant":
			io.WriteString(w, `{"tenant": {"tenant_id": "p1"}}`)
		case r.Method == http.MethodPut:
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"NeutronError": {"type": "PolicyNotAuthorized", "message": "no", "detail": ""}}`)
		case r.Method == http.MethodPost && r.URL.Path == "/v2.0/ports":
			mu.Lock()
			creates++
			n := creates
			mu.Unlock()
			if n%3 == 0 {
				w.WriteHeader(http.StatusConflict)
				io.WriteString(w, `{"NeutronError": {"type": "OverQuota", "message": "Quota exceeded", "detail": ""}}`)
				return
			}
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"port": {"id": "port-%d"}}`, n)
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"network": {"id": "net-1"}, "subnet": {"id": "sub-1"}}`)
		case r.Method == http.MethodGet && r.URL.Path == "/v2.0/ports":
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `oops`)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(hs.Close)
	return hs
}

func TestRunFailures(t *testing.T) {
	hs := fakeNeutron(t)
	rep, err := Run(context.Background(), Config{URL: hs.URL, Concurrency: 3, Ports: 30, ListRuns: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Create.OK != 20 || rep.Create.Failed["409 OverQuota"] != 10 || rep.Create.Count != 30 {
		t.Errorf("ok %d, failed %v, count %d", rep.Create.OK, rep.Create.Failed, rep.Create.Count)
	}
	if rep.Project != "p1" || len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "quotas of project p1") {
		t.Errorf("project %s warnings %v", rep.Project, rep.Warnings)
	}
	if rep.List.Count != 0 || len(rep.List.Errors) != 1 || !strings.HasPrefix(rep.List.Errors[0], "500") {
		t.Errorf("list: %d ok, errors %v", rep.List.Count, rep.List.Errors)
	}
	var table bytes.Buffer
	rep.WriteTable(&table)
	for _, want := range []string{"failed create: 409 OverQuota x10", "failed list: 500", "warning: could not set the quotas"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	if _, err := Run(context.Background(), Config{URL: "http://127.0.0.1:1"}); err == nil {
		t.Error("a run against a closed port succeeded")
	}
}

func TestSubnetFor(t *testing.T) {
	for n, want := range map[int]string{0: "10.0.0.0/16", 65000: "10.0.0.0/16", 65533: "10.0.0.0/16", 65534: "10.0.0.0/15", 1 << 20: "10.0.0.0/11"} {
		got, err := subnetFor(n)
		if err != nil || got != want {
			t.Errorf("subnetFor(%d) = %s, %v; want %s", n, got, err, want)
		}
	}
	if _, err := subnetFor(1 << 25); err == nil {
		t.Error("subnetFor(2^25) fits?")
	}
}

func TestPercentile(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	s := summarize(lat, time.Second)
	if s.P50 != 50*time.Millisecond || s.P90 != 90*time.Millisecond || s.P99 != 99*time.Millisecond || s.Max != 100*time.Millisecond || s.Throughput != 100 {
		t.Errorf("%+v", s)
	}
}

func TestKeepSlowest(t *testing.T) {
	var slow []Sample
	for _, ms := range []int{5, 1, 9, 3, 7, 9, 2, 8} {
		slow = keepSlowest(slow, Sample{Latency: time.Duration(ms) * time.Millisecond}, 3)
	}
	var got []time.Duration
	for _, s := range slow {
		got = append(got, s.Latency/time.Millisecond)
	}
	if len(got) != 3 || got[0] != 9 || got[1] != 9 || got[2] != 8 {
		t.Errorf("slowest = %v, want [9 9 8]", got)
	}
}

// Two scrapes of a midonet server's /metrics around the creates of 100 ports.
const metricsBefore = `# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 10.5
midonet_commit_to_applied_seconds_bucket{le="0.001"} 5
midonet_commit_to_applied_seconds_bucket{le="0.002"} 10
midonet_commit_to_applied_seconds_bucket{le="0.005"} 10
midonet_commit_to_applied_seconds_bucket{le="0.01"} 10
midonet_commit_to_applied_seconds_bucket{le="+Inf"} 10
midonet_commit_to_applied_seconds_sum 0.01
midonet_commit_to_applied_seconds_count 10
`

const metricsAfter = `process_cpu_seconds_total 11.0
midonet_commit_to_applied_seconds_bucket{le="0.001"} 5
midonet_commit_to_applied_seconds_bucket{le="0.002"} 60
midonet_commit_to_applied_seconds_bucket{le="0.005"} 100
midonet_commit_to_applied_seconds_bucket{le="0.01"} 109
midonet_commit_to_applied_seconds_bucket{le="+Inf"} 110
midonet_commit_to_applied_seconds_sum 0.5
midonet_commit_to_applied_seconds_count 110
midonet_commit_to_applied_stage_seconds_bucket{stage="etcd",le="0.001"} 50
midonet_commit_to_applied_stage_seconds_bucket{stage="etcd",le="0.002"} 100
midonet_commit_to_applied_stage_seconds_bucket{stage="etcd",le="+Inf"} 100
midonet_commit_to_applied_stage_seconds_bucket{stage="queue",le="0.001"} 100
midonet_commit_to_applied_stage_seconds_bucket{stage="queue",le="0.002"} 100
midonet_commit_to_applied_stage_seconds_bucket{stage="queue",le="+Inf"} 100
`

func TestServerReport(t *testing.T) {
	before, err := parseMetrics(strings.NewReader(metricsBefore))
	if err != nil {
		t.Fatal(err)
	}
	after, err := parseMetrics(strings.NewReader(metricsAfter))
	if err != nil {
		t.Fatal(err)
	}
	rep := serverReport(before, after, 100)
	if rep.CPUSeconds != 0.5 || rep.CPUPerPort != 5*time.Millisecond {
		t.Errorf("cpu %v s, %v a port; want 0.5 s, 5ms", rep.CPUSeconds, rep.CPUPerPort)
	}
	// 100 observations since: 50 in (1, 2] ms, 40 in (2, 5] ms, 9 in (5, 10] ms, 1 above.
	want := Quantiles{Count: 100, P50: 2 * time.Millisecond, P90: 5 * time.Millisecond, P99: 10 * time.Millisecond}
	if a := rep.CommitToApplied; a == nil || *a != want {
		t.Errorf("commit → applied %+v, want %+v", a, want)
	}
	// The stages the second scrape alone has: all of their observations count.
	stages := map[string]Quantiles{
		"etcd":  {Count: 100, P50: time.Millisecond, P90: 1800 * time.Microsecond, P99: 1980 * time.Microsecond},
		"queue": {Count: 100, P50: 500 * time.Microsecond, P90: 900 * time.Microsecond, P99: 990 * time.Microsecond},
	}
	if len(rep.CommitToAppliedStages) != len(stages) {
		t.Errorf("stages %v, want %v", rep.CommitToAppliedStages, stages)
	}
	for name, want := range stages {
		got := rep.CommitToAppliedStages[name]
		if got == nil {
			t.Errorf("stage %s missing", name)
			continue
		}
		r := *got
		r.P50, r.P90, r.P99 = r.P50.Round(time.Microsecond), r.P90.Round(time.Microsecond), r.P99.Round(time.Microsecond)
		if r != want {
			t.Errorf("stage %s %+v, want %+v", name, r, want)
		}
	}
	tests := []struct {
		q    float64
		want time.Duration
	}{
		{0.25, 1500 * time.Microsecond}, // half way through (1, 2] ms
		{0.7, 3500 * time.Microsecond},  // half way through (2, 5] ms
		{0.995, 10 * time.Millisecond},  // in +Inf: the highest finite bound
	}
	d := after.applied.since(before.applied)
	for _, tt := range tests {
		if got := time.Duration(d.quantile(tt.q) * float64(time.Second)); got.Round(time.Microsecond) != tt.want {
			t.Errorf("quantile(%v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	if _, err := parseMetrics(strings.NewReader("# nothing\nother_metric 1\n")); err == nil {
		t.Error("a /metrics page without the figures parsed")
	}
	if serverReport(nil, after, 100) != nil {
		t.Error("a report without the first scrape")
	}
}
