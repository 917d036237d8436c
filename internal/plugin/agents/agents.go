// Package agents serves the Neutron agents API over the MidoNet hosts (seed 8.1.1) and the
// agent-membership API that admits a host into the DEFAULT tunnel zone (seed 8.1.2).
package agents

import (
	"context"
	"net/netip"
	"sort"

	"github.com/midonet-go/midonet/internal/cluster/translate"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
	"github.com/midonet-go/midonet/internal/topology"
)

// Extensions are the aliases this package adds.
var Extensions = []resource.Extension{
	{Alias: "agent", Name: "agent", Description: "The agent management extension.", Updated: "2013-02-03T10:00:00-00:00"},
	{Alias: "agent-membership", Name: "Agent Membership", Description: "MidoNet agent membership: admits a MidoNet agent's host into the tunnel zone.", Updated: "2015-05-01T10:00:00-00:00"},
}

// AgentType and Binary describe MidoNet agents in the agents API.
const (
	AgentType = "Midonet Agent"
	Binary    = "midolman"
)

// Service is the agents service: the agents and agent-membership collections, their
// extensions and the membership translator. internal/app wires it with one line.
func Service() plugin.Service {
	return plugin.Service{
		Name:        "agents",
		Resources:   []*resource.Resource{AgentsResource, MembershipsResource},
		Extensions:  Extensions,
		Translators: translate.Translators{"agent_memberships": {Owned: membershipObjects}},
		Policies:    PolicyRules,
		Collections: func(d plugin.Deps) []plugin.Collection {
			return []plugin.Collection{&Agents{Hosts: d.Hosts}, &Memberships{Hosts: d.Hosts}}
		},
	}
}

// Agents is the read-mostly collection of MidoNet agents, answered from the hosts record.
type Agents struct{ Hosts plugin.Hosts }

// Memberships is the agent-membership collection.
type Memberships struct{ Hosts plugin.Hosts }

func agentNotFound(id string) *fault.Fault {
	return fault.AgentNotFound(id)
}

// AgentsResource describes agents. Only description is writable; admin_state_up is accepted
// by the parser so that the plugin can refuse it with a clear error.
var AgentsResource = &resource.Resource{
	Collection: "agents", Member: "agent", Path: "agents",
	NotFound: agentNotFound,
	Attrs: []*resource.Attr{
		{Name: "id", Validate: resource.UUID},
		{Name: "agent_type"}, {Name: "binary"}, {Name: "topic"}, {Name: "host"},
		{Name: "admin_state_up", Put: true, Convert: resource.ToBool},
		{Name: "created_at"}, {Name: "started_at"}, {Name: "heartbeat_timestamp"},
		{Name: "alive"},
		{Name: "description", Put: true, Validate: resource.StringOrNone(255)},
		{Name: "configurations", NoSort: true, NoFilter: true},
		{Name: "availability_zone"},
		{Name: "tenant_id", Hidden: true}, {Name: "project_id", Hidden: true},
	},
}

// MembershipsResource describes agent memberships.
var MembershipsResource = &resource.Resource{
	Collection: "agent_memberships", Member: "agent_membership", Path: "agent_memberships",
	DataType: "AGENTMEMBERSHIP", Translate: 9,
	NotFound: func(id string) *fault.Fault {
		return fault.AgentMembershipNotFound(id)
	},
	Attrs: []*resource.Attr{
		{Name: "id", Post: true, Required: true, Validate: resource.UUID},
		{Name: "ip_address", Post: true, Required: true, Validate: resource.IP},
		{Name: "tenant_id", Post: true, Validate: resource.String(255), Default: resource.Unset, Hidden: true},
		{Name: "project_id", Post: true, Validate: resource.String(255), Default: resource.Unset, Hidden: true},
	},
}

// Resource describes agents.
func (a *Agents) Resource() *resource.Resource { return AgentsResource }

