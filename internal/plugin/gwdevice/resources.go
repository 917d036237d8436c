package gwdevice

import (
	"fmt"

	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/resource"
)

// Device types (networking-midonet's gateway_device_valid_types).
const (
	HwVtep      = "hw_vtep"
	RouterVtep  = "router_vtep"
	NetworkVlan = "network_vlan"
)

// Management protocols: OVSDB for a hardware VTEP, or none.
const (
	ProtocolOVSDB = "ovsdb"
	ProtocolNone  = "none"
)

// MaxVNI is the largest VXLAN network identifier (24 bits).
const MaxVNI = 1<<24 - 1

// maxTunnelIPs bounds the list a request may carry before the one-address rule answers.
const maxTunnelIPs = 16

// Extensions is the gateway-device alias (vendor; networking-midonet's descriptor).
var Extensions = []resource.Extension{
	{Alias: "gateway-device", Name: "Midonet Gateway Device Extension", Description: "The gateway device extension.", Updated: "2015-11-11T10:00:00-00:00"},
}

// port validates a management port: null or 0..65535 (numeric strings are converted first).
func port(v any) string {
	if v == nil {
		return ""
	}
	n, ok := model.Int(v)
	if !ok {
		return fmt.Sprintf("'%v' is not an integer", v)
	}
	if n < 0 || n > 65535 {
		return fmt.Sprintf("'%d' is not in range 0 through 65535", n)
	}
	return ""
}

// ipv4 validates an IPv4 address: VXLAN tunnels here are vxlan_over_ipv4, as the
// hardware_vtep schema's locators and MidoNet's VTEPs.
func ipv4(v any) string {
	if r := resource.IP(v); r != "" {
		return r
	}
	if a, _ := resource.ParseIP(v.(string)); !a.Is4() {
		return fmt.Sprintf("%s is not an IPv4 address (VXLAN tunnels are over IPv4)", resource.Repr(v))
	}
	return ""
}

// tunnelIPs validates a tunnel-IP list: IPv4 addresses, a bounded list.
func tunnelIPs(v any) string {
	l, ok := v.([]any)
	if !ok {
		return fmt.Sprintf("%s is not a list", resource.Repr(v))
	}
	if len(l) > maxTunnelIPs {
		return fmt.Sprintf("more than %d tunnel ips", maxTunnelIPs)
	}
	return resource.ListOf(ipv4)(v)
}

// vni validates a segmentation id used as a VXLAN VNI.
func vni(v any) string {
	n, ok := model.Int(v)
	if !ok {
		return fmt.Sprintf("'%v' is not an integer", v)
	}
	if n < 0 || n > MaxVNI {
		return fmt.Sprintf("'%d' is not in range 0 through %d", n, MaxVNI)
	}
	return ""
}

// Devices is /v2.0/gw/gateway_devices. remote_mac_entries, the list of the device's entries,
// is not stored in the document: it is read from the entries when the device is shown.
var Devices = &resource.Resource{
	Collection: "gateway_devices", Member: "gateway_device", Path: "gw/gateway_devices",
	DataType: "GATEWAYDEVICE", RESTPath: "gateway_devices", Translate: 20,
	// A router's or network's delete (resource_id); a create's or update's uniqueness rules
	// (one device per resource, per hw_vtep management IP, per tunnel IP).
	Lookups:  []string{"resource_id", "management_ip", "tunnel_ips"},
	NotFound: fault.GatewayDeviceNotFound,
	Attrs: []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		{Name: "tenant_id", Post: true, Validate: resource.String(255), Default: resource.Unset},
		// project_id is accepted and kept, never shown: networking-midonet's attribute map has
		// tenant_id only (as networking-l2gw's, whose recorded answers show no project_id).
		{Name: "project_id", Post: true, Hidden: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "name", Post: true, Put: true, Validate: resource.String(255), Default: ""},
		{Name: "type", Post: true, Validate: resource.Values(HwVtep, RouterVtep, NetworkVlan), Default: HwVtep},
		{Name: "management_ip", Post: true, Validate: resource.IPOrNone, Default: nil},
		{Name: "management_port", Post: true, Convert: resource.ToIntOrNone, Validate: port, Default: nil},
		{Name: "management_protocol", Post: true, Validate: resource.ValuesOrNone(ProtocolOVSDB, ProtocolNone), Default: nil},
		{Name: "resource_id", Post: true, Validate: resource.String(255), Default: ""},
		{Name: "tunnel_ips", Post: true, Put: true, Validate: tunnelIPs, Default: []any{}, NoSort: true},
		{Name: "remote_mac_entries", NoSort: true, NoFilter: true},
	},
}

// RemoteMacEntries is /v2.0/gw/gateway_devices/{id}/remote_mac_entries: create, list, show
// and delete (nothing in an entry can change). Entries belong to their device's project.
// Each is journaled and translated on its own (networking-midonet's REMOTEMACENTRY task),
// after the devices and the L2 gateway connections (21) its translation reads.
var RemoteMacEntries = &resource.Resource{
	Collection: "remote_mac_entries", Member: "remote_mac_entry", Path: "remote_mac_entries", Sub: true,
	DataType: "REMOTEMACENTRY", RESTPath: "remote_mac_entries", Translate: 22,
	PolicyMember: "gateway_device_remote_mac_entry",
	Lookups:      []string{"mac_address"}, // a create's duplicate check
	Parent:       &resource.Parent{Attr: "gateway_device_id", Collection: "gateway_devices"},
	NotFound:     fault.RemoteMacEntryNotFound,
	WrongParent:  fault.RemoteMacEntryWrongGatewayDevice,
	Attrs: []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		// tenant_id is accepted in a POST and never shown, as upstream (its client sends it);
		// an entry takes its device's project.
		{Name: "tenant_id", Post: true, Hidden: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "project_id", Post: true, Hidden: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "gateway_device_id", Hidden: true},
		{Name: "mac_address", Post: true, Required: true, Convert: resource.ToMAC, Validate: resource.MAC},
		{Name: "vtep_address", Post: true, Required: true, Validate: ipv4},
		{Name: "segmentation_id", Post: true, Required: true, Convert: resource.ToInt, Validate: vni},
	},
}
