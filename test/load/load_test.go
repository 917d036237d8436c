package load

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// report is the part of `midonet load --json` the tests read.
type report struct {
	Bulk       int      `json:"bulk"`
	NetworkIDs []string `json:"network_ids"`
	CIDRs      []string `json:"cidrs"`
	Hints      []string `json:"hints"`
	Warnings   []string `json:"warnings"`
	Create     struct {
		Count     int            `json:"count"`
		OK        int            `json:"ok"`
		PortsPerS float64        `json:"ports_per_s"`
		P50       int64          `json:"p50_ns"`
		Failed    map[string]int `json:"failed"`
	} `json:"port_create"`
	Server *struct {
		CPUSeconds      float64 `json:"cpu_seconds"`
		CPUPerPort      int64   `json:"cpu_per_port_ns"`
		CommitToApplied *struct {
			Count int   `json:"count"`
			P50   int64 `json:"p50_ns"`
			P99   int64 `json:"p99_ns"`
		} `json:"commit_to_applied"`
		Stages map[string]struct {
			Count int   `json:"count"`
			P50   int64 `json:"p50_ns"`
			P99   int64 `json:"p99_ns"`
		} `json:"commit_to_applied_stages"`
	} `json:"server"`
	Mix *struct {
		Mix        string `json:"mix"`
		Count      int    `json:"count"`
		Skipped    int    `json:"skipped"`
		Operations map[string]struct {
			Count  int            `json:"count"`
			OK     int            `json:"ok"`
			P99    int64          `json:"p99_ns"`
			Failed map[string]int `json:"failed"`
		} `json:"operations"`
	} `json:"mix"`
	PageWalk *struct {
		PageSize int    `json:"page_size"`
		SortKey  string `json:"sort_key"`
		SortDir  string `json:"sort_dir"`
		Pages    int    `json:"pages"`
		Ports    int    `json:"ports"`
		Repeated int    `json:"repeated"`
		Complete bool   `json:"complete"`
		Count    int    `json:"count"`
		P50      int64  `json:"p50_ns"`
		Error    string `json:"error"`
	} `json:"page_walk"`
	List struct {
		Count int `json:"count"`
		Ports int `json:"ports"`
	} `json:"port_list"`
}

