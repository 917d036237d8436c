// Package flavors is Neutron's service flavors (neutron-lib's flavors, l3-flavors and
// service-type): /v2.0/flavors, /v2.0/service_profiles and their bindings
// (/v2.0/flavors/{id}/service_profiles), /v2.0/service-providers, and a router's flavor_id.
// MidoNet routers are all distributed and translated alike; a router's flavor is recorded
// and checked (it exists, is enabled, is an L3 flavor; a flavor in use cannot go), and
// selects nothing else.
package flavors

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
	"github.com/midonet-go/midonet/internal/resource"
)

// L3 is the service type of router flavors (neutron-lib's plugin constant L3).
const L3 = "L3_ROUTER_NAT"

// serviceTypes are the service types flavors may be made for: the services this server
// runs that Neutron gives flavors to.
var serviceTypes = []string{L3, "FLAVORS", "QOS"}

// Provider is one entry of /v2.0/service-providers.
type Provider struct {
	ServiceType, Name, Driver string
	Default                   bool
}

// Providers are the service providers: the L3 drivers Neutron names (a MidoNet router is the
// same whichever a flavor names: distributed, on every host) and the seed's VPN driver.
var Providers = []Provider{
	{L3, "single_node", "neutron.services.l3_router.service_providers.single_node.SingleNodeDriver", true},
	{L3, "dvr", "neutron.services.l3_router.service_providers.dvr.DvrDriver", false},
	{L3, "ha", "neutron.services.l3_router.service_providers.ha.HaDriver", false},
	{L3, "dvrha", "neutron.services.l3_router.service_providers.dvrha.DvrHaDriver", false},
	{"VPN", "Midonet", "midonet.neutron.services.vpn.service_drivers.midonet_ipsec.MidonetIPsecVPNDriver", true},
}

// Extensions are the aliases the service advertises.
var Extensions = []resource.Extension{
	{Alias: "flavors", Name: "Neutron Service Flavors", Description: "Flavor specification for Neutron advanced services.", Updated: "2015-09-17T10:00:00-00:00"},
	{Alias: "l3-flavors", Name: "Router Flavor Extension", Description: "Flavor support for routers.", Updated: "2016-05-17T00:00:00-00:00"},
	{Alias: "service-type", Name: "Neutron Service Type Management", Description: "API for retrieving service providers for Neutron advanced services", Updated: "2013-01-20T00:00:00-00:00"},
}

// Faults (neutron-lib's flavors exceptions).
func flavorNotFound(id string) *fault.Fault {
	return fault.NotFound("FlavorNotFound", "Flavor %s could not be found.", id)
}

func profileNotFound(id string) *fault.Fault {
	return fault.NotFound("ServiceProfileNotFound", "Service Profile %s could not be found.", id)
}

// Flavors is /v2.0/flavors.
var Flavors = &resource.Resource{
	Collection: "flavors", Member: "flavor", Path: "flavors", PagerMarker: true,
	Few:      true, // admin-made; a profile's delete and binding read every flavor
	NotFound: flavorNotFound,
	Attrs: []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		{Name: "name", Post: true, Put: true, Validate: resource.String(255), Default: ""},
		{Name: "description", Post: true, Put: true, Validate: resource.StringOrNone(1024), Default: ""},
		{Name: "service_type", Post: true, Required: true, Validate: serviceType},
		{Name: "tenant_id", Post: true, Validate: resource.String(255), Default: resource.Unset, Hidden: true},
		{Name: "service_profiles", Post: true, Put: true, Convert: resource.ToList, Validate: resource.UUIDList, Default: []any{}, NoSort: true, NoFilter: true},
		{Name: "enabled", Post: true, Put: true, Convert: resource.ToBool, Default: true},
	},
}

