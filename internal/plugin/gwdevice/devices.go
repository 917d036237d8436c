package gwdevice

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
)

// DeviceCollection is /v2.0/gw/gateway_devices: the name or the tunnel IPs change (by the
// type's rules); a device goes with its remote MAC entries (an L2 gateway naming it keeps
// it: the l2gw service's hook).
type DeviceCollection struct{ stored.Collection }

// NewDeviceCollection returns the devices' collection.
func NewDeviceCollection() DeviceCollection {
	return DeviceCollection{stored.Collection{Res: Devices, Unscoped: true, Prepare: prepareDevice, Check: checkDevice, Refuse: removeEntries}}
}

// Expand sets each device's remote_mac_entries, read from the entries of the router_vteps
// among docs (no other type takes entries) in one query for up to 500 devices, ordered by
// MAC: what a page of devices shows costs their own entries, and an entry's create never
// rewrites its device. Only the attributes shown (and the device's id) are decoded.
func (DeviceCollection) Expand(ctx context.Context, tx *db.Tx, docs []db.Doc) error {
	var vteps []string
	for _, d := range docs {
		if plugin.Str(d, "type") == RouterVtep {
			vteps = append(vteps, plugin.Str(d, "id"))
		}
	}
	entries, err := tx.ListChildrenAttrs(ctx, RemoteMacEntries.Collection, vteps,
		"id", "gateway_device_id", "mac_address", "vtep_address", "segmentation_id")
	if err != nil {
		return fmt.Errorf("gwdevice: the remote MAC entries of %d devices: %w", len(vteps), err)
	}
	slices.SortFunc(entries, func(a, b db.Doc) int {
		return strings.Compare(plugin.Str(a, "mac_address"), plugin.Str(b, "mac_address"))
	})
	byDevice := map[string][]any{}
	for _, e := range entries {
		dev := plugin.Str(e, "gateway_device_id")
		byDevice[dev] = append(byDevice[dev], map[string]any{"id": e["id"], "mac_address": e["mac_address"],
			"vtep_address": e["vtep_address"], "segmentation_id": e["segmentation_id"]})
	}
	for _, d := range docs {
		list := byDevice[plugin.Str(d, "id")]
		if list == nil {
			list = []any{}
		}
		d["remote_mac_entries"] = list
	}
	return nil
}

// serialize orders the writes that check a uniqueness rule across devices (management IP,
// tunnel IP, one device per resource, remote MACs): on PostgreSQL and MySQL two transactions
// could otherwise both find a value free; SQLite runs one writer at a time already. It takes
// db.Tx.LockTaskOrder (held to the end of the transaction): on MySQL the journal takes the same
// lock when it writes the change's task, so no second lock can be taken in the other order; on
// PostgreSQL the journal takes no lock, and this one orders only these writes.
func serialize(ctx context.Context, tx *db.Tx) error {
	if err := tx.LockTaskOrder(ctx); err != nil {
		return fmt.Errorf("gwdevice: lock: %w", err)
	}
	return nil
}

// resourceCollection is what a device's resource_id names, by type.
var resourceCollection = map[string]string{RouterVtep: "routers", NetworkVlan: "networks"}

// resourceType is the word DeviceInUseByGatewayDevice names a resource with.
var resourceType = map[string]string{RouterVtep: "router", NetworkVlan: "network"}

