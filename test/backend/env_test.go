package backend

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver, to read the server's SQLite file

	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// mode is one [MIDONET] client.
type mode struct {
	name  string
	tasks bool
}

var modes = []mode{{name: "rest"}, {name: "tasks", tasks: true}}

// secret is the [MIDONET] password every test server runs with; it must never reach a task.
const secret = "Backend-S3cret-pw-7731"

// translated are the collections the cluster keeps Neutron copies of (cluster.Translated).
var translated = []string{"networks", "subnets", "subnetpools", "security_groups", "security_group_rules", "routers", "ports", "floatingips"}

// envOpts chooses the server's database, client mode and NSDB.
type envOpts struct {
	tasks    bool
	postgres bool
	mariadb  bool
	etcd     []string // external NSDB endpoints; nil = the embedded etcd
	extra    string   // more configuration, appended
}

// env is one `midonet serve` with the configuration file db-manage needs to reach the same
// stores, and direct handles on its Neutron database and NSDB.
type env struct {
	t    testing.TB
	o    envOpts
	srv  *testenv.Server
	conf string
	dsn  string
	api  *apiClient

	mu    sync.Mutex
	store *nsdb.Store
	sqlDB *sql.DB
}

func startEnv(t testing.TB, o envOpts) *env {
	t.Helper()
	e := &env{t: t, o: o}
	var b strings.Builder
	b.WriteString("[DEFAULT]\nauth_strategy = noauth\n")
	if o.postgres || o.mariadb {
		if o.mariadb {
			e.dsn = testenv.NewMariaDBDatabase(t)
		} else {
			e.dsn = testenv.NewDatabase(t)
		}
		fmt.Fprintf(&b, "\n[database]\nconnection = %s\n", e.dsn)
	}
	b.WriteString("\n[MIDONET]\n")
	if o.tasks {
		b.WriteString("client = midonet.neutron.client.cluster.MidonetClusterClient\n")
	} else {
		b.WriteString("client = midonet.neutron.client.api.MidonetApiClient\n")
	}
	fmt.Fprintf(&b, "password = %s\n", secret)
	if len(o.etcd) > 0 {
		fmt.Fprintf(&b, "etcd_endpoints = %s\n", strings.Join(o.etcd, ","))
	}
	b.WriteString(o.extra)
	e.conf = filepath.Join(t.TempDir(), "midonet.conf")
	if err := os.WriteFile(e.conf, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	e.srv = testenv.StartServer(t, testenv.Options{DataDir: t.TempDir(), ConfigFiles: []string{e.conf}})
	e.api = newAPI(e.srv.URL, "backend-project")
	t.Cleanup(e.closeHandles)
	return e
}

func (e *env) closeHandles() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.store != nil {
		e.store.Close()
		e.store = nil
	}
	if e.sqlDB != nil {
		e.sqlDB.Close()
		e.sqlDB = nil
	}
}

// kill SIGKILLs the server; the NSDB client (to an embedded etcd that died with it) is dropped.
func (e *env) kill() {
	e.srv.Kill()
	e.mu.Lock()
	if e.store != nil && len(e.o.etcd) == 0 {
		e.store.Close()
		e.store = nil
	}
	e.mu.Unlock()
}

// restart starts the killed or stopped server again on the same data directory.
func (e *env) restart(t testing.TB) {
	t.Helper()
	e.srv.Start(t)
}

// nsdb returns a client of the server's NSDB: the external cluster, or the embedded etcd
// through <data-dir>/etcd/endpoint.
func (e *env) nsdb(t testing.TB) *nsdb.Store {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.store != nil {
		return e.store
	}
	eps := e.o.etcd
	if len(eps) == 0 {
		ep, err := nsdb.EndpointFile(filepath.Join(e.srv.DataDir, "etcd"))
		if err != nil {
			t.Fatalf("NSDB endpoint of the running server: %v", err)
		}
		eps = []string{ep}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := nsdb.Connect(ctx, eps)
	if err != nil {
		t.Fatalf("connect to the NSDB %v: %v", eps, err)
	}
	e.store = s
	return s
}

// db returns a handle on the server's Neutron database (the SQLite file, PostgreSQL or
// MariaDB).
func (e *env) db(t testing.TB) *sql.DB {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sqlDB != nil {
		return e.sqlDB
	}
	var err error
	switch {
	case e.o.mariadb:
		e.sqlDB, err = sql.Open("mysql", testenv.MariaDBDriverDSN(t, e.dsn))
	case e.dsn != "":
		e.sqlDB, err = sql.Open("pgx", e.dsn)
	default:
		path := filepath.Join(e.srv.DataDir, "neutron.db")
		e.sqlDB, err = sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	}
	if err != nil {
		t.Fatal(err)
	}
	return e.sqlDB
}

func tctx(t testing.TB) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}

