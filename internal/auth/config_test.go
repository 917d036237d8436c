package auth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/config"
)

func TestOptionsFromConfig(t *testing.T) {
	tests := []struct {
		name    string
		conf    string
		check   func(t *testing.T, o KeystoneOptions)
		wantErr string
	}{
		{"devstack style", `
[keystone_authtoken]
www_authenticate_uri = http://ks:5000
auth_url = http://ks:5000/v3
auth_type = password
username = neutron
password = secret
project_name = service
user_domain_name = Default
project_domain_name = Default
token_cache_time = 120
http_connect_timeout = 3
`, func(t *testing.T, o KeystoneOptions) {
			if o.AuthURL != "http://ks:5000/v3" || o.Username != "neutron" || o.Password != "secret" ||
				o.ProjectName != "service" || o.UserDomainName != "Default" || o.ProjectDomainName != "Default" {
				t.Errorf("options %+v", o)
			}
			if o.CacheTTL != 2*time.Minute {
				t.Errorf("CacheTTL = %v", o.CacheTTL)
			}
			if o.HTTPClient == nil || o.HTTPClient.Timeout != 3*time.Second {
				t.Errorf("HTTPClient = %+v", o.HTTPClient)
			}
		}, ""},
		{"defaults", "[keystone_authtoken]\nauth_url = http://ks:5000\n", func(t *testing.T, o KeystoneOptions) {
			if o.CacheTTL != 300*time.Second || o.HTTPClient.Timeout != defaultHTTPTimeout {
				t.Errorf("CacheTTL %v timeout %v", o.CacheTTL, o.HTTPClient.Timeout)
			}
		}, ""},
		{"cache off", "[keystone_authtoken]\ntoken_cache_time = -1\n", func(t *testing.T, o KeystoneOptions) {
			if o.CacheTTL >= 0 {
				t.Errorf("CacheTTL = %v, want negative", o.CacheTTL)
			}
		}, ""},
		{"uri fallback", "[keystone_authtoken]\nwww_authenticate_uri = http://pub:5000\n", func(t *testing.T, o KeystoneOptions) {
			if o.AuthURL != "http://pub:5000" {
				t.Errorf("AuthURL = %q", o.AuthURL)
			}
		}, ""},
		{"insecure", "[keystone_authtoken]\ninsecure = true\n", func(t *testing.T, o KeystoneOptions) {
			if o.HTTPClient.Transport == nil {
				t.Error("no transport")
			}
		}, ""},
		{"other auth type", "[keystone_authtoken]\nauth_type = v3token\n", nil, "only password"},
		{"missing cafile", "[keystone_authtoken]\ncafile = /nonexistent/ca.pem\n", nil, "cafile"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "neutron.conf")
			if err := os.WriteFile(p, []byte(tc.conf), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := config.Load(config.DefaultRegistry(), p)
			if err != nil {
				t.Fatal(err)
			}
			o, err := OptionsFromConfig(c)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, o)
		})
	}
}
