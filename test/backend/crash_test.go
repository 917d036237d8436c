package backend

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/midonet-go/midonet/internal/nsdb"
)

// crashKills is how many times each crash test stops the server (MIDONET_CRASH_KILLS
// overrides it): 15, five of each of stopHows, keeps a SQLite run under about a minute on a
// loaded 2-vCPU machine.
func crashKills() int {
	if n, err := strconv.Atoi(os.Getenv("MIDONET_CRASH_KILLS")); err == nil && n > 0 {
		return n
	}
	return 15
}

// TestCrashRecovery runs a concurrent workload of creates (single and bulk), updates and
// deletes (networks, subnets, ports, security groups and rules, routers and interfaces,
// floating IPs) against `midonet serve` and stops the server at random points, in turn:
// SIGKILL; SIGTERM; and SIGTERM right after every client went away with its requests in
// flight (as when a load client is stopped first). Then it starts the server again on the
// same data directory.
//
// On the stores of the stopped server, before the restart, `db-manage verify` finds no
// drift after a SIGTERM (every write the server took was applied, tasks included), and
// after a SIGKILL with the task client (what the cluster has not applied yet is reported
// as pending tasks, not drift). After every restart, once the startup reconciliation is
// done (the REST client repairs, the task consumer drains the journal), the NSDB must
// mirror the Neutron database exactly and verify must find no drift, and every create the
// server acknowledged (and no delete was sent for) must still be there, so a SQLite group
// commit or a combined cluster apply that dies half-way loses no answered write; a bulk
// create is all or nothing; with the task client every task must be applied exactly once,
// in order.
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	runs := []struct {
		name  string
		o     envOpts
		kills int
	}{
		{"rest/sqlite", envOpts{}, crashKills()},
		{"tasks/sqlite", envOpts{tasks: true}, crashKills()},
		// The REST client on PostgreSQL: the API's transactions side by side, each
		// followed by its calls to the cluster (fewer stops: CI time).
		{"rest/postgres", envOpts{postgres: true}, max(1, crashKills()/4)},
		// Concurrent writers on PostgreSQL draw task ids out of commit order unless the
		// journal serializes them: fewer kills, the same end-state checks.
		{"tasks/postgres", envOpts{tasks: true, postgres: true}, max(1, crashKills()/2)},
		// The same on MariaDB, whose journal serializes on a locked row (fewer kills still:
		// CI time).
		{"tasks/mariadb", envOpts{tasks: true, mariadb: true}, max(1, crashKills()/4)},
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			t.Parallel()
			crashRun(t, r.o, r.kills)
		})
	}
}