// load runs `midonet load --json --quiet` with args against the server and decodes its report.
func load(t *testing.T, s *testenv.Server, args ...string) report {
	t.Helper()
	cmd := exec.Command(testenv.Binary(t), append([]string{"load", "--url", s.URL, "--json", "--quiet"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("midonet load %v: %v\n%s%s", args, err, out.String(), errb.String())
	}
	var r report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("midonet load %v: not JSON: %v\n%s", args, err, out.String())
	}
	if len(r.Warnings) != 0 {
		t.Errorf("midonet load %v: warnings %v", args, r.Warnings)
	}
	return r
}

// ports lists the ports with a query, as the admin-less noauth project loadgen sees them.
func ports(t *testing.T, s *testenv.Server, query string) []map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/v2.0/ports?"+query, nil)
	req.Header.Set("X-Project-Id", "loadgen")
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /v2.0/ports?%s: %d %s", query, resp.StatusCode, b)
	}
	var out struct {
		Ports []map[string]any `json:"ports"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out.Ports
}

func TestLoadWorkloads(t *testing.T) {
	for _, pg := range []bool{false, true} {
		name := "sqlite"
		if pg {
			name = "postgres"
		}
		t.Run(name, func(t *testing.T) { workloads(t, pg) })
	}
}

func workloads(t *testing.T, pg bool) {
	s := testenv.StartServer(t, testenv.Options{Postgres: pg})
	total := 0

	// One port per request, then full lists.
	r := load(t, s, "--ports", "30", "--concurrency", "3", "--list", "2")
	if r.Create.OK != 30 || r.Create.Count != 30 || len(r.Create.Failed) != 0 || r.Bulk != 1 {
		t.Fatalf("single creates: %+v", r.Create)
	}
	total += 30
	if r.List.Count != 2 || r.List.Ports != total {
		t.Errorf("lists: %+v, want 2 of %d ports", r.List, total)
	}
	// The server's own figures for the creates, from its /metrics: its CPU, and each
	// create's time from commit to topology applied (the server may apply writes of its own
	// meanwhile, so at least one per create).
	if sv := r.Server; sv == nil || sv.CPUSeconds <= 0 || sv.CPUPerPort <= 0 {
		t.Errorf("server figures: %+v", sv)
	} else if a := sv.CommitToApplied; a == nil || a.Count < 30 || a.P50 <= 0 || a.P99 < a.P50 {
		t.Errorf("commit → applied: %+v", a)
	} else {
		// The same writes split into the stages the cluster in the process saw: each write
		// once in every stage, and the etcd transaction takes time.
		for _, stage := range []string{"pickup", "queue", "translate", "order", "etcd", "answer"} {
			if st, ok := sv.Stages[stage]; !ok || st.Count != a.Count || st.P99 < st.P50 {
				t.Errorf("stage %s: %+v (commit → applied %+v)", stage, st, a)
			}
		}
		if len(sv.Stages) != 6 || sv.Stages["etcd"].P50 <= 0 {
			t.Errorf("stages: %+v", sv.Stages)
		}
	}

	// Bulk creates spread over networks: each network holds its share, on its own subnet.
	r = load(t, s, "--ports", "90", "--bulk", "30", "--networks", "3", "--concurrency", "2", "--list", "0")
	if r.Create.OK != 90 || r.Create.Count != 3 || r.Bulk != 30 || r.Create.PortsPerS <= 0 {
		t.Fatalf("bulk creates: %+v", r.Create)
	}
	total += 90
	if len(r.NetworkIDs) != 3 || len(r.CIDRs) != 3 || r.CIDRs[1] != "10.1.0.0/16" {
		t.Fatalf("networks %v cidrs %v", r.NetworkIDs, r.CIDRs)
	}
	for i, id := range r.NetworkIDs {
		ps := ports(t, s, "network_id="+id)
		if len(ps) != 30 {
			t.Errorf("network %d holds %d ports, want 30", i, len(ps))
		}
		for _, p := range ps {
			ips, _ := p["fixed_ips"].([]any)
			ip, _ := ips[0].(map[string]any)["ip_address"].(string)
			if !strings.HasPrefix(ip, fmt.Sprintf("10.%d.", i)) {
				t.Errorf("port %v of network %d has address %s, outside %s", p["id"], i, ip, r.CIDRs[i])
			}
		}
	}

	// A mix: each operation in its proportion, every one answered 2xx.
	r = load(t, s, "--ports", "20", "--concurrency", "4", "--list", "0", "--mix", "create=60,update=20,delete=10,list=10", "--mix-ops", "50")
	if r.Mix == nil || r.Mix.Count != 50 || r.Mix.Skipped != 0 || r.Mix.Mix != "create=60,update=20,delete=10,list=10" {
		t.Fatalf("mix: %+v", r.Mix)
	}
	for op, n := range map[string]int{"create": 30, "update": 10, "delete": 5, "list": 5} {
		o := r.Mix.Operations[op]
		if o.Count != n || o.OK != n || len(o.Failed) != 0 || o.P99 <= 0 {
			t.Errorf("mix %s: %+v, want %d ok", op, o, n)
		}
	}
	total += 20 + 30 - 5
	renamed := 0
	for _, p := range ports(t, s, "network_id="+r.NetworkIDs[0]) {
		if strings.Contains(p["name"].(string), "-u") {
			renamed++
		}
	}
	if renamed == 0 || renamed > 10 {
		t.Errorf("%d ports carry an update's name, want 1 to 10", renamed)
	}

	// A page walk over everything the runs made, by name downwards: every port once.
	r = load(t, s, "--ports", "0", "--list", "0", "--page", "16", "--page-sort", "name:desc")
	p := r.PageWalk
	if p == nil || p.Ports != total || p.Repeated != 0 || !p.Complete || p.Pages != total/16+1 || p.Count != p.Pages || p.SortKey != "name" || p.SortDir != "desc" || p.Error != "" {
		t.Errorf("page walk: %+v, want %d ports in %d pages", p, total, total/16+1)
	}
	if got := len(ports(t, s, "")); got != total {
		t.Errorf("the API lists %d ports, the runs left %d", got, total)
	}
	// --pages stops the walk early.
	r = load(t, s, "--ports", "0", "--list", "0", "--page", "10", "--pages", "3")
	if p := r.PageWalk; p == nil || p.Pages != 3 || p.Ports != 30 || p.Complete {
		t.Errorf("walk of 3 pages: %+v", p)
	}

	// --postgres: hints; 8 clients are more than the default pool of 5.
	r = load(t, s, "--ports", "8", "--concurrency", "8", "--list", "0", "--postgres")
	if len(r.Hints) == 0 || !strings.Contains(strings.Join(r.Hints, "\n"), "max_pool_size") {
		t.Errorf("hints: %v", r.Hints)
	}
	r = load(t, s, "--ports", "1", "--list", "0")
	if len(r.Hints) != 0 {
		t.Errorf("hints without --postgres: %v", r.Hints)
	}

	// --quota N sets the project's quotas to N instead of lifting them: the creates past
	// the port quota are refused, each create having counted the project's ports.
	have := len(ports(t, s, ""))
	r = load(t, s, "--ports", "10", "--concurrency", "2", "--list", "0", "--quota", strconv.Itoa(have+5))
	if r.Create.OK != 5 || r.Create.Failed["409 OverQuota"] != 5 || len(r.Warnings) != 0 {
		t.Errorf("10 creates beside %d ports under a quota of %d: %+v (warnings %v), want 5 created and 5 over the quota", have, have+5, r.Create, r.Warnings)
	}
}

// TestLoadRefusesBadFlags: a bad mix, sort or bound stops the command before it sends
// anything, with a message that names the problem.
func TestLoadRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--mix", "create=60,reboot=40"}, `unknown operation "reboot"`},
		{[]string{"--mix", "create=0"}, "every weight is 0"},
		{[]string{"--page", "10", "--page-sort", "name:sideways"}, "direction must be asc or desc"},
		{[]string{"--bulk", "5000"}, "bulk 5000"},
		{[]string{"--networks", "-1"}, "networks -1"},
		{[]string{"--quota", "-1"}, "quota -1"},
	} {
		// Port 1 on loopback: nothing listens, so any request would fail differently.
		cmd := exec.Command(testenv.Binary(t), append([]string{"load", "--url", "http://127.0.0.1:1", "--quiet"}, tc.args...)...)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("midonet load %v: %v\n%s\nwant an error with %q", tc.args, err, out, tc.want)
		}
	}
}