// activeVersion is the data version the topology lives under.
func activeVersion(t testing.TB, s *nsdb.Store) int64 {
	t.Helper()
	ctx, cancel := tctx(t)
	defer cancel()
	kv, err := s.Get(ctx, nsdb.ActiveVersionKey)
	if err != nil {
		t.Fatal(err)
	}
	if kv == nil {
		return 1
	}
	v, err := strconv.ParseInt(string(kv.Value), 10, 64)
	if err != nil {
		t.Fatalf("%s = %q", nsdb.ActiveVersionKey, kv.Value)
	}
	return v
}

// object reads one topology object from the NSDB (nil when absent).
func (e *env) object(t testing.TB, kind topology.Kind, id string) topology.Object {
	t.Helper()
	s := e.nsdb(t)
	ctx, cancel := tctx(t)
	defer cancel()
	o, err := s.Object(ctx, activeVersion(t, s), kind, id)
	if err != nil {
		t.Fatalf("NSDB %s/%s: %v", kind, id, err)
	}
	return o
}

// objects reads every object of a kind from the NSDB.
func (e *env) objects(t testing.TB, kind topology.Kind) []topology.Object {
	t.Helper()
	s := e.nsdb(t)
	ctx, cancel := tctx(t)
	defer cancel()
	objs, err := s.Objects(ctx, activeVersion(t, s), kind)
	if err != nil {
		t.Fatalf("NSDB %s: %v", kind, err)
	}
	return objs
}

// neutronCopy reads the cluster's copy of a Neutron resource (nil when absent).
func (e *env) neutronCopy(t testing.TB, coll, id string) map[string]any {
	t.Helper()
	s := e.nsdb(t)
	ctx, cancel := tctx(t)
	defer cancel()
	kv, err := s.Get(ctx, nsdb.NeutronKey(activeVersion(t, s), coll, id))
	if err != nil {
		t.Fatal(err)
	}
	if kv == nil {
		return nil
	}
	d, err := decodeDoc(kv.Value)
	if err != nil {
		t.Fatalf("NSDB copy %s/%s: %v", coll, id, err)
	}
	return d
}

// nsdbLastTask is /midonet/cluster/last_task (0 when absent).
func (e *env) nsdbLastTask(t testing.TB) int64 {
	t.Helper()
	ctx, cancel := tctx(t)
	defer cancel()
	kv, err := e.nsdb(t).Get(ctx, nsdb.LastTaskKey)
	if err != nil {
		t.Fatal(err)
	}
	if kv == nil {
		return 0
	}
	n, _ := strconv.ParseInt(string(kv.Value), 10, 64)
	return n
}

// journal is the task table's state.
type journal struct {
	count, maxID, lastProcessed int64
}

func (e *env) journal(t testing.TB) journal {
	t.Helper()
	ctx, cancel := tctx(t)
	defer cancel()
	var j journal
	var maxID, last sql.NullInt64
	if err := e.db(t).QueryRowContext(ctx, "SELECT COUNT(*), MAX(id) FROM midonet_tasks").Scan(&j.count, &maxID); err != nil {
		t.Fatalf("read midonet_tasks: %v", err)
	}
	if err := e.db(t).QueryRowContext(ctx, "SELECT last_processed_id FROM midonet_task_state WHERE id = 1").Scan(&last); err != nil {
		t.Fatalf("read midonet_task_state: %v", err)
	}
	j.maxID, j.lastProcessed = maxID.Int64, last.Int64
	return j
}

// taskSecrets returns the ids of tasks whose data holds a password: the configured one, the
// default one, or any "password" attribute.
func (e *env) taskSecrets(t testing.TB) []string {
	t.Helper()
	ctx, cancel := tctx(t)
	defer cancel()
	rows, err := e.db(t).QueryContext(ctx, "SELECT id, data FROM midonet_tasks ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var id int64
		var data string
		if err := rows.Scan(&id, &data); err != nil {
			t.Fatal(err)
		}
		low := strings.ToLower(data)
		if strings.Contains(data, secret) || strings.Contains(data, "passw0rd") || strings.Contains(low, `"password"`) {
			bad = append(bad, fmt.Sprintf("task %d: %s", id, data))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return bad
}

// waitDrained waits until the cluster applied every task (NSDB last_task = MAX(id)), then
// until the Neutron database mirrors it (midonet_task_state.last_processed_id = MAX(id)).
// applied and mirrored report which of the two happened in time.
func (e *env) waitDrained(t testing.TB, timeout time.Duration) (j journal, last int64, applied, mirrored bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		j, last = e.journal(t), e.nsdbLastTask(t)
		if last == j.maxID {
			break
		}
		if time.Now().After(deadline) {
			return j, last, false, j.lastProcessed == j.maxID
		}
		time.Sleep(25 * time.Millisecond)
	}
	deadline = time.Now().Add(3 * time.Second)
	for {
		if j.lastProcessed == j.maxID {
			return j, last, true, true
		}
		if time.Now().After(deadline) {
			return j, last, true, false
		}
		time.Sleep(25 * time.Millisecond)
		j = e.journal(t)
	}
}

// dbManage runs `midonet db-manage args... --data-dir D --config-file C` and returns its
// output and exit code.
func (e *env) dbManage(t testing.TB, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	full := append([]string{"db-manage"}, args...)
	full = append(full, "--data-dir", e.srv.DataDir, "--config-file", e.conf)
	cmd := exec.CommandContext(ctx, testenv.Binary(t), full...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &ee):
		return out.String(), ee.ExitCode()
	default:
		t.Fatalf("midonet %s: %v\n%s", strings.Join(full, " "), err, out.String())
		return "", -1
	}
}