// prepareDevice checks the fields the type needs and forbids, the uniqueness rules and
// the resource of a new device.
func prepareDevice(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error {
	typ := plugin.Str(d, "type")
	if err := serialize(ctx, tx); err != nil {
		return err
	}
	switch typ {
	case HwVtep:
		if d["management_ip"] == nil || d["management_port"] == nil {
			return fault.GatewayDeviceTypeInvalid(typ, "Gateway device %s must be specified with management_port and management_ip", typ)
		}
		if plugin.Str(d, "resource_id") != "" {
			return fault.GatewayDeviceTypeInvalid(typ, "Gateway device %s does not take a resource_id", typ)
		}
		if d["management_protocol"] == nil {
			d["management_protocol"] = ProtocolOVSDB
		}
		ip := plugin.Str(d, "management_ip")
		if err := refuseTaken(ctx, tx, "management_ip", ip, HwVtep, "", fault.GatewayDeviceParamDuplicate("management_ip", ip)); err != nil {
			return err
		}
	case RouterVtep, NetworkVlan:
		if d["management_ip"] != nil || d["management_port"] != nil || (d["management_protocol"] != nil && d["management_protocol"] != ProtocolNone) {
			return fault.GatewayDeviceTypeInvalid(typ, "Gateway device %s does not take management_ip, management_port or management_protocol", typ)
		}
		d["management_protocol"] = nil
		rid := plugin.Str(d, "resource_id")
		if rid == "" {
			return fault.GatewayDeviceTypeInvalid(typ, "Gateway device %s must be specified with resource_id", typ)
		}
		if _, err := plugin.Fetch(ctx, tx, c, resourceCollection[typ], rid); err != nil {
			if isNotFound(err) {
				return fault.GatewayResourceNotFound(rid)
			}
			return err
		}
		if err := refuseTaken(ctx, tx, "resource_id", rid, typ, "", fault.DeviceInUseByGatewayDevice(rid, resourceType[typ])); err != nil {
			return err
		}
	}
	if err := checkTunnelIPs(ctx, tx, typ, plugin.Strings(d, "tunnel_ips"), ""); err != nil {
		return err
	}
	d["tunnel_ips"] = anyList(plugin.Strings(d, "tunnel_ips"))
	return nil
}

// isNotFound reports whether err is a 404 fault.
func isNotFound(err error) bool {
	f, ok := fault.As(err)
	return ok && f.Status == 404
}

// refuseTaken answers refusal when a device other than self (of type typ, when typ is not
// empty) holds value in attr. It reads through the key index (Devices.Lookups) the devices
// that share the value, not every device.
func refuseTaken(ctx context.Context, tx *db.Tx, attr, value, typ, self string, refusal *fault.Fault) error {
	devices, err := tx.ListBy(ctx, Devices.Collection, attr, value)
	if err != nil {
		return fmt.Errorf("gwdevice: the devices with %s %s: %w", attr, value, err)
	}
	if slices.ContainsFunc(devices, func(o db.Doc) bool {
		return plugin.Str(o, "id") != self && (typ == "" || plugin.Str(o, "type") == typ)
	}) {
		return refusal
	}
	return nil
}

// checkTunnelIPs applies the tunnel-IP rules of a type: a router_vtep has exactly one, a
// hw_vtep at most one, a network_vlan none; no other device holds the address.
func checkTunnelIPs(ctx context.Context, tx *db.Tx, typ string, ips []string, self string) error {
	switch {
	case typ == NetworkVlan && len(ips) > 0:
		return fault.GatewayDeviceTypeInvalid(typ, "Gateway device %s does not take tunnel_ips", typ)
	case typ == RouterVtep && len(ips) == 0:
		return fault.TunnelIPsRequired(typ)
	case len(ips) > 1:
		return fault.TunnelIPsExhausted()
	}
	for _, ip := range ips {
		if err := refuseTaken(ctx, tx, "tunnel_ips", ip, "", self, fault.GatewayDeviceParamDuplicate("tunnel_ip", ip)); err != nil {
			return err
		}
	}
	return nil
}

func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// checkDevice checks changed tunnel IPs by the type's rules.
func checkDevice(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur, changes, _ db.Doc) error {
	if _, ok := changes["tunnel_ips"]; !ok {
		return nil
	}
	if err := serialize(ctx, tx); err != nil {
		return err
	}
	return checkTunnelIPs(ctx, tx, plugin.Str(cur, "type"), plugin.Strings(changes, "tunnel_ips"), plugin.Str(cur, "id"))
}

// removeEntries removes a deleted device's remote MAC entries, each journaled.
func removeEntries(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	entries, err := tx.List(ctx, RemoteMacEntries.Collection, db.Filter{ParentID: plugin.Str(cur, "id")})
	if err != nil {
		return err
	}
	return stored.RemoveAll(ctx, tx, c, RemoteMacEntries.Collection, entries)
}
