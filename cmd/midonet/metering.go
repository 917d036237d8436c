package main

import (
	"github.com/spf13/cobra"

	"github.com/midonet-go/midonet/internal/app"
)

// meteringCmd reports the metering labels' counters, as networking-midonet's metering agent
// reported them: packets and bytes per label, summed over the hosts' datapaths.
func meteringCmd(o *app.Options) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "metering",
		Short: "Show the packets and bytes each Neutron metering label counted (from the agents' datapaths, via the NSDB)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return app.WriteMetering(cmd.Context(), *o, cmd.OutOrStdout(), asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	return cmd
}
