// Package porttrusted is neutron-lib's port-trusted-vif extension: a port's `trusted`
// attribute (a boolean only admins set or see, null until set), which Neutron mirrors into
// the port's binding:profile as "trusted" for Nova to put a VF in trust mode. MidoNet binds
// its ports itself (vif_type midonet); the flag is recorded and handed on in the profile the
// way Neutron's ML2 extension driver does, and nothing in MidoNet's datapath reads it. See
// README.md.
package porttrusted

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
)

// Alias is the extension's alias.
const Alias = "port-trusted-vif"

// attr is the port attribute, and the binding:profile key Nova reads.
const attr = "trusted"

// Extensions are the aliases the service advertises.
var Extensions = []resource.Extension{
	{Alias: Alias, Name: "Port trusted vif", Description: "Expose port 'trusted' attribute in the API", Updated: "2024-07-10T10:00:00-00:00"},
}

// Policies are Neutron's rules for the attribute (neutron/conf/policies/port.py): admin only.
var Policies = []policy.Rule{
	{Name: "create_port:trusted", Check: "rule:admin_only", Description: "Specify ``trusted`` attribute when creating a port", Operations: policy.Post("/ports")},
	{Name: "get_port:trusted", Check: "rule:admin_only", Description: "Get ``trusted`` attribute of a port", Operations: policy.Get("/ports", "/ports/{id}")},
	{Name: "update_port:trusted", Check: "rule:admin_only", Description: "Update ``trusted`` attribute of a port", Operations: policy.Put("/ports/{id}")},
}

// Service is the port-trusted-vif extension as internal/app wires it (part of the core
// plugin: always loaded).
func Service() plugin.Service {
	return plugin.Service{
		Name:        "porttrusted",
		Extensions:  Extensions,
		Policies:    Policies,
		Collections: func(plugin.Deps) []plugin.Collection { return nil },
		Hooks:       map[string]plugin.Hook{"ports": hook{}},
	}
}

// hook keeps binding:profile's "trusted" equal to the port's `trusted`.
type hook struct{ plugin.NoHook }

// BeforeCreate copies a given `trusted` into the new port's profile.
func (hook) BeforeCreate(_ context.Context, _ *db.Tx, _ *plugin.Caller, body db.Doc) error {
	if v, ok := body[attr].(bool); ok {
		body["binding:profile"] = withTrusted(body["binding:profile"], v)
	}
	return nil
}

// BeforeUpdate copies a changed `trusted` into the profile (the one the update gives, else
// the stored one); a profile replaced without it keeps the port's flag.
func (hook) BeforeUpdate(_ context.Context, _ *db.Tx, _ *plugin.Caller, cur, changes db.Doc) error {
	v, given := changes[attr].(bool)
	if !given {
		v, given = cur[attr].(bool)
		if _, profile := changes["binding:profile"]; !given || !profile {
			return nil
		}
	}
	profile, ok := changes["binding:profile"]
	if !ok {
		profile = cur["binding:profile"]
	}
	changes["binding:profile"] = withTrusted(profile, v)
	return nil
}

// withTrusted is a copy of a profile (an object or null) with "trusted" set.
func withTrusted(profile any, v bool) map[string]any {
	out := map[string]any{}
	if m, ok := profile.(map[string]any); ok {
		for k, x := range m {
			out[k] = x
		}
	}
	out[attr] = v
	return out
}

// ExpandShared sets nothing: the hook adds no attribute (plugin.SharedExpander).
func (hook) ExpandShared(context.Context, *db.Tx, []db.Doc, plugin.SetFunc) error { return nil }
