// Package localip is Neutron's Local IP service (neutron-lib's local_ip and
// local-ip-port-association): /v2.0/local_ips, virtual IPv4 addresses on a network, and
// /v2.0/local_ips/{id}/port_associations, the ports that answer for one on their host. A VM
// on the same network and host as an associated port reaches that port through the Local IP
// (translated, or passed through unchanged with ip_mode passthrough), as Neutron's
// node-local virtual IPs do. Each association is translated into a MidoNet LocalIPEntry;
// the simulator answers ARP for the Local IP with the port's MAC and translates the
// traffic (internal/sim/localip.go). See README.md.
package localip

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"

	"github.com/google/uuid"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/plugin/stored"
	"github.com/midonet-go/midonet/internal/policy"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/topology"
)

// OwnerLocalIP is the device owner of the port a Local IP makes for itself.
const OwnerLocalIP = "network:local_ip"

// Service is the Local IP service as internal/app wires it.
func Service() plugin.Service {
	return plugin.Service{
		ServicePlugins: []string{"local_ip", "neutron.services.local_ip.local_ip_plugin.LocalIPPlugin"},
		Name:           "localip",
		Resources:      []*resource.Resource{LocalIPs, Associations},
		Extensions: []resource.Extension{
			{Alias: "local_ip", Name: "Local IP", Description: "Support Node Local Virtual IP", Updated: "2021-07-26T10:00:00-00:00"},
		},
		Translators: translate.Translators{
			LocalIPs.Collection: {Owned: func(*translate.World, string) []topology.Object { return nil },
				Dependents: func(w *translate.World, id string, _ translate.Doc, add func(string, ...string)) {
					for _, a := range w.Mentioning(Associations.Collection, id) {
						if plugin.Str(db.Doc(a), "local_ip_id") == id {
							add(Associations.Collection, plugin.Str(db.Doc(a), "id"))
						}
					}
				}},
			Associations.Collection: {Owned: associationObjects, Follows: map[string]translate.Follow{"ports": translate.Naming(Associations.Collection)}},
		},
		Policies: PolicyRules,
		Collections: func(d plugin.Deps) []plugin.Collection {
			return []plugin.Collection{Collection(d.Ports), NewAssociationCollection()}
		},
		Hooks: map[string]plugin.Hook{"ports": portHook{}},
	}
}

// LocalIPs is /v2.0/local_ips.
var LocalIPs = &resource.Resource{
	Collection: "local_ips", Member: "local_ip", Path: "local_ips", PagerMarker: true,
	DataType: "LOCALIP", RESTPath: "local_ips", Translate: 17,
	NotFound: func(id string) *fault.Fault {
		return fault.New(http.StatusNotFound, "LocalIPNotFound", "Local IP %s could not be found.", id)
	},
	Attrs: append(untagged(resource.StandardAttrs()),
		&resource.Attr{Name: "name", Post: true, Put: true, Validate: resource.String(255), Default: ""},
		&resource.Attr{Name: "local_port_id", Post: true, Validate: resource.UUID, Default: resource.Unset},
		&resource.Attr{Name: "network_id", Post: true, Validate: resource.UUID, Default: resource.Unset},
		&resource.Attr{Name: "local_ip_address", Post: true, Validate: resource.IPOrNone, Default: resource.Unset, Policy: true},
		&resource.Attr{Name: "ip_mode", Post: true, Validate: resource.Values("translate", "passthrough"), Default: "translate"},
	),
}

func untagged(attrs []*resource.Attr) []*resource.Attr {
	out := attrs[:0:0]
	for _, a := range attrs {
		if a.Name != "tags" {
			out = append(out, a)
		}
	}
	return out
}

