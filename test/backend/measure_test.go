package backend

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/midonet-go/midonet/internal/nsdb"
)

// TestMeasureBackend measures the backend (BENCHMARKS.md, section "Backend"). It only runs
// with MIDONET_BENCH=1:
//
//	MIDONET_BENCH=1 go test ./test/backend/ -run TestMeasureBackend -count=1 -v -timeout 30m
//
// Per client mode, on SQLite and on PostgreSQL: the latency of sequential port creates through the API, the
// time from sending the POST to the port's topology appearing in the NSDB (an etcd watch),
// and the cluster's midonet_translation_duration_seconds from /metrics; then the throughput
// of MIDONET_BENCH_PORTS (5000) concurrent port creates; the latency of writes while the
// server reconciles (restarted with [MIDONET] reconcile_interval = 15); the time of
// `db-manage verify` beside the server; in the task mode, finally, the consumer's drain rate:
// the NSDB is removed and the server restarted, so the consumer replays the whole journal.
func TestMeasureBackend(t *testing.T) {
	if os.Getenv("MIDONET_BENCH") != "1" {
		t.Skip("a measurement, not a test (it asserts nothing about the figures): set MIDONET_BENCH=1 to run it")
	}
	bulk := 5000
	if n, err := strconv.Atoi(os.Getenv("MIDONET_BENCH_PORTS")); err == nil && n > 0 {
		bulk = n
	}
	var report []string
	for _, m := range modes {
		for _, pg := range []bool{false, true} {
			db := "sqlite"
			if pg {
				db = "postgres"
			}
			t.Run(m.name+"/"+db, func(t *testing.T) { measure(t, m, pg, db, bulk, &report) })
		}
	}
	t.Logf("summary:\n%s", strings.Join(report, "\n"))
}

