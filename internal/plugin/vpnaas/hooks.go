package vpnaas

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
)

// routerHook keeps what VPN services need of a router: its gateway (cleared or moved: 409
// RouterInUse naming the services), the router itself, and the interfaces of the subnets
// a legacy service or a connection's local endpoint group names.
type routerHook struct{ plugin.NoHook }

func serviceIDs(docs []db.Doc) []string {
	ids := make([]string, 0, len(docs))
	for _, d := range docs {
		ids = append(ids, plugin.Str(d, "id"))
	}
	slices.Sort(ids)
	return ids
}

func routerInUse(ctx context.Context, tx *db.Tx, router string) error {
	svcs, err := servicesOf(ctx, tx, router)
	if err != nil || len(svcs) == 0 {
		return err
	}
	ids := serviceIDs(svcs)
	return fault.RouterInUseByVPN(router, strings.Join(ids, ","), len(ids) > 1)
}

// BeforeUpdate refuses to clear or move the gateway of a router with VPN services.
func (routerHook) BeforeUpdate(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur, changes db.Doc) error {
	v, ok := changes["external_gateway_info"]
	if !ok {
		return nil
	}
	oldNet := ""
	if g := model.MustDecode[model.Router](cur).Gateway; g != nil {
		oldNet = g.NetworkID
	}
	newNet := ""
	if m, ok := v.(map[string]any); ok {
		newNet, _ = m["network_id"].(string)
	}
	if oldNet == "" || newNet == oldNet {
		return nil
	}
	return routerInUse(ctx, tx, plugin.Str(cur, "id"))
}

// BeforeDelete refuses to delete a router with VPN services. A router with interfaces is
// left to the L3 plugin, whose "ports still attached" Neutron answers first.
func (routerHook) BeforeDelete(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	ports, err := tx.ListBy(ctx, "ports", "device_id", id)
	if err != nil {
		return err
	}
	for _, p := range ports {
		if plugin.Str(p, "device_owner") == model.OwnerRouterInterface {
			return nil
		}
	}
	return routerInUse(ctx, tx, id)
}

// BeforeAction refuses remove_router_interface for a subnet a VPN service of the router
// uses (neutron-vpnaas's check_subnet_in_use).
func (routerHook) BeforeAction(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc, action string, body map[string]any) error {
	if action != "remove_router_interface" {
		return nil
	}
	router := plugin.Str(cur, "id")
	var subnets []string
	if s, _ := body["subnet_id"].(string); s != "" {
		subnets = append(subnets, s)
	} else if pid, _ := body["port_id"].(string); pid != "" {
		pd, err := tx.Get(ctx, "ports", pid)
		if err != nil {
			return err
		}
		if pd != nil {
			for _, f := range model.MustDecode[model.Port](pd).FixedIPs {
				subnets = append(subnets, f.SubnetID)
			}
		}
	}
	if len(subnets) == 0 {
		return nil
	}
	svcs, err := servicesOf(ctx, tx, router)
	if err != nil || len(svcs) == 0 {
		return err
	}
	for _, s := range subnets {
		for _, d := range svcs {
			if plugin.Str(d, "subnet_id") == s {
				return fault.SubnetInUseByVPNService(s, plugin.Str(d, "id"))
			}
		}
	}
	conns, err := connectionsOf(ctx, tx, serviceIDs(svcs)...)
	if err != nil {
		return err
	}
	for _, cd := range conns {
		g := plugin.Str(cd, "local_ep_group_id")
		if g == "" {
			continue
		}
		gd, err := tx.Get(ctx, EndpointGroups.Collection, g)
		if err != nil {
			return err
		}
		if gd == nil {
			continue
		}
		eps := plugin.Strings(gd, "endpoints")
		for _, s := range subnets {
			if slices.Contains(eps, s) {
				return fault.SubnetInUseByIPsecSiteConnection(s, plugin.Str(cd, "id"))
			}
		}
	}
	return nil
}

// subnetHook keeps the subnets a subnet endpoint group names.
type subnetHook struct{ plugin.NoHook }

// BeforeDelete refuses to delete a subnet an endpoint group names.
func (subnetHook) BeforeDelete(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	groups, err := tx.ListBy(ctx, EndpointGroups.Collection, "endpoints", id)
	if err != nil {
		return fmt.Errorf("vpnaas: the endpoint groups of subnet %s: %w", id, err)
	}
	for _, g := range groups {
		if plugin.Str(g, "type") == "subnet" {
			return fault.SubnetInUseByEndpointGroup(id, plugin.Str(g, "id"))
		}
	}
	return nil
}
