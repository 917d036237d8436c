package isolation

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// variants are the deployments the matrix runs on: the three databases with noauth
// headers, and real Keystone tokens on SQLite (the cheapest backend; the
// database does not take part in authorization).
var variants = []struct {
	name  string
	start func(t *testing.T) *deployment
}{
	{"sqlite-noauth", func(t *testing.T) *deployment { return noauthDeployment(t, "sqlite") }},
	{"postgres-noauth", func(t *testing.T) *deployment { return noauthDeployment(t, "postgres") }},
	{"mariadb-noauth", func(t *testing.T) *deployment { return noauthDeployment(t, "mariadb") }},
	{"sqlite-keystone", keystoneDeployment},
}

// TestCrossProject runs every Attack as project B against project A's
// resources and checks, for each: Neutron's status and NeutronError type; that
// the answer reveals nothing of A's private resources; for lists with an
// unusable marker, that the answer is the unmarked list; and that every
// document of A, read by an admin, is exactly what it was before the attack.
func TestCrossProject(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			d := v.start(t)
			runMatrix(t, d)
		})
	}
}

func runMatrix(t *testing.T, d *deployment) {
	ctx := t.Context()
	w, err := Setup(ctx, d.admin, d.b, d.projectA, d.projectB)
	if err != nil {
		t.Fatalf("setup: %v", err)
	}
	admin, b := ServiceClient{d.admin}, ServiceClient{d.b}
	before, err := Take(ctx, admin, w)
	if err != nil {
		t.Fatal(err)
	}
	checkOracles(t, admin, b, w, before)

	for _, a := range Attacks {
		t.Run(a.Name, func(t *testing.T) {
			path := w.Expand(a.Path)
			var body []byte
			if a.Body != "" {
				body = []byte(w.Expand(a.Body))
			}
			status, ans, err := b.Do(ctx, a.Method, path, body)
			if err != nil {
				t.Fatalf("%s %s: %v", a.Method, path, err)
			}
			what := a.Method + " " + path + " " + string(body)
			if status != a.Status || ErrorType(ans) != a.Type {
				t.Errorf("%s\n answered %d %q, want %d %q\n body: %s", what, status, ErrorType(ans), a.Status, a.Type, trim(ans))
			}
			if status >= 400 && ErrorType(ans) == "" {
				t.Errorf("%s: error %d without a NeutronError body: %s", what, status, trim(ans))
			}
			if leaks := w.Leaks(path+string(body), ans); len(leaks) > 0 {
				t.Errorf("%s: the answer reveals %s: %s", what, strings.Join(leaks, ", "), trim(ans))
			}
			if a.SameAs != "" && status == http.StatusOK {
				ref := w.Expand(a.SameAs)
				st, refAns, err := b.Do(ctx, http.MethodGet, ref, nil)
				if err != nil || st != http.StatusOK {
					t.Fatalf("GET %s: %d %v %s", ref, st, err, trim(refAns))
				}
				if got, want := listed(t, ans), listed(t, refAns); !reflect.DeepEqual(got, want) {
					t.Errorf("%s lists %v; Neutron ignores the marker and lists what GET %s does: %v", what, got, ref, want)
				}
			}
			after, err := Take(ctx, admin, w)
			if err != nil {
				t.Fatal(err)
			}
			if diff := Diff(before, after); len(diff) > 0 {
				t.Errorf("%s (answered %d) changed A's documents:\n  %s", what, status, strings.Join(diff, "\n  "))
			}
			before = after
		})
	}
}

// checkOracles makes sure the checks of the matrix can fail: the snapshot
// holds A's resources, the leak check recognises an admin's view of A's
// network, and B's requests are really made as B (B sees its own network and
// A's shared one, an admin sees A's private network).
func checkOracles(t *testing.T, admin, b Client, w *World, s Snapshot) {
	t.Helper()
	ctx := t.Context()
	for _, k := range []string{"networks/netA", "networks/sharedNet", "subnets/subA", "subnets/subA2", "subnets/sharedSub",
		"subnetpools/poolA", "ports/portA", "ports/portA2", "ports/routerAPort", "routers/routerA", "floatingips/fipA",
		"security-groups/sgA", "security-group-rules/ruleA", "security-group-rules/ruleA2", "address-scopes/scopeA", "address-groups/agA"} {
		col, name, _ := strings.Cut(k, "/")
		if _, ok := s[col+"/"+w.IDs[name]]; !ok {
			t.Fatalf("the snapshot of A lacks %s (%s)", k, w.IDs[name])
		}
	}
	if _, ok := s["quotas/"+w.ProjectA]; !ok {
		t.Fatalf("the snapshot of A lacks its quota")
	}
	st, ans, err := admin.Do(ctx, http.MethodGet, "networks/"+w.IDs["netA"], nil)
	if err != nil || st != http.StatusOK {
		t.Fatalf("admin GET A's network: %d %v", st, err)
	}
	if len(w.Leaks("", ans)) == 0 {
		t.Fatalf("the leak check does not see A's network in %s", ans)
	}
	st, ans, err = b.Do(ctx, http.MethodGet, "networks?fields=id", nil)
	if err != nil || st != http.StatusOK {
		t.Fatalf("B lists networks: %d %v", st, err)
	}
	got := listed(t, ans)
	for _, name := range []string{"netB", "sharedNet", "ext"} {
		if !slices.Contains(got, w.IDs[name]) {
			t.Fatalf("B's network list %v lacks %s", got, name)
		}
	}
}

// listed returns the ids of a list answer, in order.
func listed(t *testing.T, ans []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(ans, &m); err != nil {
		t.Fatalf("list answer is not JSON: %v: %s", err, trim(ans))
	}
	for k, raw := range m {
		if strings.HasSuffix(k, "_links") {
			continue
		}
		var docs []map[string]any
		if err := json.Unmarshal(raw, &docs); err != nil {
			t.Fatalf("list answer %q is not a list: %v", k, err)
		}
		ids := []string{}
		for _, d := range docs {
			id, _ := d["id"].(string)
			ids = append(ids, id)
		}
		return ids
	}
	t.Fatalf("list answer without a list: %s", trim(ans))
	return nil
}

func trim(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}
