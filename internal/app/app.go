// Package app wires the roles together from configuration: it loads neutron.conf-style files,
// opens and migrates the database, builds the policy enforcer, the authenticator, the plugins
// and the API server, and runs them. cmd/midonet only parses flags and calls in here.
package app

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	stdlog "log"
	"log/slog"
	"maps"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/midonet-go/midonet/internal/agent"
	"github.com/midonet-go/midonet/internal/api"
	"github.com/midonet-go/midonet/internal/auth"
	"github.com/midonet-go/midonet/internal/buildinfo"
	"github.com/midonet-go/midonet/internal/cluster"
	"github.com/midonet-go/midonet/internal/config"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/dbmanage"
	"github.com/midonet-go/midonet/internal/diskguard"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/logging"
	"github.com/midonet-go/midonet/internal/metrics"
	"github.com/midonet-go/midonet/internal/migratev2"
	"github.com/midonet-go/midonet/internal/ml2"
	"github.com/midonet-go/midonet/internal/nova"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/core"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/ui"
)

// Options are the command-line settings shared by serve and db-manage.
type Options struct {
	ConfigFiles []string
	DataDir     string
	BindHost    string // "" = from config, else 127.0.0.1
	BindPort    int    // 0 = from config
	LogJSON     bool   // --log-json: the log in oslo.log's JSON form
	Log         *slog.Logger
	// Roles selects what the process runs; the zero value (serve) runs all of them.
	Roles Roles
	// config, when set, is the loaded configuration NewServer uses (a test looks at what
	// the server read of it).
	config *config.Config
	// loadGate, when set, holds the cluster's start-up load until it is closed (a test looks
	// at the server while it syncs).
	loadGate <-chan struct{}
	// nsdbGate, when set, holds the opening of the embedded NSDB until it is closed (a test
	// looks at the server while its NSDB opens).
	nsdbGate <-chan struct{}
}

// Roles are the parts of the product one process runs.
type Roles struct {
	API, Cluster, Agent bool
}

func (r Roles) all() Roles {
	if !r.API && !r.Cluster && !r.Agent {
		return Roles{API: true, Cluster: true, Agent: true}
	}
	return r
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
	if err := checkPlugins(cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

// OpenDB opens the configured database (the SQLite file under the data directory by default).
// The database knows the catalogue's parent keys and task data types.
func OpenDB(ctx context.Context, cfg *config.Config, dataDir string) (*db.DB, error) {
	cat, err := Catalog()
	if err != nil {
		return nil, err
	}
	d, err := db.Open(ctx, cfg.String(config.GroupDatabase, "connection"), dataDir)
	if err != nil {
		return nil, err
	}
	d.Kinds = cat
	d.SetPool(cfg.Int(config.GroupDatabase, "max_pool_size"), cfg.Int(config.GroupDatabase, "max_overflow"),
		time.Duration(cfg.Int(config.GroupDatabase, "connection_recycle_time"))*time.Second)
	return d, nil
}

// docCacheBytes reads [database] doc_cache_size_mb, the budget of the process's
// decoded-document cache (db.SetDocCacheBytes), in bytes.
func docCacheBytes(cfg *config.Config) (int64, error) {
	mb := cfg.Int(config.GroupDatabase, "doc_cache_size_mb")
	if mb < 0 || int64(mb) > math.MaxInt64>>20 {
		return 0, fmt.Errorf("app: [database] doc_cache_size_mb %d: want 0 (no cache) or a size in MiB", mb)
	}
	return int64(mb) << 20, nil
}

// docCacheState reads the decoded-document cache for /metrics.
func docCacheState() metrics.DocCache {
	s := db.DocCacheReport()
	return metrics.DocCache{Entries: s.Entries, Bytes: s.Bytes, Budget: s.Budget, Hits: s.Hits, Misses: s.Misses}
}

// QuotaDefaults reads the default limit of every quota resource of the catalogue:
// [quotas] quota_<name>, else default_quota.
func QuotaDefaults(cfg *config.Config, cat *resource.Catalog) map[string]int {
	out := map[string]int{}
	for _, r := range cat.Quotas() {
		if _, ok := config.DefaultRegistry().Lookup(config.GroupQuotas, "quota_"+r.Quota); ok {
			out[r.Quota] = cfg.Int(config.GroupQuotas, "quota_"+r.Quota)
		} else {
			out[r.Quota] = cfg.Int(config.GroupQuotas, "default_quota")
		}
	}
	return out
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
	s.ML2, _ = ML2Config(cfg) // LoadConfig refused a configuration it cannot read
	return s
}

// ML2Config reads the vxlan, vlan and flat type drivers' configuration.
func ML2Config(cfg *config.Config) (*ml2.Config, error) { return ml2.FromConfig(cfg) }

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
	return policy.New(overrides, ServicePolicies()...)
}

// Authenticator builds the configured authenticator.
func Authenticator(cfg *config.Config) (auth.Authenticator, bool, error) {
	switch s := cfg.String("DEFAULT", "auth_strategy"); s {
	case "noauth":
		return auth.NoAuth(), true, nil
	case "keystone":
		k, err := keystone(cfg)
		if err != nil && !cfg.IsSet(config.DefaultGroup, "auth_strategy") {
			return nil, false, fmt.Errorf("app: [DEFAULT] auth_strategy is not set in the configuration files, so it is "+
				"keystone (Neutron's default), which needs [keystone_authtoken] auth_url, username, password and "+
				"project_name; set auth_strategy = noauth to run without authentication: %w", err)
		}
		return k, false, err
	default:
		return nil, false, fmt.Errorf("app: [DEFAULT] auth_strategy %q: want keystone or noauth", s)
	}
}

// keystone builds the Keystone authenticator from [keystone_authtoken].
func keystone(cfg *config.Config) (auth.Authenticator, error) {
	opts, err := auth.OptionsFromConfig(cfg)
	if err != nil {
		return nil, err
	}
	return auth.NewKeystone(opts)
}

// Server is a running `midonet serve`: the API, the NSDB, the cluster and their loops.
type Server struct {
	API            *api.Server
	DB             *db.DB
	NSDB           *nsdb.Store
	Cluster        *cluster.Cluster
	Consumer       *cluster.Consumer // nil with the REST client
	Metrics        *metrics.Metrics
	Addr           string
	scheme         string         // http, or https with [ssl] cert_file
	RESTAddr       string         // the cluster's REST endpoint (host:port); "" without it
	Tasks          bool           // the task client is in use
	Agent          *agent.Agent   // the agent of this host
	UI             *ui.Handler    // the topology page under /ui/ (API role)
	portStatus     *portStatus    // ports' status from the agents' activity
	nova           *nova.Notifier // tells Nova of its servers' ports (nil: not configured)
	log            *slog.Logger
	http           *http.Server
	ln             net.Listener
	restHTTP       *http.Server // the cluster's REST endpoint, on its own listener
	restLn         net.Listener
	reconcileEvery time.Duration
	drainTimeout   time.Duration      // [DEFAULT] graceful_shutdown_timeout; 0: no limit
	inflight       atomic.Int64       // requests the API listener is serving
	restInflight   atomic.Int64       // requests the REST endpoint is serving
	requests       context.Context    // the requests' base context: ends when they are cut at stop
	cancelRequests context.CancelFunc // cancels the contexts of the requests in flight
	nsdbKind       string             // "embedded" or the external endpoints
	backendURL     string             // where the API reaches the cluster ("" when in process)
	dataDir        string
	owner          *owner // the data directory's lock
	mux, restMux   *http.ServeMux
	front          switchable    // what the API listener serves: notReady, then mux
	restFront      switchable    // what the REST listener serves: notReady, then restMux
	phase          atomic.Value  // string: what notReady says the server is doing
	errc           chan error    // the listeners' Serve results
	vxgwEvery      time.Duration // the hardware VTEP service's period (0: off)
	roles          Roles
	leadership     nsdb.Leadership // held by the cluster role
	tunnelProtocol string          // [MIDONET] tunnel_protocol, applied once the cluster loaded
	synced         chan struct{}   // closed once the cluster and the agent have loaded (sync.go)
	loadGate       <-chan struct{} // Options.loadGate
	statusPending  atomic.Int32    // status loops that have not made their first pass yet (sync.go)
	nsdbOpening    nsdbOpening     // the embedded NSDB's open in the background (sync.go)
	repaired       chan struct{}   // closed after the reconciliation's first pass (sync.go: releaseStartupPeak)
}

// URL is the API's base URL (https with [ssl] cert_file and key_file).
func (s *Server) URL() string { return s.scheme + "://" + s.Addr }

// leaderID names this process in the cluster election.
func leaderID() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}

