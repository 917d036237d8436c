// Package portfwd is Neutron's floating IP port forwarding (floating-ip-port-forwarding with
// its description, port-ranges and detail extensions, and expose-port-forwarding-in-fip):
// /v2.0/floatingips/{id}/port_forwardings, each forwarding TCP or UDP to a floating IP's
// port (or port range) on to a fixed IP's port (or range) behind the floating IP's router,
// and its translation into DNAT in the router's pre-routing chain with the reverse
// translation in its post-routing chain. See README.md.
package portfwd

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// MaxPortMap bounds a range forwarded port by port (N external ports to N internal ones):
// each port is one rule in the router's chain. A range to one internal port is one rule
// whatever its size. Neutron has no bound.
const MaxPortMap = 1024

// Service is the port forwarding service as internal/app wires it.
func Service() plugin.Service {
	return plugin.Service{
		Name:           "portfwd",
		ServicePlugins: []string{"port_forwarding", "neutron.services.portforwarding.pf_plugin.PortForwardingPlugin"},
		NeedsL3:        true,
		Resources:      []*resource.Resource{PortForwardings},
		Extensions:     Extensions,
		Policies:       PolicyRules,
		// A forwarding reads its floating IP, its router and the router's gateway port.
		Translators: translate.Translators{PortForwardings.Collection: {Owned: owned, Follows: map[string]translate.Follow{
			"floatingips": translate.Naming(PortForwardings.Collection), "routers": translate.Naming(PortForwardings.Collection),
			"ports": translate.NamingRouterOf(PortForwardings.Collection)}}},
		Collections: func(plugin.Deps) []plugin.Collection { return []plugin.Collection{Collection{}} },
		Hooks:       map[string]plugin.Hook{"floatingips": fipHook{}, "ports": portHook{}},
	}
}

// Collection is the port forwarding collection.
type Collection struct{}

// Resource describes port forwardings.
func (Collection) Resource() *resource.Resource { return PortForwardings }

// Create checks a forwarding as Neutron's port forwarding plugin does and stores it; the
// floating IP takes the forwarding's router as its own.
func (Collection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	d := plugin.Copy(body)
	d["id"] = plugin.NewID()
	hasSingle := d["external_port"] != nil || d["internal_port"] != nil
	hasRange := d["external_port_range"] != nil || d["internal_port_range"] != nil
	if hasSingle && hasRange {
		return nil, badRequest("You cannot use the attributes internal_port_range and external_port_range with the attributes internal_port and external_port in the same request")
	}
	if err := admit(ctx, tx, c, d, true); err != nil {
		return nil, err
	}
	if err := plugin.Add(ctx, tx, c, PortForwardings.Collection, d); err != nil {
		return nil, err
	}
	return d, nil
}

// Update changes a forwarding; ports given replace ranges and the other way round.
func (Collection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	d := plugin.Copy(cur)
	single := changes["external_port"] != nil || changes["internal_port"] != nil
	ranged := changes["external_port_range"] != nil || changes["internal_port_range"] != nil
	if single && ranged {
		return nil, badRequest("You cannot use the attributes internal_port_range and external_port_range with the attributes internal_port and external_port in the same request")
	}
	if single {
		d["external_port_range"], d["internal_port_range"] = nil, nil
		// The other single port keeps its value: the stored range says which.
		for _, k := range []string{"external", "internal"} {
			if changes[k+"_port"] == nil {
				r, err := parseRange(cur[k+"_port_range"])
				if err != nil || r.size() != 1 {
					return nil, badRequest("%s_port must be given: the forwarding maps a range", k)
				}
				d[k+"_port"] = r.lo
			}
		}
	}
	if ranged {
		d["external_port"], d["internal_port"] = nil, nil
		for _, k := range []string{"external", "internal"} {
			if changes[k+"_port_range"] == nil {
				d[k+"_port_range"] = cur[k+"_port_range"]
			}
		}
	}
	for k, v := range changes {
		if k == "external_port" || k == "internal_port" || k == "external_port_range" || k == "internal_port_range" {
			if v == nil {
				continue
			}
		}
		d[k] = v
	}
	if single {
		d["external_port_range"], d["internal_port_range"] = nil, nil
	}
	newPort := plugin.Str(changes, "internal_port_id") != "" && plugin.Str(changes, "internal_port_id") != plugin.Str(cur, "internal_port_id")
	if err := admit(ctx, tx, c, d, newPort); err != nil {
		return nil, err
	}
	if err := plugin.SaveAsIs(ctx, tx, c, PortForwardings.Collection, d); err != nil {
		return nil, err
	}
	return d, nil
}

