package app

import (
	"fmt"
	"log/slog"
	"slices"

	"github.com/midonet-go/midonet/internal/config"
	"github.com/midonet-go/midonet/internal/logging"
)

// Log is an open log: the logger, where it writes and how to close it.
type Log struct {
	*slog.Logger
	// Stderr is true when the log goes to standard error (no log file, or use_stderr).
	Stderr bool
	Path   string // the log file; "" without one
	Close  func() error
}

// NewLogger opens the log the configuration names for one command ("serve", "api",
// "cluster", "agent"): [DEFAULT] debug, log_file, log_dir, use_stderr, log_format or use_json
// (or o.LogJSON, --log-json). It reports every unknown option of the configuration files in
// it, once.
func NewLogger(o Options, command string) (*Log, error) {
	cfg, err := LoadConfig(o)
	if err != nil {
		return nil, err
	}
	lo, err := logOptions(cfg, o.LogJSON, command)
	if err != nil {
		return nil, err
	}
	log, closeLog, err := logging.New(lo)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	for _, u := range cfg.Unknown() {
		log.Warn("unknown configuration option ignored", "option", u)
	}
	path := lo.Path()
	return &Log{Logger: log, Stderr: path == "" || lo.UseStderr, Path: path, Close: closeLog}, nil
}

// logOptions reads the logging options.
func logOptions(cfg *config.Config, jsonFlag bool, command string) (logging.Options, error) {
	lo := logging.Options{
		Debug:     cfg.Bool(config.DefaultGroup, "debug"),
		File:      cfg.String(config.DefaultGroup, "log_file"),
		Dir:       cfg.String(config.DefaultGroup, "log_dir"),
		UseStderr: cfg.Bool(config.DefaultGroup, "use_stderr"),
		JSON:      jsonFlag || cfg.Bool(config.DefaultGroup, "use_json"),
		Program:   "midonet-" + command,
	}
	switch f := cfg.String(config.DefaultGroup, "log_format"); f {
	case "json":
		lo.JSON = true
	case "text", "":
	default:
		return lo, fmt.Errorf("app: [DEFAULT] log_format = %s: want text or json", f)
	}
	return lo, nil
}

// checkPlugins refuses a configuration that asks for a core plugin or mechanism drivers this
// binary does not have: it would otherwise run something else than the operator asked for.
func checkPlugins(cfg *config.Config) error {
	switch p := cfg.String(config.DefaultGroup, "core_plugin"); pluginName(p) {
	case "ml2", "neutron.plugins.ml2.plugin.Ml2Plugin":
	case "midonet_v2", "midonet.neutron.plugin_v2.MidonetPluginV2":
		// networking-midonet's monolithic plugins (seed 4): this server is its ML2 form.
		return fmt.Errorf("app: [DEFAULT] core_plugin = %s is networking-midonet's monolithic plugin, which this server replaces with ML2: "+
			"set core_plugin = ml2, [ml2] mechanism_drivers = midonet, type_drivers = midonet,uplink, tenant_network_types = midonet, "+
			"and add midonet_l3 to service_plugins; the first start converts the v2 plugin's database rows (seed 4.2)", p)
	default:
		return fmt.Errorf("app: [DEFAULT] core_plugin = %s: only ml2 (with the midonet mechanism driver) is implemented", p)
	}
	drivers := cfg.List(config.GroupML2, "mechanism_drivers")
	for _, d := range drivers {
		if d != "midonet" {
			return fmt.Errorf("app: [ml2] mechanism_drivers holds %s: only midonet is implemented", d)
		}
	}
	if !slices.Contains(drivers, "midonet") {
		return fmt.Errorf("app: [ml2] mechanism_drivers = %q: want midonet", drivers)
	}
	if _, err := ML2Config(cfg); err != nil {
		return err
	}
	_, err := LoadedServices(cfg)
	return err
}
