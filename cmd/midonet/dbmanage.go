package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/midonet-go/midonet/internal/app"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/dbmanage"
)

func dbManageCmd(o *app.Options) *cobra.Command {
	cmd := &cobra.Command{Use: "db-manage", Short: "Manage the Neutron database schema and the MidoNet task journal"}
	upgrade := &cobra.Command{
		Use:   "upgrade [head]",
		Short: "Apply the embedded schema migrations",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 && args[0] != "head" {
				return fmt.Errorf("only 'head' is supported, got %q", args[0])
			}
			return withDB(cmd, o, func(ctx context.Context, d *db.DB) error {
				applied, err := d.Upgrade(ctx)
				if err != nil {
					return err
				}
				for _, a := range applied {
					fmt.Fprintln(cmd.OutOrStdout(), "applied", a)
				}
				v, err := d.Current(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "database at version %d (%s)\n", v, d.Dialect)
				return nil
			})
		},
	}
	current := &cobra.Command{
		Use:   "current",
		Short: "Show the applied schema version",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withDB(cmd, o, func(ctx context.Context, d *db.DB) error {
				v, err := d.Current(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%d\n", v)
				return nil
			})
		},
	}
	importCmd := &cobra.Command{
		Use:   "import SOURCE",
		Short: "Copy an upstream Neutron database (postgresql://…, or a plain pg_dump or mysqldump file) of a networking-midonet deployment into this server's database",
		Long: "Copies networks, subnets, ports, security groups, routers and floating IPs, and the monolithic v2 plugin's " +
			"binding rows, which the next `serve` converts to ML2 (seed 4). The target database must hold no network.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return app.ImportNeutron(cmd.Context(), *o, args[0], cmd.OutOrStdout())
		},
	}
	cmd.AddCommand(upgrade, current, importCmd)
	cmd.AddCommand(taskCmds(o)...)
	cmd.AddCommand(dataCmds(o)...)
	cmd.AddCommand(verifyCmd(o), repairCmd(o), nsdbCompactCmd(o))
	return cmd
}

// withDB opens the configured database for one db-manage command.
func withDB(cmd *cobra.Command, o *app.Options, fn func(ctx context.Context, d *db.DB) error) error {
	return app.WithDB(cmd.Context(), *o, fn)
}

// dbCmd is a db-manage command without arguments that runs fn on the Neutron database and
// prints to the command's standard output.
func dbCmd(o *app.Options, use, short string, fn func(ctx context.Context, d *db.DB, out io.Writer) error) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withDB(cmd, o, func(ctx context.Context, d *db.DB) error { return fn(ctx, d, cmd.OutOrStdout()) })
		},
	}
}

// taskCmds are the task-management commands (networking-midonet spec "Task Management").
func taskCmds(o *app.Options) []*cobra.Command {
	var unprocessed, processed bool
	list := dbCmd(o, "task-list", "List the MidoNet tasks (id, type, data type, resource id, tenant, created at)",
		func(ctx context.Context, d *db.DB, out io.Writer) error {
			tasks, err := dbmanage.ListTasks(ctx, d, unprocessed)
			if err != nil {
				return err
			}
			return dbmanage.WriteTasks(out, tasks)
		})
	list.Flags().BoolVarP(&unprocessed, "unprocessed", "u", false, "show only the tasks the cluster has not processed")
	clean := dbCmd(o, "task-clean", "Delete the processed tasks and reset the last processed task id",
		func(ctx context.Context, d *db.DB, out io.Writer) error {
			n, err := dbmanage.CleanTasks(ctx, d)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "Deleted %d processed tasks\n", n)
			return nil
		})
	res := dbCmd(o, "task-resource", "Show the resources the tasks describe (replaying the task table)",
		func(ctx context.Context, d *db.DB, out io.Writer) error {
			groups, err := dbmanage.TaskResources(ctx, d, processed)
			if err != nil {
				return err
			}
			return dbmanage.WriteTaskResources(out, groups)
		})
	res.Flags().BoolVarP(&processed, "processed", "p", false, "replay only the processed tasks")
	return []*cobra.Command{list, clean, res}
}

