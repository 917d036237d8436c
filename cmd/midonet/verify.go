package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/midonet-go/midonet/internal/app"
	"github.com/midonet-go/midonet/internal/cluster"
)

// printJSON writes v as one indented JSON document.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printDrift(w io.Writer, d cluster.Drift, asJSON bool) {
	if asJSON {
		_ = printJSON(w, map[string]any{"total": d.Total(), "drift": d})
		return
	}
	for _, sec := range []struct {
		name string
		l    []string
	}{{"missing resources", d.MissingResources}, {"stale resources", d.StaleResources}, {"extra resources", d.ExtraResources},
		{"missing objects", d.MissingObjects}, {"stale objects", d.StaleObjects}, {"extra objects", d.ExtraObjects}} {
		for _, x := range sec.l {
			fmt.Fprintf(w, "%s: %s\n", sec.name, x)
		}
	}
	fmt.Fprintf(w, "drift: %d\n", d.Total())
}

func verifyCmd(o *app.Options) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Compare the Neutron database with the NSDB (read-only); exit 1 on drift",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, done, err := app.OpenClusterView(cmd.Context(), *o)
			if err != nil {
				return err
			}
			defer done()
			d, err := c.Verify(cmd.Context(), c.DB())
			if err != nil {
				return err
			}
			printDrift(cmd.OutOrStdout(), d, asJSON)
			if d.Total() > 0 {
				return exitStatus(1) // after done() closed the stores
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
			c, done, err := app.OpenClusterView(cmd.Context(), *o)
			if err != nil {
				return err
			}
			defer done()
			d, err := c.Repair(cmd.Context(), c.DB())
			if err != nil {
				return err
			}
			after, err := c.Verify(cmd.Context(), c.DB())
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				// One document: what was found, what could not be applied, what is left.
				return printJSON(w, map[string]any{"total": d.Total(), "drift": d, "skipped": d.Skipped, "drift_after": after.Total()})
			}
			printDrift(w, d, false)
			for _, sk := range d.Skipped {
				fmt.Fprintf(w, "skipped: %s/%s: %s\n", sk.Collection, sk.ID, sk.Reason)
			}
			fmt.Fprintf(w, "repaired; drift now: %d\n", after.Total())
			return nil
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
			store, err := app.OpenNSDBOnly(cmd.Context(), *o)
			if err != nil {
				return err
			}
			defer store.Close()
			res, err := store.Compact(cmd.Context())
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return printJSON(w, res)
			}
			fmt.Fprintf(w, "compacted to revision %d\n", res.Revision)
			for _, m := range res.Members {
				fmt.Fprintf(w, "%s: %d bytes -> %d bytes\n", m.Endpoint, m.BytesBefore, m.BytesAfter)
			}
			for _, a := range res.AlarmsCleared {
				fmt.Fprintf(w, "NOSPACE alarm cleared on member %s\n", a)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	return cmd
}
