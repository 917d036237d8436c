package l3

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// Expand fills each floating IP's port_details (fip-port-details) from its associated port:
// name, network, MAC, state, status and device; null when the floating IP is not associated.
func (f *FloatingIPs) Expand(ctx context.Context, tx *db.Tx, fips []db.Doc) error {
	for _, fip := range fips {
		pid := plugin.Str(fip, "port_id")
		if pid == "" {
			fip["port_details"] = nil
			continue
		}
		port, err := tx.Get(ctx, "ports", pid)
		if err != nil {
			return err
		}
		if port == nil {
			fip["port_details"] = nil
			continue
		}
		fip["port_details"] = map[string]any{
			"name": port["name"], "network_id": port["network_id"], "mac_address": port["mac_address"],
			"admin_state_up": port["admin_state_up"], "status": port["status"],
			"device_id": port["device_id"], "device_owner": port["device_owner"],
		}
	}
	return nil
}

// FloatingIPPools is /v2.0/floatingip_pools: one pool per subnet of an external network, as
// Neutron lists them (IPv6 subnets too: MidoNet associates IPv6 floating IPs with IPv4 ports,
// fip64); the project is the caller's.
type FloatingIPPools struct{ plugin.ReadOnly }

// Resource describes the pools.
func (FloatingIPPools) Resource() *resource.Resource { return resource.FloatingIPPools }

// List computes the pools. The external networks are found through the key index
// (plugin.ExternalNetworks), not by reading every network.
func (FloatingIPPools) List(ctx context.Context, tx *db.Tx, c *plugin.Caller, _ map[string][]string) ([]db.Doc, error) {
	nets, err := plugin.ExternalNetworks(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("l3: %w", err)
	}
	out := []db.Doc{}
	for _, n := range nets {
		subs, err := tx.List(ctx, "subnets", db.Filter{ParentID: plugin.Str(n, "id")})
		if err != nil {
			return nil, err
		}
		for _, s := range subs {
			if _, err := netip.ParsePrefix(plugin.Str(s, "cidr")); err != nil {
				continue
			}
			out = append(out, db.Doc{"subnet_id": s["id"], "subnet_name": s["name"], "network_id": n["id"],
				"cidr": s["cidr"], "tenant_id": c.ProjectID, "project_id": c.ProjectID})
		}
	}
	return out, nil
}

// Get is not part of the API (Neutron serves the list only).
func (FloatingIPPools) Get(context.Context, *db.Tx, string) (db.Doc, error) { return nil, nil }
