// Package crud_test runs one table of create / show / update / list / delete cases for every
// core and L3 collection the API serves, and the router actions, through gophercloud — the same test bodies
// twice, as etcd's tests/common does: against the API in process (app.InProcessAPI: the
// serve wiring on SQLite without a backend) and against the real `midonet serve` binary.
//
// A row is what a user checks of one kind of object: the status codes, the fields and
// defaults Neutron answers with, that a list shows the object (and not after its delete),
// that an update is visible on show and in a filtered list with a higher revision_number,
// and Neutron's error type on a bad request. The rows are in cases_test.go, the router
// actions in routers_test.go.
package crud_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/midonet-go/midonet/internal/app"
	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const project = "crud-project"

func client(url string, transport http.RoundTripper) *gophercloud.ServiceClient {
	pc := &gophercloud.ProviderClient{HTTPClient: http.Client{Transport: transport, Timeout: 60 * time.Second}}
	return &gophercloud.ServiceClient{ProviderClient: pc, Endpoint: url + "/", ResourceBase: url + "/v2.0/", Type: "network",
		// noauth: no X-Roles makes the caller an admin of this project (external networks).
		MoreHeaders: map[string]string{"X-Project-Id": project, "X-User-Id": "crud-user"}}
}

// target starts one way of serving the API and returns a client of it.
type target struct {
	name  string
	start func(t *testing.T) *gophercloud.ServiceClient
}

// targets are the two ways the same bodies run.
var targets = []target{
	{"in-process", func(t *testing.T) *gophercloud.ServiceClient {
		srv, done, err := app.InProcessAPI(t.Context(), app.Options{DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(done)
		return client("http://crud.test", testenv.HandlerTransport{Handler: srv})
	}},
	{"binary", func(t *testing.T) *gophercloud.ServiceClient {
		srv := testenv.StartServer(t, testenv.Options{})
		return client(srv.URL, http.DefaultTransport)
	}},
}

// each runs body once per target, each on a fresh server.
func each(t *testing.T, body func(t *testing.T, c *gophercloud.ServiceClient)) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) { body(t, tg.start(t)) })
	}
}

func TestCRUD(t *testing.T) {
	each(t, func(t *testing.T, c *gophercloud.ServiceClient) {
		fx := newFixture(t, c)
		for _, tc := range cases(fx) {
			t.Run(tc.path+"/"+tc.name, func(t *testing.T) { runCase(t, c, tc) })
		}
	})
}

