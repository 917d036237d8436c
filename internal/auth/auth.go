// Package auth establishes who is calling the API: a Keystone v3 token check
// with a cache (the job keystonemiddleware's auth_token does for neutron-server),
// or noauth, where every caller is trusted.
//
// An Authenticator turns a request into a Context. Errors tell the server what
// to answer: ErrUnauthorized (401) for a missing, invalid or expired token,
// ErrUnavailable (503) when Keystone cannot be asked or refuses the service
// credentials.
package auth

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Errors returned (wrapped) by Authenticate.
var (
	// ErrUnauthorized means the request carries no valid token: answer 401.
	ErrUnauthorized = errors.New("auth: authentication required")
	// ErrUnavailable means the token could not be checked (Keystone down,
	// failing, or rejecting the service user): answer 503.
	ErrUnavailable = errors.New("auth: identity service unavailable")
)

// Context is the identity of one request.
type Context struct {
	UserID, UserName, ProjectID, ProjectName string
	Roles                                    []string  // lower-case
	IsAdmin                                  bool      // has role admin
	Token                                    string    // the caller's token, "" under noauth without one
	ExpiresAt                                time.Time // token expiry; zero under noauth
}

// HasRole reports whether the caller has the role (case-insensitive).
func (c *Context) HasRole(role string) bool {
	return slices.Contains(c.Roles, strings.ToLower(role))
}

// clone returns a deep copy, so a cached Context is never shared.
func (c *Context) clone() *Context {
	out := *c
	out.Roles = slices.Clone(c.Roles)
	return &out
}

// Authenticator turns a request into a Context, or an error that wraps
// ErrUnauthorized or ErrUnavailable (or the request context's error).
type Authenticator interface {
	Authenticate(ctx context.Context, r *http.Request) (*Context, error)
}

// normRoles lower-cases, trims and de-duplicates role names, dropping empty ones.
func normRoles(in []string) []string {
	out := make([]string, 0, len(in))
	for _, r := range in {
		r = strings.ToLower(strings.TrimSpace(r))
		if r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}
