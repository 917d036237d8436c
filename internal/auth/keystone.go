package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Defaults for KeystoneOptions.
const (
	DefaultCacheTTL        = 5 * time.Minute // keystonemiddleware's token_cache_time
	DefaultNegativeTTL     = 3 * time.Second
	DefaultMaxCacheEntries = 10000
	defaultHTTPTimeout     = 10 * time.Second
	validateTimeout        = 30 * time.Second // bounds a validation nobody waits for any more
	maxRenewMargin         = 30 * time.Second
)

// KeystoneOptions configure a Keystone authenticator; they mirror the
// [keystone_authtoken] password options.
type KeystoneOptions struct {
	// AuthURL is Keystone's endpoint, with or without the /v3 suffix.
	AuthURL string
	// The service user, whose project-scoped token validates callers' tokens.
	// Empty domains mean "Default".
	Username, Password, ProjectName, UserDomainName, ProjectDomainName string
	// CacheTTL is how long a valid token is trusted without asking Keystone
	// again, never past the token's expiry. 0 means DefaultCacheTTL; negative
	// disables caching.
	CacheTTL time.Duration
	// NegativeTTL is how long a rejected token stays rejected without asking
	// Keystone again, so a flood of bad tokens does not become a flood of
	// validations. 0 means DefaultNegativeTTL; negative disables it.
	NegativeTTL time.Duration
	// MaxCacheEntries bounds the cache; 0 means DefaultMaxCacheEntries.
	MaxCacheEntries int
	// HTTPClient talks to Keystone; nil means a client with a 10 s timeout.
	HTTPClient *http.Client
}

// Keystone validates X-Auth-Token against Keystone v3 and caches the answers.
// It is safe for concurrent use.
type Keystone struct {
	opts   KeystoneOptions
	base   string // ends in /v3, no trailing slash
	client *http.Client
	now    func() time.Time

	svcMu      sync.Mutex
	svcToken   string
	svcRenewAt time.Time

	mu       sync.Mutex
	cache    map[[sha256.Size]byte]cacheEntry
	inflight map[[sha256.Size]byte]*validation
}

// NewKeystone checks the options and returns an authenticator. It does not
// contact Keystone; the service token is obtained on first use.
func NewKeystone(opts KeystoneOptions) (*Keystone, error) {
	base, err := V3Base(opts.AuthURL)
	if err != nil {
		return nil, err
	}
	if opts.Username == "" || opts.Password == "" {
		return nil, errors.New("auth: keystone: the service username and password are required")
	}
	if opts.UserDomainName == "" {
		opts.UserDomainName = "Default"
	}
	if opts.ProjectDomainName == "" {
		opts.ProjectDomainName = "Default"
	}
	if opts.CacheTTL == 0 {
		opts.CacheTTL = DefaultCacheTTL
	}
	if opts.NegativeTTL == 0 {
		opts.NegativeTTL = DefaultNegativeTTL
	}
	if opts.MaxCacheEntries <= 0 {
		opts.MaxCacheEntries = DefaultMaxCacheEntries
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: defaultHTTPTimeout}
	}
	return &Keystone{
		opts:     opts,
		base:     base,
		client:   client,
		now:      time.Now,
		cache:    make(map[[sha256.Size]byte]cacheEntry),
		inflight: make(map[[sha256.Size]byte]*validation),
	}, nil
}

// V3Base turns an auth_url into the v3 API root: http://h:5000, http://h:5000/,
// http://h:5000/v3 and http://h:5000/v2.0 all give http://h:5000/v3 (the UI's login uses it
// too).
func V3Base(authURL string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(authURL))
	if err != nil {
		return "", fmt.Errorf("auth: keystone auth_url %q: %w", authURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("auth: keystone auth_url %q: want http(s)://host[:port][/path]", authURL)
	}
	p := strings.TrimRight(u.Path, "/")
	p = strings.TrimSuffix(p, "/v2.0")
	if !strings.HasSuffix(p, "/v3") {
		p += "/v3"
	}
	u.Path, u.RawPath, u.RawQuery, u.Fragment = p, "", "", ""
	return u.String(), nil
}

// tokenBody is the part of Keystone's token document we read.
type tokenBody struct {
	Token struct {
		ExpiresAt string `json:"expires_at"`
		User      struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"user"`
		Project *struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"project"`
		Roles []struct {
			Name string `json:"name"`
		} `json:"roles"`
	} `json:"token"`
}

