package l2gw

import (
	"context"
	"fmt"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
)

// GatewayCollection is /v2.0/l2-gateways: gateways are stored, not journaled (their
// connections carry them to the backend); a gateway goes when it has no connections (409
// L2GatewayInUse otherwise).
type GatewayCollection struct{ stored.Collection }

// NewGatewayCollection returns the gateways' collection.
func NewGatewayCollection() GatewayCollection {
	return GatewayCollection{stored.Collection{Res: Gateways, Unjournaled: true, Unscoped: true, Prepare: prepareGateway,
		Refuse: stored.InUse(Connections.Collection, "l2_gateway_id", fault.L2GatewayInUse)}}
}

// Update is not implemented by networking-midonet's driver: 501, whatever the change.
func (GatewayCollection) Update(context.Context, *db.Tx, *plugin.Caller, db.Doc, db.Doc) (db.Doc, error) {
	return nil, fault.NotImplemented()
}

// available answers 503 while the gateway-device service is not loaded (networking-midonet's
// MidonetL2GatewayUnavailable): without it no device can be named.
func available(c *plugin.Caller) error {
	if !c.Serves(gatewayCollection) {
		return fault.MidonetL2GatewayUnavailable()
	}
	return nil
}

// device loads the gateway device an L2 gateway names, as the caller sees it.
func device(ctx context.Context, tx *db.Tx, c *plugin.Caller, id string) (db.Doc, error) {
	d, err := plugin.Fetch(ctx, tx, c, gatewayCollection, id)
	if err != nil {
		if f, ok := fault.As(err); ok && f.Status == 404 {
			return nil, fault.GatewayDeviceNotFound(id)
		}
		return nil, err
	}
	return d, nil
}

// prepareGateway checks a new gateway's device (it exists, the segmentation id fits its
// type).
func prepareGateway(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error {
	if err := available(c); err != nil {
		return err
	}
	devs := plugin.Objects(plugin.List(d, "devices"))
	if len(devs) != 1 {
		return fault.BadRequest("Invalid input for devices. Reason: Exactly one device must be specified to create a gateway.")
	}
	dev, err := device(ctx, tx, c, plugin.Str(devs[0], "device_id"))
	if err != nil {
		return err
	}
	typ := plugin.Str(dev, "type")
	ifs := plugin.List(devs[0], "interfaces")
	switch {
	case typ != "hw_vtep" && len(ifs) > 0:
		return fault.BadRequest("Invalid input for devices. Reason: Interfaces are not allowed in MidoNet L2GW for a %s device.", typ)
	case typ == "hw_vtep" && len(ifs) == 0:
		return fault.BadRequest("Invalid input for devices. Reason: A hw_vtep device needs interfaces: the VTEP's ports to bind.")
	}
	if s, ok := devs[0]["segmentation_id"]; ok {
		n, _ := segID(s)
		if err := checkRange(typ, n); err != nil {
			return err
		}
	}
	return nil
}

// connectionsOf lists the connections of a gateway.
func connectionsOf(ctx context.Context, tx *db.Tx, gatewayID string) ([]db.Doc, error) {
	return stored.Where(ctx, tx, Connections.Collection, "l2_gateway_id", gatewayID)
}

// deviceHook keeps a gateway device while an L2 gateway names it (GatewayDeviceInUse).
type deviceHook struct{ plugin.NoHook }

func (deviceHook) BeforeDelete(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	used, err := tx.AnyBy(ctx, Gateways.Collection, "devices.device_id", id)
	if err != nil {
		return fmt.Errorf("l2gw: the gateways of device %s: %w", id, err)
	}
	if used {
		return fault.GatewayDeviceInUse(id)
	}
	return nil
}

// networkHook deletes a network's L2 gateway connection with the network (Neutron deletes
// the networking-l2gw connection rows through their foreign key's cascade).
type networkHook struct{ plugin.NoHook }

func (networkHook) BeforeDelete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	return stored.RemoveWhere(ctx, tx, c, Connections.Collection, "network_id", plugin.Str(cur, "id"))
}