// drift is `db-manage verify --json`.
type drift struct {
	Total int `json:"total"`
	Drift struct {
		MissingResources []string `json:"missing_resources"`
		StaleResources   []string `json:"stale_resources"`
		ExtraResources   []string `json:"extra_resources"`
		MissingObjects   []string `json:"missing_objects"`
		StaleObjects     []string `json:"stale_objects"`
		ExtraObjects     []string `json:"extra_objects"`
		PendingTasks     int64    `json:"pending_tasks"`
		PendingResources []string `json:"pending_resources"`
	} `json:"drift"`
	exit int
	raw  string
}

func (d drift) String() string {
	if d.Total == 0 && d.exit == 0 {
		return "drift 0"
	}
	var parts []string
	add := func(name string, l []string) {
		if len(l) == 0 {
			return
		}
		if len(l) > 4 {
			l = append(l[:4:4], fmt.Sprintf("… (%d more)", len(l)-4))
		}
		parts = append(parts, name+": "+strings.Join(l, ", "))
	}
	add("missing resources", d.Drift.MissingResources)
	add("stale resources", d.Drift.StaleResources)
	add("extra resources", d.Drift.ExtraResources)
	add("missing objects", d.Drift.MissingObjects)
	add("stale objects", d.Drift.StaleObjects)
	add("extra objects", d.Drift.ExtraObjects)
	return fmt.Sprintf("exit %d, drift %d: %s", d.exit, d.Total, strings.Join(parts, "; "))
}

// verify runs `db-manage verify --json`.
func (e *env) verify(t testing.TB) drift {
	t.Helper()
	out, code := e.dbManage(t, "verify", "--json")
	var d drift
	start := strings.Index(out, "{")
	if start < 0 || json.Unmarshal([]byte(out[start:]), &d) != nil {
		t.Fatalf("db-manage verify --json: exit %d, unparsable output:\n%s", code, out)
	}
	d.exit, d.raw = code, out
	return d
}

// canonical re-encodes a JSON document with sorted keys and exact numbers.
func canonical(d any) string {
	b, _ := json.Marshal(d)
	v, err := decodeAny(b)
	if err != nil {
		return string(b)
	}
	b, _ = json.Marshal(v)
	return string(b)
}

func decodeAny(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func decodeDoc(b []byte) (map[string]any, error) {
	v, err := decodeAny(b)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a JSON object: %.80s", b)
	}
	return m, nil
}

func revisionOf(d map[string]any) int64 {
	switch v := d["revision_number"].(type) {
	case json.Number:
		n, _ := v.Int64()
		return n
	case float64:
		return int64(v)
	}
	return -1
}

