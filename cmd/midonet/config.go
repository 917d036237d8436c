package main

import (
	"github.com/spf13/cobra"

	"github.com/midonet-go/midonet/internal/app"
	"github.com/midonet-go/midonet/internal/config"
)

func configCmd(o *app.Options) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Configuration reference and the configuration in force"}
	cmd.AddCommand(&cobra.Command{
		Use:   "sample",
		Short: "Print every option the server reads, by section, with its type, default and help (as oslo-config-generator)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return config.DefaultRegistry().WriteSample(cmd.OutOrStdout())
		},
	}, &cobra.Command{
		Use:   "show",
		Short: "Print the configuration the --config-file files make, secrets masked, with the file that set each value",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := app.LoadConfig(*o)
			if err != nil {
				return err
			}
			for _, u := range cfg.Unknown() {
				cmd.PrintErrln("warning: unknown configuration option ignored:", u)
			}
			return cfg.WriteEffective(cmd.OutOrStdout())
		},
	})
	return cmd
}