// Profiles is /v2.0/service_profiles.
var Profiles = &resource.Resource{
	Collection: "service_profiles", Member: "service_profile", Path: "service_profiles", PagerMarker: true,
	NotFound: profileNotFound,
	Attrs: []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		{Name: "description", Post: true, Put: true, Validate: resource.StringOrNone(1024), Default: ""},
		{Name: "driver", Post: true, Put: true, Validate: resource.String(1024), Default: ""},
		{Name: "metainfo", Post: true, Put: true, Validate: resource.String(4096), Default: ""},
		{Name: "tenant_id", Post: true, Validate: resource.String(255), Default: resource.Unset, Hidden: true},
		{Name: "enabled", Post: true, Put: true, Convert: resource.ToBool, Default: true},
	},
}

// Bindings is /v2.0/flavors/{id}/service_profiles: a binding is named by its profile's id.
var Bindings = &resource.Resource{
	Collection: "flavor_service_profiles", Member: "service_profile", Path: "service_profiles", Sub: true,
	PolicyMember: "flavor_service_profile",
	Parent:       &resource.Parent{Attr: "flavor_id", Collection: "flavors"},
	NotFound:     profileNotFound,
	Attrs: []*resource.Attr{
		{Name: "id", Post: true, Required: true, Validate: resource.UUID},
		{Name: "tenant_id", Post: true, Validate: resource.String(255), Default: resource.Unset, Hidden: true},
		{Name: "project_id", Hidden: true},
		{Name: "flavor_id", Hidden: true},
	},
}

// ServiceProviders is /v2.0/service-providers (read only).
var ServiceProviders = &resource.Resource{
	Collection: "service_providers", Member: "service_provider", Path: "service-providers",
	NotFound: func(string) *fault.Fault { return fault.HTTPNotFound() },
	Attrs: []*resource.Attr{
		{Name: "service_type"}, {Name: "name"}, {Name: "default", Convert: resource.ToBool},
	},
}

func serviceType(v any) string {
	s, ok := v.(string)
	if !ok || !slices.Contains(serviceTypes, s) {
		return fmt.Sprintf("Service type %s is not supported", resource.Repr(v))
	}
	return ""
}

// Service is the flavors service as internal/app wires it.
func Service() plugin.Service {
	return plugin.Service{
		Name: "flavors",
		// One of Neutron's default service plugins: loaded whatever service_plugins says.
		ServicePlugins: []string{"flavors", "neutron.services.flavors.flavors_plugin.FlavorsPlugin"},
		AlwaysLoaded:   true,
		Resources:      []*resource.Resource{Flavors, Profiles, Bindings, ServiceProviders},
		Extensions:     Extensions,
		Collections: func(plugin.Deps) []plugin.Collection {
			return []plugin.Collection{flavorCollection(), profileCollection(), bindingCollection{}, providerCollection{}}
		},
		Hooks: map[string]plugin.Hook{"routers": routerHook{}},
	}
}

// list reads every document of a collection (flavors and profiles are few, admin-made).
func list(ctx context.Context, tx *db.Tx, coll string) ([]db.Doc, error) {
	docs, err := tx.List(ctx, coll, db.Filter{})
	if err != nil {
		return nil, fmt.Errorf("flavors: list %s: %w", coll, err)
	}
	return docs, nil
}

// profilesExist refuses ids that name no service profile.
func profilesExist(ctx context.Context, tx *db.Tx, ids []string) error {
	for _, id := range ids {
		p, err := tx.Get(ctx, Profiles.Collection, id)
		if err != nil {
			return fmt.Errorf("flavors: service profile %s: %w", id, err)
		}
		if p == nil {
			return profileNotFound(id)
		}
	}
	return nil
}

