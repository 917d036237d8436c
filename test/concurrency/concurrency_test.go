package concurrency

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// engines are the shared databases several API servers can run on.
var engines = []struct {
	name string
	opts testenv.Options
	url  func(t testing.TB) string // a new database
}{
	{"postgres", testenv.Options{Postgres: true}, testenv.NewDatabase},
	{"mariadb", testenv.Options{MariaDB: true}, testenv.NewMariaDBDatabase},
}

// twoServers starts two `midonet serve` processes on one database of the engine o names.
func twoServers(t *testing.T, o testenv.Options) []*testenv.Server {
	t.Helper()
	a := testenv.StartServer(t, o)
	b := testenv.StartServer(t, testenv.Options{
		Config: "[database]\nconnection = " + a.DSN + "\n[DEFAULT]\nauth_strategy = noauth\n",
	})
	servers := []*testenv.Server{a, b}
	t.Cleanup(func() {
		for i, s := range servers {
			for _, line := range strings.Split(s.Logs(), "\n") {
				if strings.Contains(line, " ERROR midonet") {
					t.Errorf("server %d logged an error: %s", i, line)
				}
			}
		}
	})
	return servers
}

var client = &http.Client{
	Timeout:   2 * time.Minute,
	Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 0},
}

// answer is one HTTP exchange.
type answer struct {
	server int
	status int
	body   []byte
	err    error
}

func call(method, url string, body any) answer {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return answer{err: err}
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return answer{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: b, err: err}
}

func mustCreate(t *testing.T, url, member string, body map[string]any) map[string]any {
	t.Helper()
	a := call(http.MethodPost, url, map[string]any{member: body})
	if a.err != nil || a.status != http.StatusCreated {
		t.Fatalf("POST %s: %d %v: %s", url, a.status, a.err, a.body)
	}
	var out map[string]map[string]any
	if err := json.Unmarshal(a.body, &out); err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	return out[member]
}

// neutronError decodes a NeutronError body; ok is false when the body is not one.
func neutronError(b []byte) (typ string, ok bool) {
	var e struct {
		NeutronError *struct {
			Type    *string `json:"type"`
			Message *string `json:"message"`
			Detail  *string `json:"detail"`
		} `json:"NeutronError"`
	}
	if json.Unmarshal(b, &e) != nil || e.NeutronError == nil || e.NeutronError.Type == nil ||
		e.NeutronError.Message == nil || e.NeutronError.Detail == nil {
		return "", false
	}
	return *e.NeutronError.Type, true
}

// scenario is one run of concurrent port creates on a fresh network.
type scenario struct {
	cidr  string
	ports int
	// mac returns the MAC the i-th create asks for ("" = let the server choose).
	mac func(i int) string
	// project owns the ports ("" = the caller's).
	project string
}

// outcome sums up a scenario.
type outcome struct {
	ok       []map[string]any
	failures map[string]int // "409 IpAddressGenerationFailure" -> count
	elapsed  time.Duration
}