func (a *Agents) doc(ctx context.Context, tx *db.Tx, h model.Host) (db.Doc, error) {
	var ifaces []any
	for _, i := range h.Interfaces {
		addrs := make([]any, 0, len(i.Addresses))
		for _, ip := range i.Addresses {
			addrs = append(addrs, ip)
		}
		ifaces = append(ifaces, map[string]any{"name": i.Name, "ip_addresses": addrs})
	}
	if ifaces == nil {
		ifaces = []any{}
	}
	desc := ""
	if d, err := tx.Get(ctx, "agent_descriptions", h.ID); err != nil {
		return nil, err
	} else if d != nil {
		desc = plugin.Str(d, "description")
	}
	// host, topic and heartbeat_timestamp are not provided by MidoNet agents (seed 8.1.1).
	return db.Doc{
		"id": h.ID, "agent_type": AgentType, "binary": Binary, "topic": nil, "host": nil,
		"admin_state_up": true, "alive": h.Alive, "description": desc,
		"configurations": map[string]any{"interfaces": ifaces}, "heartbeat_timestamp": nil,
		"created_at": nil, "started_at": nil, "availability_zone": nil, "tenant_id": "", "project_id": "",
	}, nil
}

// Get returns one agent.
func (a *Agents) Get(ctx context.Context, tx *db.Tx, id string) (db.Doc, error) {
	h, err := a.Hosts.Host(ctx, id)
	if err != nil || h == nil {
		return nil, err
	}
	return a.doc(ctx, tx, *h)
}

// List returns every agent.
func (a *Agents) List(ctx context.Context, tx *db.Tx, c *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	hs, err := a.Hosts.Hosts(ctx)
	if err != nil {
		return nil, err
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i].ID < hs[j].ID })
	out := make([]db.Doc, 0, len(hs))
	for _, h := range hs {
		d, err := a.doc(ctx, tx, h)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Create is not part of the agents API.
func (a *Agents) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	return nil, fault.MethodNotAllowed()
}

// Update changes an agent's description; admin_state_up is not supported by MidoNet agents.
func (a *Agents) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	if _, ok := changes["admin_state_up"]; ok {
		return nil, fault.AgentUpdateNotSupported()
	}
	id := plugin.Str(cur, "id")
	row := db.Doc{"id": id, "description": changes["description"]}
	if old, err := tx.Get(ctx, "agent_descriptions", id); err != nil {
		return nil, err
	} else if old == nil {
		err = tx.Insert(ctx, "agent_descriptions", row)
		if err != nil {
			return nil, err
		}
	} else if err := tx.Put(ctx, "agent_descriptions", row); err != nil {
		return nil, err
	}
	d := plugin.Apply(cur, db.Doc{"description": changes["description"]})
	return d, nil
}

// Delete is refused: MidoNet agents are removed by decommissioning their host.
func (a *Agents) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	return fault.AgentDeleteNotSupported()
}

// Resource describes memberships.
func (m *Memberships) Resource() *resource.Resource { return MembershipsResource }

// Create admits a host: its id must be a MidoNet host's, and the tunnel address IPv4.
func (m *Memberships) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	id := plugin.Str(body, "id")
	ip, _ := resource.ParseIP(plugin.Str(body, "ip_address"))
	if !ip.Is4() {
		return nil, fault.InvalidInput("Only IPv4 addresses are supported for ip_address of an agent membership, got %s", plugin.Str(body, "ip_address"))
	}
	h, err := m.Hosts.Host(ctx, id)
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, agentNotFound(id)
	}
	if old, err := tx.Get(ctx, "agent_memberships", id); err != nil {
		return nil, err
	} else if old != nil {
		return nil, fault.AgentMembershipExists(id)
	}
	d := db.Doc{"id": id, "ip_address": netip.Addr.String(ip), "tenant_id": plugin.Str(body, "tenant_id"), "project_id": plugin.Str(body, "project_id")}
	plugin.Stamp(d, 0)
	return d, plugin.Add(ctx, tx, c, "agent_memberships", d)
}

// Update is not supported (there is nothing to update).
func (m *Memberships) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	return nil, fault.MethodNotAllowed()
}

// Delete removes a host from the tunnel zone.
func (m *Memberships) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	return plugin.Remove(ctx, tx, c, "agent_memberships", cur)
}

// List returns memberships.
func (m *Memberships) List(ctx context.Context, tx *db.Tx, c *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	return tx.List(ctx, "agent_memberships", db.Filter{})
}

// membershipObjects translates a membership: the host in the DEFAULT tunnel zone (its id is
// the host's id).
func membershipObjects(w *translate.World, id string) []topology.Object {
	m, err := model.Decode[model.AgentMembership](w.Get("agent_memberships", id))
	if err != nil || m.ID == "" {
		return nil
	}
	return []topology.Object{&topology.TunnelZoneMember{Meta: topology.Meta{ID: m.ID}, ZoneID: translate.DefaultTunnelZone, HostID: m.ID, IP: m.IPAddress}}
}