// waitRemote waits for a task through the NSDB's record of the last applied task (an API
// server whose cluster runs elsewhere).
func (s *Server) waitRemote(ctx context.Context, id int64) error {
	for {
		kv, err := s.NSDB.Get(ctx, nsdb.LastTaskKey)
		if err == nil && kv != nil {
			if n, _ := strconv.ParseInt(string(kv.Value), 10, 64); n >= id {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// NewServer builds everything serve needs, applying migrations first.
func NewServer(ctx context.Context, o Options) (*Server, error) {
	log := o.Log
	if log == nil {
		log = slog.Default()
	}
	cfg, err := o.config, error(nil)
	if cfg == nil {
		if cfg, err = LoadConfig(o); err != nil {
			return nil, err
		}
	}
	rest, err := restSettings(cfg, o.Roles.all())
	if err != nil {
		return nil, err
	}
	cat, err := Catalog()
	if err != nil {
		return nil, err
	}
	// What the configuration alone can refuse is refused before anything is opened.
	enf, err := Policy(cfg, o.ConfigFiles)
	if err != nil {
		return nil, err
	}
	authn, noauth, err := Authenticator(cfg)
	if err != nil {
		return nil, err
	}
	cacheBytes, err := docCacheBytes(cfg)
	if err != nil {
		return nil, err
	}
	roles := o.Roles.all()
	s := &Server{log: log, roles: roles, synced: make(chan struct{}), repaired: make(chan struct{}), loadGate: o.loadGate,
		reconcileEvery: time.Duration(cfg.Int(config.GroupMidonet, "reconcile_interval")) * time.Second,
		drainTimeout:   time.Duration(cfg.Int(config.DefaultGroup, "graceful_shutdown_timeout")) * time.Second,
		nsdbKind:       "embedded etcd under " + filepath.Join(o.DataDir, "etcd")}
	if eps := cfg.List(config.GroupMidonet, "etcd_endpoints"); len(eps) > 0 {
		s.nsdbKind = "etcd " + strings.Join(eps, ",")
	}
	ok := false
	defer func() {
		if !ok {
			s.close()
		}
	}()
	// One server per data directory; then the addresses: a second server, or a port in
	// use, stops here with one message, before the database is opened or upgraded.
	if s.owner, err = claimDataDir(o.DataDir, roles.command()); err != nil {
		return nil, err
	}
	what, options := "the Neutron API", "[DEFAULT] bind_host and bind_port, or --bind-host and --bind-port"
	if !roles.API {
		what, options = "the cluster's /healthcheck and /metrics", "[DEFAULT] bind_host and [MIDONET] cluster_status_port, or --bind-host and --bind-port"
	}
	tc, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}
	if s.ln, err = listen(what, apiAddr(cfg, o, roles), options); err != nil {
		return nil, err
	}
	s.Addr, s.scheme = s.ln.Addr().String(), "http"
	if tc != nil {
		s.ln, s.scheme = tls.NewListener(s.ln, tc), "https"
	}
	if err := s.owner.record(s.URL()); err != nil {
		return nil, err
	}
	if rest != nil {
		if s.restLn, err = listen("the cluster's REST endpoint", rest.addr, "[MIDONET] cluster_rest_bind_host and cluster_rest_port"); err != nil {
			return nil, err
		}
	}
	s.serve(cfg)
	db.SetDriverLogger(log)
	db.SetDocCacheBytes(cacheBytes)
	d, err := OpenDB(ctx, cfg, o.DataDir)
	if err != nil {
		return nil, err
	}
	s.DB = d
	if applied, err := d.Upgrade(ctx); err != nil {
		return nil, err
	} else if len(applied) > 0 {
		log.Info("database schema upgraded", "applied", applied, "engine", d.Dialect.String())
	}
	// networking-midonet's v2 plugin rows, once (seed 4): the ML2 driver converted them when
	// neutron-server first started with it.
	if roles.API {
		if _, err := migratev2.Run(ctx, d, log); err != nil {
			return nil, err
		}
	}
	embeddedEtcd := len(cfg.List(config.GroupMidonet, "etcd_endpoints")) == 0
	if embeddedEtcd {
		// The embedded etcd rebuilds its key index when it starts (seconds at 100,000
		// ports): it opens in the background, and what reads it says "syncing" meanwhile.
		if quota := cfg.Int(config.GroupMidonet, "nsdb_quota_bytes"); quota < 0 {
			return nil, fmt.Errorf("app: [MIDONET] nsdb_quota_bytes %d: want 0 (etcd's default) or a size in bytes", quota)
		}
		s.NSDB = nsdb.Opening()
		s.openNSDBInBackground(cfg, o.DataDir, o.nsdbGate)
	} else if s.NSDB, err = openServerNSDB(ctx, cfg, o.DataDir, log, toolWait, nil); err != nil {
		return nil, err
	}
	s.Tasks = isTasksClient(cfg.String(config.GroupMidonet, "client"))
	if roles.API && s.Tasks {
		if err := writeConfigTask(ctx, d, cfg); err != nil {
			return nil, err
		}
	}
	s.Metrics = metrics.New(cat.Paths(), func() float64 { return s.backlog() })
	// While the NSDB opens, /metrics has no BGP or datapath series (rather than failing).
	s.Metrics.RegisterBgpSessions(func() ([]metrics.BgpSession, error) {
		if !s.NSDB.IsOpen() {
			return nil, nil
		}
		return bgpSessions(s.NSDB)
	})
	s.Metrics.RegisterDatapaths(func() ([]metrics.Datapath, error) {
		if !s.NSDB.IsOpen() {
			return nil, nil
		}
		return datapaths(s.NSDB)
	})
	s.Metrics.RegisterWriteGroups(d.GroupStats, nil)
	s.Metrics.RegisterDocCache(docCacheState)
	s.Metrics.RegisterUnindexedLookups(d.UnindexedLookups)
	s.Metrics.RegisterWholeReads(func() map[string]int64 {
		reads := d.WholeReads()
		maps.DeleteFunc(reads, func(kind string, _ int64) bool { r := cat.Get(kind); return r != nil && r.Few })
		return reads
	})
	if roles.Cluster {
		if s.Cluster, err = cluster.New(s.NSDB, cat, Translators(), log); err != nil {
			return nil, err
		}
		// On a shared etcd, one cluster writes the topology at a time; others wait here as
		// standbys and take over when the leader's lease ends. The embedded etcd belongs to
		// this process alone, so there is nobody to elect against.
		if len(cfg.List(config.GroupMidonet, "etcd_endpoints")) > 0 {
			id := leaderID()
			s.phase.Store("a standby, waiting for the cluster leadership")
			log.Info("campaigning for cluster leadership", "id", id)
			s.leadership, err = s.NSDB.Campaign(ctx, "cluster", id, time.Duration(cfg.Int(config.GroupMidonet, "cluster_lease_ttl"))*time.Second)
			if err != nil {
				return nil, fmt.Errorf("app: cluster leadership: %w", err)
			}
			log.Info("cluster leadership won", "id", id)
			s.phase.Store("starting")
			s.Cluster.SetLeader(s.leadership.Guard())
		}
		// The topology is loaded by Run, in the background (loadCluster): the API answers
		// from its own database meanwhile, as neutron-server does while its agents sync.
		s.Cluster.SetDB(d)
		s.Cluster.ObserveApply(func(d time.Duration) { s.Metrics.Translation.Observe(d.Seconds()) })
		s.Metrics.RegisterWriteGroups(nil, s.Cluster.GroupStats)
		s.Metrics.RegisterPipelined(s.Cluster.PipelinedApplies)
		s.tunnelProtocol = cfg.String(config.GroupMidonet, "tunnel_protocol")
	}

	// The embedded databases stop short of a full disk: writes answer 503 below the reserve.
	var guarded []string
	if d.Path != "" {
		guarded = append(guarded, filepath.Dir(d.Path))
	}
	if embeddedEtcd {
		guarded = append(guarded, filepath.Join(o.DataDir, "etcd"))
	}
	space := diskguard.New(guarded, cfg.Int("DEFAULT", "min_free_disk_mb"), log)
	if embeddedEtcd {
		s.NSDB.SetWriteGuard(space.Check) // the cluster's and agent's writes too
	}

	srv, corePlugin, err := newAPI(apiParts{cfg: cfg, db: d, catalog: cat, auth: authn, noauth: noauth, policy: enf, log: log,
		hosts: nsdbHosts{s.NSDB}, tasks: s.Tasks,
		writes: plugin.GatedWriter{Writer: d, InTx: dbmanage.CheckWritable,
			Before: func(context.Context) error { return space.Check() },
			Probe:  func(ctx context.Context) error { return readOnlyGate(ctx, d) }},
	})
	if err != nil {
		return nil, err
	}
	// A write's apply after its commit ends with the server's cut at stop, never because
	// its client went away.
	srv.Lifetime = s.requests
	s.API = srv
	s.portStatus = &portStatus{api: srv, core: corePlugin}
	if s.NSDB != nil {
		s.portStatus.applied = portApplied(s.NSDB)
	}
	if roles.API {
		if s.nova, err = newNotifier(cfg, d, log); err != nil {
			return nil, err
		}
		if s.nova != nil {
			srv.Observe = func(ctx context.Context, coll string, before, after db.Doc) { s.nova.Changed(ctx, coll, before, after) }
			s.portStatus.changed = func(p db.Doc, previous string) { s.nova.PortStatus(p, previous) }
		}
	}
	s.vxgwEvery = time.Duration(cfg.Int(config.GroupMidonet, "vxgw_sync_interval")) * time.Second

	timeout := time.Duration(cfg.Int(config.GroupMidonet, "apply_timeout")) * time.Second
	mux := http.NewServeMux()
	mux.Handle("/metrics", s.Metrics.Handler())
	user, pw := cfg.String(config.GroupMidonet, "username"), cfg.String(config.GroupMidonet, "password")
	if roles.Cluster && s.Tasks {
		s.Consumer = &cluster.Consumer{Cluster: s.Cluster, DB: d, Log: log}
	}
	if rest != nil {
		// The cluster's REST endpoint has a listener of its own (loopback by default): it
		// can rewrite any project's topology, so it is never on the public API port.
		restMux := http.NewServeMux()
		// While the cluster loads the topology, a change waits for it up to half the API's
		// apply_timeout and is then refused 503 (syncing): the API write is undone.
		restMux.Handle("/midonet-api/", &cluster.RESTServer{Cluster: s.Cluster, Username: user, Password: pw,
			TokenTTL: rest.tokenTTL, MaxTokens: rest.maxTokens, SyncWait: timeout / 2})
		s.RESTAddr = s.restLn.Addr().String()
		if a, ok := s.restLn.Addr().(*net.TCPAddr); ok && a.IP.IsUnspecified() {
			// Listening everywhere: this process's own client uses the loopback address.
			s.RESTAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(a.Port))
		}
		s.restMux = restMux
		log.Info("cluster REST endpoint listening", "address", s.restLn.Addr().String(), "path", "/midonet-api")
	}
	switch {
	case s.Tasks && s.Cluster != nil:
		srv.Backend = &tasksBackend{wait: s.Cluster.WaitTask, kick: s.Consumer.Kick, deadline: timeout, log: log}
	case s.Tasks:
		srv.Backend = &tasksBackend{wait: s.waitRemote, deadline: timeout, log: log}
	default:
		uri := cfg.String(config.GroupMidonet, "midonet_uri")
		if !cfg.IsSet(config.GroupMidonet, "midonet_uri") && s.RESTAddr != "" {
			uri = "http://" + s.RESTAddr + "/midonet-api" // the cluster in this process
		}
		if uri != "http://"+s.RESTAddr+"/midonet-api" {
			s.backendURL = uri
		}
		hc := &http.Client{Timeout: timeout}
		if s.backendURL == "" && s.RESTAddr != "" {
			// The cluster in this process: its REST handler is called directly.
			hc.Transport = inProcessTransport{handler: s.restHandler, workers: newWorkers(time.Minute)}
		}
		srv.Backend = &restBackend{log: log, client: &cluster.RESTClient{Catalog: cat, BaseURL: uri, Username: user, Password: pw,
			ProjectID: cfg.String(config.GroupMidonet, "project_id"), HTTP: hc}}
	}
	tb := timedBackend{Backend: srv.Backend, observe: s.Metrics.Applied.Observe}
	if s.Cluster != nil && !s.Tasks {
		tb.stage = s.Metrics.ObserveStage()
	}
	srv.Backend = tb
	checks := serverChecks(d, s.NSDB)
	if s.backendURL != "" {
		checks = append(checks, clusterCheck(s.backendURL))
	}
	mux.Handle("/healthcheck", &health{checks: checks, detailed: cfg.Bool(config.GroupHealthcheck, "detailed"), syncing: s.syncing})
	if roles.Agent {
		if s.Agent, err = NewAgent(cfg, s.NSDB, o.DataDir, "", "", log); err != nil {
			return nil, err
		}
		mux.Handle("/trace", s.traceHandler(authn))
	}
	if roles.API {
		mux.Handle("/", s.Metrics.Middleware(srv))
		s.mountUI(mux, cfg, srv, authn, noauth, log)
	} else {
		mux.Handle("/", notTheAPI{})
	}
	// Tools run beside serve (midonet trace) find it here; close removes it.
	if err := os.WriteFile(filepath.Join(o.DataDir, "serve.url"), []byte(s.URL()+"\n"), 0o644); err != nil {
		log.Warn("could not record the server URL in the data directory", "err", err)
	} else {
		s.dataDir = o.DataDir
	}
	s.mux = mux
	ok = true
	return s, nil
}

// serve starts answering on the listeners at once, 503 while the server starts (or waits
// as a standby for the cluster leadership): a client learns that the process is there but
// not ready, instead of hanging on a listener nobody accepts on. Run puts the real handlers
// in place.
func (s *Server) serve(cfg *config.Config) {
	// Requests run on a context of their own, cancelled only when draining them at stop
	// took longer than graceful_shutdown_timeout; the server counts them to wait for the
	// last one before it closes the stores.
	requests, cancelRequests := context.WithCancel(context.Background())
	s.requests, s.cancelRequests = requests, cancelRequests
	base := func(net.Listener) context.Context { return requests }
	seconds := func(name string) time.Duration { return time.Duration(cfg.Int("DEFAULT", name)) * time.Second }
	s.phase.Store("starting")
	s.front.set(notReady{&s.phase})
	s.errc = make(chan error, 2)
	// A request must arrive whole within request_read_timeout: a stalled upload cannot hold
	// its connection (and its share of the body budget) for longer. No write timeout: a
	// large list or a write waiting for the cluster may take its time to answer.
	s.http = &http.Server{Handler: counted(&s.inflight, logging.AccessLog(s.log, quietPath, &s.front)), BaseContext: base,
		ReadHeaderTimeout: seconds("request_header_timeout"), ReadTimeout: seconds("request_read_timeout"),
		IdleTimeout: seconds("client_socket_timeout"), ErrorLog: serverErrorLog(s.log)}
	if s.UI != nil {
		s.http.RegisterOnShutdown(s.UI.Close) // the page's event streams never go idle
	}
	go func() { s.errc <- s.http.Serve(s.ln) }()
	if s.restLn != nil {
		s.restFront.set(notReady{&s.phase})
		// In serve, every API write makes one call here: those lines are DEBUG, the API's are INFO.
		internal := func(string) bool { return s.roles.API }
		s.restHTTP = &http.Server{Handler: counted(&s.restInflight, logging.AccessLog(s.log, internal, &s.restFront)),
			BaseContext: base, ReadHeaderTimeout: 30 * time.Second, ReadTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
		go func() { s.errc <- s.restHTTP.Serve(s.restLn) }()
	}
}

// serverErrorLog routes net/http's own messages to the server's log: a failed TLS handshake
// (a client that does not trust the certificate, a port scanner) at DEBUG, anything else at
// WARNING.
func serverErrorLog(log *slog.Logger) *stdlog.Logger {
	return stdlog.New(logWriter(func(p []byte) {
		msg := strings.TrimSpace(string(p))
		if strings.Contains(msg, "TLS handshake error") {
			log.Debug(msg)
			return
		}
		log.Warn(msg)
	}), "", 0)
}

type logWriter func([]byte)

func (w logWriter) Write(p []byte) (int, error) { w(p); return len(p), nil }

// apiAddr is where the process's HTTP listener is: the flags, else [DEFAULT] bind_host and
// bind_port (the Neutron API) or [MIDONET] cluster_status_port (a cluster on its own).
func apiAddr(cfg *config.Config, o Options, roles Roles) string {
	host := o.BindHost
	if host == "" {
		host = cfg.String("DEFAULT", "bind_host")
	}
	port := o.BindPort
	switch {
	case port != 0:
	case roles.API:
		port = cfg.Int("DEFAULT", "bind_port")
	default:
		port = cfg.Int(config.GroupMidonet, "cluster_status_port")
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// listen opens a listener, or says in one sentence which address is taken and which options
// set it.
func listen(what, addr, options string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	cause := err
	var se *os.SyscallError
	if errors.As(err, &se) {
		cause = se.Err // "address already in use", without the address twice
	}
	return nil, fmt.Errorf("app: %s cannot listen on %s (%s): %w", what, addr, options, cause)
}

// command names the command that runs these roles.
func (r Roles) command() string {
	switch {
	case r.API && r.Cluster:
		return "serve"
	case r.API:
		return "api"
	case r.Cluster:
		return "cluster"
	}
	return "agent"
}

// quietPath names the paths whose requests are logged at DEBUG rather than INFO: probes and
// scrapes, which come every few seconds.
func quietPath(p string) bool { return p == "/metrics" || p == "/healthcheck" }

// restEndpoint is where and how the cluster's REST endpoint serves.
type restEndpoint struct {
	addr      string
	tokenTTL  time.Duration
	maxTokens int
}

// restSettings reads the REST endpoint's options; nil when this process does not serve it
// (no cluster role, or the task client). It refuses the default (or an empty) password on
// an address other than loopback.
func restSettings(cfg *config.Config, roles Roles) (*restEndpoint, error) {
	if !roles.Cluster || isTasksClient(cfg.String(config.GroupMidonet, "client")) {
		return nil, nil
	}
	host := cfg.String(config.GroupMidonet, "cluster_rest_bind_host")
	if err := cluster.CheckExposure(host, cfg.String(config.GroupMidonet, "password")); err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	port := cfg.Int(config.GroupMidonet, "cluster_rest_port")
	if roles.API && !cfg.IsSet(config.GroupMidonet, "cluster_rest_port") && !cfg.IsSet(config.GroupMidonet, "midonet_uri") {
		// Only the API server of this process calls it: any free port does, and two
		// `midonet serve` on one host do not collide.
		port = 0
	}
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("app: [MIDONET] cluster_rest_port %d: want 0-65535", port)
	}
	ttl := cfg.Int(config.GroupMidonet, "cluster_rest_token_ttl")
	if ttl <= 0 {
		return nil, fmt.Errorf("app: [MIDONET] cluster_rest_token_ttl %d: want a positive number of seconds", ttl)
	}
	maxTokens := cfg.Int(config.GroupMidonet, "cluster_rest_max_tokens")
	if maxTokens <= 0 {
		return nil, fmt.Errorf("app: [MIDONET] cluster_rest_max_tokens %d: want a positive number", maxTokens)
	}
	return &restEndpoint{addr: net.JoinHostPort(host, strconv.Itoa(port)), tokenTTL: time.Duration(ttl) * time.Second,
		maxTokens: maxTokens}, nil
}

// OpenNSDB opens the NSDB: the external etcd cluster [MIDONET] etcd_endpoints names, or the
// embedded one under the data directory.
func OpenNSDB(ctx context.Context, cfg *config.Config, dataDir string, log *slog.Logger) (*nsdb.Store, error) {
	return openNSDB(ctx, cfg, dataDir, log, nsdb.OpenOrConnect)
}

// openServerNSDB is OpenNSDB for a server, which holds the data directory (claimDataDir): an
// embedded NSDB that someone else has open is then a db-manage tool's (a tool starts it when
// no server runs), and a server connected to it would lose its store when the tool exits.
// The server waits for the tool to finish, up to wait, and then says who holds it.
// waiting, when not nil, is called with true when the server starts waiting for another
// process and with false when it stops.
func openServerNSDB(ctx context.Context, cfg *config.Config, dataDir string, log *slog.Logger, wait time.Duration, waiting func(bool)) (*nsdb.Store, error) {
	return openNSDB(ctx, cfg, dataDir, log, func(ctx context.Context, o nsdb.EmbeddedOptions) (*nsdb.Store, error) {
		return openEmbeddedOwned(ctx, o, wait, log, waiting)
	})
}

// openEmbeddedOwned opens the embedded NSDB in o.Dir for this process, waiting up to wait
// while another process has it open (telling waiting, when not nil, that it waits).
func openEmbeddedOwned(ctx context.Context, o nsdb.EmbeddedOptions, wait time.Duration, log *slog.Logger, waiting func(bool)) (*nsdb.Store, error) {
	deadline := time.Now().Add(wait)
	for logged := false; ; logged = true {
		s, err := nsdb.OpenEmbedded(ctx, o)
		if !errors.Is(err, nsdb.ErrLocked) {
			if logged && waiting != nil {
				waiting(false)
			}
			return s, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("app: the embedded NSDB in %s stayed open by another process (a `midonet db-manage` command?) for %s: %w", o.Dir, wait, err)
		}
		if !logged {
			log.Info("waiting for another process (a db-manage command?) to close the embedded NSDB", "dir", o.Dir, "up_to", wait.String())
			if waiting != nil {
				waiting(true)
			}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// openNSDB connects to [MIDONET] etcd_endpoints when set, else opens the embedded NSDB of
// the data directory with embedded.
func openNSDB(ctx context.Context, cfg *config.Config, dataDir string, log *slog.Logger,
	embedded func(context.Context, nsdb.EmbeddedOptions) (*nsdb.Store, error)) (*nsdb.Store, error) {
	if eps := cfg.List(config.GroupMidonet, "etcd_endpoints"); len(eps) > 0 {
		return nsdb.Connect(ctx, eps)
	}
	quota := cfg.Int(config.GroupMidonet, "nsdb_quota_bytes")
	if quota < 0 {
		return nil, fmt.Errorf("app: [MIDONET] nsdb_quota_bytes %d: want 0 (etcd's default) or a size in bytes", quota)
	}
	return embedded(ctx, nsdb.EmbeddedOptions{Dir: filepath.Join(dataDir, "etcd"), Logger: log, QuotaBytes: int64(quota)})
}

// toolWait is how long a server waits at start for a db-manage command that has the
// embedded NSDB open (verify takes seconds to minutes on a large deployment).
const toolWait = 10 * time.Minute

// readOnlyGate answers 503 to writes while `db-manage data-readonly` is in force.
func readOnlyGate(ctx context.Context, d *db.DB) error {
	var ro bool
	// One statement, no transaction: what Writable asks (a write reads the flag inside its
	// own transaction, CheckWritable).
	err := d.ReadRow(ctx, "SELECT readonly FROM midonet_data_state WHERE id = 1").Scan(&ro)
	if err != nil {
		return fmt.Errorf("app: read-only flag: %w", err)
	}
	if ro {
		return fault.ServiceUnavailable("The Neutron API is read-only while MidoNet data is being maintained (midonet db-manage data-readonly); try again later.")
	}
	return nil
}

// backlog counts tasks not yet applied.
func (s *Server) backlog() float64 {
	if !s.Tasks {
		return 0
	}
	var maxID sql.NullInt64
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.DB.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT MAX(id) FROM midonet_tasks").Scan(&maxID)
	})
	var last int64
	if s.Cluster != nil {
		last = s.Cluster.LastTask()
	} else if !s.NSDB.IsOpen() {
		return 0 // not known yet
	} else if kv, err := s.NSDB.Get(ctx, nsdb.LastTaskKey); err == nil && kv != nil {
		last, _ = strconv.ParseInt(string(kv.Value), 10, 64)
	}
	if n := maxID.Int64 - last; n > 0 {
		return float64(n)
	}
	return 0
}

// reconcile verifies (task client) or repairs (REST client) drift now and then: with the REST
// client a crash between a commit and its REST call heals here.
func (s *Server) reconcile(ctx context.Context) {
	// At start, the full repair (REST client: a crash between a commit and its REST call
	// heals here); then a cheap comparison of resources with the cluster's copies, which
	// never holds writes up for long. `midonet db-manage verify` checks every object.
	// midonet_drift follows every pass: what it leaves different (found and not repaired,
	// or repaired but skipped because the NSDB cannot take it).
	if !s.Tasks {
		// In batches: the API's writes go on meanwhile (Cluster.StartupRepair).
		n, skipped, err := s.Cluster.StartupRepair(ctx, s.DB)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("startup repair failed", "err", err)
		case n > 0 || len(skipped) > 0:
			s.log.Info("startup repair fixed drift", "differences", n, "skipped", len(skipped))
		}
		if err == nil {
			s.Metrics.Drift.Set(float64(len(skipped)))
		}
	}
	run := func() {
		n, skipped, err := s.Cluster.Heal(ctx, s.DB, !s.Tasks)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("reconciliation failed", "err", err)
			}
			return
		}
		left := n
		if !s.Tasks {
			left = len(skipped)
		}
		s.Metrics.Drift.Set(float64(left))
		if n > 0 {
			s.log.Info("reconciliation found drift", "differences", n, "repaired", !s.Tasks, "skipped", len(skipped))
		}
	}
	run()
	close(s.repaired)
	t := time.NewTicker(s.reconcileEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			run()
		}
	}
}

// Run serves until ctx is done (SIGTERM, SIGINT), then stops in order: it stops accepting
// and lets the API requests in flight finish ([DEFAULT] graceful_shutdown_timeout; past it
// their contexts are cancelled), then stops the loops (task consumer, reconciliation, port
// status, the agent), then (task client, API and cluster in one process) applies the tasks
// the API committed that the consumer had not reached, then drains the cluster's REST
// endpoint, which API requests call until they are done, and only then closes the NSDB and
// the database.
func (s *Server) Run(ctx context.Context) error {
	loops, stopLoops := context.WithCancel(context.Background())
	defer stopLoops()
	var wg sync.WaitGroup
	syncFailed := make(chan error, 1)
	failed := func(err error) {
		select {
		case syncFailed <- err:
		default: // one reason to stop is enough
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := s.waitNSDB(loops); err != nil && loops.Err() == nil {
			failed(err)
		}
	}()
	if s.Cluster != nil {
		// The topology loads in the background; the consumer and the reconciliation start
		// once it has (until then a change sent to the REST endpoint waits or is refused
		// 503, and a task stays in the journal).
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.loadCluster(loops); err != nil {
				if loops.Err() == nil {
					failed(err)
				}
				return
			}
			if s.Consumer != nil {
				wg.Add(1)
				go func() { defer wg.Done(); _ = s.Consumer.Run(loops) }()
			}
			if s.DB != nil && s.vxgwEvery > 0 {
				wg.Add(1)
				go func() { defer wg.Done(); s.vxgwLoop(ctx, s.vxgwEvery) }()
			}
			s.reconcile(loops)
		}()
	}
	wg.Add(1)
	go func() { defer wg.Done(); s.awaitSync(loops) }()
	wg.Add(1)
	go func() { defer wg.Done(); s.releaseStartupPeak(loops) }()
	if s.roles.API {
		s.statusPending.Store(3)
		// Statuses follow the agents' activity and the cluster's copies: they start once
		// this process's cluster and agent have loaded, so that a port does not go DOWN
		// only because the agent of this host has not plugged it again yet.
		wg.Add(1)
		go func() { defer wg.Done(); s.afterSync(loops, s.portStatusLoop) }() // each calls statusStarted once
		wg.Add(1)
		go func() { defer wg.Done(); s.afterSync(loops, s.routerPortStatusLoop) }()
		wg.Add(1)
		go func() { defer wg.Done(); s.afterSync(loops, s.ipsecStatusLoop) }()
	}
	if s.Agent != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.waitNSDB(loops) == nil {
				_ = s.Agent.Run(loops)
			}
		}()
	}
	if s.nova != nil {
		// Stops with the loops, after the API drained: the last requests' events still go.
		wg.Add(1)
		go func() { defer wg.Done(); s.nova.Run(loops) }()
	}
	errc := s.errc
	s.front.set(s.mux)
	if s.restHTTP != nil {
		s.restFront.set(s.restMux)
	}
	s.logStart()
	var lost <-chan struct{} // nil (never ready) without the cluster role
	if s.leadership != nil {
		lost = s.leadership.Done()
	}
	var err error
	select {
	case err = <-errc:
		s.log.Error("a listener failed; stopping", "err", err)
	case err = <-syncFailed:
		s.log.Error("the NSDB could not be opened or the cluster could not load the topology; stopping", "err", err)
	case <-lost:
		// Another cluster may already be writing: stop, so that a supervisor restarts this
		// process as a standby.
		s.log.Error("cluster leadership lost; stopping")
		err = errors.New("app: cluster leadership lost")
	case <-ctx.Done():
		s.log.Info("stopping: no new requests; waiting for those in flight", "timeout", s.drainTimeout)
	}
	if derr := s.drainServer(s.http, &s.inflight); derr != nil && err == nil {
		err = derr
	}
	stopLoops()
	wg.Wait()
	if s.Consumer != nil && s.roles.API && s.Cluster.IsLoaded() {
		// (A cluster stopped before it loaded applies the journal at its next start.)
		s.finishTasks()
	}
	if s.restHTTP != nil {
		// Nothing in this process calls the REST endpoint any more: the API and the loops
		// are done. A `midonet cluster` drains the calls of remote API servers here.
		_ = s.drainServer(s.restHTTP, &s.restInflight)
	}
	if cerr := s.close(); err == nil {
		err = cerr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if err == nil {
		s.log.Info("stopped")
	}
	return err
}

