package auth

import (
	"context"
	"net/http"
	"strings"
)

type noAuth struct{}

// NoAuth trusts every request, as neutron-server does with auth_strategy =
// noauth: the identity comes from the same headers keystonemiddleware would
// have set (X-User-Id, X-User-Name, X-Project-Id, X-Project-Name, X-Roles;
// the older X-User, X-Tenant-Id and X-Tenant-Name are accepted too), and
// absent headers leave the fields empty (the server then takes the project
// from the body's tenant_id or uses its own placeholder).
//
// Without an X-Roles header the caller is an admin (role "admin"). With one,
// IsAdmin follows the roles given, so tests can act as ordinary users.
func NoAuth() Authenticator { return noAuth{} }

func (noAuth) Authenticate(_ context.Context, r *http.Request) (*Context, error) {
	h := r.Header
	c := &Context{
		UserID:      first(h.Get("X-User-Id"), h.Get("X-User")),
		UserName:    h.Get("X-User-Name"),
		ProjectID:   first(h.Get("X-Project-Id"), h.Get("X-Tenant-Id")),
		ProjectName: first(h.Get("X-Project-Name"), h.Get("X-Tenant-Name")),
		Token:       h.Get("X-Auth-Token"),
	}
	if roles, ok := h["X-Roles"]; ok {
		c.Roles = normRoles(strings.Split(strings.Join(roles, ","), ","))
	} else {
		c.Roles = []string{"admin"}
	}
	c.IsAdmin = c.HasRole("admin")
	return c, nil
}

// first returns the first non-empty string.
func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
