package app

import (
	"context"
	"log/slog"

	"github.com/midonet-go/midonet/internal/api"
	"github.com/midonet-go/midonet/internal/auth"
	"github.com/midonet-go/midonet/internal/config"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/core"
	"github.com/midonet-go/midonet/internal/plugin/l3"
	"github.com/midonet-go/midonet/internal/plugin/quota"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
)

// apiParts are what the Neutron API server is built from.
type apiParts struct {
	cfg     *config.Config
	db      *db.DB
	catalog *resource.Catalog
	auth    auth.Authenticator
	noauth  bool
	policy  *policy.Enforcer
	log     *slog.Logger
	hosts   plugin.Hosts
	writes  plugin.Writer
	tasks   bool
}

// newAPI builds the API server with the core plugin and what [DEFAULT] service_plugins
// loads: the L3 plugin and the services (LoadedServices).
func newAPI(p apiParts) (*api.Server, *core.Plugin, error) {
	loaded, err := LoadedServices(p.cfg)
	if err != nil {
		return nil, nil, err
	}
	corePlugin := core.New(CoreSettings(p.cfg))
	corePlugin.OnPortDelete = append(corePlugin.OnPortDelete, portDeleteHooks(loaded.Services)...)
	// The L3 plugin keeps its hooks on the core plugin (a port's delete clears its floating
	// IPs) even when service_plugins leaves routers unserved: the data stays consistent.
	l3Plugin := l3.New(l3.Settings{
		MaxRoutes:           p.cfg.Int("DEFAULT", "max_routes"),
		EnableSNATByDefault: p.cfg.Bool("DEFAULT", "enable_snat_by_default"),
	}, corePlugin)
	cols := corePlugin.Collections()
	var exts []resource.Extension
	if loaded.L3 {
		cols = append(cols, l3Plugin.Collections()...)
		exts = append(exts, l3.Extensions...)
	}
	cols = serviceCollections(plugin.Deps{Config: p.cfg, Hosts: p.hosts, Ports: corePlugin}, cols, loaded.Services)
	srv := api.New(&api.Server{
		DB: p.db, Auth: p.auth, Policy: p.policy, NoAuth: p.noauth, Log: p.log, Catalog: p.catalog,
		Quotas:     quota.New(p.catalog, QuotaDefaults(p.cfg, p.catalog)),
		Extensions: resource.NewRegistry(append(exts, serviceExtensions(loaded.Services)...)...),
		Writes:     p.writes,
		WriteTasks: p.tasks,
		Limits: api.Limits{
			MaxBody:    int64(p.cfg.Int(config.GroupOsloMiddleware, "max_request_body_size")),
			BodyMemory: int64(p.cfg.Int("DEFAULT", "max_request_body_memory")),
		},
	}, cols...)
	return srv, corePlugin, nil
}

// InProcessAPI is the Neutron API of `midonet serve` — the same configuration, catalogue,
// policy, plugins and services — on the SQLite (or configured) database under o.DataDir,
// without a backend: nothing is journaled or translated, and no hosts are registered. Tests
// drive it through an in-process transport and run the same test bodies against the real
// binary. done closes the database.
func InProcessAPI(ctx context.Context, o Options) (srv *api.Server, done func(), err error) {
	cfg, err := LoadConfig(o)
	if err != nil {
		return nil, nil, err
	}
	cat, err := Catalog()
	if err != nil {
		return nil, nil, err
	}
	cacheBytes, err := docCacheBytes(cfg)
	if err != nil {
		return nil, nil, err
	}
	db.SetDocCacheBytes(cacheBytes)
	d, err := OpenDB(ctx, cfg, o.DataDir)
	if err != nil {
		return nil, nil, err
	}
	if _, err := d.Upgrade(ctx); err != nil {
		d.Close()
		return nil, nil, err
	}
	enf, err := Policy(cfg, o.ConfigFiles)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	authn, noauth, err := Authenticator(cfg)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	log := o.Log
	if log == nil {
		log = quiet
	}
	srv, _, err = newAPI(apiParts{cfg: cfg, db: d, catalog: cat, auth: authn, noauth: noauth, policy: enf, log: log,
		hosts: noHosts{}, writes: d})
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	return srv, func() { d.Close() }, nil
}

// noHosts is the hosts record of a server without an NSDB: empty.
type noHosts struct{}

func (noHosts) Host(context.Context, string) (*model.Host, error) { return nil, nil }
func (noHosts) Hosts(context.Context) ([]model.Host, error)       { return nil, nil }
