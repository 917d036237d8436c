package fwaas

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/model"
	"github.com/midonet-go/midonet/internal/plugin"
	"github.com/midonet-go/midonet/internal/resource"
)

// DefaultGroup is the name of a project's default firewall group.
const DefaultGroup = "default"

// Statuses of firewalls and firewall groups.
const (
	StatusActive   = "ACTIVE"
	StatusInactive = "INACTIVE"
	StatusDown     = "DOWN"
)

// GroupCollection is /v2.0/fwaas/firewall_groups: ingress and egress policies applied on
// ports (router interfaces and VM ports), and a "default" group per project, made when the
// project first lists its groups (neutron-fwaas).
type GroupCollection struct{}

// Resource describes firewall groups.
func (GroupCollection) Resource() *resource.Resource { return Groups }

// groupStatus: ACTIVE with ports and a policy, DOWN with ports while administratively down,
// INACTIVE otherwise.
func groupStatus(d db.Doc) string {
	switch {
	case len(plugin.List(d, "ports")) == 0 || (plugin.Str(d, "ingress_firewall_policy_id") == "" && plugin.Str(d, "egress_firewall_policy_id") == ""):
		return StatusInactive
	case !plugin.Bool(d, "admin_state_up"):
		return StatusDown
	}
	return StatusActive
}

// checkPolicies: the group's policies must be visible to the caller, and shared when the
// group is.
func checkPolicies(ctx context.Context, tx *db.Tx, c *plugin.Caller, v version, d db.Doc) error {
	for _, id := range v.policiesOf(d) {
		p, err := plugin.Fetch(ctx, tx, c, v.policies.Collection, id)
		if err != nil {
			return err
		}
		if plugin.Bool(d, "shared") && !plugin.Bool(p, "shared") {
			return fault.FirewallPolicySharingConflict(id, plugin.Str(d, "tenant_id"))
		}
	}
	return nil
}

// checkPorts: each new port visible, of the group's project, a router interface or a VM
// port, and in no other group.
func checkPorts(ctx context.Context, tx *db.Tx, c *plugin.Caller, d db.Doc, added []string) error {
	if len(added) == 0 {
		return nil
	}
	// The ports are read (on PostgreSQL: locked, FOR UPDATE) before the groups are listed, so
	// two requests putting one port in two groups serialize on the port and the second sees
	// the first's group.
	for _, id := range added {
		pd, err := plugin.Fetch(ctx, tx, c, "ports", id)
		if err != nil {
			return err
		}
		p := model.MustDecode[model.Port](pd)
		if p.TenantID != plugin.Str(d, "tenant_id") {
			return fault.FirewallGroupPortInvalidProject(id, p.TenantID)
		}
		if p.DeviceOwner != model.OwnerRouterInterface && !strings.HasPrefix(p.DeviceOwner, "compute:") {
			return fault.FirewallGroupPortInvalid(id)
		}
	}
	groups, err := holding(ctx, tx, added...)
	if err != nil {
		return err
	}
	var inUse []string
	for _, id := range added {
		for _, g := range groups {
			if plugin.Str(g, "id") != plugin.Str(d, "id") && slices.Contains(plugin.Strings(g, "ports"), id) {
				inUse = append(inUse, id)
			}
		}
	}
	if len(inUse) > 0 {
		return fault.FirewallGroupPortInUse(inUse)
	}
	return nil
}

// Create stores a group on its ports.
func (GroupCollection) Create(ctx context.Context, tx *db.Tx, c *plugin.Caller, body db.Doc) (db.Doc, error) {
	if plugin.Str(body, "name") == DefaultGroup {
		return nil, fault.FirewallGroupNameDefault()
	}
	d := stamp(body)
	if d["ports"] == nil {
		d["ports"] = []any{}
	}
	if err := checkPolicies(ctx, tx, c, v2, d); err != nil {
		return nil, err
	}
	if err := checkPorts(ctx, tx, c, d, plugin.Strings(d, "ports")); err != nil {
		return nil, err
	}
	d["status"] = groupStatus(d)
	return d, plugin.Add(ctx, tx, c, Groups.Collection, d)
}

// Update changes a group; no group may be renamed "default", and the default group keeps
// its name.
func (GroupCollection) Update(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur, changes db.Doc) (db.Doc, error) {
	if n, ok := changes["name"]; ok && n != plugin.Str(cur, "name") && (n == DefaultGroup || plugin.Str(cur, "name") == DefaultGroup) {
		return nil, fault.FirewallDefaultObjectUpdateRestricted(plugin.Str(cur, "id"))
	}
	d := plugin.Apply(cur, changes)
	if d["ports"] == nil {
		d["ports"] = []any{}
	}
	if err := checkPolicies(ctx, tx, c, v2, d); err != nil {
		return nil, err
	}
	var added []string
	for _, p := range plugin.Strings(d, "ports") {
		if !slices.Contains(plugin.Strings(cur, "ports"), p) {
			added = append(added, p)
		}
	}
	if err := checkPorts(ctx, tx, c, d, added); err != nil {
		return nil, err
	}
	d["status"] = groupStatus(d)
	return d, plugin.Save(ctx, tx, c, Groups.Collection, d)
}

