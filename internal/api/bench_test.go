package api_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for MIDONET_BENCH_PG

	"github.com/midonet-go/midonet/internal/db"

	"github.com/midonet-go/midonet/internal/plugin/core"
)

// The benchmarks drive the in-process server (SQLite in a temporary directory) through its
// http.Handler, so they measure request parsing, policy, the transaction and rendering, but
// no network and no MidoNet backend. With MIDONET_BENCH_PG set to the admin DSN of a running
// PostgreSQL (postgresql://postgres@127.0.0.1:5432/postgres) each benchmark runs on a new
// database there instead, dropped afterwards. The read benchmarks (BenchmarkPortList10k,
// BenchmarkPortPage, BenchmarkPortFilterDeviceID) go over a real loopback HTTP connection
// with MIDONET_BENCH_HTTP=1; the page and filter ones make MIDONET_BENCH_PORTS ports (10,000
// unless set). Compare runs with benchstat:
//
//	go test ./internal/api -run '^$' -bench . -count 10 > old.txt
//	… change …
//	go test ./internal/api -run '^$' -bench . -count 10 > new.txt
//	benchstat old.txt new.txt

// newBenchServer is the in-process server on SQLite, or on PostgreSQL with MIDONET_BENCH_PG.
func newBenchServer(b *testing.B) *inProcess {
	b.Helper()
	admin := os.Getenv("MIDONET_BENCH_PG")
	if admin == "" {
		return newInProcess(b, unlimited())
	}
	u, err := url.Parse(admin)
	if err != nil {
		b.Fatalf("MIDONET_BENCH_PG: %v", err)
	}
	pg, err := sql.Open("pgx", admin)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { pg.Close() })
	name := fmt.Sprintf("mnbench_%d_%d", os.Getpid(), benchDBs.Add(1))
	if _, err := pg.Exec(`CREATE DATABASE "` + name + `"`); err != nil {
		b.Fatalf("create database %s: %v", name, err)
	}
	b.Cleanup(func() { _, _ = pg.Exec(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`) })
	u.Path = "/" + name
	return newInProcessOn(b, unlimited(), u.String())
}

var benchDBs atomic.Int64

// unlimited is the default configuration without quotas, so that b.N creates fit (a
// non-nil settings makes newInProcessOn leave quotas unlimited).
func unlimited() *core.Settings {
	s := core.DefaultSettings()
	return &s
}

// gatewayRouter creates an external network with an IPv4 subnet of cidr and a router with
// its gateway there, and returns their ids.
func gatewayRouter(tb testing.TB, s *inProcess, cidr string) (ext, router string) {
	tb.Helper()
	ext = idOf(s.mustT(tb, http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": "ext", "router:external": true}}, 201), "network")
	s.mustT(tb, http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": map[string]any{"network_id": ext, "ip_version": 4, "cidr": cidr}}, 201)
	router = idOf(s.mustT(tb, http.MethodPost, "/v2.0/routers", map[string]any{"router": map[string]any{"name": "r",
		"external_gateway_info": map[string]any{"network_id": ext}}}, 201), "router")
	return ext, router
}

// routedNetwork creates a network with one IPv4 subnet of cidr on an interface of router and
// returns the network's id.
func routedNetwork(tb testing.TB, s *inProcess, router, cidr string) string {
	tb.Helper()
	net := benchNetwork(tb, s, cidr)
	subnet := s.mustT(tb, http.MethodGet, "/v2.0/subnets?network_id="+net, nil, 200)["subnets"].([]any)[0].(map[string]any)["id"].(string)
	s.mustT(tb, http.MethodPut, "/v2.0/routers/"+router+"/add_router_interface", map[string]any{"subnet_id": subnet}, 200)
	return net
}

// benchNetwork creates a network with one IPv4 subnet of the given CIDR and returns the
// network's id.
func benchNetwork(tb testing.TB, s *inProcess, cidr string) string {
	tb.Helper()
	net := idOf(s.mustT(tb, http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": "bench"}}, 201), "network")
	s.mustT(tb, http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": map[string]any{
		"network_id": net, "ip_version": 4, "cidr": cidr}}, 201)
	return net
}

// reportLatencies adds p50/p99 (milliseconds) of the recorded request latencies.
func reportLatencies(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}

// BenchmarkPortCreate creates ports one after the other on a network with a /16 subnet
// (a new network every 50,000 ports), as `openstack port create` would. cpu-ns/op is the
// process's user and system CPU per create (the figure a loaded machine disturbs least).
func BenchmarkPortCreate(b *testing.B) { portCreates(b, newBenchServer(b)) }

// BenchmarkPortCreateQuota is BenchmarkPortCreate in a project whose port quota is finite
// (and out of the run's reach), as most projects' are: each create checks the project's
// usage.
func BenchmarkPortCreateQuota(b *testing.B) {
	s := newBenchServer(b)
	// An admin of a project (noauth's admin without one creates ports no quota counts).
	s.hdr = http.Header{"X-Project-Id": {"bench"}, "X-Roles": {"admin"}}
	s.mustT(b, http.MethodPut, "/v2.0/quotas/bench", map[string]any{"quota": map[string]any{"port": 1 << 30}}, 200)
	portCreates(b, s)
}

// portCreates is BenchmarkPortCreate's loop on s.
func portCreates(b *testing.B, s *inProcess) {
	var net string
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime(b)
	for i := 0; i < b.N; i++ {
		if i%50000 == 0 {
			b.StopTimer()
			net = benchNetwork(b, s, fmt.Sprintf("10.%d.0.0/16", i/50000%256))
			b.StartTimer()
		}
		body := []byte(`{"port": {"network_id": "` + net + `", "name": "p` + fmt.Sprint(i) + `"}}`)
		t0 := time.Now()
		w := s.do(http.MethodPost, "/v2.0/ports", body)
		lat = append(lat, time.Since(t0))
		if w.Code != http.StatusCreated {
			b.Fatalf("create port %d: %d %s", i, w.Code, w.Body.String())
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N), "cpu-ns/op")
	reportLatencies(b, lat)
}

// BenchmarkPortCreateFixedIP is BenchmarkPortCreate with each port asking for its address
// (fixed_ips with ip_address), which skips the search for a free one: the difference between
// the two is the cost of IP allocation.
func BenchmarkPortCreateFixedIP(b *testing.B) {
	s := newBenchServer(b)
	var net, sub string
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%50000 == 0 {
			b.StopTimer()
			net = benchNetwork(b, s, fmt.Sprintf("10.%d.0.0/16", i/50000%256))
			sub = subnetOf(b, s, net)
			b.StartTimer()
		}
		ip := fmt.Sprintf("10.%d.%d.%d", i/50000%256, (i%50000+2)/256, (i%50000+2)%256)
		body := []byte(`{"port": {"network_id": "` + net + `", "name": "p` + fmt.Sprint(i) + `", "fixed_ips": [{"subnet_id": "` + sub + `", "ip_address": "` + ip + `"}]}}`)
		t0 := time.Now()
		w := s.do(http.MethodPost, "/v2.0/ports", body)
		lat = append(lat, time.Since(t0))
		if w.Code != http.StatusCreated {
			b.Fatalf("create port %d: %d %s", i, w.Code, w.Body.String())
		}
	}
	b.StopTimer()
	reportLatencies(b, lat)
}

// subnetOf returns the id of the (first) subnet of a network.
func subnetOf(tb testing.TB, s *inProcess, net string) string {
	tb.Helper()
	m := s.mustT(tb, http.MethodGet, "/v2.0/networks/"+net+"?fields=subnets", nil, 200)
	subs, _ := m["network"].(map[string]any)["subnets"].([]any)
	if len(subs) == 0 {
		tb.Fatalf("network %s has no subnet", net)
	}
	return subs[0].(string)
}

// BenchmarkNetworkCreate creates networks one after the other.
func BenchmarkNetworkCreate(b *testing.B) {
	s := newBenchServer(b)
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := []byte(`{"network": {"name": "n` + fmt.Sprint(i) + `"}}`)
		t0 := time.Now()
		w := s.do(http.MethodPost, "/v2.0/networks", body)
		lat = append(lat, time.Since(t0))
		if w.Code != http.StatusCreated {
			b.Fatalf("create network %d: %d %s", i, w.Code, w.Body.String())
		}
	}
	b.StopTimer()
	reportLatencies(b, lat)
}

// listPorts is the number of ports BenchmarkPortList10k lists.
const listPorts = 10000

// BenchmarkPortList10k lists 10,000 ports (GET /v2.0/ports, every field) as an admin.
// The ports are made with bulk creates of 250 before the timer starts, each naming its
// address so that the setup does not pay for the search of free addresses.
func BenchmarkPortList10k(b *testing.B) {
	s := newBenchServer(b)
	t0 := time.Now()
	net := benchNetwork(b, s, "10.0.0.0/16")
	sub := subnetOf(b, s, net)
	const batch = 250
	for n := 0; n < listPorts; n += batch {
		ports := make([]any, batch)
		for i := range ports {
			k := n + i + 2
			ports[i] = map[string]any{"network_id": net, "name": fmt.Sprintf("p%d", n+i), "device_owner": "compute:nova", "device_id": fmt.Sprintf("vm%d", (n+i)/4),
				"fixed_ips": []any{map[string]any{"subnet_id": sub, "ip_address": fmt.Sprintf("10.0.%d.%d", k/256, k%256)}}}
		}
		s.mustT(b, http.MethodPost, "/v2.0/ports", map[string]any{"ports": ports}, 201)
	}
	setup := time.Since(t0)
	// One uncounted list first, as a running server has listed before: it fills the cache
	// with the decoded documents (and what lists keep beside them).
	if code, body := benchGet(b, s, "/v2.0/ports"); code != http.StatusOK {
		b.Fatalf("list ports: %d %s", code, body)
	}
	var size int
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t1 := time.Now()
		code, body := benchGet(b, s, "/v2.0/ports")
		lat = append(lat, time.Since(t1))
		if code != http.StatusOK {
			b.Fatalf("list ports: %d %s", code, body)
		}
		size = len(body)
	}
	b.StopTimer()
	// The process's CPU time a list (the handler, the garbage collector, the test's recorder):
	// less disturbed than the wall clock on a shared machine.
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/list")
	var out struct{ Ports []json.RawMessage }
	w := s.do(http.MethodGet, "/v2.0/ports?fields=id", nil)
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Ports) != listPorts {
		b.Fatalf("list shows %d ports (%v), want %d", len(out.Ports), err, listPorts)
	}
	// The store's share: reading and decoding the 10,000 documents, without the API.
	var store []time.Duration
	for range 3 {
		t1 := time.Now()
		err := s.db.Read(context.Background(), func(tx *db.Tx) error {
			docs, err := tx.List(context.Background(), "ports", db.Filter{})
			if err == nil && len(docs) != listPorts {
				err = fmt.Errorf("store lists %d ports", len(docs))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		store = append(store, time.Since(t1))
	}
	slices.Sort(store)
	b.SetBytes(int64(size))
	b.ReportMetric(float64(store[1])/float64(time.Millisecond), "store-list-ms")
	b.ReportMetric(float64(setup)/float64(time.Second), "setup-s")
	reportLatencies(b, lat)
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchGet serves a GET for a read benchmark: through the handler, or with MIDONET_BENCH_HTTP
// set over a real loopback TCP connection (net/http server and client, keep-alive), as a
// client of `midonet serve` would.
func benchGet(b *testing.B, s *inProcess, target string) (int, []byte) {
	if os.Getenv("MIDONET_BENCH_HTTP") == "" {
		w := s.do(http.MethodGet, target, nil)
		return w.Code, w.Body.Bytes()
	}
	benchHTTPMu.Lock()
	ts, ok := benchHTTP[s]
	if !ok {
		ts = httptest.NewServer(s.srv)
		benchHTTP[s] = ts
		b.Cleanup(func() {
			benchHTTPMu.Lock()
			delete(benchHTTP, s)
			benchHTTPMu.Unlock()
			ts.Close()
		})
	}
	benchHTTPMu.Unlock()
	resp, err := ts.Client().Get(ts.URL + target)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	return resp.StatusCode, body
}

var (
	benchHTTPMu sync.Mutex
	benchHTTP   = map[*inProcess]*httptest.Server{}
)

// benchPorts is the number of ports the page and filter benchmarks create:
// MIDONET_BENCH_PORTS, 10,000 unless set (BENCHMARKS.md quotes 100,000).
func benchPorts(b *testing.B) int {
	if v := os.Getenv("MIDONET_BENCH_PORTS"); v != "" {
		var n int
		if _, err := fmt.Sscan(v, &n); err != nil || n < 1 {
			b.Fatalf("MIDONET_BENCH_PORTS=%q: want a positive number", v)
		}
		return n
	}
	return 10000
}

// fillPorts creates n ports on one network with a /14 subnet, in bulk creates of 250 that
// name their addresses; port i is named p<i> and belongs to device vm<i/4>.
func fillPorts(b *testing.B, s *inProcess, n int) {
	b.Helper()
	net := benchNetwork(b, s, "10.0.0.0/14")
	sub := subnetOf(b, s, net)
	const batch = 250
	for k := 0; k < n; k += batch {
		ports := make([]any, 0, batch)
		for i := k; i < k+batch && i < n; i++ {
			a := i + 2
			ports = append(ports, map[string]any{"network_id": net, "name": fmt.Sprintf("p%d", i), "device_owner": "compute:nova", "device_id": fmt.Sprintf("vm%d", i/4),
				"fixed_ips": []any{map[string]any{"subnet_id": sub, "ip_address": fmt.Sprintf("10.%d.%d.%d", a>>16, (a>>8)&255, a&255)}}})
		}
		s.mustT(b, http.MethodPost, "/v2.0/ports", map[string]any{"ports": ports}, 201)
	}
}

// BenchmarkPortPage asks for one page of 100 ports after a marker in the middle of the
// collection (benchPorts ports), sorted by each kind of key in both directions: unique
// strings (name, mac_address), a timestamp (ports of one bulk create share it), a key every
// port shares (status: one tie group as large as
// the collection), the default (id), and a backward page.
func BenchmarkPortPage(b *testing.B) {
	s := newBenchServer(b)
	n := benchPorts(b)
	fillPorts(b, s, n)
	m := s.mustT(b, http.MethodGet, fmt.Sprintf("/v2.0/ports?name=p%d&fields=id", n/2), nil, 200)
	marker := m["ports"].([]any)[0].(map[string]any)["id"].(string)
	for _, c := range []struct{ name, query string }{
		{"id", ""},
		{"name-asc", "&sort_key=name&sort_dir=asc"},
		{"name-desc", "&sort_key=name&sort_dir=desc"},
		{"created_at-asc", "&sort_key=created_at&sort_dir=asc"},
		{"created_at-desc", "&sort_key=created_at&sort_dir=desc"},
		{"mac-asc", "&sort_key=mac_address&sort_dir=asc"},
		{"mac-desc", "&sort_key=mac_address&sort_dir=desc"},
		{"status-asc", "&sort_key=status&sort_dir=asc"},
		{"status-desc", "&sort_key=status&sort_dir=desc"},
		{"mac-reverse", "&sort_key=mac_address&sort_dir=asc&page_reverse=True"},
	} {
		b.Run(c.name, func(b *testing.B) {
			target := "/v2.0/ports?limit=100&marker=" + marker + c.query
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				code, body := benchGet(b, s, target)
				lat = append(lat, time.Since(t0))
				if code != http.StatusOK {
					b.Fatalf("page: %d %s", code, body)
				}
			}
			b.StopTimer()
			var out struct{ Ports []json.RawMessage }
			w := s.do(http.MethodGet, target, nil)
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Ports) != 100 {
				b.Fatalf("page shows %d ports (%v), want 100", len(out.Ports), err)
			}
			reportLatencies(b, lat)
		})
	}
}

// BenchmarkPortListSmallProject lists the ports of a member whose project holds 5 of them,
// beside benchPorts ports of another project: what a tenant's `openstack port list` costs
// in a shared deployment. The member's get_port rule bounds what it may see to its
// project's ports and the ports on its networks, which the lists read through the indexes
// (scopeCandidates) instead of walking every port (issue 14, BENCHMARKS.md, session 24).
func BenchmarkPortListSmallProject(b *testing.B) {
	s := newBenchServer(b)
	s.hdr = http.Header{"X-Project-Id": {"big"}, "X-Roles": {"admin"}, "X-User-Id": {"admin"}}
	n := benchPorts(b)
	fillPorts(b, s, n)
	s.hdr = http.Header{"X-Project-Id": {"small"}, "X-Roles": {"member"}, "X-User-Id": {"member"}}
	net := benchNetwork(b, s, "10.200.0.0/24")
	for i := 0; i < 5; i++ {
		s.mustT(b, http.MethodPost, "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": net, "name": fmt.Sprint("s", i)}}, 201)
	}
	memberLists(b, s, 5, []memberList{
		{"list", "/v2.0/ports", "ports"},
		{"page-id", "/v2.0/ports?limit=2", "ports"},
		{"page-name", "/v2.0/ports?limit=2&sort_key=name&sort_dir=desc", "ports"},
	})
}

// memberList is a list a member asks for, and the key of its answer.
type memberList struct{ name, target, key string }

// memberLists times each list as a sub-benchmark, then checks that it shows at least one
// and at most own documents: the member's, not the other project's.
func memberLists(b *testing.B, s *inProcess, own int, lists []memberList) {
	for _, c := range lists {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				code, body := benchGet(b, s, c.target)
				if code != http.StatusOK {
					b.Fatalf("%s: %d %s", c.target, code, body)
				}
			}
			var out map[string][]json.RawMessage
			w := s.do(http.MethodGet, c.target, nil)
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out[c.key]) == 0 || len(out[c.key]) > own {
				b.Fatalf("%s shows %d (%v), want the member's own", c.target, len(out[c.key]), err)
			}
		})
	}
}

// BenchmarkOwnedListsSmallProject is BenchmarkOtherListsSmallProject for a collection the
// key index does not hold, whose get rule shows a member only its project's: a member with
// two routers lists them beside MIDONET_BENCH_PORTS (default 10,000) routers of another
// project (api.ownerHint).
func BenchmarkOwnedListsSmallProject(b *testing.B) {
	s := newBenchServer(b)
	s.hdr = http.Header{"X-Project-Id": {"big"}, "X-Roles": {"admin"}, "X-User-Id": {"admin"}}
	n := benchPorts(b)
	for i := range n {
		s.mustT(b, http.MethodPost, "/v2.0/routers", map[string]any{"router": map[string]any{"name": fmt.Sprint("o", i)}}, 201)
	}
	s.hdr = http.Header{"X-Project-Id": {"small"}, "X-Roles": {"member"}, "X-User-Id": {"member"}}
	for i := range 2 {
		s.mustT(b, http.MethodPost, "/v2.0/routers", map[string]any{"router": map[string]any{"name": fmt.Sprint("s", i)}}, 201)
	}
	memberLists(b, s, 2, []memberList{
		{"routers", "/v2.0/routers", "routers"},
		{"routers-page", "/v2.0/routers?limit=1", "routers"},
	})
}

// BenchmarkRulesOfGroup is an admin's list of one group's rules (Horizon's and the CLI's
// `security group rule list GROUP`), whole and a page of one, and of one project's rules,
// beside MIDONET_BENCH_PORTS (default 10,000) other groups with two rules each: the key rows
// of security_group_id, and the project index, name the rules.
func BenchmarkRulesOfGroup(b *testing.B) {
	s := newBenchServer(b)
	s.hdr = http.Header{"X-Project-Id": {"big"}, "X-Roles": {"admin"}, "X-User-Id": {"admin"}}
	n := benchPorts(b)
	group := bulkCreate(b, s, "security-groups", n, named)[n/2]
	s.mustT(b, http.MethodPost, "/v2.0/security-groups", map[string]any{"security_group": map[string]any{"name": "x", "tenant_id": "other"}}, 201)
	timedGets(b, s, "/v2.0/security-group-rules", []namedQuery{
		{"list", "security_group_id=" + group}, {"page", "security_group_id=" + group + "&limit=1"},
		{"project", "tenant_id=other"}, // another project's group and its default group: 6 rules
	})
}

// BenchmarkNetworkBoolFilters is an admin's list of the external networks (the CLI's
// `network list --external`), whole and a page of one, and of the networks administratively
// down, beside MIDONET_BENCH_PORTS (default 10,000) other networks: the key rows of the
// boolean attribute name them.
func BenchmarkNetworkBoolFilters(b *testing.B) {
	s := newBenchServer(b)
	s.hdr = http.Header{"X-Project-Id": {"big"}, "X-Roles": {"admin"}, "X-User-Id": {"admin"}}
	bulkCreate(b, s, "networks", benchPorts(b), named)
	s.mustT(b, http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": "ext", "router:external": true}}, 201)
	timedGets(b, s, "/v2.0/networks", []namedQuery{
		{"external", "router:external=True"}, {"external-page", "router:external=True&limit=1"}, {"down", "admin_state_up=False"},
	})
}

// BenchmarkSortKeyFilters is an admin's filters on attributes outside those that were
// looked up in the index before session 27, beside MIDONET_BENCH_PORTS (default 10,000) of
// each collection: networks by an integer (mtu) and by a string (description), floating IPs
// by their port (what Nova and Terraform ask) and by their router.
func BenchmarkSortKeyFilters(b *testing.B) {
	s := newBenchServer(b)
	s.hdr = http.Header{"X-Project-Id": {"big"}, "X-Roles": {"admin"}, "X-User-Id": {"admin"}}
	n := benchPorts(b)
	bulkCreate(b, s, "networks", n, named)
	s.mustT(b, http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": "odd", "mtu": 1400, "description": "odd one"}}, 201)
	ext, router := gatewayRouter(b, s, "172.16.0.0/12")
	net := routedNetwork(b, s, router, "10.0.0.0/24")
	port := idOf(s.mustT(b, http.MethodPost, "/v2.0/ports", map[string]any{"port": map[string]any{"network_id": net}}, 201), "port")
	bulkCreate(b, s, "floatingips", n, func(int) map[string]any { return map[string]any{"floating_network_id": ext} })
	s.mustT(b, http.MethodPost, "/v2.0/floatingips", map[string]any{"floatingip": map[string]any{"floating_network_id": ext, "port_id": port}}, 201)
	timedGets(b, s, "/v2.0/networks", []namedQuery{{"networks-mtu", "mtu=1400"}, {"networks-description", "description=odd+one"}})
	timedGets(b, s, "/v2.0/floatingips", []namedQuery{{"floatingips-port", "port_id=" + port}, {"floatingips-router", "router_id=" + router}})
}

// BenchmarkSubnetFromPool creates subnets from a subnet pool (a /28 each, from a /16: at
// most 4,096 iterations) beside MIDONET_BENCH_PORTS (default 10,000) networks with a subnet
// each that is not from the pool: the allocation reads the pool's subnets.
func BenchmarkSubnetFromPool(b *testing.B) {
	s := newBenchServer(b)
	s.hdr = http.Header{"X-Project-Id": {"big"}, "X-Roles": {"admin"}, "X-User-Id": {"admin"}}
	n := benchPorts(b)
	nets := bulkCreate(b, s, "networks", n, named)
	bulkCreate(b, s, "subnets", n, func(i int) map[string]any {
		return map[string]any{"network_id": nets[i], "ip_version": 4, "cidr": fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)}
	})
	pool := idOf(s.mustT(b, http.MethodPost, "/v2.0/subnetpools", map[string]any{"subnetpool": map[string]any{"name": "pool",
		"prefixes": []string{"192.168.0.0/16"}, "default_prefixlen": 28}}, 201), "subnetpool")
	net := idOf(s.mustT(b, http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": "pooled"}}, 201), "network")
	body := map[string]any{"subnet": map[string]any{"network_id": net, "subnetpool_id": pool, "ip_version": 4}}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s.mustT(b, http.MethodPost, "/v2.0/subnets", body, 201)
	}
}

// bulkCreate makes n documents of collection (its URL path: security-groups) in bulk
// creates of 250, doc(i) being the i-th, and returns their ids in order.
func bulkCreate(b *testing.B, s *inProcess, collection string, n int, doc func(i int) map[string]any) []string {
	const batch = 250
	var ids []string
	key := strings.ReplaceAll(collection, "-", "_")
	for k := 0; k < n; k += batch {
		docs := make([]any, 0, batch)
		for i := k; i < k+batch && i < n; i++ {
			docs = append(docs, doc(i))
		}
		for _, d := range s.mustT(b, http.MethodPost, "/v2.0/"+collection, map[string]any{key: docs}, 201)[key].([]any) {
			ids = append(ids, d.(map[string]any)["id"].(string))
		}
	}
	return ids
}

// named is a document named by its number (bulkCreate).
func named(i int) map[string]any { return map[string]any{"name": fmt.Sprintf("o%d", i)} }

// namedQuery is a sub-benchmark's name and its list's query.
type namedQuery struct{ name, query string }

// timedGets times GET path?query of each query as a sub-benchmark.
func timedGets(b *testing.B, s *inProcess, path string, queries []namedQuery) {
	for _, c := range queries {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if code, body := benchGet(b, s, path+"?"+c.query); code != http.StatusOK {
					b.Fatalf("%d %s", code, body)
				}
			}
		})
	}
}

// BenchmarkPortPageCold asks for pages of 100 ports whose documents are outside the
// decoded-document cache, as most pages are at 100,000 ports (the cache holds about 25,000):
// the cache is cut to 2 MiB (about 300 ports) and the pages start at eight markers spread
// over the collection in turn, so each page decodes most of its documents. Sorted by id and
// by name.
func BenchmarkPortPageCold(b *testing.B) {
	s := newBenchServer(b)
	n := benchPorts(b)
	fillPorts(b, s, n)
	var markers []string
	for k := 1; k <= 8; k++ {
		m := s.mustT(b, http.MethodGet, fmt.Sprintf("/v2.0/ports?name=p%d&fields=id", k*n/10), nil, 200)
		markers = append(markers, m["ports"].([]any)[0].(map[string]any)["id"].(string))
	}
	db.SetDocCacheBytes(2 << 20)
	b.Cleanup(func() { db.SetDocCacheBytes(db.DefaultDocCacheBytes) })
	for _, c := range []struct{ name, query string }{
		{"id", ""},
		{"name-asc", "&sort_key=name&sort_dir=asc"},
	} {
		b.Run(c.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				target := "/v2.0/ports?limit=100&marker=" + markers[i%len(markers)] + c.query
				t0 := time.Now()
				code, body := benchGet(b, s, target)
				lat = append(lat, time.Since(t0))
				if code != http.StatusOK {
					b.Fatalf("page: %d %s", code, body)
				}
			}
			b.StopTimer()
			reportLatencies(b, lat)
		})
	}
}

// BenchmarkPortFilterDeviceID lists the ports of one device (4 of benchPorts ports), as Nova
// does for every instance it looks at.
func BenchmarkPortFilterDeviceID(b *testing.B) {
	s := newBenchServer(b)
	n := benchPorts(b)
	fillPorts(b, s, n)
	// A sub-benchmark, so that the ports are made once however many rounds it takes.
	b.Run("device_id", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			dev := fmt.Sprintf("vm%d", (i*7919)%(n/4))
			t0 := time.Now()
			code, body := benchGet(b, s, "/v2.0/ports?device_id="+dev)
			lat = append(lat, time.Since(t0))
			if code != http.StatusOK {
				b.Fatalf("filter: %d %s", code, body)
			}
			var out struct{ Ports []json.RawMessage }
			if err := json.Unmarshal(body, &out); err != nil || len(out.Ports) != 4 {
				b.Fatalf("device %s shows %d ports (%v), want 4", dev, len(out.Ports), err)
			}
		}
		b.StopTimer()
		reportLatencies(b, lat)
	})
}

// BenchmarkOtherListsSmallProject is BenchmarkPortListSmallProject for networks, subnets,
// security groups and their rules: a member with two of each lists them beside
// MIDONET_BENCH_PORTS (default 10,000) networks, as many groups (two rules each) and a subnet
// on each network of another project, made in bulk creates.
func BenchmarkOtherListsSmallProject(b *testing.B) {
	s := newBenchServer(b)
	s.hdr = http.Header{"X-Project-Id": {"big"}, "X-Roles": {"admin"}, "X-User-Id": {"admin"}}
	n := benchPorts(b)
	bulk := func(collection string, doc func(i int) map[string]any) []string {
		return bulkCreate(b, s, collection, n, doc)
	}
	nets := bulk("networks", named)
	bulk("security-groups", named)
	bulk("subnets", func(i int) map[string]any {
		return map[string]any{"network_id": nets[i], "ip_version": 4, "cidr": fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)}
	})
	s.hdr = http.Header{"X-Project-Id": {"small"}, "X-Roles": {"member"}, "X-User-Id": {"member"}}
	for i := 0; i < 2; i++ {
		s.mustT(b, http.MethodPost, "/v2.0/security-groups", map[string]any{"security_group": map[string]any{"name": fmt.Sprint("s", i)}}, 201)
		benchNetwork(b, s, fmt.Sprintf("192.168.%d.0/24", i))
	}
	memberLists(b, s, 3, []memberList{
		{"networks", "/v2.0/networks", "networks"},
		{"networks-page", "/v2.0/networks?limit=1", "networks"},
		{"subnets", "/v2.0/subnets", "subnets"},
		{"subnets-page", "/v2.0/subnets?limit=1", "subnets"},
		{"security-groups", "/v2.0/security-groups", "security_groups"},
		{"security-groups-page", "/v2.0/security-groups?limit=1", "security_groups"},
	})
	// The member's groups' rules: its default group's four, two of each other group.
	memberLists(b, s, 8, []memberList{
		{"security-group-rules", "/v2.0/security-group-rules", "security_group_rules"},
		{"security-group-rules-page", "/v2.0/security-group-rules?limit=1", "security_group_rules"},
	})
}
