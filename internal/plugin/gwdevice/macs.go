package gwdevice

import (
	"context"
	"fmt"
	"sort"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// EntryCollection is a device's remote MAC entries. Entries are stored in their own kind and
// embedded in their device; they are not journaled themselves: every change saves the device,
// whose translation carries them.
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
	if err := tx.Insert(ctx, RemoteMacEntries.Collection, d); err != nil {
		return nil, err
	}
	return d, refreshEntries(ctx, tx, c, devID)
}

// Update is refused: nothing in an entry can change (the API refuses every attribute first).
func (EntryCollection) Update(context.Context, *db.Tx, *plugin.Caller, db.Doc, db.Doc) (db.Doc, error) {
	return nil, fault.MethodNotAllowed()
}

// Delete removes an entry from its device.
func (EntryCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	if _, err := tx.Delete(ctx, RemoteMacEntries.Collection, plugin.Str(cur, "id")); err != nil {
		return err
	}
	return refreshEntries(ctx, tx, c, plugin.Str(cur, "gateway_device_id"))
}

// List returns the entries (the API narrows them to the device in the URL).
func (EntryCollection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, filters map[string][]string) ([]db.Doc, error) {
	f := db.Filter{}
	if p := filters[RemoteMacEntries.ParentAttr()]; len(p) == 1 {
		f.ParentID = p[0]
	}
	return tx.List(ctx, RemoteMacEntries.Collection, f)
}

// refreshEntries rewrites the device's embedded entry list (ordered by MAC) and journals
// the device.
func refreshEntries(ctx context.Context, tx *db.Tx, c *plugin.Caller, devID string) error {
	dev, err := tx.Get(ctx, Devices.Collection, devID)
	if err != nil || dev == nil {
		return err
	}
	entries, err := tx.List(ctx, RemoteMacEntries.Collection, db.Filter{ParentID: devID})
	if err != nil {
		return err
	}
	sort.Slice(entries, func(i, j int) bool {
		return plugin.Str(entries[i], "mac_address") < plugin.Str(entries[j], "mac_address")
	})
	list := make([]any, 0, len(entries))
	for _, e := range entries {
		list = append(list, map[string]any{"id": e["id"], "mac_address": e["mac_address"],
			"vtep_address": e["vtep_address"], "segmentation_id": e["segmentation_id"]})
	}
	dev["remote_mac_entries"] = list
	return plugin.SaveAsIs(ctx, tx, c, Devices.Collection, dev)
}