// consistency compares, independently of `db-manage verify`, every Neutron row with the
// cluster's copy in the NSDB (equal documents: nothing applied twice, out of order or lost)
// and every owned topology object's neutron_revision with its owner's revision in the
// Neutron database. It returns the differences.
func (e *env) consistency(t testing.TB) []string {
	t.Helper()
	ctx, cancel := tctx(t)
	defer cancel()
	rows := map[string]map[string]any{}
	q := "SELECT kind, id, body FROM resources WHERE kind IN ('" + strings.Join(translated, "','") + "')"
	r, err := e.db(t).QueryContext(ctx, q)
	if err != nil {
		t.Fatalf("read resources: %v", err)
	}
	for r.Next() {
		var kind, id string
		var body []byte
		if err := r.Scan(&kind, &id, &body); err != nil {
			t.Fatal(err)
		}
		d, err := decodeDoc(body)
		if err != nil {
			t.Fatalf("resource %s/%s: %v", kind, id, err)
		}
		rows[kind+"/"+id] = d
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	r.Close()

	s := e.nsdb(t)
	v := activeVersion(t, s)
	prefix := nsdb.DataPrefix(v) + "neutron/"
	kvs, _, err := s.List(ctx, prefix)
	if err != nil {
		t.Fatal(err)
	}
	copies := map[string]map[string]any{}
	for _, kv := range kvs {
		d, err := decodeDoc(kv.Value)
		if err != nil {
			t.Fatalf("%s: %v", kv.Key, err)
		}
		copies[strings.TrimPrefix(kv.Key, prefix)] = d
	}
	var probs []string
	for ref, d := range rows {
		c, ok := copies[ref]
		switch {
		case !ok:
			probs = append(probs, "no NSDB copy of "+ref)
		case canonical(c) != canonical(d):
			probs = append(probs, fmt.Sprintf("NSDB copy of %s (revision %d) differs from the Neutron row (revision %d): %s", ref, revisionOf(c), revisionOf(d), firstDiff(c, d)))
		}
	}
	for ref := range copies {
		coll, _, _ := strings.Cut(ref, "/")
		if _, ok := rows[ref]; !ok && contains(translated, coll) {
			probs = append(probs, "NSDB copy of deleted "+ref)
		}
	}
	// The owned objects: in their owners' bundles (and, in the layout before bundles, under
	// their own keys).
	type object struct {
		key   string
		value []byte
	}
	var objs []object
	tprefix := nsdb.DataPrefix(v) + "topology/"
	tkvs, _, err := s.List(ctx, tprefix)
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range tkvs {
		objs = append(objs, object{strings.TrimPrefix(kv.Key, tprefix), kv.Value})
	}
	unbundled := len(objs)
	if _, err := s.EachBundleObject(ctx, v, func() { objs = objs[:unbundled] }, func(_ string, bo nsdb.BundleObject) error {
		objs = append(objs, object{bo.Key(), bo.JSON})
		return nil
	}); err != nil {
		probs = append(probs, "reading the owners' bundles: "+err.Error())
	}
	for _, o := range objs {
		var m topology.Meta
		if err := json.Unmarshal(o.value, &m); err != nil || m.Owner == "" {
			continue
		}
		coll, _, _ := strings.Cut(m.Owner, "/")
		if !contains(translated, coll) {
			continue
		}
		d, ok := rows[m.Owner]
		switch {
		case !ok:
			probs = append(probs, fmt.Sprintf("%s is owned by %s, which Neutron no longer has", o.key, m.Owner))
		case m.Revision != revisionOf(d):
			probs = append(probs, fmt.Sprintf("%s has neutron_revision %d, its owner %s is at %d", o.key, m.Revision, m.Owner, revisionOf(d)))
		}
	}
	sort.Strings(probs)
	return probs
}

// firstDiff names the attributes in which two documents differ.
func firstDiff(a, b map[string]any) string {
	var keys []string
	for k := range a {
		if canonical(a[k]) != canonical(b[k]) {
			keys = append(keys, fmt.Sprintf("%s: NSDB %s, Neutron %s", k, canonical(a[k]), canonical(b[k])))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, fmt.Sprintf("%s: NSDB absent, Neutron %s", k, canonical(b[k])))
		}
	}
	sort.Strings(keys)
	return strings.Join(keys, "; ")
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// summarize keeps a report short.
func summarize(l []string, n int) string {
	if len(l) > n {
		return strings.Join(l[:n], "\n    ") + fmt.Sprintf("\n    … (%d more)", len(l)-n)
	}
	return strings.Join(l, "\n    ")
}

// apiClient speaks the Neutron API with plain HTTP (noauth: an admin of one project).
type apiClient struct {
	base    string
	project string
	hc      *http.Client
}

func newAPI(base, project string) *apiClient {
	return &apiClient{base: base, project: project, hc: &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 32},
	}}
}

// do sends one request and decodes the answer; err is a transport error only.
func (a *apiClient) do(ctx context.Context, method, path string, body any) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+"/v2.0/"+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Project-Id", a.project)
	resp, err := a.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, err
	}
	var out map[string]any
	if len(bytes.TrimSpace(b)) > 0 {
		if out, err = decodeDoc(b); err != nil {
			return resp.StatusCode, map[string]any{"_raw": string(b)}, nil
		}
	}
	return resp.StatusCode, out, nil
}

// must sends a request that must answer want, and returns the member object (the single
// key of the answer) or the whole answer.
func (a *apiClient) must(t testing.TB, want int, method, path string, body any) map[string]any {
	t.Helper()
	ctx, cancel := tctx(t)
	defer cancel()
	status, out, err := a.do(ctx, method, path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if status != want {
		t.Fatalf("%s %s %s: status %d, want %d: %s", method, path, canonical(body), status, want, canonical(out))
	}
	if len(out) == 1 {
		for _, v := range out {
			if m, ok := v.(map[string]any); ok {
				return m
			}
		}
	}
	return out
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}
