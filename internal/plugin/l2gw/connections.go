package l2gw

import (
	"context"
	"fmt"
	"strconv"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
)

// ConnectionCollection is /v2.0/l2-gateway-connections: nothing in a connection can change
// (the API refuses every attribute first); a delete disconnects the network.
type ConnectionCollection struct{ stored.Collection }

// NewConnectionCollection returns the connections' collection.
func NewConnectionCollection() ConnectionCollection {
	return ConnectionCollection{stored.Collection{Res: Connections, Unscoped: true, Prepare: prepareConnection}}
}

// Update is refused.
func (ConnectionCollection) Update(context.Context, *db.Tx, *plugin.Caller, db.Doc, db.Doc) (db.Doc, error) {
	return nil, fault.MethodNotAllowed()
}

// prepareConnection checks a connection of a network to a gateway, in networking-l2gw's and
// networking-midonet's order: the network exists, the gateway exists, it has no connection
// yet (one per gateway), a segmentation id is given in exactly one place (the connection or
// the gateway's device), and it fits the device's type.
func prepareConnection(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error {
	if err := available(c); err != nil {
		return err
	}
	netID := plugin.Str(d, "network_id")
	if _, err := plugin.Fetch(ctx, tx, c, "networks", netID); err != nil {
		return err
	}
	gwID := plugin.Str(d, "l2_gateway_id")
	gw, err := plugin.Fetch(ctx, tx, c, Gateways.Collection, gwID)
	if err != nil {
		return err
	}
	conns, err := connectionsOf(ctx, tx, gwID)
	if err != nil {
		return err
	}
	if len(conns) > 0 {
		return fault.MidonetL2GatewayConnectionExists(gwID)
	}
	onNet, err := tx.ListBy(ctx, Connections.Collection, "network_id", netID)
	if err != nil {
		return fmt.Errorf("l2gw: the connections of network %s: %w", netID, err)
	}
	// MidoNet keys a connection's ports by the network: one gateway per network.
	if len(onNet) > 0 {
		return fault.Conflict("L2GatewayConnectionExists", "The specified mapping '%s' exists on network gateway '%s'.", netID, plugin.Str(onNet[0], "l2_gateway_id"))
	}
	devs := plugin.Objects(plugin.List(gw, "devices"))
	if len(devs) != 1 {
		return fault.L2GatewayNotFound(gwID)
	}
	gwSeg, gwHasSeg := devs[0]["segmentation_id"]
	connSeg := plugin.Str(d, "segmentation_id")
	var vni int64
	switch {
	case connSeg != "" && gwHasSeg:
		return fault.InvalidInput("default segmentation_id should not be provided when segmentation_id is assigned during l2gateway creation")
	case connSeg == "" && !gwHasSeg:
		return fault.InvalidInput("Segmentation id must be specified in create l2gateway connections")
	case connSeg != "":
		n, err := strconv.ParseInt(connSeg, 10, 64)
		if err != nil {
			return fault.InvalidInput("Segmentation id must be a valid integer")
		}
		vni = n
	default:
		vni, _ = segID(gwSeg)
	}
	devID := plugin.Str(devs[0], "device_id")
	dev, err := device(ctx, tx, c.Elevated(), devID)
	if err != nil {
		return err
	}
	if connSeg != "" {
		if err := checkRange(plugin.Str(dev, "type"), vni); err != nil {
			return err
		}
	}
	d["device_id"] = devID
	d["vni"] = vni
	return nil
}
