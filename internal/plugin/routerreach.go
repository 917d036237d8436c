package plugin

import (
	"context"
	"fmt"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/model"
)

// Reach is a router interface through which a subnet reaches an external network: its
// router, its address on the subnet, and whether the router's port on the external network
// is its gateway (else an interface there).
type Reach struct {
	Router, IP string
	Gateway    bool
}

// RoutersReaching lists the router interfaces with an address on subnetID whose router has a
// gateway or an interface on externalNet, in the interface ports' id order (what a floating
// IP or a port forwarding from that subnet goes through). It reads the subnet's router
// interfaces and their routers' ports on externalNet, not the deployment's router ports.
func RoutersReaching(ctx context.Context, tx *db.Tx, subnetID, externalNet string) ([]Reach, error) {
	ifaces, err := tx.ListByBoth(ctx, "ports", "fixed_ips.subnet_id", subnetID, "device_owner", model.OwnerRouterInterface)
	if err != nil {
		return nil, fmt.Errorf("router interfaces on subnet %s: %w", subnetID, err)
	}
	var out []Reach
	var routers []string
	for _, d := range ifaces {
		p := model.MustDecode[model.Port](d)
		for _, f := range p.FixedIPs {
			if f.SubnetID == subnetID && p.DeviceID != "" {
				out = append(out, Reach{Router: p.DeviceID, IP: f.IPAddress})
				routers = append(routers, p.DeviceID)
			}
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	onNet, err := tx.ListByBoth(ctx, "ports", "network_id", externalNet, "device_id", routers...)
	if err != nil {
		return nil, fmt.Errorf("gateways on network %s: %w", externalNet, err)
	}
	gateway, iface := map[string]bool{}, map[string]bool{}
	for _, d := range onNet {
		switch Str(d, "device_owner") {
		case model.OwnerRouterGateway:
			gateway[Str(d, "device_id")] = true
		case model.OwnerRouterInterface:
			iface[Str(d, "device_id")] = true
		}
	}
	kept := out[:0]
	for _, r := range out {
		if r.Gateway = gateway[r.Router]; r.Gateway || iface[r.Router] {
			kept = append(kept, r)
		}
	}
	return kept, nil
}