func measure(t *testing.T, m mode, pg bool, db string, bulk int, report *[]string) {
	name := m.name + "/" + db
	e := startEnv(t, envOpts{tasks: m.tasks, postgres: pg, extra: "\n[QUOTAS]\nquota_port = -1\n"})
	a := e.api
	net := a.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": "bench"}})
	a.must(t, 201, "POST", "subnets", map[string]any{"subnet": map[string]any{"network_id": str(net, "id"), "cidr": "10.200.0.0/16", "ip_version": 4}})

	// Sequential creates: API round trip, and POST sent → Port visible in the NSDB.
	const seq = 500
	s := e.nsdb(t)
	wctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var seenMu sync.Mutex
	seen := map[string]time.Time{}
	// A port's objects are in its bundle, ".../owned/ports/<id>".
	wch := s.Client().Watch(wctx, nsdb.OwnedKey(activeVersion(t, s), "ports/"), clientv3.WithPrefix())
	go func() {
		for resp := range wch {
			now := time.Now()
			seenMu.Lock()
			for _, ev := range resp.Events {
				id := filepath.Base(string(ev.Kv.Key))
				if _, ok := seen[id]; !ok && ev.Type == clientv3.EventTypePut {
					seen[id] = now
				}
			}
			seenMu.Unlock()
		}
	}()
	var api, visible []time.Duration
	for i := 0; i < seq; i++ {
		t0 := time.Now()
		p := a.must(t, 201, "POST", "ports", map[string]any{"port": map[string]any{"network_id": str(net, "id"), "device_owner": "compute:nova", "device_id": fmt.Sprintf("vm-%d", i)}})
		api = append(api, time.Since(t0))
		deadline := time.Now().Add(10 * time.Second)
		for {
			seenMu.Lock()
			at, ok := seen[str(p, "id")]
			seenMu.Unlock()
			if ok {
				visible = append(visible, at.Sub(t0))
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("port %s never appeared in the NSDB watch", str(p, "id"))
			}
			time.Sleep(200 * time.Microsecond)
		}
	}
	cancel()
	tr := scrapeHistogram(t, e.srv.URL+"/metrics", "midonet_translation_duration_seconds")
	line := fmt.Sprintf("%s: %d sequential port creates: API p50 %s p99 %s; POST→Port in NSDB (watch) p50 %s p99 %s; translation+commit (/metrics, %d applies) p50 %s p99 %s mean %s",
		name, seq, pct(api, 50), pct(api, 99), pct(visible, 50), pct(visible, 99), int64(tr.count), tr.quantile(0.5), tr.quantile(0.99), tr.mean())
	t.Log(line)
	*report = append(*report, line)

	// Bulk: concurrent creates over 10 networks.
	var nets []string
	for i := 0; i < 10; i++ {
		n := a.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": fmt.Sprintf("bulk-%d", i)}})
		a.must(t, 201, "POST", "subnets", map[string]any{"subnet": map[string]any{"network_id": str(n, "id"), "cidr": fmt.Sprintf("10.%d.0.0/16", 100+i), "ip_version": 4}})
		nets = append(nets, str(n, "id"))
	}
	const clients = 8
	lat := make([][]time.Duration, clients)
	errs := make([][]string, clients)
	var wg sync.WaitGroup
	t0 := time.Now()
	for c := 0; c < clients; c++ {
		wg.Go(func() {
			for i := c; i < bulk; i += clients {
				s0 := time.Now()
				status, out, err := a.do(context.Background(), "POST", "ports", map[string]any{"port": map[string]any{"network_id": nets[i%len(nets)], "device_owner": "compute:nova", "device_id": fmt.Sprintf("bulk-%d", i)}})
				lat[c] = append(lat[c], time.Since(s0))
				if err != nil || status != 201 {
					errs[c] = append(errs[c], fmt.Sprintf("port create %d after %s: status %d %v %.300s", i, fmtDur(time.Since(s0)), status, err, canonical(out)))
				}
			}
		})
	}
	wg.Wait()
	var failed []string
	for _, l := range errs {
		failed = append(failed, l...)
	}
	if len(failed) > 0 {
		// A committed write answered 5xx is a server bug, not a measurement artefact.
		t.Errorf("%s: %d of %d port creates did not answer 201:\n  %s", name, len(failed), bulk, summarize(failed, 5))
	}
	el := time.Since(t0)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	line = fmt.Sprintf("%s: %d port creates by %d clients in %s: %.0f ports/s, API p50 %s p99 %s max %s, %d not 201",
		name, bulk, clients, el.Round(time.Millisecond), float64(bulk)/el.Seconds(), pct(all, 50), pct(all, 99), pct(all, 100), len(failed))
	t.Log(line)
	*report = append(*report, line)

	// Writes across reconciliations (the REST client repairs, the task client verifies) with
	// all those ports in place: the server restarts with [MIDONET] reconcile_interval = 15,
	// so the window holds the startup pass and two periodic ones.
	f, err := os.OpenFile(e.conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("\n[MIDONET]\nreconcile_interval = 15\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	e.closeHandles()
	e.srv.Stop()
	e.restart(t)
	const window = 32 * time.Second
	var during []time.Duration
	var refused []string
	t0 = time.Now()
	for i := 0; time.Since(t0) < window; i++ {
		s0 := time.Now()
		status, out, err := a.do(context.Background(), "POST", "ports", map[string]any{"port": map[string]any{"network_id": nets[i%len(nets)], "device_owner": "compute:nova", "device_id": fmt.Sprintf("late-%d", i)}})
		during = append(during, time.Since(s0))
		if err != nil || status != 201 {
			refused = append(refused, fmt.Sprintf("after %s: status %d %v %.200s", fmtDur(time.Since(s0)), status, err, canonical(out)))
		}
	}
	line = fmt.Sprintf("%s: %d sequential port creates over %s (startup + 2 periodic reconciliations) with %d ports: p50 %s p99 %s max %s, %d not 201",
		name, len(during), window, bulk+seq, pct(during, 50), pct(during, 99), pct(during, 100), len(refused))
	t.Log(line)
	*report = append(*report, line)
	if len(refused) > 0 {
		t.Errorf("%s: %d of %d port creates during the reconciliation did not answer 201:\n  %s", name, len(refused), len(during), summarize(refused, 5))
	}
	t0 = time.Now()
	d := e.verify(t)
	line = fmt.Sprintf("%s: db-manage verify beside the running server over %d ports: %s (drift %d)", name, bulk+seq+len(during), time.Since(t0).Round(time.Millisecond), d.Total)
	t.Log(line)
	*report = append(*report, line)
	if !m.tasks {
		return
	}

	// Drain: the consumer replays the whole journal into an empty NSDB.
	j := e.journal(t)
	e.closeHandles()
	e.srv.Stop()
	if err := os.RemoveAll(filepath.Join(e.srv.DataDir, "etcd")); err != nil {
		t.Fatal(err)
	}
	t0 = time.Now()
	e.restart(t)
	ready := time.Since(t0)
	type sample struct {
		at   time.Duration
		last int64
	}
	var samples []sample
	for {
		last := e.nsdbLastTask(t)
		samples = append(samples, sample{time.Since(t0), last})
		if last >= j.maxID {
			break
		}
		if time.Since(t0) > 10*time.Minute {
			t.Fatalf("drain stuck at %d of %d", last, j.maxID)
		}
		time.Sleep(10 * time.Millisecond)
	}
	first, end := samples[0], samples[len(samples)-1]
	rate := math.NaN()
	if end.at > first.at {
		rate = float64(end.last-first.last) / (end.at - first.at).Seconds()
	}
	line = fmt.Sprintf("%s: replay of %d tasks into an empty NSDB: server ready after %s with %d applied, all applied after %s; %.0f tasks/s while draining (%d tasks in %s)",
		name, j.maxID, ready.Round(time.Millisecond), first.last, end.at.Round(time.Millisecond), rate, end.last-first.last, (end.at - first.at).Round(time.Millisecond))
	t.Log(line)
	*report = append(*report, line)
	if d := e.verify(t); d.Total != 0 {
		t.Logf("verify after the replay: %s", d)
	}
}

func pct(d []time.Duration, p float64) string {
	if len(d) == 0 {
		return "-"
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	i = max(0, min(i, len(s)-1))
	return fmtDur(s[i])
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// histogram is a Prometheus histogram read from the text exposition.
type histogram struct {
	bounds []float64
	counts []float64 // cumulative
	count  float64
	sum    float64
}

func scrapeHistogram(t *testing.T, url, name string) histogram {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h histogram
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		v, _ := strconv.ParseFloat(f[1], 64)
		switch {
		case strings.HasPrefix(f[0], name+"_bucket{le=\""):
			le := strings.TrimSuffix(strings.TrimPrefix(f[0], name+"_bucket{le=\""), "\"}")
			b, err := strconv.ParseFloat(le, 64)
			if le == "+Inf" {
				b, err = math.Inf(1), nil
			}
			if err == nil {
				h.bounds, h.counts = append(h.bounds, b), append(h.counts, v)
			}
		case f[0] == name+"_sum":
			h.sum = v
		case f[0] == name+"_count":
			h.count = v
		}
	}
	return h
}

// quantile interpolates linearly inside the bucket holding q.
func (h histogram) quantile(q float64) string {
	if h.count == 0 {
		return "-"
	}
	rank := q * h.count
	lo, prev := 0.0, 0.0
	for i, b := range h.bounds {
		if h.counts[i] >= rank {
			if math.IsInf(b, 1) {
				return fmt.Sprintf(">%s", fmtDur(time.Duration(lo*float64(time.Second))))
			}
			in := h.counts[i] - prev
			frac := 1.0
			if in > 0 {
				frac = (rank - prev) / in
			}
			return "≈" + fmtDur(time.Duration((lo+(b-lo)*frac)*float64(time.Second)))
		}
		lo, prev = b, h.counts[i]
	}
	return "-"
}

func (h histogram) mean() string {
	if h.count == 0 {
		return "-"
	}
	return fmtDur(time.Duration(h.sum / h.count * float64(time.Second)))
}