func crashRun(t *testing.T, o envOpts, kills int) {
	e := startEnv(t, o)
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(uint64(seed), 7))
	w := newWorkload(t, e.api, rnd.Uint64())

	var gate sync.RWMutex // workers hold it shared per operation; the controller pauses them
	var stop atomic.Bool
	var wg sync.WaitGroup
	// Enough workers for SQLite's group commit and the cluster's combined applies to hold
	// several writes at once when the server dies.
	const workers = 6
	for i := 0; i < workers; i++ {
		seed := rnd.Uint64()
		wg.Go(func() {
			r := rand.New(rand.NewPCG(seed, uint64(i)))
			for !stop.Load() {
				gate.RLock()
				err := w.step(r)
				gate.RUnlock()
				if err != nil {
					time.Sleep(20 * time.Millisecond) // the server is down
				}
			}
		})
	}

	start := time.Now()
	var restart time.Duration
	failedCycles := 0
	// pipelinedKilled counts the cluster applies translated while the previous one's etcd
	// transaction was in flight in the lives that ended with a SIGKILL (read just before it).
	var pipelinedKilled int64
	// On SQLite, the group commit's counters over the same lives: the write transactions
	// committed, the batches they went in, and the writes that shared a batch beyond its
	// first (writes - batches, read so that it is never overstated).
	sqlite := !o.postgres && !o.mariadb
	var writesKilled, batchesKilled, sharedKilled int64
	for k := 1; k <= kills; k++ {
		// Each life of the server answers some requests before it dies, however slow the
		// machine: at least 10 successes (or 30 s), then a random extra while.
		base := w.ok.Load()
		for deadline := time.Now().Add(30 * time.Second); w.ok.Load() < base+10 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(time.Duration(rnd.IntN(500)) * time.Millisecond)
		how := stopHows[k%len(stopHows)]
		if how == "SIGKILL" {
			// A life on PostgreSQL may answer its first requests one apply at a time: give it
			// a bounded while to pipeline one before it dies, so the kill meets the pipeline.
			n := e.counter(t, "midonet_cluster_pipelined_applies_total")
			for deadline := time.Now().Add(15 * time.Second); n == 0 && !e.o.tasks && time.Now().Before(deadline); {
				time.Sleep(20 * time.Millisecond)
				n = e.counter(t, "midonet_cluster_pipelined_applies_total")
			}
			pipelinedKilled += n
			if sqlite {
				// The same for the group commit: a bounded while for a batch of more than
				// one write, so the kill meets the group commit in use.
				w, b := e.groupCommits(t)
				for deadline := time.Now().Add(15 * time.Second); w <= b && time.Now().Before(deadline); {
					time.Sleep(20 * time.Millisecond)
					w, b = e.groupCommits(t)
				}
				writesKilled += w
				batchesKilled += b
				sharedKilled += max(0, w-b)
			}
		}
		switch how {
		case "SIGKILL":
			e.kill()
			gate.Lock() // in-flight requests end with the process
		case "SIGTERM":
			e.stop() // the server finishes the requests in flight
			gate.Lock()
		case "clients gone, then SIGTERM":
			w.goAway(rnd) // every request in flight loses its client
			gate.Lock()
			e.stop()
		}
		when := fmt.Sprintf("after stop %d/%d (%s)", k, kills, how)
		stoppedOK := e.checkStopped(t, when, how)
		w.comeBack()
		t0 := time.Now()
		e.restart(t)
		restart += time.Since(t0)
		if !stoppedOK || !e.checkAfterRestart(t, when) || !w.checkAcknowledged(t, when) || !w.checkBulks(t, when) {
			failedCycles++
		}
		gate.Unlock()
	}
	stop.Store(true)
	wg.Wait()
	if failedCycles > 0 {
		t.Errorf("%d of %d stops ended with the NSDB not mirroring the Neutron database", failedCycles, kills)
	}
	if !e.o.tasks {
		// The REST client's concurrent calls reach the cluster together: the lives a SIGKILL
		// ended had applies pipelined (translated on top of a transaction in flight), so
		// the checks above held with the pipeline in use when the process died.
		t.Logf("%d pipelined cluster applies in the lives that ended with a SIGKILL", pipelinedKilled)
		if pipelinedKilled == 0 && kills >= len(stopHows) {
			t.Errorf("no cluster apply was pipelined in the lives that ended with a SIGKILL")
		}
	}
	if sqlite {
		// Every SQLite life has concurrent writers: the lives a SIGKILL ended committed
		// batches of several writes (one SQLite transaction, a savepoint each), so the
		// checks above held with a group commit in use when the process died.
		t.Logf("%d SQLite writes in %d batches (%d beyond the first of their batch) in the lives that ended with a SIGKILL",
			writesKilled, batchesKilled, sharedKilled)
		if sharedKilled == 0 && kills >= len(stopHows) {
			t.Errorf("no SQLite write batch held more than one write in the lives that ended with a SIGKILL (%d writes in %d batches)",
				writesKilled, batchesKilled)
		}
	}
	if e.o.tasks {
		e.checkLastTaskHistory(t)
		if bad := e.taskSecrets(t); len(bad) > 0 {
			t.Errorf("tasks carry a password:\n  %s", summarize(bad, 5))
		}
	}
	st := w.stats()
	t.Logf("%d stops in %v (restarts %v); requests: %s", kills, time.Since(start).Round(time.Millisecond), restart.Round(time.Millisecond), st)
	if n := strings.Count(e.srv.Logs(), "reconciliation found drift"); !e.o.tasks {
		t.Logf("the startup repair found (and repaired) drift after %d of %d restarts", n, kills)
	}
	// A request the process did not die in the middle of never answers 5xx.
	w.statusMu.Lock()
	if len(w.serverErrors) > 0 {
		t.Errorf("%d requests answered 5xx:\n  %s", len(w.serverErrors), summarize(w.serverErrors, 5))
	}
	w.statusMu.Unlock()
	if w.ok.Load() < int64(10*kills) {
		t.Errorf("only %d requests succeeded over %d kills: the workload did not exercise the server", w.ok.Load(), kills)
	}
}

// counter reads a counter from the server's /metrics (0 when it is not there or the server
// does not answer).
func (e *env) counter(t *testing.T, name string) int64 {
	t.Helper()
	resp, err := http.Get(e.srv.URL + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int64(f)
		}
	}
	return 0
}

