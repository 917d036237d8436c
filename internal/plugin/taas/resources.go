package taas

import (
	"fmt"
	"regexp"

	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/resource"
)

// Aliases of the extensions the service advertises.
const (
	Alias           = "taas"
	AliasVLANFilter = "taas-vlan-filter"
)

// Extensions are tap-as-a-service's aliases (neutron-lib's taas and vlan_filter definitions).
var Extensions = []resource.Extension{
	{Alias: Alias, Name: "Neutron Tap as a Service", Description: "Neutron Tap as a Service Extension.", Updated: "2015-01-14T10:00:00-00:00"},
	{Alias: AliasVLANFilter, Name: "VLAN filtering for Neutron Tap as a Service", Description: "Neutron Tap as a Service Extension for filtering VLANs.", Updated: "2018-01-14T10:00:00-00:00"},
}

// Directions of a tap flow, from the source port's VM: IN is what the VM receives, OUT what
// it sends.
const (
	DirIn   = "IN"
	DirOut  = "OUT"
	DirBoth = "BOTH"
)

// StatusDown is the status tap services and flows keep: networking-midonet's driver never
// reports one (the recording shows DOWN too).
const StatusDown = "DOWN"

// maxVLANFilter is the size of upstream's vlan_filter column.
const maxVLANFilter = 1024

// vlanFilterRe is neutron-lib's vlan_filter syntax: "9,18-27,36".
var vlanFilterRe = regexp.MustCompile(`^([0-9]+(-[0-9]+)?)(,([0-9]+(-[0-9]+)?))*$`)

// vlanFilter validates a vlan_filter (regex_or_none, bounded by its column). Like upstream it
// does not bound the numbers: "5000" is accepted and matches no frame.
func vlanFilter(v any) string {
	if v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Sprintf("%s is not a valid string", resource.Repr(v))
	}
	if len(s) > maxVLANFilter {
		return fmt.Sprintf("%s exceeds maximum length of %d", resource.Repr(v), maxVLANFilter)
	}
	if !vlanFilterRe.MatchString(s) {
		return fmt.Sprintf("'%s' is not a valid input", s)
	}
	return ""
}

// owner are the id and project attributes of both collections (not standard attributes:
// no revision, timestamps or tags, as upstream's).
func owner() []*resource.Attr {
	return []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		{Name: "tenant_id", Post: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "project_id", Post: true, Validate: resource.String(255), Default: resource.Unset},
		{Name: "name", Post: true, Put: true, Validate: resource.String(255), Default: ""},
		{Name: "description", Post: true, Put: true, Validate: resource.String(1024), Default: ""},
		{Name: "status"},
	}
}

// Services is /v2.0/taas/tap_services: the port mirrored traffic is delivered to. The port is
// the document's parent (indexed), so a port's delete finds its services.
var Services = &resource.Resource{
	Collection: "tap_services", Member: "tap_service", Path: "taas/tap_services",
	DataType: "TAPSERVICE", RESTPath: "tap_services", Translate: 20,
	Parent:   &resource.Parent{Attr: "port_id", Collection: "ports"},
	NotFound: fault.TapServiceNotFound,
	Attrs: append(owner(),
		&resource.Attr{Name: "port_id", Post: true, Required: true, Validate: resource.UUID},
	),
}

// Flows is /v2.0/taas/tap_flows: a source port whose traffic, in a direction, goes to a tap
// service. The service is the document's parent.
var Flows = &resource.Resource{
	Collection: "tap_flows", Member: "tap_flow", Path: "taas/tap_flows",
	DataType: "TAPFLOW", RESTPath: "tap_flows", Translate: 21,
	Parent:   &resource.Parent{Attr: "tap_service_id", Collection: Services.Collection},
	NotFound: fault.TapFlowNotFound,
	// A port's delete finds the flows mirroring it through the key index.
	Keyed: true, KeySorts: []string{"source_port"},
	Attrs: append(owner(),
		&resource.Attr{Name: "tap_service_id", Post: true, Required: true, Validate: resource.UUID},
		&resource.Attr{Name: "source_port", Post: true, Required: true, Validate: resource.UUID},
		&resource.Attr{Name: "direction", Post: true, Required: true, Validate: resource.Values(DirIn, DirOut, DirBoth)},
		&resource.Attr{Name: "vlan_filter", Post: true, Validate: vlanFilter, Default: nil, Ext: AliasVLANFilter},
	),
}