// run creates the network and subnet on the first server, then fires all port creates at
// once, alternating between the servers, and checks the invariants every variant shares:
// no transport error, no duplicate IP or MAC among the created ports, every failure a 4xx
// or 503 NeutronError, and the network's port list equal to the successes.
func (sc scenario) run(t *testing.T, servers []*testenv.Server) outcome {
	t.Helper()
	net := mustCreate(t, servers[0].URL+"/v2.0/networks", "network", map[string]any{"name": t.Name()})
	netID := net["id"].(string)
	sub := mustCreate(t, servers[1].URL+"/v2.0/subnets", "subnet", map[string]any{
		"network_id": netID, "ip_version": 4, "cidr": sc.cidr, "name": t.Name()})
	gateway, _ := sub["gateway_ip"].(string)

	answers := make([]answer, sc.ports)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < sc.ports; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			port := map[string]any{"network_id": netID, "name": fmt.Sprintf("p%d", i)}
			if sc.project != "" {
				port["project_id"] = sc.project
			}
			if sc.mac != nil {
				if m := sc.mac(i); m != "" {
					port["mac_address"] = m
				}
			}
			srv := i % len(servers)
			<-start
			a := call(http.MethodPost, servers[srv].URL+"/v2.0/ports", map[string]any{"port": port})
			a.server = srv
			answers[i] = a
		}(i)
	}
	began := time.Now()
	close(start)
	wg.Wait()
	out := outcome{failures: map[string]int{}, elapsed: time.Since(began)}

	ips, macs := map[string]int{}, map[string]int{}
	for i, a := range answers {
		if a.err != nil {
			t.Errorf("create %d on server %d: %v", i, a.server, a.err)
			continue
		}
		if a.status == http.StatusCreated {
			var m struct{ Port map[string]any }
			if err := json.Unmarshal(a.body, &m); err != nil || m.Port == nil {
				t.Errorf("create %d: 201 with body %s", i, a.body)
				continue
			}
			out.ok = append(out.ok, m.Port)
			macs[strings.ToLower(m.Port["mac_address"].(string))]++
			fixed, _ := m.Port["fixed_ips"].([]any)
			if len(fixed) != 1 {
				t.Errorf("create %d: fixed_ips %v, want one address", i, fixed)
			}
			for _, f := range fixed {
				ip := f.(map[string]any)["ip_address"].(string)
				ips[ip]++
				if ip == gateway {
					t.Errorf("create %d got the gateway address %s", i, ip)
				}
			}
			continue
		}
		typ, ok := neutronError(a.body)
		switch {
		case !ok:
			t.Errorf("create %d on server %d: status %d without a NeutronError body: %s", i, a.server, a.status, a.body)
		case a.status >= 500 && a.status != http.StatusServiceUnavailable:
			t.Errorf("create %d on server %d: status %d %s: %s", i, a.server, a.status, typ, a.body)
		case a.status < 400:
			t.Errorf("create %d on server %d: unexpected status %d: %s", i, a.server, a.status, a.body)
		}
		out.failures[fmt.Sprintf("%d %s", a.status, typ)]++
	}
	for ip, n := range ips {
		if n > 1 {
			t.Errorf("IP %s given to %d ports", ip, n)
		}
	}
	for mac, n := range macs {
		if n > 1 {
			t.Errorf("MAC %s given to %d ports", mac, n)
		}
	}

	// What the database holds is what the clients were told.
	a := call(http.MethodGet, servers[1].URL+"/v2.0/ports?network_id="+netID+"&fields=id&fields=fixed_ips&fields=mac_address", nil)
	if a.err != nil || a.status != http.StatusOK {
		t.Fatalf("list ports: %d %v %s", a.status, a.err, a.body)
	}
	var list struct{ Ports []map[string]any }
	if err := json.Unmarshal(a.body, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Ports) != len(out.ok) {
		t.Errorf("the network lists %d ports, %d creates succeeded", len(list.Ports), len(out.ok))
	}
	created := map[string]bool{}
	for _, p := range out.ok {
		created[p["id"].(string)] = true
	}
	for _, p := range list.Ports {
		if !created[p["id"].(string)] {
			t.Errorf("listed port %v was never reported created", p["id"])
		}
	}
	t.Logf("%s: %d creates in %v: %d created, failures %v", sc.cidr, sc.ports, out.elapsed.Round(time.Millisecond), len(out.ok), summary(out.failures))
	return out
}

func summary(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s x%d", k, m[k]))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// TestConcurrentPortCreate drives 64 simultaneous port creates split across two API
// servers that share one PostgreSQL or MariaDB database.
func TestConcurrentPortCreate(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { concurrentPortCreate(t, twoServers(t, e.opts)) })
	}
}

