package autoalloc

import (
	"net/http"

	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/resource"
)

// Alias is the extension's alias.
const Alias = "auto-allocated-topology"

// Extensions are the aliases the service advertises.
var Extensions = []resource.Extension{
	{Alias: Alias, Name: "Auto Allocated Topology Services", Description: "Auto Allocated Topology Services.", Updated: "2016-01-01T00:00:00-00:00"},
}

// Topologies is /v2.0/auto-allocated-topology/{project_id}: one record per project that
// has a topology (Neutron's auto_allocated_topologies table: project, network, router),
// stored under the project's id. Its answer is {id: the network, tenant_id, project_id};
// the network and router ids stay hidden.
var Topologies = &resource.Resource{
	Collection: "auto_allocated_topologies", Member: "auto_allocated_topology", Path: "auto-allocated-topology",
	NotFound: func(string) *fault.Fault { return fault.HTTPNotFound() },
	Attrs: []*resource.Attr{
		{Name: "id"},
		{Name: "tenant_id"},
		{Name: "project_id", Ext: "project-id"},
		{Name: "network_id", Hidden: true},
		{Name: "router_id", Hidden: true},
	},
}

// Failure is Neutron's AutoAllocationFailure (409): a prerequisite of auto-allocation is
// missing or a step of it failed.
func Failure(reason string) *fault.Fault {
	return fault.Conflict("AutoAllocationFailure", "Deployment error: %s.", reason)
}

// DefaultExternalNetworkExists is Neutron's 409 for a second default external network.
func DefaultExternalNetworkExists(id string) *fault.Fault {
	return fault.Conflict("DefaultExternalNetworkExists", "A default external network already exists: %s.", id)
}

// NotAuthorized is neutron-lib's NotAuthorized (403): a project's topology asked for by
// another project.
func NotAuthorized() *fault.Fault {
	return fault.New(http.StatusForbidden, "NotAuthorized", "Not authorized.")
}

// unrecognizedField is Neutron's answer to ?fields= other than dry-run.
func unrecognizedField() *fault.Fault {
	return fault.New(http.StatusBadRequest, "BadRequest", "Bad auto_allocate request: Unrecognized field.")
}
