// Package builtin lists the collections every server has (the core and L3 plugins', the
// agents', and the cluster's configuration) for the catalogue internal/app builds, and for
// tests that need the same catalogue without the app.
package builtin

import (
	"github.com/midonet-go/midonet/internal/plugin/agents"
	"github.com/midonet-go/midonet/internal/resource"
)

// Resources are the built-in collections, in the order the API lists them.
func Resources() []*resource.Resource {
	out := append([]*resource.Resource{}, resource.Core...)
	return append(out, resource.Routers, resource.FloatingIPs, agents.AgentsResource, agents.MembershipsResource,
		resource.AddressScopes, resource.ClusterConfig)
}

// Catalog is the catalogue of the built-in collections alone.
func Catalog() *resource.Catalog { return resource.MustCatalog(Resources()...) }