// flavorCollection is /v2.0/flavors: a flavor names profiles that exist; name, description,
// enabled or the profiles change; a flavor goes when no router uses it (FlavorInUse).
// Flavors and profiles are few and admin-made: lists read them all.
func flavorCollection() stored.Collection {
	return stored.Collection{Res: Flavors, Unjournaled: true, Unscoped: true,
		Prepare: func(ctx context.Context, tx *db.Tx, _ *plugin.Caller, d db.Doc) error {
			return profilesExist(ctx, tx, plugin.Strings(d, "service_profiles"))
		},
		Check: func(ctx context.Context, tx *db.Tx, _ *plugin.Caller, _, changes, _ db.Doc) error {
			if l, ok := changes["service_profiles"]; ok {
				return profilesExist(ctx, tx, plugin.Strings(db.Doc{"l": l}, "l"))
			}
			return nil
		},
		Refuse: func(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
			id := plugin.Str(cur, "id")
			used, err := tx.AnyBy(ctx, "routers", "flavor_id", id)
			if err != nil {
				return fmt.Errorf("flavors: the routers of flavor %s: %w", id, err)
			}
			if used {
				return fault.New(http.StatusConflict, "FlavorInUse", "Flavor %s is used by some service instance.", id)
			}
			return nil
		}}
}

// profileCollection is /v2.0/service_profiles: checked on create and update; a profile goes
// when no flavor names it (ServiceProfileInUse).
func profileCollection() stored.Collection {
	check := func(_ context.Context, _ *db.Tx, _ *plugin.Caller, d db.Doc) error { return checkProfile(d) }
	return stored.Collection{Res: Profiles, Unjournaled: true, Unscoped: true, Prepare: check,
		Check: func(ctx context.Context, tx *db.Tx, c *plugin.Caller, _, _, d db.Doc) error {
			return check(ctx, tx, c, d)
		},
		Refuse: func(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
			id := plugin.Str(cur, "id")
			flavors, err := list(ctx, tx, Flavors.Collection)
			if err != nil {
				return err
			}
			for _, f := range flavors {
				if slices.Contains(plugin.Strings(f, "service_profiles"), id) {
					return fault.New(http.StatusConflict, "ServiceProfileInUse", "Service Profile %s is used by some service instance.", id)
				}
			}
			return nil
		}}
}

// checkProfile is Neutron's: a driver or metainfo, and a driver one of the providers'.
func checkProfile(d db.Doc) error {
	driver := plugin.Str(d, "driver")
	if driver == "" && plugin.Str(d, "metainfo") == "" {
		return fault.New(http.StatusBadRequest, "ServiceProfileEmpty", "Service Profile needs either a driver or metainfo.")
	}
	if driver == "" {
		return nil
	}
	for _, p := range Providers {
		if p.Driver == driver {
			return nil
		}
	}
	return fault.NotFound("ServiceProfileDriverNotFound", "Service Profile driver %s could not be found.", driver)
}

// bindingCollection is /v2.0/flavors/{id}/service_profiles: the flavor's service_profiles
// list, one entry per binding. It stores no documents of its own.
type bindingCollection struct{}

func (bindingCollection) Resource() *resource.Resource { return Bindings }

// binding is the answer for a flavor's binding to a profile.
func binding(flavor db.Doc, profileID string) db.Doc {
	return db.Doc{"id": profileID, "flavor_id": plugin.Str(flavor, "id"), "tenant_id": flavor["tenant_id"], "project_id": flavor["project_id"]}
}

// Create binds a profile to the flavor of the URL.
func (bindingCollection) Create(ctx context.Context, tx *db.Tx, _ *plugin.Caller, body db.Doc) (db.Doc, error) {
	fid, pid := plugin.Str(body, "flavor_id"), plugin.Str(body, "id")
	f, err := tx.Get(ctx, Flavors.Collection, fid)
	if err != nil {
		return nil, fmt.Errorf("flavors: flavor %s: %w", fid, err)
	}
	if f == nil {
		return nil, flavorNotFound(fid)
	}
	if err := profilesExist(ctx, tx, []string{pid}); err != nil {
		return nil, err
	}
	have := plugin.Strings(f, "service_profiles")
	if slices.Contains(have, pid) {
		return nil, fault.Conflict("FlavorServiceProfileBindingExists", "Service Profile %s is already associated with flavor %s.", pid, fid)
	}
	list := make([]any, 0, len(have)+1)
	for _, h := range have {
		list = append(list, h)
	}
	f["service_profiles"] = append(list, pid)
	if err := tx.Put(ctx, Flavors.Collection, f); err != nil {
		return nil, fmt.Errorf("flavors: store flavor: %w", err)
	}
	return binding(f, pid), nil
}

