package keystone

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/endpoints"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/regions"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/services"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"

	"github.com/midonet-go/midonet/internal/testutil/keystone"
	"github.com/midonet-go/midonet/test/testenv"
)

// regionPrefix names the Keystone regions this package registers its
// server's endpoint in. Each run gets its own region, so parallel runs (and
// keystone-up.sh's own NETWORK_URL endpoints in RegionOne) never meet.
const regionPrefix = "midonet-keystone-test-"

// staleRegionAge is how old a region of ours must be before a later run
// removes it (left behind by a run that was killed before its cleanup).
const staleRegionAge = time.Hour

// cloud is one test deployment: Keystone, a midonet server that validates
// tokens against it, and the server's endpoint in the Keystone catalog.
type cloud struct {
	ks     *keystone.Env
	srv    *testenv.Server
	region string // the catalog region holding the server's endpoint
}

// user is someone logged in with a password, with a networking client found
// through the catalog of their token.
type user struct {
	name      string
	projectID string
	token     string
	provider  *gophercloud.ProviderClient
	net       *gophercloud.ServiceClient
}

// setup starts Keystone and a midonet server with auth_strategy = keystone,
// and registers the server as the network endpoint of a fresh catalog region.
func setup(t *testing.T) *cloud {
	t.Helper()
	ks := keystone.Start(t)
	t.Logf("keystone at %s (start call took %v)", ks.URL, ks.Started)
	conf := ks.ServerConfig()
	srv := testenv.StartServer(t, testenv.Options{Config: conf})
	c := &cloud{ks: ks, srv: srv}
	c.register(t)
	return c
}

// authOptions are what an OpenStack user puts in OS_AUTH_URL, OS_USERNAME,
// OS_PASSWORD, OS_PROJECT_NAME and OS_*_DOMAIN_NAME.
func (c *cloud) authOptions(name, project string) gophercloud.AuthOptions {
	pw := c.ks.DemoPassword
	switch name {
	case "admin":
		pw = c.ks.AdminPassword
	case "neutron":
		pw = c.ks.ServicePassword
	}
	return gophercloud.AuthOptions{
		IdentityEndpoint: c.ks.URL + "/v3",
		Username:         name,
		Password:         pw,
		DomainName:       "Default",
		TenantName:       project,
	}
}

// register adds the server's endpoint (service type network) to the catalog
// in a new region and removes it when the test ends. It first removes regions
// that earlier, killed runs of this package left behind.
func (c *cloud) register(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	admin, err := openstack.AuthenticatedClient(ctx, c.authOptions("admin", "admin"))
	if err != nil {
		t.Fatalf("admin password login to %s: %v", c.ks.URL, err)
	}
	id, err := openstack.NewIdentityV3(admin, gophercloud.EndpointOpts{})
	if err != nil {
		t.Fatalf("identity endpoint from the catalog: %v", err)
	}
	sweepStaleRegions(t, id)

	// The network service: the one keystone-up.sh (NETWORK_URL) makes, or
	// the same thing made here and left in place like keystone-up.sh does.
	pages, err := services.List(id, services.ListOpts{ServiceType: "network"}).AllPages(ctx)
	if err != nil {
		t.Fatalf("list network services: %v", err)
	}
	svcs, err := services.ExtractServices(pages)
	if err != nil {
		t.Fatalf("list network services: %v", err)
	}
	var serviceID string
	if len(svcs) > 0 {
		serviceID = svcs[0].ID
	} else {
		enabled := true
		s, err := services.Create(ctx, id, services.CreateOpts{
			Type: "network", Name: "neutron", Enabled: &enabled,
			Description: "network service (created by midonet test/keystone)",
		}).Extract()
		if err != nil {
			t.Fatalf("create network service: %v", err)
		}
		serviceID = s.ID
	}

	c.region = regionPrefix + strconv.Itoa(c.srv.Port) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := regions.Create(ctx, id, regions.CreateOpts{
		ID:          c.region,
		Description: "midonet test/keystone " + time.Now().UTC().Format(time.RFC3339),
	}).Extract(); err != nil {
		t.Fatalf("create region %s: %v", c.region, err)
	}
	t.Cleanup(func() { deleteRegion(t, id, c.region) })
	ep, err := endpoints.Create(ctx, id, endpoints.CreateOpts{
		Availability: gophercloud.AvailabilityPublic,
		Region:       c.region,
		ServiceID:    serviceID,
		URL:          c.srv.URL,
	}).Extract()
	if err != nil {
		t.Fatalf("create network endpoint %s in %s: %v", c.srv.URL, c.region, err)
	}
	if ep.Region != c.region {
		t.Fatalf("endpoint %s was put in region %q, want %q", ep.ID, ep.Region, c.region)
	}
}