// Delete removes a forwarding; the floating IP's last one takes its router away.
func (Collection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	return remove(ctx, tx, c, cur)
}

// List returns the forwardings of the floating IP the URL names.
func (Collection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	var h db.Filter
	if ids := f["floatingip_id"]; len(ids) == 1 {
		h.ParentID = ids[0]
	}
	return tx.List(ctx, PortForwardings.Collection, h)
}

func badRequest(format string, args ...any) *fault.Fault {
	return fault.BadRequestOf("port_forwarding", format, args...)
}

// spec reads a forwarding's ports as ranges (single ports are ranges of one) and checks
// their relation: as many internal ports as external ones, or one.
func spec(d db.Doc) (ext, in portRange, err error) {
	if d["external_port_range"] != nil || d["internal_port_range"] != nil {
		if d["external_port_range"] == nil || d["internal_port_range"] == nil {
			return ext, in, badRequest("external_port_range and internal_port_range must be given together")
		}
		if ext, err = parseRange(d["external_port_range"]); err == nil {
			in, err = parseRange(d["internal_port_range"])
		}
		if err != nil {
			return ext, in, badRequest("%s", err.Error())
		}
	} else {
		e, ok1 := model.Int(d["external_port"])
		i, ok2 := model.Int(d["internal_port"])
		if !ok1 || !ok2 {
			return ext, in, badRequest("external_port and internal_port, or external_port_range and internal_port_range, must be given")
		}
		ext, in = portRange{int(e), int(e)}, portRange{int(i), int(i)}
	}
	if in.size() > 1 && in.size() != ext.size() {
		return ext, in, badRequest("Invalid ranges of internal and/or external ports. The relation between internal and external ports must be N-N or 1-N")
	}
	if in.size() > MaxPortMap {
		return ext, in, badRequest("a range forwarded port by port may hold at most %d ports", MaxPortMap)
	}
	return ext, in, nil
}

