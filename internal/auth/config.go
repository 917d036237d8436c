package auth

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/midonet-go/midonet/internal/config"
)

// OptionsFromConfig reads the [keystone_authtoken] group: the password
// plugin's options (auth_url, or www_authenticate_uri when auth_url is unset),
// token_cache_time (-1 or 0 disables the cache), http_connect_timeout,
// insecure and cafile.
func OptionsFromConfig(c *config.Config) (KeystoneOptions, error) {
	const g = config.GroupKeystoneAuthtoken
	if t := c.String(g, "auth_type"); t != "" && t != "password" && t != "v3password" {
		return KeystoneOptions{}, fmt.Errorf("auth: [%s] auth_type = %s: only password is supported", g, t)
	}
	o := KeystoneOptions{
		AuthURL:           c.String(g, "auth_url"),
		Username:          c.String(g, "username"),
		Password:          c.String(g, "password"),
		ProjectName:       c.String(g, "project_name"),
		UserDomainName:    c.String(g, "user_domain_name"),
		ProjectDomainName: c.String(g, "project_domain_name"),
	}
	if www := c.String(g, "www_authenticate_uri"); o.AuthURL == "" {
		o.AuthURL = www
	}
	if ttl := c.Int(g, "token_cache_time"); ttl > 0 {
		o.CacheTTL = time.Duration(ttl) * time.Second
	} else {
		o.CacheTTL = -1
	}

	timeout := defaultHTTPTimeout
	if s := c.Int(g, "http_connect_timeout"); s > 0 {
		timeout = time.Duration(s) * time.Second
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if c.Bool(g, "insecure") {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the operator asked for it
	} else if ca := c.String(g, "cafile"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return KeystoneOptions{}, fmt.Errorf("auth: [%s] cafile: %w", g, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return KeystoneOptions{}, fmt.Errorf("auth: [%s] cafile %s: no PEM certificates", g, ca)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	o.HTTPClient = &http.Client{Timeout: timeout, Transport: tr}
	return o, nil
}
