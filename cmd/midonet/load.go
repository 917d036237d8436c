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
	cmd := &cobra.Command{
		Use:   "load",
		Short: "Measure a running API server: concurrent port creates, then full port lists",
		Long: `load creates a network with a subnet big enough for the run (at least a /16), creates
--ports ports with --concurrency workers recording each request's latency, then times
--list full GET /v2.0/ports. It prints p50/p90/p99/max latencies and the create throughput.
Without --token it sends noauth headers (X-Project-Id: --project) and lifts that project's
quotas first.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !quiet {
				cfg.Progress = os.Stderr
			}
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
	f.IntVar(&cfg.Concurrency, "concurrency", 8, "concurrent port-create workers")
	f.IntVar(&cfg.Ports, "ports", 1000, "ports to create")
	f.IntVar(&cfg.ListRuns, "list", 5, "times to run a full GET /v2.0/ports afterwards (0: none)")
	f.StringVar(&cfg.Token, "token", os.Getenv("OS_TOKEN"), "Keystone token (X-Auth-Token); empty: noauth headers")
	f.StringVar(&cfg.Project, "project", "loadgen", "noauth project (X-Project-Id) that owns what the run creates")
	f.DurationVar(&cfg.Timeout, "timeout", 60*time.Second, "per-request timeout")
	f.BoolVar(&cfg.Cleanup, "cleanup", false, "delete the ports and the network afterwards")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON (durations in nanoseconds)")
	f.BoolVar(&quiet, "quiet", false, "no progress lines on stderr")
	return cmd
}
