package l2gw

import (
	"fmt"
	"strconv"

	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/resource"
)

// Extensions are networking-l2gw's aliases, which networking-midonet's midonet_l2gw plugin
// advertises.
var Extensions = []resource.Extension{
	{Alias: "l2-gateway", Name: "L2 Gateway", Description: "Connects Neutron networks with external networks at layer 2.", Updated: "2015-01-01T00:00:00-00:00"},
	{Alias: "l2-gateway-connection", Name: "L2 Gateway connection", Description: "Connects Neutron networks with external networks at layer 2.", Updated: "2014-01-01T00:00:00-00:00"},
}

// Segmentation-id ranges by device type (networking-midonet: a VXLAN VNI below 2^24-1 for a
// router_vtep, a VLAN id below 4095 for a network_vlan). A hw_vtep's VNI is the logical
// switch's tunnel key: upstream checked nothing; it is bounded to 24 bits here.
const (
	maxVNI  = 1<<24 - 1 // exclusive for router_vtep, as upstream
	maxVLAN = 4095      // exclusive
)

// gatewayCollection is the gateway-device service's collection an L2 gateway names.
const gatewayCollection = "gateway_devices"

// devices validates MidoNet's devices list: exactly one object with a device_id (a gateway
// device id) and an optional segmentation_id; interfaces are refused (seed 8.2.2).
func devices(v any) string {
	l, ok := v.([]any)
	if !ok {
		return fmt.Sprintf("%s is not a list", resource.Repr(v))
	}
	if len(l) == 0 {
		return "Cannot create a gateway with an empty device list"
	}
	if len(l) > 1 {
		return "Exactly one device must be specified to create a gateway"
	}
	dev, ok := l[0].(map[string]any)
	if !ok {
		return fmt.Sprintf("%s is not a dictionary", resource.Repr(l[0]))
	}
	if ifs, ok := dev["interfaces"]; ok && ifs != nil {
		if reason := interfaces(ifs); reason != "" {
			return reason
		}
	}
	for k := range dev {
		if k != "device_id" && k != "segmentation_id" && k != "interfaces" {
			return fmt.Sprintf("Unrecognized key '%s' in a device: a MidoNet L2 gateway device has device_id and segmentation_id", resource.Repr(k))
		}
	}
	id, _ := dev["device_id"].(string)
	if id == "" {
		return "Cannot create a gateway with an empty device_id"
	}
	if !resource.IsUUID(id) {
		return fmt.Sprintf("%s is not a valid UUID", resource.Repr(id))
	}
	if s, ok := dev["segmentation_id"]; ok && s != nil {
		if _, ok := segID(s); !ok {
			return fmt.Sprintf("segmentation_id %s is not an integer", resource.Repr(s))
		}
	}
	return ""
}

// maxInterfaces bounds a hw_vtep device's interfaces (and each one's VLANs).
const maxInterfaces = 16

// interfaces validates a hw_vtep device's physical ports: [{name, segmentation_id: [vlan,
// ...]}], the VLANs 0..4095 (the interfaces of networking-l2gw's devices, which MidoNet takes
// for hardware VTEPs only: the plugin refuses them on other device types).
func interfaces(v any) string {
	l, ok := v.([]any)
	if !ok {
		return fmt.Sprintf("interfaces %s is not a list", resource.Repr(v))
	}
	if len(l) > maxInterfaces {
		return fmt.Sprintf("more than %d interfaces", maxInterfaces)
	}
	for _, x := range l {
		i, ok := x.(map[string]any)
		if !ok {
			return fmt.Sprintf("interface %s is not a dictionary", resource.Repr(x))
		}
		for k := range i {
			if k != "name" && k != "segmentation_id" {
				return fmt.Sprintf("Unrecognized key '%s' in an interface", resource.Repr(k))
			}
		}
		if name, _ := i["name"].(string); name == "" || len(name) > 255 {
			return "Cannot create a gateway with an empty interface name"
		}
		if s, ok := i["segmentation_id"]; ok && s != nil {
			ids, ok := s.([]any)
			if !ok || len(ids) > maxInterfaces {
				return fmt.Sprintf("segmentation_id %s of an interface is not a list of VLAN ids", resource.Repr(s))
			}
			for _, id := range ids {
				if n, ok := segID(id); !ok || n < 0 || n > 4095 {
					return fmt.Sprintf("VLAN %s of an interface is not in 0..4095", resource.Repr(id))
				}
			}
		}
	}
	return ""
}