// finishTasks applies, once the API has drained and the loops stopped, the tasks the API
// committed that the consumer had not reached: a request whose client went away did not
// wait for its task, and without this the stopped stores would differ until the next start
// (`db-manage verify` reports such tasks as pending, not as drift). Bounded by
// graceful_shutdown_timeout (60 s when that is 0).
func (s *Server) finishTasks() {
	timeout := s.drainTimeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var maxID sql.NullInt64
	if err := s.DB.Read(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, "SELECT MAX(id) FROM midonet_tasks").Scan(&maxID)
	}); err != nil {
		s.log.Warn("stopping: could not read the task journal; pending tasks are applied at the next start", "err", err)
		return
	}
	last := s.Cluster.LastTask()
	if maxID.Int64 <= last {
		return
	}
	s.log.Info("stopping: applying the tasks committed before the stop", "tasks", maxID.Int64-last, "last_applied", last, "last_committed", maxID.Int64)
	if err := s.Consumer.Finish(ctx, maxID.Int64); err != nil {
		s.log.Warn("stopping: tasks left in the journal; the cluster applies them when it starts",
			"last_applied", s.Cluster.LastTask(), "last_committed", maxID.Int64, "err", err)
	}
}

// drainServer stops a listener and waits for the requests in flight: up to drainTimeout (0:
// no limit), then their contexts are cancelled and the connections closed, and it waits for
// the handlers to return, so that nothing still runs when the stores close.
func (s *Server) drainServer(srv *http.Server, inflight *atomic.Int64) error {
	ctx := context.Background()
	if s.drainTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.drainTimeout)
		defer cancel()
	}
	err := srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		s.log.Warn("requests still in flight after graceful_shutdown_timeout; cancelling them",
			"requests", inflight.Load(), "timeout", s.drainTimeout)
		s.cancelRequests()
		_ = srv.Close()
		err = nil
	}
	// Shutdown returns once connections are idle or closed; a handler whose connection was
	// closed may still be running.
	for inflight.Load() > 0 {
		time.Sleep(10 * time.Millisecond)
	}
	return err
}

