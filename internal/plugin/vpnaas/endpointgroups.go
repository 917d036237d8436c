package vpnaas

import (
	"context"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// EndpointGroupCollection is /v2.0/vpn/endpoint-groups.
type EndpointGroupCollection struct{}

// Resource describes endpoint groups.
func (EndpointGroupCollection) Resource() *resource.Resource { return EndpointGroups }

// Create stores a group after neutron-vpnaas's checks: at least one endpoint; a cidr group
// holds valid CIDRs, a subnet group subnets the caller can see. The other types (network,
// router, vlan) are stored as given, as upstream does; no connection can use them.
func (EndpointGroupCollection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := plugin.Copy(body)
	eps := plugin.Strings(d, "endpoints")
	if len(eps) == 0 {
		return nil, fault.MissingEndpointForEndpointGroup(plugin.Str(d, "name"))
	}
	switch plugin.Str(d, "type") {
	case "cidr":
		for _, e := range eps {
			if _, ok := parseCIDR(e); !ok {
				return nil, fault.InvalidEndpointInEndpointGroup(e, "cidr", "Invalid CIDR")
			}
		}
	case "subnet":
		for _, e := range eps {
			if !resource.IsUUID(e) {
				return nil, fault.InvalidEndpointInEndpointGroup(e, "subnet", "Invalid UUID")
			}
			if _, err := plugin.Fetch(ctx, tx, c, "subnets", e); err != nil {
				if fault.IsType(err, "SubnetNotFound") {
					return nil, fault.NonExistingSubnetInEndpointGroup(e)
				}
				return nil, err
			}
		}
	}
	d["id"] = plugin.NewID()
	return d, plugin.Add(ctx, tx, c, EndpointGroups.Collection, d)
}

// Update changes the name or description (type and endpoints are fixed).
func (EndpointGroupCollection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	d := plugin.Apply(cur, changes)
	return d, plugin.SaveAsIs(ctx, tx, c, EndpointGroups.Collection, d)
}

// Delete removes a group no connection uses (EndpointGroupInUse is a 400 in neutron-lib).
func (EndpointGroupCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	conns, err := tx.List(ctx, Connections.Collection, db.Filter{})
	if err != nil {
		return err
	}
	for _, d := range conns {
		if plugin.Str(d, "local_ep_group_id") == id || plugin.Str(d, "peer_ep_group_id") == id {
			return fault.EndpointGroupInUse(id)
		}
	}
	return plugin.Remove(ctx, tx, c, EndpointGroups.Collection, cur)
}

// List returns the groups.
func (EndpointGroupCollection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, _ map[string][]string) ([]db.Doc, error) {
	return tx.List(ctx, EndpointGroups.Collection, db.Filter{})
}