// groupCommits reads the SQLite group commit's counters from the server's /metrics: the
// write transactions committed and the batches they went in (0, 0 when the server does not
// answer). The writes are read first: both counters only grow, and so does writes - batches
// (a batch of n writes adds n - 1), so what is read never shows a batch of several writes
// that did not commit, and a failed read of either counts as none.
func (e *env) groupCommits(t *testing.T) (writes, batches int64) {
	t.Helper()
	if writes = e.counter(t, "midonet_db_batched_writes_total"); writes == 0 {
		return 0, 0
	}
	if batches = e.counter(t, "midonet_db_write_batches_total"); batches == 0 {
		return 0, 0
	}
	return writes, batches
}

// stopHows are the ways the crash test stops the server, in turn.
var stopHows = []string{"SIGKILL", "SIGTERM", "clients gone, then SIGTERM"}

// stop SIGTERMs the server and waits for it to exit; the NSDB client (to an embedded etcd
// that stopped with it) is dropped.
func (e *env) stop() {
	e.srv.Stop()
	e.mu.Lock()
	if e.store != nil && len(e.o.etcd) == 0 {
		e.store.Close()
		e.store = nil
	}
	e.mu.Unlock()
}

// checkStopped runs `db-manage verify` on the stores of the stopped server, before any
// repair: after a SIGTERM nothing differs and nothing is pending (the stop applied what it
// took); after a SIGKILL with the task client what the cluster had not applied is pending
// tasks, never drift. (A SIGKILL with the REST client may leave drift for the startup
// repair: the commit and the call to the cluster are two steps.)
func (e *env) checkStopped(t *testing.T, when, how string) bool {
	t.Helper()
	if how == "SIGKILL" && !e.o.tasks {
		return true
	}
	d := e.verify(t)
	switch {
	case d.exit != 0 || d.Total != 0:
		t.Errorf("%s: db-manage verify on the stopped stores: %s", when, d)
		return false
	case how != "SIGKILL" && d.Drift.PendingTasks != 0:
		t.Errorf("%s: %d tasks left unapplied by a clean stop (resources waiting: %s)", when, d.Drift.PendingTasks, summarize(d.Drift.PendingResources, 3))
		return false
	}
	return true
}

