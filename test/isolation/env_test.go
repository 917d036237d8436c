package isolation

import (
	"net/http"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"

	"github.com/midonet-go/midonet/internal/testutil/keystone"
	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// serviceClient is a networking client of the server at url for provider p.
func serviceClient(p *gophercloud.ProviderClient, url string, headers map[string]string) *gophercloud.ServiceClient {
	return &gophercloud.ServiceClient{
		ProviderClient: p,
		Endpoint:       url + "/",
		ResourceBase:   url + "/v2.0/",
		Type:           "network",
		MoreHeaders:    headers,
	}
}

// deployment is one server and the identities of the matrix.
type deployment struct {
	admin, b           *gophercloud.ServiceClient
	projectA, projectB string
}

// noauthDeployment starts a server with auth_strategy = noauth: identity
// comes from the X-Project-Id, X-User-Id and X-Roles headers (no X-Roles is
// an admin).
func noauthDeployment(t *testing.T, engine string) *deployment {
	srv := testenv.StartServer(t, testenv.Options{Postgres: engine == "postgres", MariaDB: engine == "mariadb"})
	pc := &gophercloud.ProviderClient{HTTPClient: http.Client{Timeout: 60 * time.Second}}
	pc.UseTokenLock()
	const a, b = "iso-project-a", "iso-project-b"
	return &deployment{
		admin:    serviceClient(pc, srv.URL, map[string]string{"X-Project-Id": "iso-admin", "X-User-Id": "iso-admin-user"}),
		b:        serviceClient(pc, srv.URL, map[string]string{"X-Project-Id": b, "X-User-Id": "iso-user-b", "X-Roles": "member"}),
		projectA: a, projectB: b,
	}
}

// keystoneDeployment starts Keystone (keystone-up.sh) and a server with
// auth_strategy = keystone. The admin is Keystone's admin user on project
// admin; A is project demo, B is alt_demo logged in as alt_demo (roles
// member and reader), each with a real token from a password login.
func keystoneDeployment(t *testing.T) *deployment {
	ks := keystone.Start(t)
	conf := ks.ServerConfig()
	srv := testenv.StartServer(t, testenv.Options{Config: conf})
	login := func(user, project, password string) (*gophercloud.ProviderClient, string) {
		p, err := openstack.AuthenticatedClient(t.Context(), gophercloud.AuthOptions{
			IdentityEndpoint: ks.URL + "/v3", Username: user, Password: password,
			DomainName: "Default", TenantName: project, AllowReauth: true,
		})
		if err != nil {
			t.Fatalf("password login of %s on project %s: %v", user, project, err)
		}
		res, ok := p.GetAuthResult().(tokens.CreateResult)
		if !ok {
			t.Fatalf("login of %s: auth result is %T, want a v3 token", user, p.GetAuthResult())
		}
		proj, err := res.ExtractProject()
		if err != nil || proj == nil || proj.ID == "" {
			t.Fatalf("login of %s: token has no project (%v)", user, err)
		}
		return p, proj.ID
	}
	adminP, _ := login("admin", "admin", ks.AdminPassword)
	_, projectA := login("demo", "demo", ks.DemoPassword)
	bP, projectB := login("alt_demo", "alt_demo", ks.DemoPassword)
	return &deployment{
		admin:    serviceClient(adminP, srv.URL, nil),
		b:        serviceClient(bP, srv.URL, nil),
		projectA: projectA, projectB: projectB,
	}
}
