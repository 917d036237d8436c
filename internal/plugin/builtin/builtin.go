// Package builtin lists the collections every server has (the core and L3 plugins' and the
// cluster's configuration) for the catalogue internal/app builds, and gives tests the default
// catalogue (those plus the agents service's) without the app.
package builtin

import (
	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/plugin/addrgroup"
	"github.com/midonet-go/midonet/internal/plugin/addrscope"
	"github.com/midonet-go/midonet/internal/plugin/agents"
	"github.com/midonet-go/midonet/internal/plugin/segments"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
)

// Resources are the built-in collections, in the order the API lists them.
func Resources() []*resource.Resource {
	out := append([]*resource.Resource{}, resource.Core...)
	return append(out, resource.Routers, resource.FloatingIPs, resource.FloatingIPPools, resource.ClusterConfig)
}

// Catalog is the catalogue a default server has (the built-in collections and the agents,
// address-scope, segments and address-group services'), for tests below internal/app.
func Catalog() *resource.Catalog {
	rs := append(Resources(), agents.Service().Resources...)
	rs = append(rs, addrscope.Service().Resources...)
	rs = append(rs, segments.Service().Resources...)
	return resource.MustCatalog(append(rs, addrgroup.Service().Resources...)...)
}

// Translators are the translators of that catalogue, for tests below internal/app.
func Translators() translate.Translators {
	ts := translate.Builtin()
	for _, s := range []map[string]translate.Translator{agents.Service().Translators, addrgroup.Service().Translators} {
		for coll, t := range s {
			ts[coll] = t
		}
	}
	return ts
}

// Policies are the services' policy rules of that catalogue, for tests below internal/app.
func Policies() [][]policy.Rule {
	return [][]policy.Rule{agents.Service().Policies, addrgroup.Service().Policies}
}