// Update is not part of bindings.
func (bindingCollection) Update(context.Context, *db.Tx, *plugin.Caller, db.Doc, db.Doc) (db.Doc, error) {
	return nil, fault.MethodNotAllowed()
}

// Delete unbinds a profile from its flavor.
func (bindingCollection) Delete(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
	fid, pid := plugin.Str(cur, "flavor_id"), plugin.Str(cur, "id")
	f, err := tx.Get(ctx, Flavors.Collection, fid)
	if err != nil || f == nil {
		return err
	}
	var keep []any
	for _, h := range plugin.Strings(f, "service_profiles") {
		if h != pid {
			keep = append(keep, h)
		}
	}
	if keep == nil {
		keep = []any{}
	}
	f["service_profiles"] = keep
	if err := tx.Put(ctx, Flavors.Collection, f); err != nil {
		return fmt.Errorf("flavors: store flavor: %w", err)
	}
	return nil
}

// Get finds a binding by its profile's id: the first flavor bound to it (the API keeps it
// only when that is the flavor of the URL, see List for the others).
func (bindingCollection) Get(ctx context.Context, tx *db.Tx, id string) (db.Doc, error) {
	flavors, err := list(ctx, tx, Flavors.Collection)
	if err != nil {
		return nil, err
	}
	for _, f := range flavors {
		if slices.Contains(plugin.Strings(f, "service_profiles"), id) {
			return binding(f, id), nil
		}
	}
	return nil, nil
}

// List returns every binding of every flavor.
func (bindingCollection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, _ map[string][]string) ([]db.Doc, error) {
	flavors, err := list(ctx, tx, Flavors.Collection)
	if err != nil {
		return nil, err
	}
	var out []db.Doc
	for _, f := range flavors {
		for _, pid := range plugin.Strings(f, "service_profiles") {
			out = append(out, binding(f, pid))
		}
	}
	return out, nil
}

// providerCollection is /v2.0/service-providers.
type providerCollection struct{ plugin.ReadOnly }

func (providerCollection) Resource() *resource.Resource { return ServiceProviders }

// Get answers 404: Neutron lists providers only.
func (providerCollection) Get(context.Context, *db.Tx, string) (db.Doc, error) { return nil, nil }

// List is every provider.
func (providerCollection) List(context.Context, *db.Tx, *plugin.Caller, map[string][]string) ([]db.Doc, error) {
	out := make([]db.Doc, len(Providers))
	for i, p := range Providers {
		out[i] = db.Doc{"service_type": p.ServiceType, "name": p.Name, "default": p.Default}
	}
	return out, nil
}

// routerHook checks a new router's flavor: it exists, is enabled and is an L3 flavor.
type routerHook struct{ plugin.NoHook }

// BeforeCreate checks flavor_id.
func (routerHook) BeforeCreate(ctx context.Context, tx *db.Tx, _ *plugin.Caller, body db.Doc) error {
	id := plugin.Str(body, "flavor_id")
	if id == "" {
		return nil
	}
	f, err := tx.Get(ctx, Flavors.Collection, id)
	if err != nil {
		return fmt.Errorf("flavors: flavor %s: %w", id, err)
	}
	switch {
	case f == nil:
		return flavorNotFound(id)
	case plugin.Str(f, "service_type") != L3:
		return fault.New(http.StatusBadRequest, "InvalidFlavorServiceType", "Invalid service type %s.", plugin.Str(f, "service_type"))
	case !plugin.Bool(f, "enabled"):
		return fault.New(http.StatusServiceUnavailable, "FlavorDisabled", "Flavor is not enabled.")
	}
	return nil
}