// checkAfterRestart waits for the startup reconciliation and checks the end state; it
// reports (in one error) what did not hold.
func (e *env) checkAfterRestart(t *testing.T, when string) bool {
	t.Helper()
	var bad []string
	if e.o.tasks {
		j, last, applied, mirrored := e.waitDrained(t, 20*time.Second)
		if !applied {
			bad = append(bad, fmt.Sprintf("the consumer did not drain: MAX(midonet_tasks.id) = %d, NSDB /midonet/cluster/last_task = %d", j.maxID, last))
		}
		if last > j.maxID {
			bad = append(bad, fmt.Sprintf("NSDB /midonet/cluster/last_task = %d is beyond MAX(midonet_tasks.id) = %d", last, j.maxID))
		}
		if !mirrored {
			bad = append(bad, fmt.Sprintf("midonet_task_state.last_processed_id = %d, want MAX(midonet_tasks.id) = %d (= NSDB last_task %d)", j.lastProcessed, j.maxID, last))
		}
	}
	// The REST client's startup repair runs beside the API, and the server's own loops
	// (port status) may write after the restart: wait for the stores to converge.
	var probs []string
	deadline := time.Now().Add(15 * time.Second)
	for {
		probs = e.consistency(t)
		if len(probs) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(probs) > 0 {
		bad = append(bad, fmt.Sprintf("the NSDB does not mirror the Neutron database (%d differences):\n    %s", len(probs), summarize(probs, 3)))
	}
	if d := e.verify(t); d.exit != 0 || d.Total != 0 {
		bad = append(bad, "db-manage verify: "+d.String())
	}
	if len(bad) > 0 {
		t.Errorf("%s:\n  %s", when, strings.Join(bad, "\n  "))
	}
	return len(bad) == 0
}

// checkLastTaskHistory reads every value /midonet/cluster/last_task ever had (etcd keeps the
// history) and checks that it only ever grew: no task group was applied twice or after a
// later one.
func (e *env) checkLastTaskHistory(t *testing.T) {
	t.Helper()
	cli := e.nsdb(t).Client()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cur, err := cli.Get(ctx, nsdb.LastTaskKey)
	if err != nil || len(cur.Kvs) == 0 {
		t.Fatalf("read %s: %v (%d keys)", nsdb.LastTaskKey, err, len(cur.Kvs))
	}
	end := cur.Kvs[0].ModRevision
	var values []int64
	wch := cli.Watch(ctx, nsdb.LastTaskKey, clientv3.WithRev(1))
	done := false
	for resp := range wch {
		if err := resp.Err(); err != nil {
			t.Fatalf("watch the history of %s: %v", nsdb.LastTaskKey, err)
		}
		for _, ev := range resp.Events {
			if ev.Type != clientv3.EventTypePut {
				t.Errorf("%s was deleted at revision %d", nsdb.LastTaskKey, ev.Kv.ModRevision)
				continue
			}
			n, _ := strconv.ParseInt(string(ev.Kv.Value), 10, 64)
			values = append(values, n)
			if ev.Kv.ModRevision >= end {
				done = true
			}
		}
		if done {
			break
		}
	}
	if !done {
		t.Fatalf("the history of %s ended early: %v", nsdb.LastTaskKey, ctx.Err())
	}
	for i := 1; i < len(values); i++ {
		if values[i] <= values[i-1] {
			t.Errorf("%s went from %d to %d (write %d of %d): a task group was applied again or out of order", nsdb.LastTaskKey, values[i-1], values[i], i+1, len(values))
		}
	}
	t.Logf("%s advanced %d times, to %d", nsdb.LastTaskKey, len(values), values[len(values)-1])
}

// workload is a shared model of what exists, driven by several workers. Requests may fail
// (the server is being killed, conflicts between workers); the model only follows answers.
type workload struct {
	t   testing.TB
	api *apiClient

	mu      sync.Mutex
	ext     string
	nets    map[string]string // network → its subnet
	ports   map[string]string // port → network
	sgs     map[string]bool
	rules   map[string]bool
	routers map[string]bool
	ifaces  map[string]string // subnet → router
	fips    map[string]bool
	cidr    int

	// acked are the resources whose create was answered 2xx and no delete was sent for
	// since ("collection/id" → the port's network): each must survive any crash.
	ackedMu sync.Mutex
	acked   map[string]string

	// life is the context of every request; goAway cancels it (the clients go away with
	// their requests in flight) and comeBack makes a new one.
	lifeMu sync.Mutex
	life   context.Context
	gone   context.CancelFunc

	// bulks are the bulk creates that may exist: name → ports it asked for.
	bulksMu       sync.Mutex
	bulks         map[string]int
	bulksInFlight atomic.Int64

	ok, failed, transport atomic.Int64
	statusMu              sync.Mutex
	statuses              map[int]int
	serverErrors          []string // 5xx answers: request and body
}

func newWorkload(t testing.TB, api *apiClient, seed uint64) *workload {
	w := &workload{t: t, api: api, nets: map[string]string{}, ports: map[string]string{}, sgs: map[string]bool{},
		rules: map[string]bool{}, routers: map[string]bool{}, ifaces: map[string]string{}, fips: map[string]bool{},
		acked: map[string]string{}, bulks: map[string]int{}}
	w.comeBack()
	ext := api.must(t, 201, "POST", "networks", map[string]any{"network": map[string]any{"name": "ext", "router:external": true}})
	api.must(t, 201, "POST", "subnets", map[string]any{"subnet": map[string]any{"network_id": str(ext, "id"), "cidr": "172.20.0.0/16", "ip_version": 4}})
	w.ext = str(ext, "id")
	return w
}

// goAway cancels every request in flight, as clients that are stopped do: once a bulk
// create is in flight (within 3 s), so that one is likely cut between its commit and the
// end of its apply.
func (w *workload) goAway(r *rand.Rand) {
	for deadline := time.Now().Add(3 * time.Second); w.bulksInFlight.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(2 * time.Millisecond)
	}
	time.Sleep(time.Duration(r.IntN(40)) * time.Millisecond)
	w.lifeMu.Lock()
	defer w.lifeMu.Unlock()
	w.gone()
}

// comeBack gives the requests from now on a new context.
func (w *workload) comeBack() {
	w.lifeMu.Lock()
	defer w.lifeMu.Unlock()
	w.life, w.gone = context.WithCancel(context.Background())
}

func (w *workload) lifeCtx() context.Context {
	w.lifeMu.Lock()
	defer w.lifeMu.Unlock()
	return w.life
}

func (w *workload) stats() string {
	w.statusMu.Lock()
	defer w.statusMu.Unlock()
	return fmt.Sprintf("%d answered 2xx, %d refused (4xx/5xx), %d failed in transport; by status %v", w.ok.Load(), w.failed.Load(), w.transport.Load(), w.statuses)
}