// Associations is /v2.0/local_ips/{local_ip_id}/port_associations, each named in its URL by
// its port.
var Associations = &resource.Resource{
	Collection: "port_associations", Member: "port_association", Path: "port_associations", Sub: true,
	PolicyMember: "local_ip_port_association",
	Parent:       &resource.Parent{Attr: "local_ip_id", Collection: "local_ips", Policy: true},
	// A port's associations are found through the key index (its delete); lists unchanged.
	Keyed: true, KeySorts: []string{"fixed_port_id"},
	DataType: "LOCALIPASSOCIATION", RESTPath: "local_ip_port_associations", Translate: 18,
	NotFound: func(id string) *fault.Fault {
		return fault.New(http.StatusNotFound, "LocalIPAssociationNotFound", "Local IP association %s could not be found.", id)
	},
	Attrs: []*resource.Attr{
		{Name: "id", Hidden: true},
		{Name: "tenant_id", Hidden: true}, {Name: "project_id", Hidden: true},
		{Name: "local_ip_id"},
		{Name: "local_ip_address"},
		{Name: "fixed_port_id", Post: true, Required: true, Validate: resource.UUID},
		{Name: "fixed_ip", Post: true, Validate: resource.IPOrNone, Default: nil},
		{Name: "host"},
	},
}

// PolicyRules are Neutron's defaults (without enforce_new_defaults): any project makes
// Local IPs; owners (and admins) read and change them and their associations.
var PolicyRules = []policy.Rule{
	{Name: "create_local_ip", Check: "rule:regular_user", Description: "Create a Local IP", Operations: policy.Post("/local_ips")},
	{Name: "get_local_ip", Check: "rule:admin_or_owner", Description: "Get a Local IP", Operations: policy.Get("/local_ips", "/local_ips/{id}")},
	{Name: "update_local_ip", Check: "rule:admin_or_owner", Description: "Update a Local IP", Operations: policy.Put("/local_ips/{id}")},
	{Name: "delete_local_ip", Check: "rule:admin_or_owner", Description: "Delete a Local IP", Operations: policy.Delete("/local_ips/{id}")},
	{Name: "create_local_ip_port_association", Check: "rule:admin_or_owner", Description: "Associate a port with a Local IP",
		Operations: policy.Post("/local_ips/{local_ip_id}/port_associations")},
	{Name: "get_local_ip_port_association", Check: "rule:admin_or_owner", Description: "Get a Local IP's port associations",
		Operations: policy.Get("/local_ips/{local_ip_id}/port_associations", "/local_ips/{local_ip_id}/port_associations/{fixed_port_id}")},
	{Name: "delete_local_ip_port_association", Check: "rule:admin_or_owner", Description: "Remove a port association of a Local IP",
		Operations: policy.Delete("/local_ips/{local_ip_id}/port_associations/{fixed_port_id}")},
}

func invalid(format string, args ...any) *fault.Fault {
	return fault.InvalidInput(format, args...)
}

// addressOf is Neutron's _get_local_ip_address: the port's one fixed IP, or the requested
// one among several.
func addressOf(port db.Doc, requested string) (string, error) {
	id := plugin.Str(port, "id")
	var ips []string
	for _, f := range plugin.Objects(plugin.List(port, "fixed_ips")) {
		if s, _ := f["ip_address"].(string); s != "" {
			ips = append(ips, s)
		}
	}
	switch {
	case len(ips) == 0:
		return "", fault.New(http.StatusBadRequest, "LocalIPNoIP", "Invalid input for operation: Specified Port %s has no fixed IPs configured.", id)
	case requested != "":
		for _, ip := range ips {
			if ip == requested {
				return ip, nil
			}
		}
		return "", fault.New(http.StatusBadRequest, "LocalIPRequestedIPNotFound", "Invalid input for operation: Specified Port %s does not have requested IP address: %s.", id, requested)
	case len(ips) > 1:
		return "", fault.New(http.StatusBadRequest, "LocalIPNoRequestedIP", "Invalid input for operation: Specified Port %s has several IPs, should specify exact IP address to use for Local IP.", id)
	}
	return ips[0], nil
}

// Collection is /v2.0/local_ips: name or description change; a Local IP goes when no port
// is associated with it (LocalIPInUse otherwise), with the port it made for itself.
func Collection(ports plugin.Ports) stored.Collection {
	l := localIPs{ports: ports}
	return stored.Collection{Res: LocalIPs, Standard: true, Prepare: l.prepare, Refuse: inUse, Deleted: l.removePort}
}

// localIPs makes and removes the ports of Local IPs made on a network.
type localIPs struct{ ports plugin.Ports }

