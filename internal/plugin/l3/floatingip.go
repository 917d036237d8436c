package l3

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// FloatingIPs is the floating IP collection.
type FloatingIPs struct{ p *Plugin }

// Resource describes floating IPs.
func (f *FloatingIPs) Resource() *resource.Resource { return resource.FloatingIPs }

// Create allocates a floating IP on an external network (IPv4, or IPv6 for fip64) and
// associates it when a port is given.
func (f *FloatingIPs) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	p := f.p
	netID := plugin.Str(body, "floating_network_id")
	// As the caller sees it: another project's private network answers NetworkNotFound
	// (external networks are visible to every project).
	net, err := plugin.Fetch(ctx, tx, c, "networks", netID)
	if err != nil {
		return nil, err
	}
	if !plugin.Bool(net, "router:external") {
		return nil, fault.BadRequestOf("floatingip", "Network %s is not a valid external network", netID)
	}
	subs, err := tx.List(ctx, "subnets", db.Filter{ParentID: netID})
	if err != nil {
		return nil, err
	}
	if len(subs) == 0 {
		return nil, fault.BadRequestOf("floatingip", "Network %s does not contain any subnet", netID)
	}
	if err := checkFixedNeedsPort(body); err != nil {
		return nil, err
	}
	d := plugin.Copy(body)
	d["id"] = plugin.NewID()
	var want map[string]any
	switch {
	case body["floating_ip_address"] != nil:
		want = map[string]any{"ip_address": body["floating_ip_address"]}
		if s := plugin.Str(body, "subnet_id"); s != "" {
			want["subnet_id"] = s
		}
	case plugin.Str(body, "subnet_id") != "":
		// The port's allocation judges it, as Neutron's: SubnetNotFound for a missing subnet,
		// InvalidInput for one of another network (whoever owns it: the port is elevated).
		want = map[string]any{"subnet_id": plugin.Str(body, "subnet_id")}
	default:
		// Prefer an IPv4 address; an external network with only IPv6 subnets gives an IPv6 one.
		pick := subs[0]
		for _, s := range subs {
			if n, _ := model.Int(s["ip_version"]); n == 4 {
				pick = s
				break
			}
		}
		want = map[string]any{"subnet_id": plugin.Str(pick, "id")}
	}
	// The floating IP's own port is the server's (Neutron creates it with an elevated
	// context): the external network's subnets need not be visible to the caller.
	port, err := p.Core.CreatePort(ctx, tx, c.Elevated(), map[string]any{
		"network_id": netID, "tenant_id": "", "device_owner": model.OwnerFloatingIP, "device_id": plugin.Str(d, "id"),
		"name": "", "fixed_ips": []any{want},
	})
	if err != nil {
		if fault.IsType(err, fault.TypeIPAddressGenerationFailure) {
			return nil, fault.ExternalIPAddressExhausted(netID)
		}
		return nil, err
	}
	ips := plugin.Objects(plugin.List(port, "fixed_ips"))
	if len(ips) == 0 {
		return nil, fault.ExternalIPAddressExhausted(netID)
	}
	d["floating_ip_address"] = plugin.Str(ips[0], "ip_address")
	d["floating_port_id"] = plugin.Str(port, "id")
	delete(d, "subnet_id")
	d["router_id"], d["status"] = nil, "DOWN"
	if pid := plugin.Str(body, "port_id"); pid != "" {
		if err := p.associate(ctx, tx, c, d, pid, plugin.Str(body, "fixed_ip_address")); err != nil {
			return nil, err
		}
	} else {
		d["port_id"], d["fixed_ip_address"] = nil, nil
	}
	plugin.Stamp(d, 0)
	return d, plugin.Add(ctx, tx, c, "floatingips", d)
}