// call sends one request; it returns the answer's member object when the status is 2xx.
func (w *workload) call(method, path string, body any) (map[string]any, bool, error) {
	ctx, cancel := context.WithTimeout(w.lifeCtx(), 20*time.Second)
	defer cancel()
	if method == "DELETE" {
		w.forget(path)
	}
	status, out, err := w.api.do(ctx, method, path, body)
	if err != nil {
		w.transport.Add(1)
		return nil, false, err
	}
	w.statusMu.Lock()
	if w.statuses == nil {
		w.statuses = map[int]int{}
	}
	w.statuses[status]++
	if status >= 500 {
		w.serverErrors = append(w.serverErrors, fmt.Sprintf("%s %s %s → %d %s", method, path, canonical(body), status, canonical(out)))
	}
	w.statusMu.Unlock()
	if status/100 != 2 {
		w.failed.Add(1)
		return nil, false, nil
	}
	w.ok.Add(1)
	if len(out) == 1 {
		for _, v := range out {
			if l, ok := v.([]any); ok && method == "POST" && ackedKinds[path] {
				// A bulk create: each resource of the answer.
				w.ackedMu.Lock()
				for _, x := range l {
					if m, ok := x.(map[string]any); ok {
						w.acked[path+"/"+str(m, "id")] = str(m, "network_id")
					}
				}
				w.ackedMu.Unlock()
				return out, true, nil
			}
			if m, ok := v.(map[string]any); ok {
				if method == "POST" && ackedKinds[path] {
					w.ackedMu.Lock()
					w.acked[path+"/"+str(m, "id")] = str(m, "network_id")
					w.ackedMu.Unlock()
				}
				return m, true, nil
			}
		}
	}
	return out, true, nil
}

// ackedKinds are the collections whose acknowledged creates checkAcknowledged follows.
var ackedKinds = map[string]bool{"networks": true, "ports": true, "security-groups": true, "routers": true, "floatingips": true}

// forget stops following a resource a delete is sent for (it may be gone whatever the
// answer), and a network's ports with it.
func (w *workload) forget(path string) {
	w.ackedMu.Lock()
	defer w.ackedMu.Unlock()
	delete(w.acked, path)
	if net, ok := strings.CutPrefix(path, "networks/"); ok {
		for k, n := range w.acked {
			if n == net && strings.HasPrefix(k, "ports/") {
				delete(w.acked, k)
			}
		}
	}
}

// checkAcknowledged checks that every create the server acknowledged (and nobody asked to
// delete since) is still there after a crash: a write answered 201 was durable, whether it
// committed alone or in a group commit with others.
func (w *workload) checkAcknowledged(t *testing.T, when string) bool {
	t.Helper()
	w.ackedMu.Lock()
	keys := make([]string, 0, len(w.acked))
	for k := range w.acked {
		keys = append(keys, k)
	}
	w.ackedMu.Unlock()
	var lost []string
	for _, k := range keys {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		status, _, err := w.api.do(ctx, "GET", k, nil)
		cancel()
		if err != nil {
			t.Errorf("%s: GET %s: %v", when, k, err)
			return false
		}
		if status == 404 {
			w.ackedMu.Lock()
			_, still := w.acked[k] // not deleted meanwhile (the workers are paused)
			w.ackedMu.Unlock()
			if still {
				lost = append(lost, k)
			}
		}
	}
	if len(lost) > 0 {
		t.Errorf("%s: %d of %d acknowledged creates are gone: %s", when, len(lost), len(keys), summarize(lost, 5))
		return false
	}
	return true
}

func pick[V any](r *rand.Rand, m map[string]V) (string, bool) {
	if len(m) == 0 {
		return "", false
	}
	i := r.IntN(len(m))
	for k := range m {
		if i == 0 {
			return k, true
		}
		i--
	}
	return "", false
}

