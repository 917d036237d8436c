// Package az is Neutron's availability zones on MidoNet (neutron-lib's availability_zone,
// availability_zone_filter, network_availability_zone and router_availability_zone).
// MidoNet has no DHCP or L3 agents to place in zones: every network and router is served
// by every host, so the zones are a configured list (`[MIDONET] availability_zones`, one
// zone `nova` by default), each available for networks and routers. A network's or
// router's availability_zone_hints must name configured zones; its availability_zones are
// its hints (none without hints, as the reference answers for a network no agent hosts).
package az

import (
	"context"
	"slices"
	"sync/atomic"

	"github.com/midonet-go/midonet/internal/config"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// Extensions are the aliases the service advertises.
var Extensions = []resource.Extension{
	{Alias: "availability_zone", Name: "Availability Zone", Description: "The availability zone extension.", Updated: "2015-01-01T10:00:00-00:00"},
	{Alias: "availability_zone_filter", Name: "Availability Zone Filter Extension", Description: "Add filter parameters to AvailabilityZone resource", Updated: "2018-06-22T10:00:00-00:00"},
	{Alias: "network_availability_zone", Name: "Network Availability Zone", Description: "Availability zone support for network.", Updated: "2015-01-01T10:00:00-00:00"},
	{Alias: "router_availability_zone", Name: "Router Availability Zone", Description: "Availability zone support for router.", Updated: "2015-01-01T10:00:00-00:00"},
}

// Zones is /v2.0/availability_zones: one entry per zone and resource type. It has no ids
// (Neutron serves only the list); name, resource and state filter it.
var Zones = &resource.Resource{
	Collection: "availability_zones", Member: "availability_zone", Path: "availability_zones",
	NotFound: func(string) *fault.Fault { return fault.HTTPNotFound() },
	Attrs: []*resource.Attr{
		{Name: "name"}, {Name: "resource"}, {Name: "state"},
	},
}

// NotFound is Neutron's AvailabilityZoneNotFound.
func NotFound(name string) *fault.Fault {
	return fault.NotFound("AvailabilityZoneNotFound", "AvailabilityZone %s could not be found.", name)
}

// zones is the configured list, set when the server builds the service's collections.
type zones struct{ names atomic.Pointer[[]string] }

func (z *zones) get() []string      { return *z.names.Load() }
func (z *zones) set(names []string) { z.names.Store(&names) }

// Service is the availability-zone service as internal/app wires it.
func Service() plugin.Service {
	z := &zones{}
	z.set([]string{"nova"})
	return plugin.Service{
		Name:       "az",
		Resources:  []*resource.Resource{Zones},
		Extensions: Extensions,
		Collections: func(d plugin.Deps) []plugin.Collection {
			if d.Config != nil {
				if names := d.Config.List(config.GroupMidonet, "availability_zones"); len(names) > 0 {
					z.set(names)
				}
			}
			return []plugin.Collection{Collection{z: z}}
		},
		Hooks: map[string]plugin.Hook{
			"networks": hintsHook{z: z},
			"routers":  hintsHook{z: z},
		},
	}
}

// Collection lists the zones.
type Collection struct {
	plugin.ReadOnly
	z *zones
}

// Resource describes the zones.
func (Collection) Resource() *resource.Resource { return Zones }

// Get answers 404: Neutron shows availability zones only as a list.
func (Collection) Get(context.Context, *db.Tx, string) (db.Doc, error) { return nil, nil }

// List is every zone, for networks and for routers (the API filters and pages it).
func (c Collection) List(context.Context, *db.Tx, *plugin.Caller, map[string][]string) ([]db.Doc, error) {
	var out []db.Doc
	for _, name := range c.z.get() {
		for _, res := range []string{"network", "router"} {
			out = append(out, db.Doc{"name": name, "resource": res, "state": "available"})
		}
	}
	return out, nil
}

// hintsHook checks a new network's or router's hints against the zones and shows the zones
// it is in.
type hintsHook struct {
	plugin.NoHook
	z *zones
}

// BeforeCreate refuses a hint that names no zone (AvailabilityZoneNotFound).
func (h hintsHook) BeforeCreate(_ context.Context, _ *db.Tx, _ *plugin.Caller, body db.Doc) error {
	known := h.z.get()
	for _, hint := range plugin.Strings(body, "availability_zone_hints") {
		if !slices.Contains(known, hint) {
			return NotFound(hint)
		}
	}
	return nil
}

// Expand sets availability_zones: the zones its hints named. Without hints it is in no
// zone in particular, and shows none, as a Neutron network no DHCP agent hosts does.
func (h hintsHook) Expand(_ context.Context, _ *db.Tx, docs []db.Doc) error {
	for _, d := range docs {
		in := plugin.Strings(d, "availability_zone_hints")
		list := make([]any, len(in))
		for i, s := range in {
			list[i] = s
		}
		d["availability_zones"] = list
	}
	return nil
}
