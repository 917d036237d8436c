package trace

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/midonet-go/midonet/internal/agent"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/sim"
	"github.com/midonet-go/midonet/internal/topology"
)

// Resource is a Neutron resource a hop involves: what `openstack <type> show <id>` finds.
type Resource struct {
	Type string `json:"type"` // network, router, port, security_group, security_group_rule, floatingip, …
	ID   string `json:"id"`
	Name string `json:"name"`
}

// uuidRE finds the ids the simulator writes into its notes (a chain name such as
// OS_PORT_<id>_INBOUND is one word and is left alone).
var uuidRE = regexp.MustCompile(`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)

// namer reads a trace's MidoNet ids back as the Neutron resources they were translated
// from: every topology object carries its owner ("ports/<id>"), and the Neutron database
// has the owner's name. Router-side ports belong to the router interface (a Neutron port)
// they were made for.
type namer struct {
	objs map[string]topology.Object // the topology objects the trace names, by id
	docs map[string]db.Doc          // Neutron documents by "collection/id"
	// seen: resources already shown with their id; later mentions use the name alone.
	seen map[string]bool
}

// ids lists every id a simulation result mentions.
func ids(res *sim.Result) map[string]bool {
	out := map[string]bool{}
	add := func(ss ...string) {
		for _, s := range ss {
			if s != "" {
				out[s] = true
			}
		}
	}
	for _, h := range res.Trace {
		add(h.Device, h.Port, h.Chain, h.Rule)
		add(uuidRE.FindAllString(h.Note, -1)...)
	}
	if d := res.Drop; d != nil {
		add(d.DeviceID, d.PortID, d.ChainID, d.RuleID, d.SecurityGroupID)
		add(d.SecurityGroupIDs...)
	}
	for _, e := range res.Egress {
		add(e.PortID)
	}
	for _, e := range res.Generated {
		add(e.PortID, e.From)
	}
	return out
}

// newNamer looks the result's ids up in the agent's topology and the Neutron database.
func newNamer(ctx context.Context, d *db.DB, a *agent.Agent, res *sim.Result) (*namer, error) {
	want := ids(res)
	n := &namer{objs: map[string]topology.Object{}, docs: map[string]db.Doc{}, seen: map[string]bool{}}
	if err := a.Do(ctx, func(st *agent.State) {
		for _, o := range st.Find(want) {
			id := o.Base().ID
			if !want[id] {
				continue
			}
			// An id may name more than one object (a security group's IPAddrGroup shares
			// the group's id); devices and ports come first.
			if prev, ok := n.objs[id]; ok && rank(prev) <= rank(o) {
				continue
			}
			n.objs[id] = o
		}
	}); err != nil {
		return nil, fmt.Errorf("trace: reading the topology: %w", err)
	}
	err := d.Read(ctx, func(tx *db.Tx) error {
		get := func(coll, id string) error {
			key := coll + "/" + id
			if id == "" || n.docs[key] != nil {
				return nil
			}
			doc, err := tx.Get(ctx, coll, id)
			if err != nil {
				return fmt.Errorf("trace: reading %s: %w", key, err)
			}
			if doc != nil {
				n.docs[key] = doc
			}
			return nil
		}
		for _, o := range n.objs {
			if coll, id, ok := strings.Cut(o.Base().Owner, "/"); ok {
				if err := get(coll, id); err != nil {
					return err
				}
			}
		}
		if d := res.Drop; d != nil {
			for _, sg := range append([]string{d.SecurityGroupID}, d.SecurityGroupIDs...) {
				if err := get("security_groups", sg); err != nil {
					return err
				}
			}
		}
		// What the labels need besides: a port's network and router, a router's gateway
		// port (its router-side port is the router's own), a rule's group, a remote group's
		// name; twice, for the gateway port's network.
		for pass := 0; pass < 2; pass++ {
			var more [][2]string
			for key, doc := range n.docs {
				switch {
				case strings.HasPrefix(key, "ports/"):
					more = append(more, [2]string{"networks", str(doc, "network_id")})
					if o := str(doc, "device_owner"); strings.HasPrefix(o, model.OwnerRouterPrefix) || o == model.OwnerRouterInterfaceDVR || o == model.OwnerRouterInterfaceHA {
						more = append(more, [2]string{"routers", str(doc, "device_id")})
					}
				case strings.HasPrefix(key, "routers/"):
					more = append(more, [2]string{"ports", str(doc, "gw_port_id")})
				case strings.HasPrefix(key, "security_group_rules/"):
					more = append(more, [2]string{"security_groups", str(doc, "security_group_id")}, [2]string{"security_groups", str(doc, "remote_group_id")})
				}
			}
			for _, m := range more {
				if err := get(m[0], m[1]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return n, err
}

func rank(o topology.Object) int {
	switch o.Kind() {
	case topology.KindPort:
		return 0
	case topology.KindNetwork, topology.KindRouter:
		return 1
	case topology.KindChain, topology.KindRule:
		return 2
	}
	return 3
}

func str(d db.Doc, k string) string { s, _ := d[k].(string); return s }

// owner is the Neutron resource the topology object id was translated from ("", "" when
// the id is no topology object the trace met).
func (n *namer) owner(id string) (coll, nid string) {
	o := n.objs[id]
	if o == nil {
		return "", ""
	}
	coll, nid, _ = strings.Cut(o.Base().Owner, "/")
	return coll, nid
}

func (n *namer) doc(coll, id string) db.Doc { return n.docs[coll+"/"+id] }

// named shows a resource as "kind name (id)" the first time, "kind name" afterwards (an
// unnamed one always with its id).
func (n *namer) named(kind, name, id string) string {
	key := kind + "/" + id
	if name == "" {
		return strings.TrimSpace(kind + " (" + id + ")")
	}
	if kind != "" {
		name = kind + " " + name
	}
	if n.seen[key] {
		return name
	}
	n.seen[key] = true
	return name + " (" + id + ")"
}

// full is named with the id always shown (for the summary).
func full(kind, name, id string) string {
	if name == "" {
		return strings.TrimSpace(kind + " (" + id + ")")
	}
	if kind != "" {
		name = kind + " " + name
	}
	return name + " (" + id + ")"
}

// singular turns a collection into the word people use ("security_groups" → "security group").
func singular(coll string) string {
	s := strings.TrimSuffix(coll, "s")
	switch coll {
	case "floatingips":
		return "floating IP"
	case "policies", "qos_policies":
		s = strings.TrimSuffix(coll, "ies") + "y"
	}
	return strings.ReplaceAll(s, "_", " ")
}

// typ is the Resource.Type of a collection ("security_groups" → "security_group").
func typ(coll string) string {
	if strings.HasSuffix(coll, "ies") {
		return strings.TrimSuffix(coll, "ies") + "y"
	}
	return strings.TrimSuffix(coll, "s")
}

// device names a bridge or router by its Neutron network or router.
func (n *namer) device(id string) string {
	coll, nid := n.owner(id)
	if coll == "" {
		return "device (" + id + ")"
	}
	return n.named(singular(coll), str(n.doc(coll, nid), "name"), nid)
}

// deviceOf is the bridge or router a topology port belongs to.
func (n *namer) deviceOf(portID string) string {
	if p, ok := n.objs[portID].(*topology.Port); ok {
		if p.RouterID != "" {
			return p.RouterID
		}
		return p.NetworkID
	}
	return ""
}

// neutronPort is the Neutron port a topology port stands for.
func (n *namer) neutronPort(id string) (model.Port, bool) {
	coll, nid := n.owner(id)
	if _, isPort := n.objs[id].(*topology.Port); isPort && coll == "routers" {
		// The router side of the gateway: the router's gateway port.
		if gw := str(n.doc(coll, nid), "gw_port_id"); gw != "" {
			coll, nid = "ports", gw
		}
	}
	if coll != "ports" {
		return model.Port{}, false
	}
	d := n.doc(coll, nid)
	if d == nil {
		var p model.Port
		p.ID = nid
		return p, true
	}
	p, err := model.Decode[model.Port](d)
	return p, err == nil
}

// port names a topology port: a VM port by its name, a router-side or network-side router
// port as the router interface or gateway it is (on is the device the text is about: a
// router's own interface reads "its interface …").
func (n *namer) port(id, on string) string {
	coll, nid := n.owner(id)
	if coll == "" {
		return "port (" + id + ")"
	}
	p, ok := n.neutronPort(id)
	if !ok {
		return n.named(singular(coll), str(n.doc(coll, nid), "name"), nid)
	}
	nid = p.ID
	addr := ""
	if len(p.FixedIPs) > 0 {
		addr = p.FixedIPs[0].IPAddress
	}
	routerPort := p.DeviceOwner == model.OwnerRouterInterface || p.DeviceOwner == model.OwnerRouterInterfaceDVR ||
		p.DeviceOwner == model.OwnerRouterInterfaceHA || p.DeviceOwner == model.OwnerRouterGateway
	if !routerPort {
		name := p.Name
		if name == "" && p.DeviceOwner == model.OwnerDHCP {
			return n.named("DHCP port", addr, nid)
		}
		if name == "" {
			name = addr
		}
		return n.named("port", name, nid)
	}
	what := "interface"
	if p.DeviceOwner == model.OwnerRouterGateway {
		what = "gateway"
	}
	seen := n.seen["port/"+nid]
	n.seen["port/"+nid] = true
	idText := " (port " + nid + ")"
	if seen {
		idText = ""
	}
	if on != "" && on == p.DeviceID {
		net := str(n.doc("networks", p.NetworkID), "name")
		if net == "" {
			net = p.NetworkID
		}
		return strings.TrimSpace("its "+what+" "+addr) + " on network " + net + idText
	}
	r := str(n.doc("routers", p.DeviceID), "name")
	if r == "" {
		r = p.DeviceID
	}
	return "router " + r + "'s " + strings.TrimSpace(what+" "+addr) + idText
}

// endpoint names a port as the subject of a sentence ("vm-c (id)", "port 10.0.0.5 (id)").
func (n *namer) endpoint(id string) string {
	p, ok := n.neutronPort(id)
	if !ok {
		return "port (" + id + ")"
	}
	if p.Name != "" {
		return p.Name + " (" + p.ID + ")"
	}
	if len(p.FixedIPs) > 0 {
		return "port " + p.FixedIPs[0].IPAddress + " (" + p.ID + ")"
	}
	return "port (" + p.ID + ")"
}

// shortEndpoint is endpoint without the id once it was shown.
func (n *namer) shortEndpoint(id string) string {
	p, ok := n.neutronPort(id)
	if !ok {
		return "port (" + id + ")"
	}
	key := "port/" + p.ID
	if n.seen[key] && p.Name != "" {
		return p.Name
	}
	n.seen[key] = true
	return n.endpoint(id)
}

// group names a security group ("security group `web` (id)").
func (n *namer) group(id string, always bool) string {
	name := str(n.doc("security_groups", id), "name")
	if name != "" {
		name = "`" + name + "`"
	}
	if always {
		return full("security group", name, id)
	}
	return n.named("security group", name, id)
}

// rule describes a security-group rule as `openstack security group rule list` would
// ("ingress tcp/22 from 0.0.0.0/0").
func (n *namer) rule(id string) string {
	d := n.doc("security_group_rules", id)
	if d == nil {
		return "rule (" + id + ")"
	}
	r, err := model.Decode[model.Rule](d)
	if err != nil {
		return "rule (" + id + ")"
	}
	proto := r.Protocol
	if proto == "" {
		proto = r.EtherType + " any protocol"
	}
	if r.PortRangeMin != nil {
		proto += "/" + fmt.Sprint(*r.PortRangeMin)
		if r.PortRangeMax != nil && *r.PortRangeMax != *r.PortRangeMin {
			proto += "-" + fmt.Sprint(*r.PortRangeMax)
		}
	}
	dir := "from"
	if r.Direction == model.DirectionEgress {
		dir = "to"
	}
	remote := "anywhere"
	switch {
	case r.RemoteIPPrefix != "":
		remote = r.RemoteIPPrefix
	case r.RemoteGroupID != "":
		g := str(n.doc("security_groups", r.RemoteGroupID), "name")
		if g == "" {
			g = r.RemoteGroupID
		}
		remote = "members of `" + g + "`"
	}
	return "rule " + r.Direction + " " + proto + " " + dir + " " + remote + " (" + id + ")"
}

// label names any id of the trace: a port or device by Neutron name, anything else by the
// Neutron resource it was made for, and an unknown id as it is.
func (n *namer) label(id, on string) string {
	switch n.objs[id].(type) {
	case *topology.Port:
		return n.port(id, on)
	case *topology.Network, *topology.Router:
		return n.device(id)
	}
	coll, nid := n.owner(id)
	if coll == "" {
		if n.doc("security_groups", id) != nil {
			return n.group(id, false)
		}
		return id
	}
	if coll == "security_groups" {
		return n.group(nid, false)
	}
	if coll == "security_group_rules" {
		return n.rule(nid)
	}
	if coll == "floatingips" {
		return n.named("floating IP", str(n.doc(coll, nid), "floating_ip_address"), nid)
	}
	return n.named(singular(coll), str(n.doc(coll, nid), "name"), nid)
}

// idRE is an id in a simulator note, with the kind word the simulator may put before it
// ("router <id>").
var idRE = regexp.MustCompile(`\b(?:(network|router|port) )?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b`)

// relabel replaces every id in a simulator note by its label.
func (n *namer) relabel(s, on string) string {
	return relabelWith(s, func(id string) string { return n.label(id, on) })
}

// relabelWith replaces every id of s by its label; a kind word before the id goes when the
// label names the kind itself ("router <id>" becomes "router r1 (<id>)", not "router router
// r1 (<id>)").
func relabelWith(s string, label func(string) string) string {
	return idRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := idRE.FindStringSubmatch(m)
		kind, l := sub[1], label(sub[2])
		if kind == "" || strings.Contains(" "+l, " "+kind+" ") || strings.HasPrefix(l, "its ") || strings.Contains(l, "'s ") {
			return l
		}
		return kind + " " + l
	})
}

// resources lists the Neutron resources a hop involves.
func (n *namer) resources(h sim.Hop) []Resource {
	out := []Resource{}
	seen := map[string]bool{}
	add := func(coll, id string) {
		if coll == "" || id == "" || seen[coll+"/"+id] {
			return
		}
		seen[coll+"/"+id] = true
		d := n.doc(coll, id)
		name := str(d, "name")
		if coll == "floatingips" {
			name = str(d, "floating_ip_address")
		}
		out = append(out, Resource{Type: typ(coll), ID: id, Name: name})
	}
	for _, id := range append([]string{n.deviceOf(h.Port), h.Device, h.Port, h.Chain, h.Rule}, uuidRE.FindAllString(h.Note, -1)...) {
		coll, nid := n.owner(id)
		add(coll, nid)
		if coll == "ports" {
			if d := n.doc(coll, nid); d != nil && strings.HasPrefix(str(d, "device_owner"), model.OwnerRouterPrefix) {
				add("routers", str(d, "device_id"))
			}
		}
		if coll == "security_group_rules" {
			add("security_groups", str(n.doc(coll, nid), "security_group_id"))
		}
	}
	return out
}
