package gwdevice

import (
	"context"
	"fmt"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
)

// resourceHook keeps a router (router_vtep) or network (network_vlan) while a gateway device
// names it: 409 DeviceInUseByGatewayDevice, as networking-midonet's delete callbacks.
type resourceHook struct {
	plugin.NoHook
	typ string
}

// BeforeDelete refuses while a device's resource_id is the router's or network's id. The
// device's type need not be read: a device names a resource of its own type only, checked at
// its create, and ids are unique across kinds.
func (h resourceHook) BeforeDelete(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	used, err := tx.AnyBy(ctx, Devices.Collection, "resource_id", id)
	if err != nil {
		return fmt.Errorf("gwdevice: the devices of %s: %w", id, err)
	}
	if used {
		return fault.DeviceInUseByGatewayDevice(id, resourceType[h.typ])
	}
	return nil
}
