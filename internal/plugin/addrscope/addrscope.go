// Package addrscope is Neutron's address-scope extension (neutron-lib's address_scope API
// definition; Neutron 21's address_scope_db.py): /v2.0/address-scopes, and the address
// scopes networks show (ipv4_address_scope, ipv6_address_scope) through the pools their
// subnets come from. A pool's address_scope_id is checked where pools live, in
// internal/plugin/core. MidoNet takes no routing decision from scopes (networking-midonet's
// FAQ: "the IPAM part ... does work"), so scopes are neither journaled nor translated. See
// README.md.
package addrscope

import (
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// Extensions are the aliases the service advertises.
var Extensions = []resource.Extension{
	{Alias: "address-scope", Name: "Address scope", Description: "Address scopes extension.", Updated: "2015-07-26T10:00:00-00:00"},
}

// Service is the address-scope service as internal/app wires it. Its policy rules are
// Neutron's own table (internal/policy, "address scope rules").
func Service() plugin.Service {
	return plugin.Service{
		Name:        "addrscope",
		Resources:   []*resource.Resource{AddressScopes},
		Extensions:  Extensions,
		Collections: func(plugin.Deps) []plugin.Collection { return []plugin.Collection{New()} },
		Hooks:       map[string]plugin.Hook{"networks": networkHook{}},
	}
}
