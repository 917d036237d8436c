package vpnaas

import (
	"context"
	"fmt"
	"slices"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
)

// ServiceCollection is /v2.0/vpn/vpnservices: name, description or admin state change
// (not in a PENDING_* status, where neutron-vpnaas refuses updates); a service goes when it
// has no connections.
func ServiceCollection() stored.Collection {
	return stored.Collection{Res: Services, Unscoped: true, Prepare: prepareService,
		Check: func(_ context.Context, _ *db.Tx, _ *plugin.Caller, cur, _, _ db.Doc) error {
			if st := plugin.Str(cur, "status"); inPending(st) {
				return fault.VPNStateInvalidToUpdate(plugin.Str(cur, "id"), st)
			}
			return nil
		},
		Refuse: stored.InUse(Connections.Collection, "vpnservice_id", fault.VPNServiceInUse)}
}

// gatewayIPs are a router's gateway addresses, the first of each IP version ("" if none).
func gatewayIPs(r model.Router) (v4, v6 string) {
	if r.Gateway == nil {
		return "", ""
	}
	for _, f := range r.Gateway.ExternalFixedIPs {
		a := f.Addr()
		switch {
		case !a.IsValid():
		case a.Is4() && v4 == "":
			v4 = a.String()
		case a.Is6() && v6 == "":
			v6 = a.String()
		}
	}
	return v4, v6
}

// routerHasSubnet reports whether a port of the router holds an address on the subnet
// (neutron-vpnaas's _check_subnet_id: the gateway port counts too).
func routerHasSubnet(ctx context.Context, tx *db.Tx, router, subnet string) (bool, error) {
	ports, err := tx.ListBy(ctx, "ports", "device_id", router)
	if err != nil {
		return false, err
	}
	for _, d := range ports {
		p := model.MustDecode[model.Port](d)
		if slices.ContainsFunc(p.FixedIPs, func(f model.FixedIP) bool { return f.SubnetID == subnet }) {
			return true, nil
		}
	}
	return false, nil
}

// prepareService checks a new VPN service: it goes on a router with a gateway; with a
// subnet (the legacy style) the router must have a port on it. The MidoNet driver has no
// agent round trip: the service is ACTIVE at once (seed; the reference driver leaves it
// PENDING_CREATE).
func prepareService(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error {
	if d["flavor_id"] != nil {
		// vpn-flavors is not served: neutron-vpnaas without the flavors plugin answers so.
		return fault.NotFound("FlavorsPluginNotLoaded", "Flavors plugin not found")
	}
	routerID := plugin.Str(d, "router_id")
	rd, err := plugin.Fetch(ctx, tx, c, "routers", routerID)
	if err != nil {
		return err
	}
	r := model.MustDecode[model.Router](rd)
	if r.Gateway == nil || r.Gateway.NetworkID == "" {
		return fault.RouterIsNotExternal(routerID)
	}
	if sub := plugin.Str(d, "subnet_id"); sub != "" {
		ok, err := routerHasSubnet(ctx, tx, routerID, sub)
		if err != nil {
			return err
		}
		if !ok {
			return fault.SubnetIsNotConnectedToRouter(sub, routerID)
		}
	}
	v4, v6 := gatewayIPs(r)
	d["external_v4_ip"], d["external_v6_ip"] = orNil(v4), orNil(v6)
	d["status"] = "ACTIVE"
	return nil
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// inPending reports a PENDING_* status, in which neutron-vpnaas refuses updates.
func inPending(status string) bool {
	return status == "PENDING_CREATE" || status == "PENDING_UPDATE" || status == "PENDING_DELETE"
}

// connectionsOf lists the connections of the given services.
func connectionsOf(ctx context.Context, tx *db.Tx, services ...string) ([]db.Doc, error) {
	conns, err := tx.ListBy(ctx, Connections.Collection, "vpnservice_id", services...)
	if err != nil {
		return nil, fmt.Errorf("vpnaas: the services' connections: %w", err)
	}
	return conns, nil
}

// servicesOf lists the VPN services of a router.
func servicesOf(ctx context.Context, tx *db.Tx, router string) ([]db.Doc, error) {
	return stored.Where(ctx, tx, Services.Collection, "router_id", router)
}