func fatal(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// crudCase is one row: how to create one object of a collection (a typed gophercloud call),
// how to change it (nil: the collection has no update), what a user checks in the created
// document, and the requests the collection refuses.
type crudCase struct {
	path, member, name string
	create             func(ctx context.Context, c *gophercloud.ServiceClient) (string, error)
	update             func(ctx context.Context, c *gophercloud.ServiceClient, id string) (field string, value any, err error)
	check              func(t *testing.T, d map[string]any)
	// notFound is Neutron's error type for a show or delete of one that does not exist.
	notFound string
	errors   []errCase
}

// errCase is a request Neutron refuses, with the status and NeutronError.type it answers.
type errCase struct {
	name string
	// update sends body as a PUT to the row's object; else it is a POST to the collection.
	update bool
	body   map[string]any // the member document
	status int
	typ    string
}

func id[T any](v *T, err error, get func() string) (string, error) {
	if err != nil {
		return "", err
	}
	return get(), nil
}

// expect compares attributes of a document with what Neutron answers.
func expect(t *testing.T, d map[string]any, want map[string]any) {
	t.Helper()
	for k, w := range want {
		if got, ok := d[k]; !ok || !equal(got, w) {
			t.Errorf("%s = %#v (present %v), want %#v", k, got, ok, w)
		}
	}
}

func equal(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k := range x {
			if !equal(x[k], y[k]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// neutronError is the status and NeutronError.type of a refused request ("" and 0 when
// err is not an HTTP error).
func neutronError(err error) (int, string) {
	var code gophercloud.ErrUnexpectedResponseCode
	if !errors.As(err, &code) {
		return 0, ""
	}
	var body struct {
		NeutronError struct {
			Type string `json:"type"`
		} `json:"NeutronError"`
	}
	_ = json.Unmarshal(code.Body, &body)
	return code.Actual, body.NeutronError.Type
}

// wantError checks that err is Neutron's answer status/typ.
func wantError(t *testing.T, what string, err error, status int, typ string) {
	t.Helper()
	if gotStatus, gotType := neutronError(err); gotStatus != status || gotType != typ {
		t.Errorf("%s = %v (%d %s), want %d %s", what, err, gotStatus, gotType, status, typ)
	}
}

// jsonish re-encodes a gophercloud body so that numbers compare as encoding/json gives them.
func jsonish[T any](v any) (T, error) {
	var out T
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	return out, err
}

// show reads one document as the API renders it, or the error of a refused show.
func show(ctx context.Context, c *gophercloud.ServiceClient, path, member, id string) (map[string]any, error) {
	var body map[string]any
	if _, err := c.Get(ctx, c.ServiceURL(path, id), &body, nil); err != nil {
		return nil, err
	}
	return jsonish[map[string]any](body[member])
}

// list answers the ids of a collection's list with the given query.
func list(ctx context.Context, c *gophercloud.ServiceClient, path string, query url.Values) ([]string, error) {
	query = cloneValues(query)
	query.Add("fields", "id")
	var body map[string]any
	if _, err := c.Get(ctx, c.ServiceURL(path)+"?"+query.Encode(), &body, nil); err != nil {
		return nil, err
	}
	var ids []string
	for _, v := range body {
		l, ok := v.([]any)
		if !ok {
			continue
		}
		for _, x := range l {
			m, _ := x.(map[string]any)
			s, _ := m["id"].(string)
			ids = append(ids, s)
		}
	}
	return ids, nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// listed reports whether the collection's list (with the query) holds id.
func listed(t *testing.T, c *gophercloud.ServiceClient, path string, query url.Values, id string) bool {
	t.Helper()
	ids, err := list(t.Context(), c, path, query)
	fatal(t, err)
	return contains(ids, id)
}

// timestamp parses a created_at / updated_at value.
func timestamp(t *testing.T, d map[string]any, key string) time.Time {
	t.Helper()
	s, _ := d[key].(string)
	ts, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Errorf("%s = %#v, want an RFC 3339 time", key, d[key])
	}
	return ts
}

func runCase(t *testing.T, c *gophercloud.ServiceClient, tc crudCase) {
	ctx := t.Context()
	id, err := tc.create(ctx, c)
	fatal(t, err)
	d, err := show(ctx, c, tc.path, tc.member, id)
	if err != nil {
		t.Fatalf("show after create: %v", err)
	}
	// What every Neutron resource carries, then what this row checks.
	expect(t, d, map[string]any{"id": id, "project_id": project, "tenant_id": project})
	created := timestamp(t, d, "created_at")
	if updated := timestamp(t, d, "updated_at"); updated.Before(created) {
		t.Errorf("updated_at %v before created_at %v", updated, created)
	}
	if tags, ok := d["tags"].([]any); !ok || len(tags) != 0 {
		t.Errorf("tags = %#v, want []", d["tags"])
	}
	rev, ok := d["revision_number"].(float64)
	if !ok {
		t.Fatalf("revision_number = %#v", d["revision_number"])
	}
	tc.check(t, d)
	if !listed(t, c, tc.path, nil, id) {
		t.Errorf("the list does not show the new %s", tc.member)
	}
	if ids, err := list(ctx, c, tc.path, url.Values{"id": {id}}); err != nil || len(ids) != 1 || ids[0] != id {
		t.Errorf("list filtered by id = %v, %v; want just %s", ids, err, id)
	}
	if tc.update != nil {
		field, value, err := tc.update(ctx, c, id)
		if err != nil {
			t.Fatalf("update: %v", err)
		}
		u, err := show(ctx, c, tc.path, tc.member, id)
		fatal(t, err)
		expect(t, u, map[string]any{field: value})
		if got, _ := u["revision_number"].(float64); got <= rev {
			t.Errorf("revision_number %v after an update, want more than %v", u["revision_number"], rev)
		}
		if updated := timestamp(t, u, "updated_at"); updated.Before(created) {
			t.Errorf("updated_at %v after the update, before created_at %v", updated, created)
		}
		// A list filtered on the new value finds it.
		if !listed(t, c, tc.path, url.Values{field: {fmt.Sprint(value)}}, id) {
			t.Errorf("list filtered on %s=%v does not show the updated %s", field, value, tc.member)
		}
	}
	// An attribute the collection does not have is Neutron's 400 HTTPBadRequest.
	errs := append([]errCase{{name: "an unknown attribute", body: map[string]any{"no_such_attribute": 1}, status: 400, typ: "HTTPBadRequest"}}, tc.errors...)
	for _, e := range errs {
		var err error
		body := map[string]any{tc.member: e.body}
		if e.update {
			_, err = c.Put(ctx, c.ServiceURL(tc.path, id), body, nil, &gophercloud.RequestOpts{OkCodes: []int{200}})
		} else {
			var created map[string]any
			_, err = c.Post(ctx, c.ServiceURL(tc.path), body, &created, &gophercloud.RequestOpts{OkCodes: []int{201}})
		}
		verb := "create"
		if e.update {
			verb = "update"
		}
		wantError(t, verb+" with "+e.name, err, e.status, e.typ)
	}
	if _, err := c.Delete(ctx, c.ServiceURL(tc.path, id), &gophercloud.RequestOpts{OkCodes: []int{204}}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = show(ctx, c, tc.path, tc.member, id)
	wantError(t, "show after delete", err, 404, tc.notFound)
	_, err = c.Delete(ctx, c.ServiceURL(tc.path, id), nil)
	wantError(t, "delete again", err, 404, tc.notFound)
	if listed(t, c, tc.path, nil, id) {
		t.Errorf("the list still shows the deleted %s", tc.member)
	}
}