// validate asks Keystone about a token: GET /v3/auth/tokens with the service
// token. A 401 means the service token is no longer good: renew it and retry once.
func (k *Keystone) validate(ctx context.Context, token string) (*Context, error) {
	for attempt := 0; attempt < 2; attempt++ {
		svc, err := k.serviceToken(ctx)
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.base+"/auth/tokens?nocatalog", nil)
		if err != nil {
			return nil, fmt.Errorf("auth: keystone: %w", err)
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-Auth-Token", svc)
		req.Header.Set("X-Subject-Token", token)
		resp, err := k.client.Do(req)
		if err != nil {
			return nil, unreachable("validate token", err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if err != nil {
			return nil, unreachable("validate token", err)
		}
		switch resp.StatusCode {
		case http.StatusOK:
			return parseToken(body)
		case http.StatusNotFound:
			return nil, fmt.Errorf("token is invalid, expired or revoked: %w", ErrUnauthorized)
		case http.StatusUnauthorized:
			k.dropServiceToken(svc)
			continue
		case http.StatusForbidden:
			return nil, fmt.Errorf("%w: keystone does not let service user %q validate tokens (403): %s",
				ErrUnavailable, k.opts.Username, snippet(body))
		default:
			return nil, fmt.Errorf("%w: validate token: keystone answered %d: %s",
				ErrUnavailable, resp.StatusCode, snippet(body))
		}
	}
	return nil, fmt.Errorf("%w: keystone rejects the service token even after renewing it", ErrUnavailable)
}

func parseToken(body []byte) (*Context, error) {
	var tb tokenBody
	if err := json.Unmarshal(body, &tb); err != nil {
		return nil, fmt.Errorf("%w: keystone token document: %w", ErrUnavailable, err)
	}
	t := tb.Token
	if t.User.ID == "" {
		return nil, fmt.Errorf("%w: keystone token document has no user id", ErrUnavailable)
	}
	c := &Context{UserID: t.User.ID, UserName: t.User.Name}
	if t.Project != nil {
		c.ProjectID, c.ProjectName = t.Project.ID, t.Project.Name
	}
	roles := make([]string, 0, len(t.Roles))
	for _, r := range t.Roles {
		roles = append(roles, r.Name)
	}
	c.Roles = normRoles(roles)
	c.IsAdmin = c.HasRole("admin")
	if t.ExpiresAt != "" {
		exp, err := time.Parse(time.RFC3339Nano, t.ExpiresAt)
		if err != nil {
			return nil, fmt.Errorf("%w: keystone token expires_at %q: %w", ErrUnavailable, t.ExpiresAt, err)
		}
		c.ExpiresAt = exp
	}
	return c, nil
}

// serviceToken returns a valid service token, obtaining a new one when there
// is none or it is about to expire. Concurrent callers wait for one renewal.
func (k *Keystone) serviceToken(ctx context.Context) (string, error) {
	k.svcMu.Lock()
	defer k.svcMu.Unlock()
	if k.svcToken != "" && k.now().Before(k.svcRenewAt) {
		return k.svcToken, nil
	}
	k.svcToken = ""
	tok, exp, err := k.issueServiceToken(ctx)
	if err != nil {
		return "", err
	}
	now := k.now()
	margin := exp.Sub(now) / 2
	margin = max(0, min(margin, maxRenewMargin))
	k.svcToken, k.svcRenewAt = tok, exp.Add(-margin)
	return tok, nil
}

// dropServiceToken forgets a service token Keystone no longer accepts, unless
// another caller already replaced it.
func (k *Keystone) dropServiceToken(tok string) {
	k.svcMu.Lock()
	if k.svcToken == tok {
		k.svcToken = ""
	}
	k.svcMu.Unlock()
}

// authRequest is the password authentication document of POST /v3/auth/tokens.
type authRequest struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password struct {
				User passwordUser `json:"user"`
			} `json:"password"`
		} `json:"identity"`
		Scope *projectScope `json:"scope,omitempty"`
	} `json:"auth"`
}

type passwordUser struct {
	Name     string `json:"name"`
	Domain   named  `json:"domain"`
	Password string `json:"password"`
}

type projectScope struct {
	Project struct {
		Name   string `json:"name"`
		Domain named  `json:"domain"`
	} `json:"project"`
}

type named struct {
	Name string `json:"name"`
}

// issueServiceToken authenticates the service user by password:
// POST /v3/auth/tokens, project-scoped when a project is configured.
func (k *Keystone) issueServiceToken(ctx context.Context) (string, time.Time, error) {
	var ar authRequest
	id := &ar.Auth.Identity
	id.Methods = []string{"password"}
	id.Password.User = passwordUser{
		Name: k.opts.Username, Domain: named{k.opts.UserDomainName}, Password: k.opts.Password,
	}
	if k.opts.ProjectName != "" {
		ar.Auth.Scope = &projectScope{}
		ar.Auth.Scope.Project.Name = k.opts.ProjectName
		ar.Auth.Scope.Project.Domain.Name = k.opts.ProjectDomainName
	}
	payload, err := json.Marshal(&ar)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: keystone: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, k.base+"/auth/tokens?nocatalog", bytes.NewReader(payload))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: keystone: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return "", time.Time{}, unreachable("get service token", err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return "", time.Time{}, unreachable("get service token", err)
	}
	switch resp.StatusCode {
	case http.StatusCreated, http.StatusOK:
	case http.StatusUnauthorized:
		return "", time.Time{}, fmt.Errorf("%w: keystone rejects the service user %q (domain %q, project %q): %s",
			ErrUnavailable, k.opts.Username, k.opts.UserDomainName, k.opts.ProjectName, snippet(body))
	default:
		return "", time.Time{}, fmt.Errorf("%w: get service token: keystone answered %d: %s",
			ErrUnavailable, resp.StatusCode, snippet(body))
	}
	tok := resp.Header.Get("X-Subject-Token")
	if tok == "" {
		return "", time.Time{}, fmt.Errorf("%w: get service token: no X-Subject-Token in keystone's answer", ErrUnavailable)
	}
	c, err := parseToken(body)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("service token: %w", err)
	}
	exp := c.ExpiresAt
	if exp.IsZero() {
		exp = k.now().Add(time.Hour)
	}
	return tok, exp, nil
}

// unreachable wraps a transport error: Keystone could not be asked.
func unreachable(what string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, what, err)
}

// snippet shortens a response body for an error message.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
