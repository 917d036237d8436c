package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/midonet-go/midonet/internal/auth"
	"github.com/midonet-go/midonet/internal/testutil/keystone"
)

// TestRealKeystone validates tokens against a real Keystone started by
// keystone-up.sh (skipped only with MIDONET_TEST_KEYSTONE=0).
func TestRealKeystone(t *testing.T) {
	env := keystone.Start(t)
	t.Logf("keystone at %s (start call took %v)", env.URL, env.Started)

	demo := env.Token(t, "demo", "demo")
	alt := env.Token(t, "alt_demo", "alt_demo")
	admin := env.Token(t, "admin", "admin")

	for _, url := range []string{env.URL, env.URL + "/v3", env.URL + "/v3/"} {
		t.Run(url, func(t *testing.T) {
			k, err := auth.NewKeystone(auth.KeystoneOptions{
				AuthURL: url, Username: "neutron", Password: env.ServicePassword,
				ProjectName: "service", UserDomainName: "Default", ProjectDomainName: "Default",
			})
			if err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name, token, project string
				admin                bool
				roles                []string
				wantErr              error
			}{
				{name: "demo", token: demo, project: "demo", roles: []string{"member", "reader"}},
				{name: "alt_demo", token: alt, project: "alt_demo", roles: []string{"member", "reader"}},
				// admin implies member implies reader in keystone-up.sh's roles.
				{name: "admin", token: admin, project: "admin", admin: true, roles: []string{"admin", "member", "reader"}},
				{name: "bogus", token: "gAAAAABbogusbogusbogus", wantErr: auth.ErrUnauthorized},
				{name: "garbage", token: "not a token", wantErr: auth.ErrUnauthorized},
			}
			for _, tc := range tests {
				for pass := range 2 { // the second pass is served from the cache
					c, err := k.Authenticate(context.Background(), request(tc.token))
					if tc.wantErr != nil {
						if !errors.Is(err, tc.wantErr) {
							t.Errorf("%s (pass %d): err = %v, want %v", tc.name, pass, err, tc.wantErr)
						}
						continue
					}
					if err != nil {
						t.Fatalf("%s (pass %d): %v", tc.name, pass, err)
					}
					if c.ProjectName != tc.project || c.ProjectID == "" || c.UserName != tc.name || c.UserID == "" {
						t.Errorf("%s: identity %+v", tc.name, c)
					}
					if c.IsAdmin != tc.admin || c.Token != tc.token || c.ExpiresAt.IsZero() {
						t.Errorf("%s: IsAdmin %v token match %v expires %v", tc.name, c.IsAdmin, c.Token == tc.token, c.ExpiresAt)
					}
					for _, r := range tc.roles {
						if !slices.Contains(c.Roles, r) {
							t.Errorf("%s: roles %q lack %q", tc.name, c.Roles, r)
						}
					}
				}
			}
		})
	}
}

// TestRealKeystoneConcurrent checks many simultaneous first validations
// against the real server (run with -race).
func TestRealKeystoneConcurrent(t *testing.T) {
	env := keystone.Start(t)
	k, err := auth.NewKeystone(auth.KeystoneOptions{
		AuthURL: env.URL, Username: "neutron", Password: env.ServicePassword, ProjectName: "service",
	})
	if err != nil {
		t.Fatal(err)
	}
	tokens := []string{env.Token(t, "demo", "demo"), env.Token(t, "alt_demo", "alt_demo"), "bogus"}
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			tok := tokens[i%len(tokens)]
			c, err := k.Authenticate(context.Background(), request(tok))
			if tok == "bogus" {
				if !errors.Is(err, auth.ErrUnauthorized) {
					t.Errorf("bogus: %v", err)
				}
				return
			}
			if err != nil || c.IsAdmin || !c.HasRole("member") {
				t.Errorf("%+v, %v", c, err)
			}
		})
	}
	wg.Wait()
}

// TestRealKeystoneWrongServicePassword: bad service credentials are the
// server's problem (503), not the caller's (401).
func TestRealKeystoneWrongServicePassword(t *testing.T) {
	env := keystone.Start(t)
	k, err := auth.NewKeystone(auth.KeystoneOptions{
		AuthURL: env.URL, Username: "neutron", Password: "wrong-" + env.ServicePassword, ProjectName: "service",
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = k.Authenticate(context.Background(), request(env.Token(t, "demo", "demo")))
	if !errors.Is(err, auth.ErrUnavailable) || errors.Is(err, auth.ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
}

func request(token string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/v2.0/networks", nil)
	r.Header.Set("X-Auth-Token", token)
	return r
}
