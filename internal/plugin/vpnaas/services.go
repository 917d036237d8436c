package vpnaas

import (
	"context"
	"slices"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// ServiceCollection is /v2.0/vpn/vpnservices.
type ServiceCollection struct{}

// Resource describes VPN services.
func (ServiceCollection) Resource() *resource.Resource { return Services }

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
	ports, err := tx.List(ctx, "ports", db.Filter{})
	if err != nil {
		return false, err
	}
	for _, d := range ports {
		if plugin.Str(d, "device_id") != router {
			continue
		}
		p := model.MustDecode[model.Port](d)
		if slices.ContainsFunc(p.FixedIPs, func(f model.FixedIP) bool { return f.SubnetID == subnet }) {
			return true, nil
		}
	}
	return false, nil
}

// Create stores a VPN service on a router with a gateway; with a subnet (the legacy style)
// the router must have a port on it. The MidoNet driver has no agent round trip: the
// service is ACTIVE at once (seed; the reference driver leaves it PENDING_CREATE).
func (ServiceCollection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := plugin.Copy(body)
	routerID := plugin.Str(d, "router_id")
	rd, err := plugin.Fetch(ctx, tx, c, "routers", routerID)
	if err != nil {
		return nil, err
	}
	r := model.MustDecode[model.Router](rd)
	if r.Gateway == nil || r.Gateway.NetworkID == "" {
		return nil, fault.RouterIsNotExternal(routerID)
	}
	if sub := plugin.Str(d, "subnet_id"); sub != "" {
		ok, err := routerHasSubnet(ctx, tx, routerID, sub)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fault.SubnetIsNotConnectedToRouter(sub, routerID)
		}
	}
	v4, v6 := gatewayIPs(r)
	d["id"] = plugin.NewID()
	d["external_v4_ip"], d["external_v6_ip"] = orNil(v4), orNil(v6)
	d["status"] = "ACTIVE"
	return d, plugin.Add(ctx, tx, c, Services.Collection, d)
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

// Update changes the name, description or admin state.
func (ServiceCollection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	if st := plugin.Str(cur, "status"); inPending(st) {
		return nil, fault.VPNStateInvalidToUpdate(plugin.Str(cur, "id"), st)
	}
	d := plugin.Apply(cur, changes)
	return d, plugin.SaveAsIs(ctx, tx, c, Services.Collection, d)
}

// connectionsOf lists the connections of the given services.
func connectionsOf(ctx context.Context, tx *db.Tx, services ...string) ([]db.Doc, error) {
	conns, err := tx.List(ctx, Connections.Collection, db.Filter{})
	if err != nil {
		return nil, err
	}
	var out []db.Doc
	for _, d := range conns {
		if slices.Contains(services, plugin.Str(d, "vpnservice_id")) {
			out = append(out, d)
		}
	}
	return out, nil
}

// Delete removes a service without connections.
func (ServiceCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	conns, err := connectionsOf(ctx, tx, id)
	if err != nil {
		return err
	}
	if len(conns) > 0 {
		return fault.VPNServiceInUse(id)
	}
	return plugin.Remove(ctx, tx, c, Services.Collection, cur)
}

// List returns the services.
func (ServiceCollection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, _ map[string][]string) ([]db.Doc, error) {
	return tx.List(ctx, Services.Collection, db.Filter{})
}

// servicesOf lists the VPN services of a router.
func servicesOf(ctx context.Context, tx *db.Tx, router string) ([]db.Doc, error) {
	all, err := tx.List(ctx, Services.Collection, db.Filter{})
	if err != nil {
		return nil, err
	}
	var out []db.Doc
	for _, d := range all {
		if plugin.Str(d, "router_id") == router {
			out = append(out, d)
		}
	}
	return out, nil
}
