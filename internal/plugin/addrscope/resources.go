package addrscope

import (
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/resource"
)

// AddressScopes is /v2.0/address-scopes. An address scope is not a standard-attribute
// resource in Neutron (its model has id, project, name, shared and ip_version only): no
// description, timestamps, revision number or tags.
var AddressScopes = &resource.Resource{
	Collection: "address_scopes", Member: "address_scope", Path: "address-scopes",
	// Neutron pages scopes through their versioned objects: a marker the caller cannot see
	// is ignored.
	PagerMarker: true, RBAC: "address_scope",
	NotFound: fault.AddressScopeNotFound,
	Attrs: []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		{Name: "name", Post: true, Put: true, Validate: resource.String(255), Default: ""},
		{Name: "tenant_id", Post: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "project_id", Post: true, Validate: resource.String(255), Default: resource.Unset, Ext: "project-id"},
		{Name: "shared", Post: true, Put: true, Convert: resource.ToBool, Default: false, Policy: true},
		{Name: "ip_version", Post: true, Required: true, Convert: resource.ToInt, Validate: resource.Values(4, 6)},
		{Name: resource.RBACShared, Hidden: true},
	},
}
