// Package cli_test checks what the command line prints for scripts: every `--json` output of
// `midonet` (trace, db-manage verify/repair/nsdb-compact, load) is one JSON document whose
// keys are snake_case at every depth, whose lists are never null, and which carries the keys
// its documented schema (ARCHITECTURE.md, "Machine-readable output") promises.
package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// shapeErrors walks a decoded JSON value and lists the keys that are not snake_case and the
// list keys (named in lists) whose value is null.
func shapeErrors(path string, v any, lists map[string]bool) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := path + "." + k
			if !snakeCase.MatchString(k) {
				out = append(out, "key "+p+" is not snake_case")
			}
			if e == nil && lists[k] {
				out = append(out, "list "+p+" is null, want []")
			}
			out = append(out, shapeErrors(p, e, lists)...)
		}
	case []any:
		for i, e := range x {
			out = append(out, shapeErrors(fmt.Sprintf("%s[%d]", path, i), e, lists)...)
		}
	}
	return out
}

// schema is the documented shape of one command's output: the keys it must have (dotted
// paths from the top) and the keys that are lists.
type schema struct {
	required []string
	lists    []string
}

func (s schema) check(t *testing.T, what string, out []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%s: not one JSON document: %v\n%s", what, err, out)
	}
	if dec.More() {
		t.Errorf("%s: more than one JSON document on stdout:\n%s", what, out)
	}
	lists := map[string]bool{}
	for _, l := range s.lists {
		lists[l] = true
	}
	for _, e := range shapeErrors("", doc, lists) {
		t.Errorf("%s: %s", what, e)
	}
	for _, r := range s.required {
		var cur any = doc
		for _, k := range strings.Split(r, ".") {
			m, ok := cur.(map[string]any)
			if !ok {
				cur = nil
				break
			}
			cur, ok = m[k]
			if !ok {
				t.Errorf("%s: key %s missing", what, r)
				break
			}
		}
		if lists[r[strings.LastIndex(r, ".")+1:]] {
			if _, ok := cur.([]any); !ok {
				t.Errorf("%s: %s = %v, want a list", what, r, cur)
			}
		}
	}
	return doc
}

// The documented schemas (ARCHITECTURE.md, "Machine-readable output").
var (
	driftLists  = []string{"missing_resources", "stale_resources", "extra_resources", "missing_objects", "stale_objects", "extra_objects", "skipped", "pending_resources"}
	traceSchema = schema{
		required: []string{"verdict", "summary", "ingress.port_id", "egress", "generated", "mirrored", "hops", "meters"},
		lists:    []string{"egress", "generated", "mirrored", "hops", "dns", "routes", "options", "security_group_ids", "resources", "meters"},
	}
	meteringSchema = schema{required: []string{"labels"}, lists: []string{"labels", "hosts"}}
	verifySchema   = schema{
		required: append([]string{"total", "drift.pending_tasks", "drift.repair_running"}, prefixed("drift.", driftLists)...),
		lists:    driftLists,
	}
	repairSchema = schema{
		required: append([]string{"total", "skipped", "drift_after"}, prefixed("drift.", driftLists)...),
		lists:    driftLists,
	}
	compactSchema = schema{required: []string{"revision", "members", "alarms_cleared"}, lists: []string{"members", "alarms_cleared"}}
	loadSchema    = schema{required: []string{"url", "concurrency", "port_create.ok", "port_list.ports"}}
)

func prefixed(p string, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = p + k
	}
	return out
}

func post(t *testing.T, srv *testenv.Server, coll, member string, body map[string]any) string {
	t.Helper()
	body["tenant_id"] = "cli"
	b, _ := json.Marshal(map[string]any{member: body})
	resp, err := http.Post(srv.URL+"/v2.0/"+coll, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %d %s", coll, resp.StatusCode, raw)
	}
	var out map[string]map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	id, _ := out[member]["id"].(string)
	return id
}

