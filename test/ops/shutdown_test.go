package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/midonet-go/midonet/test/testenv"
)

// client kinds a stop is tested with: the REST client (the API calls the cluster's REST
// endpoint of the same process) and the task journal (the consumer applies what the API
// committed).
var clients = []struct{ name, conf string }{
	{"rest", ""},
	{"tasks", "[MIDONET]\nclient = midonet.neutron.client.cluster.MidonetClusterClient\n"},
}

// stopEnv is a server whose configuration file the tools share.
type stopEnv struct {
	srv  *testenv.Server
	conf string
}

// startStopEnv starts a server on engine ("sqlite", "postgres" or "mariadb").
func startStopEnv(t *testing.T, extra string, engine string) *stopEnv {
	t.Helper()
	conf := filepath.Join(t.TempDir(), "midonet.conf")
	if err := os.WriteFile(conf, []byte("[DEFAULT]\nauth_strategy = noauth\n"+extra), 0o644); err != nil {
		t.Fatal(err)
	}
	e := &stopEnv{conf: conf}
	e.srv = testenv.StartServer(t, testenv.Options{ConfigFiles: []string{conf}, Postgres: engine == "postgres", MariaDB: engine == "mariadb"})
	if engine != "sqlite" {
		// The tools reach the same database: the DSN goes into the shared file.
		text := fmt.Sprintf("[DEFAULT]\nauth_strategy = noauth\n%s\n[database]\nconnection = %s\n", extra, e.srv.DSN)
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// verifyClean runs `db-manage verify --json` on the stopped server's stores: no drift, with
// no repair having run since the stop.
func (e *stopEnv) verifyClean(t *testing.T) {
	t.Helper()
	out, errOut, code := run(t, "db-manage", "verify", "--json", "--data-dir", e.srv.DataDir, "--config-file", e.conf)
	var doc struct {
		Total int            `json:"total"`
		Drift map[string]any `json:"drift"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 || doc.Total != 0 {
		t.Fatalf("verify after the stop: exit %d, %v\n%s\n%s", code, err, out, errOut)
	}
}

// stopped sends SIGTERM and checks the process stopped cleanly: the stop lines in order and
// serve.url gone.
func (e *stopEnv) stop(t *testing.T) {
	t.Helper()
	e.srv.Stop()
	logs := e.srv.Logs()
	stopping, stopped := strings.LastIndex(logs, "stopping: no new requests"), strings.LastIndex(logs, "INFO midonet [-] stopped")
	if stopping < 0 || stopped < stopping {
		t.Errorf("no clean stop in the log:\n%s", logs)
	}
	if _, err := os.Stat(filepath.Join(e.srv.DataDir, "serve.url")); !os.IsNotExist(err) {
		t.Errorf("serve.url is left after a clean stop (%v)", err)
	}
}

func ids(t *testing.T, b []byte, collection string) []string {
	t.Helper()
	var out []string
	for _, d := range decode(t, b)[collection].([]any) {
		out = append(out, d.(map[string]any)["id"].(string))
	}
	sort.Strings(out)
	return out
}

// TestStopDuringBulkCreate: SIGTERM while a bulk create of 2,000 ports runs. The server stops
// accepting but finishes the request and answers it; then it stops. Without a repair,
// `db-manage verify` finds no drift, and after a restart every port of the answer is there.
func TestStopDuringBulkCreate(t *testing.T) {
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := startStopEnv(t, c.conf+"[quotas]\nquota_port = -1\n", "sqlite")
			u := e.srv.URL + "/v2.0/"
			who := project("p-bulk")
			net := decode(t, call(t, "POST", u+"networks", map[string]any{"network": map[string]any{"name": "n"}}, who).body)["network"].(map[string]any)
			if a := call(t, "POST", u+"subnets", map[string]any{"subnet": map[string]any{"network_id": net["id"], "ip_version": 4,
				"cidr": "10.8.0.0/20"}}, who); a.status != 201 {
				t.Fatalf("subnet: %d %s", a.status, a.body)
			}
			ports := make([]any, 2000)
			for i := range ports {
				ports[i] = map[string]any{"network_id": net["id"], "name": fmt.Sprintf("p%d", i)}
			}
			type result struct {
				a   answer
				err error
			}
			done := make(chan result, 1)
			go func() {
				a, err := try("POST", u+"ports", map[string]any{"ports": ports}, who)
				done <- result{a, err}
			}()
			time.Sleep(400 * time.Millisecond)
			e.stop(t)
			r := <-done
			if r.err != nil || r.a.status != 201 {
				t.Fatalf("the bulk create in flight at SIGTERM: %v, %d %.300s", r.err, r.a.status, r.a.body)
			}
			logs := e.srv.Logs()
			if strings.Index(logs, "stopping: no new requests") > strings.Index(logs, `"POST /v2.0/ports HTTP/1.1" status: 201`) {
				t.Fatalf("the bulk create ended before the SIGTERM: the test proves nothing; make it larger\n%s", logs)
			}
			created := ids(t, r.a.body, "ports")
			e.verifyClean(t)

			e.srv.Start(t)
			got := ids(t, call(t, "GET", u+"ports?network_id="+net["id"].(string)+"&fields=id", nil, who).body, "ports")
			if strings.Join(got, ",") != strings.Join(created, ",") {
				t.Errorf("after the restart %d ports, the answer had %d", len(got), len(created))
			}
		})
	}
}

// TestStopDuringConcurrentWriters: 8 clients create networks as fast as they can; SIGTERM
// arrives in the middle. Every 201 a client got is in the database after a restart, nothing
// a client was not told about is (connections refused after the listener closed never
// reached the server), and the NSDB matches the database without a repair. On SQLite,
// PostgreSQL and MariaDB, with the REST and the task client.
func TestStopDuringConcurrentWriters(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres", "mariadb"} {
		for _, c := range clients {
			name := c.name + "/" + engine
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				// No network quota: the writers may pass the default 100 before the stop lands.
				e := startStopEnv(t, c.conf+"[quotas]\nquota_network = -1\n", engine)
				u := e.srv.URL + "/v2.0/"
				who := project("p-writers")
				var (
					mu      sync.Mutex
					created []string
					failed  []string
					wg      sync.WaitGroup
				)
				for w := range 8 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := 0; ; i++ {
							a, err := try("POST", u+"networks", map[string]any{"network": map[string]any{"name": fmt.Sprintf("w%d-%d", w, i)}}, who)
							mu.Lock()
							switch {
							case err != nil:
								mu.Unlock()
								return // the listener is closed
							case a.status == 201:
								created = append(created, decode(t, a.body)["network"].(map[string]any)["id"].(string))
							default:
								failed = append(failed, fmt.Sprintf("%d %s", a.status, a.body))
							}
							mu.Unlock()
						}
					}()
				}
				waitFor(30*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(created) >= 40 })
				e.stop(t)
				wg.Wait()
				if len(failed) > 0 {
					t.Errorf("%d writes failed around the stop, e.g. %s", len(failed), failed[0])
				}
				e.verifyClean(t)

				e.srv.Start(t)
				got := ids(t, call(t, "GET", u+"networks?fields=id", nil, who).body, "networks")
				sort.Strings(created)
				if strings.Join(got, ",") != strings.Join(created, ",") {
					t.Errorf("after the restart the project has %d networks; clients were told of %d", len(got), len(created))
				}
			})
		}
	}
}

// TestStopTimeout: with [DEFAULT] graceful_shutdown_timeout = 1, a stop does not wait for a
// long bulk create: the request is cancelled, its client gets no success, the process exits
// within seconds, and after a restart (whose startup repair runs) the stores agree.
func TestStopTimeout(t *testing.T) {
	e := startStopEnv(t, "graceful_shutdown_timeout = 1\n[quotas]\nquota_port = -1\n", "sqlite")
	u := e.srv.URL + "/v2.0/"
	who := project("p-timeout")
	net := decode(t, call(t, "POST", u+"networks", map[string]any{"network": map[string]any{"name": "n"}}, who).body)["network"].(map[string]any)
	if a := call(t, "POST", u+"subnets", map[string]any{"subnet": map[string]any{"network_id": net["id"], "ip_version": 4,
		"cidr": "10.9.0.0/19"}}, who); a.status != 201 {
		t.Fatalf("subnet: %d %s", a.status, a.body)
	}
	ports := make([]any, 4000)
	for i := range ports {
		ports[i] = map[string]any{"network_id": net["id"]}
	}
	done := make(chan answer, 1)
	go func() {
		a, _ := try("POST", u+"ports", map[string]any{"ports": ports}, who)
		done <- a
	}()
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	e.srv.Stop()
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("the stop took %v with graceful_shutdown_timeout = 1", took)
	}
	if a := <-done; a.status >= 200 && a.status < 300 {
		t.Skipf("the bulk create finished within the second: nothing was cut (%v)", time.Since(start))
	}
	if !strings.Contains(e.srv.Logs(), "requests still in flight after graceful_shutdown_timeout; cancelling them") {
		t.Errorf("the cut is not logged:\n%s", e.srv.Logs())
	}
	e.srv.Start(t) // its startup repair heals what the cut left
	clean := waitFor(60*time.Second, func() bool {
		_, _, code := run(t, "db-manage", "verify", "--data-dir", e.srv.DataDir, "--config-file", e.conf)
		return code == 0
	})
	if !clean {
		out, _, _ := run(t, "db-manage", "verify", "--json", "--data-dir", e.srv.DataDir, "--config-file", e.conf)
		t.Errorf("drift after the restart: %s", out)
	}
}

// TestClientsGoneDuringBulkCreates is the stop of BENCHMARKS.md's 100,000-port build: three
// clients send bulk creates of ports as fast as they can; they are stopped all at once (their
// connections close with requests in flight, as when `midonet load` gets SIGTERM), and then
// the server is stopped with SIGTERM. Without any repair since, `db-manage verify` finds no
// drift: a write whose client went away after the commit is still applied to the NSDB. Every
// bulk is all or nothing (each of its ports there, or none), every answered bulk is there,
// and the restart's startup repair has nothing to do. REST and task client, SQLite and
// PostgreSQL.
func TestClientsGoneDuringBulkCreates(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		for _, c := range clients {
			t.Run(c.name+"/"+engine, func(t *testing.T) {
				t.Parallel()
				clientsGoneRun(t, c.conf, engine)
			})
		}
	}
}

func clientsGoneRun(t *testing.T, clientConf, engine string) {
	e := startStopEnv(t, clientConf+"[quotas]\nquota_port = -1\n", engine)
	u := e.srv.URL + "/v2.0/"
	who := project("p-gone")
	net := decode(t, call(t, "POST", u+"networks", map[string]any{"network": map[string]any{"name": "n"}}, who).body)["network"].(map[string]any)
	if a := call(t, "POST", u+"subnets", map[string]any{"subnet": map[string]any{"network_id": net["id"], "ip_version": 4,
		"cidr": "10.64.0.0/16"}}, who); a.status != 201 {
		t.Fatalf("subnet: %d %s", a.status, a.body)
	}
	const clients, bulk = 3, 100
	ctx, stopClients := context.WithCancel(context.Background())
	var (
		mu       sync.Mutex
		answered = map[string]bool{} // bulk name → answered 201
		cut      int                 // requests whose client went away in flight
		refused  []string
		wg       sync.WaitGroup
	)
	for c := range clients {
		wg.Go(func() {
			for i := 0; ; i++ {
				name := fmt.Sprintf("c%d-b%d", c, i)
				ports := make([]any, bulk)
				for j := range ports {
					ports[j] = map[string]any{"network_id": net["id"], "name": fmt.Sprintf("%s-%d", name, j)}
				}
				sent := ctx.Err() == nil
				a, err := tryCtx(ctx, "POST", u+"ports", map[string]any{"ports": ports}, who)
				mu.Lock()
				switch {
				case err != nil && ctx.Err() != nil:
					if sent {
						cut++
					}
					mu.Unlock()
					return
				case err != nil:
					refused = append(refused, err.Error())
				case a.status == 201:
					answered[name] = true
				default:
					refused = append(refused, fmt.Sprintf("%d %.200s", a.status, a.body))
				}
				mu.Unlock()
			}
		})
	}
	// Some bulks answered, then every client goes away at once, each in the middle of one.
	if !waitFor(60*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(answered) >= 2*clients }) {
		t.Fatalf("fewer than %d bulk creates answered within a minute", 2*clients)
	}
	stopClients()
	wg.Wait()
	e.stop(t)
	if len(refused) > 0 {
		t.Errorf("%d bulk creates failed before the clients went away, e.g. %s", len(refused), refused[0])
	}
	if cut == 0 {
		t.Fatalf("no request was in flight when the clients went away: the test proves nothing")
	}
	e.verifyClean(t)

	e.srv.Start(t)
	all := decode(t, call(t, "GET", u+"ports?network_id="+net["id"].(string)+"&fields=name", nil, who).body)["ports"].([]any)
	got := map[string]int{}
	for _, p := range all {
		name, _ := p.(map[string]any)["name"].(string)
		if i := strings.LastIndex(name, "-"); i > 0 {
			got[name[:i]]++
		}
	}
	for name, n := range got {
		if n != bulk {
			t.Errorf("bulk %s has %d of its %d ports: a bulk create is all or nothing", name, n, bulk)
		}
	}
	for name := range answered {
		if got[name] == 0 {
			t.Errorf("bulk %s was answered 201 and is gone after the restart", name)
		}
	}
	// The restart's own lines: the first start's repair may count the test's first writes,
	// made beside it.
	logs := e.srv.Logs()
	if l := linesWith(logs[strings.LastIndex(logs, "serving the Neutron API"):], "startup repair fixed drift"); len(l) > 0 {
		t.Errorf("the restart had drift to repair: %s", l[0])
	}
	e.verifyClean(t)
	t.Logf("%d bulks answered, %d cut in flight, %d bulks in the database", len(answered), cut, len(got))
}