// step runs one random operation; it returns the transport error, if any.
func (w *workload) step(r *rand.Rand) error {
	w.mu.Lock()
	nNets, nPorts, nRouters := len(w.nets), len(w.ports), len(w.routers)
	w.mu.Unlock()
	switch op := r.IntN(100); {
	case op < 10 || nNets == 0:
		if nNets >= 8 {
			return w.deleteNetwork(r)
		}
		return w.createNetwork()
	case op < 14:
		return w.deleteNetwork(r)
	case op < 18:
		return w.updateNetwork(r)
	case op < 28:
		if nPorts >= 24 {
			return w.deletePort(r)
		}
		return w.createPort(r)
	case op < 34:
		if nPorts >= 24 {
			return w.deletePort(r)
		}
		return w.createPorts(r)
	case op < 42:
		return w.updatePort(r)
	case op < 50:
		return w.deletePort(r)
	case op < 55:
		return w.createSG()
	case op < 61:
		return w.createRule(r)
	case op < 64:
		return w.deleteRule(r)
	case op < 66:
		return w.deleteSG(r)
	case op < 70:
		if nRouters >= 3 {
			return w.deleteRouter(r)
		}
		return w.createRouter(r)
	case op < 77:
		return w.addInterface(r)
	case op < 80:
		return w.removeInterface(r)
	case op < 82:
		return w.deleteRouter(r)
	case op < 90:
		return w.createFIP(r)
	case op < 95:
		return w.updateFIP(r)
	default:
		return w.deleteFIP(r)
	}
}

func (w *workload) createNetwork() error {
	w.mu.Lock()
	w.cidr++
	n := w.cidr
	w.mu.Unlock()
	net, ok, err := w.call("POST", "networks", map[string]any{"network": map[string]any{"name": fmt.Sprintf("net-%d", n)}})
	if !ok {
		return err
	}
	sub, ok, err := w.call("POST", "subnets", map[string]any{"subnet": map[string]any{
		"network_id": str(net, "id"), "cidr": fmt.Sprintf("10.%d.%d.0/24", n/250, n%250), "ip_version": 4}})
	w.mu.Lock()
	defer w.mu.Unlock()
	if ok {
		w.nets[str(net, "id")] = str(sub, "id")
	} else {
		w.nets[str(net, "id")] = ""
	}
	return err
}

func (w *workload) deleteNetwork(r *rand.Rand) error {
	w.mu.Lock()
	id, found := pick(r, w.nets)
	w.mu.Unlock()
	if !found {
		return nil
	}
	// Its VM ports first (a network with ports cannot be deleted).
	w.mu.Lock()
	var ports []string
	for p, n := range w.ports {
		if n == id {
			ports = append(ports, p)
		}
	}
	w.mu.Unlock()
	for _, p := range ports {
		if _, ok, err := w.call("DELETE", "ports/"+p, nil); ok {
			w.mu.Lock()
			delete(w.ports, p)
			w.mu.Unlock()
		} else if err != nil {
			return err
		}
	}
	_, ok, err := w.call("DELETE", "networks/"+id, nil)
	if ok {
		w.mu.Lock()
		sub := w.nets[id]
		delete(w.nets, id)
		delete(w.ifaces, sub)
		w.mu.Unlock()
	}
	return err
}

func (w *workload) updateNetwork(r *rand.Rand) error {
	w.mu.Lock()
	id, found := pick(r, w.nets)
	w.mu.Unlock()
	if !found {
		return nil
	}
	_, _, err := w.call("PUT", "networks/"+id, map[string]any{"network": map[string]any{"name": fmt.Sprintf("net-%d", r.IntN(1000))}})
	return err
}

func (w *workload) sgSubset(r *rand.Rand) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := []string{}
	for id := range w.sgs {
		if r.IntN(3) == 0 {
			out = append(out, id)
		}
	}
	return out
}

func (w *workload) createPort(r *rand.Rand) error {
	w.mu.Lock()
	net, found := pick(r, w.nets)
	w.mu.Unlock()
	if !found {
		return nil
	}
	body := map[string]any{"network_id": net, "device_owner": "compute:nova", "device_id": fmt.Sprintf("vm-%d", r.IntN(1<<20))}
	if sgs := w.sgSubset(r); len(sgs) > 0 {
		body["security_groups"] = sgs
	}
	p, ok, err := w.call("POST", "ports", map[string]any{"port": body})
	if ok {
		w.mu.Lock()
		w.ports[str(p, "id")] = net
		w.mu.Unlock()
	}
	return err
}

