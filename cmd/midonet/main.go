// Command midonet is the one binary of the project: `midonet serve` runs the Neutron API (and,
// as they land, the cluster and an agent) on embedded storage; `midonet db-manage` manages the
// schema and the task journal; `midonet policy sample` prints the policy defaults.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/midonet-go/midonet/internal/app"
	"github.com/midonet-go/midonet/internal/buildinfo"
	"github.com/midonet-go/midonet/internal/gctune"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/trace"
)

func main() {
	gctune.Start(0) // unless GOGC is set
	if err := startPprof(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	stopProfile, err := startCPUProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	cmd, err := root().ExecuteC()
	stopProfile()
	var status exitStatus
	switch {
	case errors.As(err, &status):
		os.Exit(int(status))
	case err != nil:
		fmt.Fprintln(os.Stderr, "Error:", err)
		if cmd != nil && cmd.Name() == "trace" {
			os.Exit(trace.ExitError) // 1 means dropped
		}
		os.Exit(1)
	}
}

// exitStatus ends a command with a status and no message: the command has printed its
// answer (db-manage verify finding drift), and its deferred clean-up has run.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func root() *cobra.Command {
	var o app.Options
	cmd := &cobra.Command{
		Use:           "midonet",
		Short:         "Neutron networking API and the MidoNet virtual network, in one binary",
		SilenceUsage:  true,
		SilenceErrors: true, // main prints them, except an exitStatus
		Version:       buildinfo.Get().String(),
	}
	cmd.SetVersionTemplate("{{.Version}}\n")
	cmd.PersistentFlags().StringArrayVar(&o.ConfigFiles, "config-file", nil, "neutron.conf-style INI file (repeatable; later files override earlier ones)")
	cmd.PersistentFlags().StringVar(&o.DataDir, "data-dir", "./data", "directory of the embedded stores (SQLite file, embedded etcd)")
	cmd.PersistentFlags().BoolVar(&o.LogJSON, "log-json", false, "log in oslo.log's JSON form, one document a line (as [DEFAULT] log_format = json)")
	cmd.AddCommand(serveCmd(&o), roleCmd(&o, "api", app.Roles{API: true}), roleCmd(&o, "cluster", app.Roles{Cluster: true}),
		agentCmd(&o), traceCmd(&o), dbManageCmd(&o), policyCmd(), meteringCmd(&o))
	cmd.AddCommand(loadCmd(), configCmd(&o))
	return cmd
}

// openLog opens the command's log. failed logs an error that ends the command and returns
// what main should do with it: print it too unless the log already went to standard error.
func openLog(o *app.Options, command string) (log *app.Log, failed func(error) error, err error) {
	log, err = app.NewLogger(*o, command)
	if err != nil {
		return nil, nil, err
	}
	o.Log = log.Logger
	failed = func(err error) error {
		if err == nil {
			return nil
		}
		log.Error("midonet "+command+" failed", "err", err)
		if log.Stderr {
			return exitStatus(1)
		}
		return err
	}
	return log, failed, nil
}

func serveCmd(o *app.Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Neutron API server on embedded storage (or what the config names)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, failed, err := openLog(o, cmd.Name())
			if err != nil {
				return err
			}
			defer log.Close()
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			srv, err := app.NewServer(ctx, *o)
			if err != nil {
				return failed(err)
			}
			return failed(srv.Run(ctx))
		},
	}
	cmd.Flags().StringVar(&o.BindHost, "bind-host", "", "address to listen on (default: [DEFAULT] bind_host, else 127.0.0.1)")
	cmd.Flags().IntVar(&o.BindPort, "bind-port", 0, "port to listen on (default: [DEFAULT] bind_port, 9696)")
	return cmd
}

// roleCmd runs one role of serve on its own: `midonet api` (the Neutron API, reaching the
// cluster at [MIDONET] midonet_uri or through the task journal) or `midonet cluster` (the
// topology writer: REST endpoint or task consumer, and reconciliation).
func roleCmd(o *app.Options, name string, roles app.Roles) *cobra.Command {
	short := map[string]string{
		"api":     "Run only the Neutron API (scale out beside a `midonet cluster` on PostgreSQL or MySQL and an etcd cluster)",
		"cluster": "Run only the cluster: the MidoNet REST endpoint or task consumer, and drift repair",
	}[name]
	cmd := serveCmd(o)
	cmd.Use, cmd.Short = name, short
	run := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		o.Roles = roles
		return run(c, args)
	}
	return cmd
}

func agentCmd(o *app.Options) *cobra.Command {
	var ao app.AgentOptions
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Run a MidoNet agent for this host (joins the NSDB of [MIDONET] etcd_endpoints or of the serve running on --data-dir)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, failed, err := openLog(o, cmd.Name())
			if err != nil {
				return err
			}
			defer log.Close()
			ao.Options = *o
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return failed(app.RunAgent(ctx, ao))
		},
	}
	cmd.Flags().StringVar(&ao.HostName, "host-name", "", "host name the agent registers (default: [DEFAULT] host)")
	cmd.Flags().StringVar(&ao.HostIDFile, "host-id-file", "", "file keeping this host's id (default: <data-dir>/host_id)")
	return cmd
}

func policyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "Policy tools"}
	cmd.AddCommand(&cobra.Command{
		Use:   "sample",
		Short: "Print the sample policy file (every default rule, commented out)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(cmd.OutOrStdout(), policy.Sample(app.ServicePolicies()...))
			return err
		},
	})
	return cmd
}
