package plugin

import (
	"context"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/config"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
)

// Service is everything one extension folder brings (CoreDNS style): the collections it
// describes, the API extension aliases it advertises, the translators of its collections,
// and a constructor of its plugin collections. internal/app lists the services it wires, one
// line each; nothing else needs to know a service exists.
type Service struct {
	// Name is the service's folder name (for logs and errors).
	Name string
	// Resources are the service's collections, for the catalogue.
	Resources []*resource.Resource
	// Extensions are the aliases /v2.0/extensions lists while the service is wired.
	Extensions []resource.Extension
	// Translators translate the service's collections into topology (nil: none).
	Translators translate.Translators
	// Policies are the service's default policy rules (the policy file overrides them, and
	// `midonet policy sample` lists them after Neutron's).
	Policies []policy.Rule
	// Collections builds the plugin collections the API drives.
	Collections func(Deps) []Collection
	// Hooks are added to other collections, by collection name (see Hook).
	Hooks map[string]Hook
	// ServicePlugins are the [DEFAULT] service_plugins entries that load the service: its
	// alias and the class paths of the upstream plugins it stands for ("qos",
	// "neutron.services.qos.qos_plugin.QoSPlugin"; "module:Class" is read as
	// "module.Class"). A service without any is part of the core plugin and always loaded.
	ServicePlugins []string
	// AlwaysLoaded marks a service Neutron loads whatever service_plugins says (its default
	// service plugins: network_ip_availability); its names are still accepted in the list.
	AlwaysLoaded bool
	// NeedsL3 marks a service whose upstream plugin requires the router plugin
	// (required_service_plugins): loading it loads the L3 plugin too, as neutron-server does.
	NeedsL3 bool
}

// Deps are what a service's collections may use from the rest of the server.
type Deps struct {
	// Config is the server's configuration.
	Config *config.Config
	// Hosts is the record of MidoNet hosts (the NSDB's, wired by the app).
	Hosts Hosts
	// Ports makes and removes ports on a service's behalf (the core plugin's checks and
	// allocations): a Local IP's own port.
	Ports Ports
}

// Ports is the core plugin's port making, for services.
type Ports interface {
	// CreatePort makes a port from a request body, checked and defaulted as the API would.
	CreatePort(ctx context.Context, tx *db.Tx, c *Caller, raw map[string]any) (db.Doc, error)
	// RemovePort deletes a port and frees its addresses.
	RemovePort(ctx context.Context, tx *db.Tx, c *Caller, port db.Doc) error
}

// Hosts is the record of the MidoNet hosts agents registered.
type Hosts interface {
	// Host returns one host, or nil when there is no such host.
	Host(ctx context.Context, id string) (*model.Host, error)
	// Hosts returns every host.
	Hosts(ctx context.Context) ([]model.Host, error)
}

// Unwrapper is a collection that decorates another (quota enforcement): the API finds the
// optional capabilities (Actioner, Getter, Expander, ProjectDefaults) on what it wraps.
type Unwrapper interface {
	Unwrap() Collection
}

// As finds the capability T of a collection, looking through decorators.
func As[T any](c Collection) (T, bool) {
	for c != nil {
		if v, ok := c.(T); ok {
			return v, true
		}
		u, ok := c.(Unwrapper)
		if !ok {
			break
		}
		c = u.Unwrap()
	}
	var zero T
	return zero, false
}
