package main

import (
	"github.com/spf13/cobra"

	"github.com/midonet-go/midonet/internal/app"
)

func verifyCmd(o *app.Options) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Compare the Neutron database with the NSDB (read-only); exit 1 on drift",
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := app.Verify(cmd.Context(), *o, cmd.OutOrStdout(), asJSON)
			if err != nil {
				return err
			}
			if n > 0 {
				return exitStatus(1) // app.Verify has closed the stores
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	return cmd
}

func repairCmd(o *app.Options) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "repair",
		Short: "Re-apply what the NSDB misses or has stale, and remove what Neutron no longer has (only objects it owns)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.Repair(cmd.Context(), *o, cmd.OutOrStdout(), asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	return cmd
}

func nsdbCompactCmd(o *app.Options) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "nsdb-compact",
		Short: "Compact the NSDB's history, defragment every member and clear a NOSPACE alarm (live data is kept)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.CompactNSDB(cmd.Context(), *o, cmd.OutOrStdout(), asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	return cmd
}
