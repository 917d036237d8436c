// Package app wires the roles together from configuration: it loads neutron.conf-style files,
// opens and migrates the database, builds the policy enforcer, the authenticator, the plugins
// and the API server, and runs them. cmd/midonet only parses flags and calls in here.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/midonet-go/midonet/internal/api"
	"github.com/midonet-go/midonet/internal/auth"
	"github.com/midonet-go/midonet/internal/config"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/plugin/core"
	"github.com/midonet-go/midonet/internal/plugin/l3"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
)

// Options are the command-line settings shared by serve and db-manage.
type Options struct {
	ConfigFiles []string
	DataDir     string
	BindHost    string // "" = from config, else 127.0.0.1
	BindPort    int    // 0 = from config
	Log         *slog.Logger
}

// LoadConfig reads the configuration files. Without any, the server runs noauth on the
// embedded database, as a first-time user expects.
func LoadConfig(o Options) (*config.Config, error) {
	cfg, err := config.Load(config.DefaultRegistry(), o.ConfigFiles...)
	if err != nil {
		return nil, err
	}
	if len(o.ConfigFiles) == 0 {
		if err := cfg.Set("DEFAULT", "auth_strategy", "noauth"); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// OpenDB opens the configured database (the SQLite file under the data directory by default).
func OpenDB(ctx context.Context, cfg *config.Config, dataDir string) (*db.DB, error) {
	return db.Open(ctx, cfg.String(config.GroupDatabase, "connection"), dataDir)
}

// CoreSettings reads the core plugin's settings from configuration.
func CoreSettings(cfg *config.Config) core.Settings {
	s := core.DefaultSettings()
	s.BaseMAC = cfg.String("DEFAULT", "base_mac")
	s.GlobalPhysnetMTU = cfg.Int("DEFAULT", "global_physnet_mtu")
	s.TunnelProtocol = cfg.String(config.GroupMidonet, "tunnel_protocol")
	s.TypeDrivers = cfg.List(config.GroupML2, "type_drivers")
	s.TenantNetworkTypes = cfg.List(config.GroupML2, "tenant_network_types")
	s.ExternalNetworkType = cfg.String(config.GroupML2, "external_network_type")
	s.MaxDNSNameservers = cfg.Int("DEFAULT", "max_dns_nameservers")
	s.MaxSubnetHostRoutes = cfg.Int("DEFAULT", "max_subnet_host_routes")
	s.MaxAllowedAddrPairs = cfg.Int("DEFAULT", "max_allowed_address_pair")
	for _, k := range core.QuotaResources {
		if _, ok := config.DefaultRegistry().Lookup(config.GroupQuotas, "quota_"+k); ok {
			s.Quotas[k] = cfg.Int(config.GroupQuotas, "quota_"+k)
		} else {
			s.Quotas[k] = cfg.Int(config.GroupQuotas, "default_quota")
		}
	}
	return s
}

// Policy builds the enforcer: defaults overlaid with [oslo_policy] policy_file when present.
func Policy(cfg *config.Config, configFiles []string) (*policy.Enforcer, error) {
	overrides := map[string]string{}
	name := cfg.String(config.GroupOsloPolicy, "policy_file")
	path := name
	if !filepath.IsAbs(path) {
		path = ""
		for i := len(configFiles) - 1; i >= 0 && path == ""; i-- {
			cand := filepath.Join(filepath.Dir(configFiles[i]), name)
			if _, err := os.Stat(cand); err == nil {
				path = cand
			}
		}
		if path == "" {
			if _, err := os.Stat(name); err == nil {
				path = name
			}
		}
	}
	if path != "" {
		if _, err := os.Stat(path); err == nil {
			rules, err := policy.LoadFile(path)
			if err != nil {
				return nil, fmt.Errorf("app: policy file %s: %w", path, err)
			}
			overrides = rules
		} else if cfg.IsSet(config.GroupOsloPolicy, "policy_file") {
			return nil, fmt.Errorf("app: policy file %s: %w", path, err)
		}
	} else if cfg.IsSet(config.GroupOsloPolicy, "policy_file") {
		return nil, fmt.Errorf("app: policy file %s not found", name)
	}
	return policy.New(overrides)
}

// Authenticator builds the configured authenticator.
func Authenticator(cfg *config.Config) (auth.Authenticator, bool, error) {
	switch s := cfg.String("DEFAULT", "auth_strategy"); s {
	case "noauth":
		return auth.NoAuth(), true, nil
	case "keystone":
		opts, err := auth.OptionsFromConfig(cfg)
		if err != nil {
			return nil, false, err
		}
		k, err := auth.NewKeystone(opts)
		if err != nil {
			return nil, false, err
		}
		return k, false, nil
	default:
		return nil, false, fmt.Errorf("app: [DEFAULT] auth_strategy %q: want keystone or noauth", s)
	}
}

// Server is a running API server.
type Server struct {
	API  *api.Server
	DB   *db.DB
	Addr string
	http *http.Server
	ln   net.Listener
}

// NewServer builds everything serve needs, applying migrations first.
func NewServer(ctx context.Context, o Options) (*Server, error) {
	log := o.Log
	if log == nil {
		log = slog.Default()
	}
	cfg, err := LoadConfig(o)
	if err != nil {
		return nil, err
	}
	for _, u := range cfg.Unknown() {
		log.Warn("unknown configuration option ignored", "option", u)
	}
	d, err := OpenDB(ctx, cfg, o.DataDir)
	if err != nil {
		return nil, err
	}
	if applied, err := d.Upgrade(ctx); err != nil {
		d.Close()
		return nil, err
	} else if len(applied) > 0 {
		log.Info("database schema upgraded", "applied", applied, "engine", d.Dialect.String())
	}
	enf, err := Policy(cfg, o.ConfigFiles)
	if err != nil {
		d.Close()
		return nil, err
	}
	authn, noauth, err := Authenticator(cfg)
	if err != nil {
		d.Close()
		return nil, err
	}
	corePlugin := core.New(CoreSettings(cfg))
	l3Plugin := l3.New(l3.Settings{
		MaxRoutes:           cfg.Int("DEFAULT", "max_routes"),
		EnableSNATByDefault: cfg.Bool("DEFAULT", "enable_snat_by_default"),
	}, corePlugin)
	cols := append(corePlugin.Collections(), l3Plugin.Collections()...)
	srv := api.New(&api.Server{
		DB: d, Auth: authn, Policy: enf, NoAuth: noauth, Core: corePlugin, Log: log,
		Extensions: resource.NewRegistry(l3.Extensions...),
	}, cols...)

	host := o.BindHost
	if host == "" {
		host = "127.0.0.1"
		if cfg.IsSet("DEFAULT", "bind_host") {
			host = cfg.String("DEFAULT", "bind_host")
		}
	}
	port := o.BindPort
	if port == 0 {
		port = cfg.Int("DEFAULT", "bind_port")
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("app: listen on %s: %w", addr, err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second}
	return &Server{API: srv, DB: d, Addr: ln.Addr().String(), http: hs, ln: ln}, nil
}

// Run serves until ctx is done, then shuts down gracefully.
func (s *Server) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.ln) }()
	select {
	case err := <-errc:
		s.DB.Close()
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.http.Shutdown(shutdown)
	if cerr := s.DB.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