// prepare puts a new Local IP on a port the caller names (one of its fixed IPs), or on a
// port it makes on the network given (device owner network:local_ip, an IPv4 address of
// the network's or the one requested).
func (l localIPs) prepare(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error {
	if d["id"] == nil {
		d["id"] = plugin.NewID()
	}
	requested := plugin.Str(d, "local_ip_address")
	var port db.Doc
	switch {
	case plugin.Str(d, "local_port_id") != "":
		p, err := plugin.Fetch(ctx, tx, c, "ports", plugin.Str(d, "local_port_id"))
		if err != nil {
			if f, ok := fault.As(err); ok && f.Status == http.StatusNotFound {
				return fault.BadRequestOf("local_ip", "Port %s not found", plugin.Str(d, "local_port_id"))
			}
			return err
		}
		port = p
	case plugin.Str(d, "network_id") != "":
		netID := plugin.Str(d, "network_id")
		if _, err := plugin.Fetch(ctx, tx, c, "networks", netID); err != nil {
			return err
		}
		subnets, err := tx.List(ctx, "subnets", db.Filter{ParentID: netID})
		if err != nil {
			return fmt.Errorf("localip: subnets of %s: %w", netID, err)
		}
		v4 := false
		for _, s := range subnets {
			n, _ := model.Int(s["ip_version"])
			v4 = v4 || n == 4
		}
		if !v4 {
			return fault.BadRequestOf("local_ip", "Network %s does not contain any IPv4 subnet", netID)
		}
		if l.ports == nil {
			return fault.BadRequestOf("local_ip", "this server cannot make ports for Local IPs")
		}
		raw := map[string]any{"network_id": netID, "tenant_id": plugin.Str(d, "tenant_id"), "project_id": plugin.Str(d, "tenant_id"),
			"device_owner": OwnerLocalIP, "device_id": plugin.Str(d, "id"), "name": "", "admin_state_up": true}
		if requested != "" {
			raw["fixed_ips"] = []any{map[string]any{"ip_address": requested}}
		}
		p, err := l.ports.CreatePort(ctx, tx, c.Elevated(), raw)
		if err != nil {
			return err
		}
		port = p
	default:
		return fault.New(http.StatusBadRequest, "LocalIPPortOrNetworkRequired", "Invalid input for operation: Either Port ID or Network ID must be specified for Local IP create.")
	}
	addr, err := addressOf(port, requested)
	if err != nil {
		return err
	}
	d["local_port_id"], d["network_id"], d["local_ip_address"] = port["id"], port["network_id"], addr
	d["local_port_id"], d["network_id"], d["local_ip_address"] = port["id"], port["network_id"], addr
	return nil
}

// inUse refuses to delete a Local IP with associations.
func inUse(ctx context.Context, tx *db.Tx, _ *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	assocs, err := tx.List(ctx, Associations.Collection, db.Filter{ParentID: id})
	if err != nil {
		return fmt.Errorf("localip: associations of %s: %w", id, err)
	}
	if len(assocs) > 0 {
		return fault.New(http.StatusConflict, "LocalIPInUse", "Local IP %s is still associated with one or more ports.", id)
	}
	return nil
}

// removePort removes the port a deleted Local IP made for itself.
func (l localIPs) removePort(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	port, err := tx.Get(ctx, "ports", plugin.Str(cur, "local_port_id"))
	if err != nil || port == nil || plugin.Str(port, "device_owner") != OwnerLocalIP || l.ports == nil {
		return err
	}
	return l.ports.RemovePort(ctx, tx, c.Elevated(), port)
}

// AssociationCollection is the port associations of Local IPs, each keyed by its port,
// listed per Local IP (the URL names it); nothing of one can change.
type AssociationCollection struct{ stored.Collection }

// NewAssociationCollection returns the associations' collection.
func NewAssociationCollection() AssociationCollection {
	return AssociationCollection{stored.Collection{Res: Associations, Frozen: true, Unscoped: true, ParentQuery: "local_ip_id",
		Prepare: prepareAssociation}}
}

// DocID is the document of a Local IP's association with a port.
func (AssociationCollection) DocID(localIP, port string) string { return associationID(localIP, port) }

func associationID(localIP, port string) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte("local-ip-association/"+localIP+"/"+port)).String()
}