// dataCmds are the data-version commands (networking-midonet spec "Data Sync").
func dataCmds(o *app.Options) []*cobra.Command {
	show := dbCmd(o, "data-show", "Show the last processed task, the active data version and the write access",
		func(ctx context.Context, d *db.DB, out io.Writer) error {
			s, err := dbmanage.Show(ctx, d)
			if err != nil {
				return err
			}
			return dbmanage.WriteState(out, s)
		})
	readonly := dbCmd(o, "data-readonly", "Make the Neutron data read-only (the API answers 503 to writes)",
		func(ctx context.Context, d *db.DB, out io.Writer) error {
			already, err := dbmanage.SetReadOnly(ctx, d)
			if err != nil {
				return err
			}
			if already {
				fmt.Fprintln(out, "The Neutron data was already read-only")
			} else {
				fmt.Fprintln(out, "The Neutron data is now read-only")
			}
			return nil
		})
	readwrite := dbCmd(o, "data-readwrite", "Make the Neutron data read-write again (refused while a data version is STARTED)",
		func(ctx context.Context, d *db.DB, out io.Writer) error {
			n, err := dbmanage.SetReadWrite(ctx, d)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "The Neutron data is now read-write (%d data versions marked stale)\n", n)
			return nil
		})
	versions := dbCmd(o, "data-version-list", "List the data versions",
		func(ctx context.Context, d *db.DB, out io.Writer) error {
			vs, err := dbmanage.ListVersions(ctx, d)
			if err != nil {
				return err
			}
			return dbmanage.WriteVersions(out, vs)
		})
	var progress bool
	var batch int
	sync := &cobra.Command{
		Use:   "data-version-sync",
		Short: "Re-import every Neutron resource into the cluster as a new data version (read-only mode)",
		Long: "Re-import every Neutron resource into the cluster as a new data version. Allowed only in\n" +
			"read-only mode, with no sync running and every task processed. Interrupting it (Ctrl-C)\n" +
			"marks the version ABORTED and keeps the active version.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			cmd.SetContext(ctx)
			return withDB(cmd, o, func(ctx context.Context, d *db.DB) error {
				opts := dbmanage.SyncOptions{BatchSize: batch}
				var bar *dbmanage.Bar
				if progress || isTerminal(os.Stderr) {
					bar = dbmanage.NewBar(cmd.ErrOrStderr())
					opts.Progress = bar.Update
				}
				r, err := dbmanage.Sync(ctx, d, opts)
				if bar != nil {
					bar.Done()
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Data version %d: %d CREATE tasks written (transaction %s) and DATA_VERSION_ACTIVATE queued;\n"+
					"the cluster activates it once it has processed them (see data-version-list)\n", r.Version, r.Resources, r.TransactionID)
				return nil
			})
		},
	}
	sync.Flags().BoolVar(&progress, "progress", false, "draw a progress bar on stderr even when it is not a terminal")
	sync.Flags().IntVar(&batch, "batch-size", dbmanage.DefaultBatchSize, "tasks written per transaction")
	activate := &cobra.Command{
		Use:   "data-version-activate VERSION",
		Short: "Activate (roll back to) a data version synced in this read-only session",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || v <= 0 {
				return fmt.Errorf("VERSION must be a data version id (a positive integer), got %q", args[0])
			}
			return withDB(cmd, o, func(ctx context.Context, d *db.DB) error {
				if err := dbmanage.Activate(ctx, d, v); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "DATA_VERSION_ACTIVATE of data version %d queued; the cluster activates it once it has processed it (see data-version-list)\n", v)
				return nil
			})
		},
	}
	return []*cobra.Command{show, readonly, readwrite, versions, sync, activate}
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