// deleteRegion removes a region of ours and its endpoints. It runs from
// cleanups, after the test's context has ended.
func deleteRegion(t *testing.T, id *gophercloud.ServiceClient, region string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pages, err := endpoints.List(id, endpoints.ListOpts{RegionID: region}).AllPages(ctx)
	if err == nil {
		eps, _ := endpoints.ExtractEndpoints(pages)
		for _, ep := range eps {
			if ep.Region != region { // never trust a filter with a delete
				continue
			}
			if err := endpoints.Delete(ctx, id, ep.ID).ExtractErr(); err != nil {
				t.Logf("cleanup: delete endpoint %s: %v", ep.ID, err)
			}
		}
	} else {
		t.Logf("cleanup: list endpoints of %s: %v", region, err)
	}
	if err := regions.Delete(ctx, id, region).ExtractErr(); err != nil {
		t.Logf("cleanup: delete region %s: %v", region, err)
	}
}

// sweepStaleRegions removes regions of ours older than staleRegionAge.
func sweepStaleRegions(t *testing.T, id *gophercloud.ServiceClient) {
	pages, err := regions.List(id, regions.ListOpts{}).AllPages(t.Context())
	if err != nil {
		t.Logf("list regions: %v", err)
		return
	}
	rs, err := regions.ExtractRegions(pages)
	if err != nil {
		t.Logf("list regions: %v", err)
		return
	}
	for _, r := range rs {
		if !strings.HasPrefix(r.ID, regionPrefix) {
			continue
		}
		_, stamp, _ := strings.Cut(r.Description, "test/keystone ")
		made, err := time.Parse(time.RFC3339, stamp)
		if err != nil || time.Since(made) < staleRegionAge {
			continue
		}
		t.Logf("removing stale region %s (%s)", r.ID, r.Description)
		deleteRegion(t, id, r.ID)
	}
}

// login authenticates name on project with their password, as a user with
// OS_* variables would, and finds the networking endpoint in the catalog of
// the token (region of this run, public interface).
func (c *cloud) login(t *testing.T, name, project string) *user {
	t.Helper()
	p, err := openstack.AuthenticatedClient(t.Context(), c.authOptions(name, project))
	if err != nil {
		t.Fatalf("password login of %s on project %s: %v", name, project, err)
	}
	res, ok := p.GetAuthResult().(tokens.CreateResult)
	if !ok {
		t.Fatalf("login of %s: auth result is %T, want a v3 token", name, p.GetAuthResult())
	}
	proj, err := res.ExtractProject()
	if err != nil || proj == nil || proj.ID == "" {
		t.Fatalf("login of %s: token has no project (%v)", name, err)
	}
	net, err := openstack.NewNetworkV2(p, gophercloud.EndpointOpts{Region: c.region})
	if err != nil {
		t.Fatalf("%s: network endpoint in region %s of the catalog: %v", name, c.region, err)
	}
	return &user{name: name, projectID: proj.ID, token: p.Token(), provider: p, net: net}
}

// neutronError is the body of a Neutron API error.
type neutronError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Detail  string `json:"detail"`
}

// wantStatus fails unless err is the server answering status; it returns the
// NeutronError of the body (zero if the body has none). what describes the
// request for the failure message.
func wantStatus(t *testing.T, what string, err error, status int) neutronError {
	t.Helper()
	if err == nil {
		t.Errorf("%s: succeeded, want HTTP %d", what, status)
		return neutronError{}
	}
	var rc gophercloud.ErrUnexpectedResponseCode
	if !errors.As(err, &rc) {
		t.Errorf("%s: %v, want HTTP %d", what, err, status)
		return neutronError{}
	}
	if rc.Actual != status {
		t.Errorf("%s (%s %s): got HTTP %d, want %d; body: %s", what, rc.Method, rc.URL, rc.Actual, status, rc.Body)
	}
	var body struct {
		NeutronError neutronError `json:"NeutronError"`
	}
	_ = json.Unmarshal(rc.Body, &body)
	return body.NeutronError
}

// wantNotFound checks a 404 whose NeutronError type is typ.
func wantNotFound(t *testing.T, what string, err error, typ string) {
	t.Helper()
	if ne := wantStatus(t, what, err, http.StatusNotFound); err != nil && ne.Type != typ {
		t.Errorf("%s: NeutronError type %q (%q), want %q", what, ne.Type, ne.Message, typ)
	}
}

// rawGet sends GET url with the given X-Auth-Token (none when token is nil)
// through plain net/http and returns the status and body.
func rawGet(t *testing.T, url string, token *string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != nil {
		req.Header.Set("X-Auth-Token", *token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
