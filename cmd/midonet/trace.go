package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/midonet-go/midonet/internal/app"
	"github.com/midonet-go/midonet/internal/trace"
)

func traceCmd(o *app.Options) *cobra.Command {
	var req trace.Request
	var asJSON bool
	var serverURL, token string
	cmd := &cobra.Command{
		Use:   "trace",
		Short: "Show every hop of a packet from a Neutron port to an address, as the agent simulates it",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if serverURL == "" {
				b, err := os.ReadFile(filepath.Join(o.DataDir, "serve.url"))
				if err != nil {
					return fmt.Errorf("no --url and no running `midonet serve` under --data-dir %s: %w", o.DataDir, err)
				}
				serverURL = strings.TrimSpace(string(b))
			}
			q := url.Values{"from_port": {req.FromPort}, "dst": {req.Dst}, "proto": {req.Proto}}
			if req.DPort != 0 {
				q.Set("dport", strconv.Itoa(req.DPort))
			}
			if req.SPort != 0 {
				q.Set("sport", strconv.Itoa(req.SPort))
			}
			if req.SrcIP != "" {
				q.Set("src_ip", req.SrcIP)
			}
			if req.SrcMAC != "" {
				q.Set("src_mac", req.SrcMAC)
			}
			if req.DHCP {
				q.Set("dhcp", "true")
			}
			hreq, err := http.NewRequestWithContext(cmd.Context(), http.MethodGet, strings.TrimRight(serverURL, "/")+"/trace?"+q.Encode(), nil)
			if err != nil {
				return err
			}
			if token == "" {
				token = os.Getenv("OS_TOKEN")
			}
			if token != "" {
				hreq.Header.Set("X-Auth-Token", token)
			}
			resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(hreq)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				var e struct {
					NeutronError struct{ Type, Message string }
				}
				_ = json.NewDecoder(resp.Body).Decode(&e)
				return fmt.Errorf("trace: %d %s: %s", resp.StatusCode, e.NeutronError.Type, e.NeutronError.Message)
			}
			var res trace.Response
			if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			trace.Print(cmd.OutOrStdout(), &res)
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
	cmd.Flags().BoolVar(&req.DHCP, "dhcp", false, "send a DHCP discover from the port and show the offer")
	cmd.Flags().BoolVar(&asJSON, "json", false, "machine-readable output")
	cmd.Flags().StringVar(&serverURL, "url", "", "server URL (default: the serve running on --data-dir)")
	cmd.Flags().StringVar(&token, "token", "", "Keystone token (default $OS_TOKEN; none under noauth)")
	_ = cmd.MarkFlagRequired("from-port")

	return cmd
}