// associate binds a floating IP to a port's fixed IPv4 address through the router that
// connects the port's subnet with the floating network, by its gateway or (router-interface-
// fip) by an interface. A router whose interface holds the subnet's gateway IP wins.
func (p *Plugin) associate(ctx context.Context, tx *db.Tx, c *plugin.Caller, fip db.Doc, portID, fixed string) error {
	// Neutron's _internal_fip_assoc_data: the port as the caller sees it (another project's
	// answers PortNotFound), and the floating IP's project's unless an admin asks.
	portDoc, err := plugin.Fetch(ctx, tx, c, "ports", portID)
	if err != nil {
		return err
	}
	port := model.MustDecode[model.Port](portDoc)
	if !c.IsAdmin && port.TenantID != plugin.Str(fip, "tenant_id") {
		return fault.BadRequestOf("floatingip", "Cannot process floating IP association with Port %s, since that port is owned by a different tenant", portID)
	}
	if port.Trusted() {
		return fault.BadRequestOf("floatingip", "Port %s is unable to be assigned a floating IP", portID)
	}
	var chosen *model.FixedIP
	var v4 []*model.FixedIP
	for i, f := range port.FixedIPs {
		if fixed != "" && f.IPAddress == fixed {
			chosen = &port.FixedIPs[i]
		}
		if f.Addr().Is4() {
			v4 = append(v4, &port.FixedIPs[i])
		}
	}
	switch {
	case fixed != "" && chosen == nil:
		return fault.BadRequestOf("floatingip", "Port %s does not have fixed ip %s", portID, fixed)
	case fixed != "":
		if a, _ := netip.ParseAddr(fixed); !a.Is4() {
			return fault.BadRequestOf("floatingip", "Cannot process floating IP association with %s, since that is not an IPv4 address", fixed)
		}
	case len(v4) == 0:
		return fault.BadRequestOf("floatingip", "Port %s does not have a fixed IPv4 address", portID)
	case len(v4) > 1:
		return fault.BadRequestOf("floatingip", "Port %s has multiple fixed IPv4 addresses.  Must provide a specific IPv4 address when assigning a floating IP", portID)
	default:
		chosen = v4[0]
	}
	fixed = chosen.IPAddress
	netID := plugin.Str(fip, "floating_network_id")
	// The port's floating IPs, not the network's (thousands on a public network).
	others, err := tx.ListBy(ctx, "floatingips", "port_id", portID)
	if err != nil {
		return err
	}
	for _, o := range others {
		if plugin.Str(o, "id") != plugin.Str(fip, "id") && plugin.Str(o, "floating_network_id") == netID && plugin.Str(o, "fixed_ip_address") == fixed {
			return fault.FloatingIPPortAlreadyAssociated(plugin.Str(fip, "floating_ip_address"), plugin.Str(fip, "id"), portID, fixed, netID)
		}
	}
	routerID, err := p.routerFor(ctx, tx, port, chosen.SubnetID, netID)
	if err != nil {
		return err
	}
	fip["port_id"], fip["fixed_ip_address"], fip["router_id"], fip["status"] = portID, fixed, routerID, "ACTIVE"
	return nil
}

// routerFor finds the router that reaches the floating network from the internal subnet:
// the one whose interface there is the subnet's gateway, else the first interface's.
func (p *Plugin) routerFor(ctx context.Context, tx *db.Tx, port model.Port, subnetID, floatingNet string) (string, error) {
	sub, err := getSubnet(ctx, tx, subnetID)
	if err != nil {
		return "", err
	}
	reach, err := plugin.RoutersReaching(ctx, tx, subnetID, floatingNet)
	if err != nil {
		return "", err
	}
	for _, r := range reach {
		if sub != nil && r.IP == sub.GatewayIP {
			return r.Router, nil
		}
	}
	if len(reach) == 0 {
		return "", fault.ExternalGatewayForFloatingIPNotFound(floatingNet, subnetID, port.ID)
	}
	return reach[0].Router, nil
}

func dissociate(fip db.Doc) {
	fip["port_id"], fip["fixed_ip_address"], fip["router_id"], fip["status"] = nil, nil, nil, "DOWN"
}

// checkFixedNeedsPort refuses a request naming a fixed_ip_address without a port_id
// (Neutron's _check_and_get_fip_assoc looks at the request body, on create and update).
func checkFixedNeedsPort(req db.Doc) error {
	if plugin.Str(req, "fixed_ip_address") != "" && plugin.Str(req, "port_id") == "" {
		return fault.BadRequestOf("floatingip", "fixed_ip_address cannot be specified without a port_id")
	}
	return nil
}