// logStart says once what this process serves, and where.
func (s *Server) logStart() {
	common := []any{"url", s.URL(), "version", buildinfo.Get().String(), "pid", os.Getpid(),
		"database", s.DB.Dialect.String(), "nsdb", s.nsdbKind}
	switch {
	case s.roles.API && s.roles.Cluster:
		s.log.Info("serving the Neutron API", append(common, "cluster", s.clusterKind())...)
	case s.roles.API:
		cluster := s.backendURL
		if s.Tasks {
			cluster = "task journal (midonet_tasks), applied by a midonet cluster"
		}
		s.log.Info("serving the Neutron API; the MidoNet cluster runs elsewhere", append(common, "cluster", cluster)...)
		if s.backendURL != "" {
			ctx, cancel := context.WithTimeout(context.Background(), healthTimeout)
			if err := dialURL(ctx, s.backendURL); err != nil {
				s.log.Warn("the MidoNet cluster does not answer; writes answer 503 until it does", "midonet_uri", s.backendURL, "err", err)
			}
			cancel()
		}
	default:
		s.log.Info("serving the MidoNet cluster (no Neutron API here: /healthcheck and /metrics only)",
			append(common, "cluster", s.clusterKind())...)
	}
}

// clusterKind says how the cluster of this process hears of writes.
func (s *Server) clusterKind() string {
	if s.Tasks {
		return "task consumer (midonet_tasks)"
	}
	return "REST endpoint http://" + s.RESTAddr + "/midonet-api"
}