// createPorts sends a bulk create of 2-41 ports named after the bulk, so that what is left
// of it after a stop can be counted (checkBulks).
func (w *workload) createPorts(r *rand.Rand) error {
	w.mu.Lock()
	net, found := pick(r, w.nets)
	w.mu.Unlock()
	if !found {
		return nil
	}
	n := 2 + r.IntN(40)
	name := fmt.Sprintf("bulk-%d", r.Uint64())
	ports := make([]any, n)
	for i := range ports {
		ports[i] = map[string]any{"network_id": net, "device_owner": "compute:nova", "device_id": fmt.Sprintf("vm-%d", r.IntN(1<<20)),
			"name": fmt.Sprintf("%s-%d", name, i)}
	}
	w.bulksMu.Lock()
	w.bulks[name] = n
	w.bulksMu.Unlock()
	w.bulksInFlight.Add(1)
	out, ok, err := w.call("POST", "ports", map[string]any{"ports": ports})
	w.bulksInFlight.Add(-1)
	if ok {
		l, _ := out["ports"].([]any)
		w.mu.Lock()
		for _, x := range l {
			if p, isMap := x.(map[string]any); isMap {
				w.ports[str(p, "id")] = net
			}
		}
		w.mu.Unlock()
	}
	return err
}

// checkBulks checks that every bulk create is all or nothing: the ports of a bulk that
// exist are either every port it asked for or none (less the ones deleted since, which the
// workload only deletes after an answer, so a bulk the model knows of is not counted).
func (w *workload) checkBulks(t *testing.T, when string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	status, out, err := w.api.do(ctx, "GET", "ports?fields=name&fields=id", nil)
	if err != nil || status != 200 {
		t.Errorf("%s: list ports: %d %v", when, status, err)
		return false
	}
	have := map[string]int{}
	l, _ := out["ports"].([]any)
	for _, x := range l {
		name := str(x.(map[string]any), "name")
		if i := strings.LastIndex(name, "-"); strings.HasPrefix(name, "bulk-") && i > 0 {
			have[name[:i]]++
		}
	}
	w.mu.Lock()
	known := map[string]bool{} // bulks some of whose ports the model holds (it may delete them)
	for id := range w.ports {
		known[id] = true
	}
	w.mu.Unlock()
	w.bulksMu.Lock()
	defer w.bulksMu.Unlock()
	var bad []string
	for name, n := range have {
		if want := w.bulks[name]; n != want && !w.answered(name, l, known) {
			bad = append(bad, fmt.Sprintf("%s: %d of %d ports", name, n, want))
		}
	}
	if len(bad) > 0 {
		t.Errorf("%s: bulk creates left in part: %s", when, summarize(bad, 5))
		return false
	}
	return true
}

// answered reports whether a port of the bulk is one the model holds: the bulk was answered,
// and the workload may have deleted some of its ports since.
func (w *workload) answered(bulk string, ports []any, known map[string]bool) bool {
	for _, x := range ports {
		p := x.(map[string]any)
		if strings.HasPrefix(str(p, "name"), bulk+"-") && known[str(p, "id")] {
			return true
		}
	}
	return false
}

func (w *workload) updatePort(r *rand.Rand) error {
	w.mu.Lock()
	id, found := pick(r, w.ports)
	w.mu.Unlock()
	if !found {
		return nil
	}
	body := map[string]any{"name": fmt.Sprintf("port-%d", r.IntN(1000))}
	if r.IntN(2) == 0 {
		body["security_groups"] = w.sgSubset(r)
	}
	_, _, err := w.call("PUT", "ports/"+id, map[string]any{"port": body})
	return err
}

func (w *workload) deletePort(r *rand.Rand) error {
	w.mu.Lock()
	id, found := pick(r, w.ports)
	w.mu.Unlock()
	if !found {
		return nil
	}
	_, ok, err := w.call("DELETE", "ports/"+id, nil)
	if ok {
		w.mu.Lock()
		delete(w.ports, id)
		w.mu.Unlock()
	}
	return err
}

func (w *workload) createSG() error {
	sg, ok, err := w.call("POST", "security-groups", map[string]any{"security_group": map[string]any{"name": "sg"}})
	if !ok {
		return err
	}
	w.mu.Lock()
	w.sgs[str(sg, "id")] = true
	w.mu.Unlock()
	return nil
}

func (w *workload) createRule(r *rand.Rand) error {
	w.mu.Lock()
	sg, found := pick(r, w.sgs)
	remote, _ := pick(r, w.sgs)
	w.mu.Unlock()
	if !found {
		return nil
	}
	port := 1 + r.IntN(65000)
	body := map[string]any{"security_group_id": sg, "direction": []string{"ingress", "egress"}[r.IntN(2)],
		"ethertype": "IPv4", "protocol": "tcp", "port_range_min": port, "port_range_max": port + r.IntN(10)}
	if r.IntN(3) == 0 {
		body["remote_group_id"] = remote
	} else {
		body["remote_ip_prefix"] = fmt.Sprintf("192.168.%d.0/24", r.IntN(256))
	}
	rule, ok, err := w.call("POST", "security-group-rules", map[string]any{"security_group_rule": body})
	if ok {
		w.mu.Lock()
		w.rules[str(rule, "id")] = true
		w.mu.Unlock()
	}
	return err
}

