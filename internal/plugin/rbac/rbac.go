// Package rbac is Neutron's RBAC policies service (neutron-lib's rbac-policies,
// rbac-security-groups and security-groups-shared-filtering): /v2.0/rbac-policies shares a
// network, QoS policy, security group, subnet pool or address scope with one project or all (access_as_shared), or makes
// a network external to them (access_as_external). Each policy is a document of its own;
// the object it names records the targets of its policies in hidden attributes, which
// plugin.Caller.View and plugin.SharedWith read to decide what a caller sees and may use.
// See README.md.
package rbac

import (
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// Actions of RBAC policies.
const (
	Shared   = "access_as_shared"
	External = "access_as_external"
)

// Object types whose policies this service checks the use of.
const (
	TypeNetwork       = "network"
	TypeQosPolicy     = "qos_policy"
	TypeSecurityGroup = "security_group"
	TypeSubnetPool    = "subnetpool"
	TypeAddressScope  = "address_scope"
)

// Extensions are the aliases the service advertises.
var Extensions = []resource.Extension{
	{Alias: "rbac-policies", Name: "RBAC Policies", Description: "Allows creation and modification of policies that control tenant access to resources.", Updated: "2015-06-17T12:15:12-00:00"},
	{Alias: "rbac-security-groups", Name: "Add security_group type to network RBAC", Description: "Add security_group type to network RBAC", Updated: "2019-02-14T00:00:00-00:00"},
	{Alias: "rbac-subnetpool", Name: "Add subnetpool type to RBAC", Description: "Add subnetpool type to RBAC", Updated: "2020-02-05T00:00:00-00:00"},
	{Alias: "rbac-address-scope", Name: "Add address_scope type to RBAC", Description: "Add address_scope type to RBAC", Updated: "2020-02-12T00:00:00-00:00"},
	{Alias: "security-groups-shared-filtering", Name: "Security group filtering on the shared field", Description: "Support filtering security groups on the shared field", Updated: "2021-10-05T09:00:00-00:00"},
}

// Policies is /v2.0/rbac-policies. A policy has no standard attributes (Neutron's RBAC
// tables have none); object_id is indexed as its parent, whatever the object's collection.
var Policies = &resource.Resource{
	Collection: "rbac_policies", Member: "rbac_policy", Path: "rbac-policies",
	Quota: "rbac_policy", PagerMarker: true,
	Parent:   &resource.Parent{Attr: "object_id"},
	NotFound: fault404,
	Attrs: []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		{Name: "tenant_id", Post: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "project_id", Post: true, Validate: resource.String(255), Default: resource.Unset, Ext: "project-id"},
		{Name: "object_type", Post: true, Required: true, Convert: objectType, Policy: true},
		{Name: "object_id", Post: true, Required: true, Validate: resource.UUID, Policy: true},
		{Name: "target_tenant", Post: true, Put: true, Required: true, Validate: resource.String(255), Policy: true},
		{Name: "action", Post: true, Required: true, Validate: resource.String(255), Policy: true},
	},
}

// Service is the RBAC service as internal/app wires it.
func Service() plugin.Service {
	return plugin.Service{
		Name:        "rbac",
		Resources:   []*resource.Resource{Policies},
		Extensions:  Extensions,
		Collections: func(plugin.Deps) []plugin.Collection { return []plugin.Collection{Collection{}} },
		Hooks: map[string]plugin.Hook{
			"networks":        objectHook{objectType: TypeNetwork},
			"security_groups": objectHook{objectType: TypeSecurityGroup},
			"policies":        objectHook{objectType: TypeQosPolicy},
			"subnetpools":     objectHook{objectType: TypeSubnetPool},
			"address_scopes":  objectHook{objectType: TypeAddressScope},
		},
	}
}