// counted counts the requests h is serving in n.
func counted(n *atomic.Int64, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		defer n.Add(-1)
		h.ServeHTTP(w, r)
	})
}

func (s *Server) close() error {
	var errs []error
	defer s.owner.release() // last: the stores under the directory are closed by then
	if s.http != nil {
		_ = s.http.Close() // already shut down after Run; not when NewServer failed after listening
	}
	if s.restHTTP != nil {
		_ = s.restHTTP.Close()
	}
	if s.ln != nil {
		_ = s.ln.Close()
	}
	if s.dataDir != "" {
		// Tools must not dial an address nobody answers on any more.
		if err := os.Remove(filepath.Join(s.dataDir, "serve.url")); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("app: remove serve.url: %w", err))
		}
	}
	if s.cancelRequests != nil {
		s.cancelRequests()
	}
	if s.restLn != nil {
		_ = s.restLn.Close() // already closed after Run; not when NewServer failed after listening
	}
	s.nsdbOpening.stop() // an open still under way is waited for: its store is closed below
	if s.leadership != nil {
		resign, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, s.leadership.Resign(resign))
		cancel()
	}
	if s.NSDB != nil {
		errs = append(errs, s.NSDB.Close())
	}
	if s.DB != nil {
		errs = append(errs, s.DB.Close())
	}
	return errors.Join(errs...)
}