// Delete removes a group (its ports are unfiltered again); only an admin removes a default
// group.
func (GroupCollection) Delete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	if plugin.Str(cur, "name") == DefaultGroup && !c.IsAdmin {
		return fault.FirewallDefaultObjectUpdateRestricted(plugin.Str(cur, "id"))
	}
	return plugin.Remove(ctx, tx, c, Groups.Collection, cur)
}

// List returns the candidate groups.
func (GroupCollection) List(ctx context.Context, tx *db.Tx, _ *plugin.Caller, f map[string][]string) ([]db.Doc, error) {
	return list(ctx, tx, Groups, f)
}

// Expand shows only the ports that still exist: a port deleted without the ports
// collection's hook (a router interface removed through its router) leaves the group.
func (GroupCollection) Expand(ctx context.Context, tx *db.Tx, docs []db.Doc) error {
	for _, d := range docs {
		ports := plugin.List(d, "ports")
		kept := make([]any, 0, len(ports))
		for _, p := range ports {
			id, _ := p.(string)
			pd, err := tx.Get(ctx, "ports", id)
			if err != nil {
				return err
			}
			if pd != nil {
				kept = append(kept, p)
			}
		}
		if len(kept) != len(ports) {
			d["ports"] = kept
			d["status"] = groupStatus(d)
		}
	}
	return nil
}

// HasDefaults reports whether the project has its default group.
func (GroupCollection) HasDefaults(ctx context.Context, tx *db.Tx, project string) (bool, error) {
	gs, err := tx.List(ctx, Groups.Collection, db.Filter{ProjectID: project})
	if err != nil {
		return false, err
	}
	for _, g := range gs {
		if plugin.Str(g, "name") == DefaultGroup {
			return true, nil
		}
	}
	return false, nil
}

// MakeDefaults makes the project's default group as neutron-fwaas does: an ingress policy
// denying everything, an egress policy allowing everything (IPv4 and IPv6 rules each), on
// no port.
func (GroupCollection) MakeDefaults(ctx context.Context, tx *db.Tx, c *plugin.Caller, project string) error {
	owned := func(d db.Doc) db.Doc {
		d["tenant_id"], d["project_id"], d["shared"], d["description"] = project, project, false, ""
		return stamp(d)
	}
	rule := func(dir, action, what string, ver int) (string, error) {
		d := owned(db.Doc{"name": "default " + dir + " ipv" + string(rune('0'+ver)) + " (" + what + ")",
			"protocol": nil, "ip_version": ver, "source_ip_address": nil, "destination_ip_address": nil,
			"source_port": nil, "destination_port": nil, "action": action, "enabled": true,
			"source_firewall_group_id": nil, "destination_firewall_group_id": nil})
		return plugin.Str(d, "id"), plugin.Add(ctx, tx, c, Rules.Collection, d)
	}
	policy := func(dir, action, what string) (string, error) {
		var ids []any
		for _, ver := range []int{4, 6} {
			id, err := rule(dir, action, what, ver)
			if err != nil {
				return "", err
			}
			ids = append(ids, id)
		}
		d := owned(db.Doc{"name": "default " + dir, "firewall_rules": ids, "audited": false})
		return plugin.Str(d, "id"), plugin.Add(ctx, tx, c, Policies.Collection, d)
	}
	in, err := policy("ingress", ActionDeny, "deny all")
	if err != nil {
		return err
	}
	out, err := policy("egress", ActionAllow, "allow all")
	if err != nil {
		return err
	}
	g := owned(db.Doc{"name": DefaultGroup, "admin_state_up": true, "ports": []any{},
		"ingress_firewall_policy_id": in, "egress_firewall_policy_id": out})
	g["description"] = "Default firewall group"
	g["status"] = groupStatus(g)
	return plugin.Add(ctx, tx, c, Groups.Collection, g)
}

// holding lists the firewall groups holding one of ports, through the key rows of their
// ports.
func holding(ctx context.Context, tx *db.Tx, ports ...string) ([]db.Doc, error) {
	gs, err := tx.ListBy(ctx, Groups.Collection, "ports", ports...)
	if err != nil {
		return nil, fmt.Errorf("fwaas: groups of ports: %w", err)
	}
	return gs, nil
}

// portHook takes a deleted port out of the firewall group holding it.
type portHook struct{ plugin.NoHook }

func (portHook) BeforeDelete(ctx context.Context, tx *db.Tx, c *plugin.Caller, cur db.Doc) error {
	id := plugin.Str(cur, "id")
	gs, err := holding(ctx, tx, id)
	if err != nil {
		return err
	}
	for _, g := range gs {
		ports := plugin.List(g, "ports")
		if i := slices.Index(ports, any(id)); i >= 0 {
			g["ports"] = slices.Delete(ports, i, i+1)
			g["status"] = groupStatus(g)
			if err := plugin.Save(ctx, tx, c.Elevated(), Groups.Collection, g); err != nil {
				return err
			}
		}
	}
	return nil
}

// ExpandShared sets nothing: the hook adds no attribute (plugin.SharedExpander).
func (portHook) ExpandShared(context.Context, *db.Tx, []db.Doc, plugin.SetFunc) error { return nil }