// Update associates, re-associates or dissociates a floating IP.
func (f *FloatingIPs) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	if err := checkFixedNeedsPort(changes); err != nil {
		return nil, err
	}
	d := plugin.Apply(cur, changes)
	_, portChange := changes["port_id"]
	_, fixedChange := changes["fixed_ip_address"]
	if len(changes) == 0 {
		// An empty update clears the association: once the floating IP had no attribute
		// but its port, and Neutron keeps that meaning.
		portChange = true
		d["port_id"] = nil
	}
	if portChange || fixedChange {
		pid := plugin.Str(d, "port_id")
		if pid == "" {
			dissociate(d)
		} else {
			fixed := ""
			if fixedChange {
				fixed = plugin.Str(changes, "fixed_ip_address")
			}
			if err := f.p.associate(ctx, tx, c, d, pid, fixed); err != nil {
				return nil, err
			}
		}
	}
	return d, plugin.Save(ctx, tx, c, "floatingips", d)
}

// Delete releases a floating IP and its address.
func (f *FloatingIPs) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	if port, err := tx.Get(ctx, "ports", plugin.Str(cur, "floating_port_id")); err != nil {
		return err
	} else if port != nil {
		if err := f.p.Core.RemovePort(ctx, tx, c, port); err != nil {
			return err
		}
	}
	return plugin.Remove(ctx, tx, c, "floatingips", cur)
}

// List returns floating IPs: those of the ports or routers a filter names (the key index's
// rows, as Nova and Terraform ask for a port's), or those the network and project filters
// allow. The API matches every filter on what it returns.
func (f *FloatingIPs) List(ctx context.Context, tx *db.Tx, c *plugin.Caller, fl map[string][]string) ([]db.Doc, error) {
	for _, attr := range []string{"port_id", "router_id"} {
		if v := fl[attr]; len(v) > 0 && !slices.ContainsFunc(v, plugin.NullFilter) {
			return tx.ListBy(ctx, "floatingips", attr, v...)
		}
	}
	var h db.Filter
	if n := fl["floating_network_id"]; len(n) == 1 {
		h.ParentID = n[0]
	}
	if t := fl["tenant_id"]; len(t) == 1 {
		h.ProjectID = t[0]
	}
	return tx.List(ctx, "floatingips", h)
}

// dissociatePort runs before a port is deleted: its floating IPs lose their association.
func (p *Plugin) dissociatePort(ctx context.Context, tx *db.Tx, c *plugin.Caller, port db.Doc) error {
	if plugin.Str(port, "device_owner") == model.OwnerFloatingIP {
		return nil
	}
	fips, err := tx.ListBy(ctx, "floatingips", "port_id", plugin.Str(port, "id"))
	if err != nil {
		return err
	}
	for _, f := range fips {
		// The list was read without locks: read the floating IP again, locked, so that a
		// concurrent update or delete is neither lost nor undone.
		if f, err = tx.Get(ctx, "floatingips", plugin.Str(f, "id")); err != nil {
			return err
		} else if f == nil || plugin.Str(f, "port_id") != plugin.Str(port, "id") {
			continue
		}
		dissociate(f)
		if err := plugin.Save(ctx, tx, c, "floatingips", f); err != nil {
			return err
		}
	}
	return nil
}

// deleteIdleFloatingIPs runs before a network is deleted: its floating IPs that are not
// associated with a port go with it (Neutron's delete_disassociated_floatingips); an
// associated one keeps its port, so the network stays in use.
func (p *Plugin) deleteIdleFloatingIPs(ctx context.Context, tx *db.Tx, c *plugin.Caller, network db.Doc) error {
	fips, err := tx.List(ctx, "floatingips", db.Filter{ParentID: plugin.Str(network, "id")})
	if err != nil {
		return err
	}
	f := &FloatingIPs{p}
	for _, fip := range fips {
		if plugin.Str(fip, "port_id") != "" {
			continue
		}
		if err := f.Delete(ctx, tx, c, fip); err != nil {
			return fmt.Errorf("l3: delete floating IP %s of network %s: %w", plugin.Str(fip, "id"), plugin.Str(network, "id"), err)
		}
	}
	return nil
}
