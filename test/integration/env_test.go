package integration

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// backend is one database the server can run on.
type backend struct {
	name     string
	postgres bool
	mariadb  bool
}

var backends = []backend{
	{name: "sqlite"},
	{name: "postgres", postgres: true},
	{name: "mariadb", mariadb: true},
}

// options are the server options that put a server on b.
func (b backend) options(o testenv.Options) testenv.Options {
	o.Postgres, o.MariaDB = b.postgres, b.mariadb
	return o
}

// env is one running server and the clients that talk to it.
type env struct {
	srv *testenv.Server
}

// forEachBackend runs body once per backend, in parallel subtests named after
// the backend, each with a fresh server in noauth mode.
func forEachBackend(t *testing.T, body func(t *testing.T, e *env)) {
	t.Helper()
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			srv := testenv.StartServer(t, b.options(testenv.Options{}))
			body(t, &env{srv: srv})
		})
	}
}

// forEachBackendWith is forEachBackend with extra configuration (noauth is implied).
func forEachBackendWith(t *testing.T, conf string, body func(t *testing.T, e *env)) {
	t.Helper()
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			srv := testenv.StartServer(t, b.options(testenv.Options{Config: "[DEFAULT]\nauth_strategy = noauth\n" + conf}))
			body(t, &env{srv: srv})
		})
	}
}

// client returns a network service client that sends headers on every
// request. The endpoint is the server's root and resources live under
// /v2.0/, as a Keystone catalog entry for Neutron would give.
func (e *env) client(headers map[string]string) *gophercloud.ServiceClient {
	pc := &gophercloud.ProviderClient{
		HTTPClient: http.Client{Timeout: 60 * time.Second},
		UserAgent:  gophercloud.UserAgent{},
	}
	pc.UseTokenLock()
	return &gophercloud.ServiceClient{
		ProviderClient: pc,
		Endpoint:       e.srv.URL + "/",
		ResourceBase:   e.srv.URL + "/v2.0/",
		Type:           "network",
		MoreHeaders:    headers,
	}
}

// admin returns a client acting as an admin scoped to project (noauth without
// X-Roles is an admin). Resources it creates belong to project.
func (e *env) admin(project string) *gophercloud.ServiceClient {
	return e.client(map[string]string{"X-Project-Id": project})
}

// member returns a client acting as an ordinary member of project.
func (e *env) member(project string) *gophercloud.ServiceClient {
	return e.client(map[string]string{"X-Project-Id": project, "X-Roles": "member"})
}

// ctx is the context of a test's requests.
func ctx(t *testing.T) context.Context { return t.Context() }

// raw sends a request with an arbitrary JSON body and extra headers and
// decodes the JSON answer into a generic map. ok lists the accepted status
// codes; any other status is returned as gophercloud's
// ErrUnexpectedResponseCode.
func raw(t *testing.T, c *gophercloud.ServiceClient, method, path string, body any, headers map[string]string, ok ...int) (map[string]any, int, error) {
	t.Helper()
	var out map[string]any
	opts := &gophercloud.RequestOpts{MoreHeaders: headers, OkCodes: ok}
	if body != nil {
		opts.JSONBody = body
	}
	if method != http.MethodDelete && method != http.MethodHead {
		opts.JSONResponse = &out
	}
	resp, err := c.Request(ctx(t), method, c.ServiceURL(path), opts)
	status := 0
	if resp != nil {
		status = resp.StatusCode
		resp.Body.Close()
	}
	return out, status, err
}

// get is a raw GET that must answer 200.
func get(t *testing.T, c *gophercloud.ServiceClient, path string) map[string]any {
	t.Helper()
	out, _, err := raw(t, c, http.MethodGet, path, nil, nil, 200)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return out
}

// doc is a whole request body, for requests gophercloud's typed options
// cannot express (unknown or read-only attributes, provider attributes,
// explicit nulls). It satisfies the create and update builders of networks,
// subnets, ports, security groups, rules and quotas.
type doc map[string]any

func (d doc) ToNetworkCreateMap() (map[string]any, error)      { return d, nil }
func (d doc) ToNetworkUpdateMap() (map[string]any, error)      { return d, nil }
func (d doc) ToSubnetCreateMap() (map[string]any, error)       { return d, nil }
func (d doc) ToSubnetUpdateMap() (map[string]any, error)       { return d, nil }
func (d doc) ToPortCreateMap() (map[string]any, error)         { return d, nil }
func (d doc) ToPortUpdateMap() (map[string]any, error)         { return d, nil }
func (d doc) ToSecGroupCreateMap() (map[string]any, error)     { return d, nil }
func (d doc) ToSecGroupUpdateMap() (map[string]any, error)     { return d, nil }
func (d doc) ToSecGroupRuleCreateMap() (map[string]any, error) { return d, nil }
func (d doc) ToQuotaUpdateMap() (map[string]any, error)        { return d, nil }

// update is a whole update body. gophercloud's Update functions read
// request headers from the options' struct tags, so the options must be a
// struct, not a map.
type update struct{ body doc }

func (u update) ToNetworkUpdateMap() (map[string]any, error)  { return u.body, nil }
func (u update) ToSubnetUpdateMap() (map[string]any, error)   { return u.body, nil }
func (u update) ToPortUpdateMap() (map[string]any, error)     { return u.body, nil }
func (u update) ToSecGroupUpdateMap() (map[string]any, error) { return u.body, nil }

func ptr[T any](v T) *T { return &v }