func TestJSONOutputs(t *testing.T) {
	srv := testenv.StartServer(t, testenv.Options{})
	net := post(t, srv, "networks", "network", map[string]any{"name": "n"})
	post(t, srv, "subnets", "subnet", map[string]any{"network_id": net, "cidr": "10.9.0.0/24", "ip_version": 4,
		"allocation_pools": []any{map[string]any{"start": "10.9.0.128", "end": "10.9.0.254"}}}) // .10 and .11 stay free
	post(t, srv, "ports", "port", map[string]any{"name": "a", "network_id": net, "device_owner": "compute:nova",
		"fixed_ips": []any{map[string]any{"ip_address": "10.9.0.10"}}})
	post(t, srv, "ports", "port", map[string]any{"name": "b", "network_id": net, "device_owner": "compute:nova",
		"fixed_ips": []any{map[string]any{"ip_address": "10.9.0.11"}}})
	label := post(t, srv, "metering/metering-labels", "metering_label", map[string]any{"name": "all"})
	time.Sleep(500 * time.Millisecond) // the agent's cache follows the NSDB by a watch

	cases := []struct {
		name   string
		args   []string
		schema schema
		check  func(t *testing.T, doc map[string]any)
		status int // the exit status: trace exits 1 on a drop, verify 1 on drift
	}{
		{"trace forwarded", []string{"trace", "--data-dir", srv.DataDir, "--json", "--from-port", "a", "--dst", "10.9.0.11", "--proto", "tcp", "--dport", "22"}, traceSchema,
			func(t *testing.T, doc map[string]any) {
				if doc["verdict"] != "forwarded" {
					t.Errorf("verdict %v, want forwarded", doc["verdict"])
				}
			}, 0},
		{"trace dropped by anti-spoofing", []string{"trace", "--data-dir", srv.DataDir, "--json", "--from-port", "a", "--dst", "10.9.0.11", "--src-ip", "10.9.0.99"}, traceSchema,
			func(t *testing.T, doc map[string]any) {
				drop, _ := doc["drop"].(map[string]any)
				if doc["verdict"] != "dropped" || drop["kind"] != "anti-spoof" {
					t.Errorf("verdict %v drop %v, want an anti-spoof drop", doc["verdict"], drop)
				}
			}, 1},
		{"trace DHCP offer", []string{"trace", "--data-dir", srv.DataDir, "--json", "--from-port", "a", "--dhcp"}, traceSchema, nil, 0},
		{"metering", []string{"metering", "--data-dir", srv.DataDir, "--json"}, meteringSchema,
			func(t *testing.T, doc map[string]any) {
				l, _ := doc["labels"].([]any)
				if len(l) != 1 || l[0].(map[string]any)["label_id"] != label || l[0].(map[string]any)["packets"] != float64(0) {
					t.Errorf("labels %v, want label %s with no packets", l, label)
				}
			}, 0},
		{"db-manage verify", []string{"db-manage", "verify", "--data-dir", srv.DataDir, "--json"}, verifySchema,
			func(t *testing.T, doc map[string]any) {
				if doc["total"] != float64(0) {
					t.Errorf("verify total %v, want 0", doc["total"])
				}
			}, 0},
		{"db-manage repair", []string{"db-manage", "repair", "--data-dir", srv.DataDir, "--json"}, repairSchema, nil, 0},
		{"db-manage nsdb-compact", []string{"db-manage", "nsdb-compact", "--data-dir", srv.DataDir, "--json"}, compactSchema, nil, 0},
		{"load", []string{"load", "--url", srv.URL, "--ports", "20", "--concurrency", "2", "--list", "1", "--quiet", "--json"}, loadSchema,
			func(t *testing.T, doc map[string]any) {
				pc, _ := doc["port_create"].(map[string]any)
				if pc["ok"] != float64(20) {
					t.Errorf("load created %v ports, want 20", pc["ok"])
				}
			}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, status := runStatus(t, c.args...)
			if status != c.status {
				t.Errorf("exit status %d, want %d", status, c.status)
			}
			doc := c.schema.check(t, c.name, out)
			if c.check != nil {
				c.check(t, doc)
			}
		})
	}
}

// TestShapeChecker: the checker itself catches what it is for.
func TestShapeChecker(t *testing.T) {
	cases := []struct {
		doc  string
		bad  bool
		what string
	}{
		{`{"port_id": "x", "hops": []}`, false, "snake_case and a list"},
		{`{"PortID": "x"}`, true, "CamelCase key"},
		{`{"a": {"EthSrc": 1}}`, true, "nested CamelCase key"},
		{`{"hops": null}`, true, "null list"},
		{`{"x": [{"deviceType": 1}]}`, true, "key inside a list"},
	}
	for _, c := range cases {
		var v any
		if err := json.Unmarshal([]byte(c.doc), &v); err != nil {
			t.Fatal(err)
		}
		errs := shapeErrors("", v, map[string]bool{"hops": true})
		if got := len(errs) > 0; got != c.bad {
			t.Errorf("%s: %s flagged %v, want %v (%v)", c.what, c.doc, got, c.bad, errs)
		}
	}
}