// admit checks a new or changed forwarding d and completes it: the ports in their stored
// form, its router, and the floating IP's router. checkPort says the internal port is new
// to the forwarding (the floating-IP and reachability checks run then).
func admit(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc, checkPort bool) error {
	ext, in, err := spec(d)
	if err != nil {
		return err
	}
	d["external_port_range"], d["internal_port_range"] = ext.String(), in.String()
	d["external_port"], d["internal_port"] = nil, nil
	if ext.size() == 1 {
		d["external_port"] = ext.lo
	}
	if in.size() == 1 {
		d["internal_port"] = in.lo
	}
	id, fipID := plugin.Str(d, "id"), plugin.Str(d, "floatingip_id")
	proto, portID, ip := plugin.Str(d, "protocol"), plugin.Str(d, "internal_port_id"), plugin.Str(d, "internal_ip_address")
	// Only the floating IP's forwardings (external ports) and the internal port's (internal
	// ports) can collide: read those, not the deployment's.
	onFIP, err := tx.List(ctx, PortForwardings.Collection, db.Filter{ParentID: fipID})
	if err != nil {
		return fmt.Errorf("portfwd: the floating IP's forwardings: %w", err)
	}
	onPort, err := tx.ListBy(ctx, PortForwardings.Collection, "internal_port_id", portID)
	if err != nil {
		return fmt.Errorf("portfwd: the port's forwardings: %w", err)
	}
	for _, o := range append(onFIP, onPort...) {
		if plugin.Str(o, "id") == id || plugin.Str(o, "protocol") != proto {
			continue
		}
		// Another project's forwardings are not the caller's to collide with (Neutron's
		// project-scoped query): a collision would tell it they exist.
		if !c.IsAdmin && plugin.Str(o, "tenant_id") != c.ProjectID && plugin.Str(o, "floatingip_id") != fipID {
			continue
		}
		oe, oi, err := spec(o)
		if err != nil {
			continue
		}
		if plugin.Str(o, "floatingip_id") == fipID && oe.overlaps(ext) {
			return badRequest("There is a port collision with the external_port_range. The following ranges collide: %s and %s", oe, ext)
		}
		if plugin.Str(o, "internal_port_id") == portID && plugin.Str(o, "internal_ip_address") == ip && oi.overlaps(in) {
			return badRequest("There is a port collision with the internal_port_range. The following ranges collide: %s and %s", oi, in)
		}
	}
	fip, err := tx.Get(ctx, "floatingips", fipID)
	if err != nil {
		return err
	}
	if fip == nil {
		return fault.FloatingIPNotFound(fipID)
	}
	port, err := plugin.Fetch(ctx, tx, c, "ports", portID)
	if err != nil {
		return err
	}
	if checkPort {
		fips, err := tx.ListBy(ctx, "floatingips", "port_id", portID)
		if err != nil {
			return err
		}
		for _, f := range fips {
			if plugin.Str(f, "port_id") == portID {
				return fault.PortHasBindingFloatingIP(plugin.Str(f, "floating_ip_address"), plugin.Str(f, "id"), portID, ip)
			}
		}
		if plugin.Str(fip, "port_id") != "" {
			return fault.FloatingIPPortAlreadyAssociated(plugin.Str(fip, "floating_ip_address"), fipID, portID, ip, plugin.Str(fip, "floating_network_id"))
		}
	}
	p := model.MustDecode[model.Port](port)
	subnet, v4 := "", []string{}
	for _, f := range p.FixedIPs {
		if a, err := netip.ParseAddr(f.IPAddress); err == nil && a.Is4() {
			v4 = append(v4, f.IPAddress)
			if f.IPAddress == ip {
				subnet = f.SubnetID
			}
		}
	}
	if len(v4) == 0 {
		return badRequest("Requested internal port %s must allocate an IPv4 address at least", portID)
	}
	if subnet == "" {
		return badRequest("Requested internal IP address %s is not suitable for internal neutron port %s, as its fixed_ips are %v", ip, portID, v4)
	}
	router, err := routerFor(ctx, tx, subnet, plugin.Str(fip, "floating_network_id"))
	if err != nil {
		return err
	}
	if router == "" {
		return badRequest("External network %s is not reachable from subnet %s. Cannot set Port forwarding for port %s with Floating IP %s",
			plugin.Str(fip, "floating_network_id"), subnet, portID, fipID)
	}
	if r := plugin.Str(fip, "router_id"); r != "" && r != router {
		return badRequest("The Floating IP %s had been set on router %s, the internal Neutron port %s can not reach it", fipID, r, portID)
	}
	d["router_id"] = router
	if plugin.Str(fip, "router_id") == "" {
		fip["router_id"] = router
		return plugin.Save(ctx, tx, c, "floatingips", fip)
	}
	return nil
}

// routerFor is the router with an interface on the internal subnet and a gateway on the
// floating network ("" when there is none), the first by id.
func routerFor(ctx context.Context, tx *db.Tx, subnetID, floatingNet string) (string, error) {
	reach, err := plugin.RoutersReaching(ctx, tx, subnetID, floatingNet)
	if err != nil {
		return "", err
	}
	var routers []string
	for _, r := range reach {
		if r.Gateway {
			routers = append(routers, r.Router)
		}
	}
	if len(routers) == 0 {
		return "", nil
	}
	return slices.Min(routers), nil
}

// remove deletes a forwarding; the floating IP's last one takes its router away (unless the
// floating IP is associated with a port).
func remove(ctx context.Context, tx *db.Tx, c *plugin.Caller, pf db.Doc) error {
	if err := plugin.Remove(ctx, tx, c, PortForwardings.Collection, pf); err != nil {
		return err
	}
	fipID := plugin.Str(pf, "floatingip_id")
	left, err := tx.CountParent(ctx, PortForwardings.Collection, fipID)
	if err != nil || left > 0 {
		return err
	}
	fip, err := tx.Get(ctx, "floatingips", fipID)
	if err != nil || fip == nil || plugin.Str(fip, "port_id") != "" || fip["router_id"] == nil {
		return err
	}
	fip["router_id"] = nil
	return plugin.Save(ctx, tx, c, "floatingips", fip)
}