func (w *workload) deleteRule(r *rand.Rand) error {
	w.mu.Lock()
	id, found := pick(r, w.rules)
	w.mu.Unlock()
	if !found {
		return nil
	}
	_, ok, err := w.call("DELETE", "security-group-rules/"+id, nil)
	if ok {
		w.mu.Lock()
		delete(w.rules, id)
		w.mu.Unlock()
	}
	return err
}

func (w *workload) deleteSG(r *rand.Rand) error {
	w.mu.Lock()
	id, found := pick(r, w.sgs)
	w.mu.Unlock()
	if !found {
		return nil
	}
	_, ok, err := w.call("DELETE", "security-groups/"+id, nil)
	if ok {
		w.mu.Lock()
		delete(w.sgs, id)
		w.mu.Unlock()
	}
	return err
}

func (w *workload) createRouter(r *rand.Rand) error {
	body := map[string]any{"name": "router"}
	if r.IntN(4) != 0 {
		body["external_gateway_info"] = map[string]any{"network_id": w.ext}
	}
	rt, ok, err := w.call("POST", "routers", map[string]any{"router": body})
	if ok {
		w.mu.Lock()
		w.routers[str(rt, "id")] = true
		w.mu.Unlock()
	}
	return err
}

func (w *workload) addInterface(r *rand.Rand) error {
	w.mu.Lock()
	rt, found := pick(r, w.routers)
	var sub string
	for _, s := range w.nets {
		if _, used := w.ifaces[s]; s != "" && !used {
			sub = s
			break
		}
	}
	w.mu.Unlock()
	if !found || sub == "" {
		return nil
	}
	_, ok, err := w.call("PUT", "routers/"+rt+"/add_router_interface", map[string]any{"subnet_id": sub})
	if ok {
		w.mu.Lock()
		w.ifaces[sub] = rt
		w.mu.Unlock()
	}
	return err
}

func (w *workload) removeInterface(r *rand.Rand) error {
	w.mu.Lock()
	sub, found := pick(r, w.ifaces)
	rt := w.ifaces[sub]
	w.mu.Unlock()
	if !found {
		return nil
	}
	_, ok, err := w.call("PUT", "routers/"+rt+"/remove_router_interface", map[string]any{"subnet_id": sub})
	if ok {
		w.mu.Lock()
		delete(w.ifaces, sub)
		w.mu.Unlock()
	}
	return err
}

func (w *workload) deleteRouter(r *rand.Rand) error {
	w.mu.Lock()
	id, found := pick(r, w.routers)
	w.mu.Unlock()
	if !found {
		return nil
	}
	_, ok, err := w.call("DELETE", "routers/"+id, nil)
	if ok {
		w.mu.Lock()
		delete(w.routers, id)
		w.mu.Unlock()
	}
	return err
}

func (w *workload) createFIP(r *rand.Rand) error {
	body := map[string]any{"floating_network_id": w.ext}
	w.mu.Lock()
	if p, found := pick(r, w.ports); found && r.IntN(4) != 0 {
		body["port_id"] = p
	}
	w.mu.Unlock()
	f, ok, err := w.call("POST", "floatingips", map[string]any{"floatingip": body})
	if ok {
		w.mu.Lock()
		w.fips[str(f, "id")] = true
		w.mu.Unlock()
	}
	return err
}

func (w *workload) updateFIP(r *rand.Rand) error {
	w.mu.Lock()
	id, found := pick(r, w.fips)
	var port any
	if p, ok := pick(r, w.ports); ok && r.IntN(2) == 0 {
		port = p
	}
	w.mu.Unlock()
	if !found {
		return nil
	}
	_, _, err := w.call("PUT", "floatingips/"+id, map[string]any{"floatingip": map[string]any{"port_id": port}})
	return err
}

func (w *workload) deleteFIP(r *rand.Rand) error {
	w.mu.Lock()
	id, found := pick(r, w.fips)
	w.mu.Unlock()
	if !found {
		return nil
	}
	_, ok, err := w.call("DELETE", "floatingips/"+id, nil)
	if ok {
		w.mu.Lock()
		delete(w.fips, id)
		w.mu.Unlock()
	}
	return err
}