func concurrentPortCreate(t *testing.T, servers []*testenv.Server) {

	t.Run("slash24", func(t *testing.T) {
		// 254 hosts minus the gateway leave 253 addresses: every create fits.
		out := scenario{cidr: "10.24.0.0/24", ports: 64}.run(t, servers)
		if len(out.ok) != 64 {
			t.Errorf("%d of 64 creates succeeded, want all (failures %v)", len(out.ok), summary(out.failures))
		}
	})

	t.Run("slash24_mac_collisions", func(t *testing.T) {
		// Creates 0..47 ask for one of four fixed MACs (12 each); 48..63 let the server choose.
		fixed := []string{"fa:16:3e:c0:11:01", "FA:16:3E:C0:11:02", "fa-16-3e-c0-11-03", "fa:16:3e:c0:11:04"}
		mac := func(i int) string {
			if i < 48 {
				return fixed[i%len(fixed)]
			}
			return ""
		}
		out := scenario{cidr: "10.25.0.0/24", ports: 64, mac: mac}.run(t, servers)
		got := map[string]int{}
		for _, p := range out.ok {
			got[strings.ToLower(p["mac_address"].(string))]++
		}
		for _, m := range fixed {
			norm := strings.ToLower(strings.ReplaceAll(m, "-", ":"))
			if got[norm] != 1 {
				t.Errorf("MAC %s: %d ports hold it, want exactly 1", norm, got[norm])
			}
		}
		if want := 4 + 16; len(out.ok) != want {
			t.Errorf("%d creates succeeded, want %d (one per fixed MAC + 16 free)", len(out.ok), want)
		}
		if n := out.failures["409 MacAddressInUse"]; n != 44 {
			t.Errorf("%d creates failed 409 MacAddressInUse, want 44 (failures %v)", n, summary(out.failures))
		}
	})

	t.Run("slash27", func(t *testing.T) {
		// 30 hosts minus the gateway leave 29 addresses for 64 creates.
		out := scenario{cidr: "10.27.0.0/27", ports: 64}.run(t, servers)
		if len(out.ok) != 29 {
			t.Errorf("%d creates succeeded, want exactly the pool size 29", len(out.ok))
		}
		if n := out.failures["409 IpAddressGenerationFailure"]; n != 64-29 {
			t.Errorf("%d creates failed 409 IpAddressGenerationFailure, want %d (failures %v)", n, 64-29, summary(out.failures))
		}
	})

	t.Run("quota", func(t *testing.T) {
		// The project may hold 20 ports; the two servers count its ports on separate
		// connections (on PostgreSQL a row of counts per backend) under one quota lock.
		const project, limit = "concurrency-quota", 20
		a := call(http.MethodPut, servers[1].URL+"/v2.0/quotas/"+project, map[string]any{"quota": map[string]any{"port": limit}})
		if a.err != nil || a.status != http.StatusOK {
			t.Fatalf("set the quota: %d %v %s", a.status, a.err, a.body)
		}
		out := scenario{cidr: "10.28.0.0/24", ports: 64, project: project}.run(t, servers)
		if len(out.ok) != limit {
			t.Errorf("%d creates succeeded under a port quota of %d", len(out.ok), limit)
		}
		if n := out.failures["409 OverQuota"]; n != 64-limit {
			t.Errorf("%d creates failed 409 OverQuota, want %d (failures %v)", n, 64-limit, summary(out.failures))
		}
		a = call(http.MethodGet, servers[0].URL+"/v2.0/quotas/"+project+"/details", nil)
		var d struct {
			Quota map[string]struct {
				Used int `json:"used"`
			} `json:"quota"`
		}
		if a.err != nil || a.status != http.StatusOK || json.Unmarshal(a.body, &d) != nil {
			t.Fatalf("quota details: %d %v %s", a.status, a.err, a.body)
		}
		if d.Quota["port"].Used != limit {
			t.Errorf("the quota details count %d ports in use, want %d", d.Quota["port"].Used, limit)
		}
	})
}
