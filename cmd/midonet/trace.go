package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/midonet-go/midonet/internal/app"
	"github.com/midonet-go/midonet/internal/trace"
)

func traceCmd(o *app.Options) *cobra.Command {
	var req trace.Request
	var asJSON bool
	var c trace.Client
	cmd := &cobra.Command{
		Use:   "trace",
		Short: "Show every hop of a packet from a Neutron port to an address, as the agent simulates it",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if c.URL == "" {
				u, err := trace.ServeURL(o.DataDir)
				if err != nil {
					return err
				}
				c.URL = u
			}
			if c.Token == "" {
				c.Token = os.Getenv("OS_TOKEN")
			}
			res, err := c.Run(cmd.Context(), req)
			if err != nil {
				return err
			}
			if asJSON {
				return trace.WriteJSON(cmd.OutOrStdout(), res)
			}
			trace.Print(cmd.OutOrStdout(), res)
			return nil
		},
	}
	cmd.Flags().StringVar(&req.FromPort, "from-port", "", "Neutron port name or id the packet enters from (required)")
	cmd.Flags().StringVar(&req.Dst, "dst", "", "destination IPv4 address (required)")
	cmd.Flags().StringVar(&req.Proto, "proto", "icmp", "tcp, udp or icmp")
	cmd.Flags().IntVar(&req.DPort, "dport", 0, "destination port (tcp/udp)")
	cmd.Flags().IntVar(&req.SPort, "sport", 0, "source port (default 40000)")
	cmd.Flags().StringVar(&req.SrcIP, "src-ip", "", "source IP instead of the port's own (to see anti-spoofing)")
	cmd.Flags().StringVar(&req.SrcMAC, "src-mac", "", "source MAC instead of the port's own")
	cmd.Flags().BoolVar(&req.Reply, "reply", false, "also trace the answer to the packet (on the state the packet left: connection tracking, NAT)")
	cmd.Flags().BoolVar(&req.DHCP, "dhcp", false, "send a DHCP discover from the port and show the offer")
	cmd.Flags().StringVar(&req.DstMAC, "dst-mac", "", "destination MAC instead of the next hop's (a remote MAC behind a VTEP)")
	cmd.Flags().IntVar(&req.VLAN, "vlan", 0, "802.1Q VLAN id of the frame (on a trunk's parent port: the subport of that VLAN; from a trunk port of a VLAN-aware network)")
	cmd.Flags().IntVar(&req.VxlanVNI, "vxlan-vni", 0, "send a VXLAN packet (UDP 4789 to --dst) with this VNI carrying the --inner-* frame")
	cmd.Flags().StringVar(&req.InnerSrcMAC, "inner-src-mac", "", "source MAC of the VXLAN packet's frame")
	cmd.Flags().StringVar(&req.InnerDstMAC, "inner-dst-mac", "", "destination MAC of the VXLAN packet's frame")
	cmd.Flags().StringVar(&req.InnerSrcIP, "inner-src-ip", "", "source IPv4 address of the VXLAN packet's frame")
	cmd.Flags().StringVar(&req.InnerDstIP, "inner-dst-ip", "", "destination IPv4 address of the VXLAN packet's frame")
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	cmd.Flags().StringVar(&c.URL, "url", "", "server URL (default: the serve running on --data-dir)")
	cmd.Flags().StringVar(&c.Token, "token", "", "Keystone token (default $OS_TOKEN; none under noauth)")
	_ = cmd.MarkFlagRequired("from-port")
	return cmd
}
