package vpnaas

import (
	"context"
	"fmt"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
	"github.com/midonet-go/midonet/internal/resource"
)

// EndpointGroupCollection is /v2.0/vpn/endpoint-groups: name or description change (type
// and endpoints are fixed); a group goes when no connection uses it (EndpointGroupInUse is
// a 400 in neutron-lib).
func EndpointGroupCollection() stored.Collection {
	return stored.Collection{Res: EndpointGroups, Unscoped: true, Prepare: prepareGroup, Refuse: groupInUse}
}

// prepareGroup checks a new group as neutron-vpnaas does: at least one endpoint; a cidr
// group holds valid CIDRs, a subnet group subnets the caller can see. The other types
// (network, router, vlan) are stored as given, as upstream does; no connection can use them.
func prepareGroup(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error {
	eps := plugin.Strings(d, "endpoints")
	if len(eps) == 0 {
		return fault.MissingEndpointForEndpointGroup(plugin.Str(d, "name"))
	}
	switch plugin.Str(d, "type") {
	case "cidr":
		for _, e := range eps {
			if _, ok := parseCIDR(e); !ok {
				return fault.InvalidEndpointInEndpointGroup(e, "cidr", "Invalid CIDR")
			}
		}
	case "subnet":
		for _, e := range eps {
			if !resource.IsUUID(e) {
				return fault.InvalidEndpointInEndpointGroup(e, "subnet", "Invalid UUID")
			}
			if _, err := plugin.Fetch(ctx, tx, c, "subnets", e); err != nil {
				if fault.IsType(err, "SubnetNotFound") {
					return fault.NonExistingSubnetInEndpointGroup(e)
				}
				return err
			}
		}
	}
	return nil
}

func groupInUse(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	for _, attr := range []string{"local_ep_group_id", "peer_ep_group_id"} {
		used, err := tx.AnyBy(ctx, Connections.Collection, attr, id)
		if err != nil {
			return fmt.Errorf("vpnaas: the connections of endpoint group %s: %w", id, err)
		}
		if used {
			return fault.EndpointGroupInUse(id)
		}
	}
	return nil
}
