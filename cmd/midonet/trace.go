package main

import (
	"fmt"
	"net/netip"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/midonet-go/midonet/internal/app"
	"github.com/midonet-go/midonet/internal/trace"
)

// traceCmd asks the running server for a trace. It exits 0 when the packet is forwarded
// (or answered by the topology), 1 when it is dropped, 2 when the trace could not be run
// (main maps any error of this command to 2).
func traceCmd(o *app.Options) *cobra.Command {
	var req trace.Request
	var asJSON, verbose bool
	var c trace.Client
	cmd := &cobra.Command{
		Use:   "trace",
		Short: "Show every hop of a packet from a Neutron port to an address, as the agent simulates it (exit 0 forwarded, 1 dropped, 2 error)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkTrace(req); err != nil {
				return err
			}
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
			if c.CACert == "" {
				c.CACert = os.Getenv("OS_CACERT")
			}
			res, err := c.Run(cmd.Context(), req)
			if err != nil {
				return err
			}
			if asJSON {
				if err := trace.WriteJSON(cmd.OutOrStdout(), res); err != nil {
					return err
				}
			} else {
				trace.Print(cmd.OutOrStdout(), res, verbose)
			}
			if s := res.ExitStatus(); s != 0 {
				return exitStatus(s)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&req.FromPort, "from-port", "", "Neutron port name or id the packet enters from (required)")
	cmd.Flags().StringVar(&req.Dst, "dst", "", "destination IPv4 or IPv6 address (required unless --dhcp; with --proto ns, the address solicited)")
	cmd.Flags().StringVar(&req.Proto, "proto", "icmp", "tcp, udp, icmp (ICMPv6 to an IPv6 --dst) or ns (an IPv6 neighbor solicitation for --dst)")
	cmd.Flags().IntVar(&req.DPort, "dport", 0, "destination port (required with tcp and udp)")
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
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "also show the minor steps and each step in MidoNet's terms (chains, rules and ids)")
	cmd.Flags().StringVar(&c.URL, "url", "", "server URL (default: the serve running on --data-dir)")
	cmd.Flags().StringVar(&c.CACert, "os-cacert", "", "CA certificate (PEM) of an https server (default $OS_CACERT; else the system's CAs)")
	cmd.Flags().StringVar(&c.Token, "token", "", "Keystone token (default $OS_TOKEN; none under noauth)")
	_ = cmd.MarkFlagRequired("from-port")
	return cmd
}

// checkTrace checks the request before anything is asked of the server.
func checkTrace(r trace.Request) error {
	if strings.TrimSpace(r.FromPort) == "" {
		return fmt.Errorf("--from-port must name a Neutron port (its name or id)")
	}
	proto := strings.ToLower(r.Proto)
	switch proto {
	case "tcp", "udp", "icmp", "ns", "":
	default:
		return fmt.Errorf("--proto must be tcp, udp, icmp or ns, got %q", r.Proto)
	}
	if r.DHCP {
		if r.Dst != "" {
			return fmt.Errorf("--dhcp sends a broadcast discover: leave --dst out")
		}
	} else {
		if r.Dst == "" {
			return fmt.Errorf("--dst is required (an IP address), unless --dhcp")
		}
		a, err := netip.ParseAddr(r.Dst)
		if err != nil || a.Zone() != "" {
			return fmt.Errorf("--dst must be an IPv4 or IPv6 address, got %q", r.Dst)
		}
		if proto == "ns" && !a.Is6() {
			return fmt.Errorf("--proto ns solicits an IPv6 address, got --dst %q", r.Dst)
		}
		if (proto == "tcp" || proto == "udp") && (r.DPort < 1 || r.DPort > 65535) {
			return fmt.Errorf("--dport must be 1-65535 with --proto %s, got %d", proto, r.DPort)
		}
	}
	if (proto == "icmp" || proto == "ns") && r.DPort != 0 {
		return fmt.Errorf("--dport applies to tcp and udp only")
	}
	if r.SPort < 0 || r.SPort > 65535 {
		return fmt.Errorf("--sport must be 1-65535, got %d", r.SPort)
	}
	if r.SrcIP != "" {
		d, _ := netip.ParseAddr(r.Dst)
		if a, err := netip.ParseAddr(r.SrcIP); err != nil || a.Zone() != "" || (d.IsValid() && a.Is4() != d.Is4()) {
			return fmt.Errorf("--src-ip must be an IP address of --dst's family, got %q", r.SrcIP)
		}
	}
	return nil
}
