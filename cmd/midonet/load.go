package main

import (
	"errors"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/midonet-go/midonet/internal/loadgen"
)

// loadCmd is `midonet load`: drive a running API server and print latency figures.
func loadCmd() *cobra.Command {
	var cfg loadgen.Config
	var asJSON, quiet bool
	var mix string
	cmd := &cobra.Command{
		Use:   "load",
		Short: "Measure a running API server: port creates, a mix of operations, page walks, full lists",
		Long: `load creates --networks networks with a subnet each big enough for the run (at least a /16
when they fit), creates --ports ports spread over them with --concurrency workers (--bulk
ports per request) recording each request's latency, then in order:

  --mix create=60,update=20,delete=10,list=10   --mix-ops operations in these proportions:
        create adds a port, update renames one of the run's ports, delete deletes one,
        list is GET /v2.0/ports?device_id=<one of the run's ports> (Nova's query)
  --page N [--page-sort key[:asc|desc]] [--pages M]   a walk of GET /v2.0/ports in pages of
        N (limit and marker), timing each page
  --list K   K full GET /v2.0/ports

A latency runs from sending the request to the last byte of its answer (load's own JSON
encoding and decoding are not counted). It prints p50/p90/p99/max latencies and throughputs (--json: the same report as JSON, the
figures BENCHMARKS.md quotes). --postgres adds hints on what to tune when the server stores
in PostgreSQL. Without --token it sends noauth headers (X-Project-Id: --project) and lifts
that project's quotas first (--quota N sets them to N instead: a project with finite quotas has its
usage checked on every create).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !quiet {
				cfg.Progress = os.Stderr
			}
			m, err := loadgen.ParseMix(mix)
			if err != nil {
				return err
			}
			cfg.Mix = m
			// Ctrl-C stops the run; what was measured until then is still printed.
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			rep, err := loadgen.Run(ctx, cfg)
			if rep == nil {
				return err
			}
			write := rep.WriteTable
			if asJSON {
				write = rep.WriteJSON
			}
			return errors.Join(write(cmd.OutOrStdout()), err)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.URL, "url", "http://127.0.0.1:9696", "base URL of the Neutron API")
	f.IntVar(&cfg.Concurrency, "concurrency", 8, "concurrent workers (creates, the mix)")
	f.IntVar(&cfg.Ports, "ports", 1000, "ports to create")
	f.IntVar(&cfg.Bulk, "bulk", 1, "ports per create request (more than 1: bulk creates, up to 1000)")
	f.IntVar(&cfg.Networks, "networks", 1, "networks the ports are spread over, round robin")
	f.StringVar(&mix, "mix", "", "after the creates, a mix of operations in these proportions, e.g. create=60,update=20,delete=10,list=10")
	f.IntVar(&cfg.MixOps, "mix-ops", 1000, "operations of the --mix")
	f.IntVar(&cfg.Page, "page", 0, "walk the ports in pages of this many (limit and marker) and time each page (0: no walk)")
	f.StringVar(&cfg.PageSort, "page-sort", "", "sort of the page walk: key or key:asc or key:desc (default: the server's order)")
	f.IntVar(&cfg.MaxPages, "pages", 0, "stop the page walk after this many pages (0: walk to the end)")
	f.BoolVar(&cfg.Postgres, "postgres", false, "the server stores in PostgreSQL: add hints on what to tune to the report")
	f.IntVar(&cfg.ListRuns, "list", 5, "times to run a full GET /v2.0/ports afterwards (0: none)")
	f.StringVar(&cfg.Token, "token", os.Getenv("OS_TOKEN"), "Keystone token (X-Auth-Token); empty: noauth headers")
	f.StringVar(&cfg.Project, "project", "loadgen", "noauth project (X-Project-Id) that owns what the run creates")
	f.IntVar(&cfg.Quota, "quota", 0, "set the project's network, subnet and port quotas to this instead of lifting them (0: lift them)")
	f.DurationVar(&cfg.Timeout, "timeout", 60*time.Second, "per-request timeout")
	f.BoolVar(&cfg.Cleanup, "cleanup", false, "delete the ports and the network afterwards")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON (durations in nanoseconds)")
	f.BoolVar(&quiet, "quiet", false, "no progress lines on stderr")
	return cmd
}
