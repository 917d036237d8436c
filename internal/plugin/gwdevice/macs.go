package gwdevice

import (
	"context"
	"fmt"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// EntryCollection is a device's remote MAC entries. Each entry is its own document, journaled
// and translated on its own: a create or delete writes that entry only, never the device (the
// device shows its entries by reading them: Expand).
type EntryCollection struct{}

// Resource describes remote MAC entries.
func (EntryCollection) Resource() *resource.Resource { return RemoteMacEntries }

// Create adds an entry to the device the URL names (the API set gateway_device_id): only a
// router_vtep takes entries, and a MAC has one entry across all devices.
func (EntryCollection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := plugin.Copy(body)
	devID := plugin.Str(d, "gateway_device_id")
	dev, err := tx.Get(ctx, Devices.Collection, devID)
	if err != nil {
		return nil, err
	}
	if dev == nil {
		return nil, fault.GatewayDeviceNotFound(devID)
	}
	if typ := plugin.Str(dev, "type"); typ != RouterVtep {
		return nil, fault.OperationRemoteMacEntryNotSupported(typ)
	}
	if err := serialize(ctx, tx); err != nil {
		return nil, err
	}
	mac := plugin.Str(d, "mac_address")
	taken, err := tx.AnyBy(ctx, RemoteMacEntries.Collection, "mac_address", mac)
	if err != nil {
		return nil, fmt.Errorf("gwdevice: remote MAC entries of %s: %w", mac, err)
	}
	if taken {
		return nil, fault.DuplicateRemoteMacEntry(mac)
	}
	d["id"] = plugin.NewID()
	if err := plugin.Add(ctx, tx, c, RemoteMacEntries.Collection, d); err != nil {
		return nil, err
	}
	return d, nil
}

// Update is refused: nothing in an entry can change (the API refuses every attribute first).
func (EntryCollection) Update(context.Context, *db.Tx, *plugin.Caller, db.Doc, db.Doc) (db.Doc, error) {
	return nil, fault.MethodNotAllowed()
}

// Delete removes an entry from its device.
func (EntryCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	return plugin.Remove(ctx, tx, c, RemoteMacEntries.Collection, cur)
}

// List returns the entries (the API narrows them to the device in the URL).
func (EntryCollection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, filters map[string][]string) ([]db.Doc, error) {
	f := db.Filter{}
	if p := filters[RemoteMacEntries.ParentAttr()]; len(p) == 1 {
		f.ParentID = p[0]
	}
	return tx.List(ctx, RemoteMacEntries.Collection, f)
}