// NotFoundIn is Neutron's LocalIPAssociationNotFound.
func (AssociationCollection) NotFoundIn(localIP, port string) *fault.Fault {
	return fault.New(http.StatusNotFound, "LocalIPAssociationNotFound", "Local IP %s association with port %s could not be found.", localIP, port)
}

// prepareAssociation associates a port the caller sees with the Local IP the URL names, on
// one of its fixed IPs (the one requested, or its only one). The same port twice is
// refused (409).
func prepareAssociation(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc) error {
	lipID, portID := plugin.Str(d, "local_ip_id"), plugin.Str(d, "fixed_port_id")
	lip, err := tx.Get(ctx, LocalIPs.Collection, lipID)
	if err != nil {
		return err
	}
	if lip == nil {
		return LocalIPs.NotFound(lipID)
	}
	port, err := plugin.Fetch(ctx, tx, c, "ports", portID)
	if err != nil {
		if f, ok := fault.As(err); ok && f.Status == http.StatusNotFound {
			return fault.BadRequestOf("local_ip_port_association", "Port %s not found", portID)
		}
		return err
	}
	ip, err := addressOf(port, plugin.Str(d, "fixed_ip"))
	if err != nil {
		return err
	}
	d["id"] = associationID(lipID, portID)
	if old, err := tx.Get(ctx, Associations.Collection, plugin.Str(d, "id")); err != nil {
		return err
	} else if old != nil {
		return fault.Conflict("LocalIPAssociationExists", "Local IP %s is already associated with port %s.", lipID, portID)
	}
	d["fixed_ip"], d["local_ip_address"] = ip, lip["local_ip_address"]
	d["host"] = plugin.Str(port, "binding:host_id")
	return nil
}

// Expand shows each association's port's current host.
func (AssociationCollection) Expand(ctx context.Context, tx *db.Tx, docs []db.Doc) error {
	for _, d := range docs {
		p, err := tx.Get(ctx, "ports", plugin.Str(d, "fixed_port_id"))
		if err != nil {
			return err
		}
		if p != nil {
			d["host"] = plugin.Str(p, "binding:host_id")
		}
	}
	return nil
}

// portHook removes a port's associations with it (Neutron's foreign key cascades), and
// keeps a Local IP's own port while the Local IP exists.
type portHook struct{ plugin.NoHook }

// BeforeDelete deletes the associations of a port being deleted.
func (portHook) BeforeDelete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	return stored.RemoveWhere(ctx, tx, c, Associations.Collection, "fixed_port_id", plugin.Str(cur, "id"))
}

// associationObjects translates an association into the MidoNet LocalIPEntry of the
// port's network: the Local IP, the port's address and MAC, its host, the mode.
func associationObjects(w *translate.World, id string) []topology.Object {
	a := db.Doc(w.Get(Associations.Collection, id))
	if a == nil {
		return nil
	}
	lip := db.Doc(w.Get(LocalIPs.Collection, plugin.Str(a, "local_ip_id")))
	port := w.Port(plugin.Str(a, "fixed_port_id"))
	if lip == nil || port == nil {
		return nil
	}
	addr, err1 := netip.ParseAddr(plugin.Str(lip, "local_ip_address"))
	fixed, err2 := netip.ParseAddr(plugin.Str(a, "fixed_ip"))
	if err1 != nil || err2 != nil || !addr.Is4() || !fixed.Is4() {
		return nil
	}
	return []topology.Object{&topology.LocalIPEntry{Meta: topology.Meta{ID: id}, NetworkID: port.NetworkID,
		LocalIP: addr.String(), PortID: port.ID, FixedIP: fixed.String(), MAC: port.MACAddress, HostID: port.HostID,
		Passthrough: plugin.Str(lip, "ip_mode") == "passthrough"}}
}

// ExpandShared sets nothing: the hook adds no attribute (plugin.SharedExpander).
func (portHook) ExpandShared(context.Context, *db.Tx, []db.Doc, plugin.SetFunc) error { return nil }