// toDevices normalises the list: the device's segmentation_id an integer (absent when not
// given), no interfaces key.
func toDevices(v any) (any, error) {
	l, ok := v.([]any)
	if !ok {
		return v, nil
	}
	out := make([]any, 0, len(l))
	for _, x := range l {
		dev, ok := x.(map[string]any)
		if !ok {
			out = append(out, x)
			continue
		}
		d := map[string]any{}
		for k, v := range dev {
			d[k] = v
		}
		if il, ok := d["interfaces"].([]any); ok && len(il) == 0 || d["interfaces"] == nil {
			delete(d, "interfaces")
		} else if ok {
			d["interfaces"] = toInterfaces(il)
		}
		if s, ok := d["segmentation_id"]; ok {
			if s == nil || s == "" {
				delete(d, "segmentation_id")
			} else if n, ok := segID(s); ok {
				d["segmentation_id"] = n
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// toInterfaces gives each interface's VLANs as integers (and [] when absent).
func toInterfaces(l []any) []any {
	out := make([]any, 0, len(l))
	for _, x := range l {
		i, ok := x.(map[string]any)
		if !ok {
			out = append(out, x)
			continue
		}
		c := map[string]any{}
		for k, v := range i {
			c[k] = v
		}
		ids, isList := i["segmentation_id"].([]any)
		if !isList && i["segmentation_id"] != nil {
			out = append(out, c) // refused by the validator
			continue
		}
		vlans := []any{}
		for _, id := range ids {
			if n, ok := segID(id); ok {
				vlans = append(vlans, n)
			} else {
				vlans = append(vlans, id)
			}
		}
		c["segmentation_id"] = vlans
		out = append(out, c)
	}
	return out
}

// segID reads a segmentation id given as an integer or a decimal string.
func segID(v any) (int64, bool) {
	if s, ok := v.(string); ok {
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	return model.Int(v)
}

// checkRange applies the segmentation-id range of a device type.
func checkRange(typ string, n int64) error {
	limit := int64(maxVNI)
	if typ == "network_vlan" {
		limit = maxVLAN
	}
	if n < 0 || n >= limit {
		return fault.InvalidInput("Segmentation id is out of range")
	}
	return nil
}

// Gateways is /v2.0/l2-gateways. MidoNet keeps them in the database only; their connections
// are what reach the backend.
var Gateways = &resource.Resource{
	Collection: "l2_gateways", Member: "l2_gateway", Path: "l2-gateways",
	NotFound: fault.L2GatewayNotFound,
	Lookups:  []string{"devices.device_id"}, // a gateway device's delete
	Attrs: []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		{Name: "tenant_id", Post: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "project_id", Post: true, Hidden: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "name", Post: true, Put: true, Validate: resource.String(255), Default: ""},
		{Name: "devices", Post: true, Put: true, Required: true, Convert: toDevices, Validate: devices, NoSort: true, NoFilter: true},
	},
}

// Connections is /v2.0/l2-gateway-connections. segmentation_id is a string, as in
// networking-l2gw ("" when the connection takes its gateway's); device_id and vni (the
// segmentation id the backend uses) are kept for the translation and never shown.
var Connections = &resource.Resource{
	Collection: "l2_gateway_connections", Member: "l2_gateway_connection", Path: "l2-gateway-connections",
	DataType: "L2GATEWAYCONNECTION", RESTPath: "l2_gateway_connections", Translate: 21,
	NotFound: fault.L2GatewayConnectionNotFound,
	Lookups:  []string{"l2_gateway_id", "network_id"}, // a gateway's connections, a network's one
	Attrs: []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		{Name: "tenant_id", Post: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "project_id", Post: true, Hidden: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "l2_gateway_id", Post: true, Required: true, Validate: resource.String(255)},
		{Name: "network_id", Post: true, Required: true, Validate: resource.String(255)},
		{Name: "segmentation_id", Post: true, Validate: resource.String(16), Default: ""},
		{Name: "device_id", Hidden: true},
		{Name: "vni", Hidden: true},
	},
}
